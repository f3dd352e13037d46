using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Azure;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Azure;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// The base of every cmdlet that talks to Azure: -DefaultProfile, the caller's Az context read through the runspace
    /// (Get-AzContext / Get-AzAccessToken), and engine work run off the pipeline thread while this thread serves its
    /// token requests, verbose lines and progress. One ARM connection (and token cache) per cmdlet invocation.
    /// </summary>
    public abstract class AzureCmdlet : AzDockerVmCmdlet
    {
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();

        // ArmConnection and PipelineHost live in the engine: held as object so loading this type loads no engine.
        private object _connection;
        private object _host;

        // Tokens fetched on the pipeline thread (tenant|audience → AccessTokenInfo): a job started here begins with them.
        private object _tokens;

        [Parameter]
        [Alias("AzContext", "AzureRmContext", "AzureCredential")]
        public PSObject DefaultProfile { get; set; }

        // Not disposed: StopProcessing may come after EndProcessing, and a CancellationTokenSource without timers holds nothing.
        protected override void StopProcessing() => _stopping.Cancel();

        /// <summary>Runs engine work against ARM, serving its requests on the pipeline thread until it ends.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        internal T RunArm<T>(Func<ArmConnection, CancellationToken, Task<T>> work)
        {
            if (_connection == null)
            {
                var bridge = new AzContextBridge(DefaultProfile);
                var tokens = new ConcurrentDictionary<string, AccessTokenInfo>();
                var host = new PipelineHost(this, (resource, tenant) => tokens[tenant + "|" + resource] = bridge.GetAccessToken(resource, tenant));
                _tokens = tokens;
                AzureTarget target = bridge.ReadTarget();
                WriteVerbose($"Azure: subscription {target.SubscriptionId}, tenant {target.TenantId}, Resource Manager {target.ResourceManagerUrl} ({target.EnvironmentName}).");
                _connection = new ArmConnection(target, host);
                _host = host;
            }

            var connection = (ArmConnection)_connection;
            try
            {
                return ((PipelineHost)_host).Run(ct => work(connection, ct), _stopping.Token);
            }
            catch (AzDockerVmException ex) when (!s_sessionWide.Contains(ex.ErrorId))
            {
                // About this record's VM (not found, not running, ARM's answer, the script's failure): the next record
                // of the pipeline may fare better.
                throw new RecordFailedException(ex);
            }
        }

        /// <summary>Failures no other record could escape (no Az.Accounts, no context, a refused token): they stop the pipeline.</summary>
        private static readonly System.Collections.Generic.HashSet<string> s_sessionWide = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal)
        {
            "AzAccountsNotFound", "AzContextNotFound", "AzContextIncomplete", "AzAccessTokenUnavailable", "ArmAuthenticationFailed",
        };

        /// <summary>True when -WhatIf is in force (so -Force never skips a WhatIf).</summary>
        protected bool WhatIfRequested()
            => (MyInvocation.BoundParameters.TryGetValue("WhatIf", out object whatIf) && ((SwitchParameter)whatIf).IsPresent)
               || LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

        /// <summary>
        /// -AsJob: runs <paramref name="work"/> in a background job (its own ARM connection, same Az context) and writes
        /// the job. Call after <see cref="RunArm"/> has read the context and after ShouldProcess.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        internal void StartJob(string name, Func<ArmConnection, CancellationToken, Task<object>> work)
        {
            var job = new AzDockerVmJob(MyInvocation.Line, name);
            var host = new JobHost(job, MyInvocation.MyCommand.Name, Runspace.DefaultRunspace, DefaultProfile, (ConcurrentDictionary<string, AccessTokenInfo>)_tokens);
            var connection = new ArmConnection(((ArmConnection)_connection).Target, host);
            job.Start(ct => work(connection, ct));
            JobRepository.Add(job);
            WriteObject(job);
        }
    }
}

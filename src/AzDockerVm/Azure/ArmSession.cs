using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Cmdlets;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Azure;

namespace AzDockerVm.Azure
{
    /// <summary>
    /// One cmdlet invocation's way to Azure: the caller's Az context read through the runspace (Get-AzContext,
    /// Get-AzAccessToken), one ARM connection (and token cache), engine work run off the pipeline thread while this
    /// thread serves its token requests, verbose lines and progress, and -AsJob. Every cmdlet that talks to Azure has
    /// one (through <see cref="AzureCmdlet"/>, or Test-AzDockerHost for a VM by name).
    /// </summary>
    internal sealed class ArmSession
    {
        private readonly PSCmdlet _cmdlet;
        private readonly Func<PSObject> _defaultProfile;
        private ArmConnection _connection;
        private PipelineHost _host;

        // Tokens fetched on the pipeline thread (tenant|audience → AccessTokenInfo): a job started here begins with them.
        private ConcurrentDictionary<string, AccessTokenInfo> _tokens;

        internal ArmSession(PSCmdlet cmdlet, Func<PSObject> defaultProfile)
        {
            _cmdlet = cmdlet;
            _defaultProfile = defaultProfile;
        }

        /// <summary>Runs engine work against ARM, serving its requests on the pipeline thread until it ends.</summary>
        internal T Run<T>(Func<ArmConnection, CancellationToken, Task<T>> work, CancellationToken stopping)
        {
            if (_connection == null)
            {
                var bridge = new AzContextBridge(_defaultProfile());
                var tokens = new ConcurrentDictionary<string, AccessTokenInfo>();
                var host = new PipelineHost(_cmdlet, (resource, tenant) => tokens[tenant + "|" + resource] = bridge.GetAccessToken(resource, tenant));
                _tokens = tokens;
                AzureTarget target = bridge.ReadTarget();
                _cmdlet.WriteVerbose($"Azure: subscription {target.SubscriptionId}, tenant {target.TenantId}, Resource Manager {target.ResourceManagerUrl} ({target.EnvironmentName}).");
                _connection = new ArmConnection(target, host);
                _host = host;
            }

            ArmConnection connection = _connection;
            try
            {
                return _host.Run(ct => work(connection, ct), stopping);
            }
            catch (AzDockerVmException ex) when (!s_sessionWide.Contains(ex.ErrorId))
            {
                // About this record's VM (not found, not running, ARM's answer, the script's failure): the next record
                // of the pipeline may fare better.
                throw new RecordFailedException(ex);
            }
        }

        /// <summary>Runs <paramref name="action"/> on the pipeline thread while <see cref="Run"/> is under way (an object to write as soon as it is ready).</summary>
        internal void Post(Action action) => _host.Post(action);

        /// <summary>Failures no other record could escape (no Az.Accounts, no context, a refused token): they stop the pipeline.</summary>
        private static readonly System.Collections.Generic.HashSet<string> s_sessionWide = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal)
        {
            "AzAccountsNotFound", "AzContextNotFound", "AzContextIncomplete", "AzAccessTokenUnavailable", "ArmAuthenticationFailed",
        };

        /// <summary>
        /// -AsJob: runs <paramref name="work"/> in a background job (its own ARM connection, same Az context) and writes
        /// the job. Call after <see cref="Run"/> has read the context and after ShouldProcess.
        /// </summary>
        internal void StartJob(string name, Func<ArmConnection, CancellationToken, Task<object>> work)
        {
            var job = new AzDockerVmJob(_cmdlet.MyInvocation.Line, name);
            var host = new JobHost(job, _cmdlet.MyInvocation.MyCommand.Name, Runspace.DefaultRunspace, _defaultProfile(), _tokens);
            var connection = new ArmConnection(_connection.Target, host);
            job.Start(ct => work(connection, ct));
            _cmdlet.JobRepository.Add(job);
            _cmdlet.WriteObject(job);
        }
    }
}

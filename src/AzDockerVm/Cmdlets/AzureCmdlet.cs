using System;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Azure;
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

        [Parameter]
        [Alias("AzContext", "AzureRmContext", "AzureCredential")]
        public PSObject DefaultProfile { get; set; }

        protected override void StopProcessing() => _stopping.Cancel();

        protected override void EndProcessing() => _stopping.Dispose();

        /// <summary>Runs engine work against ARM, serving its requests on the pipeline thread until it ends.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        internal T RunArm<T>(Func<ArmConnection, CancellationToken, Task<T>> work)
        {
            if (_connection == null)
            {
                var bridge = new AzContextBridge(DefaultProfile);
                var host = new PipelineHost(this, bridge.GetAccessToken);
                AzureTarget target = bridge.ReadTarget();
                WriteVerbose($"Azure: subscription {target.SubscriptionId}, tenant {target.TenantId}, Resource Manager {target.ResourceManagerUrl} ({target.EnvironmentName}).");
                _connection = new ArmConnection(target, host);
                _host = host;
            }

            var connection = (ArmConnection)_connection;
            return ((PipelineHost)_host).Run(ct => work(connection, ct), _stopping.Token);
        }

        /// <summary>$env:DOCKER_CONFIG (relative to the current location), else ~/.docker.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        protected string DockerConfigDirectory()
        {
            string configured = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
            return string.IsNullOrWhiteSpace(configured) ? AzDockerVm.Engine.Tls.DockerContextStore.DefaultDockerConfig() : ResolveFileSystemPath(configured);
        }
    }
}

using System;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using AzDockerVm.Azure;
using AzDockerVm.Completion;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Azure;
using AzDockerVm.Engine.Docker;
using AzDockerVm.Models;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// Checks a Docker host over mutual TLS (ping + version) with the client's certificate, trusting only the given
    /// ca.pem. A failed check is a result with Success = $false and a Reason, not an error; bad input is an error.
    /// For an Azure VM (-ResourceGroupName/-VMName, or piped from New-/Get-AzDockerVm) it checks in layers and reports
    /// the first that fails: the VM, the Docker extension, the network security groups, the local TLS set, then TLS.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "AzDockerHost", DefaultParameterSetName = CertificateSet)]
    [OutputType(typeof(DockerHostTestResult))]
    public sealed class TestAzDockerHostCommand : DockerTlsCmdlet
    {
        private const string VmSet = "Vm";
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();

        // ArmSession lives with the engine-facing types: held as object so loading this type loads no engine.
        private object _session;

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = VmSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ResourceGroupCompleter))]
        public string ResourceGroupName { get; set; }

        // -VMName, not -Name: a DockerContextInfo (Name, Endpoint, TlsPath) pipes into the endpoint set, and a Name
        // parameter here would bind its Name too and leave no parameter set that fits.
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = VmSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VmNameCompleter))]
        public string VMName { get; set; }

        [Parameter(ParameterSetName = VmSet)]
        [Alias("AzContext", "AzureRmContext", "AzureCredential")]
        public PSObject DefaultProfile { get; set; }

        /// <summary>For a VM optional (default: the VM's set under $env:DOCKER_CONFIG, where New-AzDockerVm and Set-AzDockerExtension write it).</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = CertificatePathSet)]
        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = VmSet)]
        [Alias("TlsPath")]
        [ValidateNotNullOrEmpty]
        public override string CertificatePath { get; set; }

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = CertificatePathSet)]
        // Not by property name in the Certificate set: a DockerContextInfo (Endpoint, TlsPath) must bind to the
        // CertificatePath set, and PowerShell's binder would settle on the default set after binding Endpoint there.
        [Parameter(Position = 0, ParameterSetName = CertificateSet)]
        public string Endpoint { get; set; }

        [Parameter]
        [ValidateRange(1, 300)]
        public int TimeoutSec { get; set; } = 10;

        protected override void ProcessRecordCore() => TestHost();

        protected override void StopProcessing() => _stopping.Cancel();

        protected override string RecommendedActionFor(AzDockerVmException ex)
            => ex.ErrorId == "FileNotFound"
                ? "Give -CertificatePath a folder holding ca.pem, cert.pem and key.pem (as New-DockerTlsCertificate writes them), or pipe the set: New-DockerTlsCertificate ... | Test-AzDockerHost."
                : base.RecommendedActionFor(ex);

        protected override void EndProcessingCore() => _stopping.Dispose();

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void TestHost()
        {
            DockerHostProbeResult result;
            try
            {
                result = ParameterSetName == VmSet ? TestVm() : TestEndpoint();
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }

            WriteVerbose(result.Success
                ? $"{result.Endpoint}: Docker {result.ServerVersion} (API {result.ApiVersion}, {result.Os}/{result.Architecture}) in {result.LatencyMs:0.0} ms."
                : $"{result.Endpoint}: {result.Reason}: {result.Message}");
            if (result.Detail != null)
            {
                WriteDebug(result.Detail);
            }

            WriteObject(new DockerHostTestResult
            {
                ResourceGroupName = ParameterSetName == VmSet ? ResourceGroupName : null,
                VMName = ParameterSetName == VmSet ? VMName : null,
                Endpoint = result.Endpoint,
                Success = result.Success,
                Reason = result.Reason,
                Message = result.Message,
                ServerVersion = result.ServerVersion,
                ApiVersion = result.ApiVersion,
                Os = result.Os,
                Architecture = result.Architecture,
                KernelVersion = result.KernelVersion,
                LatencyMs = result.LatencyMs,
            });
        }
    

        private DockerHostProbeResult TestEndpoint()
        {
            var (ca, cert, key) = ClientTlsFiles();
            string endpoint = EndpointOrDefault(Endpoint);
            WriteVerbose($"Testing {endpoint} over mutual TLS (timeout {TimeoutSec} s), trusting only '{ca}', client certificate '{cert}'.");
            return DockerHostProbe.Test(endpoint, ca, cert, key, TimeSpan.FromSeconds(TimeoutSec), _stopping.Token);
        }

        private DockerHostProbeResult TestVm()
        {
            var vm = new VmReference(ResourceGroupName, VMName);
            string dockerConfig = DockerConfigDirectory();
            var session = (ArmSession)(_session ?? (_session = new ArmSession(this, () => DefaultProfile)));
            WriteVerbose($"Testing Docker host '{vm}' in layers: VM, Docker extension, network security groups, local TLS set, mutual TLS (timeout {TimeoutSec} s).");
            string folder = CertificatePath == null ? null : ResolveFileSystemPath(CertificatePath, "-CertificatePath");
            return session.Run((arm, ct) => DockerVmDiagnosis.DiagnoseAsync(arm, vm, dockerConfig, folder, TimeSpan.FromSeconds(TimeoutSec), ct), _stopping.Token);
        }
    }
}

using System;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Docker;
using AzDockerVm.Models;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// Checks a Docker host over mutual TLS (ping + version) with the client's certificate, trusting only the given
    /// ca.pem. A failed check is a result with Success = $false and a Reason, not an error; bad input is an error.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "AzDockerHost", DefaultParameterSetName = CertificateSet)]
    [OutputType(typeof(DockerHostTestResult))]
    public sealed class TestAzDockerHostCommand : DockerTlsCmdlet
    {
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();

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

        protected override void EndProcessing() => _stopping.Dispose();

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void TestHost()
        {
            var (ca, cert, key) = ClientTlsFiles();
            string endpoint = EndpointOrDefault(Endpoint);
            WriteVerbose($"Testing {endpoint} over mutual TLS (timeout {TimeoutSec} s), trusting only '{ca}', client certificate '{cert}'.");
            DockerHostProbeResult result;
            try
            {
                result = DockerHostProbe.Test(endpoint, ca, cert, key, TimeSpan.FromSeconds(TimeoutSec), _stopping.Token);
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
    }
}

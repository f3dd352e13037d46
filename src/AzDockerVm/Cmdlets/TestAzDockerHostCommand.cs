using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
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

        /// <summary>How many hosts of the pipeline are tested at once (each waits at most -TimeoutSec for its daemon).</summary>
        [Parameter]
        [ValidateRange(1, 100)]
        public int ThrottleLimit { get; set; } = HostFleet.DefaultThrottleLimit;

        /// <summary>Warn when the served certificate expires within this many days (0: only once it has expired).</summary>
        [Parameter]
        [ValidateRange(0, 3650)]
        public int WarningDays { get; set; } = 30;

        // The pipeline's hosts (Probes, held as object so loading this type loads no engine), tested together at the end.
        private readonly List<object> _probes = new List<object>();

        protected override void ProcessRecordCore() => Queue();

        protected override void StopProcessing() => _stopping.Cancel();

        protected override string RecommendedActionFor(AzDockerVmException ex)
            => ex.ErrorId == "FileNotFound"
                ? "Give -CertificatePath a folder holding ca.pem, cert.pem and key.pem (as New-DockerTlsCertificate writes them), or pipe the set: New-DockerTlsCertificate ... | Test-AzDockerHost."
                : base.RecommendedActionFor(ex);

        /// <summary>Reads the record's input (bad input stops the pipeline before anything is tested) and keeps the probe.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Queue() => _probes.Add(ParameterSetName == VmSet ? VmProbe() : EndpointProbe());

        // _stopping is not disposed: StopProcessing may come after EndProcessing, and a CancellationTokenSource without timers holds nothing.
        protected override void EndProcessingCore()
        {
            if (_probes.Count > 0)
            {
                TestAll();
            }
        }

        /// <summary>Every host of the pipeline at once (ThrottleLimit at a time), each result written as soon as it is in.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void TestAll()
        {
            var probes = _probes.Cast<Probe>().ToList();
            var session = (ArmSession)(_session ?? (_session = new ArmSession(this, () => DefaultProfile)));
            try
            {
                session.RunEach(probes, ThrottleLimit, $"{probes.Count} Docker hosts", probes.Any(p => p.VmName != null),
                    (arm, probe, ct) => probe.Run(arm, ct), (probe, outcome) =>
                    {
                        if (outcome.Failure != null)
                        {
                            WriteHostFailure(outcome.Failure, probe.VmName ?? (object)probe.Endpoint);
                        }
                        else
                        {
                            Write(probe, outcome.Result);
                        }
                    }, _stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        private void Write(Probe probe, DockerHostProbeResult result)
        {
            WriteVerbose(result.Success
                ? $"{result.Endpoint}: Docker {result.ServerVersion} (API {result.ApiVersion}, {result.Os}/{result.Architecture}) in {result.LatencyMs:0.0} ms."
                : $"{result.Endpoint}: {result.Reason}: {result.Message}");
            if (result.Detail != null)
            {
                WriteDebug(result.Detail);
            }

            DockerHostTestResult model = ModelConverter.ToModel(result, probe.ResourceGroupName, probe.VmName);
            foreach (string warning in CertificateWarnings.ForServed(model, result.NamesNotCovered, WarningDays, DateTime.UtcNow))
            {
                WriteWarning(warning);
            }

            WriteObject(model);
        }

        private Probe EndpointProbe()
        {
            var (ca, cert, key) = ClientTlsFiles();
            string endpoint = EndpointOrDefault(Endpoint);
            var timeout = TimeSpan.FromSeconds(TimeoutSec);
            WriteVerbose($"Testing {endpoint} over mutual TLS (timeout {TimeoutSec} s), trusting only '{ca}', client certificate '{cert}'.");
            return new Probe(null, null, endpoint, (_, ct) => Task.Run(() => DockerHostProbe.Test(endpoint, ca, cert, key, timeout, ct), ct));
        }

        private Probe VmProbe()
        {
            var vm = new VmReference(ResourceGroupName, VMName);
            string dockerConfig = DockerConfigDirectory();
            var timeout = TimeSpan.FromSeconds(TimeoutSec);
            WriteVerbose($"Testing Docker host '{vm}' in layers: VM, Docker extension, network security groups, local TLS set, mutual TLS (timeout {TimeoutSec} s).");
            string folder = CertificatePath == null ? null : ResolveFileSystemPath(CertificatePath, "-CertificatePath");
            return new Probe(ResourceGroupName, VMName, null, (arm, ct) => DockerVmDiagnosis.DiagnoseAsync(arm, vm, dockerConfig, folder, timeout, ct));
        }

        /// <summary>One host of the pipeline: how it was named, and its test.</summary>
        private sealed class Probe
        {
            private readonly Func<ArmConnection, CancellationToken, Task<DockerHostProbeResult>> _run;

            internal Probe(string resourceGroupName, string vmName, string endpoint, Func<ArmConnection, CancellationToken, Task<DockerHostProbeResult>> run)
            {
                ResourceGroupName = resourceGroupName;
                VmName = vmName;
                Endpoint = endpoint;
                _run = run;
            }

            internal string ResourceGroupName { get; }

            internal string VmName { get; }

            internal string Endpoint { get; }

            internal Task<DockerHostProbeResult> Run(ArmConnection arm, CancellationToken ct) => _run(arm, ct);
        }
    }
}

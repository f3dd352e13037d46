using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Azure;
using AzDockerVm.Engine.Tls;
using AzDockerVm.Models;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// Renews the server certificate of Docker hosts on Azure VMs: issued by the CA of the host's set, for the VM's
    /// addresses as Azure reports them now, sent through the host's extension with no other setting, served after a
    /// restart with live-restore on, checked over TLS from here; only then are the set's server files replaced.
    /// A fleet comes through the pipeline and is renewed -ThrottleLimit VMs at a time.
    /// </summary>
    [Cmdlet(VerbsData.Update, "AzDockerTlsCertificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = VmTarget.ByNameSet)]
    [OutputType(typeof(DockerTlsCertificate))]
    public sealed partial class UpdateAzDockerTlsCertificateCommand : AzureVmCmdlet
    {
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string CertificatePath { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string CertificateAuthorityPath { get; set; }

        [Parameter]
        public int ValidityDays { get; set; }

        /// <summary>How many VMs of the pipeline are renewed at once (each is one extension run, a minute or more in Azure).</summary>
        [Parameter]
        [ValidateRange(1, 100)]
        public int ThrottleLimit { get; set; } = HostFleet.DefaultThrottleLimit;

        [Parameter]
        public SwitchParameter AsJob { get; set; }

        /// <summary>Start or Complete a rotation of the resource group's CA on these hosts, instead of a renewal (UpdateAzDockerTlsCertificateCommand.Rotation.cs).</summary>
        [Parameter]
        [ValidateSet("Start", "Complete")]
        public string RotateCertificateAuthority { get; set; }

        // The pipeline's checked requests (engine types, held as object so loading this type loads no engine), renewed together at the end.
        private readonly List<object> _vms = new List<object>();

        protected override void ProcessRecordCore() => Check();

        /// <summary>Checks the record's input (a refusal stops the pipeline before anything is sent) and keeps it.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Check()
        {
            var request = new VmCertificateRenewalRequest
            {
                Vm = TargetVm(),
                CertificatePath = CertificatePath == null ? null : ResolveFileSystemPath(CertificatePath, "-CertificatePath"),
                CertificateAuthorityPath = CertificateAuthorityPath == null ? null : ResolveFileSystemPath(CertificateAuthorityPath, "-CertificateAuthorityPath"),
                ValidityDays = MyInvocation.BoundParameters.ContainsKey(nameof(ValidityDays)) ? ValidityDays : (int?)null,
                DockerConfig = DockerConfigDirectory(),
            };
            if (RotateCertificateAuthority != null)
            {
                CheckRotation(request);
                return;
            }

            VmCertificateRenewal.CheckInput(request);
            _vms.Add(new Pending(request));
        }

        protected override void EndProcessingCore()
        {
            if (_vms.Count > 0)
            {
                if (RotateCertificateAuthority != null)
                {
                    Rotate();
                }
                else
                {
                    Renew();
                }
            }
        }

        /// <summary>Every VM of the pipeline: read and planned at once, asked about one by one, renewed together (ThrottleLimit at a time).</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Renew()
        {
            var vms = _vms.Cast<Pending>().ToList();
            RunEach(vms, ThrottleLimit, $"{vms.Count} VMs", (arm, vm, ct) => VmCertificateRenewal.PrepareAsync(arm, vm.Request, ct), (vm, outcome) =>
            {
                if (outcome.Failure != null)
                {
                    WriteHostFailure(outcome.Failure, vm.Request.Vm.VmName);
                    return;
                }

                vm.Plan = outcome.Result;
                foreach (string warning in vm.Plan.Warnings)
                {
                    WriteWarning($"VM '{vm.Plan.VmName}': {warning}");
                }
            });

            var approved = vms.Where(vm => vm.Plan != null && ShouldProcess($"VM '{vm.Plan.VmName}' in resource group '{vm.Plan.ResourceGroupName}'", Describe(vm.Plan))).ToList();
            if (approved.Count == 0)
            {
                return;
            }

            if (AsJob)
            {
                StartFleetJob(approved.Count == 1 ? $"Update-AzDockerTlsCertificate {approved[0].Plan.VmName}" : $"Update-AzDockerTlsCertificate ({approved.Count} VMs)", approved, vm => vm.Plan.VmName, ThrottleLimit,
                    (arm, vm, ct) => VmCertificateRenewal.ApplyAsync(arm, vm.Plan, ct),
                    (vm, outcome) => outcome.Failure == null ? ToOutput(outcome.Result)
                        : outcome.Failure is AzDockerVmException ours ? ErrorRecords.From(ours, RecommendedActionFor(ours)) : ErrorRecords.Unexpected(outcome.Failure, vm.Plan.VmName));
                return;
            }

            RunEach(approved, ThrottleLimit, $"{approved.Count} VMs", (arm, vm, ct) => VmCertificateRenewal.ApplyAsync(arm, vm.Plan, ct), (vm, outcome) =>
            {
                if (outcome.Failure != null)
                {
                    WriteHostFailure(outcome.Failure, vm.Plan.VmName);
                    return;
                }

                if (!outcome.Result.LiveRestore)
                {
                    WriteWarning($"VM '{vm.Plan.VmName}': live-restore is switched off in its Docker configuration, so the restart that serves the new certificate also restarted the running containers.");
                }

                WriteObject(ToOutput(outcome.Result));
            });
        }

        private static string Describe(VmCertificateRenewalPlan plan)
        {
            CertificateRenewalItem server = plan.Server;
            string names = string.Join(", ", server.DnsNames.Select(n => "DNS:" + n).Concat(server.IPAddresses.Select(a => "IP:" + a)));
            return $"Renew the Docker server certificate for {names} ({TlsKeyAlgorithmNames.Name(server.KeyAlgorithm)}, {server.ValidityDays} days), issued by the CA '{plan.CaSubject}' in '{plan.CertificateAuthorityPath}'; "
                   + $"send it through the {plan.HandlerName} extension '{plan.ExtensionName}' (no other setting is sent or changed; Docker restarts with live-restore on, so running containers keep running); "
                   + $"check that {plan.Endpoint} serves it; then replace {DockerTlsFileNames.ServerCertificate} and {DockerTlsFileNames.ServerKey} in '{plan.CertificatePath}'";
        }

        /// <summary>The new certificate as Get-DockerTlsCertificate shows it, with the VM it is served by.</summary>
        private static PSObject ToOutput(VmCertificateRenewalResult result)
        {
            var output = new PSObject(CertificateConverter.ToModel(result.Certificate));
            output.Properties.Add(new PSNoteProperty("ResourceGroupName", result.ResourceGroupName));
            output.Properties.Add(new PSNoteProperty("VMName", result.VmName));
            output.Properties.Add(new PSNoteProperty("Endpoint", result.Endpoint));
            return output;
        }

        /// <summary>The next step in this cmdlet's own parameters.</summary>
        protected override string RecommendedActionFor(AzDockerVmException ex)
        {
            if (RotateCertificateAuthority != null && (ex.ErrorId == "CertificateAuthorityNotFound" || ex.ErrorId == "CertificateAuthorityKeyNotFound"))
            {
                return "-RotateCertificateAuthority rotates the resource group's CA that New-AzDockerVm keeps on this machine (the folder the message names); a host whose set holds a CA of its own is not rotated this way.";
            }

            switch (ex.ErrorId)
            {
                case "CertificateAuthorityKeyNotFound":
                case "CertificateAuthorityNotFound":
                case "CertificateAuthorityNotCA":
                    return "Give -CertificateAuthorityPath the folder holding the CA that issued the host's set (its ca.pem and ca-key.pem; the message names it when this machine keeps it).";
                case "CertificateAuthorityMismatch":
                    return "Give -CertificateAuthorityPath the folder of the CA that issued the host's set, or -CertificatePath the host's own set.";
                case "CertificateAuthorityExpired":
                    return "An expired CA issues no certificate: give the host a new set of a new CA (Set-AzDockerExtension -Force makes one), then give its client files to the host's clients.";
                case "PathNotWritable":
                case "TargetIsAFolder":
                    return "Make sure the set's folder can be written, then run the command again.";
                default:
                    return base.RecommendedActionFor(ex);
            }
        }

        /// <summary>One VM of the pipeline: its checked request, and its plan once read.</summary>
        private sealed class Pending
        {
            internal Pending(VmCertificateRenewalRequest request) => Request = request;

            internal VmCertificateRenewalRequest Request { get; }

            internal VmCertificateRenewalPlan Plan { get; set; }
        }
    }
}

using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Azure;
using AzDockerVm.Engine.Tls;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// -RotateCertificateAuthority: a phase of the rotation of the resource group's CA (or, for a host whose set holds its
    /// own ca-key.pem, of that CA) on the piped or named hosts,
    /// with the fleet machinery of the renewal (the same targets, ThrottleLimit, -AsJob, one ShouldProcess per VM).
    /// </summary>
    public sealed partial class UpdateAzDockerTlsCertificateCommand
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void CheckRotation(VmCertificateRenewalRequest request)
        {
            if (CertificateAuthorityPath != null || MyInvocation.BoundParameters.ContainsKey(nameof(ValidityDays)))
            {
                ThrowInvalidArgument("RotationParameterConflict", RotateCertificateAuthority,
                    "-RotateCertificateAuthority rotates the CA AzDockerVm keeps for the resource group: it takes neither -CertificateAuthorityPath nor -ValidityDays (the new certificates keep the old ones' lifetimes). Nothing was changed.");
            }

            _vms.Add(new PendingRotation(request));
        }

        /// <summary>Every VM read and checked first (a refusal changes nothing), the new CA made once per group, then the hosts ThrottleLimit at a time.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Rotate()
        {
            var vms = _vms.Cast<PendingRotation>().ToList();
            CertificateAuthorityRotationPhase phase = RotateCertificateAuthority == "Start" ? CertificateAuthorityRotationPhase.Start : CertificateAuthorityRotationPhase.Complete;
            RunEach(vms, ThrottleLimit, $"{vms.Count} VMs", (arm, vm, ct) => VmCertificateAuthorityRotation.PrepareAsync(arm, vm.Request, phase, ct), (vm, outcome) =>
            {
                if (outcome.Failure != null)
                {
                    WriteHostFailure(outcome.Failure, vm.Request.Vm.VmName);
                    return;
                }

                vm.Plan = outcome.Result;
            });

            var approved = vms.Where(vm => vm.Plan != null && ShouldProcess($"VM '{vm.Plan.VmName}' in resource group '{vm.Plan.ResourceGroupName}'", DescribeRotation(vm.Plan))).Select(vm => vm.Plan).ToList();
            if (approved.Count == 0)
            {
                return;
            }

            VmCertificateAuthorityRotation.Begin(approved);
            if (AsJob)
            {
                StartFleetJob($"Update-AzDockerTlsCertificate -RotateCertificateAuthority {RotateCertificateAuthority} ({approved.Count} VMs)", approved, p => p.VmName, ThrottleLimit,
                    (arm, plan, ct) => VmCertificateAuthorityRotation.ApplyAsync(arm, plan, ct),
                    (plan, outcome) => outcome.Failure == null ? ToOutput(outcome.Result)
                        : outcome.Failure is AzDockerVmException ours ? ErrorRecords.From(ours, RecommendedActionFor(ours)) : ErrorRecords.Unexpected(outcome.Failure, plan.VmName));
                return;
            }

            RunEach(approved, ThrottleLimit, $"{approved.Count} VMs", (arm, plan, ct) => VmCertificateAuthorityRotation.ApplyAsync(arm, plan, ct), (plan, outcome) =>
            {
                if (outcome.Failure != null)
                {
                    WriteHostFailure(outcome.Failure, plan.VmName);
                    return;
                }

                WriteObject(ToOutput(outcome.Result));
            });
        }

        private static string DescribeRotation(VmCertificateAuthorityRotationPlan plan)
            => plan.IsOwnCertificateAuthority ? DescribeOwnRotation(plan) : plan.Phase == CertificateAuthorityRotationPhase.Start
                ? $"Start rotating the CA of resource group '{plan.ResourceGroupName}' ('{plan.CertificateAuthorityPath}'; the new CA and its key stay on this machine): send the trust bundle old + new CA with the host's own server certificate through the {plan.HandlerName} extension '{plan.ExtensionName}', check {plan.Endpoint}, then give the set '{plan.CertificatePath}' a client certificate of the new CA and the two-CA {DockerTlsFileNames.CaCertificate}"
                : $"Complete the rotation of the CA of resource group '{plan.ResourceGroupName}': send a server certificate of the new CA and the new CA alone as trust through the {plan.HandlerName} extension '{plan.ExtensionName}' (clients of the old CA are refused from then on), check {plan.Endpoint}, then write them to the set '{plan.CertificatePath}'; the old CA's key is deleted once every host of the rotation completed";

        private static string DescribeOwnRotation(VmCertificateAuthorityRotationPlan plan)
            => plan.Phase == CertificateAuthorityRotationPhase.Start
                ? $"Start rotating the host's own CA (the set '{plan.CertificatePath}' holds its key; the new CA and its key stay on this machine): send the trust bundle old + new CA with the host's own server certificate through the {plan.HandlerName} extension '{plan.ExtensionName}', check {plan.Endpoint}, then give the set a client certificate of the new CA, the two-CA {DockerTlsFileNames.CaCertificate} and the new CA's key (the old CA and its key kept in its {CertificateAuthorityRotation.FolderName}/)"
                : $"Complete the rotation of the host's own CA: send a server certificate of the new CA and the new CA alone as trust through the {plan.HandlerName} extension '{plan.ExtensionName}' (clients of the old CA are refused from then on), check {plan.Endpoint}, then write them to the set '{plan.CertificatePath}' and delete the old CA's key";

        private static PSObject ToOutput(VmCertificateAuthorityRotationResult result)
        {
            var output = new PSObject(CertificateConverter.ToModel(result.Certificate));
            output.Properties.Add(new PSNoteProperty("ResourceGroupName", result.ResourceGroupName));
            output.Properties.Add(new PSNoteProperty("VMName", result.VmName));
            output.Properties.Add(new PSNoteProperty("Endpoint", result.Endpoint));
            output.Properties.Add(new PSNoteProperty("RotationPhase", result.Phase.ToString()));
            output.Properties.Add(new PSNoteProperty("RotationStatus", result.RotationStatus));
            return output;
        }

        private sealed class PendingRotation
        {
            internal PendingRotation(VmCertificateRenewalRequest request) => Request = request;

            internal VmCertificateRenewalRequest Request { get; }

            internal VmCertificateAuthorityRotationPlan Plan { get; set; }
        }
    }
}

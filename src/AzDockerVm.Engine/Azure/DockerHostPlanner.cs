using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Engine.Docker;
using AzDockerVm.Engine.Provisioning;
using AzDockerVm.Engine.Tls;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>
    /// Set's plan, made before anything is written: first what needs no Azure (every setting, a given TLS set), then
    /// what depends on the VM (Linux and running, the extension in the way, the TLS set for its addresses, the context).
    /// </summary>
    public static class DockerHostPlanner
    {
        /// <summary>
        /// Checks what needs no Azure: every setting and a given TLS set (files, key pair, issued by ca.pem). Reads files,
        /// writes nothing, sends nothing: its refusals are about the input as a whole, before any VM is looked at.
        /// </summary>
        public static SetDockerExtensionPlan CheckInput(SetDockerExtensionRequest request)
        {
            DockerHostSettingsCheck.Validate(request.Settings, request.Carrier);
            return new SetDockerExtensionPlan
            {
                Request = request,
                Certificate = request.ServerCertificateFile == null ? null : VmCertificate.Given(request.CaFile, request.ServerCertificateFile, request.ServerKeyFile),
            };
        }

        /// <summary>Reads the VM and checks what depends on it; writes nothing (its refusals are about this VM).</summary>
        public static Task<SetDockerExtensionPlan> PrepareSetAsync(ArmConnection arm, SetDockerExtensionPlan checkedInput, CancellationToken ct)
            => ArmGuard.Run(checkedInput.Request.Vm, async () =>
            {
                SetDockerExtensionRequest request = checkedInput.Request;
                VmCertificate given = checkedInput.Certificate;
                arm.Host.WriteVerbose($"Reading VM '{request.Vm}' (power state, extensions, addresses).");
                VmFacts vm = await VmReader.ReadAsync(arm, request.Vm, readAddresses: true, ct).ConfigureAwait(false);
                RefuseUnlessRunningLinux(vm);
                var plan = new SetDockerExtensionPlan { Request = request, Vm = vm };
                arm.Host.WriteVerbose($"VM '{vm.Name}': {vm.OsType}, {vm.PowerState}; public {Join(vm.PublicIPAddresses.Concat(vm.Fqdns))}; private {Join(vm.PrivateIPAddresses)}.");

                DockerCarrier carrier = request.Carrier;
                if (carrier.OnePerVm)
                {
                    ExtensionFacts foreign = vm.Extensions.FirstOrDefault(e => carrier.Carries(e.Publisher, e.Type) && !DockerExtensionService.IsOurs(e));
                    if (foreign != null && !request.Force)
                    {
                        throw new AzDockerVmException("ForeignCustomScriptExtension", FailureKind.ResourceExists, foreign.Name,
                            $"VM '{vm.Name}' already has a {carrier.Type} extension, '{foreign.Name}', that AzDockerVm did not create; a VM can hold only one. Nothing was changed.",
                            $"Remove it (Remove-AzVMExtension -Name {foreign.Name}), or have AzDockerVm replace it.");
                    }

                    plan.ForeignExtensionName = foreign?.Name;
                    plan.EarlierExtensionName = vm.Extensions.FirstOrDefault(e => carrier.Carries(e.Publisher, e.Type) && DockerExtensionService.IsOurs(e)
                        && !string.Equals(e.Name, request.ExtensionName, StringComparison.OrdinalIgnoreCase))?.Name;
                }

                if (given != null)
                {
                    given.RequireCovers(vm);
                    plan.Certificate = given;
                }
                else
                {
                    plan.Certificate = VmCertificate.ForVm(vm, request.DockerConfig, request.Force, request.Vm.SubscriptionId ?? arm.Target.SubscriptionId);
                    DockerHostLocalFiles.PlanContext(plan);
                }

                string host = vm.Fqdns.FirstOrDefault() ?? vm.PublicIPAddresses.FirstOrDefault() ?? vm.PrivateIPAddresses.FirstOrDefault();
                plan.Endpoint = host == null ? null : DockerEndpoint.Format(host, request.Settings.Port);
                return plan;
            });

        internal static void RefuseUnlessRunningLinux(VmFacts vm)
        {
            if (!string.Equals(vm.OsType, "Linux", StringComparison.OrdinalIgnoreCase))
            {
                throw new AzDockerVmException("VmNotLinux", FailureKind.InvalidOperation, vm.Name,
                    $"VM '{vm.Name}' runs {vm.OsType ?? "an unknown OS"}; AzDockerVm sets up Docker on Linux VMs only. Nothing was changed.");
            }

            if (!string.Equals(vm.PowerState, "running", StringComparison.OrdinalIgnoreCase))
            {
                throw new AzDockerVmException("VmNotRunning", FailureKind.InvalidOperation, vm.Name,
                    $"VM '{vm.Name}' is {vm.PowerState ?? "in an unknown power state"}, not running: extensions can be installed on a running VM only. Nothing was changed.",
                    $"Start-AzVM -ResourceGroupName {vm.ResourceGroupName} -Name {vm.Name}, then run the command again.");
            }
        }

        private static string Join(IEnumerable<string> values)
        {
            string text = string.Join(", ", values);
            return text.Length == 0 ? "none" : text;
        }
    }
}

using System.Management.Automation;
using System.Runtime.CompilerServices;
using AzDockerVm.Azure;
using AzDockerVm.Engine.Azure;
using AzDockerVm.Models;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// Removes AzDockerVm's Docker extension from a VM. Only ours (tagged AzDockerVm, or the legacy DockerExtension):
    /// a foreign CustomScript extension is never deleted. A VM without it: nothing to do, no error.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "AzDockerExtension", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = VmTarget.ByNameSet)]
    [OutputType(typeof(AzDockerExtensionOperation))]
    public sealed class RemoveAzDockerExtensionCommand : AzureVmCmdlet
    {
        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter NoWait { get; set; }

        [Parameter]
        public SwitchParameter AsJob { get; set; }

        protected override void ProcessRecordCore() => Remove();

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Remove()
        {
            VmReference vm = TargetVm();
            var names = RunArm((arm, ct) => DockerExtensionService.FindOursAsync(arm, vm, ct));
            if (names.Count == 0)
            {
                WriteVerbose($"VM '{vm}' has no AzDockerVm extension: nothing to remove.");
                return;
            }

            foreach (string name in names)
            {
                string target = $"VM '{vm.VmName}' in resource group '{vm.ResourceGroupName}'";
                if (!(Force && !WhatIfRequested()) && !ShouldProcess(target, $"Remove the Docker extension '{name}'"))
                {
                    continue;
                }

                if (AsJob)
                {
                    StartJob($"Remove-AzDockerExtension {vm.VmName}", async (arm, ct) =>
                    {
                        var started = await DockerExtensionService.RemoveAsync(arm, vm, name, NoWait, ct).ConfigureAwait(false);
                        return started == null ? null : (object)ModelConverter.ToModel(started);
                    });
                    continue;
                }

                DockerExtensionOperationInfo operation = RunArm((arm, ct) => DockerExtensionService.RemoveAsync(arm, vm, name, NoWait, ct));
                if (operation != null)
                {
                    WriteObject(ModelConverter.ToModel(operation));
                }
            }
        }
    }
}

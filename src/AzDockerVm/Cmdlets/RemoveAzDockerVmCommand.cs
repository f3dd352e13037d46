using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using AzDockerVm.Completion;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Azure;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// Deletes a Docker host New-AzDockerVm made, and what it made for it, dependents first: the VM (its OS disk, NIC
    /// and public IP go with it), the host's NSG rules; then the group's network and NSG when no other resource uses
    /// them and AzDockerVm made them. Works on a half-made host. Never deletes the resource group or anything it did
    /// not make. -RemoveLocalCertificate also deletes the host's TLS set, SSH key and docker context (and the group's CA
    /// once no other Docker host of the group is left).
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "AzDockerVm", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveAzDockerVmCommand : AzureCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ResourceGroupCompleter))]
        public string ResourceGroupName { get; set; }

        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("VMName")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VmNameCompleter))]
        public string Name { get; set; }

        [Parameter]
        public SwitchParameter RemoveLocalCertificate { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter AsJob { get; set; }

        protected override void ProcessRecordCore() => Remove();

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Remove()
        {
            var vm = new VmReference(ResourceGroupName, Name);
            string dockerConfig = RemoveLocalCertificate ? DockerConfigDirectory() : null;
            DockerVmRemoval removal = RunArm((arm, ct) => DockerVmInventory.PlanRemovalAsync(arm, vm.ResourceGroupName, vm.VmName, dockerConfig, RemoveLocalCertificate, ct));
            if (!removal.VmIsOurs)
            {
                // This record's error (a pipeline from Get-AzDockerVm may hold hosts Set-AzDockerExtension made): the next record goes on.
                throw new RecordFailedException(new AzDockerVmException("NotAnAzDockerVm", FailureKind.InvalidOperation, Name,
                    $"VM '{Name}' in resource group '{ResourceGroupName}' was not created by New-AzDockerVm (it has no AzDockerVmHost tag); Remove-AzDockerVm deletes only what AzDockerVm made. Nothing was deleted.",
                    $"Remove-AzDockerExtension -ResourceGroupName {ResourceGroupName} -VMName {Name} takes Docker off it; Remove-AzVM deletes the VM."));
            }

            string target = $"Docker host '{Name}' in resource group '{ResourceGroupName}'";
            string action = "Delete the VM with its OS disk, NIC and public IP, and its NSG rules; the group's network and NSG when nothing else uses them"
                + (RemoveLocalCertificate ? "; locally, its TLS set, SSH key and docker context (and the group's CA when no other Docker host of the group is left)" : string.Empty);
            if (!(Force && !WhatIfRequested()) && !ShouldProcess(target, action))
            {
                return;
            }

            if (AsJob)
            {
                StartJob($"Remove-AzDockerVm {Name}", async (arm, ct) =>
                {
                    await DockerVmInventory.RemoveAsync(arm, removal, ct).ConfigureAwait(false);
                    return null;
                });
                return;
            }

            var result = RunArm((arm, ct) => DockerVmInventory.RemoveAsync(arm, removal, ct));
            WriteVerbose($"Docker host '{Name}': deleted {string.Join(", ", result.With(Engine.Deployment.NodeOutcome.Deleted).Select(n => n.ToString()))}.");
        }
    }
}

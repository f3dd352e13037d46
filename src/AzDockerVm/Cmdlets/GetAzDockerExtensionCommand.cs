using System.Management.Automation;
using System.Runtime.CompilerServices;
using AzDockerVm.Azure;
using AzDockerVm.Engine.Azure;
using AzDockerVm.Models;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// AzDockerVm's Docker extension on a VM (either carrier) with what the provisioning script reported. A VM without
    /// it yields nothing and no error; other extensions (a foreign CustomScript included) are ignored.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "AzDockerExtension", DefaultParameterSetName = VmTarget.ByNameSet)]
    [OutputType(typeof(AzDockerExtensionStatus))]
    public sealed class GetAzDockerExtensionCommand : AzureVmCmdlet
    {
        /// <summary>Include the instance view (Statuses, SubStatuses).</summary>
        [Parameter]
        public SwitchParameter Status { get; set; }

        protected override void ProcessRecordCore() => Get();

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Get()
        {
            VmReference vm = TargetVm();
            var found = RunArm((arm, ct) => DockerExtensionService.GetAsync(arm, vm, ct));
            if (found.Count == 0)
            {
                WriteVerbose($"VM '{vm}' has no AzDockerVm extension.");
            }

            foreach (DockerExtensionInfo info in found)
            {
                WriteObject(ModelConverter.ToModel(info, Status));
            }
        }
    }
}

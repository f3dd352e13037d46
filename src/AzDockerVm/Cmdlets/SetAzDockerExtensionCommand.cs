using System.Management.Automation;
using System.Runtime.CompilerServices;
using AzDockerVm.Completion;
using AzDockerVm.Engine;
using AzDockerVm.Azure;
using AzDockerVm.Engine.Azure;
using AzDockerVm.Engine.Docker;
using AzDockerVm.Models;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// Turns an existing Linux VM into a TLS-secured Docker host through a VM extension (CustomScript running our
    /// provisioning script, or the legacy DockerExtension schema). Everything is checked, and every refusal made,
    /// before anything is written locally or in Azure.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "AzDockerExtension", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = VmTarget.ByNameSet)]
    [OutputType(typeof(AzDockerExtensionStatus), typeof(AzDockerExtensionOperation))]
    public sealed class SetAzDockerExtensionCommand : DockerHostCmdlet
    {
        // The VM, as for Get- and Remove-AzDockerExtension (see AzureVmCmdlet); the Docker settings are the base's.
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = VmTarget.ByNameSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ResourceGroupCompleter))]
        public string ResourceGroupName { get; set; }

        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = VmTarget.ByNameSet)]
        [Alias("Name")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VmNameCompleter))]
        public string VMName { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = VmTarget.ByResourceIdSet)]
        [ValidateNotNullOrEmpty]
        public string ResourceId { get; set; }

        [Parameter]
        public SwitchParameter ForceRerun { get; set; }

        [Parameter]
        public SwitchParameter NoWait { get; set; }

        protected override void ProcessRecordCore() => Set();

        protected override string RecommendedActionFor(AzDockerVmException ex)
            => ex.ErrorId == "ExtensionProvisioningFailed"
                ? "Check the message above, fix the setting and run Set-AzDockerExtension again (add -ForceRerun to rerun unchanged settings)."
                : VmTarget.RecommendedActionFor(ex, ParameterSetName, ResourceGroupName, VMName) ?? base.RecommendedActionFor(ex);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Set()
        {
            VmReference vm = VmTarget.Reference(ParameterSetName, ResourceGroupName, VMName, ResourceId);
            SetDockerExtensionRequest request = DockerHostRequestBuilder.Build(this, vm, DockerConfigDirectory());
            request.Force = Force;
            request.ForceRerun = ForceRerun;
            request.NoWait = NoWait;
            SetDockerExtensionPlan checkedInput = DockerHostPlanner.CheckInput(request);
            SetDockerExtensionPlan plan = RunArm((arm, ct) => DockerHostPlanner.PrepareSetAsync(arm, checkedInput, ct));
            WarnAboutCarrier();

            string target = $"VM '{plan.VmName}' in resource group '{plan.ResourceGroupName}'";
            string action = $"Install Docker with TLS on port {plan.Port} through {plan.HandlerName} {plan.TypeHandlerVersion} as extension '{ExtensionName}'"
                + (plan.CreatesCertificate ? $"; create a TLS set in '{plan.CertificateFolder}'" : string.Empty)
                + (plan.DockerContext != null ? $"; docker context '{plan.DockerContext}'" : string.Empty)
                + (plan.ForeignExtensionName != null ? $"; replace the CustomScript extension '{plan.ForeignExtensionName}' (not created by AzDockerVm)" : string.Empty)
                + (plan.EarlierExtensionName != null ? $"; replace AzDockerVm's extension '{plan.EarlierExtensionName}'" : string.Empty);
            if (!ShouldProcess(target, action))
            {
                return;
            }

            if (AsJob)
            {
                StartJob($"Set-AzDockerExtension {plan.VmName}", async (arm, ct) => ToOutput(await DockerExtensionService.ApplySetAsync(arm, plan, ct).ConfigureAwait(false)));
                return;
            }

            WriteObject(ToOutput(RunArm((arm, ct) => DockerExtensionService.ApplySetAsync(arm, plan, ct))));
        }

        private static object ToOutput((DockerExtensionInfo Status, DockerExtensionOperationInfo Operation) result)
        {
            return result.Operation != null ? (object)ModelConverter.ToModel(result.Operation) : ModelConverter.ToModel(result.Status, withInstanceView: false);
        }
    }
}

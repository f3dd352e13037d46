using System.Collections.Generic;
using System.Linq;
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

        /// <summary>How many VMs of the pipeline get the extension at once (each is one PUT with its polls, minutes in Azure).</summary>
        [Parameter]
        [ValidateRange(1, 100)]
        public int ThrottleLimit { get; set; } = HostFleet.DefaultThrottleLimit;

        // The pipeline's checked records (engine plans, held as object so loading this type loads no engine), set up together at the end.
        private readonly List<object> _vms = new List<object>();

        protected override void ProcessRecordCore() => Check();

        protected override string RecommendedActionFor(AzDockerVmException ex) => AdviceFor(ex, ParameterSetName, ResourceGroupName, VMName);

        private string AdviceFor(AzDockerVmException ex, string parameterSet, string resourceGroupName, string vmName)
            => ex.ErrorId == "ExtensionProvisioningFailed"
                ? "Check the message above, fix the setting and run Set-AzDockerExtension again (add -ForceRerun to rerun unchanged settings)."
                : VmTarget.RecommendedActionFor(ex, parameterSet, resourceGroupName, vmName) ?? base.RecommendedActionFor(ex);

        /// <summary>Checks the record's input (a refusal stops the pipeline before anything is written) and keeps it.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Check()
        {
            VmReference vm = VmTarget.Reference(ParameterSetName, ResourceGroupName, VMName, ResourceId);
            SetDockerExtensionRequest request = DockerHostRequestBuilder.Build(this, vm, DockerConfigDirectory());
            request.Force = Force;
            request.ForceRerun = ForceRerun;
            request.NoWait = NoWait;
            string parameterSet = ParameterSetName;
            _vms.Add(new Pending(vm, DockerHostPlanner.CheckInput(request), ex => AdviceFor(ex, parameterSet, vm.ResourceGroupName, vm.VmName)));
        }

        protected override void EndProcessingCore()
        {
            if (_vms.Count > 0)
            {
                Set();
            }
        }

        /// <summary>Every VM of the pipeline: read at once, asked about one by one, set up together (ThrottleLimit at a time).</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Set()
        {
            var vms = _vms.Cast<Pending>().ToList();
            RunEach(vms, ThrottleLimit, $"{vms.Count} VMs", (arm, vm, ct) => DockerHostPlanner.PrepareSetAsync(arm, vm.Checked, ct), (vm, outcome) =>
            {
                if (outcome.Failure != null)
                {
                    WriteHostFailure(outcome.Failure, vm.Vm.VmName, vm.Advice);
                }
                else
                {
                    vm.Plan = outcome.Result;
                }
            });
            WarnAboutCarrier();

            var approved = vms.Where(vm => vm.Plan != null && ShouldProcess($"VM '{vm.Plan.VmName}' in resource group '{vm.Plan.ResourceGroupName}'", Describe(vm.Plan))).ToList();
            if (approved.Count == 0)
            {
                return;
            }

            if (AsJob)
            {
                StartFleetJob(approved.Count == 1 ? $"Set-AzDockerExtension {approved[0].Plan.VmName}" : $"Set-AzDockerExtension ({approved.Count} VMs)", approved, vm => vm.Plan.VmName, ThrottleLimit,
                    (arm, vm, ct) => DockerExtensionService.ApplySetAsync(arm, vm.Plan, ct),
                    (vm, outcome) => outcome.Failure == null ? ToOutput(outcome.Result)
                        : outcome.Failure is AzDockerVmException ours ? ErrorRecords.From(ours, vm.Advice(ours)) : ErrorRecords.Unexpected(outcome.Failure, vm.Plan.VmName));
                return;
            }

            RunEach(approved, ThrottleLimit, $"{approved.Count} VMs", (arm, vm, ct) => DockerExtensionService.ApplySetAsync(arm, vm.Plan, ct), (vm, outcome) =>
            {
                if (outcome.Failure != null)
                {
                    WriteHostFailure(outcome.Failure, vm.Plan.VmName, vm.Advice);
                }
                else
                {
                    WriteObject(ToOutput(outcome.Result));
                }
            });
        }

        private string Describe(SetDockerExtensionPlan plan)
            => $"Install Docker with TLS on port {plan.Port} through {plan.HandlerName} {plan.TypeHandlerVersion} as extension '{ExtensionName}'"
               + (plan.CreatesCertificate ? $"; create a TLS set in '{plan.CertificateFolder}'" : string.Empty)
               + (plan.DockerContext != null ? $"; docker context '{plan.DockerContext}'" : string.Empty)
               + (plan.ForeignExtensionName != null ? $"; replace the CustomScript extension '{plan.ForeignExtensionName}' (not created by AzDockerVm)" : string.Empty)
               + (plan.EarlierExtensionName != null ? $"; replace AzDockerVm's extension '{plan.EarlierExtensionName}'" : string.Empty);

        private static object ToOutput((DockerExtensionInfo Status, DockerExtensionOperationInfo Operation) result)
        {
            return result.Operation != null ? (object)ModelConverter.ToModel(result.Operation) : ModelConverter.ToModel(result.Status, withInstanceView: false);
        }

        /// <summary>One VM of the pipeline: its checked input, the advice in the terms it was named in, and its plan once read.</summary>
        private sealed class Pending
        {
            private readonly System.Func<AzDockerVmException, string> _advice;

            internal Pending(VmReference vm, SetDockerExtensionPlan checkedInput, System.Func<AzDockerVmException, string> advice)
            {
                Vm = vm;
                Checked = checkedInput;
                _advice = advice;
            }

            internal VmReference Vm { get; }

            internal SetDockerExtensionPlan Checked { get; }

            internal SetDockerExtensionPlan Plan { get; set; }

            internal string Advice(AzDockerVmException ex) => _advice(ex);
        }
    }
}

using System.Management.Automation;
using System.Runtime.CompilerServices;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Azure;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// The VM an extension cmdlet acts on: -ResourceGroupName + -VMName (alias Name, so Get-AzVM output pipes in by
    /// property name) or -ResourceId (the Id of a VM).
    /// </summary>
    public abstract class AzureVmCmdlet : AzureCmdlet
    {
        protected const string ByNameSet = "ByName";
        protected const string ByResourceIdSet = "ByResourceId";

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ByNameSet)]
        [ValidateNotNullOrEmpty]
        public string ResourceGroupName { get; set; }

        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = ByNameSet)]
        [Alias("Name")]
        [ValidateNotNullOrEmpty]
        public string VMName { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ByResourceIdSet)]
        [ValidateNotNullOrEmpty]
        public string ResourceId { get; set; }

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal VmReference TargetVm()
            => ParameterSetName == ByResourceIdSet ? VmReference.FromResourceId(ResourceId) : new VmReference(ResourceGroupName, VMName);

        protected override string RecommendedActionFor(AzDockerVmException ex)
            => ex.ErrorId == "ArmTimeout" && ParameterSetName == ByNameSet
                ? $"Check whether it was applied with: Get-AzDockerExtension {ResourceGroupName} {VMName} -Status. Running the command again is safe: it converges."
                : ex.ErrorId == "ArmTimeout"
                    ? "Check whether it was applied with: Get-AzDockerExtension -ResourceId <id> -Status. Running the command again is safe: it converges."
                    : base.RecommendedActionFor(ex);

        /// <summary>True when -WhatIf is in force (so -Force never skips a WhatIf).</summary>
        protected bool WhatIfRequested()
            => (MyInvocation.BoundParameters.TryGetValue("WhatIf", out object whatIf) && ((SwitchParameter)whatIf).IsPresent)
               || LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
    }
}

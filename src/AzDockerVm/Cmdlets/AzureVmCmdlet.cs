using System.Management.Automation;
using System.Runtime.CompilerServices;
using AzDockerVm.Completion;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Azure;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// The VM an extension cmdlet acts on: -ResourceGroupName + -VMName (alias Name, so Get-AzVM output pipes in by
    /// property name) or -ResourceId (the Id of a VM). Get- and Remove-AzDockerExtension derive from it;
    /// Set-AzDockerExtension declares the same three parameters on top of the Docker-host base and shares the logic
    /// through <see cref="VmTarget"/>.
    /// </summary>
    public abstract class AzureVmCmdlet : AzureCmdlet
    {
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

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal VmReference TargetVm() => VmTarget.Reference(ParameterSetName, ResourceGroupName, VMName, ResourceId);

        protected override string RecommendedActionFor(AzDockerVmException ex)
            => VmTarget.RecommendedActionFor(ex, ParameterSetName, ResourceGroupName, VMName) ?? base.RecommendedActionFor(ex);
    }
}

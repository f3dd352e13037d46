using System.Runtime.CompilerServices;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Azure;

namespace AzDockerVm.Cmdlets
{
    /// <summary>The one reading of -ResourceGroupName/-VMName or -ResourceId, for every cmdlet that acts on an existing VM.</summary>
    internal static class VmTarget
    {
        internal const string ByNameSet = "ByName";
        internal const string ByResourceIdSet = "ByResourceId";

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static VmReference Reference(string parameterSet, string resourceGroupName, string vmName, string resourceId)
            => parameterSet == ByResourceIdSet ? VmReference.FromResourceId(resourceId) : new VmReference(resourceGroupName, vmName);

        /// <summary>A timed-out change names the command that shows whether it was applied; null for other failures.</summary>
        internal static string RecommendedActionFor(AzDockerVmException ex, string parameterSet, string resourceGroupName, string vmName)
        {
            if (ex.ErrorId != "ArmTimeout")
            {
                return null;
            }

            string check = parameterSet == ByNameSet ? $"Get-AzDockerExtension {resourceGroupName} {vmName} -Status" : "Get-AzDockerExtension -ResourceId <id> -Status";
            return $"Check whether it was applied with: {check}. Running the command again is safe: it converges.";
        }
    }
}

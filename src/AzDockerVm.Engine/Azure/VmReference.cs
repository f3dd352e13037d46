using System;
using System.Text.RegularExpressions;
using AzDockerVm.Engine.Text;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>Which VM a cmdlet acts on: resource group + name (subscription of the Az context), or a VM resource id.</summary>
    public sealed class VmReference
    {
        private static readonly Regex s_vmId = TextRules.Whole(
            "/subscriptions/(?<sub>[^/]+)/resourceGroups/(?<rg>[^/]+)/providers/Microsoft\\.Compute/virtualMachines/(?<name>[^/]+)/?",
            RegexOptions.IgnoreCase);

        /// <summary>Refuses names Azure would refuse (InvalidResourceGroupName, InvalidVmName), before any request.</summary>
        public VmReference(string resourceGroupName, string vmName, string subscriptionId = null)
        {
            AzureNames.RequireResourceGroupName(resourceGroupName);
            AzureNames.RequireVmName(vmName);
            ResourceGroupName = resourceGroupName;
            VmName = vmName;
            SubscriptionId = subscriptionId;
        }

        /// <summary>Null: the Az context's subscription.</summary>
        public string SubscriptionId { get; }

        public string ResourceGroupName { get; }

        public string VmName { get; }

        public static VmReference FromResourceId(string resourceId)
        {
            Match match = s_vmId.Match(resourceId?.Trim() ?? string.Empty);
            if (!match.Success)
            {
                throw new AzDockerVmException("InvalidResourceId", FailureKind.InvalidArgument, resourceId,
                    $"'{resourceId}' is not a VM resource id.",
                    "Use /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Compute/virtualMachines/<name> (the Id property of Get-AzVM).");
            }

            return new VmReference(match.Groups["rg"].Value, match.Groups["name"].Value, match.Groups["sub"].Value);
        }

        public override string ToString() => ResourceGroupName + "/" + VmName;
    }
}

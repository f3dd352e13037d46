using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Resources;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>Names for argument completion: resource groups, the VMs of a group, the locations that take VMs.</summary>
    public static class AzureListing
    {
        public static async Task<IReadOnlyList<string>> ResourceGroupNamesAsync(ArmConnection arm, CancellationToken ct)
        {
            var names = new List<string>();
            await foreach (ResourceGroupResource group in Subscription(arm).GetResourceGroups().GetAllAsync(cancellationToken: ct).ConfigureAwait(false))
            {
                names.Add(group.Data.Name);
            }

            return Sorted(names);
        }

        public static async Task<IReadOnlyList<string>> VmNamesAsync(ArmConnection arm, string resourceGroupName, CancellationToken ct)
        {
            var group = arm.Client.GetResourceGroupResource(ResourceGroupResource.CreateResourceIdentifier(arm.Target.SubscriptionId, resourceGroupName));
            var names = new List<string>();
            await foreach (VirtualMachineResource vm in group.GetVirtualMachines().GetAllAsync(cancellationToken: ct).ConfigureAwait(false))
            {
                names.Add(vm.Data.Name);
            }

            return Sorted(names);
        }

        /// <summary>The locations where Microsoft.Compute offers virtual machines, as ARM names them (westeurope).</summary>
        public static async Task<IReadOnlyList<string>> VmLocationsAsync(ArmConnection arm, CancellationToken ct)
        {
            ResourceProviderResource compute = (await Subscription(arm).GetResourceProviderAsync("Microsoft.Compute", cancellationToken: ct).ConfigureAwait(false)).Value;
            IEnumerable<string> locations = compute.Data.ResourceTypes
                .Where(t => string.Equals(t.ResourceType, "virtualMachines", StringComparison.OrdinalIgnoreCase))
                .SelectMany(t => t.Locations)
                .Select(l => new string(l.Where(c => !char.IsWhiteSpace(c)).ToArray()).ToLowerInvariant());
            return Sorted(locations);
        }

        private static SubscriptionResource Subscription(ArmConnection arm)
            => arm.Client.GetSubscriptionResource(SubscriptionResource.CreateResourceIdentifier(arm.Target.SubscriptionId));

        private static IReadOnlyList<string> Sorted(IEnumerable<string> names)
            => names.Where(n => !string.IsNullOrEmpty(n)).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToList();
    }
}

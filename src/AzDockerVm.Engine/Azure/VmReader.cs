using System;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Azure;
using Azure.Core;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Compute.Models;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>Reads a VM, its extensions and its addresses (NIC private IPs, public IPs and FQDNs).</summary>
    public static class VmReader
    {
        public static async Task<VmFacts> ReadAsync(ArmConnection arm, VmReference reference, bool readAddresses, CancellationToken ct)
        {
            string resourceGroupName = reference.ResourceGroupName, vmName = reference.VmName;
            var id = VirtualMachineResource.CreateResourceIdentifier(reference.SubscriptionId ?? arm.Target.SubscriptionId, resourceGroupName, vmName);
            VirtualMachineResource vm;
            try
            {
                vm = (await arm.Client.GetVirtualMachineResource(id).GetAsync(InstanceViewType.InstanceView, ct).ConfigureAwait(false)).Value;
            }
            catch (RequestFailedException ex)
            {
                throw ex.Status == 404 && !string.Equals(ex.ErrorCode, "ResourceGroupNotFound", StringComparison.OrdinalIgnoreCase)
                    ? new AzDockerVmException("VmNotFound", FailureKind.ObjectNotFound, vmName,
                        $"VM '{vmName}' was not found in resource group '{resourceGroupName}'.", "Check the names with Get-AzVM.", ex)
                    : ArmFailure.From(ex, vmName, "VmNotFound");
            }

            var data = vm.Data;
            var facts = new VmFacts
            {
                Id = data.Id.ToString(),
                ResourceGroupName = data.Id.ResourceGroupName,
                Name = data.Name,
                Location = data.Location.Name,
                OsType = data.StorageProfile?.OSDisk?.OSType?.ToString(),
                AdminUsername = data.OSProfile?.AdminUsername,
            };
            if (facts.OsType == null && data.OSProfile != null)
            {
                facts.OsType = data.OSProfile.LinuxConfiguration != null ? "Linux" : data.OSProfile.WindowsConfiguration != null ? "Windows" : null;
            }

            var power = data.InstanceView?.Statuses?.FirstOrDefault(s => s.Code != null && s.Code.StartsWith("PowerState/", StringComparison.OrdinalIgnoreCase));
            facts.PowerState = power?.Code.Substring("PowerState/".Length);

            try
            {
                await foreach (var extension in vm.GetVirtualMachineExtensions().GetAllAsync(cancellationToken: ct).ConfigureAwait(false))
                {
                    facts.Extensions.Add(ExtensionReader.ToFacts(extension.Data));
                }
            }
            catch (RequestFailedException ex)
            {
                throw ArmFailure.From(ex, vmName, "VmNotFound");
            }

            facts.NetworkInterfaceIds.AddRange((data.NetworkProfile?.NetworkInterfaces ?? Enumerable.Empty<VirtualMachineNetworkInterfaceReference>())
                .Where(nic => nic.Id != null).Select(nic => nic.Id.ToString()));
            if (readAddresses)
            {
                await ReadAddressesAsync(arm, facts, ct).ConfigureAwait(false);
            }

            return facts;
        }

        /// <summary>The private IPs, public IPs and FQDNs behind the VM's network interfaces (one GET per NIC and public IP).</summary>
        public static async Task ReadAddressesAsync(ArmConnection arm, VmFacts facts, CancellationToken ct)
        {
            foreach (string nicId in facts.NetworkInterfaceIds)
            {
                await ReadNicAsync(arm, new ResourceIdentifier(nicId), facts, ct).ConfigureAwait(false);
            }
        }

        private static async Task ReadNicAsync(ArmConnection arm, ResourceIdentifier nicId, VmFacts facts, CancellationToken ct)
        {
            using var nic = await GetPropertiesAsync(arm, nicId, ct).ConfigureAwait(false);
            if (nic.RootElement.TryGetProperty("networkSecurityGroup", out var nsg) && nsg.TryGetProperty("id", out var nsgId) && nsgId.ValueKind == JsonValueKind.String)
            {
                facts.NetworkSecurityGroupIds.Add(nsgId.GetString());
            }

            if (!nic.RootElement.TryGetProperty("ipConfigurations", out var configurations) || configurations.ValueKind != JsonValueKind.Array)
            {
                return;
            }

            foreach (var configuration in configurations.EnumerateArray())
            {
                if (!configuration.TryGetProperty("properties", out var properties))
                {
                    continue;
                }

                if (properties.TryGetProperty("subnet", out var subnet) && subnet.TryGetProperty("id", out var subnetId) && subnetId.ValueKind == JsonValueKind.String)
                {
                    facts.SubnetIds.Add(subnetId.GetString());
                }

                if (properties.TryGetProperty("privateIPAddress", out var privateIp) && privateIp.ValueKind == JsonValueKind.String)
                {
                    facts.PrivateIPAddresses.Add(privateIp.GetString());
                }

                if (properties.TryGetProperty("publicIPAddress", out var publicRef) && publicRef.TryGetProperty("id", out var publicId))
                {
                    using var publicIp = await GetPropertiesAsync(arm, new ResourceIdentifier(publicId.GetString()), ct).ConfigureAwait(false);
                    if (publicIp.RootElement.TryGetProperty("ipAddress", out var address) && address.ValueKind == JsonValueKind.String)
                    {
                        facts.PublicIPAddresses.Add(address.GetString());
                    }

                    if (publicIp.RootElement.TryGetProperty("dnsSettings", out var dns) && dns.TryGetProperty("fqdn", out var fqdn) && fqdn.ValueKind == JsonValueKind.String)
                    {
                        facts.Fqdns.Add(fqdn.GetString());
                    }
                }
            }
        }

        /// <summary>A network resource's "properties" (no typed Network client here: generic resources at a pinned api-version).</summary>
        private static async Task<JsonDocument> GetPropertiesAsync(ArmConnection arm, ResourceIdentifier id, CancellationToken ct)
        {
            try
            {
                var resource = await arm.Client.GetGenericResource(id).GetAsync(ct).ConfigureAwait(false);
                var properties = resource.Value.Data.Properties;
                return properties == null ? JsonDocument.Parse("{}") : JsonDocument.Parse(properties.ToMemory());
            }
            catch (RequestFailedException ex)
            {
                throw ArmFailure.From(ex, id.ToString());
            }
        }
    }
}

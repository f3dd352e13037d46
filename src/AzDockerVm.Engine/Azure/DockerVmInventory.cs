using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Engine.Azure.Resources;
using AzDockerVm.Engine.Deployment;
using AzDockerVm.Engine.Docker;
using AzDockerVm.Engine.Tls;
using Azure;
using Azure.Core;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Resources;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>
    /// The Docker hosts that exist (Get-AzDockerVm) and their removal (Remove-AzDockerVm): a Docker host is a VM
    /// tagged by New-AzDockerVm, or one carrying our extension (Set-AzDockerExtension). Its parts are found from the
    /// VM itself (its NIC, public IP, subnet, NSG, the host's rules) or, when the VM is gone (a half-made host), under
    /// the names New-AzDockerVm gives them; a part goes only when AzDockerVm made it for this host.
    /// </summary>
    public static class DockerVmInventory
    {
        /// <summary>The Docker hosts of a group (or of the subscription, <paramref name="resourceGroupName"/> null) whose names match the wildcard.</summary>
        public static Task<IReadOnlyList<DockerVmInfo>> ListAsync(ArmConnection arm, string resourceGroupName, string namePattern, string dockerConfig, CancellationToken ct)
            => ArmGuard.Run(resourceGroupName ?? arm.Target.SubscriptionId, () => ListCoreAsync(arm, resourceGroupName, namePattern, dockerConfig, ct));

        private static async Task<IReadOnlyList<DockerVmInfo>> ListCoreAsync(ArmConnection arm, string resourceGroupName, string namePattern, string dockerConfig, CancellationToken ct)
        {
            var vms = await ListVmsAsync(arm, resourceGroupName, namePattern, ct).ConfigureAwait(false);
            var hosts = await Task.WhenAll(vms.Select(vm => ReadHostAsync(arm, vm, dockerConfig, ct))).ConfigureAwait(false);
            return (IReadOnlyList<DockerVmInfo>)hosts.Where(h => h != null).OrderBy(h => h.ResourceGroupName, StringComparer.OrdinalIgnoreCase).ThenBy(h => h.Name, StringComparer.OrdinalIgnoreCase).ToList();
        }

        /// <summary>The VMs of a group (or the subscription) whose names match PowerShell's wildcards (* and ?, case-insensitive).</summary>
        private static async Task<List<VirtualMachineData>> ListVmsAsync(ArmConnection arm, string resourceGroupName, string namePattern, CancellationToken ct)
        {
            var pattern = new Regex("^" + Regex.Escape(namePattern ?? "*").Replace("\\*", ".*").Replace("\\?", ".") + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
            var vms = new List<VirtualMachineData>();
            var pages = resourceGroupName == null
                ? arm.Client.GetSubscriptionResource(SubscriptionResource.CreateResourceIdentifier(arm.Target.SubscriptionId)).GetVirtualMachinesAsync(cancellationToken: ct)
                : arm.Client.GetResourceGroupResource(ResourceGroupResource.CreateResourceIdentifier(arm.Target.SubscriptionId, resourceGroupName)).GetVirtualMachines().GetAllAsync(cancellationToken: ct);
            try
            {
                await foreach (VirtualMachineResource vm in pages.ConfigureAwait(false))
                {
                    if (pattern.IsMatch(vm.Data.Name))
                    {
                        vms.Add(vm.Data);
                    }
                }
            }
            catch (RequestFailedException ex)
            {
                throw ArmFailure.From(ex, resourceGroupName ?? arm.Target.SubscriptionId, "ResourceGroupNotFound");
            }

            return vms;
        }

        /// <summary>Whether a VM is a Docker host (tagged by New-AzDockerVm, or carrying our extension), and our extension if any.</summary>
        private static async Task<(bool IsHost, ExtensionFacts Ours)> OwnershipAsync(ArmConnection arm, VirtualMachineData data, CancellationToken ct)
        {
            var extensions = new List<ExtensionFacts>();
            await foreach (var found in arm.Client.GetVirtualMachineResource(data.Id).GetVirtualMachineExtensions().GetAllAsync(cancellationToken: ct).ConfigureAwait(false))
            {
                extensions.Add(ExtensionReader.ToFacts(found.Data));
            }

            ExtensionFacts ours = extensions.FirstOrDefault(DockerExtensionService.IsOurs);
            return (data.Tags.ContainsKey(DockerHostResources.HostTag) || ours != null, ours);
        }

        /// <summary>One VM as a Docker host, or null when it is not one (no tag of ours, no extension of ours).</summary>
        private static async Task<DockerVmInfo> ReadHostAsync(ArmConnection arm, VirtualMachineData data, string dockerConfig, CancellationToken ct)
        {
            var (isHost, ours) = await OwnershipAsync(arm, data, ct).ConfigureAwait(false);
            if (!isHost)
            {
                return null;
            }

            var resource = arm.Client.GetVirtualMachineResource(data.Id);
            var vm = new VmFacts
            {
                Id = data.Id.ToString(),
                Name = data.Name,
                ResourceGroupName = data.Id.ResourceGroupName,
                Location = data.Location.Name,
                AdminUsername = data.OSProfile?.AdminUsername,
            };
            if (data.NetworkProfile?.NetworkInterfaces != null)
            {
                vm.NetworkInterfaceIds.AddRange(data.NetworkProfile.NetworkInterfaces.Where(n => n.Id != null).Select(n => n.Id.ToString()));
            }

            await VmReader.ReadAddressesAsync(arm, vm, ct).ConfigureAwait(false);
            DockerExtensionInfo extension = ours == null ? null : await DockerExtensionService.ReadOursAsync(arm, resource, vm, ours.Name, ct).ConfigureAwait(false);
            int port = extension?.DockerPort ?? DockerEndpoint.DefaultTlsPort;
            string host = vm.Fqdns.FirstOrDefault() ?? vm.PublicIPAddresses.FirstOrDefault() ?? vm.PrivateIPAddresses.FirstOrDefault();
            var (nicGroups, subnetGroups) = await SecurityGroupsAsync(arm, vm, ct).ConfigureAwait(false);
            string folder = VmCertificate.DefaultFolder(dockerConfig, vm);
            string sshKey = Path.Combine(DockerTlsMaterial.SshKeyFolder(dockerConfig, vm.ResourceGroupName, vm.Name), SshKeyNode.PrivateKeyFileName);
            return new DockerVmInfo
            {
                Name = vm.Name,
                ResourceGroupName = vm.ResourceGroupName,
                Location = vm.Location,
                Id = vm.Id,
                Fqdn = vm.Fqdns.FirstOrDefault(),
                PublicIpAddress = vm.PublicIPAddresses.FirstOrDefault(),
                PrivateIpAddress = vm.PrivateIPAddresses.FirstOrDefault(),
                DockerPort = port,
                DockerHost = host == null ? null : DockerEndpoint.Format(host, port),
                AllowedSourceAddress = AllowedSources(nicGroups, vm, port),
                DockerPortOpenTo = DockerPortExposure.OpenTo(nicGroups.Concat(subnetGroups).Select(g => g.Properties).ToList(), port, vm),
                CertificatePath = Directory.Exists(folder) ? folder : null,
                FirstToExpire = CertificateInspector.FirstToExpire(folder, DateTime.UtcNow),
                DockerContext = DockerContextStore.Exists(dockerConfig, vm.Name) ? vm.Name : null,
                SshPrivateKeyPath = File.Exists(sshKey) ? sshKey : null,
                ProvisioningState = extension?.ProvisioningState ?? "NotInstalled",
                VmProvisioningState = data.ProvisioningState,
                DockerVersion = extension?.DockerVersion,
                Tags = data.Tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.OrdinalIgnoreCase),
            };
        }

        /// <summary>
        /// The NSGs on the host's NICs (found with the addresses: no NIC is read twice) and those on their subnets that
        /// are not already among them (one read per subnet). Each NSG once; one that is gone is left out.
        /// </summary>
        private static async Task<(List<ArmResourceState> Nic, List<ArmResourceState> Subnet)> SecurityGroupsAsync(ArmConnection arm, VmFacts vm, CancellationToken ct)
        {
            var nicIds = vm.NetworkSecurityGroupIds.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var subnetNsgIds = new List<string>();
            foreach (string subnetId in vm.SubnetIds.Distinct(StringComparer.OrdinalIgnoreCase))
            {
                var subnet = await ReadAsync(arm, subnetId, ct).ConfigureAwait(false);
                if ((string)subnet?.Properties["networkSecurityGroup"]?["id"] is string nsgId
                    && !nicIds.Concat(subnetNsgIds).Contains(nsgId, StringComparer.OrdinalIgnoreCase))
                {
                    subnetNsgIds.Add(nsgId);
                }
            }

            async Task<List<ArmResourceState>> ReadAll(IEnumerable<string> ids)
                => (await Task.WhenAll(ids.Select(id => ReadAsync(arm, id, ct))).ConfigureAwait(false)).Where(n => n != null).ToList();

            return (await ReadAll(nicIds).ConfigureAwait(false), await ReadAll(subnetNsgIds).ConfigureAwait(false));
        }

        /// <summary>The sources our rule for the host's Docker port allows (empty: the Internet, or no rule of ours).</summary>
        private static List<string> AllowedSources(IEnumerable<ArmResourceState> nicGroups, VmFacts vm, int port)
        {
            string ruleName = DockerHostResources.RuleName(vm.Name, "Docker-" + port.ToString(CultureInfo.InvariantCulture));
            foreach (ArmResourceState nsg in nicGroups)
            {
                var rule = ((nsg.Properties["securityRules"] as JsonArray) ?? new JsonArray()).OfType<JsonObject>()
                    .FirstOrDefault(r => string.Equals((string)r["name"], ruleName, StringComparison.OrdinalIgnoreCase))?["properties"];
                if (rule != null)
                {
                    var prefixes = ((rule["sourceAddressPrefixes"] as JsonArray) ?? new JsonArray()).Select(p => (string)p).ToList();
                    return prefixes.Count > 0 || (string)rule["sourceAddressPrefix"] is null or "Internet" or "*" ? prefixes : new List<string> { (string)rule["sourceAddressPrefix"] };
                }
            }

            return new List<string>();
        }

        /// <summary>What removing a host would delete: its graph, found from what exists. Writes nothing.</summary>
        public static Task<DockerVmRemoval> PlanRemovalAsync(ArmConnection arm, string resourceGroupName, string name, string dockerConfig, bool removeLocal, CancellationToken ct)
            => ArmGuard.Run((object)name, () => PlanRemovalCoreAsync(arm, resourceGroupName, name, dockerConfig, removeLocal, ct));

        private static async Task<DockerVmRemoval> PlanRemovalCoreAsync(ArmConnection arm, string resourceGroupName, string name, string dockerConfig, bool removeLocal, CancellationToken ct)
        {
            string subscription = arm.Target.SubscriptionId;
            var spec = new DockerHostSpec
            {
                ResourceGroupName = resourceGroupName,
                VmName = name,
                VirtualNetworkName = DockerVmInput.DefaultVirtualNetworkName,
                SubnetName = DockerVmInput.DefaultSubnetName,
                SecurityGroupName = DockerVmInput.DefaultSecurityGroupName,
                PublicIpAddressName = name + "-ip",
                NetworkInterfaceName = name + "-nic",
                DockerPort = DockerEndpoint.DefaultTlsPort,
            };

            ArmResourceState vm = await ReadAsync(arm, $"/subscriptions/{subscription}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/virtualMachines/{name}", ct).ConfigureAwait(false);
            string nicId = (string)vm?.Properties["networkProfile"]?["networkInterfaces"]?[0]?["id"];
            ArmResourceState nic = await ReadAsync(arm, nicId ?? $"/subscriptions/{subscription}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/networkInterfaces/{spec.NetworkInterfaceName}", ct).ConfigureAwait(false);
            if (nic != null)
            {
                // The host's real parts, whatever they were named.
                spec.NetworkInterfaceName = new ResourceIdentifier(nic.Id).Name;
                JsonNode ip = nic.Properties["ipConfigurations"]?[0]?["properties"];
                if ((string)ip?["publicIPAddress"]?["id"] is string pipId)
                {
                    spec.PublicIpAddressName = new ResourceIdentifier(pipId).Name;
                }

                if ((string)ip?["subnet"]?["id"] is string subnetId)
                {
                    var subnet = new ResourceIdentifier(subnetId);
                    spec.SubnetName = subnet.Name;
                    spec.VirtualNetworkName = subnet.Parent.Name;
                }

                if ((string)nic.Properties["networkSecurityGroup"]?["id"] is string nsgId)
                {
                    spec.SecurityGroupName = new ResourceIdentifier(nsgId).Name;
                }
            }

            // The host's rules, by their names in its NSG.
            ArmResourceState nsg = await ReadAsync(arm, $"/subscriptions/{subscription}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/networkSecurityGroups/{spec.SecurityGroupName}", ct).ConfigureAwait(false);
            string prefix = DockerHostResources.RuleName(name, string.Empty);
            foreach (string rule in ((nsg?.Properties["securityRules"] as JsonArray) ?? new JsonArray()).OfType<JsonObject>().Select(r => (string)r["name"])
                         .Where(r => r != null && r.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).Select(r => r.Substring(prefix.Length)))
            {
                if (rule.Equals("SSH", StringComparison.OrdinalIgnoreCase))
                {
                    spec.OpenSsh = true;
                }
                else if (rule.StartsWith("Docker-", StringComparison.OrdinalIgnoreCase) && int.TryParse(rule.Substring(7), out int docker))
                {
                    spec.DockerPort = docker;
                }
                else if (rule.StartsWith("Port-", StringComparison.OrdinalIgnoreCase) && int.TryParse(rule.Substring(5), out int port))
                {
                    spec.OpenPorts.Add(port);
                }
            }

            var host = DockerHostResources.Build(arm, spec);
            var removal = new DockerVmRemoval
            {
                ResourceGroupName = resourceGroupName,
                Name = name,
                Host = host,
                Found = vm != null || nic != null,
                VmIsOurs = vm == null || vm.Tags.ContainsKey(DockerHostResources.HostTag),
            };
            if (removeLocal)
            {
                var facts = new VmFacts { Name = name };
                var pip = await ReadAsync(arm, host.PublicIpAddress.Id.ToString(), ct).ConfigureAwait(false);
                if ((string)pip?.Properties["dnsSettings"]?["fqdn"] is string fqdn)
                {
                    facts.Fqdns.Add(fqdn);
                }

                removal.LocalFolders.Add(VmCertificate.DefaultFolder(dockerConfig, facts));
                removal.LocalFolders.Add(DockerTlsMaterial.SshKeyFolder(dockerConfig, resourceGroupName, name));
                removal.DockerConfig = dockerConfig;
                removal.DockerContext = DockerContextStore.Exists(dockerConfig, name) ? name : null;
                removal.AuthorityFolder = DockerTlsMaterial.AuthorityFolder(dockerConfig, subscription, resourceGroupName);
            }

            return removal;
        }

        /// <summary>
        /// Removes hosts (dependents first), and, if asked, their local files: every host's own resources at once (at most <paramref name="throttleLimit"/>
        /// hosts under way), the network and NSG they share kept meanwhile; then, once, the shared resources nothing
        /// uses any more, and the group's CA when no Docker host of the group is left. Two hosts deciding at the same
        /// moment that the shared network is free would both delete it; one decision after all of them cannot race.
        /// <paramref name="done"/> gets each host's outcome as soon as its own resources are gone (or it failed); the next
        /// host starts once its task has ended.
        /// </summary>
        public static async Task RemoveFleetAsync(ArmConnection arm, IReadOnlyList<DockerVmRemoval> removals, int throttleLimit,
            Func<HostOutcome<DeploymentResult>, Task> done, CancellationToken ct)
        {
            IReadOnlyList<HostOutcome<DeploymentResult>> outcomes = await HostFleet.RunAsync(removals, throttleLimit,
                (removal, c) => RemoveHostAsync(arm, removal, deferShared: true, c), done, ct).ConfigureAwait(false);
            var removed = removals.Where((_, i) => outcomes[i].Failure == null).ToList();

            // One pass per distinct shared network and NSG (hosts of a group normally share one).
            foreach (DockerVmRemoval first in removed.GroupBy(r => SharedKey(r.Host), StringComparer.OrdinalIgnoreCase).Select(g => g.First()))
            {
                await ArmGuard.Run((object)first.ResourceGroupName, async () =>
                {
                    DeploymentResult shared = await ResourceGraph.RemoveAsync(SharedNodes(first.Host), new RemovalObserver(arm.Host, first.ResourceGroupName), ct).ConfigureAwait(false);
                    if (shared.Failures.Count > 0)
                    {
                        throw Failure($"the shared network of resource group '{first.ResourceGroupName}'", shared);
                    }

                    return shared;
                }).ConfigureAwait(false);
            }

            foreach (var group in removed.GroupBy(r => r.ResourceGroupName, StringComparer.OrdinalIgnoreCase))
            {
                var gone = group.Select(r => r.Name).ToList();
                await RemoveAuthorityWhenLastAsync(arm, group.First(), gone, ct).ConfigureAwait(false);
            }
        }

        private static string SharedKey(DockerHostResources host) => host.Subnet.Id + "|" + host.SecurityGroup.Id;

        private static ResourceNode[] SharedNodes(DockerHostResources host) => new ResourceNode[] { host.Subnet, host.VirtualNetwork, host.SecurityGroup };

        private static Task<DeploymentResult> RemoveHostAsync(ArmConnection arm, DockerVmRemoval removal, bool deferShared, CancellationToken ct)
            => ArmGuard.Run((object)removal.Name, async () =>
            {
                ISet<ResourceNode> keep = deferShared ? new HashSet<ResourceNode>(SharedNodes(removal.Host)) : null;
                DeploymentResult result = await ResourceGraph.RemoveAsync(removal.Host.Roots, new RemovalObserver(arm.Host, removal.Name), keep, ct).ConfigureAwait(false);
                if (result.Failures.Count > 0)
                {
                    throw Failure($"Docker host '{removal.Name}'", result);
                }

                if (removal.DockerConfig != null)
                {
                    foreach (string folder in removal.LocalFolders.Where(Directory.Exists))
                    {
                        arm.Host.WriteVerbose($"Deleting '{folder}'.");
                        Directory.Delete(folder, recursive: true);
                    }

                    if (removal.DockerContext != null)
                    {
                        DockerContextStore.Remove(removal.DockerConfig, removal.DockerContext);
                    }
                }

                return result;
            });

        /// <summary>The first failed resource's reason, with what was deleted, and the way on.</summary>
        private static AzDockerVmException Failure(string what, DeploymentResult result)
        {
            var (node, error) = result.Failures.Select(f => (f.Key, f.Value)).First();
            AzDockerVmException reason = error is RequestFailedException failed ? ArmFailure.From(failed, node.Name) : error as AzDockerVmException
                ?? new AzDockerVmException("DeploymentFailed", FailureKind.InvalidResult, node.Name, error.Message, null, error);
            string deleted = string.Join(", ", result.With(NodeOutcome.Deleted).Select(DockerVmPlan.Describe));
            return new AzDockerVmException(reason.ErrorId, reason.Kind, reason.Target,
                $"Removing {what} failed at the {DockerVmPlan.Describe(node)}: {reason.Message.TrimEnd()}" + (deleted.Length > 0 ? $" Deleted: {deleted}." : " Nothing was deleted."),
                "Run the same command again: it deletes what is left.", error);
        }

        /// <summary>
        /// The group's CA goes with its last Docker host: once the pipeline's hosts (<paramref name="gone"/>) are
        /// removed, the group's VMs are listed once and the CA stays if any of them is still a Docker host (whoever
        /// made it). Only whether they are hosts is read, no addresses or reports.
        /// </summary>
        private static async Task RemoveAuthorityWhenLastAsync(ArmConnection arm, DockerVmRemoval removal, IReadOnlyCollection<string> gone, CancellationToken ct)
        {
            if (removal.DockerConfig == null || !Directory.Exists(removal.AuthorityFolder))
            {
                return;
            }

            var others = (await ListVmsAsync(arm, removal.ResourceGroupName, "*", ct).ConfigureAwait(false))
                .Where(vm => !gone.Contains(vm.Name, StringComparer.OrdinalIgnoreCase)).ToList();
            var ownership = await Task.WhenAll(others.Select(vm => OwnershipAsync(arm, vm, ct))).ConfigureAwait(false);
            if (ownership.Any(o => o.IsHost))
            {
                arm.Host.WriteVerbose($"Keeping the resource group's CA '{removal.AuthorityFolder}': {string.Join(", ", others.Where((_, i) => ownership[i].IsHost).Select(vm => $"'{vm.Name}'"))} still use it.");
                return;
            }

            arm.Host.WriteVerbose($"Deleting the resource group's CA '{removal.AuthorityFolder}' (no other Docker host of the group is left).");
            Directory.Delete(removal.AuthorityFolder, recursive: true);
        }

        internal static async Task<ArmResourceState> ReadAsync(ArmConnection arm, string id, CancellationToken ct)
        {
            try
            {
                Response<GenericResource> response = await arm.Client.GetGenericResource(new ResourceIdentifier(id)).GetAsync(ct).ConfigureAwait(false);
                return ArmResourceNode.ToState(response.Value.Data);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return null;
            }
        }

        private sealed class RemovalObserver : IDeploymentObserver
        {
            private readonly IEngineHost _host;
            private readonly string _activity;

            internal RemovalObserver(IEngineHost host, string activity)
            {
                _host = host;
                _activity = activity;
            }

            public void Starting(ResourceNode node, string change)
            {
                _host.WriteVerbose($"{change} {DockerVmPlan.Describe(node)}.");
                _host.WriteProgress(_activity, $"{change} {DockerVmPlan.Describe(node)}", -1);
            }

            public void Finished(ResourceNode node, NodeOutcome outcome) => _host.WriteVerbose($"{DockerVmPlan.Describe(node)}: {outcome.ToString().ToLowerInvariant()}.");
        }
    }

    /// <summary>A host's removal as planned: its graph (found from what exists) and the local files to delete with it.</summary>
    public sealed class DockerVmRemoval
    {
        public string ResourceGroupName { get; internal set; }

        public string Name { get; internal set; }

        internal DockerHostResources Host { get; set; }

        /// <summary>False when neither the VM nor its NIC exists.</summary>
        public bool Found { get; internal set; }

        /// <summary>False for a VM AzDockerVm did not create (Set-AzDockerExtension's): it and its parts are kept.</summary>
        public bool VmIsOurs { get; internal set; }

        internal List<string> LocalFolders { get; } = new List<string>();

        internal string DockerConfig { get; set; }

        internal string DockerContext { get; set; }

        internal string AuthorityFolder { get; set; }
    }
}

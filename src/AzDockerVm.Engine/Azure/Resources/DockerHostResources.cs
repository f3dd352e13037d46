using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Engine.Deployment;
using Azure;
using Azure.Core;
using Azure.ResourceManager.Resources;

namespace AzDockerVm.Engine.Azure.Resources
{
    /// <summary>What a new Docker host is made of, with every name already decided.</summary>
    public sealed class DockerHostSpec
    {
        public string ResourceGroupName { get; set; }

        public string Location { get; set; }

        public string VmName { get; set; }

        public string VmSize { get; set; }

        /// <summary>publisher, offer, sku, version.</summary>
        public (string Publisher, string Offer, string Sku, string Version) Image { get; set; }

        public string AdminUserName { get; set; }

        public string SshPublicKey { get; set; }

        /// <summary>The admin's password, or null (SSH key only). A secret: never logged, never shown.</summary>
        public string AdminPassword { get; set; }

        /// <summary>The availability zone (1-3), or null.</summary>
        public string Zone { get; set; }

        public string VirtualNetworkName { get; set; }

        public string AddressPrefix { get; set; }

        public string SubnetName { get; set; }

        public string SubnetAddressPrefix { get; set; }

        public string SecurityGroupName { get; set; }

        /// <summary>Null: a private host (no public IP).</summary>
        public string PublicIpAddressName { get; set; }

        public string DomainNameLabel { get; set; }

        public string NetworkInterfaceName { get; set; }

        public string OsDiskName { get; set; }

        public int DockerPort { get; set; }

        /// <summary>CIDRs or addresses the Docker port (and SSH, other ports) is open to; empty: the Internet.</summary>
        public IList<string> AllowedSourceAddresses { get; set; } = new List<string>();

        public bool OpenSsh { get; set; }

        public IList<int> OpenPorts { get; set; } = new List<int>();

        public IDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();

        public string ModuleVersion { get; set; }
    }

    /// <summary>
    /// The graph of one Docker host: the resource group; the group's shared virtual network (with its subnet) and
    /// network security group (with the rules the host needs, each a child resource so none is lost to another
    /// writer); the host's public IP, NIC and VM. Hosts of one group built from the same shared nodes share them.
    /// </summary>
    public sealed class DockerHostResources
    {
        public const string OwnerTag = "AzDockerVm";
        public const string HostTag = "AzDockerVmHost";
        private const int FirstPriority = 1000;

        private DockerHostResources()
        {
        }

        public ResourceNode ResourceGroup { get; private set; }

        public ArmResourceNode VirtualNetwork { get; private set; }

        public ArmResourceNode Subnet { get; private set; }

        public ArmResourceNode SecurityGroup { get; private set; }

        public IReadOnlyList<ArmResourceNode> SecurityRules { get; private set; }

        public ArmResourceNode PublicIpAddress { get; private set; }

        public ArmResourceNode NetworkInterface { get; private set; }

        public ArmResourceNode VirtualMachine { get; private set; }

        /// <summary>The nodes a walk starts from (everything else is reached through them): the VM and the host's rules.</summary>
        public IReadOnlyList<ResourceNode> Roots => Parts;

        private IReadOnlyList<ResourceNode> Parts { get; set; }

        /// <summary>The graph for <paramref name="spec"/>; <paramref name="shared"/> (another host's graph of the same group) lends its shared nodes.</summary>
        /// <summary>The graph for <paramref name="spec"/>; <paramref name="sshKey"/>, when given, is the node whose state is the admin's public key (made before the VM).</summary>
        public static DockerHostResources Build(ArmConnection arm, DockerHostSpec spec, DockerHostResources shared = null, ResourceNode<SshKeyState> sshKey = null,
            ResourceNode sharedGroup = null)
        {
            string subscription = arm.Target.SubscriptionId;
            string group = spec.ResourceGroupName;
            var host = new DockerHostResources();
            host.ResourceGroup = shared?.ResourceGroup ?? sharedGroup ?? new ResourceGroupNode(arm, group, () => spec.Location, Tags(spec, null));
            host.VirtualNetwork = shared?.VirtualNetwork ?? new ArmResourceNode(arm, "virtual network", NetworkId(subscription, group, "virtualNetworks", spec.VirtualNetworkName),
                _ => new ArmResourceModel
                {
                    Location = spec.Location,
                    Properties = new JsonObject
                    {
                        ["addressSpace"] = new JsonObject { ["addressPrefixes"] = new JsonArray(spec.AddressPrefix) },
                        // From nothing, one PUT carries the subnet too; the subnet node then finds it there.
                        ["subnets"] = new JsonArray(SubnetJson(spec)),
                    },
                }.WithTags(Tags(spec, null)),
                MayRemoveShared, host.ResourceGroup).In(host.ResourceGroup);
            host.Subnet = shared?.Subnet ?? new ArmResourceNode(arm, "subnet", new ResourceIdentifier(NetworkId(subscription, group, "virtualNetworks", spec.VirtualNetworkName) + "/subnets/" + spec.SubnetName),
                _ => new ArmResourceModel { Properties = (JsonObject)SubnetJson(spec)["properties"].DeepClone() },
                s => !((s.Properties["ipConfigurations"] as JsonArray)?.Count > 0), host.VirtualNetwork)
                .ChildOf(host.VirtualNetwork, vnet => Child(vnet, "subnets", spec.SubnetName));
            host.SecurityGroup = shared?.SecurityGroup ?? new ArmResourceNode(arm, "network security group", NetworkId(subscription, group, "networkSecurityGroups", spec.SecurityGroupName),
                _ => new ArmResourceModel
                {
                    Location = spec.Location,
                    Properties = new JsonObject { ["securityRules"] = new JsonArray() },
                }.WithTags(Tags(spec, null)),
                MayRemoveShared, host.ResourceGroup).In(host.ResourceGroup);
            var nsg = host.SecurityGroup;
            if (spec.PublicIpAddressName != null)
            {
                host.PublicIpAddress = new ArmResourceNode(arm, "public IP address", NetworkId(subscription, group, "publicIPAddresses", spec.PublicIpAddressName),
                    _ => new ArmResourceModel
                    {
                        Location = spec.Location,
                        SkuName = "Standard",
                        SkuTier = "Regional",
                        Zones = spec.Zone == null ? null : new[] { spec.Zone },
                        Properties = new JsonObject
                        {
                            ["publicIPAllocationMethod"] = "Static",
                            ["publicIPAddressVersion"] = "IPv4",
                            ["dnsSettings"] = new JsonObject { ["domainNameLabel"] = spec.DomainNameLabel },
                        },
                    }.WithTags(Tags(spec, spec.VmName)),
                    s => IsHosts(s, spec.VmName), host.ResourceGroup).In(host.ResourceGroup).ReplaceWhenFailed((s, _) => IsHosts(s, spec.VmName));
            }

            var pip = host.PublicIpAddress;
            host.NetworkInterface = new ArmResourceNode(arm, "network interface", NetworkId(subscription, group, "networkInterfaces", spec.NetworkInterfaceName),
                states =>
                {
                    var ip = new JsonObject
                    {
                        ["subnet"] = new JsonObject { ["id"] = states.Get(host.Subnet).Id },
                        ["privateIPAllocationMethod"] = "Dynamic",
                    };
                    if (pip != null)
                    {
                        ip["publicIPAddress"] = new JsonObject { ["id"] = states.Get(pip).Id, ["properties"] = new JsonObject { ["deleteOption"] = "Delete" } };
                    }

                    return new ArmResourceModel
                    {
                        Location = spec.Location,
                        Properties = new JsonObject
                        {
                            ["ipConfigurations"] = new JsonArray(new JsonObject { ["name"] = "ipconfig1", ["properties"] = ip }),
                            ["networkSecurityGroup"] = new JsonObject { ["id"] = states.Get(nsg).Id },
                        },
                    }.WithTags(Tags(spec, spec.VmName));
                },
                s => IsHosts(s, spec.VmName), new ResourceNode[] { host.ResourceGroup, host.Subnet, nsg, pip }.Where(n => n != null).ToArray())
                .In(host.ResourceGroup).ReplaceWhenFailed((s, _) => IsHosts(s, spec.VmName));

            // The host's own rules, each to its private address only (the NSG is shared: another host's rules open
            // nothing here), made while the VM is created; as child resources, so no other writer's rule is lost.
            host.SecurityRules = RulePorts(spec).Select((rule, index) =>
            {
                string name = rule.Name;
                return new ArmResourceNode(arm, "security rule", new ResourceIdentifier(nsg.Id + "/securityRules/" + name),
                        async (states, ct) => new ArmResourceModel
                        {
                            Properties = Rule(spec, index, FreePriority(await nsg.ReadNowAsync(ct).ConfigureAwait(false), nsg.Id.ToString()),
                                HostAddresses.From(states, host).PrivateIpAddress),
                        },
                        _ => true, nsg, host.NetworkInterface)
                    .ChildOf(nsg, parent => Child(parent, "securityRules", name), removableAlone: true)
                    .RetryOn("SecurityRuleConflict");
            }).ToList();

            var nic = host.NetworkInterface;
            host.VirtualMachine = new ArmResourceNode(arm, "virtual machine", new ResourceIdentifier($"/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Compute/virtualMachines/{spec.VmName}"),
                states => new ArmResourceModel
                {
                    Location = spec.Location,
                    Zones = spec.Zone == null ? null : new[] { spec.Zone },
                    Properties = VmProperties(spec, states.Get(nic).Id, sshKey == null ? spec.SshPublicKey : states.Get(sshKey).PublicKey),
                }.WithTags(Tags(spec, spec.VmName)),
                s => IsHosts(s, spec.VmName), host.ResourceGroup, nic, sshKey).In(host.ResourceGroup);
            host.Parts = new ResourceNode[] { host.VirtualMachine }.Concat(host.SecurityRules).ToList();
            return host;
        }

        private static ResourceIdentifier NetworkId(string subscription, string group, string type, string name)
            => new ResourceIdentifier($"/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Network/{type}/{name}");

        private static JsonObject SubnetJson(DockerHostSpec spec) => new JsonObject
        {
            ["name"] = spec.SubnetName,
            ["properties"] = new JsonObject { ["addressPrefix"] = spec.SubnetAddressPrefix },
        };

        /// <summary>The rules the host needs, in priority order: the Docker port, SSH only when asked, the extra ports; named after the host.</summary>
        internal static IReadOnlyList<(string Name, int Port)> RulePorts(DockerHostSpec spec)
        {
            var rules = new List<(string, int)> { (RuleName(spec.VmName, "Docker-" + spec.DockerPort.ToString(CultureInfo.InvariantCulture)), spec.DockerPort) };
            if (spec.OpenSsh)
            {
                rules.Add((RuleName(spec.VmName, "SSH"), 22));
            }

            rules.AddRange(spec.OpenPorts.Select(p => (RuleName(spec.VmName, "Port-" + p.ToString(CultureInfo.InvariantCulture)), p)));
            return rules;
        }

        /// <summary>The one naming of a host's NSG rules: AzDockerVm-&lt;host&gt;-&lt;what&gt; (the host's name cut to 48 characters).</summary>
        internal static string RuleName(string vmName, string what)
            => "AzDockerVm-" + (vmName.Length > 48 ? vmName.Substring(0, 48) : vmName) + "-" + what;

        /// <summary>The index-th rule's properties: to the host's private address only, from the allowed sources only (the Internet when none are given).</summary>
        private static JsonObject Rule(DockerHostSpec spec, int index, int priority, string privateAddress)
        {
            var (_, port) = RulePorts(spec)[index];
            var properties = new JsonObject
            {
                ["protocol"] = "Tcp",
                ["sourcePortRange"] = "*",
                ["destinationAddressPrefix"] = privateAddress ?? throw new InvalidOperationException("The host's NIC has no private address yet."),
                ["destinationPortRange"] = port.ToString(CultureInfo.InvariantCulture),
                ["access"] = "Allow",
                ["direction"] = "Inbound",
                ["priority"] = priority,
                ["description"] = "AzDockerVm",
            };
            if (spec.AllowedSourceAddresses.Count == 0)
            {
                properties["sourceAddressPrefix"] = "Internet";
            }
            else
            {
                properties["sourceAddressPrefixes"] = new JsonArray(spec.AllowedSourceAddresses.Select(a => (JsonNode)a).ToArray());
            }

            return properties;
        }

        // Priorities this process has handed out, per NSG (case-insensitive id): hosts made at the same moment (a
        // fleet) never pick the same one, without waiting for each other's PUTs. Never given back: a priority of a
        // rule deleted later is only a gap. Another process writing the same NSG is told by ARM (SecurityRuleConflict)
        // and the rule reads the NSG again and picks anew.
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, HashSet<int>> s_handedOut =
            new System.Collections.Concurrent.ConcurrentDictionary<string, HashSet<int>>(StringComparer.OrdinalIgnoreCase);

        /// <summary>The lowest priority from 1000 that no inbound rule of the NSG (as it is now) uses and this process has not handed out.</summary>
        private static int FreePriority(ArmResourceState nsg, string nsgId)
        {
            var used = new HashSet<int>(((nsg.Properties["securityRules"] as JsonArray) ?? new JsonArray())
                .Select(r => r?["properties"])
                .Where(p => string.Equals((string)p?["direction"], "Inbound", StringComparison.OrdinalIgnoreCase))
                .Select(p => (int?)p?["priority"])
                .Where(p => p.HasValue)
                .Select(p => p.Value));
            HashSet<int> handedOut = s_handedOut.GetOrAdd(nsgId, _ => new HashSet<int>());
            lock (handedOut)
            {
                int priority = FirstPriority;
                while (used.Contains(priority) || handedOut.Contains(priority))
                {
                    priority++;
                }

                handedOut.Add(priority);
                return priority;
            }
        }

        private static ArmResourceState Child(ArmResourceState parent, string collection, string name)
        {
            var child = ((parent.Properties[collection] as JsonArray) ?? new JsonArray())
                .OfType<JsonObject>()
                .FirstOrDefault(c => string.Equals((string)c["name"], name, StringComparison.OrdinalIgnoreCase));
            return child == null ? null : new ArmResourceState((string)child["id"] ?? parent.Id + "/" + collection + "/" + name, parent.Location, null, child["properties"]?.DeepClone() as JsonObject);
        }

        private static JsonObject VmProperties(DockerHostSpec spec, string nicId, string sshPublicKey)
        {
            var linux = new JsonObject { ["disablePasswordAuthentication"] = spec.AdminPassword == null };
            if (sshPublicKey != null)
            {
                linux["ssh"] = new JsonObject
                {
                    ["publicKeys"] = new JsonArray(new JsonObject
                    {
                        ["path"] = $"/home/{spec.AdminUserName}/.ssh/authorized_keys",
                        ["keyData"] = sshPublicKey,
                    }),
                };
            }

            var os = new JsonObject
            {
                ["computerName"] = spec.VmName,
                ["adminUsername"] = spec.AdminUserName,
                ["linuxConfiguration"] = linux,
            };
            if (spec.AdminPassword != null)
            {
                os["adminPassword"] = spec.AdminPassword;
            }

            return VmProperties(spec, nicId, os);
        }

        private static JsonObject VmProperties(DockerHostSpec spec, string nicId, JsonObject osProfile) => new JsonObject
        {
            ["hardwareProfile"] = new JsonObject { ["vmSize"] = spec.VmSize },
            ["storageProfile"] = new JsonObject
            {
                ["imageReference"] = new JsonObject
                {
                    ["publisher"] = spec.Image.Publisher,
                    ["offer"] = spec.Image.Offer,
                    ["sku"] = spec.Image.Sku,
                    ["version"] = spec.Image.Version,
                },
                ["osDisk"] = new JsonObject
                {
                    ["name"] = spec.OsDiskName,
                    ["createOption"] = "FromImage",
                    ["deleteOption"] = "Delete",
                    ["managedDisk"] = new JsonObject { ["storageAccountType"] = "StandardSSD_LRS" },
                },
            },
            ["osProfile"] = osProfile,
            ["networkProfile"] = new JsonObject
            {
                ["networkInterfaces"] = new JsonArray(new JsonObject
                {
                    ["id"] = nicId,
                    ["properties"] = new JsonObject { ["primary"] = true, ["deleteOption"] = "Delete" },
                }),
            },
        };

        private static IDictionary<string, string> Tags(DockerHostSpec spec, string host)
        {
            var tags = new Dictionary<string, string>(spec.Tags ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase)
            {
                [OwnerTag] = spec.ModuleVersion ?? "0",
            };
            if (host != null)
            {
                tags[HostTag] = host;
            }

            return tags;
        }

        internal static bool IsHosts(ArmResourceState state, string vmName)
            => state.Tags.TryGetValue(HostTag, out string host) && string.Equals(host, vmName, StringComparison.OrdinalIgnoreCase);

        /// <summary>A shared resource goes only when AzDockerVm made it and nothing uses it any more.</summary>
        private static bool MayRemoveShared(ArmResourceState state)
            => state.Tags.ContainsKey(OwnerTag) && !state.Tags.ContainsKey(HostTag)
               && (state.Properties["networkInterfaces"] as JsonArray)?.Count is null or 0
               && !((state.Properties["subnets"] as JsonArray) ?? new JsonArray()).Any(s => (s?["properties"]?["ipConfigurations"] as JsonArray)?.Count > 0);
    }

    /// <summary>The resource group, created with the host's location when missing; removed never (it may hold anything).</summary>
    public sealed class ResourceGroupNode : ResourceNode<ArmResourceState>
    {
        private readonly ArmConnection _arm;
        private readonly Func<string> _location;
        private readonly IDictionary<string, string> _tags;

        /// <summary><paramref name="location"/> is asked for only when the group is created (it may be learnt after the plan).</summary>
        public ResourceGroupNode(ArmConnection arm, string name, Func<string> location, IDictionary<string, string> tags)
            : base("resource group", name)
        {
            _arm = arm;
            _location = location;
            _tags = tags;
        }

        private SubscriptionResource Subscription
            => _arm.Client.GetSubscriptionResource(SubscriptionResource.CreateResourceIdentifier(_arm.Target.SubscriptionId));

        protected override async Task<ArmResourceState> Read(CancellationToken ct)
        {
            try
            {
                ResourceGroupResource group = (await Subscription.GetResourceGroupAsync(Name, ct).ConfigureAwait(false)).Value;
                return ToState(group.Data);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return null;
            }
        }

        protected override async Task<ArmResourceState> Create(DeploymentStates states, CancellationToken ct)
        {
            var data = new ResourceGroupData(new AzureLocation(_location()));
            foreach (var tag in _tags)
            {
                data.Tags[tag.Key] = tag.Value;
            }

            var operation = await Subscription.GetResourceGroups().CreateOrUpdateAsync(global::Azure.WaitUntil.Completed, Name, data, ct).ConfigureAwait(false);
            return ToState(operation.Value.Data);
        }

        private static ArmResourceState ToState(ResourceGroupData data)
            => new ArmResourceState(data.Id.ToString(), data.Location.ToString(), data.Tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.OrdinalIgnoreCase), null);
    }
}

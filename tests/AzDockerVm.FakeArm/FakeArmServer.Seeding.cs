using System;
using System.Linq;
using System.Text.Json.Nodes;
using AzDockerVm.FakeArm.Api;
using AzDockerVm.FakeArm.State;

namespace AzDockerVm.FakeArm
{
    /// <summary>What a seeded VM is made of (ids as ARM returns them).</summary>
    public sealed record SeededVm(
        string ResourceGroup,
        string Name,
        string Id,
        string VmId,
        string NicId,
        string PublicIpId,
        string NsgId,
        string SubnetId,
        string PublicIp,
        string Fqdn,
        string PrivateIp);

    // Seeding and inspection: the C# side tests use to arrange the world and look at what clients cannot see.
    // Seeding goes through the same code as PUTs (same defaults and checks), without HTTP, traffic or operations.
    public sealed partial class FakeArmServer
    {
        /// <summary>Creates a resource group if it does not exist.</summary>
        public void AddResourceGroup(string name, string location = "westeurope")
        {
            lock (_store.Gate)
            {
                EnsureGroup(name, location);
            }
        }

        /// <summary>
        /// A Linux VM as the portal creates it: resource group (if new), VNet "{rg}-vnet" with subnet "default"
        /// (10.0.0.0/24), NSG "{name}-nsg" (SSH allowed), public IP "{name}-ip" (Standard, static; none with
        /// <paramref name="withPublicIp"/> false), NIC "{name}-nic", and an Ubuntu 22.04 VM. Addresses default to the
        /// next free ones; <paramref name="fqdn"/> sets the public IP's DNS name ("label.location.cloudapp.azure.com").
        /// </summary>
        public SeededVm AddLinuxVm(
            string resourceGroup,
            string name,
            string location = "westeurope",
            string publicIp = null,
            string fqdn = null,
            string privateIp = null,
            string adminUsername = "azureuser",
            VmPowerState powerState = VmPowerState.Running,
            bool withPublicIp = true,
            string adminPassword = null,
            string vmSize = "Standard_B2s") =>
            AddVm(resourceGroup, name, location, publicIp, fqdn, privateIp, adminUsername, powerState, withPublicIp, adminPassword, vmSize, windows: false);

        /// <summary>Like <see cref="AddLinuxVm"/>, with Windows Server 2022 (RDP allowed, a password set).</summary>
        public SeededVm AddWindowsVm(
            string resourceGroup,
            string name,
            string location = "westeurope",
            string publicIp = null,
            string fqdn = null,
            string privateIp = null,
            string adminUsername = "azureadmin",
            VmPowerState powerState = VmPowerState.Running,
            bool withPublicIp = true,
            string adminPassword = "Seeded-P@ssw0rd-1",
            string vmSize = "Standard_B2s") =>
            AddVm(resourceGroup, name, location, publicIp, fqdn, privateIp, adminUsername, powerState, withPublicIp, adminPassword, vmSize, windows: true);

        /// <summary>
        /// An extension already provisioned on a VM (for example somebody else's CustomScript), with the instance view
        /// its handler reported (default: succeeded, empty output). Returns the extension's id.
        /// </summary>
        public string AddExtension(
            string resourceGroup,
            string vmName,
            string name,
            string publisher = "Microsoft.Azure.Extensions",
            string type = "CustomScript",
            string typeHandlerVersion = "2.1",
            JsonObject settings = null,
            JsonObject protectedSettings = null,
            ExtensionOutcome outcome = null)
        {
            lock (_store.Gate)
            {
                var vm = RequireVm(resourceGroup, vmName);
                var properties = new JsonObject
                {
                    ["publisher"] = publisher,
                    ["type"] = type,
                    ["typeHandlerVersion"] = typeHandlerVersion,
                    ["autoUpgradeMinorVersion"] = true,
                    ["settings"] = Json.Clone(settings) ?? new JsonObject(),
                };
                if (protectedSettings != null)
                {
                    properties["protectedSettings"] = Json.Clone(protectedSettings);
                }

                var ext = _router.Compute.UpsertExtension(vm, name, new JsonObject { ["location"] = vm.Location, ["properties"] = properties });
                _router.Compute.Finish(ext, outcome ?? ExtensionOutcome.Success(string.Empty), null);
                return ext.Id;
            }
        }

        /// <summary>
        /// Adds a platform image new VMs may be created from (any version: "latest" or dotted). The catalogue starts with
        /// Ubuntu 24.04 and 22.04, Debian 12, RHEL 9 and Windows Server 2022 Azure Edition.
        /// </summary>
        public void AddMarketplaceImage(string publisher, string offer, string sku, bool windows = false)
        {
            lock (_store.Gate)
            {
                _store.Marketplace.AddImage(publisher, offer, sku, windows);
            }
        }

        /// <summary>Adds a VM size new VMs may use (the list starts with a few B, D, DS and F sizes).</summary>
        public void AddVmSize(string vmSize)
        {
            lock (_store.Gate)
            {
                _store.Marketplace.AddSize(vmSize);
            }
        }

        /// <summary>Decides the outcome of extension PUTs on one VM (overrides <see cref="ExtensionHandler"/>).</summary>
        public void SetExtensionHandler(string resourceGroup, string vmName, Func<ExtensionPut, ExtensionOutcome> handler)
        {
            lock (_store.Gate)
            {
                RequireVm(resourceGroup, vmName).ExtensionHandler = handler;
            }
        }

        /// <summary>Adds an inbound TCP Allow rule for <paramref name="port"/> from anywhere to an existing NSG (as an admin would in the portal).</summary>
        public void AllowInbound(string resourceGroup, string nsgName, int port, int priority = 300)
            => AddSecurityRule(resourceGroup, nsgName, "Allow-" + port, new JsonObject
            {
                ["protocol"] = "Tcp",
                ["sourcePortRange"] = "*",
                ["destinationPortRange"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["sourceAddressPrefix"] = "*",
                ["destinationAddressPrefix"] = "*",
                ["access"] = "Allow",
                ["priority"] = priority,
                ["direction"] = "Inbound",
            });

        /// <summary>
        /// Adds (or replaces, by name) a security rule of an existing NSG with the given properties, as another tool
        /// or an admin would; not checked, so a test can set up any rule ARM would store (another port, a Deny, a
        /// destination of one host only).
        /// </summary>
        public void AddSecurityRule(string resourceGroup, string nsgName, string name, JsonObject properties)
        {
            lock (_store.Gate)
            {
                var group = _store.FindGroup(resourceGroup) ?? throw new InvalidOperationException($"No resource group '{resourceGroup}'.");
                var nsg = ArmStore.FindNetwork(group, NetworkApi.NetworkSecurityGroups, nsgName) ?? throw new InvalidOperationException($"No NSG '{nsgName}'.");
                var rules = nsg.Properties["securityRules"] as JsonArray ?? new JsonArray();
                nsg.Properties["securityRules"] = rules;
                var existing = rules.OfType<JsonObject>().FirstOrDefault(r => string.Equals(Json.Str(r["name"]), name, StringComparison.OrdinalIgnoreCase));
                if (existing != null)
                {
                    rules.Remove(existing);
                }

                rules.Add(new JsonObject { ["name"] = name, ["properties"] = Json.Clone(properties) });
            }
        }

        public VmPowerState GetPowerState(string resourceGroup, string vmName)
        {
            lock (_store.Gate)
            {
                return RequireVm(resourceGroup, vmName).PowerState;
            }
        }

        public void SetPowerState(string resourceGroup, string vmName, VmPowerState state)
        {
            lock (_store.Gate)
            {
                RequireVm(resourceGroup, vmName).PowerState = state;
            }
        }

        /// <summary>
        /// Gives a public IP another address, as Azure does when a Dynamic public IP is deallocated and comes back, or when
        /// an admin replaces it: no PUT and no operation; clients see it on their next GET.
        /// </summary>
        public void SetPublicIpAddress(string resourceGroup, string publicIpName, string address)
        {
            lock (_store.Gate)
            {
                var group = _store.FindGroup(resourceGroup) ?? throw new InvalidOperationException($"No resource group '{resourceGroup}'.");
                var pip = ArmStore.FindNetwork(group, NetworkApi.PublicIPAddresses, publicIpName)
                    ?? throw new InvalidOperationException($"No public IP '{publicIpName}' in '{resourceGroup}'.");
                pip.Properties["ipAddress"] = address;
            }
        }

        /// <summary>
        /// Gives a NIC's first IP configuration another private address, as Azure may when a VM with a Dynamic private IP
        /// is deallocated and started again: no PUT and no operation; clients see it on their next GET.
        /// </summary>
        public void SetPrivateIpAddress(string resourceGroup, string networkInterfaceName, string address)
        {
            lock (_store.Gate)
            {
                var group = _store.FindGroup(resourceGroup) ?? throw new InvalidOperationException($"No resource group '{resourceGroup}'.");
                var nic = ArmStore.FindNetwork(group, NetworkApi.NetworkInterfaces, networkInterfaceName)
                    ?? throw new InvalidOperationException($"No network interface '{networkInterfaceName}' in '{resourceGroup}'.");
                nic.Properties["ipConfigurations"][0]["properties"]["privateIPAddress"] = address;
            }
        }

        /// <summary>The adminPassword a VM was created with (write-only in ARM: never returned), or null.</summary>
        public string GetAdminPassword(string resourceGroup, string vmName)
        {
            lock (_store.Gate)
            {
                return RequireVm(resourceGroup, vmName).AdminPassword;
            }
        }

        /// <summary>
        /// A new report from an extension already on a VM, as its handler would give one later (Docker failing after a
        /// reboot, say): the instance view changes and, for a failure, the extension and the VM become Failed, as in
        /// Azure. No PUT and no operation: clients see it on their next GET.
        /// </summary>
        public void SetExtensionOutcome(string resourceGroup, string vmName, string extensionName, ExtensionOutcome outcome)
        {
            lock (_store.Gate)
            {
                var ext = ArmStore.FindExtension(RequireVm(resourceGroup, vmName), extensionName)
                    ?? throw new InvalidOperationException($"No extension '{extensionName}' on VM '{vmName}'.");
                _router.Compute.Finish(ext, outcome, null);
            }
        }

        /// <summary>An extension's protectedSettings as last PUT (write-only in ARM: never returned), or null; a copy.</summary>
        public JsonObject GetProtectedSettings(string resourceGroup, string vmName, string extensionName)
        {
            lock (_store.Gate)
            {
                var ext = ArmStore.FindExtension(RequireVm(resourceGroup, vmName), extensionName)
                    ?? throw new InvalidOperationException($"No extension '{extensionName}' on VM '{vmName}'.");
                return Json.Clone(ext.ProtectedSettings);
            }
        }

        /// <summary>Whether a resource group, VM, extension or network resource with this id exists (case-insensitive).</summary>
        public bool Exists(string resourceId)
        {
            lock (_store.Gate)
            {
                foreach (var group in _store.Groups)
                {
                    if (ArmIds.Same(group.Id, resourceId))
                    {
                        return true;
                    }
                }

                foreach (var vm in _store.Vms)
                {
                    if (ArmIds.Same(vm.Id, resourceId) || vm.Extensions.Exists(e => ArmIds.Same(e.Id, resourceId)))
                    {
                        return true;
                    }
                }

                return _store.FindNetworkById(resourceId) != null;
            }
        }

        /// <summary>Ends every operation still in progress, as if enough time had passed.</summary>
        public void CompletePendingOperations()
        {
            lock (_store.Gate)
            {
                _store.CompleteAll();
            }
        }

        private SeededVm AddVm(string resourceGroup, string name, string location, string publicIp, string fqdn, string privateIp,
            string adminUsername, VmPowerState powerState, bool withPublicIp, string adminPassword, string vmSize, bool windows)
        {
            lock (_store.Gate)
            {
                var group = EnsureGroup(resourceGroup, location);
                var network = _router.Network;
                var vnet = ArmStore.FindNetwork(group, NetworkApi.VirtualNetworks, group.Name + "-vnet")
                    ?? network.Upsert(group, NetworkApi.VirtualNetworks, group.Name + "-vnet", new JsonObject
                    {
                        ["location"] = location,
                        ["properties"] = new JsonObject
                        {
                            ["addressSpace"] = new JsonObject { ["addressPrefixes"] = new JsonArray("10.0.0.0/16") },
                            ["subnets"] = new JsonArray(new JsonObject { ["name"] = "default", ["properties"] = new JsonObject { ["addressPrefix"] = "10.0.0.0/24" } }),
                        },
                    }, seeding: true);
                var subnetId = vnet.Id + "/subnets/default";

                var nsg = network.Upsert(group, NetworkApi.NetworkSecurityGroups, name + "-nsg", new JsonObject
                {
                    ["location"] = location,
                    ["properties"] = new JsonObject
                    {
                        ["securityRules"] = new JsonArray(new JsonObject
                        {
                            ["name"] = windows ? "RDP" : "SSH",
                            ["properties"] = new JsonObject
                            {
                                ["protocol"] = "Tcp",
                                ["sourcePortRange"] = "*",
                                ["destinationPortRange"] = windows ? "3389" : "22",
                                ["sourceAddressPrefix"] = "*",
                                ["destinationAddressPrefix"] = "*",
                                ["access"] = "Allow",
                                ["priority"] = 300,
                                ["direction"] = "Inbound",
                            },
                        }),
                    },
                }, seeding: true);

                NetworkRecord pip = null;
                if (withPublicIp)
                {
                    var pipProperties = new JsonObject { ["publicIPAllocationMethod"] = "Static", ["publicIPAddressVersion"] = "IPv4" };
                    if (publicIp != null)
                    {
                        pipProperties["ipAddress"] = publicIp;
                    }

                    if (fqdn != null)
                    {
                        pipProperties["dnsSettings"] = new JsonObject { ["domainNameLabel"] = fqdn.Split('.')[0], ["fqdn"] = fqdn };
                    }

                    pip = network.Upsert(group, NetworkApi.PublicIPAddresses, name + "-ip", new JsonObject
                    {
                        ["location"] = location,
                        ["sku"] = new JsonObject { ["name"] = "Standard", ["tier"] = "Regional" },
                        ["properties"] = pipProperties,
                    }, seeding: true);
                }

                var ipProperties = new JsonObject
                {
                    ["privateIPAllocationMethod"] = "Dynamic",
                    ["subnet"] = Json.Reference(subnetId),
                    ["primary"] = true,
                };
                if (privateIp != null)
                {
                    ipProperties["privateIPAddress"] = privateIp;
                }

                if (pip != null)
                {
                    ipProperties["publicIPAddress"] = Json.Reference(pip.Id);
                }

                var nic = network.Upsert(group, NetworkApi.NetworkInterfaces, name + "-nic", new JsonObject
                {
                    ["location"] = location,
                    ["properties"] = new JsonObject
                    {
                        ["networkSecurityGroup"] = Json.Reference(nsg.Id),
                        ["ipConfigurations"] = new JsonArray(new JsonObject { ["name"] = "ipconfig1", ["properties"] = ipProperties }),
                    },
                }, seeding: true);

                var vm = _router.Compute.UpsertVm(group, name, VmBody(name, location, adminUsername, adminPassword, vmSize, nic.Id, windows));
                vm.ProvisioningState = "Succeeded";
                vm.PowerState = powerState;
                return new SeededVm(
                    group.Name,
                    vm.Name,
                    vm.Id,
                    vm.VmId,
                    nic.Id,
                    pip?.Id,
                    nsg.Id,
                    subnetId,
                    Json.Str(pip?.Properties["ipAddress"]),
                    Json.Str(pip?.Properties["dnsSettings"]?["fqdn"]),
                    Json.Str(nic.Properties["ipConfigurations"]?[0]?["properties"]?["privateIPAddress"]));
            }
        }

        private static JsonObject VmBody(string name, string location, string adminUsername, string adminPassword, string vmSize, string nicId, bool windows)
        {
            var osProfile = new JsonObject { ["computerName"] = name, ["adminUsername"] = adminUsername };
            if (adminPassword != null)
            {
                osProfile["adminPassword"] = adminPassword;
            }

            if (windows)
            {
                osProfile["windowsConfiguration"] = new JsonObject { ["provisionVMAgent"] = true, ["enableAutomaticUpdates"] = true };
            }
            else
            {
                var linux = new JsonObject { ["disablePasswordAuthentication"] = adminPassword == null, ["provisionVMAgent"] = true };
                if (adminPassword == null)
                {
                    linux["ssh"] = new JsonObject
                    {
                        ["publicKeys"] = new JsonArray(new JsonObject
                        {
                            ["path"] = $"/home/{adminUsername}/.ssh/authorized_keys",
                            ["keyData"] = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeArmSeededKeyForTestsOnly0000000000000 azdockervm@tests",
                        }),
                    };
                }

                osProfile["linuxConfiguration"] = linux;
            }

            var image = windows
                ? new JsonObject { ["publisher"] = "MicrosoftWindowsServer", ["offer"] = "WindowsServer", ["sku"] = "2022-datacenter-azure-edition", ["version"] = "latest" }
                : new JsonObject { ["publisher"] = "Canonical", ["offer"] = "0001-com-ubuntu-server-jammy", ["sku"] = "22_04-lts-gen2", ["version"] = "latest" };
            return new JsonObject
            {
                ["location"] = location,
                ["properties"] = new JsonObject
                {
                    ["hardwareProfile"] = new JsonObject { ["vmSize"] = vmSize },
                    ["storageProfile"] = new JsonObject
                    {
                        ["imageReference"] = image,
                        ["osDisk"] = new JsonObject
                        {
                            ["osType"] = windows ? "Windows" : "Linux",
                            ["createOption"] = "FromImage",
                            ["managedDisk"] = new JsonObject { ["storageAccountType"] = "Premium_LRS" },
                        },
                    },
                    ["osProfile"] = osProfile,
                    ["networkProfile"] = new JsonObject
                    {
                        ["networkInterfaces"] = new JsonArray(new JsonObject { ["id"] = nicId, ["properties"] = new JsonObject { ["primary"] = true } }),
                    },
                    ["diagnosticsProfile"] = new JsonObject { ["bootDiagnostics"] = new JsonObject { ["enabled"] = true } },
                },
            };
        }

        private ResourceGroupRecord EnsureGroup(string name, string location) => _store.FindGroup(name) ?? _store.AddGroup(name, location);

        private VmRecord RequireVm(string resourceGroup, string vmName)
        {
            var group = _store.FindGroup(resourceGroup) ?? throw new InvalidOperationException($"No resource group '{resourceGroup}'.");
            return ArmStore.FindVm(group, vmName) ?? throw new InvalidOperationException($"No VM '{vmName}' in '{resourceGroup}'.");
        }
    }
}

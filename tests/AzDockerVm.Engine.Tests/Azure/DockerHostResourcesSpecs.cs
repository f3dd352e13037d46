using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Engine.Azure.Resources;
using AzDockerVm.Engine.Deployment;
using Xunit;

namespace AzDockerVm.Engine.Tests.Azure
{
    /// <summary>
    /// A Docker host's Azure resources as a graph against the fake ARM: from nothing one PUT per resource (the subnet
    /// and the rules ride in their parent's PUT), nothing at all on a finished host, a second host of the group reusing
    /// the network, and an NSG of someone else's keeping every rule it had while ours are added beside them.
    /// </summary>
    public sealed class DockerHostResourcesSpecs : IAsyncLifetime
    {
        private FakeArmBench _bench;

        public async Task InitializeAsync() => _bench = await FakeArmBench.StartAsync();

        public async Task DisposeAsync() => await _bench.DisposeAsync();

        private static DockerHostSpec Spec(string name, params string[] allowed) => new DockerHostSpec
        {
            ResourceGroupName = "rg-docker",
            Location = "westeurope",
            VmName = name,
            VmSize = "Standard_D2s_v5",
            Image = ("Canonical", "ubuntu-24_04-lts", "server", "latest"),
            AdminUserName = "azureuser",
            SshPublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHcZ0Fake0Key0For0Tests0Only0000000000000000 test",
            VirtualNetworkName = "azdockervm-vnet",
            AddressPrefix = "10.20.0.0/16",
            SubnetName = "docker",
            SubnetAddressPrefix = "10.20.1.0/24",
            SecurityGroupName = "azdockervm-nsg",
            PublicIpAddressName = name + "-ip",
            DomainNameLabel = name + "-1a2b3c4d",
            NetworkInterfaceName = name + "-nic",
            OsDiskName = name + "-osdisk",
            DockerPort = 2376,
            AllowedSourceAddresses = allowed.ToList(),
            ModuleVersion = "0.9.0",
        };

        private async Task<DeploymentResult> DeployAsync(params DockerHostResources[] hosts)
        {
            DeploymentPlan plan = await ResourceGraph.PlanAsync(hosts.SelectMany(h => h.Roots), CancellationToken.None);
            DeploymentResult result = await ResourceGraph.ApplyAsync(plan, null, CancellationToken.None);
            Assert.True(result.Succeeded, string.Join("; ", result.Failures.Select(f => f.Key + ": " + f.Value.Message)));
            return result;
        }

        private static string Kind(string write) => write.Split('/').Reverse().Skip(1).First();

        [Fact]
        public async Task From_nothing_each_resource_is_one_PUT_the_subnet_riding_in_its_network()
        {
            var host = DockerHostResources.Build(_bench.Connection, Spec("dock1", "203.0.113.0/24"));

            await DeployAsync(host);

            string[] writes = _bench.Writes();
            Assert.All(writes, w => Assert.StartsWith("PUT ", w));
            Assert.Equal(new[] { "networkInterfaces", "networkSecurityGroups", "publicIPAddresses", "resourcegroups", "securityRules", "virtualMachines", "virtualNetworks" },
                writes.Select(Kind).OrderBy(k => k, StringComparer.OrdinalIgnoreCase).ToArray());
            Assert.Equal("resourcegroups", Kind(writes[0]), ignoreCase: true);
            // The VM and the host's rule both wait for the NIC (the rule is to its private address), then go at once.
            int nicPut = Array.FindIndex(writes, w => Kind(w) == "networkInterfaces");
            Assert.True(Array.FindIndex(writes, w => Kind(w) == "virtualMachines") > nicPut);
            Assert.True(Array.FindIndex(writes, w => Kind(w) == "securityRules") > nicPut);
            // The NIC, the public IP and the OS disk are set to go with the VM (deleteOption), so a VM deleted in the
            // portal leaves nothing behind either.
            JsonNode vm = _bench.Arm.Requests.Single(r => r.Method == "PUT" && r.Path.EndsWith("/virtualMachines/dock1", StringComparison.Ordinal)).RequestBody;
            JsonNode nic = _bench.Arm.Requests.Single(r => r.Method == "PUT" && r.Path.EndsWith("/networkInterfaces/dock1-nic", StringComparison.Ordinal)).RequestBody;
            Assert.Equal("Delete", (string)vm["properties"]["networkProfile"]["networkInterfaces"][0]["properties"]["deleteOption"]);
            Assert.Equal("Delete", (string)vm["properties"]["storageProfile"]["osDisk"]["deleteOption"]);
            Assert.Equal("Delete", (string)nic["properties"]["ipConfigurations"][0]["properties"]["publicIPAddress"]["properties"]["deleteOption"]);
            Assert.Equal("0.9.0", (string)vm["tags"]["AzDockerVm"]);
            Assert.Equal("dock1", (string)vm["tags"]["AzDockerVmHost"]);
        }

        [Fact]
        public async Task The_Docker_port_is_open_only_to_the_allowed_sources_and_SSH_stays_closed()
        {
            var host = DockerHostResources.Build(_bench.Connection, Spec("dock1", "203.0.113.0/24", "198.51.100.7"));

            DeploymentResult result = await DeployAsync(host);

            var docker = Assert.Single(host.SecurityRules);
            Assert.Equal("AzDockerVm-dock1-Docker-2376", docker.Name);
            JsonObject rule = result.States.Get(docker).Properties;
            Assert.Equal("2376", (string)rule["destinationPortRange"]);
            Assert.Equal(new[] { "203.0.113.0/24", "198.51.100.7" }, ((JsonArray)rule["sourceAddressPrefixes"]).Select(a => (string)a).ToArray());
            Assert.Equal("Allow", (string)rule["access"]);
            // To this host's private address only: another host on the shared NSG is not opened by it.
            string privateIp = (string)result.States.Get(host.NetworkInterface).Properties["ipConfigurations"][0]["properties"]["privateIPAddress"];
            Assert.Equal(privateIp, (string)rule["destinationAddressPrefix"]);
        }

        [Fact]
        public async Task A_finished_host_is_read_and_nothing_is_written()
        {
            await DeployAsync(DockerHostResources.Build(_bench.Connection, Spec("dock1")));
            int writes = _bench.Writes().Length;
            int requests = _bench.Arm.Requests.Count;

            DeploymentResult again = await DeployAsync(DockerHostResources.Build(_bench.Connection, Spec("dock1")));

            Assert.Equal(writes, _bench.Writes().Length);
            Assert.All(again.Nodes, n => Assert.Equal(NodeOutcome.Existed, again.Outcomes[n]));
            // One GET per resource that has a URL of its own: group, VNet, NSG, public IP, NIC, VM (the subnet and the rule are read in their parents).
            Assert.Equal(6, _bench.Arm.Requests.Count - requests);
        }

        [Fact]
        public async Task A_second_host_reuses_the_groups_network_and_adds_only_its_own_resources()
        {
            var first = DockerHostResources.Build(_bench.Connection, Spec("dock1"));
            await DeployAsync(first);
            int before = _bench.Writes().Length;

            await DeployAsync(DockerHostResources.Build(_bench.Connection, Spec("dock2")));

            Assert.Equal(new[] { "networkInterfaces", "publicIPAddresses", "securityRules", "virtualMachines" },
                _bench.Writes().Skip(before).Select(Kind).OrderBy(k => k, StringComparer.Ordinal).ToArray());
        }

        [Fact]
        public async Task Two_hosts_in_one_walk_create_the_shared_network_once()
        {
            var first = DockerHostResources.Build(_bench.Connection, Spec("dock1"));
            var second = DockerHostResources.Build(_bench.Connection, Spec("dock2"), shared: first);

            await DeployAsync(first, second);

            string[] writes = _bench.Writes();
            Assert.Single(writes, w => Kind(w) == "virtualNetworks");
            Assert.Single(writes, w => Kind(w) == "networkSecurityGroups");
            Assert.Equal(2, writes.Count(w => Kind(w) == "virtualMachines"));
        }

        [Fact]
        public async Task An_existing_NSG_keeps_every_rule_it_had_and_ours_is_added_beside_them_at_a_free_priority()
        {
            _bench.Arm.AddResourceGroup("rg-docker");
            _bench.Arm.AddLinuxVm("rg-docker", "legacy1");
            // legacy1's NSG, with its SSH rule, is the one we are told to use.
            var spec = Spec("dock1");
            spec.SecurityGroupName = "legacy1-nsg";
            var host = DockerHostResources.Build(_bench.Connection, spec);
            DeploymentPlan plan = await ResourceGraph.PlanAsync(host.Roots, CancellationToken.None);
            JsonArray before = (JsonArray)(await ReadAsync(host.SecurityGroup)).Properties["securityRules"];
            Assert.NotEmpty(before);

            DeploymentResult result = await ResourceGraph.ApplyAsync(plan, null, CancellationToken.None);

            Assert.True(result.Succeeded, string.Join("; ", result.Failures.Select(f => f.Key + ": " + f.Value.Message)));
            Assert.Equal(NodeOutcome.Existed, result.Outcomes[host.SecurityGroup]);
            Assert.Equal(NodeOutcome.Created, result.Outcomes[host.SecurityRules.Single()]);
            Assert.DoesNotContain(_bench.Writes(), w => w.EndsWith("/networkSecurityGroups/legacy1-nsg", StringComparison.Ordinal));
            Assert.Contains(_bench.Writes(), w => w.EndsWith("/networkSecurityGroups/legacy1-nsg/securityRules/AzDockerVm-dock1-Docker-2376", StringComparison.Ordinal));
            JsonArray after = (JsonArray)(await ReadAsync(host.SecurityGroup)).Properties["securityRules"];
            foreach (JsonNode rule in before)
            {
                Assert.Contains(after, r => (string)r["name"] == (string)rule["name"] && (int)r["properties"]["priority"] == (int)rule["properties"]["priority"]);
            }

            var ours = after.Single(r => (string)r["name"] == "AzDockerVm-dock1-Docker-2376");
            Assert.DoesNotContain(before, r => (int)r["properties"]["priority"] == (int)ours["properties"]["priority"]);
        }

        [Fact]
        public async Task Removing_one_host_takes_only_its_own_and_removing_the_last_takes_the_shared_network_but_never_the_group()
        {
            var first = DockerHostResources.Build(_bench.Connection, Spec("dock1"));
            var second = DockerHostResources.Build(_bench.Connection, Spec("dock2"), shared: first);
            await DeployAsync(first, second);
            int before = _bench.Writes().Length;

            DeploymentResult one = await ResourceGraph.RemoveAsync(first.Roots, null, CancellationToken.None);

            Assert.True(one.Succeeded, string.Join("; ", one.Failures.Select(f => f.Key + ": " + f.Value.Message)));
            Assert.Equal(new[] { "AzDockerVm-dock1-Docker-2376", "dock1", "dock1-ip", "dock1-nic" }, one.With(NodeOutcome.Deleted).Select(n => n.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray());
            Assert.Equal(NodeOutcome.Kept, one.Outcomes[first.SecurityGroup]);
            Assert.Equal(NodeOutcome.Kept, one.Outcomes[first.VirtualNetwork]);
            Assert.All(_bench.Writes().Skip(before), w => Assert.StartsWith("DELETE ", w));
            // dock2 still works on the shared network: its graph is read as finished.
            DeploymentPlan stillThere = await ResourceGraph.PlanAsync(second.Roots, CancellationToken.None);
            Assert.Empty(stillThere.Missing);

            DeploymentResult last = await ResourceGraph.RemoveAsync(second.Roots, null, CancellationToken.None);

            Assert.True(last.Succeeded, string.Join("; ", last.Failures.Select(f => f.Key + ": " + f.Value.Message)));
            Assert.Equal(NodeOutcome.Kept, last.Outcomes[second.ResourceGroup]);
            foreach (ResourceNode gone in new ResourceNode[] { second.VirtualMachine, second.NetworkInterface, second.PublicIpAddress, second.SecurityGroup, second.VirtualNetwork })
            {
                Assert.Equal(NodeOutcome.Deleted, last.Outcomes[gone]);
            }

            DeploymentPlan after = await ResourceGraph.PlanAsync(second.Roots, CancellationToken.None);
            Assert.Equal(new[] { "rg-docker" }, after.Existing.Select(n => n.Name).ToArray());
        }

        [Fact]
        public async Task Removal_keeps_an_NSG_that_is_not_ours_and_a_half_made_host_can_be_removed()
        {
            _bench.Arm.AddLinuxVm("rg-docker", "legacy1");
            var spec = Spec("dock1");
            spec.SecurityGroupName = "legacy1-nsg";
            var host = DockerHostResources.Build(_bench.Connection, spec);
            _bench.Arm.Faults.On("PUT", "*/virtualMachines/dock1").Times(1).Error(409, "OperationNotAllowed", "Operation could not be completed as it results in exceeding approved quota (injected).");
            DeploymentResult failed = await ResourceGraph.ApplyAsync(await ResourceGraph.PlanAsync(host.Roots, CancellationToken.None), null, CancellationToken.None);
            Assert.Equal(NodeOutcome.Failed, failed.Outcomes[host.VirtualMachine]);

            DeploymentResult removed = await ResourceGraph.RemoveAsync(host.Roots, null, CancellationToken.None);

            Assert.True(removed.Succeeded, string.Join("; ", removed.Failures.Select(f => f.Key + ": " + f.Value.Message)));
            Assert.Equal(NodeOutcome.Absent, removed.Outcomes[host.VirtualMachine]);
            Assert.Equal(NodeOutcome.Deleted, removed.Outcomes[host.NetworkInterface]);
            Assert.Equal(NodeOutcome.Deleted, removed.Outcomes[host.PublicIpAddress]);
            Assert.Equal(NodeOutcome.Kept, removed.Outcomes[host.SecurityGroup]);
            Assert.NotNull(await ReadAsync(host.SecurityGroup));
        }

        private static async Task<ArmResourceState> ReadAsync(ArmResourceNode node)
        {
            DeploymentPlan plan = await ResourceGraph.PlanAsync(new[] { node }, CancellationToken.None);
            DeploymentResult read = await ResourceGraph.ApplyAsync(plan, null, CancellationToken.None);
            return read.States.Get(node);
        }
    }
}

using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using Xunit;

namespace AzDockerVm.Tests.FakeArm
{
    public class NetworkTests
    {
        [Fact]
        public async Task A_docker_host_network_is_created_in_order_each_PUT_a_long_running_operation()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddResourceGroup("rg");
            using var http = new ArmHttp(arm);
            var nsgId = http.NetworkResource("rg", "networkSecurityGroups", "dh-nsg");
            var vnetId = http.NetworkResource("rg", "virtualNetworks", "dh-vnet");
            var pipId = http.NetworkResource("rg", "publicIPAddresses", "dh-ip");
            var nicId = http.NetworkResource("rg", "networkInterfaces", "dh-nic");

            var nsg = await http.PutAndWaitAsync(nsgId + "?" + ArmHttp.Network, Nsg());
            var vnet = await http.PutAndWaitAsync(vnetId + "?" + ArmHttp.Network, Vnet(nsgId));
            var pip = await http.PutAndWaitAsync(pipId + "?" + ArmHttp.Network, PublicIp("dh-docker-host"));
            var nic = await http.PutAndWaitAsync(nicId + "?" + ArmHttp.Network, Nic(vnetId + "/subnets/default", pipId, nsgId));

            foreach (var (run, id, type) in new[] { (nsg, nsgId, "networkSecurityGroups"), (vnet, vnetId, "virtualNetworks"), (pip, pipId, "publicIPAddresses"), (nic, nicId, "networkInterfaces") })
            {
                Assert.Equal(201, run.Start.Status);
                Assert.Equal("Updating", (string)run.Start.Body["properties"]["provisioningState"]);
                Assert.StartsWith(arm.BaseUri + $"subscriptions/{arm.SubscriptionId}/providers/Microsoft.Network/locations/westeurope/operations/", run.Start.Header("Azure-AsyncOperation"));
                Assert.Equal("Succeeded", (string)run.Polls.Single().Body["status"]);
                Assert.Equal(id, (string)run.Final.Body["id"]);
                Assert.Equal("Microsoft.Network/" + type, (string)run.Final.Body["type"]);
                Assert.StartsWith("W/\"", (string)run.Final.Body["etag"]);
                Assert.Equal("Succeeded", (string)run.Final.Body["properties"]["provisioningState"]);
                Assert.NotNull(run.Final.Body["properties"]["resourceGuid"]);
            }

            var rule = nsg.Final.Body["properties"]["securityRules"][0];
            Assert.Equal(nsgId + "/securityRules/allow-docker-tls", (string)rule["id"]);
            Assert.Equal(6, nsg.Final.Body["properties"]["defaultSecurityRules"].AsArray().Count);
            Assert.Equal(vnetId + "/subnets/default", (string)vnet.Final.Body["properties"]["subnets"][0]["id"]);
            Assert.Equal("dh-docker-host.westeurope.cloudapp.azure.com", (string)pip.Final.Body["properties"]["dnsSettings"]["fqdn"]);
            Assert.NotNull((string)pip.Final.Body["properties"]["ipAddress"]);
            Assert.Equal("10.20.1.4", (string)nic.Final.Body["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"]);

            var pipAfter = await http.GetAsync(pipId + "?" + ArmHttp.Network);
            var nsgAfter = await http.GetAsync(nsgId + "?" + ArmHttp.Network);
            Assert.Equal(nicId + "/ipConfigurations/ipconfig1", (string)pipAfter.Body["properties"]["ipConfiguration"]["id"]);
            Assert.Equal(nicId, (string)nsgAfter.Body["properties"]["networkInterfaces"][0]["id"]);
        }

        [Fact]
        public async Task Security_rules_are_child_resources_one_PUT_adds_one_without_touching_the_others()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddResourceGroup("rg");
            using var http = new ArmHttp(arm);
            var nsgId = http.NetworkResource("rg", "networkSecurityGroups", "dh-nsg");
            await http.PutAndWaitAsync(nsgId + "?" + ArmHttp.Network, Nsg());
            JsonObject Rule(int priority, string port) => new JsonObject
            {
                ["properties"] = new JsonObject
                {
                    ["protocol"] = "Tcp", ["sourcePortRange"] = "*", ["destinationPortRange"] = port, ["sourceAddressPrefix"] = "203.0.113.0/24",
                    ["destinationAddressPrefix"] = "*", ["access"] = "Allow", ["priority"] = priority, ["direction"] = "Inbound",
                },
            };

            var added = await http.PutAndWaitAsync(nsgId + "/securityRules/ssh?" + ArmHttp.Network, Rule(1010, "22"), withTags: false);
            var clash = await http.PutAsync(nsgId + "/securityRules/other?" + ArmHttp.Network, Rule(1010, "80"), withTags: false);
            var list = await http.GetAsync(nsgId + "/securityRules?" + ArmHttp.Network);
            var removed = await http.DeleteAndWaitAsync(nsgId + "/securityRules/ssh?" + ArmHttp.Network);
            var missing = await http.GetAsync(nsgId + "/securityRules/ssh?" + ArmHttp.Network);

            Assert.Equal(201, added.Start.Status);
            Assert.Equal(nsgId + "/securityRules/ssh", (string)added.Final.Body["id"]);
            Assert.Equal(400, clash.Status);
            Assert.Equal("SecurityRuleConflict", (string)clash.Body["error"]["code"]);
            Assert.Equal(new[] { "allow-docker-tls", "ssh" }, list.Body["value"].AsArray().Select(r => (string)r["name"]).ToArray());
            Assert.Equal(202, removed.Start.Status);
            Assert.Equal(404, missing.Status);
            var nsg = await http.GetAsync(nsgId + "?" + ArmHttp.Network);
            Assert.Equal(new[] { "allow-docker-tls" }, nsg.Body["properties"]["securityRules"].AsArray().Select(r => (string)r["name"]).ToArray());
        }

        [Fact]
        public async Task Public_addresses_are_Azure_like_by_default_and_loopback_past_127_0_0_1_on_request()
        {
            await using var azureLike = await FakeArmServer.StartAsync();
            await using var loopback = await FakeArmServer.StartAsync(new FakeArmOptions { LoopbackPublicAddresses = true });

            async Task<string[]> TwoAddresses(FakeArmServer arm)
            {
                arm.AddResourceGroup("rg");
                using var http = new ArmHttp(arm);
                var addresses = new string[2];
                for (int i = 0; i < 2; i++)
                {
                    var pip = await http.PutAndWaitAsync(http.NetworkResource("rg", "publicIPAddresses", "ip" + i) + "?" + ArmHttp.Network, PublicIp("loopback-test-" + i));
                    addresses[i] = (string)pip.Final.Body["properties"]["ipAddress"];
                }

                return addresses;
            }

            Assert.Equal(new[] { "20.50.0.1", "20.50.0.2" }, await TwoAddresses(azureLike));
            Assert.Equal(new[] { "127.0.0.2", "127.0.0.3" }, await TwoAddresses(loopback));
            // The fake itself stays on 127.0.0.1, which no VM gets.
            Assert.Equal("127.0.0.1", loopback.BaseUri.Host);
        }

        [Fact]
        public async Task A_reference_to_a_missing_resource_is_400_InvalidResourceReference()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddResourceGroup("rg");
            using var http = new ArmHttp(arm);

            var nic = await http.PutAsync(http.NetworkResource("rg", "networkInterfaces", "nic") + "?" + ArmHttp.Network,
                Nic(http.NetworkResource("rg", "virtualNetworks", "none") + "/subnets/default", null, null));

            Assert.Equal((400, "InvalidResourceReference"), (nic.Status, nic.ErrorCode));
            Assert.False(arm.Exists(http.NetworkResource("rg", "networkInterfaces", "nic")));
        }

        [Fact]
        public async Task Resources_in_use_cannot_be_deleted_and_are_deleted_in_reverse_order()
        {
            await using var arm = await FakeArmServer.StartAsync();
            var seeded = arm.AddLinuxVm("rg", "vm1");
            using var http = new ArmHttp(arm);
            var vnetId = seeded.SubnetId.Substring(0, seeded.SubnetId.IndexOf("/subnets/"));

            var pipInUse = await http.DeleteAsync(seeded.PublicIpId + "?" + ArmHttp.Network);
            var nsgInUse = await http.DeleteAsync(seeded.NsgId + "?" + ArmHttp.Network);
            var subnetInUse = await http.DeleteAsync(seeded.SubnetId + "?" + ArmHttp.Network);
            Assert.Equal((400, "PublicIPAddressCannotBeDeleted"), (pipInUse.Status, pipInUse.ErrorCode));
            Assert.Equal((400, "InUseNetworkSecurityGroupCannotBeDeleted"), (nsgInUse.Status, nsgInUse.ErrorCode));
            Assert.Equal((400, "InUseSubnetCannotBeDeleted"), (subnetInUse.Status, subnetInUse.ErrorCode));

            foreach (var id in new[] { seeded.Id + "?" + ArmHttp.Compute, seeded.NicId + "?" + ArmHttp.Network, seeded.PublicIpId + "?" + ArmHttp.Network, seeded.NsgId + "?" + ArmHttp.Network, seeded.SubnetId + "?" + ArmHttp.Network, vnetId + "?" + ArmHttp.Network })
            {
                var run = await http.DeleteAndWaitAsync(id);
                Assert.Equal(202, run.Start.Status);
                Assert.Equal(200, run.Polls.Last().Status);
                Assert.Equal(404, (await http.GetAsync(id)).Status);
            }

            Assert.Equal(204, (await http.DeleteAsync(seeded.NicId + "?" + ArmHttp.Network)).Status);
        }

        [Fact]
        public async Task Subnets_are_child_resources_of_their_virtual_network()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddResourceGroup("rg");
            using var http = new ArmHttp(arm);
            var vnetId = http.NetworkResource("rg", "virtualNetworks", "vnet");
            await http.PutAndWaitAsync(vnetId + "?" + ArmHttp.Network, new JsonObject
            {
                ["location"] = "westeurope",
                ["properties"] = new JsonObject { ["addressSpace"] = new JsonObject { ["addressPrefixes"] = new JsonArray("10.1.0.0/16") } },
            });

            var put = await http.PutAndWaitAsync(vnetId + "/subnets/apps?" + ArmHttp.Network, new JsonObject { ["properties"] = new JsonObject { ["addressPrefix"] = "10.1.2.0/24" } }, withTags: false);
            var list = await http.GetAsync(vnetId + "/subnets?" + ArmHttp.Network);
            var vnet = await http.GetAsync(vnetId + "?" + ArmHttp.Network);
            var orphan = await http.GetAsync(http.NetworkResource("rg", "virtualNetworks", "none") + "/subnets/apps?" + ArmHttp.Network);

            Assert.Equal(201, put.Start.Status);
            Assert.Equal(vnetId + "/subnets/apps", (string)put.Final.Body["id"]);
            Assert.Equal("Microsoft.Network/virtualNetworks/subnets", (string)put.Final.Body["type"]);
            Assert.Equal("10.1.2.0/24", (string)list.Body["value"][0]["properties"]["addressPrefix"]);
            Assert.Equal("apps", (string)vnet.Body["properties"]["subnets"][0]["name"]);
            Assert.Equal((404, "ParentResourceNotFound"), (orphan.Status, orphan.ErrorCode));
        }

        private static JsonObject Nsg() => new JsonObject
        {
            ["location"] = "westeurope",
            ["properties"] = new JsonObject
            {
                ["securityRules"] = new JsonArray(new JsonObject
                {
                    ["name"] = "allow-docker-tls",
                    ["properties"] = new JsonObject
                    {
                        ["protocol"] = "Tcp",
                        ["sourcePortRange"] = "*",
                        ["destinationPortRange"] = "2376",
                        ["sourceAddressPrefix"] = "203.0.113.0/24",
                        ["destinationAddressPrefix"] = "*",
                        ["access"] = "Allow",
                        ["priority"] = 100,
                        ["direction"] = "Inbound",
                    },
                }),
            },
        };

        private static JsonObject Vnet(string nsgId) => new JsonObject
        {
            ["location"] = "westeurope",
            ["properties"] = new JsonObject
            {
                ["addressSpace"] = new JsonObject { ["addressPrefixes"] = new JsonArray("10.20.0.0/16") },
                ["subnets"] = new JsonArray(new JsonObject
                {
                    ["name"] = "default",
                    ["properties"] = new JsonObject { ["addressPrefix"] = "10.20.1.0/24", ["networkSecurityGroup"] = new JsonObject { ["id"] = nsgId } },
                }),
            },
        };

        private static JsonObject PublicIp(string label) => new JsonObject
        {
            ["location"] = "westeurope",
            ["sku"] = new JsonObject { ["name"] = "Standard", ["tier"] = "Regional" },
            ["properties"] = new JsonObject
            {
                ["publicIPAllocationMethod"] = "Static",
                ["publicIPAddressVersion"] = "IPv4",
                ["dnsSettings"] = new JsonObject { ["domainNameLabel"] = label },
            },
        };

        internal static JsonObject Nic(string subnetId, string pipId, string nsgId)
        {
            var ip = new JsonObject { ["privateIPAllocationMethod"] = "Dynamic", ["subnet"] = new JsonObject { ["id"] = subnetId } };
            if (pipId != null)
            {
                ip["publicIPAddress"] = new JsonObject { ["id"] = pipId };
            }

            var properties = new JsonObject { ["ipConfigurations"] = new JsonArray(new JsonObject { ["name"] = "ipconfig1", ["properties"] = ip }) };
            if (nsgId != null)
            {
                properties["networkSecurityGroup"] = new JsonObject { ["id"] = nsgId };
            }

            return new JsonObject { ["location"] = "westeurope", ["properties"] = properties };
        }
    }
}

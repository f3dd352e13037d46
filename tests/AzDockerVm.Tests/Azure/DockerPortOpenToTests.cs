using System.Linq;
using System.Management.Automation;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using AzDockerVm.Tests.Bench;
using AzDockerVm.Tests.FakeArm;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>
    /// Get-AzDockerVm's DockerPortOpenTo: every source some inbound Allow rule lets reach the host's Docker port, not
    /// only the host's own rule (AllowedSourceAddress). An admin's wide rule shows; a rule for another port, another
    /// protocol or another host's address of the shared NSG does not; a Deny from anywhere ends the list; the NSG on
    /// the subnet counts as well, and with no NSG at all the port is open to '*'.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class DockerPortOpenToTests : IAsyncLifetime
    {
        private const string Ours = "203.0.113.0/24";
        private AzureBench _bench;

        public async Task InitializeAsync() => _bench = await AzureBench.StartAsync();

        public async Task DisposeAsync() => await _bench.DisposeAsync();

        private PSObject Get(string group, string name) => _bench.Ps.Run($"Get-AzDockerVm {group} {name}").ThrowIfFailed().Single();

        private static string[] OpenTo(PSObject host) => (string[])host.Properties["DockerPortOpenTo"].Value;

        [Fact]
        public void A_new_host_is_open_to_its_allowed_sources_only_and_one_made_without_them_to_the_Internet()
        {
            var made = _bench.Ps.Run($"New-AzDockerVm -ResourceGroupName rg-docker -Name dock1 -Location westeurope -AllowedSourceAddress {Ours} -NoDockerContext").ThrowIfFailed().Single();
            _bench.Ps.Run("New-AzDockerVm -ResourceGroupName rg-docker -Name dock2 -Location westeurope -NoDockerContext -WarningAction SilentlyContinue").ThrowIfFailed();

            Assert.Equal(new[] { Ours }, OpenTo(Get("rg-docker", "dock1")));
            Assert.Equal(new[] { "Internet" }, OpenTo(Get("rg-docker", "dock2")));
            Assert.Empty((string[])Get("rg-docker", "dock2").Properties["AllowedSourceAddress"].Value);
            // New-AzDockerVm reports what it made; what the NSGs admit is Get-AzDockerVm's to read.
            Assert.Null(made.Properties["DockerPortOpenTo"].Value);
        }

        /// <summary>One more rule in the group's shared NSG (the host's own rule allows 203.0.113.0/24 at priority 1000, to its private address 192.168.1.4).</summary>
        [Theory]
        [InlineData("an admin's Allow for a port range from anywhere, before ours", "Allow", "Tcp", "*", "*", "2000-3000", 500, new[] { "*", Ours })]
        [InlineData("an Allow from the Internet to the subnet, after ours", "Allow", "Tcp", "Internet", "192.168.1.0/24", "2376", 1100, new[] { Ours, "Internet" })]
        [InlineData("an Allow to the host's public address, any protocol", "Allow", "*", "198.51.100.7", "20.50.0.1", "2376", 1200, new[] { Ours, "198.51.100.7" })]
        [InlineData("an Allow to VirtualNetwork for every port", "Allow", "Tcp", "10.1.0.0/16", "VirtualNetwork", "*", 1300, new[] { Ours, "10.1.0.0/16" })]
        [InlineData("an Allow to another host's address of the shared NSG", "Allow", "Tcp", "*", "192.168.1.200", "2376", 500, new[] { Ours })]
        [InlineData("an Allow to the Internet tag (no VM address)", "Allow", "Tcp", "*", "Internet", "2376", 500, new[] { Ours })]
        [InlineData("an Allow for UDP", "Allow", "Udp", "*", "*", "2376", 500, new[] { Ours })]
        [InlineData("an Allow for another port", "Allow", "Tcp", "*", "*", "22", 500, new[] { Ours })]
        [InlineData("a Deny from anywhere before ours", "Deny", "Tcp", "*", "*", "2376", 900, new string[0])]
        [InlineData("a Deny from anywhere after ours", "Deny", "Tcp", "*", "*", "2376", 1100, new[] { Ours })]
        [InlineData("a Deny from one network before ours", "Deny", "Tcp", "198.51.100.0/24", "*", "2376", 900, new[] { Ours })]
        public void Another_rule_of_the_NSG_shows_only_when_it_admits_TCP_to_the_port_and_the_host(
            string rule, string access, string protocol, string source, string destination, string ports, int priority, string[] expected)
        {
            _bench.Ps.Run($"New-AzDockerVm -ResourceGroupName rg-docker -Name dock1 -Location westeurope -AllowedSourceAddress {Ours} -NoDockerContext").ThrowIfFailed();
            var host = Get("rg-docker", "dock1");
            Assert.Equal("192.168.1.4", host.Properties["PrivateIpAddress"].Value);
            Assert.Equal("20.50.0.1", host.Properties["PublicIpAddress"].Value);

            _bench.Arm.AddSecurityRule("rg-docker", "azdockervm-nsg", "Admin-Rule", new JsonObject
            {
                ["protocol"] = protocol,
                ["sourcePortRange"] = "*",
                ["destinationPortRange"] = ports,
                ["sourceAddressPrefix"] = source,
                ["destinationAddressPrefix"] = destination,
                ["access"] = access,
                ["priority"] = priority,
                ["direction"] = "Inbound",
            });
            host = Get("rg-docker", "dock1");

            Assert.True(expected.SequenceEqual(OpenTo(host)), $"{rule}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", OpenTo(host))}]");
            // AllowedSourceAddress stays what the host's own rule says.
            Assert.Equal(new[] { Ours }, (string[])host.Properties["AllowedSourceAddress"].Value);
        }

        [Fact]
        public async Task The_subnets_NSG_counts_too_and_without_any_NSG_the_port_is_open_to_everyone()
        {
            // The portal's VM: its NSG (SSH only) on the NIC; then on the subnet instead; then nowhere.
            var vm = _bench.AddVm("vm1", "rg1");
            _bench.Ps.Run("Set-AzDockerExtension rg1 vm1 -NoDockerContext").ThrowIfFailed();
            using var http = new ArmHttp(_bench.Arm);
            string vnetId = vm.SubnetId.Substring(0, vm.SubnetId.IndexOf("/subnets/"));
            Assert.Empty(OpenTo(Get("rg1", "vm1")));

            await Put(http, vm.NicId, NicWithoutNsg(vm));
            await Put(http, vnetId, Vnet(subnetNsg: vm.NsgId));
            var onSubnet = OpenTo(Get("rg1", "vm1"));
            _bench.Arm.AllowInbound("rg1", "vm1-nsg", 2376);
            var onSubnetAllowed = OpenTo(Get("rg1", "vm1"));
            await Put(http, vnetId, Vnet(subnetNsg: null));
            var nowhere = OpenTo(Get("rg1", "vm1"));

            Assert.Empty(onSubnet);
            Assert.Equal(new[] { "*" }, onSubnetAllowed);
            Assert.Equal(new[] { "*" }, nowhere);
        }

        // The bodies a client sends (no read-only properties: the traffic stays valid against the specs).
        private static JsonObject NicWithoutNsg(AzDockerVm.FakeArm.SeededVm vm) => new JsonObject
        {
            ["location"] = "westeurope",
            ["properties"] = new JsonObject
            {
                ["ipConfigurations"] = new JsonArray(new JsonObject
                {
                    ["name"] = "ipconfig1",
                    ["properties"] = new JsonObject
                    {
                        ["privateIPAllocationMethod"] = "Dynamic",
                        ["subnet"] = new JsonObject { ["id"] = vm.SubnetId },
                        ["publicIPAddress"] = new JsonObject { ["id"] = vm.PublicIpId },
                    },
                }),
            },
        };

        private static JsonObject Vnet(string subnetNsg)
        {
            var subnet = new JsonObject { ["addressPrefix"] = "10.0.0.0/24" };
            if (subnetNsg != null)
            {
                subnet["networkSecurityGroup"] = new JsonObject { ["id"] = subnetNsg };
            }

            return new JsonObject
            {
                ["location"] = "westeurope",
                ["properties"] = new JsonObject
                {
                    ["addressSpace"] = new JsonObject { ["addressPrefixes"] = new JsonArray("10.0.0.0/16") },
                    ["subnets"] = new JsonArray(new JsonObject { ["name"] = "default", ["properties"] = subnet }),
                },
            };
        }

        /// <summary>A PUT as a client of ARM sends it, waited for.</summary>
        private static async Task Put(ArmHttp http, string id, JsonObject body)
        {
            var put = await http.PutAndWaitAsync(id + "?" + ArmHttp.Network, body, withTags: false);
            Assert.True(put.Final?.Status == 200, put.Start + " " + string.Join(" ", put.Polls));
        }
    }
}

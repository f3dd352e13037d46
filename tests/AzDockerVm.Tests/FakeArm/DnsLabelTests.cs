using System.Text.Json.Nodes;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using Xunit;

namespace AzDockerVm.Tests.FakeArm
{
    public class DnsLabelTests
    {
        [Fact]
        public async Task A_label_another_public_IP_uses_in_the_same_location_is_400_DnsRecordInUse_and_nothing_is_stored()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddResourceGroup("rg1");
            arm.AddResourceGroup("rg2", "northeurope");
            using var http = new ArmHttp(arm);
            var first = http.NetworkResource("rg1", "publicIPAddresses", "ip1");
            var second = http.NetworkResource("rg2", "publicIPAddresses", "ip2");
            await http.PutAndWaitAsync(first + "?" + ArmHttp.Network, PublicIp("dockerhost-1a2b", "westeurope"));

            var taken = await http.PutAsync(second + "?" + ArmHttp.Network, PublicIp("dockerhost-1a2b", "West Europe"));

            Assert.Equal((400, "DnsRecordInUse"), (taken.Status, taken.ErrorCode));
            Assert.Equal("DNS record dockerhost-1a2b.westeurope.cloudapp.azure.com is already used by another public IP.", (string)taken.Body["error"]["message"]);
            Assert.False(arm.Exists(second));
            Assert.Equal(404, (await http.GetAsync(second + "?" + ArmHttp.Network)).Status);
        }

        [Fact]
        public async Task The_same_label_is_free_in_another_location_and_a_public_IP_may_keep_its_own()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddResourceGroup("rg");
            using var http = new ArmHttp(arm);
            var west = http.NetworkResource("rg", "publicIPAddresses", "west");
            var north = http.NetworkResource("rg", "publicIPAddresses", "north");
            await http.PutAndWaitAsync(west + "?" + ArmHttp.Network, PublicIp("dockerhost", "westeurope"));

            var elsewhere = await http.PutAndWaitAsync(north + "?" + ArmHttp.Network, PublicIp("dockerhost", "northeurope"));
            var again = await http.PutAndWaitAsync(west + "?" + ArmHttp.Network, PublicIp("dockerhost", "westeurope"));

            Assert.Equal(201, elsewhere.Start.Status);
            Assert.Equal("dockerhost.northeurope.cloudapp.azure.com", (string)elsewhere.Final.Body["properties"]["dnsSettings"]["fqdn"]);
            Assert.Equal(200, again.Start.Status);
            Assert.Equal("dockerhost.westeurope.cloudapp.azure.com", (string)again.Final.Body["properties"]["dnsSettings"]["fqdn"]);
        }

        [Fact]
        public async Task A_seeded_VM_s_label_is_taken_until_its_public_IP_is_deleted()
        {
            await using var arm = await FakeArmServer.StartAsync();
            var seeded = arm.AddLinuxVm("rg", "vm1", fqdn: "myvm.westeurope.cloudapp.azure.com", withPublicIp: true);
            using var http = new ArmHttp(arm);
            var other = http.NetworkResource("rg", "publicIPAddresses", "other");

            var taken = await http.PutAsync(other + "?" + ArmHttp.Network, PublicIp("myvm", "westeurope"));
            await http.DeleteAndWaitAsync(seeded.Id + "?" + ArmHttp.Compute);
            await http.DeleteAndWaitAsync(seeded.NicId + "?" + ArmHttp.Network);
            await http.DeleteAndWaitAsync(seeded.PublicIpId + "?" + ArmHttp.Network);
            var free = await http.PutAndWaitAsync(other + "?" + ArmHttp.Network, PublicIp("myvm", "westeurope"));

            Assert.Equal((400, "DnsRecordInUse"), (taken.Status, taken.ErrorCode));
            Assert.Equal(201, free.Start.Status);
            Assert.Equal("Succeeded", (string)free.Polls[^1].Body["status"]);
        }

        [Theory]
        [InlineData("ab")]
        [InlineData("1host")]
        [InlineData("DockerHost")]
        [InlineData("docker-")]
        [InlineData("docker_host")]
        [InlineData("a123456789012345678901234567890123456789012345678901234567890123")]
        public async Task A_label_breaking_Azure_s_rule_is_400_InvalidDomainNameLabel_and_nothing_is_stored(string label)
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddResourceGroup("rg");
            using var http = new ArmHttp(arm);
            var pip = http.NetworkResource("rg", "publicIPAddresses", "ip");

            var refused = await http.PutAsync(pip + "?" + ArmHttp.Network, PublicIp(label, "westeurope"));

            Assert.Equal((400, "InvalidDomainNameLabel"), (refused.Status, refused.ErrorCode));
            Assert.Equal($"The domain name label {label} is invalid. It must conform to the following regular expression: ^[a-z][a-z0-9-]{{1,61}}[a-z0-9]$.", (string)refused.Body["error"]["message"]);
            Assert.False(arm.Exists(pip));
        }

        [Theory]
        [InlineData("abc")]
        [InlineData("a1-2")]
        [InlineData("a12345678901234567890123456789012345678901234567890123456789012")]
        public async Task Labels_of_3_to_63_lowercase_letters_digits_and_hyphens_are_accepted(string label)
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddResourceGroup("rg");
            using var http = new ArmHttp(arm);

            var run = await http.PutAndWaitAsync(http.NetworkResource("rg", "publicIPAddresses", "ip") + "?" + ArmHttp.Network, PublicIp(label, "westeurope"));

            Assert.Equal(201, run.Start.Status);
            Assert.Equal(label + ".westeurope.cloudapp.azure.com", (string)run.Final.Body["properties"]["dnsSettings"]["fqdn"]);
        }

        private static JsonObject PublicIp(string label, string location) => new JsonObject
        {
            ["location"] = location,
            ["sku"] = new JsonObject { ["name"] = "Standard", ["tier"] = "Regional" },
            ["properties"] = new JsonObject
            {
                ["publicIPAllocationMethod"] = "Static",
                ["dnsSettings"] = new JsonObject { ["domainNameLabel"] = label },
            },
        };
    }
}

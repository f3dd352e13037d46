using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using Xunit;

namespace AzDockerVm.Tests.FakeArm
{
    public class VirtualMachineTests
    {
        [Fact]
        public async Task A_seeded_Linux_VM_is_returned_with_the_readonly_fields_ARM_returns()
        {
            await using var arm = await FakeArmServer.StartAsync();
            var seeded = arm.AddLinuxVm("rg", "vm1", publicIp: "20.1.2.3", fqdn: "myvm.westeurope.cloudapp.azure.com", privateIp: "10.0.0.4", adminUsername: "docker");
            using var http = new ArmHttp(arm);

            var vm = (await http.GetAsync(http.Vm("rg", "vm1") + "?" + ArmHttp.Compute)).Body;

            Assert.Equal(seeded.Id, (string)vm["id"]);
            Assert.Equal("vm1", (string)vm["name"]);
            Assert.Equal("Microsoft.Compute/virtualMachines", (string)vm["type"]);
            Assert.Equal("westeurope", (string)vm["location"]);
            Assert.Equal(seeded.VmId, (string)vm["properties"]["vmId"]);
            Assert.Equal("Succeeded", (string)vm["properties"]["provisioningState"]);
            Assert.Equal("Linux", (string)vm["properties"]["storageProfile"]["osDisk"]["osType"]);
            Assert.Equal("docker", (string)vm["properties"]["osProfile"]["adminUsername"]);
            Assert.Equal(seeded.NicId, (string)vm["properties"]["networkProfile"]["networkInterfaces"][0]["id"]);
            Assert.Null(vm["properties"]["instanceView"]);
        }

        [Fact]
        public async Task The_seeded_network_leads_from_the_VM_to_its_addresses()
        {
            await using var arm = await FakeArmServer.StartAsync();
            var seeded = arm.AddLinuxVm("rg", "vm1", publicIp: "20.1.2.3", fqdn: "myvm.westeurope.cloudapp.azure.com", privateIp: "10.0.0.4");
            using var http = new ArmHttp(arm);

            var nic = (await http.GetAsync(seeded.NicId + "?" + ArmHttp.Network)).Body;
            var ipConfiguration = nic["properties"]["ipConfigurations"][0];
            var pip = (await http.GetAsync((string)ipConfiguration["properties"]["publicIPAddress"]["id"] + "?" + ArmHttp.Network)).Body;

            Assert.Equal("10.0.0.4", (string)ipConfiguration["properties"]["privateIPAddress"]);
            Assert.Equal(seeded.Id, (string)nic["properties"]["virtualMachine"]["id"]);
            Assert.Equal(seeded.NsgId, (string)nic["properties"]["networkSecurityGroup"]["id"]);
            Assert.Equal("20.1.2.3", (string)pip["properties"]["ipAddress"]);
            Assert.Equal("myvm.westeurope.cloudapp.azure.com", (string)pip["properties"]["dnsSettings"]["fqdn"]);
            Assert.Equal((string)ipConfiguration["id"], (string)pip["properties"]["ipConfiguration"]["id"]);
            Assert.Equal(("20.1.2.3", "myvm.westeurope.cloudapp.azure.com", "10.0.0.4"), (seeded.PublicIp, seeded.Fqdn, seeded.PrivateIp));
        }

        [Fact]
        public async Task Addresses_are_allocated_when_not_given_and_a_VM_can_have_no_public_IP()
        {
            await using var arm = await FakeArmServer.StartAsync();
            var first = arm.AddLinuxVm("rg", "vm1");
            var second = arm.AddLinuxVm("rg", "vm2");
            var hidden = arm.AddLinuxVm("rg", "vm3", withPublicIp: false);

            Assert.Equal("10.0.0.4", first.PrivateIp);
            Assert.Equal("10.0.0.5", second.PrivateIp);
            Assert.NotEqual(first.PublicIp, second.PublicIp);
            Assert.Null(hidden.PublicIpId);
            Assert.Null(hidden.PublicIp);
        }

        [Theory]
        [InlineData(VmPowerState.Running, "PowerState/running")]
        [InlineData(VmPowerState.Deallocated, "PowerState/deallocated")]
        public async Task The_instance_view_reports_the_power_state(VmPowerState state, string code)
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddLinuxVm("rg", "vm1", powerState: state);
            using var http = new ArmHttp(arm);

            var expanded = (await http.GetAsync(http.Vm("rg", "vm1") + "?$expand=instanceView&" + ArmHttp.Compute)).Body;
            var view = (await http.GetAsync(http.Vm("rg", "vm1") + "/instanceView?" + ArmHttp.Compute)).Body;

            foreach (var instanceView in new[] { expanded["properties"]["instanceView"], view })
            {
                var codes = instanceView["statuses"].AsArray().Select(s => (string)s["code"]).ToArray();
                Assert.Equal(new[] { "ProvisioningState/succeeded", code }, codes);
            }

            Assert.Equal(state == VmPowerState.Running, view["vmAgent"] != null);
        }

        [Fact]
        public async Task A_Windows_VM_says_so_in_its_OS_disk()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddWindowsVm("rg", "win1");
            using var http = new ArmHttp(arm);

            var vm = (await http.GetAsync(http.Vm("rg", "win1") + "?" + ArmHttp.Compute)).Body;

            Assert.Equal("Windows", (string)vm["properties"]["storageProfile"]["osDisk"]["osType"]);
            Assert.NotNull(vm["properties"]["osProfile"]["windowsConfiguration"]);
        }

        [Fact]
        public async Task VMs_are_listed_per_group_and_per_subscription()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddLinuxVm("rg1", "a");
            arm.AddLinuxVm("rg1", "b");
            arm.AddWindowsVm("rg2", "c");
            using var http = new ArmHttp(arm);

            var inGroup = (await http.GetAsync(http.Rg("rg1") + "/providers/Microsoft.Compute/virtualMachines?" + ArmHttp.Compute)).Body;
            var all = (await http.GetAsync(http.Sub + "/providers/Microsoft.Compute/virtualMachines?" + ArmHttp.Compute)).Body;

            Assert.Equal(new[] { "a", "b" }, inGroup["value"].AsArray().Select(v => (string)v["name"]));
            Assert.Equal(new[] { "a", "b", "c" }, all["value"].AsArray().Select(v => (string)v["name"]));
        }

        [Fact]
        public async Task A_VM_PUT_runs_as_a_long_running_operation_and_adminPassword_is_never_returned()
        {
            await using var arm = await FakeArmServer.StartAsync();
            var seeded = arm.AddLinuxVm("rg", "existing");
            using var http = new ArmHttp(arm);
            var nicId = http.NetworkResource("rg", "networkInterfaces", "vm2-nic");
            await http.PutAndWaitAsync(nicId + "?" + ArmHttp.Network, new JsonObject
            {
                ["location"] = "westeurope",
                ["properties"] = new JsonObject
                {
                    ["ipConfigurations"] = new JsonArray(new JsonObject
                    {
                        ["name"] = "ipconfig1",
                        ["properties"] = new JsonObject { ["subnet"] = new JsonObject { ["id"] = seeded.SubnetId } },
                    }),
                },
            });
            var body = new JsonObject
            {
                ["location"] = "westeurope",
                ["properties"] = new JsonObject
                {
                    ["hardwareProfile"] = new JsonObject { ["vmSize"] = "Standard_B2s" },
                    ["storageProfile"] = new JsonObject
                    {
                        ["imageReference"] = new JsonObject { ["publisher"] = "Canonical", ["offer"] = "0001-com-ubuntu-server-jammy", ["sku"] = "22_04-lts-gen2", ["version"] = "latest" },
                        ["osDisk"] = new JsonObject { ["createOption"] = "FromImage", ["managedDisk"] = new JsonObject { ["storageAccountType"] = "Standard_LRS" } },
                    },
                    ["osProfile"] = new JsonObject { ["computerName"] = "vm2", ["adminUsername"] = "azureuser", ["adminPassword"] = "S3cret-Passw0rd!" },
                    ["networkProfile"] = new JsonObject { ["networkInterfaces"] = new JsonArray(new JsonObject { ["id"] = nicId }) },
                },
            };

            var run = await http.PutAndWaitAsync(http.Vm("rg", "vm2") + "?" + ArmHttp.Compute, body);
            var expanded = await http.GetAsync(http.Vm("rg", "vm2") + "?$expand=instanceView&" + ArmHttp.Compute);
            var list = await http.GetAsync(http.Rg("rg") + "/providers/Microsoft.Compute/virtualMachines?" + ArmHttp.Compute);
            var view = await http.GetAsync(http.Vm("rg", "vm2") + "/instanceView?" + ArmHttp.Compute);

            Assert.Equal(201, run.Start.Status);
            Assert.Equal("Creating", (string)run.Start.Body["properties"]["provisioningState"]);
            Assert.StartsWith(arm.BaseUri + $"subscriptions/{arm.SubscriptionId}/providers/Microsoft.Compute/locations/westeurope/operations/", run.Start.Header("Azure-AsyncOperation"));
            Assert.Equal(new[] { "Succeeded" }, run.Polls.Select(p => (string)p.Body["status"]));
            Assert.Equal("Succeeded", (string)run.Final.Body["properties"]["provisioningState"]);
            Assert.Equal("Linux", (string)run.Final.Body["properties"]["storageProfile"]["osDisk"]["osType"]);
            foreach (var reply in new[] { run.Start, run.Final, expanded, list, view })
            {
                Assert.DoesNotContain("adminPassword", reply.Text);
                Assert.DoesNotContain("S3cret-Passw0rd!", reply.Text);
            }

            Assert.Equal("S3cret-Passw0rd!", arm.GetAdminPassword("rg", "vm2"));
        }

        [Fact]
        public async Task Updating_a_VM_answers_200_Updating_and_keeps_its_identity()
        {
            await using var arm = await FakeArmServer.StartAsync();
            var seeded = arm.AddLinuxVm("rg", "vm1");
            using var http = new ArmHttp(arm);
            var body = PutBody((await http.GetAsync(http.Vm("rg", "vm1") + "?" + ArmHttp.Compute)).Body);

            var run = await http.PutAndWaitAsync(http.Vm("rg", "vm1") + "?" + ArmHttp.Compute, body);

            Assert.Equal(200, run.Start.Status);
            Assert.Equal("Updating", (string)run.Start.Body["properties"]["provisioningState"]);
            Assert.Equal(seeded.VmId, (string)run.Final.Body["properties"]["vmId"]);
        }

        [Fact]
        public async Task Missing_VMs_are_404_ResourceNotFound_and_a_missing_group_404_ResourceGroupNotFound()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddResourceGroup("rg");
            using var http = new ArmHttp(arm);

            var noVm = await http.GetAsync(http.Vm("rg", "ghost") + "?" + ArmHttp.Compute);
            var noGroup = await http.GetAsync(http.Vm("nogroup", "ghost") + "?" + ArmHttp.Compute);

            Assert.Equal((404, "ResourceNotFound"), (noVm.Status, noVm.ErrorCode));
            Assert.Contains("'Microsoft.Compute/virtualMachines/ghost'", (string)noVm.Body["error"]["message"]);
            Assert.Equal((404, "ResourceGroupNotFound"), (noGroup.Status, noGroup.ErrorCode));
        }

        [Fact]
        public async Task DELETE_answers_202_with_Location_then_the_VM_is_gone_and_its_NIC_free()
        {
            await using var arm = await FakeArmServer.StartAsync();
            var seeded = arm.AddLinuxVm("rg", "vm1");
            using var http = new ArmHttp(arm);

            var nicInUse = await http.DeleteAsync(seeded.NicId + "?" + ArmHttp.Network);
            var run = await http.DeleteAndWaitAsync(http.Vm("rg", "vm1") + "?" + ArmHttp.Compute);
            var after = await http.GetAsync(http.Vm("rg", "vm1") + "?" + ArmHttp.Compute);
            var nic = await http.GetAsync(seeded.NicId + "?" + ArmHttp.Network);
            var again = await http.DeleteAsync(http.Vm("rg", "vm1") + "?" + ArmHttp.Compute);

            Assert.Equal((400, "NicInUse"), (nicInUse.Status, nicInUse.ErrorCode));
            Assert.Equal(202, run.Start.Status);
            Assert.StartsWith(arm.BaseUri + $"subscriptions/{arm.SubscriptionId}/providers/Microsoft.Compute/locations/westeurope/operations/", run.Start.Header("Location"));
            Assert.Equal(new[] { 200 }, run.Polls.Select(p => p.Status));
            Assert.Equal(404, after.Status);
            Assert.Null(nic.Body["properties"]["virtualMachine"]);
            Assert.Equal(204, again.Status);
        }
    
        /// <summary>A GET answer made into a PUT body as the SDK sends it: read-only properties left out.</summary>
        internal static JsonObject PutBody(JsonNode vm)
        {
            var body = new JsonObject { ["location"] = vm["location"].DeepClone(), ["properties"] = vm["properties"].DeepClone() };
            var properties = body["properties"].AsObject();
            foreach (var readOnly in new[] { "vmId", "provisioningState", "timeCreated", "instanceView" })
            {
                properties.Remove(readOnly);
            }

            (properties["storageProfile"]?["imageReference"] as JsonObject)?.Remove("exactVersion");
            return body;
        }
    }
}

using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using Xunit;

namespace AzDockerVm.Tests.FakeArm
{
    public class VmCreateValidationTests
    {
        [Theory]
        [InlineData("size", 400, "InvalidParameter", "vmSize", "The value Standard_Bogus9 provided for the VM size is not valid. The valid sizes in the current region are: Standard_B1s,")]
        [InlineData("image", 404, "PlatformImageNotFound", "imageReference", "The platform image 'Canonical:ubuntu-99_04-lts:server:latest' is not available. Verify that all fields in the storage profile are correct.")]
        [InlineData("version", 404, "PlatformImageNotFound", "imageReference", "The platform image 'Canonical:ubuntu-24_04-lts:server:newest' is not available.")]
        [InlineData("computerName", 400, "InvalidParameter", "computerName", "Required parameter 'computerName' is missing (null).")]
        [InlineData("adminUsername", 400, "InvalidParameter", "adminUsername", "Required parameter 'adminUsername' is missing (null).")]
        [InlineData("noKeys", 400, "InvalidParameter", "linuxConfiguration", "Authentication using either SSH or by user name and password must be enabled in Linux profile.")]
        [InlineData("badKey", 400, "InvalidParameter", "linuxConfiguration.ssh.publicKeys.keyData", "The value of parameter linuxConfiguration.ssh.publicKeys.keyData is invalid.")]
        [InlineData("noPassword", 400, "InvalidParameter", "adminPassword", "Required parameter 'adminPassword' is missing (null).")]
        [InlineData("noNic", 400, "InvalidParameter", "networkProfile", "Required parameter 'networkProfile' is missing (null).")]
        [InlineData("missingNic", 400, "InvalidResourceReference", null, "/networkInterfaces/ghost-nic referenced by resource ")]
        [InlineData("nicInUse", 400, "NicInUse", null, "/networkInterfaces/seed-nic is used by existing VM ")]
        [InlineData("nicElsewhere", 400, "InvalidParameter", "networkInterfaces", "is in location 'northeurope'")]
        public async Task A_new_VM_that_ARM_would_refuse_is_refused_the_same_way_and_not_stored(string flaw, int status, string code, string target, string message)
        {
            await using var arm = await FakeArmServer.StartAsync();
            var seed = arm.AddLinuxVm("rg", "seed");
            var north = arm.AddLinuxVm("rgn", "north", location: "northeurope");
            using var http = new ArmHttp(arm);
            var nicId = await VmBodies.PutNicAsync(http, "rg", "new-nic", seed.SubnetId);
            var body = VmBodies.Linux("vm2", nicId);
            var properties = body["properties"];
            var os = properties["osProfile"].AsObject();
            var linux = os["linuxConfiguration"].AsObject();
            switch (flaw)
            {
                case "size": properties["hardwareProfile"]["vmSize"] = "Standard_Bogus9"; break;
                case "image": properties["storageProfile"]["imageReference"]["offer"] = "ubuntu-99_04-lts"; break;
                case "version": properties["storageProfile"]["imageReference"]["version"] = "newest"; break;
                case "computerName": os.Remove("computerName"); break;
                case "adminUsername": os.Remove("adminUsername"); break;
                case "noKeys": linux.Remove("ssh"); break;
                case "badKey": linux["ssh"]["publicKeys"][0]["keyData"] = "AAAAB3NzaC1yc2E-no-type"; break;
                case "noPassword": linux["disablePasswordAuthentication"] = false; break;
                case "noNic": properties.AsObject().Remove("networkProfile"); break;
                case "missingNic": properties["networkProfile"]["networkInterfaces"][0]["id"] = http.NetworkResource("rg", "networkInterfaces", "ghost-nic"); break;
                case "nicInUse": properties["networkProfile"]["networkInterfaces"][0]["id"] = seed.NicId; break;
                case "nicElsewhere": properties["networkProfile"]["networkInterfaces"][0]["id"] = await VmBodies.PutNicAsync(http, "rgn", "far-nic", north.SubnetId, "northeurope"); break;
            }

            var refused = await http.PutAsync(http.Vm("rg", "vm2") + "?" + ArmHttp.Compute, body);
            var after = await http.GetAsync(http.Vm("rg", "vm2") + "?" + ArmHttp.Compute);
            var nic = await http.GetAsync(nicId + "?" + ArmHttp.Network);

            Assert.Equal((status, code), (refused.Status, refused.ErrorCode));
            Assert.Contains(message, (string)refused.Body["error"]["message"]);
            Assert.Equal(target, (string)refused.Body["error"]["target"]);
            Assert.Null(refused.Header("Azure-AsyncOperation"));
            Assert.Equal(404, after.Status);
            Assert.False(arm.Exists(http.Vm("rg", "vm2")));
            Assert.Null(nic.Body["properties"]["virtualMachine"]);
        }

        [Fact]
        public async Task A_new_VM_from_a_Windows_image_is_Windows_and_running_and_needs_a_password()
        {
            await using var arm = await FakeArmServer.StartAsync();
            var seed = arm.AddLinuxVm("rg", "seed");
            using var http = new ArmHttp(arm);
            var nicId = await VmBodies.PutNicAsync(http, "rg", "win-nic", seed.SubnetId);
            var body = VmBodies.Linux("win2", nicId, vmSize: "Standard_D2s_v5");
            body["properties"]["storageProfile"]["imageReference"] = new JsonObject
            {
                ["publisher"] = "MicrosoftWindowsServer", ["offer"] = "WindowsServer", ["sku"] = "2022-datacenter-azure-edition", ["version"] = "20348.2762.241006",
            };
            var os = body["properties"]["osProfile"].AsObject();
            os.Remove("linuxConfiguration");

            var noPassword = await http.PutAsync(http.Vm("rg", "win2") + "?" + ArmHttp.Compute, body);
            os["adminPassword"] = "Windows-P@ssw0rd-1";
            var run = await http.PutAndWaitAsync(http.Vm("rg", "win2") + "?" + ArmHttp.Compute, body);
            var view = await http.GetAsync(http.Vm("rg", "win2") + "/instanceView?" + ArmHttp.Compute);

            Assert.Equal((400, "InvalidParameter", "adminPassword"), (noPassword.Status, noPassword.ErrorCode, (string)noPassword.Body["error"]["target"]));
            Assert.Equal(201, run.Start.Status);
            Assert.Equal("Windows", (string)run.Final.Body["properties"]["storageProfile"]["osDisk"]["osType"]);
            Assert.Equal(new[] { "ProvisioningState/succeeded", "PowerState/running" }, view.Body["statuses"].AsArray().Select(s => (string)s["code"]));
            Assert.Equal(VmPowerState.Running, arm.GetPowerState("rg", "win2"));
        }

        [Theory]
        [InlineData("Canonical", "ubuntu-24_04-lts", "server", "latest")]
        [InlineData("canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2", "22.04.202410020")]
        [InlineData("Debian", "debian-12", "12-gen2", "latest")]
        [InlineData("RedHat", "RHEL", "9-lvm-gen2", "9.4.2024081520")]
        public async Task The_catalogue_s_Linux_images_create_Linux_VMs(string publisher, string offer, string sku, string version)
        {
            await using var arm = await FakeArmServer.StartAsync();
            var seed = arm.AddLinuxVm("rg", "seed");
            using var http = new ArmHttp(arm);
            var nicId = await VmBodies.PutNicAsync(http, "rg", "vm2-nic", seed.SubnetId);
            var body = VmBodies.Linux("vm2", nicId, vmSize: "Standard_B1s");
            body["properties"]["storageProfile"]["imageReference"] = new JsonObject { ["publisher"] = publisher, ["offer"] = offer, ["sku"] = sku, ["version"] = version };

            var run = await http.PutAndWaitAsync(http.Vm("rg", "vm2") + "?" + ArmHttp.Compute, body);

            Assert.Equal(201, run.Start.Status);
            Assert.Equal("Succeeded", (string)run.Final.Body["properties"]["provisioningState"]);
            Assert.Equal("Linux", (string)run.Final.Body["properties"]["storageProfile"]["osDisk"]["osType"]);
        }

        [Fact]
        public async Task Tests_can_add_images_and_sizes_and_seeding_is_not_validated()
        {
            await using var arm = await FakeArmServer.StartAsync();
            var seed = arm.AddLinuxVm("rg", "seed", vmSize: "Standard_NotInTheList");
            using var http = new ArmHttp(arm);
            var nicId = await VmBodies.PutNicAsync(http, "rg", "vm2-nic", seed.SubnetId);
            var body = VmBodies.Linux("vm2", nicId, vmSize: "Standard_E2s_v5");
            body["properties"]["storageProfile"]["imageReference"] = new JsonObject { ["publisher"] = "kinvolk", ["offer"] = "flatcar-container-linux-free", ["sku"] = "stable-gen2", ["version"] = "latest" };

            var before = await http.PutAsync(http.Vm("rg", "vm2") + "?" + ArmHttp.Compute, body);
            arm.AddVmSize("Standard_E2s_v5");
            var unknownImage = await http.PutAsync(http.Vm("rg", "vm2") + "?" + ArmHttp.Compute, body);
            arm.AddMarketplaceImage("kinvolk", "flatcar-container-linux-free", "stable-gen2");
            var run = await http.PutAndWaitAsync(http.Vm("rg", "vm2") + "?" + ArmHttp.Compute, body);

            Assert.True(arm.Exists(seed.Id));
            Assert.Equal((400, "InvalidParameter"), (before.Status, before.ErrorCode));
            Assert.Equal((404, "PlatformImageNotFound"), (unknownImage.Status, unknownImage.ErrorCode));
            Assert.Equal(201, run.Start.Status);
            Assert.Equal("Succeeded", (string)run.Final.Body["properties"]["provisioningState"]);
        }

        [Fact]
        public async Task Updating_an_existing_VM_is_not_create_validation()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddLinuxVm("rg", "vm1", vmSize: "Standard_NotInTheList");
            using var http = new ArmHttp(arm);
            var body = VirtualMachineTests.PutBody((await http.GetAsync(http.Vm("rg", "vm1") + "?" + ArmHttp.Compute)).Body);

            var run = await http.PutAndWaitAsync(http.Vm("rg", "vm1") + "?" + ArmHttp.Compute, body);

            Assert.Equal(200, run.Start.Status);
            Assert.Equal("Succeeded", (string)run.Final.Body["properties"]["provisioningState"]);
        }
    }
}

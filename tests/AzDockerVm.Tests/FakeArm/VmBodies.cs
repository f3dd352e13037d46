using System.Text.Json.Nodes;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;

namespace AzDockerVm.Tests.FakeArm
{
    /// <summary>Bodies of VM PUTs that pass the fake's create validation, and the NICs they need.</summary>
    internal static class VmBodies
    {
        public const string SshKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeArmTestKeyForTestsOnly000000000000000 tests@fakearm";

        /// <summary>A new NIC in <paramref name="subnetId"/> (PUT and waited for), returning its id.</summary>
        public static async Task<string> PutNicAsync(ArmHttp http, string resourceGroup, string name, string subnetId, string location = "westeurope")
        {
            var nicId = http.NetworkResource(resourceGroup, "networkInterfaces", name);
            var nic = NetworkTests.Nic(subnetId, null, null);
            nic["location"] = location;
            await http.PutAndWaitAsync(nicId + "?" + ArmHttp.Network, nic);
            return nicId;
        }

        /// <summary>A Linux VM as the SDK sends it: Ubuntu 24.04, SSH key only, one NIC.</summary>
        public static JsonObject Linux(string name, string nicId, string vmSize = "Standard_B2s", string location = "westeurope") => new JsonObject
        {
            ["location"] = location,
            ["properties"] = new JsonObject
            {
                ["hardwareProfile"] = new JsonObject { ["vmSize"] = vmSize },
                ["storageProfile"] = new JsonObject
                {
                    ["imageReference"] = new JsonObject { ["publisher"] = "Canonical", ["offer"] = "ubuntu-24_04-lts", ["sku"] = "server", ["version"] = "latest" },
                    ["osDisk"] = new JsonObject { ["createOption"] = "FromImage", ["managedDisk"] = new JsonObject { ["storageAccountType"] = "StandardSSD_LRS" } },
                },
                ["osProfile"] = new JsonObject
                {
                    ["computerName"] = name,
                    ["adminUsername"] = "azureuser",
                    ["linuxConfiguration"] = new JsonObject
                    {
                        ["disablePasswordAuthentication"] = true,
                        ["ssh"] = new JsonObject
                        {
                            ["publicKeys"] = new JsonArray(new JsonObject { ["path"] = "/home/azureuser/.ssh/authorized_keys", ["keyData"] = SshKey }),
                        },
                    },
                },
                ["networkProfile"] = new JsonObject { ["networkInterfaces"] = new JsonArray(new JsonObject { ["id"] = nicId }) },
            },
        };
    }
}

using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using Xunit;

namespace AzDockerVm.Tests.FakeArm
{
    public class ExtensionTests
    {
        private const string Script = "#!/bin/sh\necho 'AZDOCKERVM status=ok'\n";

        [Fact]
        public async Task A_CustomScript_PUT_is_201_with_an_absolute_AsyncOperation_that_succeeds_and_reports_the_script_output()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddLinuxVm("rg", "vm1");
            using var http = new ArmHttp(arm);

            var run = await http.PutAndWaitAsync(http.Extension("rg", "vm1", "AzDockerVm") + "?" + ArmHttp.Compute, CustomScript(Script));
            var expanded = await http.GetAsync(http.Extension("rg", "vm1", "AzDockerVm") + "?$expand=instanceView&" + ArmHttp.Compute);

            Assert.Equal(201, run.Start.Status);
            Assert.Equal("Creating", (string)run.Start.Body["properties"]["provisioningState"]);
            var operation = run.Start.Header("Azure-AsyncOperation");
            Assert.StartsWith(arm.BaseUri + $"subscriptions/{arm.SubscriptionId}/providers/Microsoft.Compute/locations/westeurope/operations/", operation);
            Assert.EndsWith("?api-version=" + ApiVersions.Compute, operation);
            Assert.Single(run.Polls);
            Assert.Equal("Succeeded", (string)run.Polls[0].Body["status"]);
            Assert.NotNull(run.Polls[0].Body["startTime"]);
            Assert.Equal("Succeeded", (string)run.Final.Body["properties"]["provisioningState"]);

            var view = expanded.Body["properties"]["instanceView"];
            Assert.Equal("Microsoft.Azure.Extensions.CustomScript", (string)view["type"]);
            Assert.Equal("ProvisioningState/succeeded", (string)view["statuses"][0]["code"]);
            var substatuses = view["substatuses"].AsArray();
            Assert.Equal(new[] { "ComponentStatus/StdOut/succeeded", "ComponentStatus/StdErr/succeeded" }, substatuses.Select(s => (string)s["code"]));
            Assert.Equal("AZDOCKERVM status=ok docker=20.10.24 port=2376 tls=on changed=true started=true", ((string)substatuses[0]["message"]).TrimEnd());
            Assert.Contains("[stdout]\nAZDOCKERVM status=ok", (string)view["statuses"][0]["message"]);
        }

        [Fact]
        public async Task The_SDK_flow_is_three_exchanges_in_order_PUT_poll_GET()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddLinuxVm("rg", "vm1");
            using var http = new ArmHttp(arm);

            await http.PutAndWaitAsync(http.Extension("rg", "vm1", "AzDockerVm") + "?" + ArmHttp.Compute, CustomScript(Script));

            Assert.Equal(new[] { "PUT 201", "GET 200", "GET 200" }, arm.Requests.Select(r => r.Method + " " + r.Status));
            Assert.Contains("/operations/", arm.Requests[1].Path);
            Assert.EndsWith("/extensions/AzDockerVm", arm.Requests[2].Path);
        }

        [Fact]
        public async Task ProtectedSettings_are_write_only_but_visible_to_the_test_and_the_handler()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddLinuxVm("rg", "vm1");
            using var http = new ArmHttp(arm);
            var extension = http.Extension("rg", "vm1", "AzDockerVm");

            var run = await http.PutAndWaitAsync(extension + "?" + ArmHttp.Compute, CustomScript(Script, gzip: true));
            var replies = new[]
            {
                run.Start,
                run.Final,
                await http.GetAsync(extension + "?$expand=instanceView&" + ArmHttp.Compute),
                await http.GetAsync(http.Vm("rg", "vm1") + "/extensions?$expand=instanceView&" + ArmHttp.Compute),
                await http.GetAsync(http.Vm("rg", "vm1") + "?$expand=instanceView&" + ArmHttp.Compute),
                await http.GetAsync(http.Vm("rg", "vm1") + "/instanceView?" + ArmHttp.Compute),
            };

            var sent = (string)CustomScript(Script, gzip: true)["properties"]["protectedSettings"]["script"];
            Assert.All(replies, r => Assert.DoesNotContain("protectedSettings", r.Text));
            Assert.All(replies, r => Assert.DoesNotContain(sent, r.Text));
            Assert.Equal(sent, (string)arm.GetProtectedSettings("rg", "vm1", "AzDockerVm")["script"]);
            var put = Assert.Single(arm.ExtensionPuts);
            Assert.True(put.IsCreate);
            Assert.Equal(Script, put.Script);
        }

        [Fact]
        public async Task A_second_PUT_updates_200_Updating_and_the_VM_lists_the_extension()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddLinuxVm("rg", "vm1");
            using var http = new ArmHttp(arm);
            var extension = http.Extension("rg", "vm1", "AzDockerVm") + "?" + ArmHttp.Compute;

            await http.PutAndWaitAsync(extension, CustomScript(Script));
            var body = CustomScript(Script);
            body["properties"]["forceUpdateTag"] = "2";
            var update = await http.PutAndWaitAsync(extension, body);
            var vm = await http.GetAsync(http.Vm("rg", "vm1") + "?" + ArmHttp.Compute);

            Assert.Equal(200, update.Start.Status);
            Assert.Equal("Updating", (string)update.Start.Body["properties"]["provisioningState"]);
            Assert.Equal("2", (string)update.Final.Body["properties"]["forceUpdateTag"]);
            Assert.False(arm.ExtensionPuts[1].IsCreate);
            Assert.Equal("AzDockerVm", (string)vm.Body["resources"][0]["name"]);
        }

        [Fact]
        public async Task A_failed_outcome_ends_the_operation_Failed_with_VMExtensionProvisioningError()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddLinuxVm("rg", "vm1");
            arm.AddLinuxVm("rg", "vm2");
            arm.SetExtensionHandler("rg", "vm1", put => ExtensionOutcome.ScriptFailed(3, "installing docker", "E: Unable to locate package docker-ce"));
            using var http = new ArmHttp(arm);

            var failed = await http.PutAndWaitAsync(http.Extension("rg", "vm1", "AzDockerVm") + "?" + ArmHttp.Compute, CustomScript(Script));
            var other = await http.PutAndWaitAsync(http.Extension("rg", "vm2", "AzDockerVm") + "?" + ArmHttp.Compute, CustomScript(Script));
            var extension = await http.GetAsync(http.Extension("rg", "vm1", "AzDockerVm") + "?$expand=instanceView&" + ArmHttp.Compute);
            var vm = await http.GetAsync(http.Vm("rg", "vm1") + "?" + ArmHttp.Compute);

            var poll = Assert.Single(failed.Polls);
            Assert.Equal("Failed", (string)poll.Body["status"]);
            Assert.Equal("VMExtensionProvisioningError", (string)poll.Body["error"]["code"]);
            Assert.Contains("exit status=3", (string)poll.Body["error"]["message"]);
            Assert.Contains("E: Unable to locate package docker-ce", (string)poll.Body["error"]["message"]);
            Assert.Null(failed.Final);
            Assert.Equal("Succeeded", (string)other.Final.Body["properties"]["provisioningState"]);
            Assert.Equal("Failed", (string)extension.Body["properties"]["provisioningState"]);
            Assert.Equal("ProvisioningState/failed", (string)extension.Body["properties"]["instanceView"]["statuses"][0]["code"]);
            Assert.Equal("E: Unable to locate package docker-ce", (string)extension.Body["properties"]["instanceView"]["substatuses"][1]["message"]);
            Assert.Equal("Failed", (string)vm.Body["properties"]["provisioningState"]);
        }

        [Fact]
        public async Task A_global_handler_sees_the_settings_and_decides_the_stdout()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddLinuxVm("rg", "vm1");
            arm.ExtensionHandler = put => ExtensionOutcome.Success($"port={put.Port} publisher={put.Publisher}");
            using var http = new ArmHttp(arm);
            var body = new JsonObject
            {
                ["location"] = "westeurope",
                ["properties"] = new JsonObject
                {
                    ["publisher"] = "Microsoft.Azure.Extensions",
                    ["type"] = "DockerExtension",
                    ["typeHandlerVersion"] = "1.2",
                    ["autoUpgradeMinorVersion"] = true,
                    ["settings"] = new JsonObject { ["docker"] = new JsonObject { ["port"] = "2377" } },
                    ["protectedSettings"] = new JsonObject { ["certs"] = new JsonObject { ["ca"] = "Y2E=", ["cert"] = "Y2VydA==", ["key"] = "a2V5" } },
                },
            };

            var run = await http.PutAndWaitAsync(http.Extension("rg", "vm1", "DockerExtension") + "?" + ArmHttp.Compute, body);
            var view = (await http.GetAsync(http.Vm("rg", "vm1") + "/instanceView?" + ArmHttp.Compute)).Body;

            Assert.Equal("Succeeded", (string)run.Final.Body["properties"]["provisioningState"]);
            var extension = Assert.Single(view["extensions"].AsArray());
            Assert.Equal("Microsoft.Azure.Extensions.DockerExtension", (string)extension["type"]);
            Assert.Equal("port=2377 publisher=Microsoft.Azure.Extensions", (string)extension["substatuses"][0]["message"]);
        }

        [Fact]
        public async Task A_VM_carries_one_CustomScript_whatever_its_name()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddLinuxVm("rg", "vm1");
            var foreign = arm.AddExtension("rg", "vm1", "someone-elses-script", outcome: ExtensionOutcome.Success("hello"));
            using var http = new ArmHttp(arm);

            var list = await http.GetAsync(http.Vm("rg", "vm1") + "/extensions?" + ArmHttp.Compute);
            var second = await http.PutAsync(http.Extension("rg", "vm1", "AzDockerVm") + "?" + ArmHttp.Compute, CustomScript(Script));

            Assert.Equal(foreign, (string)list.Body["value"][0]["id"]);
            Assert.Equal("Succeeded", (string)list.Body["value"][0]["properties"]["provisioningState"]);
            Assert.Equal((400, "BadRequest"), (second.Status, second.ErrorCode));
            Assert.Contains("Multiple VMExtensions per handler not supported for OS type 'Linux'", (string)second.Body["error"]["message"]);
        }

        [Fact]
        public async Task Extensions_cannot_change_on_a_deallocated_VM_or_under_a_missing_one()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddLinuxVm("rg", "vm1", powerState: VmPowerState.Deallocated);
            using var http = new ArmHttp(arm);

            var deallocated = await http.PutAsync(http.Extension("rg", "vm1", "AzDockerVm") + "?" + ArmHttp.Compute, CustomScript(Script));
            var orphan = await http.PutAsync(http.Extension("rg", "ghost", "AzDockerVm") + "?" + ArmHttp.Compute, CustomScript(Script));
            var missing = await http.GetAsync(http.Extension("rg", "vm1", "AzDockerVm") + "?" + ArmHttp.Compute);
            var incomplete = await http.PutAsync(http.Extension("rg", "vm1", "x") + "?" + ArmHttp.Compute, new JsonObject { ["location"] = "westeurope", ["properties"] = new JsonObject { ["type"] = "CustomScript" } });

            Assert.Equal((409, "OperationNotAllowed"), (deallocated.Status, deallocated.ErrorCode));
            Assert.Equal((404, "ParentResourceNotFound"), (orphan.Status, orphan.ErrorCode));
            Assert.Equal((404, "ResourceNotFound"), (missing.Status, missing.ErrorCode));
            Assert.Equal((400, "InvalidParameter"), (incomplete.Status, incomplete.ErrorCode));
            Assert.Equal("publisher", (string)incomplete.Body["error"]["target"]);
        }

        [Fact]
        public async Task DELETE_is_202_with_Location_then_404_and_deleting_a_missing_extension_is_204()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddLinuxVm("rg", "vm1");
            arm.AddExtension("rg", "vm1", "AzDockerVm");
            using var http = new ArmHttp(arm);

            var run = await http.DeleteAndWaitAsync(http.Extension("rg", "vm1", "AzDockerVm") + "?" + ArmHttp.Compute);
            var after = await http.GetAsync(http.Extension("rg", "vm1", "AzDockerVm") + "?" + ArmHttp.Compute);
            var again = await http.DeleteAsync(http.Extension("rg", "vm1", "AzDockerVm") + "?" + ArmHttp.Compute);

            Assert.Equal(202, run.Start.Status);
            Assert.StartsWith(arm.BaseUri.ToString(), run.Start.Header("Location"));
            Assert.Equal(new[] { 200 }, run.Polls.Select(p => p.Status));
            Assert.Equal(404, after.Status);
            Assert.Equal(204, again.Status);
        }

        [Fact]
        public async Task While_the_handler_works_the_extension_is_Creating_and_transitioning()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddLinuxVm("rg", "vm1");
            arm.Faults.On("PUT", "*/extensions/*").SlowLro(inProgressPolls: 2);
            using var http = new ArmHttp(arm);
            var extension = http.Extension("rg", "vm1", "AzDockerVm");

            var put = await http.PutAsync(extension + "?" + ArmHttp.Compute, CustomScript(Script));
            var during = await http.GetAsync(extension + "?$expand=instanceView&" + ArmHttp.Compute);
            var poll1 = await http.GetAsync(put.Header("Azure-AsyncOperation"));
            var poll2 = await http.GetAsync(put.Header("Azure-AsyncOperation"));

            Assert.Equal("Creating", (string)during.Body["properties"]["provisioningState"]);
            Assert.Equal("ProvisioningState/transitioning", (string)during.Body["properties"]["instanceView"]["statuses"][0]["code"]);
            Assert.Equal("InProgress", (string)poll1.Body["status"]);
            Assert.Equal("Succeeded", (string)poll2.Body["status"]);
        }

        [Fact]
        public async Task A_write_while_an_operation_is_in_progress_is_409_Conflict_until_it_completes()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddLinuxVm("rg", "vm1");
            arm.Faults.On("PUT", "*/extensions/*").SlowLro(inProgressPolls: 5);
            using var http = new ArmHttp(arm);
            var extension = http.Extension("rg", "vm1", "AzDockerVm") + "?" + ArmHttp.Compute;

            var first = await http.PutAsync(extension, CustomScript(Script));
            var second = await http.PutAsync(extension, CustomScript(Script));
            arm.CompletePendingOperations();
            var poll = await http.GetAsync(first.Header("Azure-AsyncOperation"));
            var third = await http.PutAsync(extension, CustomScript(Script));

            Assert.Equal(201, first.Status);
            Assert.Equal((409, "Conflict"), (second.Status, second.ErrorCode));
            Assert.Equal("Succeeded", (string)poll.Body["status"]);
            Assert.Equal(200, third.Status);
        }

        internal static JsonObject CustomScript(string script, bool gzip = false)
        {
            var bytes = Encoding.UTF8.GetBytes(script);
            if (gzip)
            {
                using var buffer = new MemoryStream();
                using (var zip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
                {
                    zip.Write(bytes);
                }

                bytes = buffer.ToArray();
            }

            return new JsonObject
            {
                ["location"] = "westeurope",
                ["properties"] = new JsonObject
                {
                    ["publisher"] = "Microsoft.Azure.Extensions",
                    ["type"] = "CustomScript",
                    ["typeHandlerVersion"] = "2.1",
                    ["autoUpgradeMinorVersion"] = true,
                    ["settings"] = new JsonObject { ["timestamp"] = 1 },
                    ["protectedSettings"] = new JsonObject { ["script"] = Convert.ToBase64String(bytes) },
                },
            };
        }
    }
}

using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using Xunit;

namespace AzDockerVm.Tests.FakeArm
{
    public class FaultTests
    {
        [Fact]
        public async Task Throttling_answers_429_with_Retry_After_for_as_many_requests_as_asked()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddResourceGroup("rg");
            var rule = arm.Faults.On("GET", "*/resourcegroups/rg").Times(2).Throttle(retryAfterSeconds: 3);
            using var http = new ArmHttp(arm);

            var statuses = new[]
            {
                await http.GetAsync(http.Rg("rg") + "?" + ArmHttp.Resources),
                await http.GetAsync(http.Sub + "/resourceGroups/RG?" + ArmHttp.Resources),
                await http.GetAsync(http.Rg("rg") + "?" + ArmHttp.Resources),
            };

            Assert.Equal(new[] { 429, 429, 200 }, statuses.Select(s => s.Status));
            Assert.Equal("3", statuses[0].Header("Retry-After"));
            Assert.Equal("SubscriptionRequestsThrottled", statuses[0].ErrorCode);
            Assert.Equal(2, rule.Hits);
            Assert.Same(rule, arm.Requests[0].Fault);
        }

        [Fact]
        public async Task Server_errors_answer_500_only_on_the_matching_method()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddLinuxVm("rg", "vm1");
            arm.Faults.On("PUT", "*/virtualMachines/vm1").ServerError();
            using var http = new ArmHttp(arm);

            var get = await http.GetAsync(http.Vm("rg", "vm1") + "?" + ArmHttp.Compute);
            var put = await http.PutAsync(http.Vm("rg", "vm1") + "?" + ArmHttp.Compute, VirtualMachineTests.PutBody(get.Body));

            Assert.Equal(200, get.Status);
            Assert.Equal((500, "InternalServerError"), (put.Status, put.ErrorCode));
        }

        [Fact]
        public async Task A_dropped_connection_gets_no_answer_and_is_recorded_but_not_logged_as_traffic()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddResourceGroup("rg");
            arm.Faults.On("*", "*/resourceGroups/rg").DropConnection();
            using var http = new ArmHttp(arm);

            await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(http.Rg("rg") + "?" + ArmHttp.Resources));
            var retry = await http.GetAsync(http.Rg("rg") + "?" + ArmHttp.Resources);

            Assert.Equal(200, retry.Status);
            Assert.True(arm.Requests[0].ConnectionDropped);
            Assert.Single(System.IO.File.ReadAllLines(arm.TrafficLogPath));
        }

        [Fact]
        public async Task A_failing_LRO_ends_Failed_with_the_given_code_and_fails_the_resource()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddLinuxVm("rg", "vm1");
            arm.Faults.On("PUT", "*/virtualMachines/vm1").FailLro("AllocationFailed", "Allocation failed. We do not have sufficient capacity.");
            using var http = new ArmHttp(arm);
            var body = VirtualMachineTests.PutBody((await http.GetAsync(http.Vm("rg", "vm1") + "?" + ArmHttp.Compute)).Body);

            var run = await http.PutAndWaitAsync(http.Vm("rg", "vm1") + "?" + ArmHttp.Compute, body);
            var vm = await http.GetAsync(http.Vm("rg", "vm1") + "?$expand=instanceView&" + ArmHttp.Compute);

            Assert.Equal("Failed", (string)run.Polls.Single().Body["status"]);
            Assert.Equal("AllocationFailed", (string)run.Polls.Single().Body["error"]["code"]);
            Assert.Equal("Failed", (string)vm.Body["properties"]["provisioningState"]);
            Assert.Equal("ProvisioningState/failed/AllocationFailed", (string)vm.Body["properties"]["instanceView"]["statuses"][0]["code"]);
        }

        [Fact]
        public async Task A_failing_LRO_on_an_extension_PUT_fails_the_extension_with_that_code()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddLinuxVm("rg", "vm1");
            arm.Faults.On("PUT", "*/extensions/*").FailLro("VMAgentStatusCommunicationError", "VM 'vm1' has not reported status for VM agent or extensions.");
            using var http = new ArmHttp(arm);

            var run = await http.PutAndWaitAsync(http.Extension("rg", "vm1", "AzDockerVm") + "?" + ArmHttp.Compute, ExtensionTests.CustomScript("true"));
            var ext = await http.GetAsync(http.Extension("rg", "vm1", "AzDockerVm") + "?" + ArmHttp.Compute);

            Assert.Equal("VMAgentStatusCommunicationError", (string)run.Polls.Single().Body["error"]["code"]);
            Assert.Equal("Failed", (string)ext.Body["properties"]["provisioningState"]);
        }

        [Fact]
        public async Task A_slow_DELETE_answers_202_on_Location_until_done()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddLinuxVm("rg", "vm1");
            arm.Faults.On("DELETE", "*").SlowLro(inProgressPolls: 2);
            using var http = new ArmHttp(arm);

            var run = await http.DeleteAndWaitAsync(http.Vm("rg", "vm1") + "?" + ArmHttp.Compute);

            Assert.Equal(new[] { 202, 202, 200 }, run.Polls.Select(p => p.Status));
            Assert.False(arm.Exists(http.Vm("rg", "vm1")));
        }
    }
}

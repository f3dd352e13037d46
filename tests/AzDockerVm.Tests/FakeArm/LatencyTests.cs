using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using Xunit;

namespace AzDockerVm.Tests.FakeArm
{
    public class LatencyTests
    {
        private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(300);

        [Fact]
        public async Task With_a_latency_the_first_poll_is_held_and_answers_Succeeded_no_earlier_than_the_latency_after_the_PUT()
        {
            await using var arm = await FakeArmServer.StartAsync(new FakeArmOptions { LroLatency = Latency });
            var seeded = arm.AddLinuxVm("rg", "seed");
            using var http = new ArmHttp(arm);
            arm.LroLatency = TimeSpan.Zero;
            var nicId = await VmBodies.PutNicAsync(http, "rg", "vm2-nic", seeded.SubnetId);
            arm.LroLatency = Latency;

            var clock = Stopwatch.StartNew();
            var run = await http.PutAndWaitAsync(http.Vm("rg", "vm2") + "?" + ArmHttp.Compute, VmBodies.Linux("vm2", nicId));
            var elapsed = clock.Elapsed;

            Assert.Equal(201, run.Start.Status);
            Assert.Equal(new[] { "Succeeded" }, run.Polls.Select(p => (string)p.Body["status"]));
            Assert.True(elapsed >= Latency, $"Succeeded after {elapsed.TotalMilliseconds} ms");
            var start = DateTimeOffset.Parse((string)run.Polls[0].Body["startTime"]);
            var end = DateTimeOffset.Parse((string)run.Polls[0].Body["endTime"]);
            Assert.True(end - start >= Latency - TimeSpan.FromMilliseconds(20), $"endTime - startTime = {(end - start).TotalMilliseconds} ms");
            Assert.Equal("Succeeded", (string)run.Final.Body["properties"]["provisioningState"]);
        }

        [Fact]
        public async Task Two_operations_started_together_both_end_after_about_one_latency()
        {
            var latency = TimeSpan.FromMilliseconds(400);
            await using var arm = await FakeArmServer.StartAsync();
            var seeded = arm.AddLinuxVm("rg", "seed");
            using var http = new ArmHttp(arm);
            var nics = await Task.WhenAll(VmBodies.PutNicAsync(http, "rg", "a-nic", seeded.SubnetId), VmBodies.PutNicAsync(http, "rg", "b-nic", seeded.SubnetId));
            arm.LroLatency = latency;

            var clock = Stopwatch.StartNew();
            var runs = await Task.WhenAll(
                http.PutAndWaitAsync(http.Vm("rg", "a") + "?" + ArmHttp.Compute, VmBodies.Linux("a", nics[0])),
                http.PutAndWaitAsync(http.Vm("rg", "b") + "?" + ArmHttp.Compute, VmBodies.Linux("b", nics[1])));
            var elapsed = clock.Elapsed;

            Assert.All(runs, run => Assert.Equal(new[] { "Succeeded" }, run.Polls.Select(p => (string)p.Body["status"])));
            Assert.True(elapsed >= latency, $"both done after {elapsed.TotalMilliseconds} ms");
            Assert.True(elapsed < latency * 1.75, $"both done after {elapsed.TotalMilliseconds} ms: the latencies added up");
        }

        [Fact]
        public async Task A_GET_of_the_resource_before_the_deadline_does_not_end_the_operation()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddResourceGroup("rg");
            using var http = new ArmHttp(arm);
            arm.LroLatency = Latency;
            var nsgId = http.NetworkResource("rg", "networkSecurityGroups", "nsg");

            var put = await http.PutAsync(nsgId + "?" + ArmHttp.Network, new System.Text.Json.Nodes.JsonObject { ["location"] = "westeurope" });
            var early = await http.GetAsync(nsgId + "?" + ArmHttp.Network);
            var again = await http.GetAsync(nsgId + "?" + ArmHttp.Network);
            var poll = await http.GetAsync(put.Header("Azure-AsyncOperation"));
            var after = await http.GetAsync(nsgId + "?" + ArmHttp.Network);

            Assert.Equal("Updating", (string)early.Body["properties"]["provisioningState"]);
            Assert.Equal("Updating", (string)again.Body["properties"]["provisioningState"]);
            Assert.Equal("Succeeded", (string)poll.Body["status"]);
            Assert.Equal("Succeeded", (string)after.Body["properties"]["provisioningState"]);
        }

        [Fact]
        public async Task SlowLro_answers_InProgress_after_the_latency_and_a_DELETE_Location_is_held_too()
        {
            await using var arm = await FakeArmServer.StartAsync(new FakeArmOptions { LroLatency = Latency });
            arm.AddLinuxVm("rg", "vm1");
            arm.Faults.On("DELETE", "*/virtualMachines/vm1").SlowLro(inProgressPolls: 1);
            using var http = new ArmHttp(arm);

            var clock = Stopwatch.StartNew();
            var delete = await http.DeleteAsync(http.Vm("rg", "vm1") + "?" + ArmHttp.Compute);
            var first = await http.GetAsync(delete.Header("Location"));
            var firstAt = clock.Elapsed;
            var second = await http.GetAsync(first.Header("Location"));

            Assert.Equal(202, delete.Status);
            Assert.Equal(202, first.Status);
            Assert.True(firstAt >= Latency, $"first poll answered after {firstAt.TotalMilliseconds} ms");
            Assert.Equal(200, second.Status);
            Assert.False(arm.Exists(http.Vm("rg", "vm1")));
        }

        [Fact]
        public async Task CompletePendingOperations_ends_operations_whose_latency_has_not_elapsed()
        {
            await using var arm = await FakeArmServer.StartAsync(new FakeArmOptions { LroLatency = TimeSpan.FromMinutes(10) });
            arm.AddResourceGroup("rg");
            using var http = new ArmHttp(arm);
            var nsgId = http.NetworkResource("rg", "networkSecurityGroups", "nsg");
            var put = await http.PutAsync(nsgId + "?" + ArmHttp.Network, new System.Text.Json.Nodes.JsonObject { ["location"] = "westeurope" });

            arm.CompletePendingOperations();
            var poll = await http.GetAsync(put.Header("Azure-AsyncOperation"));

            Assert.Equal("Succeeded", (string)poll.Body["status"]);
        }

        [Fact]
        public async Task Requests_in_flight_count_held_polls_and_the_peak_is_kept_until_reset()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddResourceGroup("rg");
            using var http = new ArmHttp(arm);
            arm.LroLatency = TimeSpan.FromMilliseconds(800);
            var puts = await Task.WhenAll(Enumerable.Range(1, 3).Select(i =>
                http.PutAsync(http.NetworkResource("rg", "networkSecurityGroups", "nsg" + i) + "?" + ArmHttp.Network, new System.Text.Json.Nodes.JsonObject { ["location"] = "westeurope" })));
            Assert.Equal(0, arm.InFlight);

            var polls = puts.Select(p => http.GetAsync(p.Header("Azure-AsyncOperation"))).ToArray();
            var clock = Stopwatch.StartNew();
            while (arm.InFlight < 3 && clock.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(10);
            }

            var whileHeld = arm.InFlight;
            var answers = await Task.WhenAll(polls);

            Assert.Equal(3, whileHeld);
            Assert.All(answers, a => Assert.Equal("Succeeded", (string)a.Body["status"]));
            Assert.Equal(0, arm.InFlight);
            Assert.True(arm.PeakInFlight >= 3, $"peak {arm.PeakInFlight}");
            arm.ResetPeakInFlight();
            Assert.Equal(0, arm.PeakInFlight);
            await http.GetAsync(http.Rg("rg") + "?" + ArmHttp.Resources);
            Assert.Equal(1, arm.PeakInFlight);
        }
    }
}

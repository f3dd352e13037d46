using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Engine.Azure;
using AzDockerVm.FakeArm;
using AzDockerVm.FakeArm.Tls;

namespace AzDockerVm.Benchmarks
{
    /// <summary>
    /// New-AzDockerVm's engine against the local fake of ARM with the same fixed latency per long-running operation in
    /// both arms: (a) the graph as the cmdlet walks it (independent resources at once); (b) the same graph, the same
    /// requests, one change after the other as docker-machine's azure driver did (RG, NSG, VNet, public IP, NIC, VM,
    /// Docker). Printed: (a) against its critical path (four dependent stages of one latency each: network tier, NIC,
    /// VM, Docker), (a)/(b), and the requests for one host from nothing and for a re-run of the finished host.
    /// </summary>
    internal static class NewAzDockerVmBenchmark
    {
        private const int CriticalStages = 4;

        internal static string Run(int rounds, int latencyMs)
        {
            TestTrust.Install();
            return RunAsync(rounds, TimeSpan.FromMilliseconds(latencyMs)).GetAwaiter().GetResult();
        }

        private static async Task<string> RunAsync(int rounds, TimeSpan latency)
        {
            string dockerConfig = Path.Combine(Path.GetTempPath(), "azdvm-bench-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            try
            {
                await using FakeArmServer arm = await FakeArmServer.StartAsync(new FakeArmOptions { LroLatency = latency });
                var connection = new ArmConnection(new AzureTarget(arm.SubscriptionId, arm.TenantId, arm.BaseUri.ToString(), arm.Audience, "AzDockerVmFake"), new QuietHost());

                // Warm-up: the first walk pays for JIT, the SDK's first connection and TLS handshakes.
                await NewAsync(connection, "rg-warm", "warm", dockerConfig, int.MaxValue);

                var graph = new double[rounds];
                var sequential = new double[rounds];
                int fromNothing = 0, fromNothingGets = 0, fromNothingPuts = 0, polls = 0, rerun = 0, rerunGets = 0;
                for (int i = 0; i < rounds; i++)
                {
                    int before = arm.Requests.Count;
                    graph[i] = await NewAsync(connection, "rg-graph-" + i, "dock" + i, dockerConfig, int.MaxValue);
                    var made = arm.Requests.Skip(before).ToList();
                    fromNothing = made.Count;
                    polls = made.Count(r => r.Method == "GET" && r.Path.Contains("/operations/"));
                    fromNothingGets = made.Count(r => r.Method == "GET") - polls;
                    fromNothingPuts = made.Count(r => r.Method == "PUT");

                    before = arm.Requests.Count;
                    await NewAsync(connection, "rg-graph-" + i, "dock" + i, dockerConfig, int.MaxValue);
                    var again = arm.Requests.Skip(before).ToList();
                    rerun = again.Count;
                    rerunGets = again.Count(r => r.Method == "GET");

                    sequential[i] = await NewAsync(connection, "rg-seq-" + i, "dock" + i, dockerConfig, 1);
                }

                double g = Program.Median(graph), s = Program.Median(sequential), critical = CriticalStages * latency.TotalMilliseconds;
                var report = new StringBuilder();
                report.AppendLine($"New-AzDockerVm (engine) against the fake ARM, {latency.TotalMilliseconds:0} ms per long-running operation, median of {rounds} rounds:");
                report.AppendLine($"  graph walk:           {g,8:0} ms   critical path {CriticalStages} x {latency.TotalMilliseconds:0} = {critical:0} ms   ratio {g / critical:0.00}x (target <= 1.15x)");
                report.AppendLine($"  sequential baseline:  {s,8:0} ms   (the same requests, one change at a time, docker-machine's order)");
                report.AppendLine($"  graph / sequential:   {g / s,8:0.00}    (target: about two thirds or less)");
                report.AppendLine($"  requests, one host from nothing: {fromNothing} ({fromNothingPuts} PUT, {fromNothingGets} GET, {polls} operation polls)");
                report.AppendLine($"  requests, re-run of the finished host: {rerun} ({rerunGets} GET, {rerun - rerunGets} other)");
                return report.ToString();
            }
            finally
            {
                if (Directory.Exists(dockerConfig))
                {
                    Directory.Delete(dockerConfig, recursive: true);
                }
            }
        }

        private static async Task<double> NewAsync(ArmConnection arm, string group, string name, string dockerConfig, int maxChanges)
        {
            var request = new NewDockerVmRequest
            {
                ResourceGroupName = group,
                Name = name,
                Location = "westeurope",
                AllowedSourceAddresses = { "203.0.113.0/24" },
                Docker = new SetDockerExtensionRequest
                {
                    Vm = new VmReference(group, name),
                    DockerConfig = dockerConfig,
                    ModuleVersion = "0.0.0-bench",
                },
            };
            var watch = Stopwatch.StartNew();
            DockerVmPlan plan = await DockerVmService.PlanAsync(arm, DockerVmService.CheckInput(request), CancellationToken.None);
            DockerVmInfo host = await DockerVmService.ApplyAsync(arm, plan, CancellationToken.None, maxChanges);
            watch.Stop();
            if (host.ProvisioningState != "Succeeded")
            {
                throw new InvalidOperationException($"{group}/{name}: {host.ProvisioningState}");
            }

            return watch.Elapsed.TotalMilliseconds;
        }

        private sealed class QuietHost : IEngineHost
        {
            public AccessTokenInfo GetAccessToken(string resourceUrl, string tenantId, CancellationToken cancellationToken)
                => new AccessTokenInfo("bench-token", DateTimeOffset.UtcNow.AddHours(1));

            public void WriteVerbose(string message)
            {
            }

            public void WriteWarning(string message)
            {
            }

            public void WriteProgress(string activity, string status, int percent)
            {
            }
        }
    }
}

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
                // Fleets at the same latency: 10 and 50 hosts at ThrottleLimit 10, against one host; memory of the 50.
                double ten = await FleetAsync(connection, "rg-fleet10", 10, dockerConfig);
                arm.ResetPeakInFlight();
                int before50 = arm.Requests.Count;
                GC.Collect();
                long baseline = Process.GetCurrentProcess().WorkingSet64;
                long peak = baseline;
                using var sampling = new CancellationTokenSource();
                var sampler = Task.Run(async () =>
                {
                    while (!sampling.IsCancellationRequested)
                    {
                        peak = Math.Max(peak, Process.GetCurrentProcess().WorkingSet64);
                        await Task.Delay(20).ConfigureAwait(false);
                    }
                });
                double fifty = await FleetAsync(connection, "rg-fleet50", 50, dockerConfig);
                sampling.Cancel();
                await sampler;
                int peakInFlight = arm.PeakInFlight;
                double perHost50 = (arm.Requests.Count - before50) / 50.0;

                var report = new StringBuilder();
                report.AppendLine($"New-AzDockerVm (engine) against the fake ARM, {latency.TotalMilliseconds:0} ms per long-running operation, median of {rounds} rounds:");
                report.AppendLine($"  graph walk:           {g,8:0} ms   critical path {CriticalStages} x {latency.TotalMilliseconds:0} = {critical:0} ms   ratio {g / critical:0.00}x (target <= 1.15x)");
                report.AppendLine($"  sequential baseline:  {s,8:0} ms   (the same requests, one change at a time, docker-machine's order)");
                report.AppendLine($"  graph / sequential:   {g / s,8:0.00}    (target: about two thirds or less)");
                report.AppendLine($"  requests, one host from nothing: {fromNothing} ({fromNothingPuts} PUT, {fromNothingGets} GET, {polls} operation polls)");
                report.AppendLine($"  requests, re-run of the finished host: {rerun} ({rerunGets} GET, {rerun - rerunGets} other)");
                report.AppendLine($"  fleet of 10, ThrottleLimit 10:  {ten,8:0} ms   {ten / g:0.00}x one host (target <= 1.3x)");
                report.AppendLine($"  fleet of 50, ThrottleLimit 10:  {fifty,8:0} ms   {fifty / g:0.00}x one host (target <= {5 * 1.3:0.0}x); peak requests in flight {peakInFlight} (throttle: 10 x {DockerVmService.ChangesPerHost}); {perHost50:0.0} requests per host");
                report.AppendLine($"  fleet of 50, memory: working set {baseline / 1048576.0:0} MB before, peak {peak / 1048576.0:0} MB, {(peak - baseline) / 50.0 / 1024:0} KB per host");
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

        private static async Task<double> FleetAsync(ArmConnection arm, string group, int hosts, string dockerConfig)
        {
            var plans = Enumerable.Range(1, hosts).Select(i => DockerVmService.CheckInput(Request(group, "agent" + i, dockerConfig))).ToList();
            var watch = Stopwatch.StartNew();
            // -ThrottleLimit 10, as the cmdlet turns it into requests in flight.
            int inFlight = 10 * DockerVmService.ChangesPerHost;
            var planned = await DockerVmService.PlanFleetAsync(arm, plans, inFlight, CancellationToken.None);
            var made = await DockerVmService.ApplyFleetAsync(arm, planned.Select(o => o.Plan).ToList(), 10, CancellationToken.None);
            watch.Stop();
            var failed = made.FirstOrDefault(o => o.Failure != null);
            if (failed != null)
            {
                throw new InvalidOperationException($"{group}/{failed.Plan.Name}: {failed.Failure.Message}");
            }

            return watch.Elapsed.TotalMilliseconds;
        }

        private static NewDockerVmRequest Request(string group, string name, string dockerConfig) => new NewDockerVmRequest
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
                CreateDockerContext = false,
            },
        };

        private static async Task<double> NewAsync(ArmConnection arm, string group, string name, string dockerConfig, int maxChanges)
        {
            NewDockerVmRequest request = Request(group, name, dockerConfig);
            request.Docker.CreateDockerContext = true;
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

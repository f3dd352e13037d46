using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>
    /// The rest of a fleet's pipeline: Set-AzDockerExtension, Remove-AzDockerVm and Test-AzDockerHost work on their
    /// records at once, no more than -ThrottleLimit hosts under way (the fake counts requests in flight; a silent
    /// listener counts probes); progress is one bar for the fleet with a child bar per host; -AsJob is one job with a
    /// child job per host, each holding that host's object or error.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class FleetPipelineTests : IAsyncLifetime
    {
        private AzureBench _bench;

        public async Task InitializeAsync() => _bench = await AzureBench.StartAsync();

        public async Task DisposeAsync() => await _bench.DisposeAsync();

        private static string Vms(string group, int from, int to)
            => $"{from}..{to} | ForEach-Object {{ [pscustomobject]@{{ ResourceGroupName = '{group}'; Name = \"vm$_\" }} }}";

        private PSRun NewFleet(int hosts, string extra = "")
            => _bench.Ps.Run($"1..{hosts} | ForEach-Object {{ \"agent$_\" }} | New-AzDockerVm -ResourceGroupName rg-ci -Location westeurope -AllowedSourceAddress 203.0.113.0/24 -NoDockerContext {extra}");

        [Fact]
        public void Rows_as_Import_Csv_gives_them_bind_by_property_name_and_a_bad_row_is_refused_for_that_host_only()
        {
            // What Import-Csv hosts.csv yields: one object per row, every value a string (the in-process engine has no
            // Microsoft.PowerShell.Utility, so the rows are made as Import-Csv makes them).
            const string rows = "@("
                + "[pscustomobject]@{ Name = 'web1'; ResourceGroupName = 'rg-web'; Location = 'westeurope'; Size = 'Standard_B2s'; AllowedSourceAddress = '203.0.113.0/24' }, "
                + "[pscustomobject]@{ Name = 'bad_name!'; ResourceGroupName = 'rg-web'; Location = 'westeurope'; Size = 'Standard_B2s'; AllowedSourceAddress = '203.0.113.0/24' }, "
                + "[pscustomobject]@{ Name = 'build1'; ResourceGroupName = 'rg-build'; Location = 'northeurope'; Size = 'Standard_D2s_v5'; AllowedSourceAddress = '198.51.100.7' })";

            var run = _bench.Ps.Run(rows + " | New-AzDockerVm -NoDockerContext");

            Assert.True(run.Terminating == null && run.Errors.Count == 1 && run.Output.Count == 2, run.Describe());
            Assert.Equal(new[] { "build1", "web1" }, run.Output.Select(o => (string)o.Properties["Name"].Value).OrderBy(n => n).ToArray());
            var refused = Assert.Single(run.Errors);
            Assert.Equal("InvalidVmName", refused.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal("bad_name!", refused.TargetObject);
            Assert.DoesNotContain(_bench.Arm.Requests, r => r.Path.Contains("bad_name", StringComparison.OrdinalIgnoreCase) || r.Path.Contains("bad_name%21", StringComparison.OrdinalIgnoreCase));
            // Each row's own group, location, size and sources.
            var web = _bench.Arm.Requests.Single(r => r.Method == "PUT" && r.Status < 300 && r.Path.EndsWith("/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web1", StringComparison.OrdinalIgnoreCase));
            var build = _bench.Arm.Requests.Single(r => r.Method == "PUT" && r.Status < 300 && r.Path.EndsWith("/resourceGroups/rg-build/providers/Microsoft.Compute/virtualMachines/build1", StringComparison.OrdinalIgnoreCase));
            Assert.Equal("Standard_B2s", (string)web.RequestBody["properties"]["hardwareProfile"]["vmSize"]);
            Assert.Equal("Standard_D2s_v5", (string)build.RequestBody["properties"]["hardwareProfile"]["vmSize"]);
            Assert.Equal("northeurope", (string)build.RequestBody["location"]);
            var hosts = _bench.Ps.Run("Get-AzDockerVm -ResourceGroupName rg-web; Get-AzDockerVm -ResourceGroupName rg-build").ThrowIfFailed().Output;
            Assert.Equal(new[] { "203.0.113.0/24" }, (string[])hosts.Single(h => (string)h.Properties["Name"].Value == "web1").Properties["AllowedSourceAddress"].Value);
            Assert.Equal(new[] { "198.51.100.7" }, (string[])hosts.Single(h => (string)h.Properties["Name"].Value == "build1").Properties["AllowedSourceAddress"].Value);
        }

        [Fact]
        public void New_works_on_no_more_than_ThrottleLimit_hosts_at_once()
        {
            _bench.Arm.LroLatency = TimeSpan.FromMilliseconds(150);

            _bench.Ps.Run("1..6 | ForEach-Object { \"agent$_\" } | New-AzDockerVm -ResourceGroupName rg-a -Location westeurope -AllowedSourceAddress 203.0.113.0/24 -NoDockerContext -ThrottleLimit 2").ThrowIfFailed();
            int two = HostsAtOnce("rg-a", 6);
            _bench.Ps.Run("1..6 | ForEach-Object { \"agent$_\" } | New-AzDockerVm -ResourceGroupName rg-b -Location westeurope -AllowedSourceAddress 203.0.113.0/24 -NoDockerContext -ThrottleLimit 6").ThrowIfFailed();
            int six = HostsAtOnce("rg-b", 6);

            // A host is under way from its first own PUT to its last own request: never more than two at once, and
            // (so the bound is not vacuous) more than two when the throttle allows six.
            Assert.True(two <= 2, $"-ThrottleLimit 2: {two} hosts under way at once");
            Assert.True(six > 2, $"-ThrottleLimit 6: only {six} hosts under way at once");
        }

        /// <summary>The most hosts of <paramref name="group"/> under way at once, a host's span being its first own PUT to its last own request.</summary>
        private int HostsAtOnce(string group, int hosts)
        {
            var spans = Enumerable.Range(1, hosts).Select(i =>
            {
                var own = _bench.Arm.Requests.Where(r => r.Path.Contains($"/resourceGroups/{group}/", StringComparison.OrdinalIgnoreCase)
                                                        && (r.Path.Contains($"/agent{i}", StringComparison.OrdinalIgnoreCase) || r.Path.Contains($"-agent{i}-", StringComparison.OrdinalIgnoreCase))).ToList();
                return (Start: own.Where(r => r.Method == "PUT").Min(r => r.Time), End: own.Max(r => r.Time));
            }).ToList();
            return spans.Max(span => spans.Count(other => other.Start <= span.Start && span.Start <= other.End));
        }

        [Fact]
        public void Set_over_the_pipeline_sets_up_ThrottleLimit_VMs_at_once()
        {
            for (int i = 1; i <= 12; i++)
            {
                _bench.AddVm("vm" + i, i <= 6 ? "rg1" : "rg2");
            }

            _bench.Arm.LroLatency = TimeSpan.FromMilliseconds(200);
            _bench.Arm.ResetPeakInFlight();
            var one = _bench.Ps.Run(Vms("rg1", 1, 6) + " | Set-AzDockerExtension -NoDockerContext -ThrottleLimit 1").ThrowIfFailed();
            int peakOne = _bench.Arm.PeakInFlight;

            _bench.Arm.ResetPeakInFlight();
            var six = _bench.Ps.Run(Vms("rg2", 7, 12) + " | Set-AzDockerExtension -NoDockerContext -ThrottleLimit 6").ThrowIfFailed();
            int peakSix = _bench.Arm.PeakInFlight;

            Assert.Equal(Enumerable.Range(1, 6).Select(i => "vm" + i), one.Output.Select(o => (string)o.Properties["VMName"].Value).OrderBy(n => int.Parse(n.Substring(2))));
            Assert.Equal(Enumerable.Range(7, 6).Select(i => "vm" + i), six.Output.Select(o => (string)o.Properties["VMName"].Value).OrderBy(n => int.Parse(n.Substring(2))));
            Assert.Equal(12, _bench.Arm.ExtensionPuts.Count);
            // One VM at a time asks one thing at a time; six at once overlap.
            Assert.True(peakOne <= 2, $"-ThrottleLimit 1: peak requests in flight {peakOne}");
            Assert.True(peakSix >= 4, $"-ThrottleLimit 6: peak requests in flight {peakSix} (the VMs were not set up at once)");

            // Progress: the fleet's bar, and under it one bar per VM that ends Completed.
            ProgressRecord[] fleet = six.Progress.Where(p => p.Activity.EndsWith("6 Docker hosts", StringComparison.Ordinal) || p.Activity.EndsWith("6 VMs", StringComparison.Ordinal)).ToArray();
            Assert.NotEmpty(fleet);
            var fleetIds = fleet.Select(p => p.ActivityId).ToHashSet();
            Assert.Equal(ProgressRecordType.Completed, fleet.Last().RecordType);
            var children = six.Progress.Where(p => fleetIds.Contains(p.ParentActivityId)).ToList();
            foreach (int i in Enumerable.Range(7, 6))
            {
                var bar = children.Where(p => p.Activity.EndsWith(" vm" + i, StringComparison.Ordinal)).ToList();
                Assert.NotEmpty(bar);
                Assert.Single(bar.Select(p => p.ActivityId).Distinct());
                Assert.Equal(ProgressRecordType.Completed, bar.Last().RecordType);
            }
        }

        [Fact]
        public void Remove_over_the_pipeline_removes_ThrottleLimit_hosts_at_once_and_the_shared_network_once_after_them()
        {
            NewFleet(4).ThrowIfFailed();
            _bench.Arm.LroLatency = TimeSpan.FromMilliseconds(200);
            int mark = _bench.Arm.Requests.Count;
            _bench.Arm.ResetPeakInFlight();

            var run = _bench.Ps.Run("Get-AzDockerVm -ResourceGroupName rg-ci | Remove-AzDockerVm -Force -ThrottleLimit 4").ThrowIfFailed();

            Assert.Empty(run.Errors);
            var deletes = _bench.Arm.Requests.Skip(mark).Where(r => r.Method == "DELETE").ToList();
            Assert.Equal(4, deletes.Count(r => r.Path.Contains("/virtualMachines/agent", StringComparison.OrdinalIgnoreCase)));
            // The shared ones once each, and only after every host's own resources.
            Assert.Single(deletes, r => r.Path.EndsWith("/networkSecurityGroups/azdockervm-nsg", StringComparison.OrdinalIgnoreCase));
            Assert.Single(deletes, r => r.Path.EndsWith("/virtualNetworks/azdockervm-vnet", StringComparison.OrdinalIgnoreCase));
            int firstShared = deletes.FindIndex(r => r.Path.EndsWith("/networkSecurityGroups/azdockervm-nsg", StringComparison.OrdinalIgnoreCase)
                                                     || r.Path.Contains("/virtualNetworks/azdockervm-vnet", StringComparison.OrdinalIgnoreCase));
            int lastOwn = deletes.FindLastIndex(r => r.Path.Contains("agent", StringComparison.OrdinalIgnoreCase));
            Assert.True(lastOwn < firstShared, string.Join(Environment.NewLine, deletes));
            Assert.True(_bench.Arm.PeakInFlight >= 4, $"peak {_bench.Arm.PeakInFlight}: the hosts were not removed at once");
            Assert.Empty(_bench.Ps.Run("Get-AzDockerVm -ResourceGroupName rg-ci").ThrowIfFailed().Output);
        }

        [Fact]
        public void Test_over_the_pipeline_probes_ThrottleLimit_hosts_at_once()
        {
            string set = Path.Combine(Path.GetDirectoryName(_bench.DockerConfig), "client");
            _bench.Ps.Run($"New-DockerTlsCertificate -Path '{set}' -IPAddress 127.0.0.1").ThrowIfFailed();
            using var silent = new SilentListener();
            string probes(int count) => $"1..{count} | ForEach-Object {{ [pscustomobject]@{{ Endpoint = 'tcp://127.0.0.1:{silent.Port}'; CertificatePath = '{set}' }} }}";

            var four = _bench.Ps.Run(probes(4) + " | Test-AzDockerHost -TimeoutSec 2 -ThrottleLimit 4").ThrowIfFailed();
            int atOnceFour = silent.TakePeak();
            var one = _bench.Ps.Run(probes(3) + " | Test-AzDockerHost -TimeoutSec 1 -ThrottleLimit 1").ThrowIfFailed();
            int atOnceOne = silent.TakePeak();

            Assert.Equal(4, four.Output.Count);
            Assert.All(four.Output.Concat(one.Output), r => Assert.False((bool)r.Properties["Success"].Value));
            Assert.Equal(4, atOnceFour);
            Assert.Equal(1, atOnceOne);
        }

        [Fact]
        public void A_fleet_shows_one_bar_with_a_child_bar_per_host()
        {
            var run = NewFleet(3).ThrowIfFailed();

            ProgressRecord[] fleet = run.Progress.Where(p => p.Activity.EndsWith("3 Docker hosts", StringComparison.Ordinal)).ToArray();
            Assert.NotEmpty(fleet);
            int fleetId = fleet[0].ActivityId;
            Assert.All(fleet, p => Assert.Equal(-1, p.ParentActivityId));
            Assert.Equal(ProgressRecordType.Completed, fleet.Last().RecordType);
            Assert.Contains(fleet, p => p.StatusDescription == "2 of 3 done");

            var children = run.Progress.Where(p => p.ParentActivityId == fleetId).ToList();
            foreach (string host in new[] { "agent1", "agent2", "agent3" })
            {
                var bar = children.Where(p => p.Activity.EndsWith(" " + host, StringComparison.Ordinal)).ToList();
                Assert.NotEmpty(bar);
                Assert.Single(bar.Select(p => p.ActivityId).Distinct());
                Assert.Contains(bar, p => p.StatusDescription.Contains("virtual machine", StringComparison.Ordinal));
                Assert.Equal(ProgressRecordType.Completed, bar.Last().RecordType);
            }

            // What the hosts share has a bar of its own, also under the fleet's.
            Assert.Contains(children, p => p.Activity.Contains("shared resources", StringComparison.Ordinal) && p.StatusDescription.Contains("network security group", StringComparison.Ordinal));
            Assert.Equal(5, children.Select(p => p.ActivityId).Append(fleetId).Distinct().Count());
        }

        /// <summary>
        /// Test-AzDockerHost over a pipeline of VMs: one bar for the fleet, and under it a bar per VM that says which layer
        /// is being tested (VM, extension, network security groups, mutual TLS) and ends Completed. Nothing listens at
        /// the VMs' loopback public addresses (127.0.0.11-13): each ends ConnectionRefused, after every layer was passed.
        /// </summary>
        [Fact]
        public void Test_over_VMs_shows_one_bar_with_a_child_bar_per_VM_naming_the_layer_under_test()
        {
            int port = AzDockerVm.Tests.Docker.Dockerd.FreeLoopbackPort();
            foreach (string vm in new[] { "vm1", "vm2", "vm3" })
            {
                _bench.Arm.AddLinuxVm("rg1", vm, publicIp: "127.0.0.1" + vm.Substring(2));
                _bench.Arm.AllowInbound("rg1", vm + "-nsg", port);
            }

            _bench.Ps.Run(Vms("rg1", 1, 3) + $" | Set-AzDockerExtension -DockerPort {port} -NoDockerContext").ThrowIfFailed();

            var run = _bench.Ps.Run("1..3 | ForEach-Object { [pscustomobject]@{ ResourceGroupName = 'rg1'; VMName = \"vm$_\" } } | Test-AzDockerHost -TimeoutSec 5").ThrowIfFailed();

            Assert.Equal(3, run.Output.Count);
            Assert.All(run.Output, r => Assert.Equal("ConnectionRefused", r.Properties["Reason"].Value));
            ProgressRecord[] fleet = run.Progress.Where(p => p.Activity.EndsWith("3 Docker hosts", StringComparison.Ordinal)).ToArray();
            Assert.NotEmpty(fleet);
            int fleetId = fleet[0].ActivityId;
            Assert.Equal(ProgressRecordType.Completed, fleet.Last().RecordType);
            var children = run.Progress.Where(p => p.ParentActivityId == fleetId).ToList();
            foreach (string vm in new[] { "vm1", "vm2", "vm3" })
            {
                var bar = children.Where(p => p.Activity.EndsWith(" " + vm, StringComparison.Ordinal)).ToList();
                Assert.Single(bar.Select(p => p.ActivityId).Distinct());
                Assert.Equal(new[] { "Reading the VM", "Reading the Docker extension", "Checking the network security groups", $"Testing mutual TLS at tcp://127.0.0.1{vm.Substring(2)}:{port}", "Tested" },
                    bar.Select(p => p.StatusDescription.Split(" (")[0].Split(" '")[0].Split(" for TCP")[0]).Distinct().ToArray());
                Assert.Equal(ProgressRecordType.Completed, bar.Last().RecordType);
            }

            Assert.Equal(4, children.Select(p => p.ActivityId).Append(fleetId).Distinct().Count());
        }

        [Fact]
        public void A_fleets_job_has_a_child_job_per_host_with_its_object_or_its_error()
        {
            _bench.Arm.Faults.On("PUT", "*/virtualMachines/agent2").Times(1).Error(409, "OperationNotAllowed", "Operation could not be completed as it results in exceeding approved quota (injected).");

            var run = NewFleet(3, "-AsJob | Wait-Job -Timeout 120 | ForEach-Object { $_.State.ToString(); $_.ChildJobs | ForEach-Object { \"$($_.Name)=$($_.State)\" }; Receive-Job $_ -ErrorVariable failed -ErrorAction SilentlyContinue; $failed }");

            Assert.Equal("Failed", run.Output[0].BaseObject);
            Assert.Equal(new[] { "agent1=Completed", "agent2=Failed", "agent3=Completed" }, run.Output.Skip(1).Take(3).Select(o => (string)o.BaseObject).ToArray());
            var hosts = run.Output.Skip(4).Where(o => o.BaseObject is not ErrorRecord).Select(o => (string)o.Properties["Name"].Value).OrderBy(n => n).ToArray();
            Assert.Equal(new[] { "agent1", "agent3" }, hosts);
            var error = (ErrorRecord)run.Output.Single(o => o.BaseObject is ErrorRecord).BaseObject;
            Assert.Equal("agent2", error.TargetObject);
            Assert.Equal("ArmConflict", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Contains("agent2", error.Exception.Message);
        }

        [Fact]
        public void Sets_job_has_a_child_job_per_VM_holding_its_own_status_and_streams()
        {
            _bench.AddVm("vm1");
            _bench.AddVm("vm2");

            var run = _bench.Ps.Run(Vms("rg1", 1, 2) + " | Set-AzDockerExtension -NoDockerContext -AsJob -Verbose | Wait-Job -Timeout 120 | ForEach-Object { $_.State.ToString(); $_.ChildJobs | ForEach-Object { \"$($_.Name)=$($_.State)=$(@($_.Output)[0].VMName)=$($_.Progress.Count -gt 0)\" } }").ThrowIfFailed();

            Assert.Equal(new[] { "Completed", "vm1=Completed=vm1=True", "vm2=Completed=vm2=True" }, run.Output.Select(o => (string)o.BaseObject).ToArray());
        }

        /// <summary>
        /// A TCP listener that accepts and never answers: a probe waits on it for its whole timeout. It counts the
        /// probes under way at once as the most connections that arrived within half a second of each other (a probe
        /// that timed out may leave its socket to the OS, so open sockets would overcount; a host tested after
        /// another arrives at least one timeout later).
        /// </summary>
        private sealed class SilentListener : IDisposable
        {
            private readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);
            private readonly CancellationTokenSource _stop = new CancellationTokenSource();
            private readonly List<TcpClient> _clients = new List<TcpClient>();
            private readonly List<DateTime> _arrivals = new List<DateTime>();

            internal SilentListener()
            {
                _listener.Start();
                Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
                _ = Task.Run(AcceptAsync);
            }

            internal int Port { get; }

            /// <summary>The most connections that arrived within 0.5 s of each other since the last call.</summary>
            internal int TakePeak()
            {
                lock (_clients)
                {
                    int peak = _arrivals.Select(start => _arrivals.Count(t => t >= start && t - start < TimeSpan.FromMilliseconds(500))).DefaultIfEmpty(0).Max();
                    _arrivals.Clear();
                    return peak;
                }
            }

            private async Task AcceptAsync()
            {
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
                        lock (_clients)
                        {
                            _clients.Add(client);
                            _arrivals.Add(DateTime.UtcNow);
                        }
                    }
                    catch (Exception)
                    {
                        return;
                    }
                }
            }

            public void Dispose()
            {
                _stop.Cancel();
                _listener.Stop();
                lock (_clients)
                {
                    _clients.ForEach(c => c.Dispose());
                }
            }
        }
    }
}

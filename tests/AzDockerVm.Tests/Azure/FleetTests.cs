using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using AzDockerVm.Tests.Bench;
using AzDockerVm.Tests.FakeArm;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>
    /// Many hosts in one New-AzDockerVm pipeline: one walk, the group's network, NSG and CA made once, no more
    /// requests in flight than -ThrottleLimit, every rule kept, a result for every host (an error for the one that
    /// fails, and the others still made), and a re-run that completes the failed host and changes nothing else.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class FleetTests : IAsyncLifetime
    {
        private AzureBench _bench;

        public async Task InitializeAsync() => _bench = await AzureBench.StartAsync();

        public async Task DisposeAsync() => await _bench.DisposeAsync();

        private PSRun Fleet(string names, string extra = "") => _bench.Ps.Run(
            $"{names} | New-AzDockerVm -ResourceGroupName rg-ci -Location westeurope -AllowedSourceAddress 203.0.113.0/24 -NoDockerContext {extra}");

        private int SuccessfulPuts(string pathEnd) => _bench.Arm.Requests.Count(r => r.Method == "PUT" && r.Status < 300 && r.Path.EndsWith(pathEnd, StringComparison.OrdinalIgnoreCase));

        [Fact]
        public void Piped_names_share_the_network_made_once_with_no_more_requests_in_flight_than_the_throttle_allows()
        {
            // Each long-running operation takes a while, so requests of hosts made at once overlap as in Azure.
            _bench.Arm.LroLatency = TimeSpan.FromMilliseconds(150);
            _bench.Arm.ResetPeakInFlight();

            var run = Fleet("1..6 | ForEach-Object { \"agent$_\" }", "-ThrottleLimit 1").ThrowIfFailed();

            Assert.Equal(new[] { "agent1", "agent2", "agent3", "agent4", "agent5", "agent6" }, run.Output.Select(o => (string)o.Properties["Name"].Value).OrderBy(n => n, StringComparer.Ordinal).ToArray());
            Assert.All(run.Output, o => Assert.Equal("Succeeded", o.Properties["ProvisioningState"].Value));
            Assert.Equal(1, SuccessfulPuts("/virtualNetworks/azdockervm-vnet"));
            Assert.Equal(1, SuccessfulPuts("/networkSecurityGroups/azdockervm-nsg"));
            Assert.Equal(1, SuccessfulPuts("/resourcegroups/rg-ci"));
            Assert.Equal(6, _bench.Arm.Requests.Count(r => r.Method == "PUT" && r.Status < 300 && r.Path.Contains("/virtualMachines/agent") && !r.Path.Contains("/extensions/")));
            // -ThrottleLimit 1: one host's worth, a host's widest stage being 3 requests.
            Assert.True(_bench.Arm.PeakInFlight <= 3, $"peak requests in flight {_bench.Arm.PeakInFlight} > 1 x 3");
            Assert.True(_bench.Arm.PeakInFlight >= 2, $"the hosts were not made at the same time (peak {_bench.Arm.PeakInFlight})");

            // Every host's rule is there once, at a priority of its own, to its own private address.
            var nsg = _bench.Ps.Run("Get-AzDockerVm rg-ci").ThrowIfFailed().Output;
            Assert.Equal(6, nsg.Count);
            Assert.All(nsg, h => Assert.Equal(new[] { "203.0.113.0/24" }, (string[])h.Properties["AllowedSourceAddress"].Value));
            var rulePuts = _bench.Arm.Requests.Where(r => r.Method == "PUT" && r.Status < 300 && r.Path.Contains("/securityRules/")).ToList();
            Assert.Equal(6, rulePuts.Select(r => r.Path).Distinct().Count());
            Assert.Equal(6, rulePuts.Select(r => (int)r.RequestBody["properties"]["priority"]).Distinct().Count());
        }

        [Fact]
        public void Without_a_low_throttle_the_hosts_requests_overlap_more()
        {
            _bench.Arm.LroLatency = TimeSpan.FromMilliseconds(150);
            _bench.Arm.ResetPeakInFlight();

            Fleet("1..6 | ForEach-Object { \"agent$_\" }", "-ThrottleLimit 10").ThrowIfFailed();

            // The proof above is not vacuous: unthrottled, the same fleet has more than 3 requests in flight at once.
            Assert.True(_bench.Arm.PeakInFlight > 3, $"peak {_bench.Arm.PeakInFlight}");
        }

        [Fact]
        public void Each_host_is_written_as_soon_as_it_is_done()
        {
            // agent1's VM takes three polls (about three seconds) longer than the others'.
            _bench.Arm.Faults.On("PUT", "*/virtualMachines/agent1").Times(1).SlowLro(3);
            _bench.Ps.Run("$global:AzdvSeen = [System.Collections.Generic.List[string]]::new()").ThrowIfFailed();

            var run = Fleet("'agent1', 'agent2', 'agent3'", "| ForEach-Object { $global:AzdvSeen.Add(\"$($_.Name) $([DateTime]::UtcNow.Ticks)\"); $_ }").ThrowIfFailed();

            var seen = run.Output.Select(o => (string)o.Properties["Name"].Value).ToArray();
            Assert.Equal("agent1", seen.Last());
            // Written while agent1 was still being made: the first arrives well before the last.
            var ticks = ((System.Collections.IEnumerable)_bench.Ps.Run("$global:AzdvSeen").ThrowIfFailed().Output.Select(o => o.BaseObject).ToArray())
                .Cast<object>().Select(o => long.Parse(o.ToString().Split(' ')[1])).ToArray();
            Assert.True(TimeSpan.FromTicks(ticks.Last() - ticks.First()) > TimeSpan.FromSeconds(1.5), "the hosts were written together at the end");
        }

        [Fact]
        public void A_rule_whose_priority_another_writer_took_meanwhile_is_written_again_at_a_fresh_one()
        {
            var conflict = _bench.Arm.Faults.On("PUT", "*/securityRules/AzDockerVm-agent1-*").Times(2)
                .Error(400, "SecurityRuleConflict", "Security rule AzDockerVm-agent1-Docker-2376 conflicts with rule Someone-Else. Rules cannot have the same Priority and Direction.");

            var run = Fleet("'agent1'").ThrowIfFailed();

            Assert.Equal(2, conflict.Hits);
            Assert.Equal("Succeeded", run.Single().Properties["ProvisioningState"].Value);
            Assert.Equal(1, SuccessfulPuts("/securityRules/AzDockerVm-agent1-Docker-2376"));
        }

        [Fact]
        public void One_bad_name_is_refused_for_that_host_and_the_others_are_made()
        {
            var run = Fleet("'agent1', 'agent_2', 'agent3'");

            Assert.Equal(new[] { "agent1", "agent3" }, run.Output.Select(o => (string)o.Properties["Name"].Value).OrderBy(n => n, StringComparer.Ordinal).ToArray());
            var error = Assert.Single(run.Errors);
            Assert.StartsWith("InvalidVmName,", error.FullyQualifiedErrorId);
            Assert.Equal("agent_2", error.TargetObject);
        }

        [Fact]
        public void A_host_that_fails_is_its_own_error_the_others_are_made_and_a_rerun_completes_it_alone()
        {
            _bench.Arm.Faults.On("PUT", "*/virtualMachines/agent2").Times(1).Error(409, "OperationNotAllowed", "Operation could not be completed as it results in exceeding approved quota (injected).");

            var run = Fleet("'agent1', 'agent2', 'agent3'");

            Assert.Equal(new[] { "agent1", "agent3" }, run.Output.Select(o => (string)o.Properties["Name"].Value).OrderBy(n => n, StringComparer.Ordinal).ToArray());
            var error = Assert.Single(run.Errors);
            Assert.Equal("agent2", error.TargetObject);
            Assert.Contains("virtual machine 'agent2'", error.Exception.Message);
            int writes = _bench.Writes().Length;

            var again = Fleet("'agent1', 'agent2', 'agent3'").ThrowIfFailed();

            Assert.Equal(3, again.Output.Count);
            string[] added = _bench.Writes().Skip(writes).ToArray();
            Assert.NotEmpty(added);
            Assert.All(added, w => Assert.Contains("agent2", w));
        }

        /// <summary>
        /// The issue's proof of a fleet that fails in part: 20 hosts in one pipeline, three of them failing in Azure at
        /// three different stages (agent4's public IP refused with a 400, agent11's VM accepted and its long-running
        /// operation then ending Failed, agent17's Docker script exiting non-zero on the VM). The other 17 are made and
        /// written; each of the three is one non-terminating error of its own, with a stable id, the host as its target,
        /// and a message that names the host, the resource it failed at, Azure's reason and what exists of it. Run again
        /// with the faults gone, the same pipeline yields all 20 and no error, and its only writes are PUTs of the three
        /// hosts' missing or failed resources, each once: nothing for the 17 finished hosts, and the group, network and
        /// NSG they all share not written again.
        /// </summary>
        [Fact]
        public async Task Three_of_twenty_failing_at_different_stages_are_three_errors_naming_host_and_stage_and_a_rerun_completes_only_them()
        {
            const string fleet = "1..20 | ForEach-Object { \"agent$_\" }";
            string[] all = Enumerable.Range(1, 20).Select(i => "agent" + i).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            string[] failedHosts = { "agent11", "agent17", "agent4" };
            var pip = _bench.Arm.Faults.On("PUT", "*/publicIPAddresses/agent4-ip").Times(1)
                .Error(400, "PublicIPCountLimitReached", "Cannot create more than 20 public IP addresses for this subscription in this region (injected).");
            var vm = _bench.Arm.Faults.On("PUT", "*/virtualMachines/agent11").Times(1)
                .FailLro("AllocationFailed", "Allocation failed. We do not have sufficient capacity for the requested VM size in this region (injected).");
            // The handler runs under the fake's lock for every host's extension: it only looks at the name.
            _bench.Arm.ExtensionHandler = put => put.VmName == "agent17"
                ? ExtensionOutcome.ScriptFailed(100, "installing docker.io\nAZDOCKERVM status=failed reason=package-install-failed\n", "E: Unable to locate package docker.io\n")
                : ExtensionOutcome.Default(put);

            var run = Fleet(fleet, "-ThrottleLimit 10");

            Assert.Null(run.Terminating);
            Assert.Equal(1, pip.Hits);
            Assert.Equal(1, vm.Hits);
            Assert.All(run.Output, o => Assert.Equal("AzDockerVm.Models.PSAzDockerVm", o.BaseObject.GetType().FullName));
            Assert.Equal(all.Except(failedHosts), Names(run));
            Assert.All(run.Output, o => Assert.Equal("Succeeded", o.Properties["ProvisioningState"].Value));
            Assert.Equal(3, run.Errors.Count);
            Assert.Equal(failedHosts, run.Errors.Select(e => e.TargetObject is PSObject o ? o.BaseObject : e.TargetObject).Cast<string>().OrderBy(n => n, StringComparer.Ordinal));
            foreach (var (host, id, category, stage, reason) in new[]
            {
                ("agent4", "ArmInvalidRequest", ErrorCategory.InvalidArgument, "public IP address 'agent4-ip'", "PublicIPCountLimitReached"),
                ("agent11", "ArmOperationFailed", ErrorCategory.InvalidResult, "virtual machine 'agent11'", "We do not have sufficient capacity for the requested VM size"),
                ("agent17", "ExtensionProvisioningFailed", ErrorCategory.InvalidResult, "Docker extension 'AzDockerVm'", "reason=package-install-failed"),
            })
            {
                ErrorRecord error = run.Errors.Single(e => Equals(e.TargetObject, host));
                Assert.Equal(id + ",AzDockerVm.Cmdlets.NewAzDockerVmCommand", error.FullyQualifiedErrorId);
                Assert.Equal(category, error.CategoryInfo.Category);
                string message = error.Exception.Message;
                Assert.StartsWith($"Creating Docker host '{host}' failed at the {stage}: ", message);
                Assert.Contains(reason, message);
                Assert.Contains($" Failed: {stage}.", message);
                Assert.Contains("Created now (kept): ", message);
                Assert.Contains($"Remove-AzDockerVm -ResourceGroupName rg-ci -Name {host}", error.ErrorDetails.RecommendedAction);
                // Each message is about its own host only: no other host's resource is named in it.
                Assert.DoesNotMatch($@"'(?!{host}['-])agent\d+", message.Replace($"'{host}'", string.Empty));
            }

            using var http = new ArmHttp(_bench.Arm);
            string agent17 = Id("Microsoft.Compute/virtualMachines/agent17") + "?" + ArmHttp.Compute;
            string before17 = (string)(await http.GetAsync(agent17)).Body["properties"]["provisioningState"];
            int mark = _bench.Arm.Requests.Max(r => r.Sequence);
            _bench.Arm.Faults.Clear();
            _bench.Arm.ExtensionHandler = null;

            var again = Fleet(fleet, "-ThrottleLimit 10");

            Assert.True(again.Error == null, again.Describe());
            Assert.Equal(all, Names(again));
            Assert.All(again.Output, o => Assert.Equal("Succeeded", o.Properties["ProvisioningState"].Value));
            // agent11's VM, which Azure left Failed, was made again (not reused as it was).
            Assert.Equal("Succeeded", again.Output.Single(o => (string)o.Properties["Name"].Value == "agent11").Properties["VmProvisioningState"].Value);
            // agent17's VM, which its failed script left Failed, was kept; Azure judged it again after the rerun and
            // its object says what Azure now says, not the Failed of before.
            Assert.Equal("Failed", before17);
            Assert.Equal("Succeeded", (string)(await http.GetAsync(agent17)).Body["properties"]["provisioningState"]);
            Assert.All(again.Output, o => Assert.Equal("Succeeded", o.Properties["VmProvisioningState"].Value));
            var writes = _bench.Arm.Requests.Where(r => r.Sequence > mark && r.Method != "GET").ToList();
            Assert.All(writes, w => Assert.Equal("PUT", w.Method));
            Assert.All(writes, w => Assert.True(w.Status < 300, $"{w} answered {w.Status}"));
            Assert.DoesNotContain(writes, w => HostOf(w.Path) == null);
            var written = writes.Select(w => w.Path.Substring(w.Path.IndexOf("/providers/", StringComparison.Ordinal))).ToList();
            Assert.Equal(written.Distinct().Count(), written.Count);
            Assert.Equal(new[]
            {
                // agent4: its public IP (failed) and everything after it (not started).
                "/providers/Microsoft.Compute/virtualMachines/agent4",
                "/providers/Microsoft.Compute/virtualMachines/agent4/extensions/AzDockerVm",
                "/providers/Microsoft.Network/networkInterfaces/agent4-nic",
                "/providers/Microsoft.Network/networkSecurityGroups/azdockervm-nsg/securityRules/AzDockerVm-agent4-Docker-2376",
                "/providers/Microsoft.Network/publicIPAddresses/agent4-ip",
                // agent11: its VM (Failed in Azure) and its extension (not started); its NIC, IP and rule were made.
                "/providers/Microsoft.Compute/virtualMachines/agent11",
                "/providers/Microsoft.Compute/virtualMachines/agent11/extensions/AzDockerVm",
                // agent17: its extension (failed) only; its VM, marked Failed by the failed extension, is kept.
                "/providers/Microsoft.Compute/virtualMachines/agent17/extensions/AzDockerVm",
            }.OrderBy(p => p, StringComparer.Ordinal), written.OrderBy(p => p, StringComparer.Ordinal));
        }

        /// <summary>
        /// The issue's proof of removing a fleet: in a group that also holds someone else's VM "other" (with its own NIC,
        /// public IP, NSG, VNet and subnet), five hosts made by New-AzDockerVm are piped from Get-AzDockerVm into
        /// Remove-AzDockerVm -Force. Every host's VM, NIC, public IP and NSG rule is deleted, then (only after every
        /// host's deletes were sent) the shared network and NSG, each once; the group and every resource of "other"
        /// stay, and no request touches them; no error. Written against the pipeline only, so it holds whether the hosts
        /// are removed one after another or at once with the shared network deleted at the end.
        /// </summary>
        [Fact]
        public async Task Removing_the_fleet_removes_every_hosts_resources_then_the_shared_ones_and_nothing_else_in_the_group()
        {
            var other = _bench.Arm.AddLinuxVm("rg-ci", "other");
            Fleet("1..5 | ForEach-Object { \"agent$_\" }").ThrowIfFailed();
            Assert.Equal(new[] { "agent1", "agent2", "agent3", "agent4", "agent5" }, Names(_bench.Ps.Run("Get-AzDockerVm -ResourceGroupName rg-ci").ThrowIfFailed()));
            int mark = _bench.Arm.Requests.Max(r => r.Sequence);

            var run = _bench.Ps.Run("Get-AzDockerVm -ResourceGroupName rg-ci | Remove-AzDockerVm -Force");

            Assert.True(run.Error == null, run.Describe());
            Assert.Empty(run.Output);
            var writes = _bench.Arm.Requests.Where(r => r.Sequence > mark && r.Method != "GET").ToList();
            Assert.All(writes, w => Assert.Equal("DELETE", w.Method));
            Assert.All(writes, w => Assert.True(w.Status < 300, $"{w} answered {w.Status}"));
            // Nothing but ours was asked to go: every DELETE is of a host's resource or of the shared network and NSG.
            Assert.All(writes, w => Assert.True(HostOf(w.Path) != null || IsShared(w.Path), $"{w} is neither a host's nor the shared network's"));
            string[] hostResources = Enumerable.Range(1, 5).SelectMany(i => new[]
            {
                Id($"Microsoft.Compute/virtualMachines/agent{i}"),
                Id($"Microsoft.Network/networkInterfaces/agent{i}-nic"),
                Id($"Microsoft.Network/publicIPAddresses/agent{i}-ip"),
            }).ToArray();
            Assert.All(hostResources, id => Assert.False(_bench.Arm.Exists(id), id + " is still there"));
            for (int i = 1; i <= 5; i++)
            {
                Assert.Contains(writes, w => w.Path.EndsWith($"/securityRules/AzDockerVm-agent{i}-Docker-2376", StringComparison.Ordinal));
            }

            Assert.False(_bench.Arm.Exists(Id("Microsoft.Network/virtualNetworks/azdockervm-vnet")));
            Assert.False(_bench.Arm.Exists(Id("Microsoft.Network/networkSecurityGroups/azdockervm-nsg")));
            var shared = writes.Where(w => IsShared(w.Path)).ToList();
            Assert.Equal(1, shared.Count(w => w.Path.EndsWith("/virtualNetworks/azdockervm-vnet", StringComparison.Ordinal)));
            Assert.Equal(1, shared.Count(w => w.Path.EndsWith("/networkSecurityGroups/azdockervm-nsg", StringComparison.Ordinal)));
            // The shared ones only once every host's resources were asked to go.
            int lastOfHosts = writes.Where(w => HostOf(w.Path) != null).Max(w => w.Sequence);
            Assert.All(shared, w => Assert.True(w.Sequence > lastOfHosts, $"{w} was sent before the last host's delete (#{lastOfHosts})"));

            // The group and everything of "other" stay, untouched.
            Assert.True(_bench.Arm.Exists(Id(null)));
            foreach (string id in new[] { other.Id, other.NicId, other.PublicIpId, other.NsgId, Id("Microsoft.Network/virtualNetworks/rg-ci-vnet") })
            {
                Assert.True(_bench.Arm.Exists(id), id + " is gone");
            }

            using var http = new ArmHttp(_bench.Arm);
            Assert.Equal(200, (await http.GetAsync(other.SubnetId + "?" + ArmHttp.Network)).Status);
            Assert.Empty(_bench.Ps.Run("Get-AzDockerVm -ResourceGroupName rg-ci").ThrowIfFailed().Output);
        }

        /// <summary>
        /// -RemoveLocalCertificate for a fleet: every removed host's TLS set goes, and the group's CA stays while a Docker
        /// host of the group is left. Whether one is left is decided once, after the hosts are gone, from one listing
        /// of the group's VMs (not a listing per host): three of four removed keep the CA, the fourth takes it.
        /// </summary>
        [Fact]
        public void Removing_hosts_with_their_local_files_lists_the_group_once_and_keeps_the_CA_while_a_host_is_left()
        {
            var made = Fleet("1..4 | ForEach-Object { \"agent$_\" }").ThrowIfFailed().Output
                .ToDictionary(o => (string)o.Properties["Name"].Value, o => (string)o.Properties["CertificatePath"].Value);
            string ca = Path.Combine(_bench.DockerConfig, "azdockervm", "ca");
            Assert.Single(Directory.GetFiles(ca, "ca-key.pem", SearchOption.AllDirectories));
            bool IsGroupListing(RecordedExchange r) => r.Method == "GET" && r.Path.EndsWith("/resourceGroups/rg-ci/providers/Microsoft.Compute/virtualMachines", StringComparison.OrdinalIgnoreCase);
            int mark = _bench.Arm.Requests.Max(r => r.Sequence);

            _bench.Ps.Run("Get-AzDockerVm -ResourceGroupName rg-ci | Where-Object Name -ne agent4 | Remove-AzDockerVm -RemoveLocalCertificate -Force").ThrowIfFailed();

            // Get-AzDockerVm lists the group once itself; Remove adds one listing for the CA, whatever the number of hosts.
            Assert.Equal(2, _bench.Arm.Requests.Count(r => r.Sequence > mark && IsGroupListing(r)));
            foreach (string name in new[] { "agent1", "agent2", "agent3" })
            {
                Assert.False(Directory.Exists(made[name]), made[name] + " is still there");
            }

            Assert.True(Directory.Exists(made["agent4"]));
            Assert.Single(Directory.GetFiles(ca, "ca-key.pem", SearchOption.AllDirectories));

            _bench.Ps.Run("Remove-AzDockerVm -ResourceGroupName rg-ci -Name agent4 -RemoveLocalCertificate -Force").ThrowIfFailed();

            Assert.False(Directory.Exists(made["agent4"]));
            Assert.Empty(Directory.GetFiles(ca, "ca-key.pem", SearchOption.AllDirectories));
        }

        /// <summary>
        /// The shared network is deleted only when nothing else uses it: with someone else's NIC (as their VM would have)
        /// in the fleet's subnet and NSG, removing the fleet deletes every host's resources and rules, and keeps the
        /// VNet, the subnet and the NSG (with the other NIC and none of the hosts' rules), with no error.
        /// </summary>
        [Fact]
        public async Task Removing_the_fleet_keeps_the_shared_network_that_someone_elses_NIC_uses()
        {
            Fleet("1..3 | ForEach-Object { \"agent$_\" }").ThrowIfFailed();
            using var http = new ArmHttp(_bench.Arm);
            string nsgId = Id("Microsoft.Network/networkSecurityGroups/azdockervm-nsg");
            string subnetId = Id("Microsoft.Network/virtualNetworks/azdockervm-vnet/subnets/azdockervm-subnet");
            var nic = await http.PutAndWaitAsync(Id("Microsoft.Network/networkInterfaces/theirs-nic") + "?" + ArmHttp.Network,
                NetworkTests.Nic(subnetId, null, nsgId));
            Assert.Equal(200, nic.Final?.Status);
            int mark = _bench.Arm.Requests.Max(r => r.Sequence);

            var run = _bench.Ps.Run("Get-AzDockerVm -ResourceGroupName rg-ci | Remove-AzDockerVm -Force");

            Assert.True(run.Error == null, run.Describe());
            var writes = _bench.Arm.Requests.Where(r => r.Sequence > mark && r.Method != "GET").ToList();
            Assert.All(writes, w => Assert.True(w.Method == "DELETE" && w.Status < 300 && HostOf(w.Path) != null, $"{w}: only the hosts' resources go"));
            for (int i = 1; i <= 3; i++)
            {
                Assert.False(_bench.Arm.Exists(Id($"Microsoft.Compute/virtualMachines/agent{i}")));
                Assert.False(_bench.Arm.Exists(Id($"Microsoft.Network/networkInterfaces/agent{i}-nic")));
                Assert.False(_bench.Arm.Exists(Id($"Microsoft.Network/publicIPAddresses/agent{i}-ip")));
            }

            Assert.True(_bench.Arm.Exists(Id("Microsoft.Network/networkInterfaces/theirs-nic")));
            Assert.True(_bench.Arm.Exists(Id("Microsoft.Network/virtualNetworks/azdockervm-vnet")));
            Assert.Equal(200, (await http.GetAsync(subnetId + "?" + ArmHttp.Network)).Status);
            var nsg = await http.GetAsync(nsgId + "?" + ArmHttp.Network);
            Assert.Equal(200, nsg.Status);
            Assert.DoesNotContain(((JsonArray)nsg.Body["properties"]["securityRules"]).Select(r => (string)r["name"]), n => n.StartsWith("AzDockerVm-agent", StringComparison.Ordinal));
            Assert.Contains(((JsonArray)nsg.Body["properties"]["networkInterfaces"]).Select(n => (string)n["id"]), id => id.EndsWith("/theirs-nic", StringComparison.OrdinalIgnoreCase));
        }

        /// <summary>
        /// Ctrl+C in a fleet: six hosts at -ThrottleLimit 2, each long-running operation taking 300 ms, are stopped
        /// (PowerShell.Stop, what Ctrl+C does) once the first VM is being created. The invocation ends within seconds
        /// as stopped (no error of its own), nothing more is sent once it has ended, so the VMs not yet started were
        /// never started; the same pipeline run again completes all six with no error, each VM created once in all.
        /// </summary>
        [Fact]
        public void Ctrl_C_stops_the_fleet_at_once_starts_nothing_more_and_a_rerun_completes_every_host()
        {
            const string fleet = "1..6 | ForEach-Object { \"agent$_\" } | New-AzDockerVm -ResourceGroupName rg-ci -Location westeurope -AllowedSourceAddress 203.0.113.0/24 -NoDockerContext -ThrottleLimit 2";
            _bench.Arm.LroLatency = TimeSpan.FromMilliseconds(300);
            using var ps = _bench.Ps.Create(fleet);
            var output = new PSDataCollection<PSObject>();
            IAsyncResult started = ps.BeginInvoke<PSObject, PSObject>(null, output);
            Assert.True(SpinWait.SpinUntil(() => _bench.Arm.Requests.Any(VmPut) || started.IsCompleted, TimeSpan.FromSeconds(60)), "no VM PUT within 60 s");
            Assert.False(started.IsCompleted, "the fleet ended before it could be stopped");

            var stopping = System.Diagnostics.Stopwatch.StartNew();
            ps.Stop();
            Exception ended = Record.Exception(() => ps.EndInvoke(started));
            stopping.Stop();

            Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {stopping.Elapsed}");
            Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
            Assert.True(ended == null || ended is PipelineStoppedException, "EndInvoke: " + ended);
            Assert.Empty(ps.Streams.Error);
            Assert.True(output.Count < 6, $"{output.Count} hosts were done before the stop");
            // Every request the stopped command had sent is answered (or given up) before counting.
            Assert.True(SpinWait.SpinUntil(() => _bench.Arm.InFlight == 0, TimeSpan.FromSeconds(10)), $"{_bench.Arm.InFlight} requests still in flight");
            var atStop = _bench.Arm.Requests;
            string[] vmsStarted = atStop.Where(VmPut).Select(r => HostOf(r.Path)).Distinct().ToArray();
            Assert.True(vmsStarted.Length < 6, "every VM was started before the stop: the proof says nothing");
            // -ThrottleLimit 2 admits two hosts at a time: the hosts beyond them had sent nothing of their own.
            string[] hostsStarted = atStop.Where(r => r.Method == "PUT").Select(r => HostOf(r.Path)).Where(h => h != null).Distinct().ToArray();
            Assert.True(hostsStarted.Length <= 2 + output.Count, $"hosts with PUTs at the stop: {string.Join(", ", hostsStarted)} ({output.Count} done)");
            Assert.True(hostsStarted.Length < 6, "every host had started before the stop: the proof says nothing");

            // A walk left running behind the stopped command would poll or send within its next second (the pace of
            // its polls): nothing comes.
            Assert.False(SpinWait.SpinUntil(() => _bench.Arm.Requests.Count > atStop.Count, TimeSpan.FromSeconds(2)),
                "requests after the stop: " + string.Join(", ", _bench.Arm.Requests.Skip(atStop.Count)));

            AssertARerunCompletesEveryHost(fleet);
        }

        /// <summary>
        /// -ErrorAction Stop in a fleet: the first host's failure ends the command with that host's error; the hosts under
        /// way are cancelled (the command returns without waiting for their operations, and nothing of theirs is sent
        /// afterwards), the rest never start, and the same pipeline without the fault completes every host, each VM once.
        /// </summary>
        [Fact]
        public void ErrorAction_Stop_ends_the_fleet_at_the_first_failed_host_cancels_the_others_and_a_rerun_completes_every_host()
        {
            const string fleet = "1..6 | ForEach-Object { \"agent$_\" } | New-AzDockerVm -ResourceGroupName rg-ci -Location westeurope -AllowedSourceAddress 203.0.113.0/24 -NoDockerContext -ThrottleLimit 3";
            _bench.Arm.LroLatency = TimeSpan.FromMilliseconds(300);
            _bench.Arm.Faults.On("PUT", "*/publicIPAddresses/agent2-ip").Times(1)
                .Error(400, "PublicIPCountLimitReached", "Cannot create more than 20 public IP addresses for this subscription in this region (injected).");

            var run = _bench.Ps.Run(fleet + " -ErrorAction Stop");

            Assert.NotNull(run.Terminating);
            Assert.StartsWith("ArmInvalidRequest,", run.Terminating.FullyQualifiedErrorId);
            Assert.Equal("agent2", run.Terminating.TargetObject is PSObject o ? o.BaseObject : run.Terminating.TargetObject);
            Assert.True(run.Output.Count < 6, $"{run.Output.Count} hosts were done: the stop came too late to prove anything");
            Assert.True(SpinWait.SpinUntil(() => _bench.Arm.InFlight == 0, TimeSpan.FromSeconds(10)), $"{_bench.Arm.InFlight} requests still in flight");
            var atStop = _bench.Arm.Requests;
            Assert.True(atStop.Where(VmPut).Select(r => HostOf(r.Path)).Distinct().Count() < 6, "every VM was started");
            // The three admitted hosts had sent requests; no host was admitted after agent2's error (a host's place is
            // given on only once its outcome was written, and that write cancelled the walk first).
            string[] hostsStarted = atStop.Where(r => r.Method == "PUT").Select(r => HostOf(r.Path)).Where(h => h != null).Distinct().OrderBy(h => h, StringComparer.Ordinal).ToArray();
            Assert.Equal(new[] { "agent1", "agent2", "agent3" }, hostsStarted);
            // Cancelled, not left running: a walk behind the ended command would poll or send within its next second.
            Assert.False(SpinWait.SpinUntil(() => _bench.Arm.Requests.Count > atStop.Count, TimeSpan.FromSeconds(2)),
                "requests after the command ended: " + string.Join(", ", _bench.Arm.Requests.Skip(atStop.Count)));

            AssertARerunCompletesEveryHost(fleet + " -ErrorAction Stop");
        }

        /// <summary>
        /// Stop-Job on a fleet's job: it returns with the job Stopped, each child Completed (its host was done) or
        /// Stopped, no request follows, and the same pipeline run again completes every host, each VM made once.
        /// </summary>
        [Fact]
        public void Stop_Job_stops_the_fleets_job_and_its_children_and_a_rerun_completes_every_host()
        {
            const string fleet = "1..6 | ForEach-Object { \"agent$_\" } | New-AzDockerVm -ResourceGroupName rg-ci -Location westeurope -AllowedSourceAddress 203.0.113.0/24 -NoDockerContext -ThrottleLimit 2";
            _bench.Arm.LroLatency = TimeSpan.FromMilliseconds(300);

            var run = _bench.Ps.Run(
                "$job = " + fleet + " -AsJob; " +
                "$deadline = [DateTime]::UtcNow.AddSeconds(60); while ($job.State -eq 'Running' -and -not $Probe.Invoke() -and [DateTime]::UtcNow -lt $deadline) { [System.Threading.Thread]::Sleep(20) }; " +
                "$before = $job.State.ToString(); Stop-Job $job; " +
                "$before; $job.State.ToString(); $job.ChildJobs | ForEach-Object { \"$($_.Name)=$($_.State)\" }",
                new { Probe = (Func<bool>)(() => _bench.Arm.Requests.Any(VmPut)) }).ThrowIfFailed();

            var lines = run.Output.Select(o => o.BaseObject.ToString()).ToArray();
            Assert.Equal("Running", lines[0]);
            Assert.Equal("Stopped", lines[1]);
            var children = lines.Skip(2).Select(l => l.Split('=')).ToDictionary(p => p[0], p => p[1]);
            Assert.Equal(Enumerable.Range(1, 6).Select(i => "agent" + i).OrderBy(n => n, StringComparer.Ordinal), children.Keys.OrderBy(n => n, StringComparer.Ordinal));
            Assert.All(children.Values, state => Assert.Contains(state, new[] { "Completed", "Stopped" }));
            Assert.Contains("Stopped", children.Values);
            Assert.True(SpinWait.SpinUntil(() => _bench.Arm.InFlight == 0, TimeSpan.FromSeconds(10)), $"{_bench.Arm.InFlight} requests still in flight");
            var atStop = _bench.Arm.Requests;
            Assert.False(SpinWait.SpinUntil(() => _bench.Arm.Requests.Count > atStop.Count, TimeSpan.FromSeconds(2)),
                "requests after Stop-Job: " + string.Join(", ", _bench.Arm.Requests.Skip(atStop.Count)));

            AssertARerunCompletesEveryHost(fleet);
        }

        private static bool VmPut(RecordedExchange r) => r.Method == "PUT" && System.Text.RegularExpressions.Regex.IsMatch(r.Path, "/virtualMachines/agent\\d+$");

        /// <summary>The stopped fleet, run again without latency or faults, yields all six hosts, each VM made once over both runs.</summary>
        private void AssertARerunCompletesEveryHost(string fleet)
        {
            _bench.Arm.LroLatency = TimeSpan.Zero;
            var again = _bench.Ps.Run(fleet);

            Assert.True(again.Error == null, again.Describe());
            Assert.Equal(Enumerable.Range(1, 6).Select(i => "agent" + i).OrderBy(n => n, StringComparer.Ordinal), Names(again));
            Assert.All(again.Output, o => Assert.Equal("Succeeded", o.Properties["ProvisioningState"].Value));
            for (int i = 1; i <= 6; i++)
            {
                Assert.Equal(1, _bench.Arm.Requests.Count(r => VmPut(r) && r.Status < 300 && r.Path.EndsWith($"/agent{i}", StringComparison.Ordinal)));
            }
        }

        private string Id(string resource) => $"/subscriptions/{_bench.Arm.SubscriptionId}/resourceGroups/rg-ci" + (resource == null ? string.Empty : "/providers/" + resource);

        /// <summary>The group's shared network resources (the VNet, its subnet, the NSG), by their default names.</summary>
        private static bool IsShared(string path)
            => System.Text.RegularExpressions.Regex.IsMatch(path, @"/(virtualNetworks/azdockervm-vnet(/subnets/azdockervm-subnet)?|networkSecurityGroups/azdockervm-nsg)$");

        private static string[] Names(PSRun run) => run.Output.Select(o => (string)o.Properties["Name"].Value).OrderBy(n => n, StringComparer.Ordinal).ToArray();

        /// <summary>The host a resource path belongs to (agentN, agentN-ip, agentN-nic, AzDockerVm-agentN-*, agentN/extensions/*), or null for a shared one.</summary>
        private static string HostOf(string path)
        {
            var match = System.Text.RegularExpressions.Regex.Match(path,
                @"/(?:virtualMachines/(?<h>agent\d+)(?:/|$)|publicIPAddresses/(?<h>agent\d+)-ip$|networkInterfaces/(?<h>agent\d+)-nic$|securityRules/AzDockerVm-(?<h>agent\d+)-)",
                System.Text.RegularExpressions.RegexOptions.IgnoreCase);
            return match.Success ? match.Groups["h"].Value : null;
        }

        [Fact]
        public void Throttled_and_failing_requests_are_retried_and_every_host_is_made_once()
        {
            _bench.Arm.Faults.On("PUT", "*/virtualMachines/*").Times(4).Throttle(1);
            _bench.Arm.Faults.On("PUT", "*/networkInterfaces/*").Times(3).ServerError();
            _bench.Arm.Faults.On("PUT", "*/securityRules/*").Times(2).Throttle(1);

            var run = Fleet("1..8 | ForEach-Object { \"agent$_\" }").ThrowIfFailed();

            Assert.Equal(8, run.Output.Count);
            Assert.Equal(1, SuccessfulPuts("/virtualNetworks/azdockervm-vnet"));
            for (int i = 1; i <= 8; i++)
            {
                Assert.Equal(1, SuccessfulPuts($"/virtualMachines/agent{i}"));
            }
        }
    

        [Fact]
        public void Fifty_hosts_at_ThrottleLimit_10_with_throttling_and_server_errors_all_succeed_on_one_network_with_no_rule_lost_or_doubled()
        {
            _bench.Arm.LroLatency = TimeSpan.FromMilliseconds(20);
            var random = new Random(20261203);
            var faults = Enumerable.Range(1, 50).Where(_ => random.Next(4) == 0).Select(i => _bench.Arm.Faults.On("PUT", $"*/agent{i}*").Times(1).Throttle(1))
                .Concat(Enumerable.Range(1, 50).Where(_ => random.Next(10) == 0).Select(i => _bench.Arm.Faults.On("PUT", $"*/virtualMachines/agent{i}").Times(1).ServerError()))
                .ToList();
            _bench.Arm.ResetPeakInFlight();

            var run = Fleet("1..50 | ForEach-Object { \"agent$_\" }", "-ThrottleLimit 10").ThrowIfFailed();

            Assert.Equal(50, run.Output.Count);
            Assert.All(run.Output, o => Assert.Equal("Succeeded", o.Properties["ProvisioningState"].Value));
            Assert.All(faults, f => Assert.Equal(1, f.Hits));
            Assert.True(_bench.Arm.PeakInFlight <= 30, $"peak requests in flight {_bench.Arm.PeakInFlight} > 10 x 3");
            Assert.Equal(1, SuccessfulPuts("/virtualNetworks/azdockervm-vnet"));
            Assert.Equal(1, SuccessfulPuts("/networkSecurityGroups/azdockervm-nsg"));
            foreach (string kind in new[] { "virtualMachines", "networkInterfaces", "publicIPAddresses" })
            {
                Assert.Equal(50, _bench.Arm.Requests.Where(r => r.Method == "PUT" && r.Status < 300 && r.Path.Contains($"/{kind}/agent") && !r.Path.Contains("/extensions/"))
                    .Select(r => r.Path.Split('?')[0].ToLowerInvariant()).Distinct().Count());
            }

            Assert.Equal(50, _bench.Arm.Requests.Count(r => r.Method == "PUT" && r.Status < 300 && r.Path.Contains("/extensions/")));
            // Every host's rule once, each at its own priority (none overwritten by another host's).
            var rules = _bench.Arm.Requests.Where(r => r.Method == "PUT" && r.Status < 300 && r.Path.Contains("/securityRules/")).ToList();
            Assert.Equal(50, rules.Count);
            Assert.Equal(50, rules.Select(r => (int)r.RequestBody["properties"]["priority"]).Distinct().Count());
            var nsg = _bench.Ps.Run("Get-AzDockerVm rg-ci").ThrowIfFailed().Output;
            Assert.All(nsg, h => Assert.Equal(new[] { "203.0.113.0/24" }, (string[])h.Properties["AllowedSourceAddress"].Value));
            // Requests per host, everything included (reads, writes, polls, retries): bounded.
            double perHost = _bench.Arm.Requests.Count(r => !r.Path.Contains("/resourcegroups/rg-ci?") ) / 50.0;
            Assert.True(perHost < 40, $"{perHost:0.0} requests per host");
        }
    }
}

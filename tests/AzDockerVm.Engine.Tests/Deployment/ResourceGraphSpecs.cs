using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Engine.Deployment;
using Xunit;

namespace AzDockerVm.Engine.Tests.Deployment
{
    /// <summary>
    /// The deployment graph as a Docker host needs it: resource group; VNet, NSG and public IP side by side; then the
    /// NIC, the VM and Docker. Read once, create only what is missing, each node after its dependencies and independent
    /// ones together, resume after a failure, remove in reverse keeping what is not ours or still used.
    /// </summary>
    public sealed class ResourceGraphSpecs
    {
        private readonly FakeCloud _cloud = new FakeCloud();

        /// <summary>The shape of one host: rg → (vnet, nsg, pip) → nic → vm → docker.</summary>
        private (FakeNode Rg, FakeNode Vnet, FakeNode Nsg, FakeNode Pip, FakeNode Nic, FakeNode Vm, FakeNode Docker) Host(string name = "dock1", FakeNode rg = null, FakeNode vnet = null, FakeNode nsg = null)
        {
            rg ??= _cloud.Node("rg");
            vnet ??= _cloud.Node("vnet", rg);
            nsg ??= _cloud.Node("nsg", rg);
            var pip = _cloud.Node(name + "-pip", rg);
            var nic = _cloud.Node(name + "-nic", vnet, nsg, pip);
            var vm = _cloud.Node(name, nic);
            var docker = _cloud.Node(name + "-docker", vm);
            return (rg, vnet, nsg, pip, nic, vm, docker);
        }

        [Fact]
        public void Order_puts_every_node_after_its_dependencies_once_each()
        {
            var h = Host();

            IReadOnlyList<ResourceNode> order = ResourceGraph.Order(new[] { h.Docker });

            Assert.Equal(7, order.Count);
            Assert.Equal(order.Count, order.Distinct().Count());
            foreach (ResourceNode node in order)
            {
                Assert.All(node.DependsOn, d => Assert.True(order.ToList().IndexOf(d) < order.ToList().IndexOf(node), $"{d} after {node}"));
            }
        }

        [Fact]
        public async Task From_nothing_every_node_is_created_once_after_its_dependencies_and_the_network_tier_at_once()
        {
            // Long enough that the three network changes overlap even on a busy machine.
            _cloud.Latency = TimeSpan.FromMilliseconds(200);
            var h = Host();

            DeploymentPlan plan = await ResourceGraph.PlanAsync(new[] { h.Docker }, CancellationToken.None);
            DeploymentResult result = await ResourceGraph.ApplyAsync(plan, null, CancellationToken.None);

            Assert.True(result.Succeeded);
            Assert.Equal(7, plan.Missing.Count);
            Assert.All(result.Nodes, n => Assert.Equal(NodeOutcome.Created, result.Outcomes[n]));
            Assert.Equal(7, _cloud.Changes("create").Length);
            Assert.Equal(7, _cloud.Changes("create").Distinct().Count());
            // VNet, NSG and public IP wait only for the group, and run side by side.
            Assert.Equal(3, _cloud.PeakInFlight);
            foreach (string tier in new[] { "vnet", "nsg", "dock1-pip" })
            {
                Assert.True(_cloud.IndexOf("end create rg") < _cloud.IndexOf("start create " + tier));
                Assert.True(_cloud.IndexOf("end create " + tier) < _cloud.IndexOf("start create dock1-nic"));
            }

            Assert.True(_cloud.IndexOf("end create dock1-nic") < _cloud.IndexOf("start create dock1"));
            Assert.True(_cloud.IndexOf("end create dock1") < _cloud.IndexOf("start create dock1-docker"));
            Assert.Equal(new[] { "vnet", "nsg", "dock1-pip" }, h.Nic.SeenDependencies);
        }

        [Fact]
        public async Task What_exists_is_reused_and_a_finished_deployment_changes_nothing()
        {
            foreach (string name in new[] { "rg", "vnet", "nsg" })
            {
                _cloud.Resources[name] = true;
            }

            var h = Host();
            DeploymentPlan plan = await ResourceGraph.PlanAsync(new[] { h.Docker }, CancellationToken.None);
            Assert.Equal(new[] { "nsg", "rg", "vnet" }, plan.Existing.Select(n => n.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray());
            DeploymentResult first = await ResourceGraph.ApplyAsync(plan, null, CancellationToken.None);
            Assert.Equal(NodeOutcome.Existed, first.Outcomes[h.Vnet]);
            Assert.Equal(new[] { "dock1-pip", "dock1-nic", "dock1", "dock1-docker" }, _cloud.Changes("create"));

            int readsBefore = _cloud.Reads;
            DeploymentResult again = await ResourceGraph.ApplyAsync(await ResourceGraph.PlanAsync(new[] { h.Docker }, CancellationToken.None), null, CancellationToken.None);

            Assert.True(again.Succeeded);
            Assert.All(again.Nodes, n => Assert.Equal(NodeOutcome.Existed, again.Outcomes[n]));
            Assert.Equal(4, _cloud.Changes("create").Length);
            Assert.Equal(7, _cloud.Reads - readsBefore);
        }

        [Fact]
        public async Task A_failure_stops_only_what_waits_for_it_and_the_re_run_resumes_where_it_stopped()
        {
            var h = Host();
            _cloud.FailNext["nsg"] = 1;

            DeploymentResult failed = await ResourceGraph.ApplyAsync(await ResourceGraph.PlanAsync(new[] { h.Docker }, CancellationToken.None), null, CancellationToken.None);

            Assert.False(failed.Succeeded);
            Assert.Equal(NodeOutcome.Failed, failed.Outcomes[h.Nsg]);
            Assert.Contains("injected", failed.Failures[h.Nsg].Message);
            // Its siblings went on; what needs it did not start.
            Assert.Equal(NodeOutcome.Created, failed.Outcomes[h.Vnet]);
            Assert.Equal(NodeOutcome.Created, failed.Outcomes[h.Pip]);
            Assert.Equal(new[] { h.Nic, h.Vm, h.Docker }, failed.With(NodeOutcome.NotStarted).ToArray());
            Assert.Equal(new[] { "dock1-pip", "rg", "vnet" }, failed.Existing.Select(n => n.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray());

            DeploymentResult resumed = await ResourceGraph.ApplyAsync(await ResourceGraph.PlanAsync(new[] { h.Docker }, CancellationToken.None), null, CancellationToken.None);

            Assert.True(resumed.Succeeded);
            Assert.Equal(new[] { h.Nsg, h.Nic, h.Vm, h.Docker }, resumed.With(NodeOutcome.Created).ToArray());
            Assert.Equal(1, _cloud.Changes("create").Count(c => c == "vnet"));
        }

        [Fact]
        public async Task Hosts_that_share_the_network_create_it_once()
        {
            var first = Host("dock1");
            var second = Host("dock2", first.Rg, first.Vnet, first.Nsg);

            DeploymentResult result = await ResourceGraph.ApplyAsync(await ResourceGraph.PlanAsync(new[] { first.Docker, second.Docker }, CancellationToken.None), null, CancellationToken.None);

            Assert.True(result.Succeeded);
            Assert.Equal(1, _cloud.Changes("create").Count(c => c == "vnet"));
            Assert.Equal(1, _cloud.Changes("create").Count(c => c == "nsg"));
            Assert.Equal(11, _cloud.Changes("create").Length);
        }

        [Fact]
        public async Task A_stopped_walk_starts_nothing_new_and_what_exists_is_told()
        {
            _cloud.Latency = TimeSpan.FromMilliseconds(300);
            var h = Host();
            using var stop = new CancellationTokenSource();
            DeploymentPlan plan = await ResourceGraph.PlanAsync(new[] { h.Docker }, CancellationToken.None);
            var observer = new RecordingObserver(node => { if (node.Name == "rg") stop.CancelAfter(100); });

            DeploymentResult result = await ResourceGraph.ApplyAsync(plan, observer, stop.Token);

            Assert.False(result.Succeeded);
            Assert.Equal(NodeOutcome.Failed, result.Outcomes[h.Rg]);
            Assert.IsAssignableFrom<OperationCanceledException>(result.Failures[h.Rg]);
            Assert.Equal(new[] { "rg" }, _cloud.Changes("create"));
            Assert.Empty(result.Existing);
        }

        [Fact]
        public async Task The_observer_hears_each_change_start_and_end()
        {
            var h = Host();
            var observer = new RecordingObserver();

            await ResourceGraph.ApplyAsync(await ResourceGraph.PlanAsync(new[] { h.Docker }, CancellationToken.None), observer, CancellationToken.None);

            Assert.Equal(7, observer.Events.Count(e => e.StartsWith("Creating ", StringComparison.Ordinal)));
            Assert.Equal(7, observer.Events.Count(e => e.StartsWith("Created ", StringComparison.Ordinal)));
        }

        [Fact]
        public async Task Removal_goes_dependents_first_and_keeps_what_is_still_used_elsewhere()
        {
            var first = Host("dock1");
            var second = Host("dock2", first.Rg, first.Vnet, first.Nsg);
            await ResourceGraph.ApplyAsync(await ResourceGraph.PlanAsync(new[] { first.Docker, second.Docker }, CancellationToken.None), null, CancellationToken.None);
            // dock2 stays: removing dock1 must keep the shared network and the group.
            _cloud.UsedElsewhere.UnionWith(new[] { "vnet", "nsg", "rg" });

            DeploymentResult removed = await ResourceGraph.RemoveAsync(new[] { first.Docker }, null, CancellationToken.None);

            Assert.True(removed.Succeeded, string.Join("; ", removed.Failures.Select(f => f.Key + ": " + f.Value.Message)));
            Assert.Equal(new[] { "dock1-docker", "dock1", "dock1-nic", "dock1-pip" }.OrderBy(n => n), removed.With(NodeOutcome.Deleted).Select(n => n.Name).OrderBy(n => n));
            Assert.Equal(new[] { first.Rg, first.Vnet, first.Nsg }.OrderBy(n => n.Name), removed.With(NodeOutcome.Kept).OrderBy(n => n.Name));
            Assert.True(_cloud.IndexOf("end delete dock1-docker") < _cloud.IndexOf("start delete dock1"));
            Assert.True(_cloud.IndexOf("end delete dock1") < _cloud.IndexOf("start delete dock1-nic"));
            Assert.True(_cloud.IndexOf("end delete dock1-nic") < _cloud.IndexOf("start delete dock1-pip"));
            Assert.True(_cloud.Resources.ContainsKey("dock2-nic"));
        }

        [Fact]
        public async Task Removal_of_the_last_host_removes_the_shared_network_too_and_a_second_removal_finds_nothing()
        {
            var h = Host();
            await ResourceGraph.ApplyAsync(await ResourceGraph.PlanAsync(new[] { h.Docker }, CancellationToken.None), null, CancellationToken.None);

            DeploymentResult removed = await ResourceGraph.RemoveAsync(new[] { h.Docker }, null, CancellationToken.None);
            DeploymentResult again = await ResourceGraph.RemoveAsync(new[] { h.Docker }, null, CancellationToken.None);

            Assert.True(removed.Succeeded);
            Assert.Equal(7, removed.With(NodeOutcome.Deleted).Count());
            Assert.Empty(_cloud.Resources);
            Assert.All(again.Nodes, n => Assert.Equal(NodeOutcome.Absent, again.Outcomes[n]));
        }

        [Fact]
        public async Task Removal_works_on_a_half_created_host_and_a_failed_delete_keeps_what_it_needs()
        {
            var h = Host();
            _cloud.FailNext["dock1"] = 1;
            await ResourceGraph.ApplyAsync(await ResourceGraph.PlanAsync(new[] { h.Docker }, CancellationToken.None), null, CancellationToken.None);
            Assert.False(_cloud.Resources.ContainsKey("dock1"));

            _cloud.FailNext["dock1-nic"] = 1;
            DeploymentResult failed = await ResourceGraph.RemoveAsync(new[] { h.Docker }, null, CancellationToken.None);

            Assert.False(failed.Succeeded);
            Assert.Equal(NodeOutcome.Absent, failed.Outcomes[h.Vm]);
            Assert.Equal(NodeOutcome.Failed, failed.Outcomes[h.Nic]);
            Assert.Equal(new[] { h.Rg, h.Vnet, h.Nsg, h.Pip }.OrderBy(n => n.Name), failed.With(NodeOutcome.NotStarted).OrderBy(n => n.Name));

            DeploymentResult resumed = await ResourceGraph.RemoveAsync(new[] { h.Docker }, null, CancellationToken.None);
            Assert.True(resumed.Succeeded);
            Assert.Empty(_cloud.Resources);
        }

        private sealed class RecordingObserver : IDeploymentObserver
        {
            private readonly Action<ResourceNode> _onStart;

            public RecordingObserver(Action<ResourceNode> onStart = null) => _onStart = onStart;

            public List<string> Events { get; } = new List<string>();

            public void Starting(ResourceNode node, string change)
            {
                lock (Events)
                {
                    Events.Add(change + " " + node.Name);
                }

                _onStart?.Invoke(node);
            }

            public void Finished(ResourceNode node, NodeOutcome outcome)
            {
                lock (Events)
                {
                    Events.Add(outcome + " " + node.Name);
                }
            }
        }
    }
}

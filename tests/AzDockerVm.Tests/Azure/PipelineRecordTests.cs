using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>
    /// One record's failure is that record's error: a pipeline of VMs goes on past a VM that is missing or not Linux,
    /// each failure names its VM; a refusal of the input as a whole (a bad setting, no Az context) stops the pipeline
    /// before anything starts; -ErrorAction Stop stops at the first failing VM. The VMs are worked on at once, so
    /// results come as VMs finish: the tests compare them as sets, each error by the VM it names.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class PipelineRecordTests : IAsyncLifetime
    {
        private const string ThreeVms = "@('vm1', 'nosuchvm', 'win1', 'vm2') | ForEach-Object { [pscustomobject]@{ ResourceGroupName = 'rg1'; Name = $_ } }";
        private AzureBench _bench;

        public async Task InitializeAsync()
        {
            _bench = await AzureBench.StartAsync();
            _bench.AddVm("vm1");
            _bench.AddVm("vm2");
            _bench.Arm.AddWindowsVm("rg1", "win1");
        }

        public async Task DisposeAsync() => await _bench.DisposeAsync();

        [Fact]
        public void Set_goes_on_past_the_VMs_that_fail_and_each_failure_names_its_VM()
        {
            var run = _bench.Ps.Run(ThreeVms + " | Set-AzDockerExtension -NoDockerContext");

            Assert.Null(run.Terminating);
            Assert.Equal(new[] { "vm1", "vm2" }, run.Output.Select(o => (string)o.Properties["VMName"].Value).OrderBy(n => n).ToArray());
            var errors = run.Errors.OrderBy(e => (string)e.TargetObject).ToList();
            Assert.Equal(new object[] { "nosuchvm", "win1" }, errors.Select(e => e.TargetObject).ToArray());
            Assert.Equal(new[] { "VmNotFound", "VmNotLinux" }, errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]).ToArray());
            Assert.Equal(new[] { ErrorCategory.ObjectNotFound, ErrorCategory.InvalidOperation }, errors.Select(e => e.CategoryInfo.Category).ToArray());
            Assert.Equal(2, _bench.Arm.ExtensionPuts.Count);
        }

        [Fact]
        public void ErrorAction_Stop_stops_at_the_first_failing_VM()
        {
            var run = _bench.Ps.Run(ThreeVms + " | Set-AzDockerExtension -NoDockerContext -ErrorAction Stop -ThrottleLimit 1");

            // The VMs are read before any is changed, one at a time here: the pipeline stopped at nosuchvm, win1 and
            // vm2 were not even read, and nothing was changed (vm1 included: its change had not started).
            Assert.NotNull(run.Terminating);
            Assert.StartsWith("VmNotFound,", run.Terminating.FullyQualifiedErrorId);
            Assert.Empty(_bench.Arm.ExtensionPuts);
            Assert.Contains(_bench.Arm.Requests, r => r.Path.EndsWith("/virtualMachines/vm1", System.StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(_bench.Arm.Requests, r => r.Path.Contains("/virtualMachines/vm2", System.StringComparison.OrdinalIgnoreCase));
        }

        [Fact]
        public void Get_and_Remove_go_on_past_a_missing_VM()
        {
            _bench.Ps.Run("Set-AzDockerExtension rg1 vm2 -NoDockerContext").ThrowIfFailed();

            var get = _bench.Ps.Run("@('nosuchvm', 'vm2') | ForEach-Object { [pscustomobject]@{ ResourceGroupName = 'rg1'; Name = $_ } } | Get-AzDockerExtension");
            var remove = _bench.Ps.Run("@('nosuchvm', 'vm2') | ForEach-Object { [pscustomobject]@{ ResourceGroupName = 'rg1'; Name = $_ } } | Remove-AzDockerExtension -Force");

            Assert.Null(get.Terminating);
            Assert.Equal("vm2", get.Single().Properties["VMName"].Value);
            Assert.Equal("nosuchvm", get.Errors.Single().TargetObject);
            Assert.Null(remove.Terminating);
            Assert.Equal("nosuchvm", remove.Errors.Single().TargetObject);
            Assert.Empty(_bench.Ps.Run("Get-AzDockerExtension rg1 vm2").ThrowIfFailed().Output);
        }

        [Fact]
        public void A_refusal_of_the_input_stops_the_pipeline_before_any_request()
        {
            var run = _bench.Ps.Run(ThreeVms + " | Set-AzDockerExtension -DockerOption '--tlsverify=false'");

            // One error for four records: the first refusal ended the statement (a terminating error).
            Assert.StartsWith("DockerOptionConflict,", run.Error.FullyQualifiedErrorId);
            Assert.Single(run.Errors.Append(run.Terminating), e => e != null);
            Assert.Empty(run.Output);
            Assert.Empty(_bench.Arm.Requests);
        }
    }
}

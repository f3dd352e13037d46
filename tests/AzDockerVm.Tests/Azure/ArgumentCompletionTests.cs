using System.Linq;
using System.Threading.Tasks;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>
    /// Tab completion of -ResourceGroupName and -VMName (and the -Location completer) from ARM through the Az context,
    /// as Az users expect: the names of the subscription, listed once a minute, and silence without a context.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class ArgumentCompletionTests : IAsyncLifetime
    {
        private AzureBench _bench;

        public async Task InitializeAsync()
        {
            _bench = await AzureBench.StartAsync();
            _bench.AddVm("vm1");
            _bench.AddVm("vm2");
            _bench.AddVm("other1", "rg2");
            _bench.Arm.AddResourceGroup("rg(test)");
            _bench.Arm.AddResourceGroup("prod-docker");
        }

        public async Task DisposeAsync() => await _bench.DisposeAsync();

        private string[] Complete(string line)
            => _bench.Ps.Run("[System.Management.Automation.CommandCompletion]::CompleteInput($Line, $Line.Length, $null).CompletionMatches | ForEach-Object CompletionText", new { Line = line })
                .ThrowIfFailed().Output.Select(o => o.ToString()).ToArray();

        [Fact]
        public void ResourceGroupName_offers_the_subscriptions_groups_by_prefix_quoted_where_needed()
        {
            Assert.Equal(new[] { "prod-docker", "'rg(test)'", "rg1", "rg2" }, Complete("Set-AzDockerExtension -ResourceGroupName "));
            Assert.Equal(new[] { "'rg(test)'", "rg1", "rg2" }, Complete("Get-AzDockerExtension -ResourceGroupName R"));
            Assert.Equal(new[] { "prod-docker" }, Complete("Remove-AzDockerExtension p"));
        }

        [Fact]
        public void VMName_offers_the_VMs_of_the_group_on_the_command_line_by_name_or_position()
        {
            Assert.Equal(new[] { "vm1", "vm2" }, Complete("Set-AzDockerExtension -ResourceGroupName rg1 -VMName "));
            Assert.Equal(new[] { "other1" }, Complete("Get-AzDockerExtension rg2 "));
            Assert.Equal(new[] { "vm2" }, Complete("Remove-AzDockerExtension -ResourceGroupName rg1 -Name vm2"));
        }

        [Fact]
        public void Without_a_group_no_VM_is_offered_and_nothing_is_asked()
        {
            int before = _bench.Arm.Requests.Count;

            Assert.Empty(Complete("Get-AzDockerExtension -VMName "));
            Assert.Equal(before, _bench.Arm.Requests.Count);
        }

        [Fact]
        public void Names_are_listed_once_a_minute_not_on_every_tab()
        {
            Complete("Set-AzDockerExtension -ResourceGroupName ");
            int after = _bench.Arm.Requests.Count;

            Complete("Set-AzDockerExtension -ResourceGroupName r");
            Complete("Get-AzDockerExtension -ResourceGroupName p");

            Assert.Equal(after, _bench.Arm.Requests.Count);
        }

        [Fact]
        public void Without_an_Az_context_completion_is_silent()
        {
            _bench.Ps.Run("function global:Get-AzContext { param($DefaultProfile) }").ThrowIfFailed();

            var run = _bench.Ps.Run("$Error.Clear(); [System.Management.Automation.CommandCompletion]::CompleteInput('Set-AzDockerExtension -ResourceGroupName ', 41, $null).CompletionMatches.Count; $Error.Count");

            Assert.Equal(new object[] { 0, 0 }, run.ThrowIfFailed().Output.Select(o => o.BaseObject).ToArray());
            Assert.Empty(_bench.Arm.Requests);
        }

        [Fact]
        public void A_listing_that_gets_no_answer_gives_up_within_seconds_and_completion_stays_silent()
        {
            _bench.Arm.Faults.On("GET", "*/resourcegroups").Hang();
            var clock = System.Diagnostics.Stopwatch.StartNew();

            var run = _bench.Ps.Run("$Error.Clear(); [System.Management.Automation.CommandCompletion]::CompleteInput('Set-AzDockerExtension -ResourceGroupName ', 41, $null).CompletionMatches.Count; $Error.Count");

            clock.Stop();
            Assert.Equal(new object[] { 0, 0 }, run.ThrowIfFailed().Output.Select(o => o.BaseObject).ToArray());
            // The SDK alone would wait 100 s per try; the completer's own limit is 5 s.
            Assert.InRange(clock.Elapsed.TotalSeconds, 4, 30);
        }

        [Fact]
        public void Location_completion_offers_where_the_subscription_can_create_VMs()
        {
            var run = _bench.Ps.Run("[AzDockerVm.Completion.LocationCompleter]::new().CompleteArgument('New-AzDockerVm', 'Location', 'west', $null, @{}) | ForEach-Object CompletionText");

            Assert.Equal(new[] { "westeurope", "westus2" }, run.ThrowIfFailed().Output.Select(o => o.ToString()).ToArray());
        }
    }
}

using System;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>-NoWait returns the started operation; -AsJob returns a job whose tokens come from the caller's runspace when it is idle.</summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class NoWaitAsJobTests : IAsyncLifetime
    {
        private AzureBench _bench;

        public async Task InitializeAsync()
        {
            _bench = await AzureBench.StartAsync();
            _bench.AddVm();
        }

        public async Task DisposeAsync() => await _bench.DisposeAsync();

        [Fact]
        public void Set_NoWait_returns_the_operation_without_polling_and_Get_sees_it_later()
        {
            _bench.Arm.Faults.On("PUT", "*/extensions/*").SlowLro(1);

            var operation = _bench.Ps.Run("Set-AzDockerExtension rg1 vm1 -NoWait").ThrowIfFailed().Single();

            Assert.Equal("AzDockerVm.Models.AzDockerExtensionOperation", operation.BaseObject.GetType().FullName);
            Assert.Equal("Set", operation.Properties["Operation"].Value);
            Assert.Equal("InProgress", operation.Properties["Status"].Value);
            Assert.Equal("AzDockerVm", operation.Properties["Name"].Value);
            Assert.Equal("vm1", operation.Properties["VMName"].Value);
            Assert.Equal("PUT", _bench.Arm.Requests.Last().Method);

            _bench.Arm.CompletePendingOperations();
            var status = _bench.Ps.Run("Get-AzDockerExtension rg1 vm1").ThrowIfFailed().Single();
            Assert.Equal("Succeeded", status.Properties["ProvisioningState"].Value);
        }

        [Fact]
        public void Remove_NoWait_returns_the_accepted_operation()
        {
            _bench.Ps.Run("Set-AzDockerExtension rg1 vm1").ThrowIfFailed();

            var operation = _bench.Ps.Run("Remove-AzDockerExtension rg1 vm1 -Force -NoWait").ThrowIfFailed().Single();

            Assert.Equal("Remove", operation.Properties["Operation"].Value);
            Assert.Equal("Accepted", operation.Properties["Status"].Value);
            Assert.Equal("DELETE", _bench.Arm.Requests.Last().Method);
        }

        [Fact]
        public void Set_AsJob_returns_a_job_whose_output_is_the_status()
        {
            var run = _bench.Ps.Run("$j = Set-AzDockerExtension rg1 vm1 -AsJob; $null = $j | Wait-Job -Timeout 60; $j.State.ToString(); $j.PSJobTypeName; Receive-Job $j").ThrowIfFailed();

            Assert.Equal("Completed", run.Output[0].BaseObject);
            Assert.Equal("AzDockerVmJob", run.Output[1].BaseObject);
            Assert.Equal("Succeeded", run.Output[2].Properties["ProvisioningState"].Value);
            Assert.Equal("20.10.24", run.Output[2].Properties["DockerVersion"].Value);
        }

        [Fact]
        public void A_job_asks_the_idle_callers_runspace_for_fresh_tokens()
        {
            _bench.Arm.Faults.On("PUT", "*/extensions/*").SlowLro(2);
            var job = (Job)_bench.Ps.Run("$global:AzdvTokenMinutes = 4; Set-AzDockerExtension rg1 vm1 -AsJob").ThrowIfFailed().Single().BaseObject;
            int beforeJob = _bench.Arm.Requests.Count;

            // The runspace is idle now: the job's requests get tokens fetched there (4-minute tokens are refreshed).
            var clock = Stopwatch.StartNew();
            while (job.JobStateInfo.State is JobState.Running or JobState.NotStarted && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                Thread.Sleep(100);
            }

            Assert.Equal(JobState.Completed, job.JobStateInfo.State);
            var jobTokens = _bench.Arm.Requests.Skip(beforeJob).Select(r => r.BearerToken).Distinct().ToList();
            var earlierTokens = _bench.Arm.Requests.Take(beforeJob).Select(r => r.BearerToken).ToHashSet();
            Assert.Contains(jobTokens, t => !earlierTokens.Contains(t));
        }

        [Fact]
        public void Remove_AsJob_removes_ours_in_the_background()
        {
            _bench.Ps.Run("Set-AzDockerExtension rg1 vm1").ThrowIfFailed();

            var run = _bench.Ps.Run("$j = Remove-AzDockerExtension rg1 vm1 -Force -AsJob; $null = $j | Wait-Job -Timeout 60; $j.State.ToString(); @(Receive-Job $j).Count").ThrowIfFailed();

            Assert.Equal("Completed", run.Output[0].BaseObject);
            Assert.Equal(0, run.Output[1].BaseObject);
            Assert.Empty(_bench.Ps.Run("Get-AzDockerExtension rg1 vm1").ThrowIfFailed().Output);
        }
    }
}

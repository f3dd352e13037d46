using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>
    /// ARM misbehaving: throttling and server errors are retried (and then succeed), a failed operation reports the
    /// extension's own message, a dropped connection is a clean ConnectionError — and nothing hangs.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class ArmFaultTests : IAsyncLifetime
    {
        private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(45);
        private AzureBench _bench;

        public async Task InitializeAsync()
        {
            _bench = await AzureBench.StartAsync();
            _bench.AddVm();
        }

        public async Task DisposeAsync() => await _bench.DisposeAsync();

        private PSRun Timed(string script)
        {
            var clock = Stopwatch.StartNew();
            var run = _bench.Ps.Run(script);
            Assert.True(clock.Elapsed < s_bound, $"took {clock.Elapsed}");
            return run;
        }

        [Fact]
        public void A_throttled_PUT_is_retried_after_Retry_After_and_succeeds()
        {
            var rule = _bench.Arm.Faults.On("PUT", "*/extensions/*").Throttle(1);

            var status = Timed("Set-AzDockerExtension rg1 vm1").ThrowIfFailed().Single();

            Assert.Equal("Succeeded", status.Properties["ProvisioningState"].Value);
            Assert.Equal(1, rule.Hits);
            Assert.Equal(new[] { 429, 201 }, _bench.Arm.Requests.Where(r => r.Method == "PUT").Select(r => r.Status).ToArray());
        }

        [Fact]
        public void Server_errors_on_reads_and_on_the_PUT_are_retried_and_succeed()
        {
            var read = _bench.Arm.Faults.On("GET", "*/virtualMachines/vm1").Times(2).ServerError();
            var write = _bench.Arm.Faults.On("PUT", "*/extensions/*").ServerError();

            var status = Timed("Set-AzDockerExtension rg1 vm1").ThrowIfFailed().Single();

            Assert.Equal("Succeeded", status.Properties["ProvisioningState"].Value);
            Assert.Equal(2, read.Hits);
            Assert.Equal(1, write.Hits);
        }

        [Fact]
        public void Server_errors_that_do_not_stop_end_in_ArmUnavailable()
        {
            _bench.Arm.Faults.On("GET", "*/virtualMachines/vm1").Times(100).ServerError();

            var run = Timed("Set-AzDockerExtension rg1 vm1");

            Assert.StartsWith("ArmUnavailable,", run.Error.FullyQualifiedErrorId);
            Assert.Equal("ResourceUnavailable", run.Error.CategoryInfo.Category.ToString());
            Assert.Contains("500", run.Error.Exception.Message);
            Assert.Empty(_bench.Writes());
        }

        [Fact]
        public void A_script_that_fails_on_the_VM_is_ExtensionProvisioningFailed_with_the_extensions_own_message()
        {
            _bench.Arm.SetExtensionHandler("rg1", "vm1", _ => ExtensionOutcome.ScriptFailed(3,
                "installing docker.io\nAZDOCKERVM status=failed reason=package-install-failed\n", "E: Unable to locate package docker.io\n"));

            var run = Timed("Set-AzDockerExtension rg1 vm1");

            Assert.StartsWith("ExtensionProvisioningFailed,", run.Error.FullyQualifiedErrorId);
            Assert.Equal("InvalidResult", run.Error.CategoryInfo.Category.ToString());
            Assert.Equal("vm1", run.Error.TargetObject);
            Assert.Contains("exit status=3", run.Error.Exception.Message);
            Assert.Contains("AZDOCKERVM status=failed reason=package-install-failed", run.Error.Exception.Message);
            Assert.Contains("VMExtensionProvisioningError", run.Error.Exception.Message);

            var status = _bench.Ps.Run("Get-AzDockerExtension rg1 vm1").ThrowIfFailed().Single();
            Assert.Equal("Failed", status.Properties["ProvisioningState"].Value);
            Assert.Contains("exit status=3", (string)status.Properties["StatusMessage"].Value);
        }

        [Fact]
        public void A_failure_whose_instance_view_says_nothing_shows_ARMs_own_message()
        {
            // What CustomScript reports when the script printed nothing: "Enable failed: \n[stdout]\n\n[stderr]\n".
            _bench.Arm.SetExtensionHandler("rg1", "vm1", _ => ExtensionOutcome.Failure(string.Empty));

            var run = Timed("Set-AzDockerExtension rg1 vm1");

            Assert.StartsWith("ExtensionProvisioningFailed,", run.Error.FullyQualifiedErrorId);
            Assert.Contains("VM has reported a failure when processing extension", run.Error.Exception.Message);
            Assert.Contains("VMExtensionProvisioningError", run.Error.Exception.Message);
        }

        [Fact]
        public void An_operation_that_fails_in_ARM_reports_ARMs_code_and_message()
        {
            _bench.Arm.Faults.On("*", "*").FailLro("AllocationFailed", "Allocation failed in this region (injected).");

            var run = Timed("Set-AzDockerExtension rg1 vm1");

            Assert.StartsWith("ExtensionProvisioningFailed,", run.Error.FullyQualifiedErrorId);
            Assert.Contains("AllocationFailed", run.Error.Exception.Message);
        }

        [Fact]
        public void A_dropped_connection_is_ArmConnectionFailed_and_nothing_is_written()
        {
            _bench.Arm.Faults.On("GET", "*/virtualMachines/vm1").Times(100).DropConnection();

            var run = Timed("Set-AzDockerExtension rg1 vm1");

            Assert.StartsWith("ArmConnectionFailed,", run.Error.FullyQualifiedErrorId);
            Assert.Equal("ConnectionError", run.Error.CategoryInfo.Category.ToString());
            Assert.Empty(_bench.Writes());
        }

        [Theory]
        [InlineData(403, "AuthorizationFailed", "ArmAuthorizationFailed", "PermissionDenied")]
        [InlineData(409, "Conflict", "ArmConflict", "ResourceExists")]
        [InlineData(400, "InvalidParameter", "ArmInvalidRequest", "InvalidArgument")]
        public void ARM_errors_on_the_PUT_map_to_stable_ids_and_categories_with_ARMs_message(int status, string code, string errorId, string category)
        {
            _bench.Arm.Faults.On("PUT", "*/extensions/*").Error(status, code, "Injected: " + code + " for this test.");

            var run = Timed("Set-AzDockerExtension rg1 vm1");

            Assert.StartsWith(errorId + ",", run.Error.FullyQualifiedErrorId);
            Assert.Equal(category, run.Error.CategoryInfo.Category.ToString());
            Assert.Contains("Injected: " + code, run.Error.Exception.Message);
            Assert.Equal("vm1", run.Error.TargetObject);
        }

        [Fact]
        public void A_refused_token_is_ArmAuthenticationFailed_recommending_Connect_AzAccount()
        {
            _bench.Arm.AcceptToken = _ => false;

            var run = Timed("Get-AzDockerExtension rg1 vm1");

            Assert.StartsWith("ArmAuthenticationFailed,", run.Error.FullyQualifiedErrorId);
            Assert.Equal("AuthenticationError", run.Error.CategoryInfo.Category.ToString());
            Assert.Contains("Connect-AzAccount", run.Error.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void The_last_status_line_the_script_printed_wins()
        {
            _bench.Arm.SetExtensionHandler("rg1", "vm1", _ => ExtensionOutcome.Success(
                "AZDOCKERVM status=ok docker=20.10.5 port=2376 tls=on changed=true started=true\nrestarting\n" +
                "AZDOCKERVM status=ok docker=27.3.1 port=2376 tls=on changed=false started=true\n"));

            var status = Timed("Set-AzDockerExtension rg1 vm1").ThrowIfFailed().Single();

            Assert.Equal("27.3.1", status.Properties["DockerVersion"].Value);
            Assert.Equal("AZDOCKERVM status=ok docker=27.3.1 port=2376 tls=on changed=false started=true", status.Properties["StatusMessage"].Value);
        }

        [Fact]
        public void A_slow_operation_shows_progress_while_it_runs()
        {
            _bench.Arm.Faults.On("PUT", "*/extensions/*").SlowLro(2);

            var run = Timed("Set-AzDockerExtension rg1 vm1").ThrowIfFailed();

            Assert.Contains(run.Progress, p => p.Activity == "Set-AzDockerExtension vm1" && p.StatusDescription.StartsWith("The VM is installing and configuring Docker", StringComparison.Ordinal));
            Assert.Contains(run.Progress, p => p.RecordType == System.Management.Automation.ProgressRecordType.Completed);
        }
    }
}

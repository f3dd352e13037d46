using System;
using System.Linq;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>
    /// A hung ARM answer: the extension PUT is carried out, but its answer never comes. The SDK gives up after its
    /// network timeout on every try (about 7 minutes), so this runs in a process of its own and in parallel with the
    /// rest of the suite. The user gets a timeout that says the change may have been applied and how to check.
    /// </summary>
    [Collection(nameof(ArmTimeoutTests))]
    public sealed class ArmTimeoutTests
    {
        [Fact]
        public void A_hung_answer_is_ArmTimeout_saying_the_change_may_have_been_applied_and_how_to_check()
        {
            var (exit, stdout, stderr) = Scenarios.Start(TimeSpan.FromMinutes(12), "set-when-arm-hangs");

            Assert.True(exit == 0, stdout + stderr);
            var lines = stdout.Split('\n').Where(l => l.Contains('=')).ToDictionary(l => l.Substring(0, l.IndexOf('=')), l => l.Substring(l.IndexOf('=') + 1).Trim());
            Assert.StartsWith("ArmTimeout,", lines["id"]);
            Assert.Equal("OperationTimeout", lines["category"]);
            Assert.Equal("vm1", lines["target"]);
            Assert.Contains("may have been applied", lines["message"]);
            Assert.Contains("Get-AzDockerExtension rg1 vm1 -Status", lines["action"]);
            Assert.NotEqual("0", lines["puts"]);
            Assert.Equal("Succeeded", lines["applied"]);
        }
    }
}

using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using AzDockerVm.Tests.Bench;
using AzDockerVm.Tests.Docker;
using Xunit;
using Xunit.Abstractions;

namespace AzDockerVm.Tests.Provisioning
{
    /// <summary>
    /// The VM-side provisioning script, executed for real: shellcheck; a Debian 12 root made with debootstrap, where the
    /// script installs docker.io under chroot and the dockerd it installed accepts our client certificate and rejects a
    /// foreign one; idempotence; rollback on bad settings; no secret under bash -x; and a root booted with systemd
    /// (systemd-nspawn) where the script starts Docker, keeps its PID on a re-run and restarts it on a new certificate.
    /// The harness prints TAP; every "not ok" line fails this test.
    /// </summary>
    public class DebianRootTests
    {
        private readonly ITestOutputHelper _output;

        public DebianRootTests(ITestOutputHelper output) => _output = output;

        [RootFact]
        public void Provisioning_script_passes_every_check_in_a_real_Debian_12_root()
        {
            string harness = Path.Combine(RepoPaths.Root, "tests", "AzDockerVm.Tests", "Provisioning", "debian-root.sh");
            var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(harness);
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(psi);
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            Assert.True(process.WaitForExit(900_000), "the Debian-root harness did not finish in 15 minutes");
            _output.WriteLine(stdout);
            _output.WriteLine($"elapsed {clock.Elapsed.TotalSeconds:F0} s");

            var lines = stdout.Split('\n').Select(l => l.TrimEnd()).ToArray();
            var failed = lines.Where(l => l.StartsWith("not ok", StringComparison.Ordinal)).ToArray();
            var passed = lines.Where(l => l.StartsWith("ok ", StringComparison.Ordinal) && !l.Contains("# SKIP")).ToArray();
            var skipped = lines.Where(l => l.Contains("# SKIP")).ToArray();
            Assert.True(failed.Length == 0, "failed checks:\n" + string.Join("\n", failed) + "\n" + stderr.Result);
            Assert.True(skipped.Length == 0, "skipped checks (root is required and present):\n" + string.Join("\n", skipped));
            Assert.True(passed.Length >= 20, $"expected the full list of checks, saw {passed.Length} passing lines");
            Assert.Equal(0, process.ExitCode);
        }
    }
}

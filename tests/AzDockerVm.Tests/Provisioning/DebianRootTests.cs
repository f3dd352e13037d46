using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using AzDockerVm.Tests.Azure;
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
    /// It also runs, unchanged, the script Set-AzDockerExtension rendered and sent in its protected settings (taken from
    /// the fake ARM), with a TLS set made by New-DockerTlsCertificate, and the script New-AzDockerVm sent for a new host:
    /// the product's own output, executed for real. And, booted with systemd, the renewal Update-AzDockerTlsCertificate
    /// sent for a host Set-AzDockerExtension set up (served afterwards, live-restore on), and one it sent for a host of
    /// another CA (refused, the old certificate still served).
    /// The harness prints TAP; every "not ok" line fails this test.
    /// </summary>
    public class DebianRootTests
    {
        private readonly ITestOutputHelper _output;

        public DebianRootTests(ITestOutputHelper output) => _output = output;

        [RootFact]
        public async Task Provisioning_script_passes_every_check_in_a_real_Debian_12_root()
        {
            string work = Path.Combine(Path.GetTempPath(), "azdv-rendered-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            try
            {
                string script = await RenderThroughSetAzDockerExtension(work);
                string newScript = await RenderThroughNewAzDockerVm(work);
                var renewal = await RenderThroughUpdateAzDockerTlsCertificate(work);
                RunHarness(script, Path.Combine(work, "tls"), newScript, Path.Combine(work, "tls-new"), renewal);
            }
            finally
            {
                if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
            }
        }

        /// <summary>Set-AzDockerExtension against the fake ARM with a set that also names 127.0.0.1; returns the script it sent.</summary>
        private static async Task<string> RenderThroughSetAzDockerExtension(string work)
        {
            await using var bench = await AzureBench.StartAsync();
            bench.AddVm();
            bench.Ps.Run(
                "$tls = New-DockerTlsCertificate -Path $Folder -DnsName vm1.westeurope.cloudapp.azure.com -IPAddress 20.1.2.3, 10.0.0.4, 127.0.0.1; " +
                "$tls | Set-AzDockerExtension rg1 vm1",
                new { Folder = Path.Combine(work, "tls") }).ThrowIfFailed();
            string file = Path.Combine(work, "rendered.sh");
            File.WriteAllText(file, Assert.Single(bench.Arm.ExtensionPuts).Script);
            return file;
        }

        /// <summary>
        /// New-AzDockerVm from nothing against the fake ARM, with a set of its own that also names 127.0.0.1 (and the
        /// addresses the fake gives a first host); returns the script it sent for the new VM.
        /// </summary>
        private static async Task<string> RenderThroughNewAzDockerVm(string work)
        {
            await using var bench = await AzureBench.StartAsync();
            var host = bench.Ps.Run(
                "$tls = New-DockerTlsCertificate -Path $Folder -DnsName dock1test.westeurope.cloudapp.azure.com -IPAddress 20.50.0.1, 20.50.0.2, 127.0.0.1; " +
                "New-AzDockerVm -ResourceGroupName rg-docker -Name dock1 -Location westeurope -DomainNameLabel dock1test -AllowedSourceAddress 203.0.113.0/24 -Certificate $tls",
                new { Folder = Path.Combine(work, "tls-new") }).ThrowIfFailed().Single();
            Assert.Equal("Succeeded", host.Properties["ProvisioningState"].Value);
            string file = Path.Combine(work, "rendered-new.sh");
            File.WriteAllText(file, Assert.Single(bench.Arm.ExtensionPuts).Script);
            return file;
        }

        /// <summary>
        /// Set-AzDockerExtension for vm1 (at 127.0.0.1, so the renewed certificate names the address the harness's
        /// client uses) and vm2, each with a set (and CA) of its own; then Update-AzDockerTlsCertificate for both, the
        /// fake VM failing the run so that the module stops before its TLS check. Returns the scripts as sent: vm1's
        /// provisioning, vm1's renewal, vm2's renewal (another CA); and vm1's client folder.
        /// </summary>
        private static async Task<(string Provision, string Renewal, string Foreign, string Client)> RenderThroughUpdateAzDockerTlsCertificate(string work)
        {
            await using var bench = await AzureBench.StartAsync();
            bench.Arm.AddLinuxVm("rg1", "vm1", publicIp: "127.0.0.1", fqdn: "vm1.westeurope.cloudapp.azure.com", privateIp: "10.0.0.4");
            bench.Arm.AddLinuxVm("rg1", "vm2", publicIp: "127.0.0.2", privateIp: "10.0.0.5");
            bench.Ps.Run("Set-AzDockerExtension rg1 vm1; Set-AzDockerExtension rg1 vm2").ThrowIfFailed();
            string provision = bench.Arm.ExtensionPuts[0].Script;
            foreach (string vm in new[] { "vm1", "vm2" })
            {
                bench.Arm.SetExtensionHandler("rg1", vm, _ => AzDockerVm.FakeArm.ExtensionOutcome.ScriptFailed(1, "AZDOCKERVM status=failed reason=rendered-for-the-debian-root", string.Empty));
            }

            var renewals = bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1; Update-AzDockerTlsCertificate rg1 vm2");
            Assert.Equal(2, renewals.Errors.Count);
            Assert.All(renewals.Errors, e => Assert.StartsWith("ExtensionProvisioningFailed,", e.FullyQualifiedErrorId));
            var puts = bench.Arm.ExtensionPuts;
            Assert.Equal(4, puts.Count);
            Assert.Equal(new[] { "tls-rollout", "tls-rollout" }, new[] { puts[2].ScriptSetting("AZDV_MODE"), puts[3].ScriptSetting("AZDV_MODE") });

            string client = Path.Combine(work, "tls-renew");
            Directory.CreateDirectory(client);
            foreach (string file in new[] { "ca.pem", "cert.pem", "key.pem" })
            {
                File.Copy(Path.Combine(bench.DockerConfig, "azdockervm", "vm1.westeurope.cloudapp.azure.com", file), Path.Combine(client, file));
            }

            string Save(string name, string script)
            {
                string file = Path.Combine(work, name);
                File.WriteAllText(file, script);
                return file;
            }

            return (Save("rendered-renew-provision.sh", provision), Save("rendered-renew.sh", puts[2].Script), Save("rendered-renew-foreign.sh", puts[3].Script), client);
        }

        private void RunHarness(string renderedScript, string clientFolder, string newScript, string newClientFolder,
            (string Provision, string Renewal, string Foreign, string Client) renewal)
        {
            string harness = Path.Combine(RepoPaths.Root, "tests", "AzDockerVm.Tests", "Provisioning", "debian-root.sh");
            var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(harness);
            psi.Environment["AZDV_TEST_RENDERED_SCRIPT"] = renderedScript;
            psi.Environment["AZDV_TEST_RENDERED_CLIENT"] = clientFolder;
            psi.Environment["AZDV_TEST_RENDERED_NEW_SCRIPT"] = newScript;
            psi.Environment["AZDV_TEST_RENDERED_NEW_CLIENT"] = newClientFolder;
            psi.Environment["AZDV_TEST_RENDERED_RENEW_PROVISION"] = renewal.Provision;
            psi.Environment["AZDV_TEST_RENDERED_RENEW_SCRIPT"] = renewal.Renewal;
            psi.Environment["AZDV_TEST_RENDERED_RENEW_FOREIGN"] = renewal.Foreign;
            psi.Environment["AZDV_TEST_RENDERED_RENEW_CLIENT"] = renewal.Client;
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
            Assert.Contains(lines, l => l.StartsWith("ok ", StringComparison.Ordinal) && l.Contains("New-AzDockerVm rendered"));
            Assert.Contains(lines, l => l.StartsWith("ok ", StringComparison.Ordinal) && l.Contains("as Update-AzDockerTlsCertificate rendered it"));
            Assert.Equal(0, process.ExitCode);
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using AzDockerVm.Tests.Bench;
using AzDockerVm.Tests.Docker;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>
    /// Update-AzDockerTlsCertificate with a real dockerd behind the fake VM's public IP (127.0.0.1): the VM side is the
    /// test's extension handler, which does what the script does on the VM (installs the server files of the PUT,
    /// restarts dockerd). The module's TLS check sees the daemon serve the new certificate before the set changes; a
    /// VM that does not restart (as the retired DockerExtension handler did) leaves the old one served and the set as
    /// it was; and a container started before the renewal is the same running container after it (live-restore).
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class UpdateAzDockerTlsCertificateDockerdTests : EmulatedVmDockerdTests
    {
        /// <summary>A VM at 127.0.0.1 made a host by Set-AzDockerExtension; its /etc/docker/tls gets the set's server files.</summary>
        private void Host()
        {
            Port = Dockerd.FreeLoopbackPort();
            Bench.Arm.AddLinuxVm("rg1", "vm1", publicIp: "127.0.0.1", privateIp: "10.0.0.4");
            Bench.Arm.AllowInbound("rg1", "vm1-nsg", Port);
            Bench.Ps.Run($"Set-AzDockerExtension rg1 vm1 -DockerPort {Port}").ThrowIfFailed();
            Directory.CreateDirectory(VmTls);
            foreach (string file in new[] { "ca.pem", "server-cert.pem", "server-key.pem" })
            {
                File.Copy(Path.Combine(Set, file), Path.Combine(VmTls, file), overwrite: true);
            }
        }

        private static string Sha256(X509Certificate2 certificate) => Convert.ToHexString(SHA256.HashData(certificate.RawData));

        private string SetServerSha256() => Sha256(X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(Set, "server-cert.pem"))));

        /// <summary>The certificate the daemon serves now, seen by the test's own mutual-TLS handshake (not by the module's check).</summary>
        private string Served()
        {
            using var client = X509Certificate2.CreateFromPemFile(Path.Combine(Set, "cert.pem"), Path.Combine(Set, "key.pem"));
            using var tcp = new TcpClient("127.0.0.1", Port);
            using var tls = new SslStream(tcp.GetStream(), false);
            tls.AuthenticateAsClient(new SslClientAuthenticationOptions
            {
                TargetHost = "127.0.0.1",
                ClientCertificates = new X509CertificateCollection { client },
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            });
            using var served = new X509Certificate2(tls.RemoteCertificate);
            return Sha256(served);
        }

        [DockerdFact]
        public void The_module_sees_the_restarted_dockerd_serve_the_new_certificate_then_the_set_holds_it_and_its_clients_reach_the_host()
        {
            Host();
            Dockerd daemon = Dockerd.Start(VmTls, Port);
            try
            {
                string before = Served();
                Assert.Equal(SetServerSha256(), before);
                Bench.Arm.SetExtensionHandler("rg1", "vm1", VmInstalls(() =>
                {
                    daemon.Dispose();
                    return daemon = Dockerd.Start(VmTls, Port);
                }));

                var renewed = Bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -Verbose").ThrowIfFailed().Single();

                string served = Served();
                Assert.NotEqual(before, served);
                Assert.Equal(served, SetServerSha256());
                Assert.Equal(served, renewed.Properties["Sha256Fingerprint"].Value);
                Assert.Contains(Bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -WhatIf").HostText.Split('\n'), l => l.Contains("tcp://127.0.0.1:" + Port));
                // The client files did not change and reach the renewed host (Test-AzDockerHost: the VM's set, mutual TLS).
                var test = Bench.Ps.Run("Test-AzDockerHost -ResourceGroupName rg1 -VMName vm1 -TimeoutSec 10").ThrowIfFailed().Single();
                Assert.True((bool)test.Properties["Success"].Value, test.Properties["Reason"].Value + ": " + test.Properties["Message"].Value);
            }
            finally
            {
                daemon.Dispose();
            }
        }

        [DockerdFact]
        public void A_VM_that_installs_the_files_without_restarting_dockerd_leaves_the_old_certificate_served_and_the_set_as_it_was()
        {
            Host();
            using var daemon = Dockerd.Start(VmTls, Port);
            string before = Served();
            string files = Snapshot();
            Bench.Arm.SetExtensionHandler("rg1", "vm1", VmInstalls(restart: null));

            var run = Bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1");

            run.AssertRefused("RenewedCertificateNotServed", ErrorCategory.InvalidResult, $"tcp://127.0.0.1:{Port}");
            Assert.Contains(before, run.Error.Exception.Message);
            Assert.Equal(before, Served());
            Assert.Equal(files, Snapshot());
            Assert.NotEqual(before, Sha256(X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(VmTls, "server-cert.pem")))));
        }

        [DockerdFact]
        public void A_container_started_before_the_renewal_is_the_same_running_container_after_the_restart_with_live_restore()
        {
            Host();
            // Short: containerd's sockets live under the exec root (unix socket paths are limited to 108 bytes).
            string state = Path.Combine(Path.GetTempPath(), "azdv-lr-" + Guid.NewGuid().ToString("N").Substring(0, 6));
            Dockerd daemon = Dockerd.Start(VmTls, Port, "127.0.0.1", state, "--live-restore");
            var unix = new Dictionary<string, string> { ["DOCKER_HOST"] = daemon.UnixEndpoint };
            string id = null;
            try
            {
                string image = BusyboxImage(state);
                Docker(unix, "import", image, "azdv-busybox:test");
                id = Docker(unix, "run", "-d", "--network", "none", "azdv-busybox:test", "sleep", "3600").Trim();
                string started = Docker(unix, "inspect", "-f", "{{.State.Pid}} {{.State.StartedAt}}", id).Trim();
                Bench.Arm.SetExtensionHandler("rg1", "vm1", VmInstalls(() =>
                {
                    daemon.Dispose();
                    return daemon = Dockerd.Start(VmTls, Port, "127.0.0.1", state, "--live-restore");
                }));
                string before = Served();

                Bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1").ThrowIfFailed();

                Assert.NotEqual(before, Served());
                Assert.Equal(SetServerSha256(), Served());
                // The same container, still running: same id, same process, same start time.
                Assert.Contains(id, Docker(unix, "ps", "-q", "--no-trunc").Split('\n'));
                Assert.Equal("true " + started, Docker(unix, "inspect", "-f", "{{.State.Running}} {{.State.Pid}} {{.State.StartedAt}}", id).Trim());
                int pid = int.Parse(started.Split(' ')[0]);
                Assert.Contains("sleep", File.ReadAllText($"/proc/{pid}/cmdline"));

                // The control: restarted without live-restore, the daemon stops the container (so the proof above can fail).
                daemon.Dispose();
                daemon = Dockerd.Start(VmTls, Port, "127.0.0.1", state);
                Assert.DoesNotContain(id, Docker(unix, "ps", "-q", "--no-trunc").Split('\n'));
            }
            finally
            {
                if (id != null)
                {
                    DockerCli.Run(Path.Combine(state, "cli"), unix, "rm", "-f", id);
                }

                daemon.Dispose();
                RemoveState(state);
            }
        }

        private static string Docker(IDictionary<string, string> environment, params string[] args)
        {
            ToolRun run = DockerCli.Run(Path.Combine(Path.GetDirectoryName(environment["DOCKER_HOST"].Substring("unix://".Length)), "cli"), environment, args);
            Assert.True(run.ExitCode == 0, $"docker {string.Join(" ", args)}: {run.StdErr}");
            return run.StdOut;
        }

        /// <summary>A tar of a root file system holding only Debian's static busybox as /bin/busybox, sh and sleep (no registry).</summary>
        private static string BusyboxImage(string folder)
        {
            string rootfs = Path.Combine(folder, "rootfs");
            Directory.CreateDirectory(Path.Combine(rootfs, "bin"));
            File.Copy("/bin/busybox", Path.Combine(rootfs, "bin", "busybox"));
            foreach (string applet in new[] { "sh", "sleep" })
            {
                File.CreateSymbolicLink(Path.Combine(rootfs, "bin", applet), "busybox");
            }

            string tar = Path.Combine(folder, "busybox.tar");
            ToolRun run = ExternalTool.Run("tar", new[] { "-C", rootfs, "-cf", tar, "." }, null, timeoutMs: 30_000);
            Assert.True(run.ExitCode == 0, run.StdErr);
            return tar;
        }

        /// <summary>The state root goes with what dockerd left mounted under it (its data root is a bind mount of itself).</summary>
        private static void RemoveState(string state)
        {
            foreach (string mount in File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => m.StartsWith(state + "/", StringComparison.Ordinal)).OrderByDescending(m => m.Length))
            {
                ExternalTool.Run("umount", new[] { mount }, null, timeoutMs: 30_000);
            }

            Directory.Delete(state, recursive: true);
        }
    }
}

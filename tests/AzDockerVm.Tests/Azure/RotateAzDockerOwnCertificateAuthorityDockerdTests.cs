using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using AzDockerVm.Tests.Bench;
using AzDockerVm.Tests.Docker;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>
    /// Update-AzDockerTlsCertificate -RotateCertificateAuthority on a host Set-AzDockerExtension set up (its set holds its
    /// own CA, ca-key.pem; no group CA on this machine), with a real dockerd behind the fake VM's public IP (127.0.0.1):
    /// the test's extension handler does what the script does with the PUT (server pair and CA bundle into
    /// /etc/docker/tls, dockerd restarted).
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class RotateAzDockerOwnCertificateAuthorityDockerdTests : IAsyncLifetime
    {
        private readonly List<ExtensionPut> _puts = new List<ExtensionPut>();
        private AzureBench _bench;
        private string _vmTls;
        private int _port;

        public async Task InitializeAsync()
        {
            _bench = await AzureBench.StartAsync();
            _vmTls = Path.Combine(Path.GetDirectoryName(_bench.DockerConfig), "vm-etc-docker-tls");
        }

        public async Task DisposeAsync() => await _bench.DisposeAsync();

        private string Set => Path.Combine(_bench.DockerConfig, "azdockervm", "127.0.0.1");

        private string Endpoint => "tcp://127.0.0.1:" + _port;

        /// <summary>A VM at 127.0.0.1 made a host by Set-AzDockerExtension: its set keeps its own CA.</summary>
        private void Host()
        {
            _port = Dockerd.FreeLoopbackPort();
            _bench.Arm.AddLinuxVm("rg1", "vm1", publicIp: "127.0.0.1", privateIp: "10.0.0.4");
            _bench.Arm.AllowInbound("rg1", "vm1-nsg", _port);
            _bench.Ps.Run($"Set-AzDockerExtension rg1 vm1 -DockerPort {_port}").ThrowIfFailed();
            Assert.True(File.Exists(Path.Combine(Set, "ca-key.pem")));
            Directory.CreateDirectory(_vmTls);
            foreach (string file in new[] { "ca.pem", "server-cert.pem", "server-key.pem" })
            {
                File.Copy(Path.Combine(Set, file), Path.Combine(_vmTls, file), overwrite: true);
            }
        }

        /// <summary>What the script does with a rollout PUT: the files into /etc/docker/tls (ca.pem when sent), dockerd restarted.</summary>
        private Func<ExtensionPut, ExtensionOutcome> VmInstalls(Func<Dockerd> restart)
            => put =>
            {
                _puts.Add(put);
                string ca = put.ScriptSetting("AZDV_CA_B64");
                if (!string.IsNullOrEmpty(ca))
                {
                    File.WriteAllText(Path.Combine(_vmTls, "ca.pem"), ca);
                }

                File.WriteAllText(Path.Combine(_vmTls, "server-cert.pem"), put.ScriptSetting("AZDV_CERT_B64"));
                File.WriteAllText(Path.Combine(_vmTls, "server-key.pem"), put.ScriptSetting("AZDV_KEY_B64"));
                restart();
                return ExtensionOutcome.Success($"AZDOCKERVM status=ok docker=20.10.24 port={_port} tls=on changed=true started=true live-restore=on served=-\n");
            };

        private string Snapshot() => string.Join("\n", Directory.GetFiles(_bench.DockerConfig, "*", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => f + " " + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))));

        private PSObject TestHost(string client)
            => _bench.Ps.Run("Test-AzDockerHost -Endpoint $e -CertificatePath $p -TimeoutSec 10", new { e = Endpoint, p = client }).ThrowIfFailed().Single();

        private void AssertWorks(string client)
        {
            var result = TestHost(client);
            Assert.True((bool)result.Properties["Success"].Value, client + ": " + result.Properties["Reason"].Value + ": " + result.Properties["Message"].Value);
        }

        /// <summary>The docker CLI through the context named after the VM (made from the set by Set-AzDockerExtension).</summary>
        private void AssertContextWorks(Dockerd daemon)
        {
            ToolRun run = DockerCli.Run(_bench.DockerConfig, "--context", "vm1", "version", "--format", "{{.Server.Version}}");
            Assert.True(run.ExitCode == 0 && run.StdOut.Trim().Length > 0, run.Text + "\n" + daemon.LogTail());
        }

        private static int PemCount(string file) => File.ReadAllText(file).Split("BEGIN CERTIFICATE").Length - 1;

        private string Copy(string from, string name)
        {
            string to = Path.Combine(Path.GetDirectoryName(_bench.DockerConfig), name);
            Directory.CreateDirectory(to);
            foreach (string file in new[] { "ca.pem", "cert.pem", "key.pem" })
            {
                File.Copy(Path.Combine(from, file), Path.Combine(to, file), overwrite: true);
            }

            return to;
        }

        [DockerdFact]
        public void A_host_with_its_own_CA_rotates_it_an_old_client_works_through_the_overlap_and_is_refused_after_completion_and_no_CA_key_is_sent()
        {
            Host();
            Dockerd daemon = Dockerd.Start(_vmTls, _port);
            try
            {
                string oldClient = Copy(Set, "old-client");
                string oldKey = File.ReadAllText(Path.Combine(Set, "ca-key.pem"));
                AssertWorks(oldClient);
                _bench.Arm.SetExtensionHandler("rg1", "vm1", VmInstalls(() =>
                {
                    daemon.Dispose();
                    return daemon = Dockerd.Start(_vmTls, _port);
                }));

                // A completion without a start: refused, nothing sent or written.
                string files = Snapshot();
                _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Complete")
                    .AssertRefused("NoRotationInProgress", ErrorCategory.InvalidOperation, Set);
                var whatIf = _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Start -WhatIf").ThrowIfFailed();
                Assert.Contains("Start rotating the host's own CA", whatIf.HostText);
                Assert.Equal(files, Snapshot());
                Assert.Empty(_puts);

                var started = _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Start").ThrowIfFailed().Single();

                Assert.Equal("InProgress", started.Properties["RotationStatus"].Value);
                Assert.Equal("Start", started.Properties["RotationPhase"].Value);
                Assert.Single(_puts);
                Assert.False(Directory.Exists(Path.Combine(_bench.DockerConfig, "azdockervm", "ca")));
                string newKey = File.ReadAllText(Path.Combine(Set, "ca-key.pem"));
                Assert.NotEqual(oldKey, newKey);
                Assert.Equal(oldKey, File.ReadAllText(Path.Combine(Set, "ca-rotation", "old-ca-key.pem")));
                Assert.Equal(2, PemCount(Path.Combine(_vmTls, "ca.pem")));
                Assert.Equal(2, PemCount(Path.Combine(Set, "ca.pem")));
                AssertWorks(oldClient);
                AssertWorks(Set);
                AssertContextWorks(daemon);
                Assert.NotEqual(File.ReadAllText(Path.Combine(oldClient, "cert.pem")), File.ReadAllText(Path.Combine(Set, "cert.pem")));

                // A second start mid-rotation: refused, nothing sent or written.
                files = Snapshot();
                _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Start")
                    .AssertRefused("RotationInProgress", ErrorCategory.InvalidOperation, Set);
                Assert.Equal(files, Snapshot());
                Assert.Single(_puts);

                // A completion the VM refuses (its old files put back): the set stays mid-rotation with the old CA's key.
                var installs = VmInstalls(() =>
                {
                    daemon.Dispose();
                    return daemon = Dockerd.Start(_vmTls, _port);
                });
                _bench.Arm.SetExtensionHandler("rg1", "vm1", put =>
                {
                    _puts.Add(put);
                    return ExtensionOutcome.ScriptFailed(1, "AZDOCKERVM status=failed reason=docker-did-not-start\n", "dockerd did not come up");
                });
                var failed = _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Complete");
                Assert.NotNull(failed.Error);
                Assert.Equal(files, Snapshot());
                AssertWorks(oldClient);
                _bench.Arm.SetExtensionHandler("rg1", "vm1", installs);
                int before = _puts.Count;

                var completed = _bench.Ps.Run("[pscustomobject]@{ ResourceGroupName = 'rg1'; VMName = 'vm1' } | Update-AzDockerTlsCertificate -RotateCertificateAuthority Complete").ThrowIfFailed().Single();

                Assert.Equal("Completed", completed.Properties["RotationStatus"].Value);
                Assert.Equal(before + 1, _puts.Count);
                Assert.Equal(1, PemCount(Path.Combine(_vmTls, "ca.pem")));
                Assert.Equal(1, PemCount(Path.Combine(Set, "ca.pem")));
                Assert.Equal(File.ReadAllText(Path.Combine(Set, "ca.pem")), File.ReadAllText(Path.Combine(_vmTls, "ca.pem")));
                Assert.Equal(File.ReadAllText(Path.Combine(Set, "server-cert.pem")), File.ReadAllText(Path.Combine(_vmTls, "server-cert.pem")));
                Assert.Equal(newKey, File.ReadAllText(Path.Combine(Set, "ca-key.pem")));
                Assert.False(File.Exists(Path.Combine(Set, "ca-rotation", "old-ca-key.pem")));
                Assert.DoesNotContain(Directory.GetFiles(_bench.DockerConfig, "*", SearchOption.AllDirectories), f => File.ReadAllText(f) == oldKey);
                AssertWorks(Set);
                AssertContextWorks(daemon);

                // The old client: its own trust no longer accepts the server, and with the new trust the daemon refuses its certificate.
                Assert.Equal("UnknownAuthority", TestHost(oldClient).Properties["Reason"].Value);
                string oldCertificate = Copy(oldClient, "old-client-new-trust");
                File.Copy(Path.Combine(Set, "ca.pem"), Path.Combine(oldCertificate, "ca.pem"), overwrite: true);
                var refused = TestHost(oldCertificate);
                Assert.False((bool)refused.Properties["Success"].Value);
                Assert.Equal("ClientCertificateRejected", refused.Properties["Reason"].Value);

                // A second completion: nothing left to complete.
                files = Snapshot();
                _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Complete")
                    .AssertRefused("NoRotationInProgress", ErrorCategory.InvalidOperation, Set);
                Assert.Equal(files, Snapshot());

                // Neither CA key was ever in a PUT, plain or as the script's base64.
                foreach (ExtensionPut put in _puts)
                {
                    string sent = (put.ProtectedSettings?.ToJsonString() ?? string.Empty) + put.Settings.ToJsonString() + put.Script;
                    foreach (string key in new[] { oldKey, newKey })
                    {
                        Assert.DoesNotContain(key.Trim(), sent);
                        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(key)), sent);
                    }
                }
            }
            finally
            {
                daemon.Dispose();
            }
        }
    }
}

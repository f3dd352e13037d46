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
    /// Update-AzDockerTlsCertificate -RotateCertificateAuthority on a host of a resource group's CA (the New-AzDockerVm
    /// shape: the set holds no CA key, the group's CA is kept under azdockervm/ca/&lt;sub&gt;/&lt;rg&gt;), with a real
    /// dockerd behind the fake VM's public IP (127.0.0.1): the test's extension handler does what the script does with
    /// the PUT (server pair and CA bundle into /etc/docker/tls, dockerd restarted).
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class RotateAzDockerCertificateAuthorityDockerdTests : IAsyncLifetime
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

        private string Authority => Path.Combine(_bench.DockerConfig, "azdockervm", "ca", _bench.Arm.SubscriptionId, "rg1");

        private string Endpoint => "tcp://127.0.0.1:" + _port;

        /// <summary>A VM at 127.0.0.1 made a host, its CA then moved to the resource group's CA folder (as New-AzDockerVm keeps it).</summary>
        private void Host()
        {
            _port = Dockerd.FreeLoopbackPort();
            _bench.Arm.AddLinuxVm("rg1", "vm1", publicIp: "127.0.0.1", privateIp: "10.0.0.4");
            _bench.Arm.AllowInbound("rg1", "vm1-nsg", _port);
            _bench.Ps.Run($"Set-AzDockerExtension rg1 vm1 -DockerPort {_port}").ThrowIfFailed();
            Directory.CreateDirectory(Authority);
            File.Copy(Path.Combine(Set, "ca.pem"), Path.Combine(Authority, "ca.pem"));
            File.Move(Path.Combine(Set, "ca-key.pem"), Path.Combine(Authority, "ca-key.pem"));
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
        public void An_old_client_works_through_the_overlap_and_is_refused_after_completion_while_the_hosts_refreshed_set_works_and_no_CA_key_is_sent()
        {
            Host();
            Dockerd daemon = Dockerd.Start(_vmTls, _port);
            try
            {
                string oldClient = Copy(Set, "old-client");
                string oldKey = File.ReadAllText(Path.Combine(Authority, "ca-key.pem"));
                AssertWorks(oldClient);
                _bench.Arm.SetExtensionHandler("rg1", "vm1", VmInstalls(() =>
                {
                    daemon.Dispose();
                    return daemon = Dockerd.Start(_vmTls, _port);
                }));

                var started = _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Start").ThrowIfFailed().Single();

                Assert.Equal("InProgress", started.Properties["RotationStatus"].Value);
                string newKey = File.ReadAllText(Path.Combine(Authority, "ca-rotation", "new-ca-key.pem"));
                Assert.Equal(2, PemCount(Path.Combine(_vmTls, "ca.pem")));
                Assert.Equal(2, PemCount(Path.Combine(Set, "ca.pem")));
                Assert.Equal(File.ReadAllText(Path.Combine(oldClient, "ca.pem")), File.ReadAllText(Path.Combine(Authority, "ca.pem")));
                AssertWorks(oldClient);
                AssertWorks(Set);
                AssertContextWorks(daemon);
                Assert.NotEqual(File.ReadAllText(Path.Combine(oldClient, "cert.pem")), File.ReadAllText(Path.Combine(Set, "cert.pem")));

                // A second start mid-rotation: refused, nothing sent or written.
                string files = Snapshot();
                var again = _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Start");
                again.AssertRefused("RotationInProgress", ErrorCategory.InvalidOperation, Authority);
                Assert.Equal(files, Snapshot());
                Assert.Single(_puts);

                // A completion the VM refuses (its old files put back): the host and its set stay mid-rotation, the old CA's key is kept.
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
                Assert.Equal(oldKey, File.ReadAllText(Path.Combine(Authority, "ca-key.pem")));
                AssertWorks(oldClient);
                _bench.Arm.SetExtensionHandler("rg1", "vm1", installs);
                int before = _puts.Count;

                var completed = _bench.Ps.Run("[pscustomobject]@{ ResourceGroupName = 'rg1'; VMName = 'vm1' } | Update-AzDockerTlsCertificate -RotateCertificateAuthority Complete").ThrowIfFailed().Single();

                Assert.Equal("Completed", completed.Properties["RotationStatus"].Value);
                Assert.Equal(before + 1, _puts.Count);
                Assert.Equal(1, PemCount(Path.Combine(_vmTls, "ca.pem")));
                Assert.Equal(File.ReadAllText(Path.Combine(Authority, "ca.pem")), File.ReadAllText(Path.Combine(Set, "ca.pem")));
                Assert.Equal(newKey, File.ReadAllText(Path.Combine(Authority, "ca-key.pem")));
                Assert.False(File.Exists(Path.Combine(Authority, "ca-rotation", "new-ca-key.pem")));
                Assert.DoesNotContain(Directory.GetFiles(_bench.DockerConfig, "*", SearchOption.AllDirectories), f => File.ReadAllText(f) == oldKey);
                AssertWorks(Set);
                // The VM's docker context was made from the set: it holds the set's new files and reaches the host.
                AssertContextWorks(daemon);

                // The old client: its own trust no longer accepts the server, and with the new trust the daemon refuses its certificate.
                Assert.Equal("UnknownAuthority", TestHost(oldClient).Properties["Reason"].Value);
                string oldCertificate = Copy(oldClient, "old-client-new-trust");
                File.Copy(Path.Combine(Set, "ca.pem"), Path.Combine(oldCertificate, "ca.pem"), overwrite: true);
                var refused = TestHost(oldCertificate);
                Assert.False((bool)refused.Properties["Success"].Value);
                Assert.Equal("ClientCertificateRejected", refused.Properties["Reason"].Value);

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

        /// <summary>A second host of the group's CA at 127.0.0.2 (its set issued from the group's CA, installed with -CertificatePath), with its own /etc/docker/tls.</summary>
        private (string Set, string Tls, int Port) SecondHost()
        {
            int port = Dockerd.FreeLoopbackPort();
            string set = Path.Combine(_bench.DockerConfig, "azdockervm", "127.0.0.2"), tls = _vmTls + "-2";
            _bench.Arm.AddLinuxVm("rg1", "vm2", publicIp: "127.0.0.2", privateIp: "10.0.0.5");
            _bench.Arm.AllowInbound("rg1", "vm2-nsg", port);
            _bench.Ps.Run("$null = New-DockerTlsCertificate -IPAddress 127.0.0.2, 10.0.0.5 -CertificateAuthorityPath $Ca -Path $P", new { Ca = Authority, P = set }).ThrowIfFailed();
            _bench.Ps.Run($"Set-AzDockerExtension rg1 vm2 -DockerPort {port} -CertificatePath '{set}' -NoDockerContext").ThrowIfFailed();
            Directory.CreateDirectory(tls);
            foreach (string file in new[] { "ca.pem", "server-cert.pem", "server-key.pem" })
            {
                File.Copy(Path.Combine(set, file), Path.Combine(tls, file), overwrite: true);
            }

            return (set, tls, port);
        }

        private Func<ExtensionPut, ExtensionOutcome> Installs(string tls, int port, Action restart)
            => put =>
            {
                _puts.Add(put);
                File.WriteAllText(Path.Combine(tls, "ca.pem"), put.ScriptSetting("AZDV_CA_B64"));
                File.WriteAllText(Path.Combine(tls, "server-cert.pem"), put.ScriptSetting("AZDV_CERT_B64"));
                File.WriteAllText(Path.Combine(tls, "server-key.pem"), put.ScriptSetting("AZDV_KEY_B64"));
                restart();
                return ExtensionOutcome.Success($"AZDOCKERVM status=ok docker=20.10.24 port={port} tls=on changed=true started=true live-restore=on served=-\n");
            };

        [DockerdFact]
        public void A_host_that_fails_the_completion_keeps_the_group_mid_rotation_with_the_old_key_and_a_rerun_on_it_completes_the_group()
        {
            Host();
            var second = SecondHost();
            Dockerd one = Dockerd.Start(_vmTls, _port), two = Dockerd.Start(second.Tls, second.Port, "127.0.0.2");
            try
            {
                string oldKey = File.ReadAllText(Path.Combine(Authority, "ca-key.pem"));
                _bench.Arm.SetExtensionHandler("rg1", "vm1", Installs(_vmTls, _port, () => { one.Dispose(); one = Dockerd.Start(_vmTls, _port); }));
                _bench.Arm.SetExtensionHandler("rg1", "vm2", Installs(second.Tls, second.Port, () => { two.Dispose(); two = Dockerd.Start(second.Tls, second.Port, "127.0.0.2"); }));
                const string both = "'vm1', 'vm2' | ForEach-Object { [pscustomobject]@{ ResourceGroupName = 'rg1'; VMName = $_ } } | ";

                var started = _bench.Ps.Run(both + "Update-AzDockerTlsCertificate -RotateCertificateAuthority Start").ThrowIfFailed();
                Assert.Equal(new[] { "InProgress", "InProgress" }, started.Output.Select(o => (string)o.Properties["RotationStatus"].Value));
                Assert.Equal(2, PemCount(Path.Combine(second.Tls, "ca.pem")));

                // vm2's VM fails the completion: vm1 completes, the group stays mid-rotation, the old CA's key stays.
                _bench.Arm.SetExtensionHandler("rg1", "vm2", put => ExtensionOutcome.ScriptFailed(1, "AZDOCKERVM status=failed reason=docker-did-not-start\n", "dockerd did not come up"));
                var partly = _bench.Ps.Run(both + "Update-AzDockerTlsCertificate -RotateCertificateAuthority Complete");
                Assert.Equal("vm1", (string)Assert.Single(partly.Output).Properties["VMName"].Value);
                Assert.Equal("InProgress", (string)partly.Output.Single().Properties["RotationStatus"].Value);
                Assert.NotNull(partly.Error);
                Assert.Equal(oldKey, File.ReadAllText(Path.Combine(Authority, "ca-key.pem")));
                Assert.True(File.Exists(Path.Combine(Authority, "ca-rotation", "new-ca-key.pem")));
                Assert.Equal(2, PemCount(Path.Combine(second.Set, "ca.pem")));

                _bench.Arm.SetExtensionHandler("rg1", "vm2", Installs(second.Tls, second.Port, () => { two.Dispose(); two = Dockerd.Start(second.Tls, second.Port, "127.0.0.2"); }));
                var rerun = _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm2 -RotateCertificateAuthority Complete").ThrowIfFailed().Single();

                Assert.Equal("Completed", rerun.Properties["RotationStatus"].Value);
                Assert.NotEqual(oldKey, File.ReadAllText(Path.Combine(Authority, "ca-key.pem")));
                Assert.False(File.Exists(Path.Combine(Authority, "ca-rotation", "new-ca-key.pem")));
                Assert.Equal(1, PemCount(Path.Combine(second.Tls, "ca.pem")));
                var result = _bench.Ps.Run("Test-AzDockerHost -Endpoint $e -CertificatePath $p -TimeoutSec 10", new { e = "tcp://127.0.0.2:" + second.Port, p = second.Set }).ThrowIfFailed().Single();
                Assert.True((bool)result.Properties["Success"].Value, result.Properties["Reason"].Value + ": " + result.Properties["Message"].Value);
                AssertWorks(Set);
            }
            finally
            {
                one.Dispose();
                two.Dispose();
            }
        }

        [Fact]
        public void Complete_without_a_start_is_refused_and_nothing_is_sent_or_written()
        {
            _port = Dockerd.FreeLoopbackPort();
            _bench.Arm.AddLinuxVm("rg1", "vm1", publicIp: "127.0.0.1", privateIp: "10.0.0.4");
            _bench.Ps.Run($"Set-AzDockerExtension rg1 vm1 -DockerPort {_port} -NoDockerContext").ThrowIfFailed();
            Directory.CreateDirectory(Authority);
            File.Copy(Path.Combine(Set, "ca.pem"), Path.Combine(Authority, "ca.pem"));
            File.Move(Path.Combine(Set, "ca-key.pem"), Path.Combine(Authority, "ca-key.pem"));
            _bench.Arm.SetExtensionHandler("rg1", "vm1", put =>
            {
                _puts.Add(put);
                return ExtensionOutcome.Success("AZDOCKERVM status=ok\n");
            });
            string files = Snapshot();

            var run = _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Complete");

            run.AssertRefused("NoRotationInProgress", ErrorCategory.InvalidOperation, Authority);
            Assert.Equal(files, Snapshot());
            Assert.Empty(_puts);
            _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Start -ValidityDays 30")
                .AssertRefused("RotationParameterConflict", ErrorCategory.InvalidArgument, "Start");
            Assert.Equal(files, Snapshot());

            // -WhatIf: the VM read and checked, the phase named, nothing made, sent or written.
            var whatIf = _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Start -WhatIf").ThrowIfFailed();
            Assert.Contains("Start rotating the CA of resource group 'rg1'", whatIf.HostText);
            Assert.Equal(files, Snapshot());
            Assert.Empty(_puts);

            // A group CA that did not issue the host's certificate: the host is not the group's, nothing changes.
            _bench.Ps.Run("$null = New-DockerTlsCertificate -IPAddress 127.0.0.9 -Path $P", new { P = Path.Combine(Path.GetDirectoryName(_bench.DockerConfig), "other") }).ThrowIfFailed();
            foreach (string file in new[] { "ca.pem", "ca-key.pem" })
            {
                File.Copy(Path.Combine(Path.GetDirectoryName(_bench.DockerConfig), "other", file), Path.Combine(Authority, file), overwrite: true);
            }

            files = Snapshot();
            _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Start")
                .AssertRefused("CertificateAuthorityMismatch", ErrorCategory.InvalidData, Set);
            Assert.Equal(files, Snapshot());
            Assert.Empty(_puts);

            // No group CA on this machine: refused, with the advice in the rotation's terms.
            Directory.Delete(Authority, recursive: true);
            files = Snapshot();
            var none = _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Start");
            none.AssertRefused("CertificateAuthorityNotFound", ErrorCategory.ObjectNotFound, Path.Combine(Authority, "ca.pem"));
            Assert.Contains("resource group's CA that New-AzDockerVm keeps", none.Error.ErrorDetails?.RecommendedAction ?? string.Empty);
            Assert.Equal(files, Snapshot());
            Assert.Empty(_puts);
        }
    }
}

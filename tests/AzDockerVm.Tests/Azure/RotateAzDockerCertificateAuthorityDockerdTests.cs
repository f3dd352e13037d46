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
    public sealed class RotateAzDockerCertificateAuthorityDockerdTests : EmulatedVmDockerdTests
    {
        private string Authority => Path.Combine(Bench.DockerConfig, "azdockervm", "ca", Bench.Arm.SubscriptionId, "rg1");

        /// <summary>A VM at 127.0.0.1 made a host, its CA then moved to the resource group's CA folder (as New-AzDockerVm keeps it).</summary>
        private void Host()
        {
            Port = Dockerd.FreeLoopbackPort();
            Bench.Arm.AddLinuxVm("rg1", "vm1", publicIp: "127.0.0.1", privateIp: "10.0.0.4");
            Bench.Arm.AllowInbound("rg1", "vm1-nsg", Port);
            Bench.Ps.Run($"Set-AzDockerExtension rg1 vm1 -DockerPort {Port}").ThrowIfFailed();
            Directory.CreateDirectory(Authority);
            File.Copy(Path.Combine(Set, "ca.pem"), Path.Combine(Authority, "ca.pem"));
            File.Move(Path.Combine(Set, "ca-key.pem"), Path.Combine(Authority, "ca-key.pem"));
            Directory.CreateDirectory(VmTls);
            foreach (string file in new[] { "ca.pem", "server-cert.pem", "server-key.pem" })
            {
                File.Copy(Path.Combine(Set, file), Path.Combine(VmTls, file), overwrite: true);
            }
        }

        [DockerdFact]
        public void An_old_client_works_through_the_overlap_and_is_refused_after_completion_while_the_hosts_refreshed_set_works_and_no_CA_key_is_sent()
        {
            Host();
            Dockerd daemon = Dockerd.Start(VmTls, Port);
            try
            {
                string oldClient = Copy(Set, "old-client");
                string oldKey = File.ReadAllText(Path.Combine(Authority, "ca-key.pem"));
                AssertWorks(oldClient);
                Bench.Arm.SetExtensionHandler("rg1", "vm1", VmInstalls(() =>
                {
                    daemon.Dispose();
                    return daemon = Dockerd.Start(VmTls, Port);
                }));

                var started = Bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Start").ThrowIfFailed().Single();

                Assert.Equal("InProgress", started.Properties["RotationStatus"].Value);
                string newKey = File.ReadAllText(Path.Combine(Authority, "ca-rotation", "new-ca-key.pem"));
                Assert.Equal(2, PemCount(Path.Combine(VmTls, "ca.pem")));
                Assert.Equal(2, PemCount(Path.Combine(Set, "ca.pem")));
                Assert.Equal(File.ReadAllText(Path.Combine(oldClient, "ca.pem")), File.ReadAllText(Path.Combine(Authority, "ca.pem")));
                AssertWorks(oldClient);
                AssertWorks(Set);
                AssertContextWorks(daemon);
                Assert.NotEqual(File.ReadAllText(Path.Combine(oldClient, "cert.pem")), File.ReadAllText(Path.Combine(Set, "cert.pem")));

                // A second start mid-rotation: refused, nothing sent or written.
                string files = Snapshot();
                var again = Bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Start");
                again.AssertRefused("RotationInProgress", ErrorCategory.InvalidOperation, Authority);
                Assert.Equal(files, Snapshot());
                Assert.Single(Puts);

                // A completion the VM refuses (its old files put back): the host and its set stay mid-rotation, the old CA's key is kept.
                var installs = VmInstalls(() =>
                {
                    daemon.Dispose();
                    return daemon = Dockerd.Start(VmTls, Port);
                });
                Bench.Arm.SetExtensionHandler("rg1", "vm1", put =>
                {
                    Puts.Add(put);
                    return ExtensionOutcome.ScriptFailed(1, "AZDOCKERVM status=failed reason=docker-did-not-start\n", "dockerd did not come up");
                });
                var failed = Bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Complete");
                Assert.NotNull(failed.Error);
                Assert.Equal(files, Snapshot());
                Assert.Equal(oldKey, File.ReadAllText(Path.Combine(Authority, "ca-key.pem")));
                AssertWorks(oldClient);
                Bench.Arm.SetExtensionHandler("rg1", "vm1", installs);
                int before = Puts.Count;

                var completed = Bench.Ps.Run("[pscustomobject]@{ ResourceGroupName = 'rg1'; VMName = 'vm1' } | Update-AzDockerTlsCertificate -RotateCertificateAuthority Complete").ThrowIfFailed().Single();

                Assert.Equal("Completed", completed.Properties["RotationStatus"].Value);
                Assert.Equal(before + 1, Puts.Count);
                Assert.Equal(1, PemCount(Path.Combine(VmTls, "ca.pem")));
                Assert.Equal(File.ReadAllText(Path.Combine(Authority, "ca.pem")), File.ReadAllText(Path.Combine(Set, "ca.pem")));
                Assert.Equal(newKey, File.ReadAllText(Path.Combine(Authority, "ca-key.pem")));
                Assert.False(File.Exists(Path.Combine(Authority, "ca-rotation", "new-ca-key.pem")));
                Assert.DoesNotContain(Directory.GetFiles(Bench.DockerConfig, "*", SearchOption.AllDirectories), f => File.ReadAllText(f) == oldKey);
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
                foreach (ExtensionPut put in Puts)
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
            string set = Path.Combine(Bench.DockerConfig, "azdockervm", "127.0.0.2"), tls = VmTls + "-2";
            Bench.Arm.AddLinuxVm("rg1", "vm2", publicIp: "127.0.0.2", privateIp: "10.0.0.5");
            Bench.Arm.AllowInbound("rg1", "vm2-nsg", port);
            Bench.Ps.Run("$null = New-DockerTlsCertificate -IPAddress 127.0.0.2, 10.0.0.5 -CertificateAuthorityPath $Ca -Path $P", new { Ca = Authority, P = set }).ThrowIfFailed();
            Bench.Ps.Run($"Set-AzDockerExtension rg1 vm2 -DockerPort {port} -CertificatePath '{set}' -NoDockerContext").ThrowIfFailed();
            Directory.CreateDirectory(tls);
            foreach (string file in new[] { "ca.pem", "server-cert.pem", "server-key.pem" })
            {
                File.Copy(Path.Combine(set, file), Path.Combine(tls, file), overwrite: true);
            }

            return (set, tls, port);
        }

        /// <summary>Test-AzDockerHost of the second host (127.0.0.2) with the client files in <paramref name="client"/> succeeds.</summary>
        private void AssertSecondHostWorks(int port, string client)
        {
            var result = Bench.Ps.Run("Test-AzDockerHost -Endpoint $e -CertificatePath $p -TimeoutSec 10", new { e = "tcp://127.0.0.2:" + port, p = client }).ThrowIfFailed().Single();
            Assert.True((bool)result.Properties["Success"].Value, $"{client}: {result.Properties["Reason"].Value}: {result.Properties["Message"].Value}");
        }

        private Func<ExtensionPut, ExtensionOutcome> Installs(string tls, int port, Action restart)
            => put =>
            {
                Puts.Add(put);
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
            Dockerd one = Dockerd.Start(VmTls, Port), two = Dockerd.Start(second.Tls, second.Port, "127.0.0.2");
            try
            {
                string oldKey = File.ReadAllText(Path.Combine(Authority, "ca-key.pem"));
                Bench.Arm.SetExtensionHandler("rg1", "vm1", Installs(VmTls, Port, () => { one.Dispose(); one = Dockerd.Start(VmTls, Port); }));
                Bench.Arm.SetExtensionHandler("rg1", "vm2", Installs(second.Tls, second.Port, () => { two.Dispose(); two = Dockerd.Start(second.Tls, second.Port, "127.0.0.2"); }));
                const string both = "'vm1', 'vm2' | ForEach-Object { [pscustomobject]@{ ResourceGroupName = 'rg1'; VMName = $_ } } | ";

                var started = Bench.Ps.Run(both + "Update-AzDockerTlsCertificate -RotateCertificateAuthority Start").ThrowIfFailed();
                Assert.Equal(new[] { "InProgress", "InProgress" }, started.Output.Select(o => (string)o.Properties["RotationStatus"].Value));
                Assert.Equal(2, PemCount(Path.Combine(second.Tls, "ca.pem")));

                // vm2's VM fails the completion: vm1 completes, the group stays mid-rotation, the old CA's key stays.
                Bench.Arm.SetExtensionHandler("rg1", "vm2", put => ExtensionOutcome.ScriptFailed(1, "AZDOCKERVM status=failed reason=docker-did-not-start\n", "dockerd did not come up"));
                var partly = Bench.Ps.Run(both + "Update-AzDockerTlsCertificate -RotateCertificateAuthority Complete");
                Assert.Equal("vm1", (string)Assert.Single(partly.Output).Properties["VMName"].Value);
                Assert.Equal("InProgress", (string)partly.Output.Single().Properties["RotationStatus"].Value);
                Assert.NotNull(partly.Error);
                Assert.Equal(oldKey, File.ReadAllText(Path.Combine(Authority, "ca-key.pem")));
                Assert.True(File.Exists(Path.Combine(Authority, "ca-rotation", "new-ca-key.pem")));
                Assert.Equal(2, PemCount(Path.Combine(second.Set, "ca.pem")));

                Bench.Arm.SetExtensionHandler("rg1", "vm2", Installs(second.Tls, second.Port, () => { two.Dispose(); two = Dockerd.Start(second.Tls, second.Port, "127.0.0.2"); }));
                var rerun = Bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm2 -RotateCertificateAuthority Complete").ThrowIfFailed().Single();

                Assert.Equal("Completed", rerun.Properties["RotationStatus"].Value);
                Assert.NotEqual(oldKey, File.ReadAllText(Path.Combine(Authority, "ca-key.pem")));
                Assert.False(File.Exists(Path.Combine(Authority, "ca-rotation", "new-ca-key.pem")));
                Assert.Equal(1, PemCount(Path.Combine(second.Tls, "ca.pem")));
                AssertSecondHostWorks(second.Port, second.Set);
                AssertWorks(Set);
            }
            finally
            {
                one.Dispose();
                two.Dispose();
            }
        }

        /// <summary>
        /// A host whose start failed is still the old CA's alone: running Start on it again moves it into the rotation
        /// under way (the same new CA, no second one), while a Start on a host already moved stays RotationInProgress;
        /// the completion of both then completes the group.
        /// </summary>
        [DockerdFact]
        public void A_host_whose_start_failed_starts_again_into_the_rotation_under_way_and_the_group_then_completes()
        {
            Host();
            var second = SecondHost();
            Dockerd one = Dockerd.Start(VmTls, Port), two = Dockerd.Start(second.Tls, second.Port, "127.0.0.2");
            try
            {
                string oldClient = Copy(second.Set, "old-client-2");
                Bench.Arm.SetExtensionHandler("rg1", "vm1", Installs(VmTls, Port, () => { one.Dispose(); one = Dockerd.Start(VmTls, Port); }));
                Bench.Arm.SetExtensionHandler("rg1", "vm2", put => ExtensionOutcome.ScriptFailed(1, "AZDOCKERVM status=failed reason=docker-did-not-start\n", "dockerd did not come up"));
                const string both = "'vm1', 'vm2' | ForEach-Object { [pscustomobject]@{ ResourceGroupName = 'rg1'; VMName = $_ } } | ";

                var partly = Bench.Ps.Run(both + "Update-AzDockerTlsCertificate -RotateCertificateAuthority Start");
                Assert.Equal("vm1", (string)Assert.Single(partly.Output).Properties["VMName"].Value);
                Assert.Equal("vm2", partly.Errors.Single().TargetObject);
                Assert.Equal(1, PemCount(Path.Combine(second.Set, "ca.pem")));
                string newCa = File.ReadAllText(Path.Combine(Authority, "ca-rotation", "new-ca.pem"));

                // vm1 is moved: a second start on it would be a second rotation.
                string files = Snapshot();
                var again = Bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Start");
                again.AssertRefused("RotationInProgress", ErrorCategory.InvalidOperation, Authority);
                Assert.Contains("VM 'vm1' is started in it", again.Error.Exception.Message);
                Assert.Equal(files, Snapshot());

                // vm2 is not: its start runs again, into the same rotation.
                Bench.Arm.SetExtensionHandler("rg1", "vm2", Installs(second.Tls, second.Port, () => { two.Dispose(); two = Dockerd.Start(second.Tls, second.Port, "127.0.0.2"); }));
                var joined = Bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm2 -RotateCertificateAuthority Start").ThrowIfFailed().Single();

                Assert.Equal("InProgress", joined.Properties["RotationStatus"].Value);
                Assert.Equal(newCa, File.ReadAllText(Path.Combine(Authority, "ca-rotation", "new-ca.pem")));
                Assert.Equal(2, PemCount(Path.Combine(second.Tls, "ca.pem")));
                Assert.Equal(2, PemCount(Path.Combine(second.Set, "ca.pem")));
                Assert.Contains(newCa.Trim(), File.ReadAllText(Path.Combine(second.Tls, "ca.pem")));
                AssertSecondHostWorks(second.Port, oldClient); // the old client of vm2, through the overlap

                var completed = Bench.Ps.Run(both + "Update-AzDockerTlsCertificate -RotateCertificateAuthority Complete").ThrowIfFailed();

                Assert.Equal(2, completed.Output.Count);
                Assert.Contains(completed.Output, o => (string)o.Properties["RotationStatus"].Value == "Completed");
                Assert.Equal(newCa, File.ReadAllText(Path.Combine(Authority, "ca.pem")));
                Assert.False(File.Exists(Path.Combine(Authority, "ca-rotation", "new-ca-key.pem")));
                AssertSecondHostWorks(second.Port, second.Set);
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
            Port = Dockerd.FreeLoopbackPort();
            Bench.Arm.AddLinuxVm("rg1", "vm1", publicIp: "127.0.0.1", privateIp: "10.0.0.4");
            Bench.Ps.Run($"Set-AzDockerExtension rg1 vm1 -DockerPort {Port} -NoDockerContext").ThrowIfFailed();
            Directory.CreateDirectory(Authority);
            File.Copy(Path.Combine(Set, "ca.pem"), Path.Combine(Authority, "ca.pem"));
            File.Move(Path.Combine(Set, "ca-key.pem"), Path.Combine(Authority, "ca-key.pem"));
            Bench.Arm.SetExtensionHandler("rg1", "vm1", put =>
            {
                Puts.Add(put);
                return ExtensionOutcome.Success("AZDOCKERVM status=ok\n");
            });
            string files = Snapshot();

            var run = Bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Complete");

            run.AssertRefused("NoRotationInProgress", ErrorCategory.InvalidOperation, Authority);
            Assert.Equal(files, Snapshot());
            Assert.Empty(Puts);
            Bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Start -ValidityDays 30")
                .AssertRefused("RotationParameterConflict", ErrorCategory.InvalidArgument, "Start");
            Assert.Equal(files, Snapshot());

            // -WhatIf: the VM read and checked, the phase named, nothing made, sent or written.
            var whatIf = Bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Start -WhatIf").ThrowIfFailed();
            Assert.Contains("Start rotating the CA of resource group 'rg1'", whatIf.HostText);
            Assert.Equal(files, Snapshot());
            Assert.Empty(Puts);

            // A group CA that did not issue the host's certificate: the host is not the group's, nothing changes.
            Bench.Ps.Run("$null = New-DockerTlsCertificate -IPAddress 127.0.0.9 -Path $P", new { P = Path.Combine(Path.GetDirectoryName(Bench.DockerConfig), "other") }).ThrowIfFailed();
            foreach (string file in new[] { "ca.pem", "ca-key.pem" })
            {
                File.Copy(Path.Combine(Path.GetDirectoryName(Bench.DockerConfig), "other", file), Path.Combine(Authority, file), overwrite: true);
            }

            files = Snapshot();
            Bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Start")
                .AssertRefused("CertificateAuthorityMismatch", ErrorCategory.InvalidData, Set);
            Assert.Equal(files, Snapshot());
            Assert.Empty(Puts);

            // No group CA on this machine: refused, with the advice in the rotation's terms.
            Directory.Delete(Authority, recursive: true);
            files = Snapshot();
            var none = Bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Start");
            none.AssertRefused("CertificateAuthorityNotFound", ErrorCategory.ObjectNotFound, Path.Combine(Authority, "ca.pem"));
            Assert.Contains("resource group's CA that New-AzDockerVm keeps", none.Error.ErrorDetails?.RecommendedAction ?? string.Empty);
            Assert.Equal(files, Snapshot());
            Assert.Empty(Puts);
        }
    }
}

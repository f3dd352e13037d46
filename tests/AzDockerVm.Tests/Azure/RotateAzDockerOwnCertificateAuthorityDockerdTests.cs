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
    public sealed class RotateAzDockerOwnCertificateAuthorityDockerdTests : EmulatedVmDockerdTests
    {
        /// <summary>A VM at 127.0.0.1 made a host by Set-AzDockerExtension: its set keeps its own CA.</summary>
        private void Host()
        {
            Port = Dockerd.FreeLoopbackPort();
            Bench.Arm.AddLinuxVm("rg1", "vm1", publicIp: "127.0.0.1", privateIp: "10.0.0.4");
            Bench.Arm.AllowInbound("rg1", "vm1-nsg", Port);
            Bench.Ps.Run($"Set-AzDockerExtension rg1 vm1 -DockerPort {Port}").ThrowIfFailed();
            Assert.True(File.Exists(Path.Combine(Set, "ca-key.pem")));
            Directory.CreateDirectory(VmTls);
            foreach (string file in new[] { "ca.pem", "server-cert.pem", "server-key.pem" })
            {
                File.Copy(Path.Combine(Set, file), Path.Combine(VmTls, file), overwrite: true);
            }
        }

        [DockerdFact]
        public void A_host_with_its_own_CA_rotates_it_an_old_client_works_through_the_overlap_and_is_refused_after_completion_and_no_CA_key_is_sent()
        {
            Host();
            Dockerd daemon = Dockerd.Start(VmTls, Port);
            try
            {
                string oldClient = Copy(Set, "old-client");
                string oldKey = File.ReadAllText(Path.Combine(Set, "ca-key.pem"));
                AssertWorks(oldClient);
                Bench.Arm.SetExtensionHandler("rg1", "vm1", VmInstalls(() =>
                {
                    daemon.Dispose();
                    return daemon = Dockerd.Start(VmTls, Port);
                }));

                // A completion without a start: refused, nothing sent or written.
                string files = Snapshot();
                Bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Complete")
                    .AssertRefused("NoRotationInProgress", ErrorCategory.InvalidOperation, Set);
                var whatIf = Bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Start -WhatIf").ThrowIfFailed();
                Assert.Contains("Start rotating the host's own CA", whatIf.HostText);
                Assert.Equal(files, Snapshot());
                Assert.Empty(Puts);

                var started = Bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Start").ThrowIfFailed().Single();

                Assert.Equal("InProgress", started.Properties["RotationStatus"].Value);
                Assert.Equal("Start", started.Properties["RotationPhase"].Value);
                Assert.Single(Puts);
                Assert.False(Directory.Exists(Path.Combine(Bench.DockerConfig, "azdockervm", "ca")));
                string newKey = File.ReadAllText(Path.Combine(Set, "ca-key.pem"));
                Assert.NotEqual(oldKey, newKey);
                Assert.Equal(oldKey, File.ReadAllText(Path.Combine(Set, "ca-rotation", "old-ca-key.pem")));
                Assert.Equal(2, PemCount(Path.Combine(VmTls, "ca.pem")));
                Assert.Equal(2, PemCount(Path.Combine(Set, "ca.pem")));
                AssertWorks(oldClient);
                AssertWorks(Set);
                AssertContextWorks(daemon);
                Assert.NotEqual(File.ReadAllText(Path.Combine(oldClient, "cert.pem")), File.ReadAllText(Path.Combine(Set, "cert.pem")));

                // A second start mid-rotation: refused, nothing sent or written.
                files = Snapshot();
                Bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Start")
                    .AssertRefused("RotationInProgress", ErrorCategory.InvalidOperation, Set);
                Assert.Equal(files, Snapshot());
                Assert.Single(Puts);

                // A completion the VM refuses (its old files put back): the set stays mid-rotation with the old CA's key.
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
                AssertWorks(oldClient);
                Bench.Arm.SetExtensionHandler("rg1", "vm1", installs);
                int before = Puts.Count;
                // Meanwhile the VM came back with another private address: the completion's certificate names it.
                Bench.Arm.SetPrivateIpAddress("rg1", "vm1-nic", "10.0.0.9");

                var completed = Bench.Ps.Run("[pscustomobject]@{ ResourceGroupName = 'rg1'; VMName = 'vm1' } | Update-AzDockerTlsCertificate -RotateCertificateAuthority Complete").ThrowIfFailed().Single();

                Assert.Equal("Completed", completed.Properties["RotationStatus"].Value);
                Assert.Equal(before + 1, Puts.Count);
                Assert.Equal(1, PemCount(Path.Combine(VmTls, "ca.pem")));
                Assert.Equal(1, PemCount(Path.Combine(Set, "ca.pem")));
                Assert.Equal(File.ReadAllText(Path.Combine(Set, "ca.pem")), File.ReadAllText(Path.Combine(VmTls, "ca.pem")));
                Assert.Equal(File.ReadAllText(Path.Combine(Set, "server-cert.pem")), File.ReadAllText(Path.Combine(VmTls, "server-cert.pem")));
                Assert.Equal(newKey, File.ReadAllText(Path.Combine(Set, "ca-key.pem")));
                var server = Bench.Ps.Run("Get-DockerTlsCertificate -Path $Set | Where-Object Role -eq Server", new { Set }).ThrowIfFailed().Single();
                Assert.Equal(new[] { "127.0.0.1", "10.0.0.9" }, (string[])server.Properties["IPAddress"].Value);
                Assert.False(File.Exists(Path.Combine(Set, "ca-rotation", "old-ca-key.pem")));
                Assert.DoesNotContain(Directory.GetFiles(Bench.DockerConfig, "*", SearchOption.AllDirectories), f => File.ReadAllText(f) == oldKey);
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
                Bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -RotateCertificateAuthority Complete")
                    .AssertRefused("NoRotationInProgress", ErrorCategory.InvalidOperation, Set);
                Assert.Equal(files, Snapshot());

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
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using AzDockerVm.Tests.Bench;
using AzDockerVm.Tests.Docker;
using AzDockerVm.Tests.Tls;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>
    /// Update-AzDockerTlsCertificate against the fake ARM, the VM side played by <see cref="VmTlsEndpoint"/> (a TLS
    /// listener at the VM's loopback address that serves what the renewal PUT carried, as the script makes dockerd
    /// do): the SANs come from the VM's addresses now, the PUT carries the new server files and nothing else, the
    /// set's server files change only once the new certificate is seen served, and every refusal or failure leaves
    /// Azure and the local files as they were.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class UpdateAzDockerTlsCertificateTests : IAsyncLifetime
    {
        private const string Fqdn = "vm1.westeurope.cloudapp.azure.com";
        private readonly List<VmTlsEndpoint> _vms = new List<VmTlsEndpoint>();
        private AzureBench _bench;

        public async Task InitializeAsync() => _bench = await AzureBench.StartAsync();

        public async Task DisposeAsync()
        {
            _vms.ForEach(v => v.Dispose());
            await _bench.DisposeAsync();
        }

        private string Set(string name = Fqdn) => Path.Combine(_bench.DockerConfig, "azdockervm", name);

        /// <summary>A VM made a Docker host by Set-AzDockerExtension, its daemon played by a TLS listener at its public IP.</summary>
        private (int Port, VmTlsEndpoint Vm) Host(string publicIp = "127.0.0.2", string fqdn = Fqdn, string setParameters = "")
        {
            int port = Dockerd.FreeLoopbackPort();
            _bench.Arm.AddLinuxVm("rg1", "vm1", publicIp: publicIp, fqdn: fqdn, privateIp: "10.0.0.4");
            _bench.Ps.Run($"Set-AzDockerExtension rg1 vm1 -DockerPort {port} {setParameters}").ThrowIfFailed();
            string set = Set(fqdn ?? publicIp);
            return (port, Serving(publicIp, port, set));
        }

        private VmTlsEndpoint Serving(string address, int port, string set)
        {
            var vm = VmTlsEndpoint.Start(address, port, File.ReadAllText(Path.Combine(set, "server-cert.pem")), File.ReadAllText(Path.Combine(set, "server-key.pem")));
            _vms.Add(vm);
            _bench.Arm.SetExtensionHandler("rg1", "vm1", vm.Installs(port));
            return vm;
        }

        /// <summary>Every file under DOCKER_CONFIG with its SHA-256 (what "nothing changed locally" compares).</summary>
        private string Snapshot()
            => !Directory.Exists(_bench.DockerConfig) ? "(none)" : string.Join("\n", Directory.GetFiles(_bench.DockerConfig, "*", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => f + " " + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))));

        private static X509Certificate2 Certificate(string pem) => X509Certificate2.CreateFromPem(pem);

        private static (string[] Dns, string[] Ips) Names(X509Certificate2 certificate)
        {
            var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
            return (san.EnumerateDnsNames().ToArray(), san.EnumerateIPAddresses().Select(a => a.ToString()).ToArray());
        }

        private ExtensionPut Renewal() => _bench.Arm.ExtensionPuts.Last();

        [Fact]
        public void After_the_public_IP_changed_the_new_certificate_names_the_current_addresses_and_the_set_holds_it_once_served()
        {
            var (port, old) = Host();
            string set = Set();
            var before = Certificate(File.ReadAllText(Path.Combine(set, "server-cert.pem")));
            Assert.Equal(new[] { "127.0.0.2", "10.0.0.4" }, Names(before).Ips);
            var keptFiles = new[] { "ca.pem", "ca-key.pem", "cert.pem", "key.pem" }.ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(set, f)));
            _bench.Arm.SetPublicIpAddress("rg1", "vm1-ip", "127.0.0.3");
            old.Dispose();
            var vm = Serving("127.0.0.3", port, set);

            // Piped as Get-AzVM's objects pipe: ResourceGroupName and Name.
            var renewed = _bench.Ps.Run("[pscustomobject]@{ ResourceGroupName = 'rg1'; Name = 'vm1' } | Update-AzDockerTlsCertificate").ThrowIfFailed().Single();

            var sent = Certificate(Renewal().ScriptSetting("AZDV_CERT_B64"));
            Assert.Equal(new[] { Fqdn }, Names(sent).Dns);
            Assert.Equal(new[] { "127.0.0.3", "10.0.0.4" }, Names(sent).Ips);
            Assert.Equal(before.Issuer, sent.Issuer);
            Assert.Equal(1, vm.Installed);
            Assert.Equal(Convert.ToHexString(SHA256.HashData(sent.RawData)), vm.ServedSha256);
            // The set holds exactly what is served now; its CA and client files did not change.
            Assert.Equal(sent.RawData, Certificate(File.ReadAllText(Path.Combine(set, "server-cert.pem"))).RawData);
            Assert.Equal(Renewal().ScriptSetting("AZDV_KEY_B64"), File.ReadAllText(Path.Combine(set, "server-key.pem")));
            foreach (var (file, bytes) in keptFiles)
            {
                Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(set, file)));
            }

            // The output: the served certificate as Get-DockerTlsCertificate shows it, with its VM.
            Assert.Equal(sent.Thumbprint, renewed.Properties["Thumbprint"].Value);
            Assert.Equal(new[] { "127.0.0.3", "10.0.0.4" }, (string[])renewed.Properties["IPAddress"].Value);
            Assert.Equal(Path.Combine(set, "server-cert.pem"), renewed.Properties["FullName"].Value);
            Assert.Equal("vm1", renewed.Properties["VMName"].Value);
            Assert.Equal("rg1", renewed.Properties["ResourceGroupName"].Value);
            Assert.Equal($"tcp://127.0.0.3:{port}", renewed.Properties["Endpoint"].Value);
            Assert.True((bool)renewed.Properties["IssuedBySetCa"].Value);
        }

        [Fact]
        public void A_set_named_after_the_old_public_IP_is_found_through_the_VMs_docker_context()
        {
            var (port, old) = Host(fqdn: null);
            _bench.Arm.SetPublicIpAddress("rg1", "vm1-ip", "127.0.0.3");
            old.Dispose();
            Serving("127.0.0.3", port, Set("127.0.0.2"));

            _bench.Ps.Run("Update-AzDockerTlsCertificate -ResourceGroupName rg1 -VMName vm1").ThrowIfFailed();

            var kept = Certificate(File.ReadAllText(Path.Combine(Set("127.0.0.2"), "server-cert.pem")));
            Assert.Equal(new[] { "127.0.0.3", "10.0.0.4" }, Names(kept).Ips);
            Assert.False(Directory.Exists(Set("127.0.0.3")));
            // The docker context made from the set follows the VM to its new address; its client files stay.
            string meta = Directory.GetFiles(Path.Combine(_bench.DockerConfig, "contexts", "meta"), "meta.json", SearchOption.AllDirectories).Single();
            Assert.Equal($"tcp://127.0.0.3:{port}", (string)JsonNode.Parse(File.ReadAllText(meta))["Endpoints"]["docker"]["Host"]);
        }

        [Fact]
        public void The_PUT_carries_the_new_server_files_only_and_the_extension_keeps_its_name_handler_tags_and_port()
        {
            var (port, _) = Host(setParameters: "-DaemonConfig @{ 'log-level' = 'warn' } -DockerOption '--debug' -Hardened");
            ExtensionPut set = _bench.Arm.ExtensionPuts.Single();

            var run = _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -Verbose").ThrowIfFailed();

            ExtensionPut renewal = Renewal();
            Assert.Equal(2, _bench.Arm.ExtensionPuts.Count);
            Assert.Equal((set.ExtensionName, set.Publisher, set.Type, set.TypeHandlerVersion), (renewal.ExtensionName, renewal.Publisher, renewal.Type, renewal.TypeHandlerVersion));
            Assert.Equal(new[] { "script" }, renewal.ProtectedSettings.Select(p => p.Key).ToArray());
            Assert.Equal(new[] { "skipDos2Unix", "timestamp" }, renewal.Settings.Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal).ToArray());
            // The script's settings block: the mode, the port, the new pair; no CA bundle (the VM keeps its ca.pem) and
            // none of Set's settings (daemon.json, options, ...), which the VM keeps as they are.
            var assigned = Regex.Matches(renewal.Script, "^(AZDV_[A-Z0-9_]+)='", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToArray();
            Assert.Equal(new[] { "AZDV_MODE", "AZDV_PORT", "AZDV_CA_B64", "AZDV_CERT_B64", "AZDV_KEY_B64" }, assigned);
            Assert.Equal("tls-rollout", renewal.ScriptSetting("AZDV_MODE"));
            Assert.Equal(port.ToString(), renewal.ScriptSetting("AZDV_PORT"));
            Assert.Equal(string.Empty, renewal.ScriptSetting("AZDV_CA_B64"));
            using (var pair = X509Certificate2.CreateFromPem(renewal.ScriptSetting("AZDV_CERT_B64"), renewal.ScriptSetting("AZDV_KEY_B64")))
            {
                Assert.True(pair.HasPrivateKey);
            }

            Assert.NotEqual(set.ScriptSetting("AZDV_CERT_B64"), renewal.ScriptSetting("AZDV_CERT_B64"));
            // The same extension resource with the same tags (ours, the port), so it stays ours on the same port.
            var puts = _bench.Arm.Requests.Where(r => r.Method == "PUT" && r.Path.Contains("/extensions/")).ToList();
            Assert.Equal(2, puts.Count);
            Assert.Equal(puts[0].Path, puts[1].Path);
            Assert.Equal(puts[0].RequestBody["tags"].ToJsonString(), puts[1].RequestBody["tags"].ToJsonString());
            Assert.Equal(port, _bench.Ps.Run("Get-AzDockerExtension rg1 vm1").ThrowIfFailed().Single().Properties["DockerPort"].Value);
            // The new key travels protected only: no line of it in any stream.
            Assert.DoesNotContain(renewal.ScriptSetting("AZDV_KEY_B64").Split('\n')[1], run.AllText());
        }

        [Fact]
        public void The_legacy_DockerExtension_gets_its_public_settings_back_without_compose_and_new_certs()
        {
            int port = Dockerd.FreeLoopbackPort();
            _bench.Arm.AddLinuxVm("rg1", "vm1", publicIp: "127.0.0.2", privateIp: "10.0.0.4");
            var installed = new JsonObject
            {
                ["docker"] = new JsonObject { ["port"] = port.ToString(), ["options"] = new JsonArray("--debug") },
                ["compose"] = new JsonObject { ["web"] = new JsonObject { ["image"] = "nginx" } },
                ["azure-environment"] = "AzureCloud",
            };
            _bench.Arm.AddExtension("rg1", "vm1", "DockerExtension", type: "DockerExtension", typeHandlerVersion: "1.2", settings: installed);
            _bench.Ps.Run("$null = New-DockerTlsCertificate -IPAddress 127.0.0.2, 10.0.0.4 -Path $P", new { P = Set("127.0.0.2") }).ThrowIfFailed();
            var vm = Serving("127.0.0.2", port, Set("127.0.0.2"));

            _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1").ThrowIfFailed();

            ExtensionPut renewal = Renewal();
            Assert.Equal(("DockerExtension", "DockerExtension", "1.2"), (renewal.ExtensionName, renewal.Type, renewal.TypeHandlerVersion));
            Assert.Equal(new JsonObject
            {
                ["docker"] = new JsonObject { ["port"] = port.ToString(), ["options"] = new JsonArray("--debug") },
                ["azure-environment"] = "AzureCloud",
            }.ToJsonString(), renewal.Settings.ToJsonString());
            var certs = renewal.ProtectedSettings["certs"];
            Assert.Equal(new[] { "certs" }, renewal.ProtectedSettings.Select(p => p.Key).ToArray());
            Assert.Equal(File.ReadAllText(Path.Combine(Set("127.0.0.2"), "ca.pem")), Decode(certs["ca"]));
            Assert.Equal(File.ReadAllText(Path.Combine(Set("127.0.0.2"), "server-cert.pem")), Decode(certs["cert"]));
            Assert.Equal(1, vm.Installed);
        }

        private static string Decode(JsonNode value) => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)value));

        [Fact]
        public void WhatIf_names_the_new_certificate_the_carrier_and_the_check_and_changes_nothing()
        {
            var (port, vm) = Host();
            string before = Snapshot();
            int writes = _bench.Writes().Length;

            var run = _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -WhatIf").ThrowIfFailed();

            Assert.Empty(run.Output);
            Assert.Contains($"Renew the Docker server certificate for DNS:{Fqdn}, IP:127.0.0.2, IP:10.0.0.4", run.HostText);
            Assert.Contains("extension 'AzDockerVm'", run.HostText);
            Assert.Contains($"check that tcp://127.0.0.2:{port} serves it", run.HostText);
            Assert.Equal(writes, _bench.Writes().Length);
            Assert.Equal(0, vm.Installed);
            Assert.Equal(before, Snapshot());
        }

        [Fact]
        public void A_VM_without_our_extension_is_ExtensionNotInstalled_and_nothing_is_sent_or_written()
        {
            _bench.Arm.AddLinuxVm("rg1", "vm1", publicIp: "127.0.0.2");
            _bench.Arm.AddExtension("rg1", "vm1", "someoneelses"); // a CustomScript AzDockerVm did not make

            var run = _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1");

            run.AssertRefused("ExtensionNotInstalled", ErrorCategory.ObjectNotFound, "vm1");
            Assert.Contains("Set-AzDockerExtension -ResourceGroupName rg1 -VMName vm1", run.Error.ErrorDetails?.RecommendedAction ?? run.Error.Exception.Message + run.Error.ErrorDetails);
            Assert.Empty(_bench.Writes());
            Assert.False(Directory.Exists(_bench.DockerConfig));
        }

        [Fact]
        public void A_CA_that_did_not_issue_the_hosts_set_is_CertificateAuthorityMismatch_and_nothing_changes()
        {
            var (_, vm) = Host();
            string other = Path.Combine(Path.GetDirectoryName(_bench.DockerConfig), "other-ca");
            _bench.Ps.Run("$null = New-DockerTlsCertificate -DnsName other.example -Path $P", new { P = other }).ThrowIfFailed();
            string before = Snapshot();
            int writes = _bench.Writes().Length;

            var run = _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1 -CertificateAuthorityPath $P", new { P = other });

            run.AssertRefused("CertificateAuthorityMismatch", ErrorCategory.InvalidData, Path.Combine(Set(), "ca.pem"));
            Assert.Contains("-CertificateAuthorityPath", run.Error.ErrorDetails.RecommendedAction);
            Assert.Equal(writes, _bench.Writes().Length);
            Assert.Equal(0, vm.Installed);
            Assert.Equal(before, Snapshot());
        }

        [Fact]
        public void An_expired_CA_is_CertificateAuthorityExpired_and_nothing_changes()
        {
            var (_, vm) = Host();
            string set = Set();
            using (var ca = HandMadeCa.Create(set, DateTimeOffset.UtcNow.AddDays(-400), DateTimeOffset.UtcNow.AddDays(-1)))
            {
                ca.IssueServer(set, DateTimeOffset.UtcNow.AddDays(-300), DateTimeOffset.UtcNow.AddDays(-2), new[] { Fqdn }, new[] { "127.0.0.2", "10.0.0.4" });
            }

            string before = Snapshot();
            int writes = _bench.Writes().Length;

            var run = _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1");

            run.AssertRefused("CertificateAuthorityExpired", ErrorCategory.InvalidData, Path.Combine(set, "ca.pem"));
            Assert.Contains("expired on", run.Error.Exception.Message);
            Assert.Equal(writes, _bench.Writes().Length);
            Assert.Equal(0, vm.Installed);
            Assert.Equal(before, Snapshot());
        }

        [Fact]
        public void Without_the_hosts_set_on_this_machine_it_is_CertificateNotFound()
        {
            Host();
            Directory.Delete(Set(), recursive: true);
            int writes = _bench.Writes().Length;

            var run = _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1");

            run.AssertRefused("CertificateNotFound", ErrorCategory.ObjectNotFound, Set());
            Assert.Contains("-CertificatePath", run.Error.ErrorDetails.RecommendedAction);
            Assert.Equal(writes, _bench.Writes().Length);
        }

        [Fact]
        public void A_VM_that_trusts_another_CA_refuses_the_certificate_CertificateAuthorityMismatch_and_the_set_is_kept()
        {
            Host();
            _bench.Arm.SetExtensionHandler("rg1", "vm1", _ => ExtensionOutcome.ScriptFailed(1, "AZDOCKERVM status=failed reason=certificate-not-from-ca",
                "azdockervm: error: the new server certificate (AZDV_CERT_B64) is not issued by a CA of the installed /etc/docker/tls/ca.pem: clients would reject it; nothing was changed"));
            string before = Snapshot();

            var run = _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1");

            run.AssertRefused("CertificateAuthorityMismatch", ErrorCategory.InvalidData, "vm1");
            Assert.Contains("still serves its old certificate", run.Error.Exception.Message);
            Assert.Contains("was kept as it was", run.Error.Exception.Message);
            Assert.Equal(before, Snapshot());
        }

        [Fact]
        public void A_failed_extension_run_is_ExtensionProvisioningFailed_with_the_scripts_words_and_the_local_files_are_untouched()
        {
            var (_, vm) = Host();
            _bench.Arm.SetExtensionHandler("rg1", "vm1", _ => ExtensionOutcome.ScriptFailed(1, "AZDOCKERVM status=failed reason=docker-start-failed",
                "azdockervm: error: Docker did not start with the new configuration; the previous configuration was restored and Docker runs with it"));
            string before = Snapshot();

            var run = _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1");

            run.AssertRefused("ExtensionProvisioningFailed", ErrorCategory.InvalidResult, "vm1");
            Assert.Contains("docker-start-failed", run.Error.Exception.Message);
            Assert.Contains($"The local set in '{Set()}' was kept as it was.", run.Error.Exception.Message);
            Assert.Equal(before, Snapshot());
            Assert.Equal(0, vm.Installed);
        }

        [Fact]
        public void A_VM_that_reports_success_but_serves_the_old_certificate_is_RenewedCertificateNotServed_and_the_set_is_kept()
        {
            var (port, vm) = Host();
            _bench.Arm.SetExtensionHandler("rg1", "vm1", vm.Installs(port, install: false));
            string oldServed = vm.ServedSha256;
            string before = Snapshot();

            var run = _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1");

            run.AssertRefused("RenewedCertificateNotServed", ErrorCategory.InvalidResult, $"tcp://127.0.0.2:{port}");
            Assert.Contains(oldServed, run.Error.Exception.Message);
            Assert.Contains("was kept as it was", run.Error.Exception.Message);
            Assert.Equal(before, Snapshot());
        }

        [Fact]
        public void A_daemon_this_machine_cannot_reach_is_RenewedCertificateNotVerified_and_the_set_is_kept()
        {
            var (port, vm) = Host();
            vm.Dispose();
            _bench.Arm.SetExtensionHandler("rg1", "vm1", _ => ExtensionOutcome.Success($"AZDOCKERVM status=ok docker=20.10.24 port={port} tls=on changed=true started=true live-restore=on served=AB\n"));
            string before = Snapshot();

            var run = _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1");

            run.AssertRefused("RenewedCertificateNotVerified", ErrorCategory.ConnectionError, $"tcp://127.0.0.2:{port}");
            Assert.Contains("Test-AzDockerHost", run.Error.ErrorDetails.RecommendedAction);
            Assert.Equal(before, Snapshot());
        }

        [Fact]
        public void A_host_whose_configuration_switches_live_restore_off_is_renewed_with_a_warning_that_its_containers_restarted()
        {
            var (port, vm) = Host();
            var install = vm.Installs(port);
            _bench.Arm.SetExtensionHandler("rg1", "vm1", put =>
            {
                install(put);
                return ExtensionOutcome.Success($"AZDOCKERVM status=ok docker=20.10.24 port={port} tls=on changed=true started=true live-restore=off served={vm.ServedSha256}\n");
            });

            var run = _bench.Ps.Run("Update-AzDockerTlsCertificate rg1 vm1").ThrowIfFailed();

            Assert.Single(run.Output);
            Assert.Contains(run.Warnings, w => w.Contains("live-restore is switched off") && w.Contains("restarted the running containers"));
        }

        [Fact]
        public void A_fleet_piped_from_Get_AzDockerVm_is_renewed_from_the_groups_CA_and_AsJob_does_the_same_in_a_job()
        {
            _bench.Arm.LoopbackPublicAddresses = true;
            int port = Dockerd.FreeLoopbackPort();
            var made = _bench.Ps.Run($"'dock1', 'dock2' | New-AzDockerVm -ResourceGroupName rg-docker -Location westeurope -AllowedSourceAddress 203.0.113.0/24 -DockerPort {port}").ThrowIfFailed();
            Assert.Equal(2, made.Output.Count);
            var hosts = made.Output.Select(h => (Name: (string)h.Properties["Name"].Value, Ip: (string)h.Properties["PublicIpAddress"].Value, Set: (string)h.Properties["CertificatePath"].Value)).ToList();
            var vms = hosts.ToDictionary(h => h.Name, h =>
            {
                var vm = VmTlsEndpoint.Start(h.Ip, port, File.ReadAllText(Path.Combine(h.Set, "server-cert.pem")), File.ReadAllText(Path.Combine(h.Set, "server-key.pem")));
                _vms.Add(vm);
                _bench.Arm.SetExtensionHandler("rg-docker", h.Name, vm.Installs(port));
                return vm;
            });
            string groupCa = Directory.GetDirectories(Path.Combine(_bench.DockerConfig, "azdockervm", "ca"), "*", SearchOption.AllDirectories).Single(d => File.Exists(Path.Combine(d, "ca-key.pem")));
            var ca = Certificate(File.ReadAllText(Path.Combine(groupCa, "ca.pem")));

            var renewed = _bench.Ps.Run("Get-AzDockerVm -ResourceGroupName rg-docker | Update-AzDockerTlsCertificate -ThrottleLimit 2").ThrowIfFailed();

            Assert.Equal(new[] { "dock1", "dock2" }, renewed.Output.Select(o => (string)o.Properties["VMName"].Value).OrderBy(n => n).ToArray());
            foreach (var h in hosts)
            {
                // Issued by the group's CA, which stays in its own folder: the host's set holds no CA key.
                var served = Certificate(File.ReadAllText(Path.Combine(h.Set, "server-cert.pem")));
                Assert.Equal(ca.Subject, served.Issuer);
                Assert.Equal(Convert.ToHexString(SHA256.HashData(served.RawData)), vms[h.Name].ServedSha256);
                Assert.False(File.Exists(Path.Combine(h.Set, "ca-key.pem")));
            }

            var job = _bench.Ps.Run("Get-AzDockerVm -ResourceGroupName rg-docker | Update-AzDockerTlsCertificate -AsJob").ThrowIfFailed().Single();
            Assert.Equal(2, ((System.Collections.ICollection)job.Properties["ChildJobs"].Value).Count);
            var received = _bench.Ps.Run("Get-Job | Receive-Job -Wait -AutoRemoveJob").ThrowIfFailed();
            Assert.Equal(new[] { "dock1", "dock2" }, received.Output.Select(o => (string)o.Properties["VMName"].Value).OrderBy(n => n).ToArray());
            Assert.All(vms.Values, vm => Assert.Equal(2, vm.Installed));
        }
    }
}

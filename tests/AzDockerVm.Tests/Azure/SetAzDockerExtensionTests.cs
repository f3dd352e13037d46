using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>
    /// Set-AzDockerExtension end to end against the fake ARM, with the Az login of a stand-in Az.Accounts: a VM piped
    /// in the way Get-AzVM output is, a TLS set and docker context created for it, the CustomScript carrier checked
    /// the way the VM's handler will read it.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class SetAzDockerExtensionTests : IAsyncLifetime
    {
        private AzureBench _bench;

        public async Task InitializeAsync() => _bench = await AzureBench.StartAsync();

        public async Task DisposeAsync() => await _bench.DisposeAsync();

        private PSRun SetOnPipedVm(string extra = "") => _bench.Ps.Run(
            "[pscustomobject]@{ ResourceGroupName = 'rg1'; Name = 'vm1'; Location = 'westeurope'; Id = $Id } | Set-AzDockerExtension " + extra,
            new { Id = _bench.Arm.SubscriptionId });

        [Fact]
        public void A_piped_Get_AzVM_object_gets_Docker_and_the_status_reports_version_port_and_endpoint()
        {
            _bench.AddVm();

            var status = SetOnPipedVm().ThrowIfFailed().Single();

            Assert.Equal("AzDockerVm.Models.AzDockerExtensionStatus", status.BaseObject.GetType().FullName);
            Assert.Equal("rg1", status.Properties["ResourceGroupName"].Value);
            Assert.Equal("vm1", status.Properties["VMName"].Value);
            Assert.Equal("AzDockerVm", status.Properties["Name"].Value);
            Assert.Equal("CustomScript", status.Properties["Handler"].Value.ToString());
            Assert.Equal("Succeeded", status.Properties["ProvisioningState"].Value);
            Assert.Equal("20.10.24", status.Properties["DockerVersion"].Value);
            Assert.Equal(2376, status.Properties["DockerPort"].Value);
            Assert.Equal(true, status.Properties["TlsEnabled"].Value);
            Assert.Equal("tcp://vm1.westeurope.cloudapp.azure.com:2376", status.Properties["Endpoint"].Value);
            Assert.StartsWith("AZDOCKERVM status=ok docker=20.10.24 port=2376", (string)status.Properties["StatusMessage"].Value);
            Assert.Equal("vm1", status.Properties["DockerContext"].Value);
            Assert.Equal(Path.Combine(_bench.DockerConfig, "azdockervm", "vm1.westeurope.cloudapp.azure.com"), status.Properties["CertificatePath"].Value);
            Assert.Null(status.Properties["Statuses"].Value);
        }

        [Fact]
        public void The_PUT_carries_CustomScript_2_1_nothing_secret_in_public_settings_and_the_rendered_script_protected()
        {
            _bench.AddVm();
            var status = SetOnPipedVm().ThrowIfFailed().Single();
            string folder = (string)status.Properties["CertificatePath"].Value;

            var put = Assert.Single(_bench.Arm.ExtensionPuts);
            Assert.Equal("Microsoft.Azure.Extensions", put.Publisher);
            Assert.Equal("CustomScript", put.Type);
            Assert.Equal("2.1", put.TypeHandlerVersion);
            var body = _bench.Arm.Requests.Single(r => r.Method == "PUT").RequestBody;
            Assert.True(body["properties"]["autoUpgradeMinorVersion"].GetValue<bool>());
            Assert.Equal(ReadModuleVersion(), body["tags"]["AzDockerVm"].GetValue<string>());
            Assert.Equal("{\"skipDos2Unix\":true}", put.Settings.ToJsonString());
            Assert.Equal(new[] { "script" }, put.ProtectedSettings.Select(p => p.Key).ToArray());

            string script = put.Script;
            Assert.StartsWith("#!/", script);
            string key = File.ReadAllText(Path.Combine(folder, "server-key.pem"));
            string cert = File.ReadAllText(Path.Combine(folder, "server-cert.pem"));
            string ca = File.ReadAllText(Path.Combine(folder, "ca.pem"));
            Assert.Contains("AZDV_KEY_B64='" + B64(key) + "'", script);
            Assert.Contains("AZDV_CERT_B64='" + B64(cert) + "'", script);
            Assert.Contains("AZDV_CA_B64='" + B64(ca) + "'", script);
            Assert.Contains("AZDV_PORT='2376'", script);
            Assert.Contains("AZDV_ADMIN_USER='azureuser'", script);
            Assert.DoesNotContain("\n# @AZDV_SETTINGS@\n", script);
            string daemonJson = Encoding.UTF8.GetString(Convert.FromBase64String(Between(script, "AZDV_DAEMON_JSON_B64='", "'")));
            Assert.Contains("\"tlsverify\": true", daemonJson);
            Assert.Contains("tcp://0.0.0.0:2376", daemonJson);
        }

        [Fact]
        public void The_set_created_for_the_VM_covers_its_FQDN_public_and_private_IP_and_a_context_named_after_it_exists()
        {
            _bench.AddVm();
            var status = SetOnPipedVm().ThrowIfFailed().Single();
            string folder = (string)status.Properties["CertificatePath"].Value;

            using var server = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(folder, "server-cert.pem")));
            var san = server.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
            Assert.Equal(new[] { "vm1.westeurope.cloudapp.azure.com" }, san.EnumerateDnsNames().ToArray());
            Assert.Equal(new[] { "20.1.2.3", "10.0.0.4" }, san.EnumerateIPAddresses().Select(a => a.ToString()).ToArray());
            foreach (string file in new[] { "ca.pem", "ca-key.pem", "server-key.pem", "cert.pem", "key.pem" })
            {
                Assert.True(File.Exists(Path.Combine(folder, file)), file);
            }

            string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes("vm1"))).ToLowerInvariant();
            string meta = File.ReadAllText(Path.Combine(_bench.DockerConfig, "contexts", "meta", hash, "meta.json"));
            Assert.Contains("\"Name\":\"vm1\"", meta.Replace(" ", string.Empty));
            Assert.Contains("tcp://vm1.westeurope.cloudapp.azure.com:2376", meta);
            Assert.True(File.Exists(Path.Combine(_bench.DockerConfig, "contexts", "tls", hash, "docker", "key.pem")));
        }

        [Fact]
        public void A_second_Set_reuses_the_VMs_set_and_context_and_NoDockerContext_writes_none()
        {
            _bench.AddVm();
            var first = SetOnPipedVm("-NoDockerContext").ThrowIfFailed().Single();
            Assert.Null(first.Properties["DockerContext"].Value);
            Assert.False(Directory.Exists(Path.Combine(_bench.DockerConfig, "contexts")));
            string folder = (string)first.Properties["CertificatePath"].Value;
            string key = File.ReadAllText(Path.Combine(folder, "server-key.pem"));

            var second = SetOnPipedVm().ThrowIfFailed().Single();

            Assert.Equal(folder, second.Properties["CertificatePath"].Value);
            Assert.Equal(key, File.ReadAllText(Path.Combine(folder, "server-key.pem")));
            Assert.Equal("vm1", second.Properties["DockerContext"].Value);
        }

        [Fact]
        public void A_given_set_covering_the_VM_is_sent_as_is_and_no_context_is_written()
        {
            _bench.AddVm();
            string folder = Path.Combine(Path.GetDirectoryName(_bench.DockerConfig), "given");
            _bench.Ps.Run("$tls = New-DockerTlsCertificate -DnsName vm1.westeurope.cloudapp.azure.com -IPAddress 20.1.2.3 -Path $Folder", new { Folder = folder }).ThrowIfFailed();

            var status = _bench.Ps.Run("$tls | Set-AzDockerExtension rg1 vm1 -DockerPort 2400").ThrowIfFailed().Single();

            Assert.Equal("Succeeded", status.Properties["ProvisioningState"].Value);
            Assert.Null(status.Properties["DockerContext"].Value);
            Assert.Equal(folder, status.Properties["CertificatePath"].Value);
            Assert.Contains("AZDV_KEY_B64='" + B64(File.ReadAllText(Path.Combine(folder, "server-key.pem"))) + "'", _bench.Arm.ExtensionPuts.Single().Script);
            Assert.Contains("AZDV_PORT='2400'", _bench.Arm.ExtensionPuts.Single().Script);
            Assert.False(Directory.Exists(_bench.DockerConfig));
        }

        [Fact]
        public void Docker_settings_reach_the_script_pin_hardening_daemon_json_compose_and_registry_login()
        {
            _bench.AddVm();
            string compose = Path.Combine(Path.GetDirectoryName(_bench.DockerConfig), "compose.yml");
            Directory.CreateDirectory(Path.GetDirectoryName(compose));
            File.WriteAllText(compose, "services:\n  web:\n    image: nginx\n");

            _bench.Ps.Run(
                "$p = [System.Security.SecureString]::new(); 'pw-Registry-S3cret'.ToCharArray() | ForEach-Object { $p.AppendChar($_) }; " +
                "Set-AzDockerExtension rg1 vm1 -DockerVersion '5:27.3.1-1~debian.12~bookworm' -Hardened -DaemonConfig @{ 'log-level' = 'warn'; 'default-ulimits' = @{ nofile = @{ Name = 'nofile'; Soft = 1024; Hard = 2048 } } } " +
                "-DockerOption '--debug' -ComposeFile $Compose -ComposeEnvironment @{ APP = 'blog' } -RegistryServer myreg.azurecr.io -RegistryCredential ([pscredential]::new('deployer', $p))",
                new { Compose = compose }).ThrowIfFailed();

            string script = _bench.Arm.ExtensionPuts.Single().Script;
            Assert.Contains("AZDV_DOCKER_VERSION='5:27.3.1-1~debian.12~bookworm'", script);
            Assert.Contains("AZDV_REGISTRY_SERVER='myreg.azurecr.io'", script);
            Assert.Contains("AZDV_REGISTRY_USER_B64='" + B64("deployer") + "'", script);
            Assert.Contains("AZDV_REGISTRY_PASSWORD_B64='" + B64("pw-Registry-S3cret") + "'", script);
            Assert.Contains("AZDV_COMPOSE_B64='" + B64(File.ReadAllText(compose)) + "'", script);
            Assert.Contains("AZDV_COMPOSE_ENV_B64='" + B64("APP='blog'\n") + "'", script);
            Assert.Contains("AZDV_DOCKER_OPTIONS_B64='" + B64("--debug\n") + "'", script);
            Assert.DoesNotContain("pw-Registry-S3cret", script);
            string daemonJson = Encoding.UTF8.GetString(Convert.FromBase64String(Between(script, "AZDV_DAEMON_JSON_B64='", "'")));
            foreach (string expected in new[] { "\"userns-remap\": \"default\"", "\"no-new-privileges\": true", "\"live-restore\": true", "\"icc\": false", "\"log-level\": \"warn\"", "\"Hard\": 2048" })
            {
                Assert.Contains(expected, daemonJson);
            }
        }

        [Theory]
        [InlineData("", "true")]
        [InlineData("-DaemonConfig @{ 'live-restore' = $false }", "false")]
        [InlineData("-DockerOption '--live-restore'", null)]
        [InlineData("-Hardened -DockerOption '--live-restore=false'", null)]
        public void Every_host_gets_live_restore_unless_DaemonConfig_switches_it_off_or_a_flag_takes_its_place(string parameters, string expected)
        {
            _bench.AddVm();

            _bench.Ps.Run("Set-AzDockerExtension rg1 vm1 " + parameters).ThrowIfFailed();

            string script = _bench.Arm.ExtensionPuts.Single().Script;
            var daemonJson = System.Text.Json.Nodes.JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(Between(script, "AZDV_DAEMON_JSON_B64='", "'"))));
            Assert.Equal(expected, daemonJson["live-restore"]?.ToJsonString());
            // The VM judges the settings as sent alike: a --live-restore flag beside the default would stop dockerd.
            var vm = new RenderedScript(script).CheckSettings();
            Assert.True(vm.ExitCode == 0, vm.Text);
        }

        [Fact]
        public void WhatIf_names_the_VM_handler_and_port_and_changes_nothing()
        {
            _bench.AddVm();

            var run = _bench.Ps.Run("Set-AzDockerExtension rg1 vm1 -DockerPort 2399 -WhatIf").ThrowIfFailed();

            Assert.Empty(run.Output);
            Assert.Contains("VM 'vm1' in resource group 'rg1'", run.HostText);
            Assert.Contains("Microsoft.Azure.Extensions/CustomScript 2.1", run.HostText);
            Assert.Contains("port 2399", run.HostText);
            Assert.Contains("create a TLS set in", run.HostText);
            Assert.Contains("docker context 'vm1'", run.HostText);
            Assert.Empty(_bench.Writes());
            Assert.False(Directory.Exists(_bench.DockerConfig));
        }

        [Fact]
        public void A_VM_without_a_public_address_gets_a_set_for_its_private_IP_in_a_folder_named_after_it()
        {
            _bench.Arm.AddLinuxVm("rg1", "inner1", privateIp: "10.0.0.9", withPublicIp: false);

            var status = _bench.Ps.Run("Set-AzDockerExtension rg1 inner1").ThrowIfFailed().Single();

            string folder = (string)status.Properties["CertificatePath"].Value;
            Assert.Equal(Path.Combine(_bench.DockerConfig, "azdockervm", "inner1"), folder);
            Assert.Null(status.Properties["Endpoint"].Value);
            using var server = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(folder, "server-cert.pem")));
            var san = server.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
            Assert.Equal(new[] { "10.0.0.9" }, san.EnumerateIPAddresses().Select(a => a.ToString()).ToArray());

            // A given set then needs to cover the private address only.
            var again = _bench.Ps.Run("Set-AzDockerExtension rg1 inner1 -CertificatePath $F -ForceRerun", new { F = folder }).ThrowIfFailed().Single();
            Assert.Equal("Succeeded", again.Properties["ProvisioningState"].Value);
            Assert.Contains("\"timestamp\"", _bench.Arm.ExtensionPuts.Last().Settings.ToJsonString());
        }

        [Fact]
        public void One_Set_makes_these_ARM_requests_in_this_order()
        {
            var vm = _bench.AddVm();

            SetOnPipedVm().ThrowIfFailed();

            string vmPath = vm.Id.ToLowerInvariant();
            string[] expected =
            {
                "GET " + vmPath,                                    // the VM with its instance view (OS, power state, NIC)
                "GET " + vmPath + "/extensions",                    // its extensions (a foreign CustomScript?)
                "GET " + vm.NicId.ToLowerInvariant(),               // private IP
                "GET " + vm.PublicIpId.ToLowerInvariant(),          // public IP and FQDN
                "PUT " + vmPath + "/extensions/azdockervm",         // the carrier
                "GET operation",                                    // the LRO poll (Succeeded on the first)
                "GET " + vmPath + "/extensions/azdockervm",         // the SDK's final GET
                "GET " + vmPath + "/extensions/azdockervm",         // with the instance view: what the script reported
            };
            string[] actual = _bench.Arm.Requests.Select(r => r.Method + " " + (r.Path.Contains("/operations/", StringComparison.OrdinalIgnoreCase) || r.Path.Contains("operationResults", StringComparison.OrdinalIgnoreCase)
                ? "operation" : r.Path.ToLowerInvariant())).ToArray();
            Assert.Equal(expected, actual);
            Assert.Contains("$expand=instanceView", _bench.Arm.Requests[0].Url.Query);
            Assert.Contains("$expand=instanceView", _bench.Arm.Requests[7].Url.Query);
        }

        internal static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

        private static string Between(string text, string start, string end)
        {
            int i = text.IndexOf(start, StringComparison.Ordinal) + start.Length;
            return text.Substring(i, text.IndexOf(end, i, StringComparison.Ordinal) - i);
        }

        private static string ReadModuleVersion()
        {
            string manifest = File.ReadAllText(RepoPaths.ModuleManifest);
            return Between(manifest, "ModuleVersion        = '", "'");
        }
    }
}

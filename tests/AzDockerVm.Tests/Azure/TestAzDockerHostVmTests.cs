using System.IO;
using System.Linq;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using AzDockerVm.Tests.Bench;
using AzDockerVm.Tests.Docker;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>
    /// Test-AzDockerHost for an Azure VM checks in layers and names the first that fails: the VM, the Docker extension
    /// (with the script's words), the NSG, the local TLS set; then mutual TLS against a real dockerd on loopback that
    /// stands behind the fake VM's public address (127.0.0.1). The daemon is probed at the address ARM reports, never at
    /// the FQDN, so no public name is ever resolved.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class TestAzDockerHostVmTests : IAsyncLifetime
    {
        private AzureBench _bench;

        public async Task InitializeAsync() => _bench = await AzureBench.StartAsync();

        public async Task DisposeAsync() => await _bench.DisposeAsync();

        private (string Reason, string Message, bool Success) Test(string vm = "vm1")
        {
            var result = _bench.Ps.Run($"Test-AzDockerHost -ResourceGroupName rg1 -VMName {vm} -TimeoutSec 5").ThrowIfFailed().Single();
            Assert.Equal("rg1", result.Properties["ResourceGroupName"].Value);
            return ((string)result.Properties["Reason"].Value, (string)result.Properties["Message"].Value, (bool)result.Properties["Success"].Value);
        }

        [Fact]
        public void A_missing_VM_is_VmNotFound_and_a_stopped_one_VmNotRunning()
        {
            _bench.Arm.AddLinuxVm("rg1", "vm1", publicIp: "127.0.0.1", powerState: VmPowerState.Deallocated);

            Assert.Equal("VmNotFound", Test("nosuch").Reason);
            var stopped = Test();
            Assert.Equal("VmNotRunning", stopped.Reason);
            Assert.Contains("deallocated", stopped.Message);
            Assert.Contains("Start-AzVM", stopped.Message);
        }

        [Fact]
        public void Without_our_extension_it_says_so_and_a_failed_one_reports_the_scripts_words()
        {
            _bench.Arm.AddLinuxVm("rg1", "vm1", publicIp: "127.0.0.1");
            Assert.Equal("ExtensionNotInstalled", Test().Reason);

            _bench.Arm.SetExtensionHandler("rg1", "vm1", _ => ExtensionOutcome.ScriptFailed(1, "AZDOCKERVM status=error reason=unsupported-distribution", "this distribution is not supported"));
            Assert.NotNull(_bench.Ps.Run("Set-AzDockerExtension rg1 vm1").Error);

            var failed = Test();
            Assert.Equal("ExtensionFailed", failed.Reason);
            Assert.Contains("unsupported-distribution", failed.Message);
        }

        [Fact]
        public void An_NSG_without_an_allow_rule_for_the_Docker_port_is_PortBlocked_naming_the_group()
        {
            // The portal's VM: its NSG allows SSH only.
            _bench.Arm.AddLinuxVm("rg1", "vm1", publicIp: "127.0.0.1");
            _bench.Ps.Run("Set-AzDockerExtension rg1 vm1").ThrowIfFailed();

            var blocked = Test();

            Assert.Equal("PortBlocked", blocked.Reason);
            Assert.Contains("'vm1-nsg'", blocked.Message);
            Assert.Contains("2376", blocked.Message);
        }

        [Fact]
        public void Without_the_local_TLS_set_it_is_CertificateNotFound()
        {
            _bench.Arm.AddLinuxVm("rg1", "vm1", publicIp: "127.0.0.1");
            _bench.Arm.AllowInbound("rg1", "vm1-nsg", 2376);
            _bench.Ps.Run("Set-AzDockerExtension rg1 vm1").ThrowIfFailed();
            Directory.Delete(Path.Combine(_bench.DockerConfig, "azdockervm", "127.0.0.1"), recursive: true);

            Assert.Equal("CertificateNotFound", Test().Reason);
        }

        [DockerdFact]
        public void With_every_layer_in_place_it_reaches_the_daemon_over_mutual_TLS_and_a_stopped_daemon_is_ConnectionRefused()
        {
            int port = Dockerd.FreeLoopbackPort();
            _bench.Arm.AddLinuxVm("rg1", "vm1", publicIp: "127.0.0.1");
            _bench.Arm.AllowInbound("rg1", "vm1-nsg", port);
            _bench.Ps.Run($"Set-AzDockerExtension rg1 vm1 -DockerPort {port}").ThrowIfFailed();
            string set = Path.Combine(_bench.DockerConfig, "azdockervm", "127.0.0.1");

            using (Dockerd.Start(set, port))
            {
                var ok = Test();
                Assert.True(ok.Success, ok.Reason + ": " + ok.Message);

                // The set Set-AzDockerExtension made names the VM's public and private IP: the served certificate covers the host.
                var run = _bench.Ps.Run("Test-AzDockerHost -ResourceGroupName rg1 -VMName vm1 -TimeoutSec 5").ThrowIfFailed();
                Assert.Equal(true, run.Single().Properties["ServerCertificateCoversHost"].Value);
                Assert.True((int)run.Single().Properties["ServerCertificateDaysLeft"].Value > 30);
                Assert.Empty(run.Warnings);
            }

            Assert.Equal("ConnectionRefused", Test().Reason);
        }

        [DockerdFact]
        public void After_the_public_IP_changed_the_served_certificate_no_longer_covers_the_VM_and_a_warning_names_the_address_and_the_renewal()
        {
            int port = Dockerd.FreeLoopbackPort();
            _bench.Arm.AddLinuxVm("rg1", "vm1", publicIp: "127.0.0.3", fqdn: "vm1.westeurope.cloudapp.azure.com", privateIp: "10.0.0.4");
            _bench.Arm.AllowInbound("rg1", "vm1-nsg", port);
            _bench.Ps.Run($"Set-AzDockerExtension rg1 vm1 -DockerPort {port} -NoDockerContext").ThrowIfFailed();
            string set = Path.Combine(_bench.DockerConfig, "azdockervm", "vm1.westeurope.cloudapp.azure.com");
            string thumbprint = (string)_bench.Ps.Run("(Get-DockerTlsCertificate -LiteralPath $F | Where-Object Role -eq Server).Thumbprint", new { F = set }).ThrowIfFailed().Single().BaseObject;

            // Azure gives the VM another public IP (a Dynamic one deallocated and back): the daemon's address from now on.
            _bench.Arm.SetPublicIpAddress("rg1", "vm1-ip", "127.0.0.1");

            using (Dockerd.Start(set, port))
            {
                var run = _bench.Ps.Run("Test-AzDockerHost -ResourceGroupName rg1 -VMName vm1 -TimeoutSec 5").ThrowIfFailed();

                var result = run.Single();
                Assert.Equal("NameMismatch", result.Properties["Reason"].Value);
                Assert.Equal($"tcp://127.0.0.1:{port}", result.Properties["Endpoint"].Value);
                Assert.Equal(thumbprint, result.Properties["ServerCertificateThumbprint"].Value);
                Assert.Equal(new[] { "vm1.westeurope.cloudapp.azure.com" }, (string[])result.Properties["ServerCertificateDnsName"].Value);
                Assert.Equal(new[] { "127.0.0.3", "10.0.0.4" }, (string[])result.Properties["ServerCertificateIPAddress"].Value);
                Assert.Equal(false, result.Properties["ServerCertificateCoversHost"].Value);
                string warning = Assert.Single(run.Warnings);
                Assert.Contains($"Docker host 'vm1' (tcp://127.0.0.1:{port}) serves", warning);
                Assert.Contains("does not name 127.0.0.1, which Azure now reports for the VM", warning);
                Assert.Contains("Update-AzDockerTlsCertificate -ResourceGroupName rg1 -VMName vm1 renews it", warning);
            }
        }

        [DockerdFact]
        public void A_served_certificate_that_reaches_the_daemon_but_does_not_name_the_VMs_FQDN_and_private_IP_does_not_cover_the_host()
        {
            int port = Dockerd.FreeLoopbackPort();
            _bench.Arm.AddLinuxVm("rg1", "vm1", publicIp: "127.0.0.1", fqdn: "vm1.westeurope.cloudapp.azure.com", privateIp: "10.0.0.4");
            _bench.Arm.AllowInbound("rg1", "vm1-nsg", port);
            _bench.Arm.AddExtension("rg1", "vm1", "DockerExtension", type: "DockerExtension", typeHandlerVersion: "1.2",
                settings: new System.Text.Json.Nodes.JsonObject { ["docker"] = new System.Text.Json.Nodes.JsonObject { ["port"] = port.ToString() } });
            string set = Path.Combine(_bench.DockerConfig, "set-for-the-address");
            _bench.Ps.Run("$null = New-DockerTlsCertificate -IPAddress 127.0.0.1 -Path $F", new { F = set }).ThrowIfFailed();

            using (Dockerd.Start(set, port))
            {
                var run = _bench.Ps.Run("Test-AzDockerHost -ResourceGroupName rg1 -VMName vm1 -CertificatePath $F -TimeoutSec 5", new { F = set }).ThrowIfFailed();

                var result = run.Single();
                Assert.True((bool)result.Properties["Success"].Value, result.Properties["Reason"].Value + ": " + result.Properties["Message"].Value);
                Assert.Equal(false, result.Properties["ServerCertificateCoversHost"].Value);
                string warning = Assert.Single(run.Warnings);
                Assert.Contains("does not name vm1.westeurope.cloudapp.azure.com, 10.0.0.4, which Azure now reports for the VM (it names 127.0.0.1)", warning);
            }
        }

        [DockerdFact]
        public void The_daemon_is_probed_at_the_public_IP_ARM_reports_never_at_the_FQDN_and_the_result_names_that_address()
        {
            // The FQDN is one no resolver is asked about: a probe of it would stop at InvalidEndpoint (an underscore),
            // so reaching the daemon proves the address was used, without any DNS lookup either way.
            int port = Dockerd.FreeLoopbackPort();
            _bench.Arm.AddLinuxVm("rg1", "vm1", publicIp: "127.0.0.1", fqdn: "vm1_not_in_dns.westeurope.cloudapp.azure.com");
            _bench.Arm.AllowInbound("rg1", "vm1-nsg", port);
            _bench.Arm.AddExtension("rg1", "vm1", "DockerExtension", type: "DockerExtension", typeHandlerVersion: "1.2",
                settings: new System.Text.Json.Nodes.JsonObject { ["docker"] = new System.Text.Json.Nodes.JsonObject { ["port"] = port.ToString() } });
            string set = Path.Combine(_bench.DockerConfig, "set-for-the-address");
            _bench.Ps.Run("$null = New-DockerTlsCertificate -IPAddress 127.0.0.1 -Path $F", new { F = set }).ThrowIfFailed();

            using (Dockerd.Start(set, port))
            {
                var result = _bench.Ps.Run($"Test-AzDockerHost -ResourceGroupName rg1 -VMName vm1 -CertificatePath $F -TimeoutSec 5", new { F = set }).ThrowIfFailed().Single();

                Assert.True((bool)result.Properties["Success"].Value, result.Properties["Reason"].Value + ": " + result.Properties["Message"].Value);
                Assert.Equal($"tcp://127.0.0.1:{port}", result.Properties["Endpoint"].Value);
            }

            // Get-AzDockerExtension keeps the FQDN: that is the name clients put in their docker contexts.
            Assert.Equal($"tcp://vm1_not_in_dns.westeurope.cloudapp.azure.com:{port}", _bench.Ps.Run("Get-AzDockerExtension rg1 vm1").ThrowIfFailed().Single().Properties["Endpoint"].Value);
        }

        [Fact]
        public void A_host_without_a_public_IP_is_probed_at_its_private_IP()
        {
            int port = Dockerd.FreeLoopbackPort();
            _bench.Arm.AddLinuxVm("rg1", "vm1", withPublicIp: false, privateIp: "127.0.0.1");
            _bench.Arm.AllowInbound("rg1", "vm1-nsg", port);
            _bench.Ps.Run($"Set-AzDockerExtension rg1 vm1 -DockerPort {port} -NoDockerContext").ThrowIfFailed();

            var result = _bench.Ps.Run("Test-AzDockerHost -ResourceGroupName rg1 -VMName vm1 -TimeoutSec 5").ThrowIfFailed().Single();

            // Nothing listens there: the probe got as far as the private address.
            Assert.Equal("ConnectionRefused", result.Properties["Reason"].Value);
            Assert.Equal($"tcp://127.0.0.1:{port}", result.Properties["Endpoint"].Value);
        }

        [Fact]
        public void A_host_piped_from_Get_AzDockerVm_is_tested_as_a_VM()
        {
            _bench.Arm.AddLinuxVm("rg1", "vm1", publicIp: "127.0.0.1");
            _bench.Ps.Run("Set-AzDockerExtension rg1 vm1").ThrowIfFailed();

            var result = _bench.Ps.Run("Get-AzDockerVm rg1 vm1 | Test-AzDockerHost -TimeoutSec 5").ThrowIfFailed().Single();

            Assert.Equal("vm1", result.Properties["VMName"].Value);
            Assert.Equal("PortBlocked", result.Properties["Reason"].Value);
        }
    }
}

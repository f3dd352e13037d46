using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>
    /// New-AzDockerVm end to end against the fake ARM with a stand-in Az login: from nothing to a host with its
    /// network, NSG rule, TLS set, Docker extension and docker context; a re-run that only reads; a second host that
    /// reuses the group's network and CA.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class NewAzDockerVmTests : IAsyncLifetime
    {
        private AzureBench _bench;

        public async Task InitializeAsync() => _bench = await AzureBench.StartAsync();

        public async Task DisposeAsync() => await _bench.DisposeAsync();

        private PSRun New(string extra = "", string name = "dock1") => _bench.Ps.Run(
            $"New-AzDockerVm -ResourceGroupName rg-docker -Name {name} -Location westeurope -AllowedSourceAddress 203.0.113.0/24 {extra}");

        [Fact]
        public void From_nothing_it_makes_a_locked_down_host_and_returns_it_with_a_working_endpoint_and_context()
        {
            var vm = New().ThrowIfFailed().Single();

            Assert.Equal("AzDockerVm.Models.PSAzDockerVm", vm.BaseObject.GetType().FullName);
            Assert.Equal("dock1", vm.Properties["Name"].Value);
            Assert.Equal("Succeeded", vm.Properties["ProvisioningState"].Value);
            Assert.Equal("20.10.24", vm.Properties["DockerVersion"].Value);
            string fqdn = (string)vm.Properties["Fqdn"].Value;
            Assert.Matches("^dock1-[0-9a-f]{8}\\.westeurope\\.cloudapp\\.azure\\.com$", fqdn);
            Assert.Equal($"tcp://{fqdn}:2376", vm.Properties["DockerHost"].Value);
            Assert.Equal("dock1", vm.Properties["DockerContext"].Value);
            string tls = (string)vm.Properties["CertificatePath"].Value;
            Assert.Equal(Path.Combine(_bench.DockerConfig, "azdockervm", fqdn), tls);
            Assert.True(File.Exists(Path.Combine(tls, "cert.pem")));
            Assert.False(File.Exists(Path.Combine(tls, "ca-key.pem")), "the CA key stays in the group's CA folder");
            string key = (string)vm.Properties["SshPrivateKeyPath"].Value;
            Assert.True(File.Exists(key));

            // The Docker port is open to the allowed sources only, and only to this host's private address.
            var rule = _bench.Arm.Requests.Single(r => r.Method == "PUT" && r.Path.Contains("/securityRules/")).RequestBody["properties"];
            Assert.Equal("2376", (string)rule["destinationPortRange"]);
            Assert.Equal("203.0.113.0/24", (string)rule["sourceAddressPrefixes"][0]);
            Assert.Equal((string)vm.Properties["PrivateIpAddress"].Value, (string)rule["destinationAddressPrefix"]);
            Assert.DoesNotContain(_bench.Arm.Requests, r => r.Method == "PUT" && r.Path.Contains("/securityRules/") && r.Path.Contains("SSH"));
        }

        [Fact]
        public void A_second_identical_run_on_a_finished_host_makes_no_PUT_at_all()
        {
            New().ThrowIfFailed();
            int before = _bench.Arm.Requests.Count;
            int writes = _bench.Writes().Length;

            var again = New().ThrowIfFailed().Single();

            Assert.Equal(writes, _bench.Writes().Length);
            Assert.Equal("Succeeded", again.Properties["ProvisioningState"].Value);
            // group, VNet, NSG, public IP, NIC, VM, extension: one GET each.
            Assert.Equal(7, _bench.Arm.Requests.Count - before);
        }

        [Fact]
        public void WhatIf_lists_what_it_would_create_and_writes_nothing_anywhere()
        {
            var run = New("-WhatIf").ThrowIfFailed();

            Assert.Empty(_bench.Writes());
            Assert.False(Directory.Exists(_bench.DockerConfig));
            string text = run.HostText;
            Assert.Contains("create resource group 'rg-docker'", text);
            Assert.Contains("create virtual machine 'dock1'", text);
            Assert.Contains("create TLS set for 'dock1'", text);
        }
    }
}

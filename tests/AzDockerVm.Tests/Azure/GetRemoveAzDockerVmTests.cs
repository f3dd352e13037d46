using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>
    /// Get-AzDockerVm finds the hosts New-AzDockerVm made (and VMs with our extension); Remove-AzDockerVm deletes a
    /// host's own resources, then the shared network once the last host is gone, never the group or what is not ours,
    /// also for a host whose creation failed halfway; -RemoveLocalCertificate takes its local files.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class GetRemoveAzDockerVmTests : IAsyncLifetime
    {
        private AzureBench _bench;

        public async Task InitializeAsync() => _bench = await AzureBench.StartAsync();

        public async Task DisposeAsync() => await _bench.DisposeAsync();

        private PSObject New(string name, string extra = "") => _bench.Ps.Run(
            $"New-AzDockerVm -ResourceGroupName rg-docker -Name {name} -Location westeurope -AllowedSourceAddress 203.0.113.0/24 {extra}").ThrowIfFailed().Single();

        [Fact]
        public void Get_lists_the_groups_hosts_with_endpoint_state_and_allowed_sources_and_filters_by_wildcard()
        {
            var made = New("dock1");
            New("dock2");
            _bench.AddVm("plain1", "rg-docker");

            var all = _bench.Ps.Run("Get-AzDockerVm -ResourceGroupName rg-docker").ThrowIfFailed().Output;
            var one = _bench.Ps.Run("Get-AzDockerVm rg-docker 'dock1*'").ThrowIfFailed().Single();

            Assert.Equal(new[] { "dock1", "dock2" }, all.Select(h => (string)h.Properties["Name"].Value).ToArray());
            Assert.Equal(made.Properties["DockerHost"].Value, one.Properties["DockerHost"].Value);
            Assert.Equal(made.Properties["CertificatePath"].Value, one.Properties["CertificatePath"].Value);
            Assert.Equal("dock1", one.Properties["DockerContext"].Value);
            Assert.Equal("Succeeded", one.Properties["ProvisioningState"].Value);
            Assert.Equal("20.10.24", one.Properties["DockerVersion"].Value);
            Assert.Equal(new[] { "203.0.113.0/24" }, (string[])one.Properties["AllowedSourceAddress"].Value);
        }

        [Fact]
        public void Get_also_finds_a_VM_that_Set_AzDockerExtension_made_a_host_and_a_missing_name_is_an_error()
        {
            _bench.AddVm("vm1", "rg1");
            _bench.Ps.Run("Set-AzDockerExtension rg1 vm1").ThrowIfFailed();

            var host = _bench.Ps.Run("Get-AzDockerVm -Name vm1").ThrowIfFailed().Single();
            var missing = _bench.Ps.Run("Get-AzDockerVm rg1 nosuch");

            Assert.Equal("tcp://vm1.westeurope.cloudapp.azure.com:2376", host.Properties["DockerHost"].Value);
            missing.AssertRefused("VmNotFound", ErrorCategory.ObjectNotFound, "nosuch");
        }

        [Fact]
        public void New_and_Get_show_when_the_local_sets_first_certificate_expires_and_Get_warns_within_WarningDays()
        {
            var made = New("dock1");
            string folder = (string)made.Properties["CertificatePath"].Value;
            var files = _bench.Ps.Run("Get-DockerTlsCertificate -LiteralPath $F", new { F = folder }).ThrowIfFailed().Output;
            DateTime first = files.Min(f => (DateTime)f.Properties["NotAfter"].Value);

            var quiet = _bench.Ps.Run("Get-AzDockerVm rg-docker dock1").ThrowIfFailed();

            Assert.Equal(first, made.Properties["CertificateNotAfter"].Value);
            Assert.Equal(first, quiet.Single().Properties["CertificateNotAfter"].Value);
            Assert.Equal(files.Min(f => (int)f.Properties["DaysLeft"].Value), quiet.Single().Properties["CertificateDaysLeft"].Value);
            Assert.Empty(quiet.Warnings);

            // A client certificate that expires in ten days (another tool's, say) is the first now.
            DateTimeOffset now = DateTimeOffset.UtcNow;
            DateTimeOffset soon = Tls.HandMadeSet.Second(now.AddDays(10));
            using (var temp = new Tls.TempFolder())
            using (var ca = Tls.HandMadeCa.Create(temp.Path, now.AddDays(-1), now.AddYears(1)))
            {
                ca.IssueClient(folder, now.AddDays(-1), soon);
            }

            var warned = _bench.Ps.Run("Get-AzDockerVm rg-docker").ThrowIfFailed();
            var host = warned.Single();
            Assert.Equal(soon.UtcDateTime, host.Properties["CertificateNotAfter"].Value);
            Assert.Equal(9, host.Properties["CertificateDaysLeft"].Value);
            string warning = Assert.Single(warned.Warnings);
            Assert.StartsWith($"The Client certificate '{Path.Combine(folder, "cert.pem")}' of Docker host 'dock1' (resource group 'rg-docker') expires on {soon.UtcDateTime:u}, in 9 day(s) (-WarningDays 30).", warning);
            Assert.Contains($"Update-DockerTlsCertificate -Path '{folder}' -Client", warning);
            Assert.Empty(_bench.Ps.Run("Get-AzDockerVm rg-docker -WarningDays 5").ThrowIfFailed().Warnings);

            // Without a local set there is nothing to read.
            Directory.Delete(folder, recursive: true);
            var none = _bench.Ps.Run("Get-AzDockerVm rg-docker -WarningDays 3650").ThrowIfFailed();
            Assert.Null(none.Single().Properties["CertificateDaysLeft"].Value);
            Assert.Null(none.Single().Properties["CertificateNotAfter"].Value);
            Assert.Empty(none.Warnings);
        }

        [Fact]
        public void Removing_one_host_keeps_the_shared_network_for_the_other_and_removing_the_last_takes_it_but_not_the_group()
        {
            New("dock1");
            New("dock2");
            int before = _bench.Writes().Length;

            _bench.Ps.Run("Remove-AzDockerVm rg-docker dock1 -Force").ThrowIfFailed();

            string[] deletes = _bench.Writes().Skip(before).ToArray();
            Assert.All(deletes, d => Assert.StartsWith("DELETE ", d));
            Assert.Contains(deletes, d => d.Contains("/virtualMachines/dock1?"));
            Assert.Contains(deletes, d => d.Contains("/securityRules/AzDockerVm-dock1-Docker-2376?"));
            Assert.DoesNotContain(deletes, d => d.Contains("dock2") || d.Contains("/virtualNetworks/azdockervm-vnet?") || d.Contains("/networkSecurityGroups/azdockervm-nsg?"));
            Assert.Equal(new[] { "dock2" }, _bench.Ps.Run("Get-AzDockerVm rg-docker").ThrowIfFailed().Output.Select(h => (string)h.Properties["Name"].Value).ToArray());

            _bench.Ps.Run("Get-AzDockerVm rg-docker | Remove-AzDockerVm -Force").ThrowIfFailed();

            string[] last = _bench.Writes().Skip(before).ToArray();
            Assert.Contains(last, d => d.StartsWith("DELETE ") && d.Contains("/virtualNetworks/azdockervm-vnet?"));
            Assert.Contains(last, d => d.StartsWith("DELETE ") && d.Contains("/networkSecurityGroups/azdockervm-nsg?"));
            Assert.DoesNotContain(last, d => d.StartsWith("DELETE ") && d.Split('?')[0].EndsWith("/resourcegroups/rg-docker", StringComparison.OrdinalIgnoreCase));
            Assert.Empty(_bench.Ps.Run("Get-AzDockerVm rg-docker").ThrowIfFailed().Output);
        }

        [Fact]
        public void A_host_whose_creation_failed_at_the_VM_is_removed_from_what_exists()
        {
            _bench.Arm.Faults.On("PUT", "*/virtualMachines/dock1").Times(1).Error(409, "OperationNotAllowed", "Operation could not be completed as it results in exceeding approved quota (injected).");
            Assert.NotNull(_bench.Ps.Run("New-AzDockerVm -ResourceGroupName rg-docker -Name dock1 -Location westeurope -AllowedSourceAddress 203.0.113.0/24").Error);
            int before = _bench.Writes().Length;

            _bench.Ps.Run("Remove-AzDockerVm -ResourceGroupName rg-docker -Name dock1 -Force").ThrowIfFailed();

            string[] deletes = _bench.Writes().Skip(before).ToArray();
            Assert.Contains(deletes, d => d.Contains("/networkInterfaces/dock1-nic?"));
            Assert.Contains(deletes, d => d.Contains("/publicIPAddresses/dock1-ip?"));
            Assert.Contains(deletes, d => d.Contains("/virtualNetworks/azdockervm-vnet?"));
        }

        [Fact]
        public void A_VM_New_AzDockerVm_did_not_make_is_refused_and_nothing_is_deleted()
        {
            _bench.AddVm("vm1", "rg1");

            var run = _bench.Ps.Run("Remove-AzDockerVm rg1 vm1 -Force");

            run.AssertRefused("NotAnAzDockerVm", ErrorCategory.InvalidOperation, "vm1");
            Assert.Empty(_bench.Writes());
        }

        [Fact]
        public void WhatIf_deletes_nothing_and_RemoveLocalCertificate_takes_the_hosts_files_and_the_CA_with_the_last_host()
        {
            var one = New("dock1");
            var two = New("dock2");
            int before = _bench.Writes().Length;

            _bench.Ps.Run("Remove-AzDockerVm rg-docker dock1 -RemoveLocalCertificate -WhatIf").ThrowIfFailed();
            Assert.Equal(before, _bench.Writes().Length);
            Assert.True(Directory.Exists((string)one.Properties["CertificatePath"].Value));

            _bench.Ps.Run("Remove-AzDockerVm rg-docker dock1 -RemoveLocalCertificate -Force").ThrowIfFailed();

            Assert.False(Directory.Exists((string)one.Properties["CertificatePath"].Value));
            Assert.False(File.Exists((string)one.Properties["SshPrivateKeyPath"].Value));
            Assert.True(Directory.Exists((string)two.Properties["CertificatePath"].Value));
            string ca = Path.Combine(_bench.DockerConfig, "azdockervm", "ca");
            Assert.NotEmpty(Directory.GetFiles(ca, "ca-key.pem", SearchOption.AllDirectories));

            _bench.Ps.Run("Remove-AzDockerVm rg-docker dock2 -RemoveLocalCertificate -Force").ThrowIfFailed();

            Assert.Empty(Directory.GetFiles(ca, "ca-key.pem", SearchOption.AllDirectories));
            Assert.False(Directory.Exists(Path.Combine(_bench.DockerConfig, "contexts", "meta")) && Directory.GetDirectories(Path.Combine(_bench.DockerConfig, "contexts", "meta")).Length > 0);
        }
    }
}

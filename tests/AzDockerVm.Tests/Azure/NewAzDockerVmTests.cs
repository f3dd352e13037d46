using System;
using System.IO;
using System.Management.Automation;
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
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
            Assert.StartsWith("-----BEGIN OPENSSH PRIVATE KEY-----\n", File.ReadAllText(key));
            Assert.StartsWith("ssh-ed25519 ", File.ReadAllText(key + ".pub"));

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
    

        public static TheoryData<string, string, object> BadInput => new TheoryData<string, string, object>
        {
            { "-Image WindowsServer2022", "WindowsImageNotSupported", "WindowsServer2022" },
            { "-Image MicrosoftWindowsServer:WindowsServer:2022-datacenter-azure-edition:latest", "WindowsImageNotSupported", "MicrosoftWindowsServer:WindowsServer:2022-datacenter-azure-edition:latest" },
            { "-Image Ubuntu1604", "UnknownImage", "Ubuntu1604" },
            { "-Image 'Canonical:ubuntu-24_04-lts:server'", "InvalidImageUrn", "Canonical:ubuntu-24_04-lts:server" },
            { "-Image 'Canonical:ubuntu 24:server:latest'", "InvalidImageUrn", "Canonical:ubuntu 24:server:latest" },
            { "-Size 'D2s v5'", "InvalidVmSize", "D2s v5" },
            { "-AddressPrefix 10.0.0.0/16 -SubnetAddressPrefix 10.1.0.0/24", "SubnetOutsideAddressPrefix", "10.1.0.0/24" },
            { "-AddressPrefix 10.0.0.1/16", "InvalidAddressPrefix", "10.0.0.1/16" },
            { "-NoPublicIp -DomainNameLabel mylabel", "PublicIpParameterConflict", "DomainNameLabel" },
            { "-DomainNameLabel My_Label", "InvalidDomainNameLabel", "My_Label" },
            { "-Zone 4", "InvalidZone", "4" },
            { "-SshPublicKey 'ssh-rsa notbase64!'", "InvalidSshPublicKey", "SshPublicKey" },
            { "-SshPublicKey '-----BEGIN OPENSSH PRIVATE KEY-----'", "InvalidSshPublicKey", "SshPublicKey" },
            { "-SshPublicKey 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl' -GenerateSshKey", "SshKeyParameterConflict", "GenerateSshKey" },
            { "-OpenPorts 2376", "OpenPortConflict", 2376 },
            { "-Tag @{ AzDockerVm = 'x' }", "ReservedTag", "AzDockerVm" },
        };

        [Theory]
        [MemberData(nameof(BadInput))]
        public void Bad_input_is_refused_with_a_stable_id_before_any_request_or_file(string extra, string errorId, object target)
        {
            var run = New(extra);

            run.AssertRefused(errorId, ErrorCategory.InvalidArgument, target);
            Assert.Empty(_bench.Arm.Requests);
            Assert.False(Directory.Exists(_bench.DockerConfig));
        }

        [Theory]
        [InlineData("-Location 'West Europe!'", "InvalidLocation", "West Europe!")]
        [InlineData("-AllowedSourceAddress 203.0.113.7/24", "InvalidSourceAddress", "203.0.113.7/24")]
        [InlineData("-AllowedSourceAddress 'not-an-address'", "InvalidSourceAddress", "not-an-address")]
        public void Bad_locations_and_sources_are_refused_too(string extra, string errorId, string target)
        {
            var run = _bench.Ps.Run($"New-AzDockerVm -ResourceGroupName rg-docker -Name dock1 {extra}");

            run.AssertRefused(errorId, ErrorCategory.InvalidArgument, target);
            Assert.Empty(_bench.Arm.Requests);
        }

        [Fact]
        public void A_weak_password_is_refused_and_never_shown()
        {
            var secret = new System.Security.SecureString();
            foreach (char c in "password")
            {
                secret.AppendChar(c);
            }

            var run = _bench.Ps.Run("New-AzDockerVm -ResourceGroupName rg-docker -Name dock1 -Location westeurope -Credential $Cred",
                new { Cred = new PSCredential("dockeradmin", secret) });

            run.AssertRefused("PasswordTooWeak", ErrorCategory.InvalidArgument, "dockeradmin");
            Assert.DoesNotContain("password'", run.Error.ToString());
            Assert.Empty(_bench.Arm.Requests);
        }

        [Theory]
        [InlineData("dock_1")]
        [InlineData("-dock")]
        [InlineData("12345")]
        public void A_name_that_cannot_be_a_host_name_is_refused(string name)
        {
            var run = _bench.Ps.Run("New-AzDockerVm -ResourceGroupName rg-docker -Location westeurope -Name $N", new { N = name });

            run.AssertRefused("InvalidVmName", ErrorCategory.InvalidArgument, name);
            Assert.Empty(_bench.Arm.Requests);
        }

        [Fact]
        public void Without_Location_a_missing_group_is_refused_after_one_read()
        {
            var run = _bench.Ps.Run("New-AzDockerVm -ResourceGroupName rg-new -Name dock1");

            run.AssertRefused("LocationRequired", ErrorCategory.InvalidArgument, "rg-new");
            Assert.Empty(_bench.Writes());
        }

        [Fact]
        public void A_second_host_of_the_group_reuses_its_network_and_CA_and_one_client_certificate_reaches_both()
        {
            var first = New().ThrowIfFailed().Single();
            int before = _bench.Writes().Length;

            var second = New(name: "dock2").ThrowIfFailed().Single();

            string[] kinds = _bench.Writes().Skip(before).Select(w => w.Split('?')[0].Split('/').Reverse().Skip(1).First()).OrderBy(k => k, StringComparer.Ordinal).ToArray();
            Assert.Equal(new[] { "extensions", "networkInterfaces", "publicIPAddresses", "securityRules", "virtualMachines" }, kinds);
            string ca1 = File.ReadAllText(Path.Combine((string)first.Properties["CertificatePath"].Value, "ca.pem"));
            string ca2 = File.ReadAllText(Path.Combine((string)second.Properties["CertificatePath"].Value, "ca.pem"));
            Assert.Equal(ca1, ca2);
        }

        [Fact]
        public void Without_AllowedSourceAddress_it_warns_that_the_Docker_port_is_open_to_the_Internet()
        {
            var run = _bench.Ps.Run("New-AzDockerVm -ResourceGroupName rg-docker -Name dock1 -Location westeurope -WhatIf").ThrowIfFailed();

            Assert.Contains(run.Warnings, w => w.Contains("open to the whole Internet") && w.Contains("-AllowedSourceAddress"));
        }

        [Fact]
        public void A_failed_Docker_extension_says_what_exists_and_a_rerun_completes_it()
        {
            _bench.Arm.Faults.On("PUT", "*/extensions/*").Times(1).FailLro("VMExtensionProvisioningError", "VM has reported a failure when processing extension 'AzDockerVm' (injected).");

            var failed = New();

            Assert.NotNull(failed.Error);
            Assert.StartsWith("ExtensionProvisioningFailed,", failed.Error.FullyQualifiedErrorId);
            string message = failed.Error.Exception.Message;
            Assert.Contains("Created now (kept):", message);
            Assert.Contains("virtual machine 'dock1'", message);
            Assert.Contains("run the same command again", failed.Error.ErrorDetails?.RecommendedAction ?? string.Empty);
            Assert.Contains("Remove-AzDockerVm -ResourceGroupName rg-docker -Name dock1", failed.Error.ErrorDetails?.RecommendedAction ?? string.Empty);
            int vmPuts = _bench.Arm.Requests.Count(r => r.Method == "PUT" && r.Path.EndsWith("/virtualMachines/dock1", StringComparison.Ordinal));

            var done = New().ThrowIfFailed().Single();

            Assert.Equal("Succeeded", done.Properties["ProvisioningState"].Value);
            Assert.Equal(vmPuts, _bench.Arm.Requests.Count(r => r.Method == "PUT" && r.Path.EndsWith("/virtualMachines/dock1", StringComparison.Ordinal)));
        }
    

        [Fact]
        public void A_DNS_label_taken_in_the_region_is_named_with_the_parameter_to_change_and_a_new_label_completes_the_host()
        {
            // Someone else's public IP in the region already has the label.
            _bench.Ps.Run("New-AzDockerVm -ResourceGroupName rg-other -Name web1 -Location westeurope -DomainNameLabel taken-label -AllowedSourceAddress 203.0.113.0/24").ThrowIfFailed();

            var run = New("-DomainNameLabel taken-label");

            Assert.StartsWith("DnsNameLabelTaken,", run.Error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceExists, run.Error.CategoryInfo.Category);
            // The host is the target (a fleet's errors are told apart by it); the message names the public IP.
            Assert.Equal("dock1", run.Error.TargetObject);
            Assert.Contains("public IP address 'dock1-ip'", run.Error.Exception.Message);
            Assert.Contains("-DomainNameLabel", run.Error.ErrorDetails.RecommendedAction);
            Assert.DoesNotContain(_bench.Arm.Requests, r => r.Method == "PUT" && r.Path.EndsWith("/virtualMachines/dock1", StringComparison.Ordinal));

            var vm = New("-DomainNameLabel free-label").ThrowIfFailed().Single();
            Assert.Equal("free-label.westeurope.cloudapp.azure.com", vm.Properties["Fqdn"].Value);
        }

        [Fact]
        public void The_default_DNS_label_is_the_same_on_every_run_and_differs_between_groups()
        {
            var first = New("-WhatIf").ThrowIfFailed();
            var a = New().ThrowIfFailed().Single();
            var b = _bench.Ps.Run("New-AzDockerVm -ResourceGroupName rg-two -Name dock1 -Location westeurope -AllowedSourceAddress 203.0.113.0/24 -NoDockerContext").ThrowIfFailed().Single();

            var again = New().ThrowIfFailed().Single();

            Assert.Equal(a.Properties["Fqdn"].Value, again.Properties["Fqdn"].Value);
            Assert.NotEqual(a.Properties["Fqdn"].Value, b.Properties["Fqdn"].Value);
            Assert.Null(b.Properties["DockerContext"].Value);
        }

        [Fact]
        public void A_private_host_has_no_public_IP_and_its_endpoint_is_the_private_address()
        {
            var vm = New("-NoPublicIp").ThrowIfFailed().Single();

            Assert.Null(vm.Properties["PublicIpAddress"].Value);
            Assert.Null(vm.Properties["Fqdn"].Value);
            string ip = (string)vm.Properties["PrivateIpAddress"].Value;
            Assert.Equal($"tcp://{ip}:2376", vm.Properties["DockerHost"].Value);
            Assert.DoesNotContain(_bench.Arm.Requests, r => r.Path.Contains("/publicIPAddresses/"));
            Assert.EndsWith(Path.Combine("azdockervm", "dock1"), (string)vm.Properties["CertificatePath"].Value);
        }
    

        [Fact]
        public void AsJob_returns_a_job_whose_output_is_the_host()
        {
            var run = _bench.Ps.Run("$j = New-AzDockerVm -ResourceGroupName rg-docker -Name dock1 -Location westeurope -AllowedSourceAddress 203.0.113.0/24 -AsJob; "
                + "$null = $j | Wait-Job -Timeout 60; $j.State.ToString(); Receive-Job $j").ThrowIfFailed();

            Assert.Equal("Completed", run.Output[0].BaseObject);
            Assert.Equal("AzDockerVm.Models.PSAzDockerVm", run.Output[1].BaseObject.GetType().FullName);
            Assert.Equal("Succeeded", run.Output[1].Properties["ProvisioningState"].Value);
        }
    

        [Fact]
        public void Throttling_and_server_errors_at_every_stage_are_retried_and_the_host_is_made_once()
        {
            var rules = new[] { "*/virtualNetworks/*", "*/networkSecurityGroups/*", "*/publicIPAddresses/*", "*/networkInterfaces/*", "*/securityRules/*", "*/virtualMachines/dock1", "*/extensions/*" }
                .Select(stage => _bench.Arm.Faults.On("PUT", stage).Times(1).Throttle(1))
                .Append(_bench.Arm.Faults.On("PUT", "*/networkInterfaces/*").Times(1).ServerError())
                .Append(_bench.Arm.Faults.On("GET", "*/resourcegroups/rg-docker").Times(1).ServerError())
                .ToList();

            var vm = New().ThrowIfFailed().Single();

            Assert.All(rules, rule => Assert.Equal(1, rule.Hits));
            Assert.Equal("Succeeded", vm.Properties["ProvisioningState"].Value);
            Assert.Equal(1, _bench.Arm.Requests.Count(r => r.Method == "PUT" && r.Path.EndsWith("/virtualMachines/dock1", StringComparison.Ordinal) && r.Status < 300));
        }

        [Fact]
        public void An_existing_NSG_of_another_location_is_refused_before_anything_is_made()
        {
            _bench.Arm.AddLinuxVm("rg-docker", "legacy1", location: "northeurope");

            var run = New("-SecurityGroupName legacy1-nsg");

            run.AssertRefused("ResourceInOtherLocation", ErrorCategory.InvalidOperation, "legacy1-nsg");
            Assert.Contains("northeurope", run.Error.Exception.Message);
            Assert.Empty(_bench.Writes());
        }

        [Fact]
        public void The_host_pipes_into_Set_AzDockerExtension_and_New_DockerContext()
        {
            New().ThrowIfFailed();

            var status = _bench.Ps.Run("Get-AzDockerVm rg-docker dock1 | Set-AzDockerExtension -DockerVersion 5:24.0.7 -NoDockerContext").ThrowIfFailed().Single();
            var context = _bench.Ps.Run("Get-AzDockerVm rg-docker dock1 | New-DockerContext -Force").ThrowIfFailed().Single();

            Assert.Equal("Succeeded", status.Properties["ProvisioningState"].Value);
            Assert.Equal("dock1", context.Properties["Name"].Value);
            Assert.StartsWith("tcp://dock1-", (string)context.Properties["Endpoint"].Value);
        }
    

        [Theory]
        [InlineData("*/virtualNetworks/*")]
        [InlineData("*/networkSecurityGroups/*")]
        [InlineData("*/publicIPAddresses/*")]
        [InlineData("*/networkInterfaces/*")]
        [InlineData("*/securityRules/*")]
        [InlineData("*/virtualMachines/dock1")]
        public void A_failure_at_any_stage_is_reported_and_the_same_command_continues_without_duplicates(string stage)
        {
            _bench.Arm.Faults.On("PUT", stage).Times(1).Error(409, "OperationNotAllowed", "Operation could not be completed as it results in exceeding approved quota (injected).");

            var failed = New();

            Assert.NotNull(failed.Error);
            Assert.Contains("OperationNotAllowed", failed.Error.Exception.Message);
            Assert.Contains("Failed:", failed.Error.Exception.Message);

            var done = New().ThrowIfFailed().Single();

            Assert.Equal("Succeeded", done.Properties["ProvisioningState"].Value);
            // Every resource was created by exactly one successful PUT across both runs.
            var created = _bench.Arm.Requests.Where(r => r.Method == "PUT" && r.Status < 300).GroupBy(r => r.Path.Split('?')[0].ToLowerInvariant());
            Assert.All(created, g => Assert.Single(g));
        }
    

        [Fact]
        public void Set_AzDockerExtension_Force_on_a_host_of_the_group_issues_its_new_set_from_the_groups_CA()
        {
            var vm = New().ThrowIfFailed().Single();
            string folder = (string)vm.Properties["CertificatePath"].Value;
            string ca = File.ReadAllText(Path.Combine(folder, "ca.pem"));
            string server = File.ReadAllText(Path.Combine(folder, "server-cert.pem"));

            _bench.Ps.Run("Set-AzDockerExtension rg-docker dock1 -Force").ThrowIfFailed();

            Assert.NotEqual(server, File.ReadAllText(Path.Combine(folder, "server-cert.pem")));
            Assert.Equal(ca, File.ReadAllText(Path.Combine(folder, "ca.pem")));
            Assert.False(File.Exists(Path.Combine(folder, "ca-key.pem")), "the CA key stays in the group's CA folder");
        }
    

        [Fact]
        public void A_zone_goes_to_the_VM_and_its_public_IP()
        {
            New("-Zone 2").ThrowIfFailed();

            foreach (string kind in new[] { "/virtualMachines/dock1", "/publicIPAddresses/dock1-ip" })
            {
                var body = _bench.Arm.Requests.First(r => r.Method == "PUT" && r.Path.EndsWith(kind, StringComparison.Ordinal)).RequestBody;
                Assert.Equal("2", (string)body["zones"][0]);
            }
        }

        [Fact]
        public void A_credential_sets_the_admin_and_password_which_appear_in_no_stream_and_no_key_is_generated()
        {
            var secret = new System.Security.SecureString();
            foreach (char c in "Docker-Host-2026!")
            {
                secret.AppendChar(c);
            }

            var run = _bench.Ps.Run("New-AzDockerVm -ResourceGroupName rg-docker -Name dock1 -Location westeurope -AllowedSourceAddress 203.0.113.0/24 -Credential $Cred -Verbose",
                new { Cred = new PSCredential("dockeradmin", secret) }).ThrowIfFailed();

            Assert.Equal("Docker-Host-2026!", _bench.Arm.GetAdminPassword("rg-docker", "dock1"));
            var vm = _bench.Arm.Requests.First(r => r.Method == "PUT" && r.Path.EndsWith("/virtualMachines/dock1", StringComparison.Ordinal)).RequestBody["properties"]["osProfile"];
            Assert.Equal("dockeradmin", (string)vm["adminUsername"]);
            Assert.False((bool)vm["linuxConfiguration"]["disablePasswordAuthentication"]);
            Assert.Null(run.Single().Properties["SshPrivateKeyPath"].Value);
            string everything = string.Join("\n", run.Verbose.Concat(run.Warnings).Concat(run.Information)) + run.HostText + string.Join("\n", run.Output.Select(o => string.Join(";", o.Properties.Select(p => p.Value))));
            Assert.DoesNotContain("Docker-Host-2026!", everything);
        }

        [Fact]
        public void A_given_SSH_public_key_is_the_admins_key_and_no_key_is_generated()
        {
            const string key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl admin@laptop";

            var vm = New("-SshPublicKey '" + key + "'").ThrowIfFailed().Single();

            Assert.Null(vm.Properties["SshPrivateKeyPath"].Value);
            var body = _bench.Arm.Requests.First(r => r.Method == "PUT" && r.Path.EndsWith("/virtualMachines/dock1", StringComparison.Ordinal)).RequestBody;
            Assert.Equal(key, (string)body["properties"]["osProfile"]["linuxConfiguration"]["ssh"]["publicKeys"][0]["keyData"]);
            Assert.False(Directory.Exists(Path.Combine(_bench.DockerConfig, "azdockervm", "ssh")));
        }
    

        [Fact]
        public void Progress_names_what_is_being_made_and_the_network_tier_at_the_same_time()
        {
            // Operations that take a while, as in Azure: the tier's three are surely in flight together.
            _bench.Arm.LroLatency = TimeSpan.FromMilliseconds(100);

            var run = New().ThrowIfFailed();

            var statuses = run.Progress.Select(p => p.StatusDescription).ToList();
            Assert.All(run.Progress, p => Assert.StartsWith("New-AzDockerVm dock1", p.Activity));
            // One moment with the network tier in flight together (it is made at once, not one after the other).
            Assert.Contains(statuses, t => t.StartsWith("Creating", StringComparison.Ordinal)
                && new[] { "virtual network 'azdockervm-vnet'", "network security group 'azdockervm-nsg'", "public IP address 'dock1-ip'" }.Count(t.Contains) >= 2);
            Assert.Contains(statuses, t => t.Contains("virtual machine 'dock1'"));
            Assert.Equal(ProgressRecordType.Completed, run.Progress.Last().RecordType);
        }
    }
}

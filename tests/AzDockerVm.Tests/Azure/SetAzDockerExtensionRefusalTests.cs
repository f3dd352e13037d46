using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>
    /// Bad input and refusals: each ends in one error with a stable id, category and target, and nothing is changed —
    /// no PUT or DELETE reaches ARM, nothing is written to DOCKER_CONFIG.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class SetAzDockerExtensionRefusalTests : IAsyncLifetime
    {
        private const string Credential = "$p = [System.Security.SecureString]::new(); 'pw-Registry-S3cret'.ToCharArray() | ForEach-Object { $p.AppendChar($_) }; " +
                                          "$cred = [pscredential]::new('deployer', $p); ";

        private AzureBench _bench;
        private string _scratch;

        public async Task InitializeAsync()
        {
            _bench = await AzureBench.StartAsync();
            _bench.AddVm();
            _bench.Arm.AddWindowsVm("rg1", "win1");
            _bench.Arm.AddLinuxVm("rg1", "stopped1", powerState: VmPowerState.Deallocated);
            _bench.AddVm("foreign1");
            _bench.Arm.AddExtension("rg1", "foreign1", "bootstrap", settings: new JsonObject { ["commandToExecute"] = "echo hi" });
            _scratch = Path.Combine(Path.GetDirectoryName(_bench.DockerConfig), "scratch");
            Directory.CreateDirectory(_scratch);
            _bench.Ps.SetVariable("Scratch", _scratch);
        }

        public async Task DisposeAsync() => await _bench.DisposeAsync();

        public static TheoryData<string, string, string, string> Refusals => new TheoryData<string, string, string, string>
        {
            // script, error id, category, target
            { "Set-AzDockerExtension rg1 nosuchvm", "VmNotFound", "ObjectNotFound", "nosuchvm" },
            { "Set-AzDockerExtension nosuchgroup vm1", "ResourceGroupNotFound", "ObjectNotFound", "vm1" },
            { "Set-AzDockerExtension rg1 win1", "VmNotLinux", "InvalidOperation", "win1" },
            { "Set-AzDockerExtension rg1 stopped1", "VmNotRunning", "InvalidOperation", "stopped1" },
            { "Set-AzDockerExtension rg1 vm1 -DockerPort 0", "ParameterArgumentValidationError", "InvalidData", null },
            { "Set-AzDockerExtension rg1 vm1 -DockerPort 65536", "ParameterArgumentValidationError", "InvalidData", null },
            { "$t = New-DockerTlsCertificate -DnsName vm1.westeurope.cloudapp.azure.com -IPAddress 20.1.2.3 -Path ([IO.Path]::Combine($Scratch, 't')); Set-AzDockerExtension rg1 vm1 -Certificate $t -CertificatePath $Scratch", "CertificateParameterConflict", "InvalidArgument", "<scratch>" },
            { "Set-AzDockerExtension rg1 vm1 -CertificatePath $Scratch", "FileNotFound", "ObjectNotFound", "<scratch>/ca.pem" },
            { "Set-AzDockerExtension rg1 vm1 -ComposeFile ([IO.Path]::Combine($Scratch, 'nope.yml'))", "ComposeFileNotFound", "ObjectNotFound", "<scratch>/nope.yml" },
            { Credential + "Set-AzDockerExtension rg1 vm1 -RegistryCredential $cred", "RegistryServerRequired", "InvalidArgument", "deployer" },
            { "Set-AzDockerExtension rg1 vm1 -Handler Bogus", "CannotConvertArgumentNoMessage", "InvalidArgument", null },
            { "Set-AzDockerExtension rg1 vm1 -Handler DockerExtension -AzureEnvironment AzureGermanCloud", "UnsupportedAzureEnvironment", "InvalidArgument", "AzureGermanCloud" },
            { "Set-AzDockerExtension rg1 foreign1", "ForeignCustomScriptExtension", "ResourceExists", "bootstrap" },
            { "Set-AzDockerExtension rg1 vm1 -DaemonConfig @{ tlsverify = $false }", "DaemonConfigConflict", "InvalidArgument", "tlsverify" },
            { "Set-AzDockerExtension rg1 vm1 -DockerOption '--host=tcp://0.0.0.0:2375'", "DockerOptionConflict", "InvalidArgument", "--host=tcp://0.0.0.0:2375" },
            { "Set-AzDockerExtension rg1 vm1 -DockerVersion '27.3.1; rm -rf /'", "InvalidDockerVersion", "InvalidArgument", "27.3.1; rm -rf /" },
            { Credential + "Set-AzDockerExtension rg1 vm1 -RegistryCredential $cred -RegistryServer 'reg.example.com$(id)'", "InvalidRegistryServer", "InvalidArgument", "reg.example.com$(id)" },
            { "Set-AzDockerExtension -ResourceId '/subscriptions/x/resourceGroups/rg1/providers/Microsoft.Web/sites/vm1'", "InvalidResourceId", "InvalidArgument", "/subscriptions/x/resourceGroups/rg1/providers/Microsoft.Web/sites/vm1" },
        };

        [Theory]
        [MemberData(nameof(Refusals))]
        public void Refused_with_a_stable_id_category_and_target_and_nothing_changed(string script, string errorId, string category, string target)
        {
            var run = _bench.Ps.Run(script);

            var error = run.Error;
            Assert.True(error != null, "no error; output: " + run.Output.Count);
            Assert.StartsWith(errorId + ",", error.FullyQualifiedErrorId);
            Assert.Equal(category, error.CategoryInfo.Category.ToString());
            if (target != null)
            {
                Assert.Equal(target.Replace("<scratch>", _scratch), Convert.ToString(error.TargetObject is PSObject o ? o.BaseObject : error.TargetObject));
            }

            Assert.Empty(_bench.Writes());
            Assert.False(Directory.Exists(_bench.DockerConfig), "something was written to DOCKER_CONFIG");
            if (!s_needTheVm.Contains(errorId))
            {
                // Bad input needs no VM to be seen: no request at all.
                Assert.Empty(_bench.Arm.Requests);
            }
        }

        /// <summary>Refusals that depend on what the VM is (only these may read it first).</summary>
        private static readonly string[] s_needTheVm = { "VmNotFound", "ResourceGroupNotFound", "VmNotLinux", "VmNotRunning", "ForeignCustomScriptExtension" };

        [Fact]
        public void A_deallocated_VM_is_named_with_its_power_state_and_Start_AzVM_is_recommended()
        {
            var error = _bench.Ps.Run("Set-AzDockerExtension rg1 stopped1").Error;

            Assert.Contains("deallocated", error.Exception.Message);
            Assert.Contains("Start-AzVM", error.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void A_set_that_does_not_cover_the_VM_is_refused_naming_what_is_missing()
        {
            var run = _bench.Ps.Run("New-DockerTlsCertificate -DnsName other.example.com -IPAddress 20.1.2.3 -Path ([IO.Path]::Combine($Scratch, 'other')) | Set-AzDockerExtension rg1 vm1");

            Assert.StartsWith("CertificateDoesNotCoverVm,", run.Error.FullyQualifiedErrorId);
            Assert.Equal("InvalidArgument", run.Error.CategoryInfo.Category.ToString());
            Assert.Contains("missing vm1.westeurope.cloudapp.azure.com", run.Error.Exception.Message);
            Assert.DoesNotContain("20.1.2.3", run.Error.Exception.Message.Substring(run.Error.Exception.Message.IndexOf("missing", StringComparison.Ordinal)));
            Assert.Empty(_bench.Writes());
        }

        [Fact]
        public void A_PEM_file_with_a_byte_order_mark_is_refused_before_anything_is_sent()
        {
            string folder = Path.Combine(_scratch, "bom");
            _bench.Ps.Run("$null = New-DockerTlsCertificate -DnsName vm1.westeurope.cloudapp.azure.com -IPAddress 20.1.2.3 -Path $F", new { F = folder }).ThrowIfFailed();
            string ca = Path.Combine(folder, "ca.pem");
            File.WriteAllBytes(ca, new byte[] { 0xEF, 0xBB, 0xBF }.Concat(File.ReadAllBytes(ca)).ToArray());

            var run = _bench.Ps.Run("Set-AzDockerExtension rg1 vm1 -CertificatePath $F", new { F = folder });

            Assert.StartsWith("PemHasByteOrderMark,", run.Error.FullyQualifiedErrorId);
            Assert.Empty(_bench.Arm.Requests);
        }

        [Fact]
        public void A_foreign_CustomScript_is_named_and_with_Force_replaced()
        {
            var refused = _bench.Ps.Run("Set-AzDockerExtension rg1 foreign1");
            Assert.Contains("'bootstrap'", refused.Error.Exception.Message);
            Assert.Contains("-Force", refused.Error.ErrorDetails.RecommendedAction);

            var whatIf = _bench.Ps.Run("Set-AzDockerExtension rg1 foreign1 -Force -WhatIf");
            Assert.Contains("replace the CustomScript extension 'bootstrap'", whatIf.HostText);
            Assert.Empty(_bench.Writes());

            var status = _bench.Ps.Run("Set-AzDockerExtension rg1 foreign1 -Force").ThrowIfFailed().Single();

            Assert.Equal("Succeeded", status.Properties["ProvisioningState"].Value);
            string prefix = "/subscriptions/" + _bench.Arm.SubscriptionId + "/resourcegroups/rg1/providers/microsoft.compute/virtualmachines/foreign1/extensions/";
            Assert.Equal(new[] { "DELETE " + prefix + "bootstrap", "PUT " + prefix + "azdockervm" },
                _bench.Arm.Requests.Where(r => r.Method is "PUT" or "DELETE").Select(r => r.Method + " " + r.Path.ToLowerInvariant()).ToArray());
        }
    }
}

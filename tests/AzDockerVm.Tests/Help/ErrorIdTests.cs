using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using AzDockerVm.Tests.Azure;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Help
{
    /// <summary>
    /// The error ids are a contract: every id the code can raise is in the README's table with its category, and a
    /// walk over the failure paths of every cmdlet (bad input, Azure's answers, the file system) ends each time in
    /// an id of that table, a category other than NotSpecified and a target.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class ErrorIdTests : IAsyncLifetime
    {
        // Where the code names an error id: the engine's exceptions (and its small factories), the cmdlet layer's records.
        private static readonly Regex[] s_idInCode =
        {
            new Regex(@"AzDockerVmException\(\s*""(?<id>[A-Z]\w+)"""),
            new Regex(@"\bInvalid\(\s*""(?<id>[A-Z]\w+)"""),
            new Regex(@"\bRequire\(\w+, s_\w+, ""(?<id>[A-Z]\w+)"""),
            new Regex(@"\(""(?<id>[A-Z]\w+)"", ErrorCategory\.(?<category>\w+)"),
            new Regex(@"""(?<id>[A-Z]\w+)"", ErrorCategory\.(?<category>\w+), "),
            new Regex(@"ThrowInvalidArgument\(\s*""(?<id>[A-Z]\w+)"""),
            new Regex(@"notFoundId = ""(?<id>[A-Z]\w+)"""),
            new Regex(@"\? ""(?<id>[A-Z]\w+)"" : notFoundId"),
            new Regex(@"ArmFailure\.From\([^;]*, ""(?<id>[A-Z]\w+)""\)"),
        };

        private static readonly Regex s_kind = new Regex(@"AzDockerVmException\(\s*""(?<id>[A-Z]\w+)"", FailureKind\.(?<category>\w+)");

        private AzureBench _bench;
        private string _scratch;

        public async Task InitializeAsync()
        {
            _bench = await AzureBench.StartAsync();
            _bench.AddVm();
            _bench.Arm.AddWindowsVm("rg1", "win1");
            _scratch = Path.Combine(Path.GetDirectoryName(_bench.DockerConfig), "walk");
            Directory.CreateDirectory(_scratch);
            _bench.Ps.SetVariable("Scratch", _scratch);
        }

        public async Task DisposeAsync() => await _bench.DisposeAsync();

        /// <summary>The README's table: id → category.</summary>
        internal static Dictionary<string, string> Documented()
        {
            string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
            int start = readme.IndexOf("<!-- error-ids", StringComparison.Ordinal);
            int end = readme.IndexOf("<!-- /error-ids -->", StringComparison.Ordinal);
            Assert.True(start >= 0 && end > start, "README.md has no error-id table");
            return Regex.Matches(readme.Substring(start, end - start), @"^\| `(?<id>\w+)` \| (?<category>\w+) \|", RegexOptions.Multiline)
                .ToDictionary(m => m.Groups["id"].Value, m => m.Groups["category"].Value);
        }

        [Fact]
        public void Every_id_the_code_raises_is_documented_with_its_category()
        {
            var documented = Documented();
            var problems = new List<string>();
            foreach (string file in Directory.GetFiles(Path.Combine(RepoPaths.Root, "src"), "*.cs", SearchOption.AllDirectories)
                         .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar)))
            {
                string code = File.ReadAllText(file);
                foreach (Match m in s_idInCode.SelectMany(r => r.Matches(code)))
                {
                    string id = m.Groups["id"].Value;
                    if (!documented.ContainsKey(id))
                    {
                        problems.Add($"{Path.GetFileName(file)}: '{id}' is not in the README's error table");
                    }
                    else if (m.Groups["category"].Success && documented[id] != m.Groups["category"].Value)
                    {
                        problems.Add($"{Path.GetFileName(file)}: '{id}' is {m.Groups["category"].Value} in the code, {documented[id]} in the README");
                    }
                }

                foreach (Match m in s_kind.Matches(code))
                {
                    if (documented.TryGetValue(m.Groups["id"].Value, out string category) && category != m.Groups["category"].Value)
                    {
                        problems.Add($"{Path.GetFileName(file)}: '{m.Groups["id"].Value}' is {m.Groups["category"].Value} in the code, {category} in the README");
                    }
                }
            }

            Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Distinct()));
            Assert.True(documented.Count > 60, "the table looks truncated: " + documented.Count);
        }

        public static TheoryData<string, string> FailurePaths => new TheoryData<string, string>
        {
            // script, what to do to the fake first
            { "New-DockerTlsCertificate -Path ([IO.Path]::Combine($Scratch, 'n')) -DnsName 'bad name'", null },
            { "New-DockerTlsCertificate -Path ([IO.Path]::Combine($Scratch, 'n')) -DnsName a.example.com -IPAddress 300.1.1.1", null },
            { "New-DockerTlsCertificate -Path ([IO.Path]::Combine($Scratch, 'n')) -DnsName a.example.com -CertificateAuthorityPath $Scratch", null },
            { "Get-DockerTlsCertificate -Path ([IO.Path]::Combine($Scratch, 'nosuch'))", null },
            { "Get-DockerTlsCertificate -Path $Scratch", null },
            { "Update-DockerTlsCertificate -Path ([IO.Path]::Combine($Scratch, 'nosuch'))", null },
            { "Update-DockerTlsCertificate -Path $Scratch", null },
            { "Update-DockerTlsCertificate -Path $Scratch -Client -DnsName a.example.com", null },
            { "Update-DockerTlsCertificate -Path $Scratch -ValidityDays 0", null },
            { "Start-DockerTlsCertificateAuthorityRotation -Path $Scratch", null },
            { "Start-DockerTlsCertificateAuthorityRotation -Path ([IO.Path]::Combine($Scratch, 'nosuch'))", null },
            { "Complete-DockerTlsCertificateAuthorityRotation -Path $Scratch", null },
            { "New-DockerContext -Name 'bad name' -Endpoint tcp://h:2376 -CertificatePath $Scratch", null },
            { "New-DockerContext -Name ok -Endpoint ftp://h -CertificatePath $Scratch", null },
            { "New-DockerContext -Name ok -Endpoint tcp://h:2376 -CertificatePath $Scratch", null },
            { "Test-AzDockerHost -Endpoint tcp://h:99999 -CertificatePath $Scratch", null },
            { "Test-AzDockerHost -Endpoint tcp://h:2376 -CertificatePath $Scratch", null },
            { "Set-AzDockerExtension rg1 'v/m'", null },
            { "Set-AzDockerExtension rg1 vm1 -DockerOption '--nosuch'", null },
            { "Set-AzDockerExtension rg1 vm1 -ComposeFile /proc/self/mem", null },
            { "Set-AzDockerExtension rg1 nosuchvm", null },
            { "Set-AzDockerExtension rg1 win1", null },
            { "Get-AzDockerExtension rg9 vm1", null },
            { "Set-AzDockerExtension rg1 vm1", "401" },
            { "Set-AzDockerExtension rg1 vm1", "403" },
            { "Set-AzDockerExtension rg1 vm1", "409" },
            { "Set-AzDockerExtension rg1 vm1", "400" },
            { "Set-AzDockerExtension rg1 vm1", "500" },
            { "Set-AzDockerExtension rg1 vm1", "drop" },
            { "Set-AzDockerExtension rg1 vm1", "lro" },
            { "Remove-AzDockerExtension rg1 vm1 -Force", "500" },
            { "Get-AzDockerExtension rg1 vm1", "403" },
            { "function global:Get-AzContext { $null }; Set-AzDockerExtension rg1 vm1", null },
            { "New-AzDockerVm -ResourceGroupName rg1 -Name dock1 -Image WindowsServer2022", null },
            { "New-AzDockerVm -ResourceGroupName rg1 -Name dock1 -AllowedSourceAddress 10.0.0.1/8", null },
            { "New-AzDockerVm -ResourceGroupName rg-none -Name dock1", null },
            { "New-AzDockerVm -ResourceGroupName rg1 -Name dock1", "500" },
            { "Get-AzDockerVm -ResourceGroupName rg1", "drop" },
            { "Get-AzDockerVm -ResourceGroupName rg1 -Name nosuch", null },
            { "Remove-AzDockerVm rg1 vm1 -Force", null },
            { "Remove-AzDockerVm rg1 vm1 -Force", "403" },
            { "Test-AzDockerHost -ResourceGroupName rg1 -VMName vm1", "500" },
            { "Update-AzDockerTlsCertificate rg1 vm1", null },
            { "Update-AzDockerTlsCertificate rg1 vm1 -ValidityDays 0", null },
            { "Update-AzDockerTlsCertificate rg1 nosuchvm", null },
            { "Update-AzDockerTlsCertificate rg1 win1", null },
            { "Update-AzDockerTlsCertificate -ResourceId /subscriptions/x/resourceGroups/rg1", null },
            { "Update-AzDockerTlsCertificate rg1 vm1", "500" },
            { "Update-AzDockerTlsCertificate rg1 vm1 -CertificatePath function:", null },
        };

        [Theory]
        [MemberData(nameof(FailurePaths))]
        public void Every_failure_path_ends_in_a_documented_id_a_category_and_a_target(string script, string fault)
        {
            switch (fault)
            {
                case "drop":
                    _bench.Arm.Faults.On("*", "*").Times(100).DropConnection();
                    break;
                case "lro":
                    _bench.Arm.Faults.On("*", "*").FailLro("InternalOperationError", "The operation failed (injected).");
                    break;
                case null:
                    break;
                default:
                    _bench.Arm.Faults.On("*", "*").Times(100).Error(int.Parse(fault), "Injected" + fault, "Injected failure " + fault + ".");
                    break;
            }

            var run = _bench.Ps.Run(script);

            Assert.True(run.Error != null, "no error: " + run.Describe());
            string id = run.Error.FullyQualifiedErrorId.Split(',')[0];
            Assert.True(Documented().ContainsKey(id), $"'{id}' ({run.Error.Exception.GetType().Name}: {run.Error.Exception.Message}) is not a documented id");
            Assert.NotEqual(ErrorCategory.NotSpecified, run.Error.CategoryInfo.Category);
            Assert.NotNull(run.Error.TargetObject);
            Assert.Equal(Documented()[id], run.Error.CategoryInfo.Category.ToString());
        }
    }
}

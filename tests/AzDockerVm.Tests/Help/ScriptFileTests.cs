using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation.Language;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Help
{
    /// <summary>
    /// The PowerShell files users run (tests/Pester/*.ps1, build.ps1) cannot run here (no pwsh, and Pester needs
    /// modules the hosted engine lacks), so they are checked statically: they parse, and every call of an AzDockerVm
    /// command names an exported command and parameters that bind. A renamed cmdlet or parameter fails here.
    /// </summary>
    public class ScriptFileTests
    {
        private static string PesterFolder => Path.Combine(RepoPaths.Root, "tests", "Pester");

        /// <summary>Paths relative to the repository root, for readable test names.</summary>
        public static TheoryData<string> ScriptFiles
        {
            get
            {
                var rows = new TheoryData<string>();
                foreach (string file in Directory.GetFiles(PesterFolder, "*.ps1").OrderBy(f => f, StringComparer.Ordinal))
                {
                    rows.Add(Path.GetRelativePath(RepoPaths.Root, file).Replace('\\', '/'));
                }

                rows.Add("build.ps1");
                return rows;
            }
        }

        [Fact]
        public void The_Pester_tests_and_build_script_are_there()
        {
            Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "build.ps1")), "build.ps1 is missing");
            var pester = Directory.GetFiles(PesterFolder, "*.Tests.ps1").Select(Path.GetFileName).ToArray();
            Assert.Contains("TlsCertificate.Tests.ps1", pester);
            Assert.Contains("DockerContext.Tests.ps1", pester);
            Assert.Contains("DockerHost.Tests.ps1", pester);
        }

        [Theory]
        [MemberData(nameof(ScriptFiles))]
        public void Script_parses_without_errors(string relativePath)
        {
            Parser.ParseFile(Path.Combine(RepoPaths.Root, relativePath), out _, out ParseError[] errors);

            Assert.True(errors.Length == 0, string.Join(Environment.NewLine,
                errors.Select(e => $"{relativePath}:{e.Extent.StartLineNumber}:{e.Extent.StartColumnNumber}: {e.Message}")));
        }

        [Theory]
        [MemberData(nameof(ScriptFiles))]
        public void Script_calls_only_exported_commands_with_parameters_that_exist(string relativePath)
        {
            using var ps = new PowerShellSession();
            var checker = new CommandUsageChecker(ModuleCommands.Exported(ps), ModuleCommands.NounPatterns);
            var ast = Parser.ParseFile(Path.Combine(RepoPaths.Root, relativePath), out _, out _);

            var problems = checker.Check(ast, relativePath);

            Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        }

        [Fact]
        public void Every_exported_cmdlet_is_exercised_by_a_Pester_file()
        {
            var called = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (string file in Directory.GetFiles(PesterFolder, "*.Tests.ps1"))
            {
                var ast = Parser.ParseFile(file, out _, out _);
                foreach (CommandAst call in ast.FindAll(a => a is CommandAst, true).Cast<CommandAst>())
                {
                    called.Add(call.GetCommandName() ?? string.Empty);
                }
            }

            Assert.DoesNotContain(ModuleCommands.ExportedNames, n => !called.Contains(n));
        }

        [Fact]
        public void Checker_reports_wrong_ambiguous_and_renamed_usages_and_accepts_valid_ones()
        {
            using var ps = new PowerShellSession();
            var checker = new CommandUsageChecker(ModuleCommands.Exported(ps), ModuleCommands.NounPatterns);
            const string script = @"
function New-DockerScratch { param($Name) }
$tls = New-DockerTlsCertificate -DnsName a.example.com -IPAddr 10.0.0.1 -Val 30 -wi -ErrorAction Stop
$tls | New-DockerContext -Nmae myvm
New-DockerTlsCertificate -C x
AzDockerVm\New-DockerContext -Name b -Certificate $tls -Desc 'module-qualified, prefix'
Describe 'x' { It 'y' { Test-AzDockerHst -Endpoint tcp://h:2376 | Should -BeTrue } }
New-DockerScratch -Name local
docker --context myvm ps
& $scriptBlock -Anything
";
            var ast = Parser.ParseInput(script, out _, out ParseError[] errors);
            Assert.Empty(errors);

            var problems = checker.Check(ast, "inline");

            Assert.Collection(problems,
                p => Assert.StartsWith("inline:4: New-DockerContext -Nmae: no such parameter", p),
                p => Assert.Equal("inline:5: New-DockerTlsCertificate -C: ambiguous prefix of CertificateAuthorityPath, CommonName, Confirm", p),
                p => Assert.StartsWith("inline:7: 'Test-AzDockerHst' looks like an AzDockerVm command", p));
        }
    }
}

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
    /// The PowerShell files (tests/Pester with its operations suite, tests/Install, build.ps1) run for real in pwsh after the xunit tests
    /// (tests/run-all.sh); these static checks come first because they are fast and name the line: every file parses,
    /// and every call of an AzDockerVm command names an exported command and parameters that bind.
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
                var folders = new[] { PesterFolder, Path.Combine(PesterFolder, "TestHelpers"), Path.Combine(PesterFolder, "Operations"), Path.Combine(RepoPaths.Root, "tests", "Install"), Path.Combine(RepoPaths.Root, "tests") };
                foreach (string file in folders.SelectMany(f => Directory.GetFiles(f, "*.ps1")).OrderBy(f => f, StringComparer.Ordinal))
                {
                    rows.Add(Path.GetRelativePath(RepoPaths.Root, file).Replace('\\', '/'));
                }

                rows.Add("build.ps1");
                return rows;
            }
        }

        /// <summary>The functions of tests/Pester/TestHelpers, which test files dot-source.</summary>
        private static IEnumerable<string> HelperFunctions()
            => Directory.GetFiles(Path.Combine(PesterFolder, "TestHelpers"), "*.ps1")
                .SelectMany(f => CommandUsageChecker.FunctionsDefinedIn(Parser.ParseFile(f, out _, out _)));

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

            var problems = checker.Check(ast, relativePath, HelperFunctions());

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

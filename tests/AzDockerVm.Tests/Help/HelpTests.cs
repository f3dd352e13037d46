using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Help
{
    /// <summary>
    /// Get-Help, in the hosted engine, for every exported cmdlet: MAML help from en-US/AzDockerVm.dll-Help.xml (not the
    /// syntax-only stub PowerShell makes up), describing exactly the parameters the cmdlet has, with a syntax that
    /// matches its parameter sets and examples that would bind. And the about_AzDockerVm topic.
    /// </summary>
    public class HelpTests
    {
        public static TheoryData<string> Cmdlets => ModuleCommands.Rows;

        /// <summary>The Reason values of DockerHostTestResult (the contract); the about topic explains each.</summary>
        public static readonly string[] HostTestReasons =
        {
            "ClientCertificateRejected", "UnknownAuthority", "NameMismatch", "ServerCertificateInvalid", "ConnectionRefused",
            "Timeout", "HostNotFound", "TlsHandshakeFailed", "InvalidCertificateFile", "NotDockerEndpoint",
            "VmNotFound", "VmNotRunning", "ExtensionNotInstalled", "ExtensionFailed", "PortBlocked", "CertificateNotFound",
        };

        [Fact]
        public void The_exported_cmdlets_are_the_manifests_CmdletsToExport_and_there_are_some()
        {
            using var ps = new PowerShellSession();
            Assert.NotEmpty(ModuleCommands.ExportedNames);
            Assert.Equal(ModuleCommands.DeclaredInManifest(ps), ModuleCommands.ExportedNames);
        }

        [Theory]
        [MemberData(nameof(Cmdlets))]
        public void Help_is_MAML_with_a_synopsis_and_a_description(string cmdlet)
        {
            using var ps = new PowerShellSession();
            var help = CommandHelp.Read(ps, cmdlet);

            Assert.True(help.TypeNames.Contains("MamlCommandHelpInfo"),
                $"{cmdlet}: Get-Help found no MAML help (type {string.Join(", ", help.TypeNames)}); is en-US/AzDockerVm.dll-Help.xml in the module folder?");
            Assert.False(string.IsNullOrWhiteSpace(help.Synopsis), cmdlet + ": empty synopsis");
            // Without help PowerShell uses the syntax line as the synopsis.
            Assert.False(help.Synopsis.TrimStart().StartsWith(cmdlet, StringComparison.OrdinalIgnoreCase),
                $"{cmdlet}: the synopsis is the syntax line, not a description: {help.Synopsis}");
            Assert.False(string.IsNullOrWhiteSpace(help.Description), cmdlet + ": empty description");
        }

        [Theory]
        [MemberData(nameof(Cmdlets))]
        public void Help_describes_every_parameter_and_names_no_parameter_that_does_not_exist(string cmdlet)
        {
            using var ps = new PowerShellSession();
            var command = ModuleCommands.Get(ps, cmdlet);
            var help = CommandHelp.Read(ps, cmdlet);

            var actual = command.Parameters.Keys.Where(n => !ModuleCommands.IsCommon(n)).OrderBy(n => n).ToList();
            var documented = help.Parameters.Select(p => p.Name).OrderBy(n => n).ToList();
            Assert.NotEmpty(actual);
            Assert.True(actual.SequenceEqual(documented, StringComparer.Ordinal),
                $"{cmdlet}: undocumented [{string.Join(", ", actual.Except(documented))}], " +
                $"documented but not a parameter (or misspelt) [{string.Join(", ", documented.Except(actual))}]");

            var undescribed = help.Parameters.Where(p => string.IsNullOrWhiteSpace(p.Description)).Select(p => p.Name).ToList();
            Assert.True(undescribed.Count == 0, $"{cmdlet}: no description for {string.Join(", ", undescribed)}");
        }

        [Theory]
        [MemberData(nameof(Cmdlets))]
        public void Help_gives_each_parameter_its_real_type_and_pipeline_input(string cmdlet)
        {
            using var ps = new PowerShellSession();
            var command = ModuleCommands.Get(ps, cmdlet);
            var help = CommandHelp.Read(ps, cmdlet);

            var wrong = new List<string>();
            foreach (var documented in help.Parameters.Where(p => command.Parameters.ContainsKey(p.Name)))
            {
                var real = command.ParameterSets.SelectMany(s => s.Parameters).Where(p => p.Name == documented.Name).ToList();
                Type type = real[0].ParameterType;
                if (!documented.Type.Equals(type.Name, StringComparison.OrdinalIgnoreCase)
                    && !documented.Type.Equals(type.FullName, StringComparison.OrdinalIgnoreCase))
                {
                    wrong.Add($"-{documented.Name}: type '{documented.Type}', really {type.Name}");
                }

                string expected = PipelineInput(real.Any(p => p.ValueFromPipeline), real.Any(p => p.ValueFromPipelineByPropertyName));
                string given = PipelineInput(documented.PipelineInput.Contains("ByValue"), documented.PipelineInput.Contains("ByPropertyName"));
                bool saysTrue = documented.PipelineInput.StartsWith("True", StringComparison.OrdinalIgnoreCase);
                if (expected != given || saysTrue != (expected != "False"))
                {
                    wrong.Add($"-{documented.Name}: pipeline input '{documented.PipelineInput}', really '{expected}'");
                }
            }

            Assert.True(wrong.Count == 0, cmdlet + ": " + string.Join("; ", wrong));
        }

        [Theory]
        [MemberData(nameof(Cmdlets))]
        public void Help_syntax_matches_the_parameter_sets(string cmdlet)
        {
            using var ps = new PowerShellSession();
            var command = ModuleCommands.Get(ps, cmdlet);
            var help = CommandHelp.Read(ps, cmdlet);

            string Describe(IEnumerable<(string Name, bool Required, string Position)> parameters)
                => string.Join(" ", parameters.OrderBy(p => p.Name, StringComparer.Ordinal)
                    .Select(p => $"{p.Name}({(p.Required ? "required" : "optional")}, position {p.Position})"));

            var sets = command.ParameterSets
                .Select(s => Describe(s.Parameters.Where(p => !ModuleCommands.IsCommon(p.Name))
                    .Select(p => (p.Name, p.IsMandatory, p.Position == int.MinValue ? "named" : p.Position.ToString()))))
                .OrderBy(s => s, StringComparer.Ordinal).ToList();
            var syntax = help.Syntax
                .Select(item => Describe(item.Select(p => (p.Name, p.Required.Equals("true", StringComparison.OrdinalIgnoreCase), p.Position.ToLowerInvariant()))))
                .OrderBy(s => s, StringComparer.Ordinal).ToList();

            Assert.True(sets.SequenceEqual(syntax, StringComparer.Ordinal),
                $"{cmdlet}: parameter sets without a matching syntax item:\n  {string.Join("\n  ", sets.Except(syntax))}\n" +
                $"syntax items that match no parameter set:\n  {string.Join("\n  ", syntax.Except(sets))}");
        }

        [Theory]
        [MemberData(nameof(Cmdlets))]
        public void Help_has_examples_with_code_that_uses_only_real_commands_and_parameters(string cmdlet)
        {
            using var ps = new PowerShellSession();
            var help = CommandHelp.Read(ps, cmdlet);
            var checker = new CommandUsageChecker(ModuleCommands.Exported(ps), ModuleCommands.NounPatterns);

            Assert.NotEmpty(help.Examples);
            var problems = new List<string>();
            foreach (var (example, index) in help.Examples.Select((e, i) => (e, i + 1)))
            {
                Assert.False(string.IsNullOrWhiteSpace(example.Code), $"{cmdlet} example {index} has no code");
                Assert.False(string.IsNullOrWhiteSpace(example.Remarks), $"{cmdlet} example {index} has no remarks");
                var ast = Parser.ParseInput(example.Code, out _, out ParseError[] errors);
                problems.AddRange(errors.Select(e => $"{cmdlet} example {index}:{e.Extent.StartLineNumber}: {e.Message}"));
                problems.AddRange(checker.Check(ast, $"{cmdlet} example {index}"));
            }

            Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
            Assert.Contains(help.Examples, e => e.Code.Contains(cmdlet, StringComparison.OrdinalIgnoreCase));
        }

        [Fact]
        public void Get_Help_finds_the_about_topic_beside_the_manifest()
        {
            using var ps = new PowerShellSession();
            var run = ps.Run("Get-Help -Name about_AzDockerVm");

            Assert.True(run.Error == null, run.Describe());
            var topic = run.Single();
            Assert.Equal("about_AzDockerVm", topic.Properties["Name"]?.Value);
            Assert.Equal("HelpFile", topic.Properties["Category"]?.Value?.ToString());
            Assert.Contains("SHORT DESCRIPTION", topic.BaseObject.ToString());
        }

        [Fact]
        public void About_topic_has_the_standard_layout_short_lines_and_explains_every_host_test_reason()
        {
            string file = Path.Combine(RepoPaths.ModuleDirectory, "en-US", "about_AzDockerVm.help.txt");
            byte[] bytes = File.ReadAllBytes(file);
            Assert.False(bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF, "the about topic starts with a BOM");
            string[] lines = File.ReadAllLines(file);

            var headings = new[] { "TOPIC", "SHORT DESCRIPTION", "LONG DESCRIPTION", "EXAMPLES", "NOTE", "SEE ALSO", "KEYWORDS" };
            var positions = headings.Select(h => Array.IndexOf(lines, h)).ToArray();
            Assert.True(positions.All(p => p >= 0), "missing heading(s): " + string.Join(", ", headings.Where((h, i) => positions[i] < 0)));
            Assert.True(positions.SequenceEqual(positions.OrderBy(p => p)), "headings out of order");
            Assert.Equal("about_AzDockerVm", lines[positions[0] + 1].Trim());

            var tooLong = lines.Select((l, i) => (l, i + 1)).Where(x => x.l.Length > 80).Select(x => $"line {x.Item2} ({x.l.Length})").ToList();
            Assert.True(tooLong.Count == 0, "lines over 80 characters: " + string.Join(", ", tooLong));

            string text = string.Join("\n", lines);
            foreach (string reason in HostTestReasons)
            {
                Assert.Contains("    " + reason + "\n", text + "\n");
            }

            foreach (string cmdlet in ModuleCommands.ExportedNames)
            {
                Assert.Contains(cmdlet, text);
            }
        }

        [Fact]
        public void Examples_in_the_about_topic_use_only_real_commands_and_parameters()
        {
            using var ps = new PowerShellSession();
            var checker = new CommandUsageChecker(ModuleCommands.Exported(ps), ModuleCommands.NounPatterns);
            string[] lines = File.ReadAllLines(Path.Combine(RepoPaths.ModuleDirectory, "en-US", "about_AzDockerVm.help.txt"));
            int start = Array.IndexOf(lines, "EXAMPLES"), end = Array.IndexOf(lines, "NOTE");
            // The code lines of the EXAMPLES section are the ones indented by 8 or more.
            string code = string.Join("\n", lines.Skip(start + 1).Take(end - start - 1).Select(l => l.StartsWith("        ") ? l : string.Empty));
            var ast = Parser.ParseInput(code, out _, out ParseError[] errors);

            Assert.Empty(errors.Select(e => e.Message));
            Assert.Empty(checker.Check(ast, "about_AzDockerVm EXAMPLES"));
            foreach (string cmdlet in ModuleCommands.ExportedNames)
            {
                Assert.Contains(cmdlet, code);
            }
        }

        private static string PipelineInput(bool byValue, bool byPropertyName)
            => byValue && byPropertyName ? "ByValue, ByPropertyName" : byValue ? "ByValue" : byPropertyName ? "ByPropertyName" : "False";
    }

    /// <summary>The parts of Get-Help -Full output the tests look at, read in the hosted engine.</summary>
    public sealed class CommandHelp
    {
        private const string ReadScript = @"
$h = Get-Help -Name $Name -Full -ErrorAction Stop
function Text($x) { (@($x) | Where-Object { $null -ne $_ } | ForEach-Object { if ($_ -is [string]) { $_ } else { $_.Text } }) -join ""`n"" }
function Param($p) {
    @{ Name = [string]$p.name; Description = (Text $p.description); Required = [string]$p.required
       Position = [string]$p.position; PipelineInput = [string]$p.pipelineInput; Type = [string]$p.type.name }
}
@{
    TypeNames = @($h.PSObject.TypeNames)
    Synopsis = [string]$h.Synopsis
    Description = Text $h.description
    Parameters = @(@($h.parameters.parameter) | Where-Object { $null -ne $_ } | ForEach-Object { Param $_ })
    Syntax = @(@($h.syntax.syntaxItem) | Where-Object { $null -ne $_ } | ForEach-Object { ,@(@($_.parameter) | Where-Object { $null -ne $_ } | ForEach-Object { Param $_ }) })
    Examples = @(@($h.examples.example) | Where-Object { $null -ne $_ } | ForEach-Object { @{ Code = [string]$_.code; Remarks = Text $_.remarks } })
}";

        public IReadOnlyList<string> TypeNames { get; private set; }
        public string Synopsis { get; private set; }
        public string Description { get; private set; }
        public IReadOnlyList<HelpParameter> Parameters { get; private set; }
        public IReadOnlyList<IReadOnlyList<HelpParameter>> Syntax { get; private set; }
        public IReadOnlyList<(string Code, string Remarks)> Examples { get; private set; }

        public static CommandHelp Read(PowerShellSession ps, string name)
        {
            var h = Table(ps.Run(ReadScript, new { Name = name }).ThrowIfFailed().Single());
            return new CommandHelp
            {
                TypeNames = Items(h["TypeNames"]).Select(o => o.ToString()).ToList(),
                Synopsis = (string)h["Synopsis"],
                Description = (string)h["Description"],
                Parameters = Items(h["Parameters"]).Select(HelpParameter.From).ToList(),
                Syntax = Items(h["Syntax"]).Select(item => (IReadOnlyList<HelpParameter>)Items(item).Select(HelpParameter.From).ToList()).ToList(),
                Examples = Items(h["Examples"]).Select(Table).Select(e => ((string)e["Code"], (string)e["Remarks"])).ToList(),
            };
        }

        internal static Hashtable Table(object o) => (Hashtable)(o is PSObject p ? p.BaseObject : o);

        private static IEnumerable<object> Items(object o) => ((IEnumerable)(o is PSObject p ? p.BaseObject : o)).Cast<object>();
    }

    public sealed class HelpParameter
    {
        public string Name { get; private set; }
        public string Description { get; private set; }
        public string Required { get; private set; }
        public string Position { get; private set; }
        public string PipelineInput { get; private set; }
        public string Type { get; private set; }

        public static HelpParameter From(object o)
        {
            var t = CommandHelp.Table(o);
            return new HelpParameter
            {
                Name = (string)t["Name"],
                Description = (string)t["Description"],
                Required = (string)t["Required"],
                Position = (string)t["Position"],
                PipelineInput = (string)t["PipelineInput"],
                Type = (string)t["Type"],
            };
        }
    }
}

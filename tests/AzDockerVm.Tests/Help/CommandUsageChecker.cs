using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace AzDockerVm.Tests.Help
{
    /// <summary>
    /// Finds, in a parsed script, every call of a module command and every parameter name it uses, and reports the
    /// ones that would not bind: a command that matches the module's noun patterns but is not exported (a renamed
    /// cmdlet), and a -Parameter that is neither a parameter name, an alias nor an unambiguous prefix of one.
    /// Scripts, help examples and Pester files are checked this way because they cannot be run here.
    /// </summary>
    public sealed class CommandUsageChecker
    {
        private readonly IReadOnlyDictionary<string, CommandInfo> _commands;
        private readonly WildcardPattern[] _modulePatterns;

        /// <param name="commands">The module's exported commands (Get-Command -Module), with their parameters.</param>
        /// <param name="modulePatterns">Command names that belong to the module, e.g. "*-Docker*".</param>
        public CommandUsageChecker(IEnumerable<CommandInfo> commands, params string[] modulePatterns)
        {
            _commands = commands.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
            _modulePatterns = modulePatterns.Select(p => new WildcardPattern(p, WildcardOptions.IgnoreCase)).ToArray();
        }

        /// <summary>The names of the functions a script defines (its own, or a helper's it dot-sources).</summary>
        public static IEnumerable<string> FunctionsDefinedIn(Ast script)
            => script.FindAll(a => a is FunctionDefinitionAst, searchNestedScriptBlocks: true).Cast<FunctionDefinitionAst>().Select(f => f.Name);

        /// <summary>The problems in a script; each names the place (source:line), the command and the parameter.</summary>
        /// <param name="helperFunctions">Functions of helper files the script dot-sources: not module commands either.</param>
        public IReadOnlyList<string> Check(Ast script, string source, IEnumerable<string> helperFunctions = null)
        {
            var problems = new List<string>();

            // A function the script (or a helper it dot-sources) defines is not a module command, whatever its name.
            var ownFunctions = new HashSet<string>(FunctionsDefinedIn(script).Concat(helperFunctions ?? Enumerable.Empty<string>()), StringComparer.OrdinalIgnoreCase);

            foreach (CommandAst call in script.FindAll(a => a is CommandAst, searchNestedScriptBlocks: true).Cast<CommandAst>())
            {
                string name = call.GetCommandName();
                if (name == null || ownFunctions.Contains(name))
                {
                    continue;
                }

                string place = $"{source}:{call.Extent.StartLineNumber}";
                string bareName = name.Contains('\\') ? name.Substring(name.LastIndexOf('\\') + 1) : name;
                if (!_commands.TryGetValue(bareName, out CommandInfo command))
                {
                    if (_modulePatterns.Any(p => p.IsMatch(bareName)))
                    {
                        problems.Add($"{place}: '{name}' looks like an AzDockerVm command but the module exports no such command.");
                    }

                    continue;
                }

                foreach (CommandParameterAst parameter in call.CommandElements.OfType<CommandParameterAst>())
                {
                    string problem = Resolve(command, parameter.ParameterName);
                    if (problem != null)
                    {
                        problems.Add($"{place}: {command.Name} -{parameter.ParameterName}: {problem}");
                    }
                }
            }

            return problems;
        }

        /// <summary>Null when the name binds the way PowerShell's binder would bind it, else why not.</summary>
        private static string Resolve(CommandInfo command, string name)
        {
            var parameters = command.Parameters.Values;
            if (parameters.Any(p => Names(p).Any(n => n.Equals(name, StringComparison.OrdinalIgnoreCase))))
            {
                return null;
            }

            var candidates = parameters
                .Where(p => Names(p).Any(n => n.StartsWith(name, StringComparison.OrdinalIgnoreCase)))
                .Select(p => p.Name)
                .ToList();
            return candidates.Count switch
            {
                1 => null,
                0 => "no such parameter (parameters: " + string.Join(", ", parameters.Select(p => p.Name).OrderBy(n => n)) + ")",
                _ => "ambiguous prefix of " + string.Join(", ", candidates.OrderBy(n => n)),
            };
        }

        private static IEnumerable<string> Names(ParameterMetadata parameter) => new[] { parameter.Name }.Concat(parameter.Aliases);
    }
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Runtime.CompilerServices;
using AzDockerVm.Engine.Azure;

namespace AzDockerVm.Completion
{
    /// <summary>-Image completes to the friendly names (a URN is typed as it is).</summary>
    public sealed class ImageCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            return Aliases().Where(a => a.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(a => new CompletionResult(a.Key, a.Key, CompletionResultType.ParameterValue, a.Value))
                .ToList();
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static IEnumerable<KeyValuePair<string, string>> Aliases() => VmImage.Aliases;
    }
}

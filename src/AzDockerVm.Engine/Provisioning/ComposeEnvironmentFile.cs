using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using AzDockerVm.Engine.Text;

namespace AzDockerVm.Engine.Provisioning
{
    /// <summary>
    /// The compose project's .env file, written so that Compose reads every value back byte for byte. By Compose's
    /// documented .env rules a single-quoted value is used literally (no interpolation, no comment, spaces kept) and
    /// a quote inside it is escaped with a backslash; so each value is written as <c>KEY='value'</c> with ' as \'.
    /// What those rules cannot carry literally is refused: control characters (a newline would start a new
    /// variable), and a backslash right before a quote or at the end (it would read as an escape).
    /// </summary>
    public static class ComposeEnvironmentFile
    {
        private static readonly Regex s_name = TextRules.Whole("[A-Za-z_][A-Za-z0-9_]*");

        /// <summary>Refuses a name that is not a variable name and a value the .env rules cannot carry.</summary>
        public static void Validate(IDictionary<string, string> environment)
        {
            foreach (var pair in environment ?? new Dictionary<string, string>())
            {
                if (pair.Key == null || !s_name.IsMatch(pair.Key))
                {
                    throw new AzDockerVmException("ComposeEnvironmentNameInvalid", FailureKind.InvalidArgument, pair.Key,
                        $"'{TextRules.Printable(pair.Key)}' is not an environment variable name: use letters, digits and _, not starting with a digit.");
                }

                string value = pair.Value ?? string.Empty;
                string why = TextRules.HasControlCharacter(value.Replace("\t", string.Empty))
                    ? "it holds a control character such as a line break, which would end the variable in the .env file"
                    : value.EndsWith("\\", StringComparison.Ordinal) || value.Contains("\\'")
                        ? "it has a backslash at the end or right before a quote, which Compose would read as an escape"
                        : null;
                if (why != null)
                {
                    throw new AzDockerVmException("ComposeEnvironmentValueInvalid", FailureKind.InvalidArgument, pair.Key,
                        $"The value of '{pair.Key}' cannot be written to Compose's .env file as it is: {why}.",
                        "Put such a value in the compose file itself (environment: or secrets:).");
                }
            }
        }

        /// <summary>The .env text (variables in ordinal order), or null when there are none.</summary>
        public static string Render(IDictionary<string, string> environment)
        {
            if (environment == null || environment.Count == 0)
            {
                return null;
            }

            Validate(environment);
            var text = new StringBuilder();
            foreach (var pair in environment.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                text.Append(pair.Key).Append("='").Append((pair.Value ?? string.Empty).Replace("'", "\\'")).Append("'\n");
            }

            return text.ToString();
        }
    }
}

using System.Linq;
using System.Text.RegularExpressions;

namespace AzDockerVm.Engine.Text
{
    /// <summary>
    /// How AzDockerVm checks the form of a value: a pattern always matches the WHOLE text (\A...\z; .NET's ^...$
    /// also accepts a final newline), and control characters never pass.
    /// </summary>
    public static class TextRules
    {
        /// <summary>A regex for the whole text, culture-invariant.</summary>
        public static Regex Whole(string pattern, RegexOptions options = RegexOptions.None)
            => new Regex(@"\A(?:" + pattern + @")\z", options | RegexOptions.CultureInvariant);

        public static bool HasControlCharacter(string text) => text != null && text.Any(char.IsControl);

        /// <summary>The text with control characters shown as \uXXXX, for messages.</summary>
        public static string Printable(string text)
            => text == null ? "(null)" : string.Concat(text.Select(c => char.IsControl(c) ? "\\u" + ((int)c).ToString("x4") : c.ToString()));
    }
}

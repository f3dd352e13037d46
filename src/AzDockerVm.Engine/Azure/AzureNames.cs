using System.Text.RegularExpressions;
using AzDockerVm.Engine.Text;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>
    /// Azure's naming rules for what AzDockerVm names in a request URL, checked before any request: a name ARM would
    /// refuse (or that would change the URL, like '/' or '?') is refused here with the name as target.
    /// </summary>
    public static class AzureNames
    {
        // Resource group: 1-90 letters (Unicode), digits, _ - . ( ); not ending in '.'.
        private static readonly Regex s_resourceGroup = TextRules.Whole(@"[-\w._()]{0,89}[-\w_()]");

        // Linux VM: 1-64; no \ / " ' [ ] : | < > + = ; , ? * @ & # % or white space; not starting with _; not ending in . or -.
        private static readonly Regex s_vm = TextRules.Whole(@"(?!_)[^\\/""'\[\]:|<>+=;,?*@&#%\s]{0,63}[^\\/""'\[\]:|<>+=;,?*@&#%\s.-]");

        // VM extension: 1-64 letters, digits, _ . -; starting with a letter or digit, not ending in '.'.
        private static readonly Regex s_extension = TextRules.Whole(@"[A-Za-z0-9]([A-Za-z0-9_.-]{0,62}[A-Za-z0-9_-])?");

        private static readonly Regex s_typeHandlerVersion = TextRules.Whole(@"[0-9]{1,4}\.[0-9]{1,4}");

        public static void RequireResourceGroupName(string name)
            => Require(name, s_resourceGroup, "InvalidResourceGroupName",
                "is not a resource group name: 1 to 90 letters, digits, _ - . ( ), not ending in '.'");

        public static void RequireVmName(string name)
            => Require(name, s_vm, "InvalidVmName",
                "is not a VM name: 1 to 64 characters, none of \\ / \" ' [ ] : | < > + = ; , ? * @ & # % or spaces, not starting with _ or ending in . or -");

        public static void RequireExtensionName(string name)
            => Require(name, s_extension, "InvalidExtensionName",
                "is not a VM extension name: 1 to 64 letters, digits, _ . -, starting with a letter or digit and not ending in '.'");

        public static void RequireTypeHandlerVersion(string version)
            => Require(version, s_typeHandlerVersion, "InvalidTypeHandlerVersion",
                "is not an extension handler version: major.minor, e.g. 2.1");

        private static void Require(string value, Regex rule, string errorId, string why)
        {
            if (value == null || !rule.IsMatch(value))
            {
                throw new AzDockerVmException(errorId, FailureKind.InvalidArgument, value, $"'{TextRules.Printable(value)}' {why}.");
            }
        }
    }
}

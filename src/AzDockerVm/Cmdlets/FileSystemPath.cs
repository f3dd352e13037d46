using System;
using System.Management.Automation;
using AzDockerVm.Engine;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// The one way a user-given path becomes a file-system path: resolved like PowerShell resolves it (relative to the
    /// session's location, ~, PSDrives), and refused when it names another provider's item (env:, HKLM:, Variable:)
    /// or cannot be resolved at all. Every path parameter and $env:DOCKER_CONFIG goes through here.
    /// </summary>
    internal static class FileSystemPath
    {
        /// <summary>The absolute file-system path of <paramref name="path"/> (need not exist).</summary>
        /// <param name="what">How the message names the value: "-Path", "-ComposeFile", "$env:DOCKER_CONFIG".</param>
        internal static string Resolve(SessionState session, string path, string what)
        {
            if (string.IsNullOrWhiteSpace(path) || HasControlCharacter(path))
            {
                throw new AzDockerVmException("InvalidPath", FailureKind.InvalidArgument, path,
                    $"{what} '{Printable(path)}' is not a usable path: it is empty or holds control characters. Nothing was written.",
                    $"Give {what} as a file-system path, e.g. ./certs or C:\\certs.");
            }

            string resolved;
            ProviderInfo provider;
            try
            {
                resolved = session.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out PSDriveInfo _);
            }
            catch (Exception ex) when (ex is RuntimeException || ex is ArgumentException || ex is NotSupportedException)
            {
                throw new AzDockerVmException("InvalidPath", FailureKind.InvalidArgument, path,
                    $"{what} '{path}' cannot be resolved: {ex.Message} Nothing was written.",
                    $"Give {what} as a file-system path (check the drive name).", ex);
            }

            if (provider == null || !string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
            {
                throw new AzDockerVmException("PathNotFileSystem", FailureKind.InvalidArgument, path,
                    $"{what} '{path}' is a path of the {provider?.Name ?? "unknown"} provider, not of the file system; AzDockerVm reads and writes files only. Nothing was written.",
                    $"Give {what} as a file-system path, e.g. ./certs, ~/certs or C:\\certs.");
            }

            return resolved;
        }

        private static bool HasControlCharacter(string text)
        {
            foreach (char c in text)
            {
                if (char.IsControl(c))
                {
                    return true;
                }
            }

            return false;
        }

        private static string Printable(string text)
        {
            if (text == null)
            {
                return string.Empty;
            }

            var builder = new System.Text.StringBuilder(text.Length);
            foreach (char c in text)
            {
                builder.Append(char.IsControl(c) ? "\\u" + ((int)c).ToString("x4") : c.ToString());
            }

            return builder.ToString();
        }
    }
}

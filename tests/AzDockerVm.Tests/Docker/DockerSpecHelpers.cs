using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography;
using System.Text;

namespace AzDockerVm.Tests.Docker
{
    /// <summary>Small readers for what the cmdlets return and what lands on disk.</summary>
    internal static class DockerSpecHelpers
    {
        public static object Get(this PSObject item, string property) => item.Properties[property]?.Value;

        public static string Text(this PSObject item, string property) => item.Properties[property]?.Value?.ToString();

        /// <summary>The docker CLI's folder name for a context: lowercase hex SHA-256 of the name (`printf %s NAME | sha256sum`).</summary>
        public static string ContextHash(string name)
            => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(name))).ToLowerInvariant();

        /// <summary>Host text without the ANSI colour sequences PowerShell 7 puts around table headers.</summary>
        public static string WithoutAnsi(string text) => System.Text.RegularExpressions.Regex.Replace(text, "\u001b\\[[0-9;]*m", string.Empty);

        public static string Mode(string path) => Convert.ToString((int)File.GetUnixFileMode(path), 8);

        /// <summary>Every file and folder under a folder (relative paths), or empty when it doesn't exist.</summary>
        public static string[] Tree(string folder)
            => Directory.Exists(folder)
                ? Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(folder, p)).OrderBy(p => p, StringComparer.Ordinal).ToArray()
                : Array.Empty<string>();

        /// <summary>Relative path, size and content hash of every file: to prove a failed call changed nothing.</summary>
        public static string Snapshot(string folder)
            => string.Join("\n", Tree(folder).Select(p =>
            {
                string full = Path.Combine(folder, p);
                return File.Exists(full) ? p + " " + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(full))) + " " + Mode(full) : p + "/ " + Mode(full);
            }));
    }

    /// <summary>Borrows the process-wide DOCKER_CONFIG (and HOME) for one test and gives the old values back.</summary>
    internal sealed class EnvironmentScope : IDisposable
    {
        private readonly string _dockerConfig = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
        private readonly string _home = Environment.GetEnvironmentVariable("HOME");

        public void Dispose()
        {
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", _dockerConfig);
            Environment.SetEnvironmentVariable("HOME", _home);
        }
    }
}

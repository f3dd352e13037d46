using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.FakeArm
{
    /// <summary>
    /// The official ARM traffic validator kit (shared/api-specs: oav + the vendored Azure REST API specs), found next to
    /// the repository (../shared/api-specs from the checkout or one of its parent folders, or $AZDOCKERVM_API_SPECS).
    /// </summary>
    internal static class SpecValidator
    {
        public static string KitDirectory { get; } = FindKit();

        /// <summary>Why validation cannot run here (no kit, no node), or null.</summary>
        public static string Unavailable =>
            KitDirectory == null ? "the api-specs validator kit (../shared/api-specs) is not next to this checkout"
            : !OnPath("node") ? "node is not installed"
            : null;

        /// <summary>Runs `node validate.js files...` (after `npm ci` when the kit has no node_modules yet).</summary>
        public static (int ExitCode, string StdOut, string StdErr) Run(IEnumerable<string> trafficFiles)
        {
            if (!Directory.Exists(Path.Combine(KitDirectory, "node_modules")))
            {
                var install = Execute("npm", new[] { "ci", "--no-audit", "--no-fund" }, TimeSpan.FromMinutes(5));
                Assert.True(install.ExitCode == 0, "npm ci in " + KitDirectory + " failed:\n" + install.StdOut + install.StdErr);
            }

            return Execute("node", new[] { "validate.js" }.Concat(trafficFiles).ToArray(), TimeSpan.FromMinutes(5));
        }

        /// <summary>The validator's summary line ("validated: N exchanges, E with errors, U not covered by the specs").</summary>
        public static string Summary(string stdout) =>
            stdout.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("validated:", StringComparison.Ordinal));

        private static (int ExitCode, string StdOut, string StdErr) Execute(string file, string[] args, TimeSpan timeout)
        {
            var psi = new ProcessStartInfo(file)
            {
                WorkingDirectory = KitDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            using var process = Process.Start(psi);
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit((int)timeout.TotalMilliseconds))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{file} {string.Join(" ", args.Take(2))} did not finish in {timeout}");
            }

            return (process.ExitCode, stdout.Result, stderr.Result);
        }

        private static string FindKit()
        {
            var configured = Environment.GetEnvironmentVariable("AZDOCKERVM_API_SPECS");
            if (!string.IsNullOrEmpty(configured))
            {
                return File.Exists(Path.Combine(configured, "validate.js")) ? Path.GetFullPath(configured) : null;
            }

            // ../shared/api-specs relative to the checkout; worktrees nested one level deeper find it further up.
            for (var dir = new DirectoryInfo(RepoPaths.Root).Parent; dir != null; dir = dir.Parent)
            {
                var kit = Path.Combine(dir.FullName, "shared", "api-specs");
                if (File.Exists(Path.Combine(kit, "validate.js")))
                {
                    return kit;
                }
            }

            return null;
        }

        private static bool OnPath(string program) =>
            (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
                .Any(d => d.Length > 0 && File.Exists(Path.Combine(d, program)));
    }

    /// <summary>A fact that reports itself skipped when the validator kit or node is not available.</summary>
    public sealed class SpecValidatorFactAttribute : FactAttribute
    {
        public SpecValidatorFactAttribute()
        {
            Skip = SpecValidator.Unavailable;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace AzDockerVm.Tests.Docker
{
    /// <summary>What a finished external command produced.</summary>
    public sealed record ToolRun(int ExitCode, string StdOut, string StdErr, TimeSpan Elapsed)
    {
        public string Text => StdOut + StdErr;

        public ToolRun ThrowIfFailed(string what)
            => ExitCode == 0 ? this : throw new InvalidOperationException($"{what} failed with exit code {ExitCode}:\n{StdErr}\n{StdOut}");
    }

    /// <summary>Runs real tools (openssl, docker) with an explicit environment and a bounded wait.</summary>
    public static class ExternalTool
    {
        /// <summary>The full path of an executable found on PATH (or in /usr/sbin, where dockerd lives), else null.</summary>
        public static string Find(string name)
        {
            var folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
                .Concat(new[] { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin" });
            return folders.Where(f => f.Length > 0).Select(f => Path.Combine(f, name)).FirstOrDefault(File.Exists);
        }

        public static ToolRun Run(string fileName, IEnumerable<string> args, IDictionary<string, string> environment = null,
            string workingDirectory = null, int timeoutMs = 60_000)
        {
            var psi = new ProcessStartInfo(Find(fileName) ?? fileName)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
            };
            foreach (var a in args) psi.ArgumentList.Add(a);
            foreach (var pair in environment ?? new Dictionary<string, string>())
            {
                if (pair.Value == null) psi.Environment.Remove(pair.Key);
                else psi.Environment[pair.Key] = pair.Value;
            }

            var stopwatch = Stopwatch.StartNew();
            using var process = Process.Start(psi);
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeoutMs))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish in {timeoutMs} ms");
            }

            process.WaitForExit();
            return new ToolRun(process.ExitCode, stdout.Result, stderr.Result, stopwatch.Elapsed);
        }
    }
}

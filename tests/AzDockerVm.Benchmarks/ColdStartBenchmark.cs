using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;

namespace AzDockerVm.Benchmarks
{
    /// <summary>
    /// What a user feels in a NEW pwsh process (the repository's pinned 7.6.10): bare `pwsh -NoProfile -c exit`, then
    /// the same plus Import-Module AzDockerVm, plus the first New-DockerTlsCertificate (ECDSA). A second baseline,
    /// importing an empty script module, shows the floor PowerShell itself puts under any Import-Module. Variants are
    /// interleaved in every round, so a busy machine slows all of them alike; medians are reported.
    /// </summary>
    internal static class ColdStartBenchmark
    {
        private const double ImportTarget = 100;
        private const double FirstSetTarget = 300;

        internal static string Run(string root, int rounds)
        {
            string pwsh = FindPwsh(root);
            string manifest = Path.Combine(root, "out", "AzDockerVm", "AzDockerVm.psd1");
            string scratch = Path.Combine(Path.GetTempPath(), "azdv-coldstart-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            string empty = Path.Combine(scratch, "Empty");
            Directory.CreateDirectory(empty);
            File.WriteAllText(Path.Combine(empty, "Empty.psm1"), "function Get-Empty {}\n");
            File.WriteAllText(Path.Combine(empty, "Empty.psd1"), "@{ RootModule = 'Empty.psm1'; ModuleVersion = '1.0'; FunctionsToExport = @('Get-Empty') }\n");
            var variants = new (string Name, Func<int, string> Script)[]
            {
                ("bare pwsh", _ => "exit"),
                ("+ Import-Module of an empty script module (floor)", _ => $"Import-Module '{Path.Combine(empty, "Empty.psd1")}'"),
                ("+ Import-Module AzDockerVm", _ => $"Import-Module '{manifest}'"),
                ("+ Import-Module AzDockerVm + first New-DockerTlsCertificate", i => $"Import-Module '{manifest}'; $null = New-DockerTlsCertificate -DnsName cold.example.com -Path '{Path.Combine(scratch, "set" + i)}'"),
            };

            try
            {
                var samples = variants.Select(_ => new double[rounds]).ToArray();
                for (int v = 0; v < variants.Length; v++)
                {
                    Start(pwsh, variants[v].Script(-1 - v)); // warm the file cache once
                }

                for (int round = 0; round < rounds; round++)
                {
                    for (int v = 0; v < variants.Length; v++)
                    {
                        samples[v][round] = Start(pwsh, variants[v].Script(round));
                    }
                }

                double[] medians = samples.Select(Program.Median).ToArray();
                var report = new StringBuilder();
                report.AppendLine($"Cold start in fresh pwsh processes ({Path.GetFileName(Path.GetDirectoryName(pwsh))} pwsh {PwshVersion(root)}), medians of {rounds} interleaved rounds:");
                for (int v = 0; v < variants.Length; v++)
                {
                    string delta = v == 0 ? string.Empty : $"  (+{medians[v] - medians[0]:F0} ms over bare)";
                    report.AppendLine($"  {variants[v].Name,-62} {medians[v],6:F0} ms{delta}  {Program.Samples(samples[v])}");
                }

                double import = medians[2] - medians[0];
                double first = medians[3] - medians[0];
                report.AppendLine($"  import: +{import:F0} ms (target <= +{ImportTarget:F0}) {Program.Verdict(import <= ImportTarget)}; over the floor of any module: +{medians[2] - medians[1]:F0} ms");
                report.AppendLine($"  import + first set: +{first:F0} ms (target <= +{FirstSetTarget:F0}) {Program.Verdict(first <= FirstSetTarget)}");
                return report.ToString();
            }
            finally
            {
                Directory.Delete(scratch, recursive: true);
            }
        }

        private static double Start(string pwsh, string script)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string argument in new[] { pwsh, "-NoProfile", "-NonInteractive", "-Command", script })
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
            start.Environment["POWERSHELL_UPDATECHECK"] = "Off";
            var watch = Stopwatch.StartNew();
            using var process = Process.Start(start);
            string error = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            watch.Stop();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"pwsh -c \"{script}\" failed ({process.ExitCode}): {error}");
            }

            return watch.Elapsed.TotalMilliseconds;
        }

        // The pinned tool's pwsh.dll (dotnet tool restore puts it in the NuGet package folder).
        private static string FindPwsh(string root)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = root };
            foreach (string argument in new[] { "tool", "run", "pwsh", "--", "-NoProfile", "-Command", "Join-Path $PSHOME pwsh.dll" })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start);
            string path = process.StandardOutput.ReadToEnd().Trim().Split('\n').Last().Trim();
            process.WaitForExit();
            if (process.ExitCode != 0 || !File.Exists(path))
            {
                throw new InvalidOperationException("The pinned pwsh is not restored: run dotnet tool restore in the repository.");
            }

            return path;
        }

        private static string PwshVersion(string root)
            => System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "dotnet-tools.json"))).RootElement
                .GetProperty("tools").GetProperty("powershell").GetProperty("version").GetString();
    }
}

using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace AzDockerVm.Benchmarks
{
    /// <summary>
    /// Prints, in one run: (1) full Docker TLS set generation, the engine against the openssl recipe of Docker's
    /// documentation, for RSA-4096 and ECDSA P-256; (2) Import-Module of the built module in a fresh runspace of a warm
    /// process. Exit code 0 whatever the figures (it is a report); non-zero only when something fails.
    /// (3) the cold start users feel in fresh pwsh processes (ColdStartBenchmark); (4) New-AzDockerVm's graph walk against
    /// its critical path and a sequential provisioner, at a fixed latency per long-running operation (NewAzDockerVmBenchmark).
    /// Options: --rsa N (default 9 sets; RSA key generation time varies a lot, 5 gave unstable medians), --ec N (default 20 sets),
    /// --import N (default 15 runspaces), --cold N (default 11 rounds; 0 skips it), --only-cold,
    /// --vm N (default 5 rounds; 0 skips it), --vm-latency MS (default 500), --only-vm.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            try
            {
                int rsaSets = Option(args, "--rsa", 9), ecSets = Option(args, "--ec", 20), imports = Option(args, "--import", 15), cold = Option(args, "--cold", 11);
                int vmRounds = Option(args, "--vm", 5), vmLatency = Option(args, "--vm-latency", 500);
                Environment.SetEnvironmentVariable("POWERSHELL_TELEMETRY_OPTOUT", "1");
                Environment.SetEnvironmentVariable("POWERSHELL_UPDATECHECK", "Off");
                string root = RepoRoot();
                Console.WriteLine($"AzDockerVm benchmark — {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, " +
                    $"{RuntimeInformation.FrameworkDescription}, {OpenSslRecipe.Version()}");
                Console.WriteLine();

                if (Array.IndexOf(args, "--only-vm") >= 0)
                {
                    Console.WriteLine(NewAzDockerVmBenchmark.Run(Math.Max(1, vmRounds), vmLatency));
                    return 0;
                }

                if (cold > 0)
                {
                    Console.WriteLine(ColdStartBenchmark.Run(root, cold));
                }

                if (Array.IndexOf(args, "--only-cold") >= 0)
                {
                    return 0;
                }

                // Measured first, while neither the engine nor BouncyCastle is loaded in this process; reported second.
                string importReport = ImportBenchmark.Run(Path.Combine(root, "out", "AzDockerVm", "AzDockerVm.psd1"), imports);
                TlsSetBenchmark.Run(rsaSets, ecSets);
                Console.WriteLine();
                Console.Write(importReport);
                if (vmRounds > 0)
                {
                    Console.WriteLine();
                    Console.WriteLine(NewAzDockerVmBenchmark.Run(vmRounds, vmLatency));
                }

                return 0;
            }
            catch (Exception ex)
            {
                Console.Error.WriteLine("benchmark failed: " + ex);
                return 1;
            }
        }

        internal static double Median(double[] samples)
        {
            var sorted = samples.OrderBy(s => s).ToArray();
            int middle = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }

        internal static string Samples(double[] samples) => "[" + string.Join(" ", samples.Select(s => s.ToString("F0"))) + "]";

        internal static string Verdict(bool pass) => pass ? "PASS" : "MISS";

        internal static double Time(Action action)
        {
            var stopwatch = Stopwatch.StartNew();
            action();
            return stopwatch.Elapsed.TotalMilliseconds;
        }

        private static int Option(string[] args, string name, int fallback)
        {
            int index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1]) : fallback;
        }

        private static string RepoRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "AzDockerVm.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("AzDockerVm.sln not found above " + AppContext.BaseDirectory);
        }
    }
}

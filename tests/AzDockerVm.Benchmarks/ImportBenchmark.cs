using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace AzDockerVm.Benchmarks
{
    /// <summary>
    /// Import-Module of the built manifest in a fresh runspace of a warm process (what a user pays in every new
    /// session/job/runspace after the first). Baseline: opening that runspace (CreateDefault2) itself.
    /// </summary>
    internal static class ImportBenchmark
    {
        private const double TargetMilliseconds = 150;

        internal static string Run(string manifest, int runs)
        {
            if (!File.Exists(manifest))
            {
                throw new FileNotFoundException("Build the module first (dotnet build AzDockerVm.sln -c Release).", manifest);
            }

            var (coldOpen, coldImport) = Measure(manifest); // warm-up: JIT of PowerShell and of the module's loader
            var open = new double[runs];
            var import = new double[runs];
            for (int i = 0; i < runs; i++)
            {
                (open[i], import[i]) = Measure(manifest);
            }

            double median = Program.Median(import);
            return $"(2) Import-Module {manifest}\n" +
                $"    in a fresh runspace of a warm process; 1 warm-up, then {runs} runspaces (ms)\n" +
                $"    warm-up (first runspace and import in this process, JIT included): open {coldOpen:F0}, import {coldImport:F0}\n" +
                $"    baseline, opening the runspace itself: median {Program.Median(open),6:F1}  {Program.Samples(open)}\n" +
                $"    Import-Module:                         median {median,6:F1}  {Program.Samples(import)}\n" +
                $"    target Import-Module <= {TargetMilliseconds:F0} ms: {Program.Verdict(median <= TargetMilliseconds)}\n";
        }

        private static (double Open, double Import) Measure(string manifest)
        {
            Runspace runspace = null;
            try
            {
                double open = Program.Time(() =>
                {
                    runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
                    runspace.Open();
                });
                using var ps = PowerShell.Create();
                ps.Runspace = runspace;
                ps.AddCommand("Import-Module").AddParameter("Name", manifest).AddParameter("ErrorAction", ActionPreference.Stop);
                double import = Program.Time(() => ps.Invoke());
                if (ps.HadErrors || !ps.Runspace.SessionStateProxy.InvokeCommand.GetCmdlets("New-DockerTlsCertificate").Any())
                {
                    throw new InvalidOperationException("Import-Module did not import the module: " + string.Join("; ", ps.Streams.Error));
                }

                return (open, import);
            }
            finally
            {
                runspace?.Dispose();
            }
        }
    }
}

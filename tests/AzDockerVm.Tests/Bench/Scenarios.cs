using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace AzDockerVm.Tests.Bench
{
    /// <summary>Scenarios that must run in a fresh process, and the way tests start them.</summary>
    public static class Scenarios
    {
        private static readonly Dictionary<string, Func<string[], int>> s_scenarios = new Dictionary<string, Func<string[], int>>(StringComparer.Ordinal)
        {
            ["loaded-after-import"] = _ => LoadedAfterImport(),
            ["loaded-after-script"] = args => LoadedAfterScript(args[0]),
            ["set-after-other-azure-core"] = args => SetAfterOtherAzureCore(args[0]),
            ["set-when-arm-hangs"] = _ => SetWhenArmHangs().GetAwaiter().GetResult(),
        };

        public static int Run(string[] args)
        {
            if (args.Length == 0 || !s_scenarios.TryGetValue(args[0], out var scenario))
            {
                Console.Error.WriteLine("usage: AzDockerVm.Tests <" + string.Join("|", s_scenarios.Keys) + "> [args]");
                return 2;
            }

            return scenario(args.Skip(1).ToArray());
        }

        /// <summary>Starts `dotnet AzDockerVm.Tests.dll scenario args` and returns (exit code, stdout, stderr).</summary>
        public static (int ExitCode, string StdOut, string StdErr) Start(string scenario, params string[] args)
            => Start(TimeSpan.FromSeconds(120), scenario, args);

        public static (int ExitCode, string StdOut, string StdErr) Start(TimeSpan limit, string scenario, params string[] args)
        {
            var psi = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            psi.ArgumentList.Add(typeof(Scenarios).Assembly.Location);
            psi.ArgumentList.Add(scenario);
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var process = Process.Start(psi);
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(limit))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"scenario {scenario} did not finish in {limit.TotalSeconds} s");
            }

            return (process.ExitCode, stdout.Result, stderr.Result);
        }

        /// <summary>
        /// Imports the module, runs a script, then prints every loaded assembly as "name|load context type|location".
        /// </summary>
        private static int LoadedAfterScript(string script)
        {
            using (var ps = new PowerShellSession(importModule: true))
            {
                var run = ps.Run(script);
                if (run.Error != null)
                {
                    Console.Error.WriteLine(run.Describe());
                    return 1;
                }

                foreach (var a in AppDomain.CurrentDomain.GetAssemblies())
                {
                    var context = System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(a);
                    Console.WriteLine($"{a.GetName().Name}|{context?.GetType().Name}|{(a.IsDynamic ? "" : a.Location)}");
                }
            }

            return 0;
        }

        /// <summary>
        /// Loads another Azure.Core into the default context first (as Az.Accounts does), then imports the module and runs
        /// Set-AzDockerExtension against a fake ARM in this process. Prints "state=..." and, for every Azure.Core and
        /// Azure.ResourceManager loaded, "name|version|load context type|location".
        /// </summary>
        private static int SetAfterOtherAzureCore(string azureCorePath)
        {
            var preloaded = System.Reflection.Assembly.LoadFrom(azureCorePath);
            Console.WriteLine("preloaded=" + preloaded.GetName().Version);
            return SetAgainstFakeArm().GetAwaiter().GetResult();
        }

        private static async System.Threading.Tasks.Task<int> SetAgainstFakeArm()
        {
            await using (var bench = await Azure.AzureBench.StartAsync())
            {
                bench.AddVm();
                var run = bench.Ps.Run("Set-AzDockerExtension rg1 vm1");
                if (run.Error != null)
                {
                    Console.Error.WriteLine(run.Describe() + "\n" + run.Error.Exception);
                    return 1;
                }

                Console.WriteLine("state=" + run.Single().Properties["ProvisioningState"].Value);
            }

            foreach (var a in AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name is "Azure.Core" or "Azure.ResourceManager" or "Azure.ResourceManager.Compute"))
            {
                var context = System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(a);
                Console.WriteLine($"{a.GetName().Name}|{a.GetName().Version}|{context?.GetType().Name}|{a.Location}");
            }

            return 0;
        }

        /// <summary>
        /// Set-AzDockerExtension against a fake ARM that carries out the extension PUT but never answers it (in its own
        /// process: the SDK gives up only after its network timeout on every try, minutes). Prints what the user got.
        /// </summary>
        private static async System.Threading.Tasks.Task<int> SetWhenArmHangs()
        {
            await using var bench = await Azure.AzureBench.StartAsync();
            bench.AddVm();
            bench.Arm.Faults.On("PUT", "*/extensions/*").Times(100).Hang();
            var watch = Stopwatch.StartNew();
            var run = bench.Ps.Run("Set-AzDockerExtension rg1 vm1");
            Console.WriteLine("seconds=" + (int)watch.Elapsed.TotalSeconds);
            Console.WriteLine("id=" + run.Error?.FullyQualifiedErrorId);
            Console.WriteLine("category=" + run.Error?.CategoryInfo.Category);
            Console.WriteLine("target=" + run.Error?.TargetObject);
            Console.WriteLine("message=" + run.Error?.Exception.Message.Replace('\n', ' '));
            Console.WriteLine("action=" + run.Error?.ErrorDetails?.RecommendedAction);
            Console.WriteLine("puts=" + bench.Arm.ExtensionPuts.Count);
            var status = bench.Ps.Run("Get-AzDockerExtension rg1 vm1");
            Console.WriteLine("applied=" + (status.Error == null && status.Output.Count == 1 ? status.Single().Properties["ProvisioningState"].Value : "no"));
            return 0;
        }

        /// <summary>Prints the simple names of all assemblies loaded right after Import-Module, one per line.</summary>
        private static int LoadedAfterImport()
        {
            using (new PowerShellSession(importModule: true))
            {
                foreach (var a in AppDomain.CurrentDomain.GetAssemblies())
                {
                    Console.WriteLine(a.GetName().Name);
                }
            }

            return 0;
        }
    }
}

using System;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AzDockerVm.Loader
{
    /// <summary>
    /// The one place that knows about load contexts. The engine and every third-party assembly live in
    /// dependencies/ so that Az.Accounts (which hands out its own Azure.Core to anybody who asks) can't mix its
    /// copies with ours. On PowerShell 7 they load into a private <see cref="EngineLoadContext"/>; on Windows
    /// PowerShell 5.1 an AssemblyResolve handler answers requests that come from our own assemblies.
    /// </summary>
    internal static class DependencyLoader
    {
        internal const string EngineAssemblyName = "AzDockerVm.Engine";

        private static readonly object s_gate = new object();
        private static bool s_registered;

        internal static string ModuleDirectory { get; } = Path.GetDirectoryName(typeof(DependencyLoader).Assembly.Location);

        internal static string DependencyDirectory { get; } = Path.Combine(ModuleDirectory, "dependencies");

        internal static bool IsCoreClr { get; } =
            !RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);

        /// <summary>Idempotent; the handler is never removed (it is process-wide and answers only for our names).</summary>
        internal static void Register()
        {
            lock (s_gate)
            {
                if (s_registered)
                {
                    return;
                }

                if (IsCoreClr)
                {
                    RegisterCore();
                }
                else
                {
                    AppDomain.CurrentDomain.AssemblyResolve += ResolveForDesktop;
                }

                s_registered = true;
            }
        }

        // Kept out of line so that Windows PowerShell never JIT-compiles a reference to AssemblyLoadContext.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void RegisterCore() => EngineLoadContext.RegisterDefaultResolving(DependencyDirectory);

        private static Assembly ResolveForDesktop(object sender, ResolveEventArgs args)
        {
            var name = new AssemblyName(args.Name);
            bool fromUs = args.RequestingAssembly == null
                ? name.Name == EngineAssemblyName
                : IsOurs(args.RequestingAssembly);
            if (!fromUs)
            {
                return null;
            }

            string path = Path.Combine(DependencyDirectory, name.Name + ".dll");
            return File.Exists(path) ? Assembly.LoadFrom(path) : null;
        }

        private static bool IsOurs(Assembly assembly)
        {
            string location = assembly.IsDynamic ? null : assembly.Location;
            return !string.IsNullOrEmpty(location)
                && location.StartsWith(ModuleDirectory, StringComparison.OrdinalIgnoreCase);
        }
    }
}

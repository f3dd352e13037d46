using System;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace AzDockerVm.Loader
{
    /// <summary>
    /// PowerShell 7 only: a private load context for the engine. Its Load() answers FIRST from dependencies/, so a
    /// copy of Azure.Core (or any other library) already loaded into the default context by another module is never
    /// used by the engine. Assemblies the runtime itself ships at an equal or higher version are left to the runtime,
    /// so framework types exist only once.
    /// </summary>
    internal sealed class EngineLoadContext : AssemblyLoadContext
    {
        private static EngineLoadContext s_instance;
        private readonly string _dependencyDirectory;
        private readonly string _runtimeDirectory;

        private EngineLoadContext(string dependencyDirectory)
        {
            _dependencyDirectory = dependencyDirectory;
            _runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location);
        }

        internal static void RegisterDefaultResolving(string dependencyDirectory)
        {
            s_instance = new EngineLoadContext(dependencyDirectory);
            Default.Resolving += (context, name) =>
                string.Equals(name.Name, DependencyLoader.EngineAssemblyName, StringComparison.Ordinal)
                    ? s_instance.LoadFromAssemblyName(name)
                    : null;
        }

        protected override Assembly Load(AssemblyName assemblyName)
        {
            string path = Path.Combine(_dependencyDirectory, assemblyName.Name + ".dll");
            if (!File.Exists(path) || RuntimeShipsAtLeast(assemblyName.Name, path))
            {
                return null;
            }

            return LoadFromAssemblyPath(path);
        }

        private bool RuntimeShipsAtLeast(string simpleName, string ourPath)
        {
            string runtimeCopy = Path.Combine(_runtimeDirectory, simpleName + ".dll");
            if (!File.Exists(runtimeCopy))
            {
                return false;
            }

            Version ours = AssemblyName.GetAssemblyName(ourPath).Version;
            Version runtime = AssemblyName.GetAssemblyName(runtimeCopy).Version;
            return runtime >= ours;
        }
    }
}

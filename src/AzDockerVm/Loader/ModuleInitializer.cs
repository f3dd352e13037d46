using System.Management.Automation;

namespace AzDockerVm.Loader
{
    /// <summary>
    /// Runs once when PowerShell imports the module. It only registers the resolver that finds the engine in
    /// dependencies/; nothing from the engine (BouncyCastle, Azure, Docker.DotNet) is loaded until a cmdlet needs it.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer
    {
        public void OnImport() => DependencyLoader.Register();
    }
}

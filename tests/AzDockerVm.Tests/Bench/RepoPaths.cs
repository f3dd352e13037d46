using System;
using System.IO;

namespace AzDockerVm.Tests.Bench
{
    /// <summary>Where things are in the checkout the tests run from.</summary>
    public static class RepoPaths
    {
        public static string Root { get; } = FindRoot();

        public static string ModuleDirectory => Path.Combine(Root, "out", "AzDockerVm");

        public static string ModuleManifest => Path.Combine(ModuleDirectory, "AzDockerVm.psd1");

        private static string FindRoot()
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

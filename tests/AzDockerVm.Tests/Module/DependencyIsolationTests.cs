using System;
using System.IO;
using System.Linq;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Module
{
    public class DependencyIsolationTests
    {
        [Fact]
        public void The_engine_and_BouncyCastle_load_on_first_use_into_the_private_context_from_dependencies()
        {
            string dir = Path.Combine(Path.GetTempPath(), "azdv-iso-" + Guid.NewGuid().ToString("N"));
            try
            {
                var (exit, stdout, stderr) = Scenarios.Start("loaded-after-script",
                    $"New-DockerTlsCertificate -DnsName iso.example.test -Path '{dir}' | Out-Null");
                Assert.True(exit == 0, stderr);
                var rows = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                    .Select(l => l.Split('|'))
                    .Where(p => p.Length == 3)
                    .ToDictionary(p => p[0], p => (Context: p[1], Location: p[2]), StringComparer.Ordinal);
                string dependencies = Path.Combine(RepoPaths.ModuleDirectory, "dependencies");
                foreach (var name in new[] { "AzDockerVm.Engine", "BouncyCastle.Cryptography" })
                {
                    Assert.True(rows.ContainsKey(name), name + " was not loaded by the cmdlet");
                    Assert.Equal("EngineLoadContext", rows[name].Context);
                    Assert.Equal(Path.Combine(dependencies, name + ".dll"), rows[name].Location);
                }

                // The cmdlet assembly itself stays in the default context, loaded from the module folder.
                Assert.Equal("DefaultAssemblyLoadContext", rows["AzDockerVm"].Context);
                Assert.Equal(Path.Combine(RepoPaths.ModuleDirectory, "AzDockerVm.dll"), rows["AzDockerVm"].Location);
            }
            finally
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            }
        }

        [Fact]
        public void With_another_Azure_Core_loaded_first_Set_AzDockerExtension_works_on_the_engines_own_Azure_Core_from_dependencies()
        {
            string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
            packages = string.IsNullOrEmpty(packages) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages") : packages;
            string other = Path.Combine(packages, "azure.core", "1.36.0", "lib", "net6.0", "Azure.Core.dll");
            Assert.True(File.Exists(other), other + " (PackageDownload in the test project)");

            var (exit, stdout, stderr) = Scenarios.Start("set-after-other-azure-core", other);

            Assert.True(exit == 0, stderr + stdout);
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Contains("preloaded=1.36.0.0", lines);
            Assert.Contains("state=Succeeded", lines);
            var rows = lines.Select(l => l.Split('|')).Where(p => p.Length == 4).ToList();
            string dependencies = Path.Combine(RepoPaths.ModuleDirectory, "dependencies");
            Assert.Contains(rows, r => r[0] == "Azure.Core" && r[1] == "1.36.0.0" && r[2] == "DefaultAssemblyLoadContext" && r[3] == other);
            Assert.Contains(rows, r => r[0] == "Azure.Core" && r[1].StartsWith("1.64.0", StringComparison.Ordinal) && r[2] == "EngineLoadContext" && r[3] == Path.Combine(dependencies, "Azure.Core.dll"));
            foreach (var name in new[] { "Azure.ResourceManager", "Azure.ResourceManager.Compute" })
            {
                var row = Assert.Single(rows, r => r[0] == name);
                Assert.Equal("EngineLoadContext", row[2]);
                Assert.Equal(Path.Combine(dependencies, name + ".dll"), row[3]);
            }
        }
    }
}

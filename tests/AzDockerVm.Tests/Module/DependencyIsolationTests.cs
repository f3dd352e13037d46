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
    }
}

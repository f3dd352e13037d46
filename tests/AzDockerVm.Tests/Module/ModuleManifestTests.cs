using System;
using System.Linq;
using System.Reflection;
using System.Management.Automation;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Module
{
    public class ModuleManifestTests
    {
        [Fact]
        public void Test_ModuleManifest_passes_and_declares_both_editions_and_PowerShell_5_1()
        {
            using var ps = new PowerShellSession(importModule: false);
            var info = ps.Run("Test-ModuleManifest -Path $p -ErrorAction Stop", new { p = RepoPaths.ModuleManifest }).ThrowIfFailed().Single();

            Assert.Equal("AzDockerVm", info.Properties["Name"].Value);
            Assert.Equal(new Version(5, 1), info.Properties["PowerShellVersion"].Value);
            var editions = ((System.Collections.IEnumerable)info.Properties["CompatiblePSEditions"].Value).Cast<object>().Select(o => o.ToString()).ToArray();
            Assert.Equal(new[] { "Desktop", "Core" }, editions);
        }

        [Fact]
        public void Manifest_exports_exactly_the_cmdlets_the_assembly_defines_and_nothing_else()
        {
            using var ps = new PowerShellSession(importModule: false);
            // Import-PowerShellDataFile is a Utility cmdlet (absent here): read the manifest with the language instead.
            var data = ps.Run("& ([scriptblock]::Create([IO.File]::ReadAllText($p)))", new { p = RepoPaths.ModuleManifest }).ThrowIfFailed().Single();
            var table = (System.Collections.Hashtable)data.BaseObject;
            var declared = ((object[])table["CmdletsToExport"]).Select(o => o.ToString()).OrderBy(s => s).ToArray();
            Assert.DoesNotContain(declared, d => d.Contains('*'));
            Assert.Empty((object[])table["FunctionsToExport"]);
            Assert.Empty((object[])table["AliasesToExport"]);
            Assert.Empty((object[])table["VariablesToExport"]);
            Assert.Equal("AzDockerVm.dll", table["RootModule"]);
            Assert.Contains("AzDockerVm.format.ps1xml", ((object[])table["FormatsToProcess"]).Cast<string>());
            var psData = (System.Collections.Hashtable)((System.Collections.Hashtable)table["PrivateData"])["PSData"];
            var tags = ((object[])psData["Tags"]).Cast<string>().ToArray();
            Assert.Contains("PSEdition_Core", tags);
            Assert.Contains("PSEdition_Desktop", tags);
            foreach (var key in new[] { "ProjectUri", "LicenseUri", "ReleaseNotes" })
            {
                Assert.False(string.IsNullOrWhiteSpace(psData[key] as string), key + " is empty");
            }

            // The cmdlets that really exist: every [Cmdlet] type in the built cmdlet assembly.
            var defined = Assembly.LoadFile(System.IO.Path.Combine(RepoPaths.ModuleDirectory, "AzDockerVm.dll"))
                .GetExportedTypes()
                .Select(t => t.GetCustomAttribute<CmdletAttribute>())
                .Where(a => a != null)
                .Select(a => a.VerbName + "-" + a.NounName)
                .OrderBy(s => s)
                .ToArray();
            Assert.Equal(defined, declared);

            ps.Run("Import-Module $p", new { p = RepoPaths.ModuleManifest }).ThrowIfFailed();
            var exported = ps.Run("(Get-Command -Module AzDockerVm).Name").ThrowIfFailed().Output.Select(o => o.ToString()).OrderBy(s => s).ToArray();
            Assert.Equal(declared, exported);
        }

        [Fact]
        public void Import_loads_no_engine_BouncyCastle_Docker_or_Azure_assembly()
        {
            var (exit, stdout, stderr) = Scenarios.Start("loaded-after-import");
            Assert.True(exit == 0, stderr);
            var loaded = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Contains("AzDockerVm", loaded); // the import really happened in that process
            foreach (var forbidden in new[] { "AzDockerVm.Engine", "BouncyCastle.Cryptography", "Docker.DotNet", "Docker.DotNet.X509", "Azure.Core", "Azure.ResourceManager" })
            {
                Assert.DoesNotContain(forbidden, loaded);
            }
        }
    }
}

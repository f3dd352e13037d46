using System;
using System.IO;
using System.Linq;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Tls
{
    /// <summary>What New-DockerTlsCertificate does to the file system: -WhatIf, existing files, -Force, paths and names.</summary>
    public class NewDockerTlsCertificateSafetyTests
    {
        [Fact]
        public void WhatIf_writes_nothing_and_names_the_folder_and_the_files()
        {
            using var temp = new TempFolder();
            using var ps = new PowerShellSession();
            string folder = temp.Combine("set");

            var run = ps.Run("New-DockerTlsCertificate -DnsName docker.example.test -Path $p -WhatIf", new { p = folder }).ThrowIfFailed();

            Assert.Empty(run.Output);
            Assert.False(Directory.Exists(folder));
            Assert.Contains("What if:", run.HostText);
            Assert.Contains(folder, run.HostText);
            foreach (var name in new[] { "ca.pem", "ca-key.pem", "server-cert.pem", "server-key.pem", "cert.pem", "key.pem" })
            {
                Assert.Contains(name, run.HostText);
            }

            Assert.DoesNotContain("PRIVATE KEY", run.AllText());
        }

        [Fact]
        public void Existing_files_are_refused_without_Force_naming_them_and_changing_nothing()
        {
            using var temp = new TempFolder();
            using var ps = new PowerShellSession();
            string folder = temp.Combine("set");
            ps.Run("New-DockerTlsCertificate -DnsName docker.example.test -Path $p", new { p = folder }).ThrowIfFailed();
            var before = temp.Snapshot();

            var run = ps.Run("New-DockerTlsCertificate -DnsName docker.example.test -Path $p", new { p = folder });

            Assert.Equal("FileExists,AzDockerVm.Cmdlets.NewDockerTlsCertificateCommand", run.Error?.FullyQualifiedErrorId);
            Assert.Equal(System.Management.Automation.ErrorCategory.ResourceExists, run.Error.CategoryInfo.Category);
            Assert.Equal(folder, run.Error.TargetObject);
            foreach (var name in new[] { "ca.pem", "ca-key.pem", "server-cert.pem", "server-key.pem", "cert.pem", "key.pem" })
            {
                Assert.Contains(Path.Combine(folder, name), run.Error.Exception.Message);
            }

            Assert.Equal("Use -Force to overwrite them, or choose another -Path.", run.Error.ErrorDetails?.RecommendedAction);
            AssertUnchanged(before, temp.Snapshot());
        }

        [Fact]
        public void One_existing_file_is_enough_to_refuse_and_only_it_is_named()
        {
            using var temp = new TempFolder();
            using var ps = new PowerShellSession();
            string folder = temp.Combine("set");
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "server-cert.pem"), "keep me");

            var run = ps.Run("New-DockerTlsCertificate -IPAddress 10.0.0.4 -Path $p", new { p = folder });

            Assert.StartsWith("FileExists,", run.Error?.FullyQualifiedErrorId);
            Assert.Contains(Path.Combine(folder, "server-cert.pem"), run.Error.Exception.Message);
            Assert.DoesNotContain("ca.pem", run.Error.Exception.Message);
            Assert.Equal(new[] { Path.Combine(folder, "server-cert.pem") }, Directory.GetFiles(folder));
            Assert.Equal("keep me", File.ReadAllText(Path.Combine(folder, "server-cert.pem")));
        }

        [Fact]
        public void Force_overwrites_every_file_with_a_new_set_and_keeps_keys_owner_only()
        {
            using var temp = new TempFolder();
            using var ps = new PowerShellSession();
            string folder = temp.Combine("set");
            var first = ps.Run("New-DockerTlsCertificate -DnsName docker.example.test -Path $p", new { p = folder }).ThrowIfFailed().Single();
            var before = temp.Snapshot();

            var run = ps.Run("New-DockerTlsCertificate -DnsName docker.example.test -Path $p -Force -WhatIf", new { p = folder }).ThrowIfFailed();
            Assert.Contains("overwrite ca.pem, ca-key.pem, server-cert.pem, server-key.pem, cert.pem, key.pem", run.HostText);
            AssertUnchanged(before, temp.Snapshot());

            var second = ps.Run("New-DockerTlsCertificate -DnsName docker.example.test -Path $p -Force", new { p = folder }).ThrowIfFailed().Single();

            var after = temp.Snapshot();
            Assert.Equal(before.Keys.OrderBy(k => k), after.Keys.OrderBy(k => k));
            Assert.All(before.Keys, file => Assert.NotEqual(before[file].Bytes, after[file].Bytes));
            Assert.NotEqual(first.Properties["ServerThumbprint"].Value, second.Properties["ServerThumbprint"].Value);
            Assert.Equal(OpenSsl.Sha1Thumbprint(Path.Combine(folder, "server-cert.pem")), second.Properties["ServerThumbprint"].Value);
            foreach (var key in new[] { "ca-key.pem", "server-key.pem", "key.pem" })
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, key)));
            }
        }

        [Fact]
        public void SANs_are_deduplicated_localhost_appears_only_when_asked_and_the_first_name_is_the_CN()
        {
            using var temp = new TempFolder();
            using var ps = new PowerShellSession();
            var set = ps.Run(
                "New-DockerTlsCertificate -DnsName Docker.Example.test, docker.example.TEST, localhost -IPAddress 10.0.0.4, 127.0.0.1, 10.0.0.4, 2001:DB8:0::4, 2001:db8::4 -Path $p",
                new { p = temp.Combine("set") }).ThrowIfFailed().Single();

            Assert.Equal(new[] { "DNS:Docker.Example.test", "DNS:localhost", "IP:10.0.0.4", "IP:127.0.0.1", "IP:2001:db8::4" },
                OpenSsl.SubjectAltNames(temp.Combine("set", "server-cert.pem")));
            Assert.Equal(new[] { "Docker.Example.test", "localhost" }, (string[])set.Properties["DnsName"].Value);
            Assert.Equal(new[] { "10.0.0.4", "127.0.0.1", "2001:db8::4" }, (string[])set.Properties["IPAddress"].Value);
            Assert.Contains("Subject: CN = Docker.Example.test", OpenSsl.Text(temp.Combine("set", "server-cert.pem")));
        }

        [Fact]
        public void With_only_an_IP_address_the_IP_is_the_CN_and_CommonName_overrides_it()
        {
            using var temp = new TempFolder();
            using var ps = new PowerShellSession();
            ps.Run("New-DockerTlsCertificate -IPAddress 10.0.0.4 -Path $p", new { p = temp.Combine("a") }).ThrowIfFailed();
            ps.Run("New-DockerTlsCertificate -IPAddress 10.0.0.4 -CommonName my-docker-host -ValidityDays 30 -Path $p", new { p = temp.Combine("b") }).ThrowIfFailed();

            Assert.Contains("Subject: CN = 10.0.0.4", OpenSsl.Text(temp.Combine("a", "server-cert.pem")));
            Assert.Equal(new[] { "IP:10.0.0.4" }, OpenSsl.SubjectAltNames(temp.Combine("a", "server-cert.pem")));
            Assert.Contains("Subject: CN = my-docker-host", OpenSsl.Text(temp.Combine("b", "server-cert.pem")));
            Assert.InRange((OpenSsl.NotAfter(temp.Combine("b", "server-cert.pem")) - DateTime.UtcNow).TotalDays, 29.9, 30.0);
        }

        [Fact]
        public void Names_Path_and_addresses_bind_from_the_pipeline_by_property_name()
        {
            using var temp = new TempFolder();
            using var ps = new PowerShellSession();
            var run = ps.Run(
                "@([pscustomobject]@{ DnsName = 'one.example.test'; Path = $a }, [pscustomobject]@{ IPAddress = '10.0.0.9'; Path = $b }) | New-DockerTlsCertificate",
                new { a = temp.Combine("one"), b = temp.Combine("two") }).ThrowIfFailed();

            Assert.Equal(2, run.Output.Count);
            Assert.Equal(new[] { "DNS:one.example.test" }, OpenSsl.SubjectAltNames(temp.Combine("one", "server-cert.pem")));
            Assert.Equal(new[] { "IP:10.0.0.9" }, OpenSsl.SubjectAltNames(temp.Combine("two", "server-cert.pem")));
        }

        [Fact]
        public void Verbose_says_what_is_created_from_which_CA_and_where()
        {
            using var temp = new TempFolder();
            using var ps = new PowerShellSession();
            string folder = temp.Combine("set");
            var run = ps.Run("New-DockerTlsCertificate -DnsName docker.example.test -IPAddress 10.0.0.4 -Path $p -Verbose", new { p = folder }).ThrowIfFailed();

            Assert.Contains(run.Verbose, v => v.StartsWith("Creating a new CA (ECDSA_P256)"));
            Assert.Contains(run.Verbose, v => v.Contains("DNS: docker.example.test; IP: 10.0.0.4"));
            Assert.Contains(run.Verbose, v => v.Contains("ca.pem, ca-key.pem, server-cert.pem, server-key.pem, cert.pem, key.pem") && v.Contains(folder));
            Assert.DoesNotContain("PRIVATE KEY", run.AllText());
        }

        internal static void AssertUnchanged(System.Collections.Generic.IDictionary<string, (byte[] Bytes, DateTime Written)> before,
            System.Collections.Generic.IDictionary<string, (byte[] Bytes, DateTime Written)> after)
        {
            Assert.Equal(before.Keys.OrderBy(k => k), after.Keys.OrderBy(k => k));
            foreach (var file in before.Keys)
            {
                Assert.Equal(before[file].Bytes, after[file].Bytes);
                Assert.Equal(before[file].Written, after[file].Written);
            }
        }
    }

    /// <summary>Tests that change process-wide state ($env:DOCKER_CONFIG, the current directory) run alone.</summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public class NewDockerTlsCertificateProcessStateTests
    {
        [Fact]
        public void A_relative_Path_is_resolved_against_the_PowerShell_location_not_the_process_directory()
        {
            using var temp = new TempFolder();
            using var ps = new PowerShellSession();
            string original = Environment.CurrentDirectory;
            string location = temp.Combine("location"), processDirectory = temp.Combine("process");
            Directory.CreateDirectory(location);
            Directory.CreateDirectory(processDirectory);
            try
            {
                // PowerShell 7 moves the process directory along with Set-Location; move it away again to tell the two apart.
                var set = ps.Run(
                    "$null = $ExecutionContext.SessionState.Path.SetLocation($l); [Environment]::CurrentDirectory = $d; New-DockerTlsCertificate -DnsName docker.example.test -Path ./relative/set",
                    new { l = location, d = processDirectory }).ThrowIfFailed().Single();

                string expected = Path.Combine(location, "relative", "set");
                Assert.Equal(expected, set.Properties["Path"].Value);
                Assert.True(File.Exists(Path.Combine(expected, "server-cert.pem")));
                Assert.Empty(Directory.GetFileSystemEntries(processDirectory));
            }
            finally
            {
                Environment.CurrentDirectory = original;
            }
        }

        [Fact]
        public void Without_Path_the_set_goes_to_DOCKER_CONFIG_azdockervm_first_name()
        {
            using var temp = new TempFolder();
            using var ps = new PowerShellSession();
            string original = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
            try
            {
                var run = ps.Run(
                    "$env:DOCKER_CONFIG = $c; New-DockerTlsCertificate -DnsName docker.example.test -IPAddress 10.0.0.4; New-DockerTlsCertificate -DnsName *.apps.example.test; New-DockerTlsCertificate -IPAddress 2001:db8::4",
                    new { c = temp.Combine("docker-config") }).ThrowIfFailed();

                Assert.Equal(
                    new[] { temp.Combine("docker-config", "azdockervm", "docker.example.test"), temp.Combine("docker-config", "azdockervm", "wildcard.apps.example.test"),
                        temp.Combine("docker-config", "azdockervm", "2001_db8__4") },
                    run.Output.Select(o => (string)o.Properties["Path"].Value));
                Assert.All(run.Output, o => Assert.True(File.Exists(Path.Combine((string)o.Properties["Path"].Value, "key.pem"))));
            }
            finally
            {
                Environment.SetEnvironmentVariable("DOCKER_CONFIG", original);
            }
        }
    }
}

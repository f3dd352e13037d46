using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;
using AzDockerVm.Tests.Bench;
using AzDockerVm.Tests.Docker;
using Xunit;

namespace AzDockerVm.Tests.Tls
{
    /// <summary>
    /// Local files are written all or nothing, and only on the file system: a folder where a file must go, a file where
    /// a folder must be, a path of another provider, a commit that fails midway, and TLS files that do not belong
    /// together are each refused with a stable id, category and target, and the folders are as they were (hashes and
    /// times before and after). New-DockerTlsCertificate, New-DockerContext and Test-AzDockerHost; Set-AzDockerExtension's
    /// share is in SetAzDockerExtensionLocalFileTests.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class LocalFileSafetyTests : IDisposable
    {
        private static readonly string[] s_setFiles = { "ca.pem", "ca-key.pem", "server-cert.pem", "server-key.pem", "cert.pem", "key.pem" };

        private readonly TempFolder _temp = new TempFolder();
        private readonly EnvironmentScope _environment = new EnvironmentScope();
        private readonly PowerShellSession _ps = new PowerShellSession();
        private readonly string _dockerConfig;
        private readonly string _originalLocation = Environment.CurrentDirectory;

        public LocalFileSafetyTests()
        {
            _dockerConfig = _temp.Combine("docker-config");
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", _dockerConfig);
            // The session's location is a folder of the test: "written into the working directory" would show there.
            Directory.CreateDirectory(_temp.Combine("cwd"));
            _ps.Run("$null = $ExecutionContext.SessionState.Path.SetLocation($l)", new { l = _temp.Combine("cwd") }).ThrowIfFailed();
        }

        public void Dispose()
        {
            SetCommitHook(null);
            _ps.Dispose();
            _environment.Dispose();
            Environment.CurrentDirectory = _originalLocation;
            _temp.Dispose();
        }

        // ---- New-DockerTlsCertificate: targets that cannot be files ----

        [Theory]
        [InlineData("key.pem", "")]
        [InlineData("key.pem", "-Force")]
        [InlineData("server-key.pem", "")]
        [InlineData("ca.pem", "-Force")]
        [InlineData("cert.pem", "")]
        public void A_folder_named_like_a_file_of_the_set_is_TargetIsAFolder_and_nothing_is_written(string name, string force)
        {
            string folder = _temp.Combine("set");
            Directory.CreateDirectory(Path.Combine(folder, name));
            var before = _temp.Snapshot();

            var run = _ps.Run($"New-DockerTlsCertificate -DnsName h.example.test -Path $p {force}", new { p = folder });

            run.AssertRefused("TargetIsAFolder", ErrorCategory.ResourceExists, Path.Combine(folder, name));
            Assert.Contains("Nothing was written", run.Error.Exception.Message);
            Assert.Contains("never folders", run.Error.ErrorDetails.RecommendedAction);
            NewDockerTlsCertificateSafetyTests.AssertUnchanged(before, _temp.Snapshot());
            Assert.Equal(new[] { Path.Combine(folder, name) }, Directory.GetFileSystemEntries(folder));
        }

        [Fact]
        public void A_folder_named_like_a_file_among_existing_files_is_refused_even_with_Force_and_the_old_set_stays()
        {
            string folder = _temp.Combine("set");
            _ps.Run("$null = New-DockerTlsCertificate -DnsName h.example.test -Path $p", new { p = folder }).ThrowIfFailed();
            File.Delete(Path.Combine(folder, "server-key.pem"));
            Directory.CreateDirectory(Path.Combine(folder, "server-key.pem"));
            var before = _temp.Snapshot();

            var run = _ps.Run("New-DockerTlsCertificate -DnsName h.example.test -Path $p -Force", new { p = folder });

            run.AssertRefused("TargetIsAFolder", ErrorCategory.ResourceExists, Path.Combine(folder, "server-key.pem"));
            NewDockerTlsCertificateSafetyTests.AssertUnchanged(before, _temp.Snapshot());
        }

        [Theory]
        [InlineData("file")]
        [InlineData("file/sub")]
        [InlineData("file/sub/deeper")]
        public void A_file_where_a_folder_must_be_is_PathNotWritable_naming_it_and_nothing_is_written(string relative)
        {
            File.WriteAllText(_temp.Combine("file"), "not a folder");
            string path = Path.Combine(_temp.Path, relative);
            var before = _temp.Snapshot();

            var run = _ps.Run("New-DockerTlsCertificate -DnsName h.example.test -Path $p", new { p = path });

            run.AssertRefused("PathNotWritable", ErrorCategory.WriteError, path);
            Assert.Contains($"'{_temp.Combine("file")}' is a file, not a folder", run.Error.Exception.Message);
            NewDockerTlsCertificateSafetyTests.AssertUnchanged(before, _temp.Snapshot());
        }

        // ---- Paths of other providers, unknown drives, unusable strings ----

        public static TheoryData<string, string> NotFileSystemPaths => new TheoryData<string, string>
        {
            { "env:/AZDV_SET", "PathNotFileSystem" },
            { "Env:AZDV_SET", "PathNotFileSystem" },
            { "variable:/azdvSet", "PathNotFileSystem" },
            { "function:/azdvSet", "PathNotFileSystem" },
            { "alias:/azdv", "PathNotFileSystem" },
            { "nosuchdrive:/set", "InvalidPath" },
            { "HKLM:/SOFTWARE/azdv", "InvalidPath" },
            { "set\u0000nul", "InvalidPath" },
            { "set\nline", "InvalidPath" },
        };

        [Theory]
        [MemberData(nameof(NotFileSystemPaths))]
        public void New_DockerTlsCertificate_Path_of_another_provider_is_refused_and_nothing_lands_anywhere(string path, string errorId)
        {
            var before = _temp.Snapshot();

            var run = _ps.Run("New-DockerTlsCertificate -DnsName h.example.test -Path $p", new { p = path });

            run.AssertRefused(errorId, ErrorCategory.InvalidArgument, path);
            Assert.Contains("-Path", run.Error.Exception.Message);
            Assert.Contains("file-system path", run.Error.ErrorDetails.RecommendedAction);
            NewDockerTlsCertificateSafetyTests.AssertUnchanged(before, _temp.Snapshot());
            Assert.Empty(Directory.GetFileSystemEntries(_temp.Combine("cwd")));
            Assert.Null(Environment.GetEnvironmentVariable("AZDV_SET"));
        }

        [Theory]
        [MemberData(nameof(NotFileSystemPaths))]
        public void New_DockerTlsCertificate_CertificateAuthorityPath_of_another_provider_is_refused(string path, string errorId)
        {
            var before = _temp.Snapshot();

            var run = _ps.Run("New-DockerTlsCertificate -DnsName h.example.test -Path $p -CertificateAuthorityPath $ca", new { p = _temp.Combine("set"), ca = path });

            run.AssertRefused(errorId, ErrorCategory.InvalidArgument, path);
            Assert.Contains("-CertificateAuthorityPath", run.Error.Exception.Message);
            NewDockerTlsCertificateSafetyTests.AssertUnchanged(before, _temp.Snapshot());
        }

        [Theory]
        [MemberData(nameof(NotFileSystemPaths))]
        public void New_DockerContext_CertificatePath_of_another_provider_is_refused(string path, string errorId)
        {
            var run = _ps.Run("New-DockerContext -Name azdv -Endpoint tcp://127.0.0.1:2376 -CertificatePath $c", new { c = path });

            run.AssertRefused(errorId, ErrorCategory.InvalidArgument, path);
            Assert.Contains("-CertificatePath", run.Error.Exception.Message);
            Assert.False(Directory.Exists(_dockerConfig));
        }

        [Theory]
        [MemberData(nameof(NotFileSystemPaths))]
        public void Test_AzDockerHost_CertificatePath_of_another_provider_is_refused(string path, string errorId)
        {
            var run = _ps.Run("Test-AzDockerHost -Endpoint tcp://127.0.0.1:9 -CertificatePath $c -TimeoutSec 1", new { c = path });

            run.AssertRefused(errorId, ErrorCategory.InvalidArgument, path);
        }

        [Theory]
        [InlineData("env:/AZDV_CONFIG", "PathNotFileSystem")]
        [InlineData("variable:/azdvConfig", "PathNotFileSystem")]
        [InlineData("nosuchdrive:/docker", "InvalidPath")]
        public void DOCKER_CONFIG_of_another_provider_is_refused_for_the_default_set_folder_and_for_contexts(string dockerConfig, string errorId)
        {
            string set = _temp.Combine("given");
            _ps.Run("$null = New-DockerTlsCertificate -DnsName h.example.test -Path $p", new { p = set }).ThrowIfFailed();
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", dockerConfig);
            var before = _temp.Snapshot();

            var defaultFolder = _ps.Run("New-DockerTlsCertificate -DnsName h.example.test");
            var context = _ps.Run("New-DockerContext -Name azdv -Endpoint tcp://127.0.0.1:2376 -CertificatePath $c", new { c = set });

            defaultFolder.AssertRefused(errorId, ErrorCategory.InvalidArgument, dockerConfig);
            context.AssertRefused(errorId, ErrorCategory.InvalidArgument, dockerConfig);
            Assert.Contains("$env:DOCKER_CONFIG", context.Error.Exception.Message);
            NewDockerTlsCertificateSafetyTests.AssertUnchanged(before, _temp.Snapshot());
            Assert.Empty(Directory.GetFileSystemEntries(_temp.Combine("cwd")));
        }

        // ---- A commit that fails midway puts back what it had moved ----

        [Fact]
        public void A_commit_that_fails_midway_over_an_existing_set_puts_every_file_back_as_it_was()
        {
            string folder = _temp.Combine("set");
            _ps.Run("$null = New-DockerTlsCertificate -DnsName h.example.test -Path $p", new { p = folder }).ThrowIfFailed();
            var before = _temp.Snapshot();
            var reached = new List<string>();
            SetCommitHook(path =>
            {
                if (path.StartsWith(_temp.Path, StringComparison.Ordinal))
                {
                    reached.Add(Path.GetFileName(path));
                    if (Path.GetFileName(path) == "cert.pem")
                    {
                        throw new IOException("No space left on device (injected)");
                    }
                }
            });

            var run = _ps.Run("New-DockerTlsCertificate -DnsName h.example.test -Path $p -Force", new { p = folder });

            run.AssertRefused("PathNotWritable", ErrorCategory.WriteError, folder);
            Assert.Contains("put back as they were", run.Error.Exception.Message);
            // Four files had been moved into place before the fifth failed: all four are the old ones again.
            Assert.Equal(new[] { "ca.pem", "ca-key.pem", "server-cert.pem", "server-key.pem", "cert.pem" }, reached);
            var after = _temp.Snapshot();
            Assert.Equal(before.Keys.OrderBy(k => k), after.Keys.OrderBy(k => k));
            foreach (string file in before.Keys)
            {
                Assert.Equal(before[file].Bytes, after[file].Bytes);
            }

            foreach (string key in new[] { "ca-key.pem", "server-key.pem", "key.pem" })
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, key)));
            }
        }

        [Fact]
        public void A_commit_that_fails_midway_into_a_new_folder_leaves_no_file_and_no_folder()
        {
            string folder = _temp.Combine("new", "set");
            SetCommitHook(path =>
            {
                if (path.StartsWith(_temp.Path, StringComparison.Ordinal) && Path.GetFileName(path) == "server-key.pem")
                {
                    throw new UnauthorizedAccessException("Permission denied (injected)");
                }
            });
            var before = _temp.Snapshot();

            var run = _ps.Run("New-DockerTlsCertificate -DnsName h.example.test -Path $p", new { p = folder });

            run.AssertRefused("PathNotWritable", ErrorCategory.WriteError, folder);
            Assert.False(Directory.Exists(_temp.Combine("new")), "the folders the command made are removed again");
            NewDockerTlsCertificateSafetyTests.AssertUnchanged(before, _temp.Snapshot());
            Assert.DoesNotContain("PRIVATE KEY", run.AllText());
        }

        [Fact]
        public void A_commit_that_fails_midway_for_a_context_leaves_DOCKER_CONFIG_as_it_was()
        {
            string set = NewSet("a");
            SetCommitHook(path =>
            {
                if (path.StartsWith(_dockerConfig, StringComparison.Ordinal) && Path.GetFileName(path) == "meta.json")
                {
                    throw new IOException("Input/output error (injected)");
                }
            });

            var run = _ps.Run("New-DockerContext -Name azdv -Endpoint tcp://127.0.0.1:2376 -CertificatePath $c", new { c = set });

            run.AssertRefused("PathNotWritable", ErrorCategory.WriteError, "azdv");
            Assert.Empty(Directory.Exists(_dockerConfig) ? Directory.GetFiles(_dockerConfig, "*", SearchOption.AllDirectories) : Array.Empty<string>());
        }

        // ---- New-DockerContext: targets that cannot be files, files that do not belong together ----

        [Theory]
        [InlineData("contexts")]
        [InlineData("contexts/meta")]
        [InlineData("contexts/tls")]
        public void New_DockerContext_with_a_file_where_a_context_folder_must_be_is_PathNotWritable(string relative)
        {
            string set = NewSet("a");
            Directory.CreateDirectory(_dockerConfig);
            string blocker = Path.Combine(_dockerConfig, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(blocker));
            File.WriteAllText(blocker, "not a folder");
            var before = _temp.Snapshot();

            var run = _ps.Run("New-DockerContext -Name azdv -Endpoint tcp://127.0.0.1:2376 -CertificatePath $c", new { c = set });

            run.AssertRefused("PathNotWritable", ErrorCategory.WriteError, "azdv");
            Assert.Contains($"'{blocker}' is a file, not a folder", run.Error.Exception.Message);
            Assert.Contains("DOCKER_CONFIG", run.Error.ErrorDetails.RecommendedAction);
            NewDockerTlsCertificateSafetyTests.AssertUnchanged(before, _temp.Snapshot());
        }

        [Theory]
        [InlineData("key.pem")]
        [InlineData("meta.json")]
        public void New_DockerContext_with_a_folder_where_a_context_file_goes_is_TargetIsAFolder_even_with_Force(string name)
        {
            string set = NewSet("a");
            string hash = DockerSpecHelpers.ContextHash("azdv");
            string target = name == "meta.json"
                ? Path.Combine(_dockerConfig, "contexts", "meta", hash, "meta.json")
                : Path.Combine(_dockerConfig, "contexts", "tls", hash, "docker", name);
            Directory.CreateDirectory(target);
            var before = _temp.Snapshot();

            var run = _ps.Run("New-DockerContext -Name azdv -Endpoint tcp://127.0.0.1:2376 -CertificatePath $c -Force", new { c = set });

            run.AssertRefused("TargetIsAFolder", ErrorCategory.ResourceExists, target);
            NewDockerTlsCertificateSafetyTests.AssertUnchanged(before, _temp.Snapshot());
        }

        [Fact]
        public void New_DockerContext_with_a_key_that_is_not_the_key_of_cert_pem_is_ClientKeyMismatch()
        {
            string a = NewSet("a"), b = NewSet("b");
            File.Copy(Path.Combine(b, "key.pem"), Path.Combine(a, "key.pem"), overwrite: true);

            var run = _ps.Run("New-DockerContext -Name azdv -Endpoint tcp://127.0.0.1:2376 -CertificatePath $c", new { c = a });

            run.AssertRefused("ClientKeyMismatch", ErrorCategory.InvalidData, Path.Combine(a, "key.pem"));
            Assert.False(Directory.Exists(_dockerConfig));
            Assert.DoesNotContain("PRIVATE KEY", run.AllText());
        }

        [Fact]
        public void New_DockerContext_with_ca_pem_and_cert_pem_swapped_is_CertificateNotIssuedByCa_naming_the_swap()
        {
            string a = NewSet("a");
            string ca = File.ReadAllText(Path.Combine(a, "ca.pem"));
            File.WriteAllText(Path.Combine(a, "ca.pem"), File.ReadAllText(Path.Combine(a, "cert.pem")));
            File.WriteAllText(Path.Combine(a, "cert.pem"), ca);

            var run = _ps.Run("New-DockerContext -Name azdv -Endpoint tcp://127.0.0.1:2376 -CertificatePath $c", new { c = a });

            run.AssertRefused("CertificateNotIssuedByCa", ErrorCategory.InvalidData, Path.Combine(a, "cert.pem"));
            Assert.Contains("swapped", run.Error.Exception.Message);
            Assert.False(Directory.Exists(_dockerConfig));
        }

        [Fact]
        public void New_DockerContext_with_a_client_pair_of_another_CA_is_CertificateNotIssuedByCa()
        {
            string a = NewSet("a"), b = NewSet("b");
            foreach (string name in new[] { "cert.pem", "key.pem" })
            {
                File.Copy(Path.Combine(b, name), Path.Combine(a, name), overwrite: true);
            }

            var run = _ps.Run("New-DockerContext -Name azdv -Endpoint tcp://127.0.0.1:2376 -CertificatePath $c", new { c = a });

            run.AssertRefused("CertificateNotIssuedByCa", ErrorCategory.InvalidData, Path.Combine(a, "cert.pem"));
            Assert.False(Directory.Exists(_dockerConfig));
        }

        [Fact]
        public void New_DockerContext_accepts_a_set_issued_by_one_CA_among_several_in_ca_pem()
        {
            string a = NewSet("a"), b = NewSet("b");
            File.WriteAllText(Path.Combine(a, "ca.pem"), File.ReadAllText(Path.Combine(b, "ca.pem")) + File.ReadAllText(Path.Combine(a, "ca.pem")));

            _ps.Run("$null = New-DockerContext -Name azdv -Endpoint tcp://127.0.0.1:2376 -CertificatePath $c", new { c = a }).ThrowIfFailed();
        }

        [Theory]
        [InlineData("key.pem", "New-DockerContext -Name azdv -Endpoint tcp://127.0.0.1:2376 -CertificatePath $c")]
        [InlineData("ca.pem", "New-DockerContext -Name azdv -Endpoint tcp://127.0.0.1:2376 -CertificatePath $c")]
        [InlineData("cert.pem", "Test-AzDockerHost -Endpoint tcp://127.0.0.1:9 -CertificatePath $c -TimeoutSec 1")]
        public void A_folder_where_a_TLS_file_is_expected_is_FileNotFound_saying_it_is_a_folder(string name, string script)
        {
            string set = NewSet("a");
            File.Delete(Path.Combine(set, name));
            Directory.CreateDirectory(Path.Combine(set, name));

            var run = _ps.Run(script, new { c = set });

            run.AssertRefused("FileNotFound", ErrorCategory.ObjectNotFound, Path.Combine(set, name));
            Assert.Contains("is a folder, not a file", run.Error.Exception.Message);
            Assert.DoesNotContain("does not exist", run.Error.Exception.Message);
            Assert.False(Directory.Exists(_dockerConfig));
        }

        [Fact]
        public void A_CA_folder_whose_ca_pem_is_a_folder_is_CertificateAuthorityNotFound_saying_so()
        {
            string ca = _temp.Combine("ca");
            Directory.CreateDirectory(Path.Combine(ca, "ca.pem"));
            var before = _temp.Snapshot();

            var run = _ps.Run("New-DockerTlsCertificate -DnsName h.example.test -Path $p -CertificateAuthorityPath $ca", new { p = _temp.Combine("set"), ca });

            Assert.StartsWith("CertificateAuthorityNotFound,", run.Error?.FullyQualifiedErrorId);
            Assert.Contains("is a folder, not a file", run.Error.Exception.Message);
            NewDockerTlsCertificateSafetyTests.AssertUnchanged(before, _temp.Snapshot());
        }

        // ---- Names no certificate can carry ----

        [Theory]
        [InlineData("tcp://b\u00fccher.example:2376")]
        [InlineData("tcp://*.example.com:2376")]
        [InlineData("tcp://host_name.example:2376")]
        [InlineData("https://-lead.example:2376")]
        [InlineData("tcp://\u0445\u043e\u0441\u0442.example:2376")]
        public void An_endpoint_host_no_certificate_can_name_is_InvalidEndpoint(string endpoint)
        {
            string set = NewSet("a");

            var context = _ps.Run("New-DockerContext -Name azdv -Endpoint $e -CertificatePath $c", new { e = endpoint, c = set });
            var test = _ps.Run("Test-AzDockerHost -Endpoint $e -CertificatePath $c -TimeoutSec 1", new { e = endpoint, c = set });

            context.AssertRefused("InvalidEndpoint", ErrorCategory.InvalidArgument, endpoint);
            test.AssertRefused("InvalidEndpoint", ErrorCategory.InvalidArgument, endpoint);
            Assert.False(Directory.Exists(_dockerConfig));
        }

        [Fact]
        public void A_punycode_host_is_accepted_as_the_ASCII_name_it_is()
        {
            string set = NewSet("a");

            var info = _ps.Run("New-DockerContext -Name azdv -Endpoint tcp://xn--bcher-kva.example:2376 -CertificatePath $c", new { c = set }).ThrowIfFailed().Single();

            Assert.Equal("tcp://xn--bcher-kva.example:2376", info.Properties["Endpoint"].Value);
        }

        [Theory]
        [InlineData("docker\nhost", "docker\\u000ahost")]
        [InlineData("docker\rhost", "docker\\u000dhost")]
        [InlineData("\u202eevil", "\\u202eevil")]
        [InlineData("zero\u200bwidth", "zero\\u200bwidth")]
        [InlineData(" padded", " padded")]
        [InlineData("padded ", "padded ")]
        [InlineData("tab\there", "tab\\u0009here")]
        public void A_CommonName_with_control_or_format_characters_or_padding_is_InvalidCommonName_shown_escaped(string commonName, string shown)
        {
            var before = _temp.Snapshot();

            var run = _ps.Run("New-DockerTlsCertificate -DnsName h.example.test -CommonName $cn -Path $p", new { cn = commonName, p = _temp.Combine("set") });

            // The target and the message show the name with its invisible characters escaped, so they cannot hide.
            run.AssertRefused("InvalidCommonName", ErrorCategory.InvalidArgument, shown);
            Assert.Contains($"'{shown}'", run.Error.Exception.Message);
            NewDockerTlsCertificateSafetyTests.AssertUnchanged(before, _temp.Snapshot());
        }

        [Fact]
        public void A_CommonName_over_64_characters_is_refused_by_binding_and_64_are_accepted()
        {
            var refused = _ps.Run("New-DockerTlsCertificate -DnsName h.example.test -CommonName $cn -Path $p", new { cn = new string('a', 65), p = _temp.Combine("long") });
            Assert.StartsWith("ParameterArgumentValidationError,", refused.Error?.FullyQualifiedErrorId);
            Assert.False(Directory.Exists(_temp.Combine("long")));

            _ps.Run("$null = New-DockerTlsCertificate -DnsName h.example.test -CommonName $cn -Path $p", new { cn = new string('a', 64), p = _temp.Combine("ok") }).ThrowIfFailed();
            Assert.Contains("CN = " + new string('a', 64), OpenSsl.Text(_temp.Combine("ok", "server-cert.pem")));
        }

        // ---- helpers ----

        private string NewSet(string name)
        {
            string folder = _temp.Combine("sets", name);
            _ps.Run("$null = New-DockerTlsCertificate -DnsName h.example.test -IPAddress 127.0.0.1 -Path $p", new { p = folder }).ThrowIfFailed();
            return folder;
        }


        /// <summary>
        /// Sets StagedFileSet's commit hook in the engine the module loaded (its own load context): the test makes a
        /// rename fail midway without any switch in the product's parameters.
        /// </summary>
        internal static void SetCommitHook(Action<string> hook)
        {
            var engines = AssemblyLoadContext.All.SelectMany(c => c.Assemblies).Where(a => a.GetName().Name == "AzDockerVm.Engine").ToList();
            Assert.NotEmpty(engines);
            foreach (Assembly engine in engines)
            {
                PropertyInfo property = engine.GetType("AzDockerVm.Engine.IO.StagedFileSet", throwOnError: true)
                    .GetProperty("BeforeCommit", BindingFlags.NonPublic | BindingFlags.Static);
                Assert.NotNull(property);
                property.SetValue(null, hook);
            }
        }
    }
}

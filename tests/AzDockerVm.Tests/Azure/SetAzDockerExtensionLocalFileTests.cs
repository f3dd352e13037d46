using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography;
using System.Threading.Tasks;
using AzDockerVm.Tests.Bench;
using AzDockerVm.Tests.Tls;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>
    /// Set-AzDockerExtension's local files: paths of other providers and TLS sets that do not hold together are refused
    /// before any request; a folder that cannot take the TLS set or the context is refused before any write on Azure or
    /// on disk; and when something fails after the local files were written, the message says exactly what was kept,
    /// and the re-run reuses it.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class SetAzDockerExtensionLocalFileTests : IAsyncLifetime
    {
        private const string Fqdn = "vm1.westeurope.cloudapp.azure.com";
        private AzureBench _bench;
        private string _scratch;

        public async Task InitializeAsync()
        {
            _bench = await AzureBench.StartAsync();
            _bench.AddVm();
            _scratch = Path.Combine(Path.GetDirectoryName(_bench.DockerConfig), "scratch");
            Directory.CreateDirectory(_scratch);
            _bench.Ps.SetVariable("Scratch", _scratch);
            File.WriteAllText(Path.Combine(_scratch, "compose.yaml"), "services:\n  web:\n    image: nginx\n");
        }

        public async Task DisposeAsync()
        {
            LocalFileSafetyTests.SetCommitHook(null);
            await _bench.DisposeAsync();
        }

        private string TlsFolder => Path.Combine(_bench.DockerConfig, "azdockervm", Fqdn);

        public static TheoryData<string, string, string> PathRefusals => new TheoryData<string, string, string>
        {
            // script, error id, target
            { "Set-AzDockerExtension rg1 vm1 -CertificatePath env:/AZDV_TLS", "PathNotFileSystem", "env:/AZDV_TLS" },
            { "Set-AzDockerExtension rg1 vm1 -CertificatePath variable:/Scratch", "PathNotFileSystem", "variable:/Scratch" },
            { "Set-AzDockerExtension rg1 vm1 -CertificatePath nosuchdrive:/tls", "InvalidPath", "nosuchdrive:/tls" },
            { "Set-AzDockerExtension rg1 vm1 -ComposeFile env:/PATH", "PathNotFileSystem", "env:/PATH" },
            { "Set-AzDockerExtension rg1 vm1 -ComposeFile function:/prompt", "PathNotFileSystem", "function:/prompt" },
            { "Set-AzDockerExtension rg1 vm1 -ComposeFile nosuchdrive:/compose.yaml", "InvalidPath", "nosuchdrive:/compose.yaml" },
            { "Set-AzDockerExtension rg1 vm1 -ComposeFile \"compose`n.yaml\"", "InvalidPath", "compose\n.yaml" },
        };

        [Theory]
        [MemberData(nameof(PathRefusals))]
        public void A_path_of_another_provider_is_refused_before_any_request(string script, string errorId, string target)
        {
            var run = _bench.Ps.Run(script);

            run.AssertRefused(errorId, ErrorCategory.InvalidArgument, target);
            Assert.Empty(_bench.Arm.Requests);
            Assert.False(Directory.Exists(_bench.DockerConfig), "something was written to DOCKER_CONFIG");
        }

        [Theory]
        [InlineData("env:/AZDV_DOCKER_CONFIG", "PathNotFileSystem")]
        [InlineData("variable:/Scratch", "PathNotFileSystem")]
        [InlineData("nosuchdrive:/docker", "InvalidPath")]
        public void A_DOCKER_CONFIG_of_another_provider_is_refused_before_any_request(string dockerConfig, string errorId)
        {
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", dockerConfig);
            try
            {
                var run = _bench.Ps.Run("Set-AzDockerExtension rg1 vm1");

                run.AssertRefused(errorId, ErrorCategory.InvalidArgument, dockerConfig);
                Assert.Contains("$env:DOCKER_CONFIG", run.Error.Exception.Message);
                Assert.Empty(_bench.Arm.Requests);
            }
            finally
            {
                Environment.SetEnvironmentVariable("DOCKER_CONFIG", _bench.DockerConfig);
            }
        }

        [Fact]
        public void A_compose_file_that_is_a_folder_is_ComposeFileNotFound_saying_it_is_a_folder()
        {
            var run = _bench.Ps.Run("Set-AzDockerExtension rg1 vm1 -ComposeFile $Scratch");

            run.AssertRefused("ComposeFileNotFound", ErrorCategory.ObjectNotFound, _scratch);
            Assert.Contains("is a folder, not a file", run.Error.Exception.Message);
            Assert.Empty(_bench.Arm.Requests);
        }

        [Fact]
        public void A_given_set_whose_server_certificate_another_CA_issued_is_CertificateNotIssuedByCa_before_any_request()
        {
            string set = NewSet("given"), other = NewSet("other");
            File.Copy(Path.Combine(other, "ca.pem"), Path.Combine(set, "ca.pem"), overwrite: true);

            var run = _bench.Ps.Run("Set-AzDockerExtension rg1 vm1 -CertificatePath $F", new { F = set });

            run.AssertRefused("CertificateNotIssuedByCa", ErrorCategory.InvalidData, Path.Combine(set, "server-cert.pem"));
            Assert.Empty(_bench.Arm.Requests);
            Assert.False(Directory.Exists(_bench.DockerConfig));
        }

        [Fact]
        public void A_given_set_needs_only_its_server_side_no_context_is_made_from_it()
        {
            string set = NewSet("given");
            File.Delete(Path.Combine(set, "cert.pem"));
            File.Delete(Path.Combine(set, "key.pem"));

            var status = _bench.Ps.Run("Set-AzDockerExtension rg1 vm1 -CertificatePath $F", new { F = set }).ThrowIfFailed().Single();

            Assert.Equal("Succeeded", status.Properties["ProvisioningState"].Value);
            Assert.Null(status.Properties["DockerContext"].Value);
            Assert.False(Directory.Exists(Path.Combine(_bench.DockerConfig, "contexts")));
        }

        [Theory]
        [InlineData("contexts")]
        [InlineData("azdockervm")]
        public void A_file_where_a_DOCKER_CONFIG_folder_must_be_is_PathNotWritable_before_any_write_and_the_advice_fits_Set(string blocker)
        {
            Directory.CreateDirectory(_bench.DockerConfig);
            File.WriteAllText(Path.Combine(_bench.DockerConfig, blocker), "not a folder");

            var run = _bench.Ps.Run("Set-AzDockerExtension rg1 vm1");

            run.AssertRefused("PathNotWritable", ErrorCategory.WriteError, null);
            Assert.Contains($"'{Path.Combine(_bench.DockerConfig, blocker)}' is a file, not a folder", run.Error.Exception.Message);
            Assert.Contains("Nothing was written", run.Error.Exception.Message);
            string advice = run.Error.ErrorDetails.RecommendedAction;
            Assert.Contains("$env:DOCKER_CONFIG", advice);
            Assert.DoesNotContain("-Path", advice);
            Assert.Empty(_bench.Writes());
            Assert.Equal(new[] { Path.Combine(_bench.DockerConfig, blocker) }, Directory.GetFileSystemEntries(_bench.DockerConfig));
        }

        [Fact]
        public void With_NoDockerContext_an_unwritable_contexts_folder_does_not_matter()
        {
            Directory.CreateDirectory(_bench.DockerConfig);
            File.WriteAllText(Path.Combine(_bench.DockerConfig, "contexts"), "not a folder");

            var status = _bench.Ps.Run("Set-AzDockerExtension rg1 vm1 -NoDockerContext").ThrowIfFailed().Single();

            Assert.Equal("Succeeded", status.Properties["ProvisioningState"].Value);
            Assert.True(File.Exists(Path.Combine(TlsFolder, "server-cert.pem")));
        }

        [Fact]
        public void A_context_that_fails_midway_leaves_Azure_unchanged_keeps_the_new_TLS_set_says_so_and_the_re_run_reuses_it()
        {
            LocalFileSafetyTests.SetCommitHook(path =>
            {
                if (path.StartsWith(Path.Combine(_bench.DockerConfig, "contexts"), StringComparison.Ordinal) && Path.GetFileName(path) == "meta.json")
                {
                    throw new IOException("Input/output error (injected)");
                }
            });

            var failed = _bench.Ps.Run("Set-AzDockerExtension rg1 vm1");

            failed.AssertRefused("PathNotWritable", ErrorCategory.WriteError, "vm1");
            string message = failed.Error.Exception.Message;
            Assert.Contains("The docker context 'vm1' was not written", message);
            Assert.Contains($"the TLS set written to '{TlsFolder}' a moment before is kept", message);
            Assert.Contains("The VM 'vm1' was not changed", message);
            Assert.DoesNotContain("Nothing was written", message);
            Assert.Empty(_bench.Writes());
            string contexts = Path.Combine(_bench.DockerConfig, "contexts");
            Assert.Empty(Directory.Exists(contexts) ? Directory.GetFiles(contexts, "*", SearchOption.AllDirectories) : Array.Empty<string>());
            Assert.Equal(new[] { "ca-key.pem", "ca.pem", "cert.pem", "key.pem", "server-cert.pem", "server-key.pem" },
                Directory.GetFiles(TlsFolder).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray());
            string serverCert = Hash(Path.Combine(TlsFolder, "server-cert.pem"));

            LocalFileSafetyTests.SetCommitHook(null);
            var status = _bench.Ps.Run("Set-AzDockerExtension rg1 vm1").ThrowIfFailed().Single();

            Assert.Equal("Succeeded", status.Properties["ProvisioningState"].Value);
            Assert.Equal(serverCert, Hash(Path.Combine(TlsFolder, "server-cert.pem")));
            Assert.Equal("vm1", status.Properties["DockerContext"].Value);
            Assert.Single(_bench.Writes(), w => w.Contains("/extensions/", StringComparison.OrdinalIgnoreCase));
        }

        [Fact]
        public void When_Azure_fails_after_the_local_files_the_message_says_they_are_kept_and_the_re_run_reuses_them()
        {
            _bench.Arm.Faults.On("PUT", "*/extensions/*").Times(1).Error(403, "AuthorizationFailed", "The client does not have authorization to perform action (injected).");

            var failed = _bench.Ps.Run("Set-AzDockerExtension rg1 vm1");

            Assert.StartsWith("ArmAuthorizationFailed,", failed.Error?.FullyQualifiedErrorId);
            string message = failed.Error.Exception.Message;
            Assert.Contains($"Locally, the TLS set in '{TlsFolder}' and the docker context 'vm1' written before the change on Azure are kept", message);
            Assert.Contains("running the same command again reuses them", message);
            Assert.DoesNotContain("Nothing was written", message);
            string serverCert = Hash(Path.Combine(TlsFolder, "server-cert.pem"));
            string contextMeta = Path.Combine(_bench.DockerConfig, "contexts", "meta");
            Assert.Single(Directory.GetFiles(contextMeta, "meta.json", SearchOption.AllDirectories));

            var status = _bench.Ps.Run("Set-AzDockerExtension rg1 vm1").ThrowIfFailed().Single();

            Assert.Equal("Succeeded", status.Properties["ProvisioningState"].Value);
            Assert.Equal(serverCert, Hash(Path.Combine(TlsFolder, "server-cert.pem")));
            Assert.Single(Directory.GetFiles(contextMeta, "meta.json", SearchOption.AllDirectories));
        }

        private string NewSet(string name)
        {
            string folder = Path.Combine(_scratch, name);
            _bench.Ps.Run("$null = New-DockerTlsCertificate -DnsName $D -IPAddress 20.1.2.3 -Path $F", new { D = Fqdn, F = folder }).ThrowIfFailed();
            return folder;
        }

        private static string Hash(string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));

    }
}

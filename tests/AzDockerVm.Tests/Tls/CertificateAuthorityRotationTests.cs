using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using AzDockerVm.Tests.Bench;
using AzDockerVm.Tests.Docker;
using Xunit;

namespace AzDockerVm.Tests.Tls
{
    /// <summary>
    /// Start- and Complete-DockerTlsCertificateAuthorityRotation on local sets: the files of each phase (a new CA next
    /// to the old, a two-CA ca.pem, the old CA kept aside and its key deleted at the end, the server certificate
    /// re-issued only at the end), the client sets and docker contexts brought along, and every refusal with its id,
    /// category and target and not one byte, mode or folder changed anywhere under the test's root.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class CertificateAuthorityRotationTests : LocalSetTests
    {

        // ---- the phases ----

        [Fact]
        public void Start_puts_a_new_CA_next_to_the_old_keeps_the_old_CA_aside_keeps_the_server_certificate_and_moves_the_sets_client()
        {
            string set = NewSet("set");
            byte[] oldCa = File.ReadAllBytes(Path.Combine(set, "ca.pem")), oldCaKey = File.ReadAllBytes(Path.Combine(set, "ca-key.pem"));
            byte[] server = File.ReadAllBytes(Path.Combine(set, "server-cert.pem")), serverKey = File.ReadAllBytes(Path.Combine(set, "server-key.pem"));
            string oldCaThumbprint = Thumbprint(Path.Combine(set, "ca.pem"));

            var started = Ps.Run("Start-DockerTlsCertificateAuthorityRotation -Path $p", new { p = set }).ThrowIfFailed().Single();

            Assert.Equal("AzDockerVm.Models.DockerTlsCertificateAuthorityRotation", started.BaseObject.GetType().FullName);
            Assert.Equal("InProgress", started.Text("Status"));
            Assert.Null(started.Get("CompletionTime"));
            Assert.Equal(oldCaThumbprint, started.Text("OldCaThumbprint"));
            Assert.Matches(@"^CN=AzDockerVm CA docker-test\.example \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ, O=AzDockerVm$", started.Text("NewCaSubject"));
            Assert.Equal(new[] { Path.Combine(set, "cert.pem") }, (string[])started.Get("ReissuedCertificate"));

            // ca.pem: the old CA's bytes as they were, then the new CA; ca-key.pem: the new CA's key.
            byte[] bundle = File.ReadAllBytes(Path.Combine(set, "ca.pem"));
            Assert.Equal(oldCa, bundle.Take(oldCa.Length));
            var trusted = Certificates(Path.Combine(set, "ca.pem"));
            Assert.Equal(new[] { oldCaThumbprint, started.Text("NewCaThumbprint") }, trusted.Select(c => c.Thumbprint));
            Assert.Equal(started.Text("NewCaSubject"), trusted[1].Subject);
            Assert.True(KeyBelongsTo(Path.Combine(set, "ca-key.pem"), trusted[1]));
            Assert.Equal("600", DockerSpecHelpers.Mode(Path.Combine(set, "ca-key.pem")));
            Assert.Contains("NIST CURVE: P-256", OpenSsl.Text(Path.Combine(set, "ca.pem")));

            // The old CA and its key, kept aside (owner-only folder, owner-only key) with the state.
            string rotation = Path.Combine(set, "ca-rotation");
            Assert.Equal("700", DockerSpecHelpers.Mode(rotation));
            Assert.Equal(oldCa, File.ReadAllBytes(Path.Combine(rotation, "old-ca.pem")));
            Assert.Equal(oldCaKey, File.ReadAllBytes(Path.Combine(rotation, "old-ca-key.pem")));
            Assert.Equal("600", DockerSpecHelpers.Mode(Path.Combine(rotation, "old-ca-key.pem")));
            string state = File.ReadAllText(Path.Combine(rotation, "rotation.json"));
            Assert.Contains("\"status\": \"InProgress\"", state);
            Assert.Contains(oldCaThumbprint, state);
            Assert.Contains(started.Text("NewCaThumbprint"), state);
            Assert.DoesNotContain("PRIVATE", state);

            // The server certificate stays the old CA's: clients that trust only the old CA keep accepting the server.
            Assert.Equal(server, File.ReadAllBytes(Path.Combine(set, "server-cert.pem")));
            Assert.Equal(serverKey, File.ReadAllBytes(Path.Combine(set, "server-key.pem")));
            // The set's own client is the new CA's, same subject; the bundle verifies both.
            Assert.Equal(trusted[1].Subject, Issuer(Path.Combine(set, "cert.pem")));
            Assert.Contains("Subject: CN = client", OpenSsl.Text(Path.Combine(set, "cert.pem")));
            Assert.Equal("600", DockerSpecHelpers.Mode(Path.Combine(set, "key.pem")));
            Assert.Equal(0, OpenSsl.Verify(Path.Combine(set, "ca.pem"), "sslserver", Path.Combine(set, "server-cert.pem")).ExitCode);
            Assert.Equal(0, OpenSsl.Verify(Path.Combine(set, "ca.pem"), "sslclient", Path.Combine(set, "cert.pem")).ExitCode);
            Assert.Equal(2, Ps.Run("Get-DockerTlsCertificate -Path $p", new { p = set }).ThrowIfFailed().Output.Count(o => o.Text("Role") == "CA"));
        }

        [Fact]
        public void Complete_re_issues_the_server_certificate_from_the_new_CA_trusts_it_alone_and_deletes_the_old_CAs_key()
        {
            string set = NewSet("set");
            string oldClient = OpenSslTls.CopyClientFolder(set, Temp.Combine("old-client"));
            string oldServerSerial = OpenSsl.Serial(Path.Combine(set, "server-cert.pem"));
            var oldSans = OpenSsl.SubjectAltNames(Path.Combine(set, "server-cert.pem"));
            var started = Ps.Run("Start-DockerTlsCertificateAuthorityRotation -Path $p", new { p = set }).ThrowIfFailed().Single();
            byte[] newCaKey = File.ReadAllBytes(Path.Combine(set, "ca-key.pem")), movedClient = File.ReadAllBytes(Path.Combine(set, "cert.pem"));

            var completed = Ps.Run("Complete-DockerTlsCertificateAuthorityRotation -Path $p", new { p = set }).ThrowIfFailed().Single();

            Assert.Equal("Completed", completed.Text("Status"));
            Assert.NotNull(completed.Get("CompletionTime"));
            Assert.Equal(started.Text("NewCaThumbprint"), completed.Text("NewCaThumbprint"));
            Assert.Empty((string[])completed.Get("ReissuedCertificate"));
            Assert.Equal(new[] { started.Text("NewCaThumbprint") }, Certificates(Path.Combine(set, "ca.pem")).Select(c => c.Thumbprint));
            Assert.Equal(newCaKey, File.ReadAllBytes(Path.Combine(set, "ca-key.pem")));
            Assert.Equal(movedClient, File.ReadAllBytes(Path.Combine(set, "cert.pem")));

            string serverFile = Path.Combine(set, "server-cert.pem");
            Assert.NotEqual(oldServerSerial, OpenSsl.Serial(serverFile));
            Assert.Equal(oldSans, OpenSsl.SubjectAltNames(serverFile));
            Assert.Equal(started.Text("NewCaSubject"), Issuer(serverFile));
            Assert.Equal("600", DockerSpecHelpers.Mode(Path.Combine(set, "server-key.pem")));
            Assert.Equal(0, OpenSsl.Verify(Path.Combine(set, "ca.pem"), "sslserver", serverFile).ExitCode);
            Assert.Equal(0, OpenSsl.Verify(Path.Combine(set, "ca.pem"), "sslclient", Path.Combine(set, "cert.pem")).ExitCode);
            Assert.NotEqual(0, OpenSsl.Verify(Path.Combine(set, "ca.pem"), "sslclient", Path.Combine(oldClient, "cert.pem")).ExitCode);

            // The old CA's key is gone, its certificate kept for the record.
            Assert.Equal(new[] { "old-ca.pem", "rotation.json" }, DockerSpecHelpers.Tree(Path.Combine(set, "ca-rotation")));
            Assert.Contains("\"status\": \"Completed\"", File.ReadAllText(Path.Combine(set, "ca-rotation", "rotation.json")));
        }

        [Fact]
        public void A_set_rotates_again_after_a_completed_rotation_and_its_CA_is_named_afresh()
        {
            string set = NewSet("set");
            var first = Ps.Run("Start-DockerTlsCertificateAuthorityRotation -Path $p | Complete-DockerTlsCertificateAuthorityRotation", new { p = set }).ThrowIfFailed().Single();
            System.Threading.Thread.Sleep(1100); // the new CA's name carries the second of its start

            var second = Ps.Run("Start-DockerTlsCertificateAuthorityRotation -Path $p", new { p = set }).ThrowIfFailed().Single();

            Assert.Equal(first.Text("NewCaThumbprint"), second.Text("OldCaThumbprint"));
            Assert.Matches(@"^CN=AzDockerVm CA docker-test\.example \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ, O=AzDockerVm$", second.Text("NewCaSubject"));
            Assert.NotEqual(first.Text("NewCaSubject"), second.Text("NewCaSubject"));
            Assert.Equal(first.Text("NewCaThumbprint"), Thumbprint(Path.Combine(set, "ca-rotation", "old-ca.pem")));
            Assert.True(File.Exists(Path.Combine(set, "ca-rotation", "old-ca-key.pem")));
            Assert.Equal(0, OpenSsl.Verify(Path.Combine(set, "ca.pem"), "sslserver", Path.Combine(set, "server-cert.pem")).ExitCode);
        }

        [Fact]
        public void The_contexts_made_from_the_set_follow_each_phase()
        {
            string set = NewSet("set");
            var context = Ps.Run("New-DockerContext -Name rot -Endpoint tcp://127.0.0.1:2376 -CertificatePath $p", new { p = set }).ThrowIfFailed().Single();
            string tls = context.Text("TlsPath");

            var started = Ps.Run("Start-DockerTlsCertificateAuthorityRotation -Path $p", new { p = set }).ThrowIfFailed().Single();
            Assert.Equal(new[] { "rot" }, (string[])started.Get("DockerContext"));
            AssertSameFiles(set, tls, "ca.pem", "cert.pem", "key.pem");
            Assert.All(new[] { "ca.pem", "cert.pem", "key.pem" }, f => Assert.Equal("600", DockerSpecHelpers.Mode(Path.Combine(tls, f))));

            var completed = Ps.Run("Complete-DockerTlsCertificateAuthorityRotation -Path $p", new { p = set }).ThrowIfFailed().Single();
            Assert.Equal(new[] { "rot" }, (string[])completed.Get("DockerContext"));
            AssertSameFiles(set, tls, "ca.pem", "cert.pem", "key.pem");
        }

        [Fact]
        public void Client_sets_get_a_certificate_of_the_new_CA_and_the_bundle_at_the_start_and_the_new_CA_alone_at_the_completion()
        {
            string set = NewSet("set");
            string client = OpenSslTls.CopyClientFolder(set, Temp.Combine("laptop"));
            byte[] before = File.ReadAllBytes(Path.Combine(client, "cert.pem"));

            var started = Ps.Run("Start-DockerTlsCertificateAuthorityRotation -Path $p -ClientPath $c", new { p = set, c = client }).ThrowIfFailed().Single();

            Assert.Equal(new[] { client }, (string[])started.Get("ClientPath"));
            Assert.Equal(new[] { Path.Combine(set, "cert.pem"), Path.Combine(client, "cert.pem") }, (string[])started.Get("ReissuedCertificate"));
            Assert.NotEqual(before, File.ReadAllBytes(Path.Combine(client, "cert.pem")));
            Assert.NotEqual(File.ReadAllBytes(Path.Combine(set, "cert.pem")), File.ReadAllBytes(Path.Combine(client, "cert.pem")));
            Assert.Equal(File.ReadAllBytes(Path.Combine(set, "ca.pem")), File.ReadAllBytes(Path.Combine(client, "ca.pem")));
            Assert.Equal(started.Text("NewCaSubject"), Issuer(Path.Combine(client, "cert.pem")));
            Assert.True(KeyBelongsTo(Path.Combine(client, "key.pem"), X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(client, "cert.pem")))));

            // Piped: Complete takes the set and its client sets from Start's output.
            var completed = Ps.Run("$r | Complete-DockerTlsCertificateAuthorityRotation", new { r = started }).ThrowIfFailed().Single();
            Assert.Equal(new[] { client }, (string[])completed.Get("ClientPath"));
            Assert.Equal(File.ReadAllBytes(Path.Combine(set, "ca.pem")), File.ReadAllBytes(Path.Combine(client, "ca.pem")));
            Assert.Single(Certificates(Path.Combine(client, "ca.pem")));
        }

        [Fact]
        public void Mid_rotation_Update_renews_the_client_from_the_new_CA_and_New_DockerTlsCertificate_issues_from_it_with_the_bundle()
        {
            string set = NewSet("set");
            var started = Ps.Run("Start-DockerTlsCertificateAuthorityRotation -Path $p", new { p = set }).ThrowIfFailed().Single();

            Ps.Run("$null = Update-DockerTlsCertificate -Path $p -Client", new { p = set }).ThrowIfFailed();
            Assert.Equal(started.Text("NewCaSubject"), Issuer(Path.Combine(set, "cert.pem")));

            string next = Temp.Combine("next");
            Ps.Run("$null = New-DockerTlsCertificate -DnsName next.example.test -Path $n -CertificateAuthorityPath $p", new { n = next, p = set }).ThrowIfFailed();
            Assert.Equal(started.Text("NewCaSubject"), Issuer(Path.Combine(next, "cert.pem")));
            Assert.Equal(File.ReadAllBytes(Path.Combine(set, "ca.pem")), File.ReadAllBytes(Path.Combine(next, "ca.pem")));
        }

        [Fact]
        public void Mid_rotation_a_server_renewal_is_RotationInProgress_and_changes_nothing()
        {
            string set = NewSet("set");
            Ps.Run("$null = Start-DockerTlsCertificateAuthorityRotation -Path $p", new { p = set }).ThrowIfFailed();
            string before = DockerSpecHelpers.Snapshot(Temp.Path);

            foreach (string script in new[] { "Update-DockerTlsCertificate -Path $p", "Update-DockerTlsCertificate -Path $p -Server" })
            {
                var run = Ps.Run(script, new { p = set });
                run.AssertRefused("RotationInProgress", ErrorCategory.InvalidOperation, set);
                Assert.Contains("Complete-DockerTlsCertificateAuthorityRotation", run.Error.ErrorDetails.RecommendedAction);
            }

            Assert.Equal(before, DockerSpecHelpers.Snapshot(Temp.Path));
        }

        [Fact]
        public void WhatIf_writes_nothing_in_either_phase()
        {
            string set = NewSet("set");
            string before = DockerSpecHelpers.Snapshot(Temp.Path);
            var run = Ps.Run("Start-DockerTlsCertificateAuthorityRotation -Path $p -WhatIf", new { p = set }).ThrowIfFailed();
            Assert.Empty(run.Output);
            Assert.Contains("Start a CA rotation", run.HostText);
            Assert.Equal(before, DockerSpecHelpers.Snapshot(Temp.Path));

            Ps.Run("$null = Start-DockerTlsCertificateAuthorityRotation -Path $p", new { p = set }).ThrowIfFailed();
            before = DockerSpecHelpers.Snapshot(Temp.Path);
            run = Ps.Run("Complete-DockerTlsCertificateAuthorityRotation -Path $p -WhatIf", new { p = set }).ThrowIfFailed();
            Assert.Empty(run.Output);
            Assert.Contains("are refused once the daemon restarts", run.HostText);
            Assert.Equal(before, DockerSpecHelpers.Snapshot(Temp.Path));
        }

        [Fact]
        public void The_default_view_is_a_row_per_set_with_both_thumbprints_and_the_times()
        {
            string set = NewSet("set");
            var run = Ps.Run("Start-DockerTlsCertificateAuthorityRotation -Path $p | Out-Default", new { p = set }).ThrowIfFailed();
            string header = DockerSpecHelpers.WithoutAnsi(run.HostText).Split('\n').First(l => l.StartsWith("Path"));
            Assert.Equal(new[] { "Path", "Status", "OldCaThumbprint", "NewCaThumbprint", "StartTime", "CompletionTime" },
                header.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }

        [Fact]
        public void A_set_piped_several_times_is_rotated_once()
        {
            string set = NewSet("set");
            var run = Ps.Run("Get-DockerTlsCertificate -Path $p | Start-DockerTlsCertificateAuthorityRotation", new { p = set }).ThrowIfFailed();
            Assert.Single(run.Output);
            Assert.Equal(2, Certificates(Path.Combine(set, "ca.pem")).Count);
        }

        // ---- refusals: nothing changed ----

        [Fact]
        public void A_second_start_is_RotationInProgress()
        {
            string set = NewSet("set");
            Ps.Run("$null = Start-DockerTlsCertificateAuthorityRotation -Path $p", new { p = set }).ThrowIfFailed();
            AssertRefusedAndUnchanged("Start-DockerTlsCertificateAuthorityRotation -Path $p", set, "RotationInProgress", ErrorCategory.InvalidOperation, set);
        }

        [Fact]
        public void A_ca_pem_that_trusts_two_CAs_already_is_RotationInProgress()
        {
            string set = NewSet("set");
            File.AppendAllText(Path.Combine(set, "ca.pem"), File.ReadAllText(Path.Combine(NewSet("other"), "ca.pem")));
            AssertRefusedAndUnchanged("Start-DockerTlsCertificateAuthorityRotation -Path $p", set, "RotationInProgress", ErrorCategory.InvalidOperation, Path.Combine(set, "ca.pem"));
        }

        [Fact]
        public void Complete_without_a_start_and_a_second_completion_are_NoRotationInProgress()
        {
            string set = NewSet("set");
            AssertRefusedAndUnchanged("Complete-DockerTlsCertificateAuthorityRotation -Path $p", set, "NoRotationInProgress", ErrorCategory.InvalidOperation, set);
            Ps.Run("$null = Start-DockerTlsCertificateAuthorityRotation -Path $p | Complete-DockerTlsCertificateAuthorityRotation", new { p = set }).ThrowIfFailed();
            AssertRefusedAndUnchanged("Complete-DockerTlsCertificateAuthorityRotation -Path $p", set, "NoRotationInProgress", ErrorCategory.InvalidOperation, set);
        }

        [Fact]
        public void An_expired_CA_is_CertificateAuthorityExpired()
        {
            string set = Temp.Combine("expired");
            DateTimeOffset now = DateTimeOffset.UtcNow;
            using (var ca = HandMadeCa.Create(set, now.AddDays(-60), now.AddDays(-1)))
            {
                ca.IssueServer(set, now.AddDays(-59), now.AddDays(-2), HandMadeSet.DnsNames, HandMadeSet.IPAddresses);
                ca.IssueClient(set, now.AddDays(-59), now.AddDays(-2));
            }

            AssertRefusedAndUnchanged("Start-DockerTlsCertificateAuthorityRotation -Path $p", set, "CertificateAuthorityExpired", ErrorCategory.InvalidData, Path.Combine(set, "ca.pem"));
        }

        [Fact]
        public void A_CA_key_that_does_not_match_is_CertificateAuthorityKeyMismatch_at_the_start_and_at_the_completion()
        {
            string set = NewSet("set");
            File.Copy(Path.Combine(NewSet("other"), "ca-key.pem"), Path.Combine(set, "ca-key.pem"), overwrite: true);
            AssertRefusedAndUnchanged("Start-DockerTlsCertificateAuthorityRotation -Path $p", set, "CertificateAuthorityKeyMismatch", ErrorCategory.InvalidData, Path.Combine(set, "ca-key.pem"));

            string rotating = NewSet("rotating");
            Ps.Run("$null = Start-DockerTlsCertificateAuthorityRotation -Path $p", new { p = rotating }).ThrowIfFailed();
            // The old CA's key put back as ca-key.pem: it matches a CA of the bundle, but not the new CA the rotation started with.
            File.Copy(Path.Combine(rotating, "ca-rotation", "old-ca-key.pem"), Path.Combine(rotating, "ca-key.pem"), overwrite: true);
            AssertRefusedAndUnchanged("Complete-DockerTlsCertificateAuthorityRotation -Path $p", rotating, "CertificateAuthorityKeyMismatch", ErrorCategory.InvalidData, Path.Combine(rotating, "ca-key.pem"));
        }

        [Theory]
        [InlineData("an empty folder", "NotATlsSet", ErrorCategory.InvalidArgument)]
        [InlineData("a client set", "NotATlsSet", ErrorCategory.InvalidArgument)]
        [InlineData("a missing folder", "PathNotFound", ErrorCategory.ObjectNotFound)]
        [InlineData("no ca-key.pem", "CertificateAuthorityKeyNotFound", ErrorCategory.ObjectNotFound)]
        [InlineData("no server-key.pem", "FileNotFound", ErrorCategory.ObjectNotFound)]
        public void A_folder_that_is_not_a_host_set_with_its_CA_is_refused(string what, string errorId, ErrorCategory category)
        {
            string folder = Temp.Combine("case");
            string target = folder;
            switch (what)
            {
                case "an empty folder":
                    Directory.CreateDirectory(folder);
                    break;
                case "a client set":
                    OpenSslTls.CopyClientFolder(NewSet("host"), folder);
                    break;
                case "a missing folder":
                    break;
                case "no ca-key.pem":
                    NewSet("case");
                    File.Delete(target = Path.Combine(folder, "ca-key.pem"));
                    break;
                case "no server-key.pem":
                    NewSet("case");
                    File.Delete(target = Path.Combine(folder, "server-key.pem"));
                    break;
            }

            AssertRefusedAndUnchanged("Start-DockerTlsCertificateAuthorityRotation -Path $p", folder, errorId, category, target);
        }

        [Fact]
        public void A_client_set_of_another_CA_or_without_cert_pem_is_refused()
        {
            string set = NewSet("set");
            string stranger = OpenSslTls.CopyClientFolder(NewSet("other"), Temp.Combine("stranger"));
            AssertRefusedAndUnchanged("Start-DockerTlsCertificateAuthorityRotation -Path $p -ClientPath $c", set, "CertificateAuthorityMismatch", ErrorCategory.InvalidData,
                Path.Combine(stranger, "cert.pem"), stranger);

            string empty = Directory.CreateDirectory(Temp.Combine("empty")).FullName;
            AssertRefusedAndUnchanged("Start-DockerTlsCertificateAuthorityRotation -Path $p -ClientPath $c", set, "NotATlsSet", ErrorCategory.InvalidArgument, empty, empty);
        }

        [Fact]
        public void A_state_file_that_cannot_be_read_is_RotationStateInvalid()
        {
            string set = NewSet("set");
            Directory.CreateDirectory(Path.Combine(set, "ca-rotation"));
            File.WriteAllText(Path.Combine(set, "ca-rotation", "rotation.json"), "{ \"status\": \"Halfway\" }");
            foreach (string cmdlet in new[] { "Start", "Complete" })
            {
                AssertRefusedAndUnchanged(cmdlet + "-DockerTlsCertificateAuthorityRotation -Path $p", set, "RotationStateInvalid", ErrorCategory.InvalidData,
                    Path.Combine(set, "ca-rotation", "rotation.json"));
            }
        }

        /// <summary>The old key is set aside first; a failure of the last rename (the state file) or of the setting aside itself puts everything back.</summary>
        [Theory]
        [InlineData("rotation.json")]
        [InlineData("old-ca-key.pem")]
        public void A_failed_write_at_the_completion_leaves_every_file_as_it_was_the_old_CAs_key_included(string failing)
        {
            string set = NewSet("set");
            Ps.Run("$null = Start-DockerTlsCertificateAuthorityRotation -Path $p", new { p = set }).ThrowIfFailed();
            string before = DockerSpecHelpers.Snapshot(Temp.Path);
            var reached = new System.Collections.Generic.List<string>();
            LocalFileSafetyTests.SetCommitHook(path =>
            {
                reached.Add(Path.GetFileName(path));
                if (path == Path.Combine(set, "ca-rotation", failing))
                {
                    throw new IOException("Read-only file system (injected)");
                }
            });

            var run = Ps.Run("Complete-DockerTlsCertificateAuthorityRotation -Path $p", new { p = set });

            run.AssertRefused("PathNotWritable", ErrorCategory.WriteError, set);
            Assert.Equal(failing, reached.Last());
            Assert.Equal(failing == "rotation.json" ? new[] { "old-ca-key.pem", "ca.pem", "server-cert.pem", "server-key.pem", "rotation.json" } : new[] { "old-ca-key.pem" }, reached);
            Assert.Equal(before, DockerSpecHelpers.Snapshot(Temp.Path));
        }

        // ---- helpers ----

        private void AssertRefusedAndUnchanged(string script, string set, string errorId, ErrorCategory category, object target, string client = null)
        {
            string before = DockerSpecHelpers.Snapshot(Temp.Path);
            var run = Ps.Run(script, new { p = set, c = client });
            run.AssertRefused(errorId, category, target);
            Assert.False(string.IsNullOrEmpty(run.Error.ErrorDetails?.RecommendedAction), errorId + " has no advice");
            Assert.Equal(before, DockerSpecHelpers.Snapshot(Temp.Path));
        }

        private string NewSet(string name)
        {
            string folder = Temp.Combine(name);
            Ps.Run("$null = New-DockerTlsCertificate -DnsName docker-test.example -IPAddress 127.0.0.1 -Path $p", new { p = folder }).ThrowIfFailed();
            return folder;
        }

        private static void AssertSameFiles(string from, string to, params string[] names)
        {
            foreach (string name in names)
            {
                Assert.Equal(File.ReadAllBytes(Path.Combine(from, name)), File.ReadAllBytes(Path.Combine(to, name)));
            }
        }

        private static System.Collections.Generic.List<X509Certificate2> Certificates(string file)
        {
            var collection = new X509Certificate2Collection();
            collection.ImportFromPemFile(file);
            return collection.Cast<X509Certificate2>().ToList();
        }

        private static bool KeyBelongsTo(string keyFile, X509Certificate2 certificate)
        {
            try
            {
                using var paired = X509Certificate2.CreateFromPem(certificate.ExportCertificatePem(), File.ReadAllText(keyFile));
                return paired.HasPrivateKey;
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                return false;
            }
        }

        private static string Thumbprint(string file)
        {
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(file));
            return certificate.Thumbprint;
        }

        private static string Issuer(string file)
        {
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(file));
            return certificate.Issuer;
        }
    }
}

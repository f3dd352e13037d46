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
    /// Get-DockerTlsCertificate reads every certificate of a set the way openssl and .NET read it, as flat objects,
    /// warns before expiry, names every bad input with a stable id, and never reports (or changes) key material.
    /// </summary>
    public class GetDockerTlsCertificateTests : IClassFixture<GeneratedSets>, IDisposable
    {
        private readonly GeneratedSets _sets;
        private readonly TempFolder _temp = new TempFolder();
        private readonly PowerShellSession _ps = new PowerShellSession();

        public GetDockerTlsCertificateTests(GeneratedSets sets) => _sets = sets;

        public void Dispose()
        {
            _ps.Dispose();
            _temp.Dispose();
        }

        public static TheoryData<string> Algorithms => new TheoryData<string> { "ECDSA_P256", "ECDSA_P384", "RSA2048", "RSA3072", "RSA4096" };

        [Fact]
        public void A_new_set_is_three_certificates_whose_every_property_is_what_openssl_and_dotnet_read()
        {
            GeneratedSet set = _sets.Get("ECDSA_P256");
            var run = _ps.Run("Get-DockerTlsCertificate -Path $p", new { p = set.Folder }).ThrowIfFailed();

            Assert.Equal(new[] { "ca.pem:CA", "server-cert.pem:Server", "cert.pem:Client" }, run.Output.Select(o => o.Text("File") + ":" + o.Text("Role")));
            Assert.Empty(run.Warnings);
            foreach (PSObject certificate in run.Output)
            {
                Assert.Equal("AzDockerVm.Models.DockerTlsCertificate", certificate.BaseObject.GetType().FullName);
                string file = set.File(certificate.Text("File"));
                using var dotnet = X509Certificate2.CreateFromPem(File.ReadAllText(file));
                Assert.Equal(set.Folder, certificate.Text("Path"));
                Assert.Equal(file, certificate.Text("FullName"));
                Assert.Equal(file, certificate.BaseObject.ToString());
                Assert.Equal(dotnet.Subject, certificate.Text("Subject"));
                Assert.Equal(dotnet.Issuer, certificate.Text("Issuer"));
                Assert.Equal(OpenSsl.Sha1Thumbprint(file), certificate.Text("Thumbprint"));
                Assert.Equal(dotnet.Thumbprint, certificate.Text("Thumbprint"));
                Assert.Equal(Sha256(file), certificate.Text("Sha256Fingerprint"));
                Assert.Equal(OpenSsl.Serial(file), certificate.Text("SerialNumber"));
                Assert.Equal(dotnet.SerialNumber, certificate.Text("SerialNumber"));
                Assert.Equal(OpenSsl.NotBefore(file), (DateTime)certificate.Get("NotBefore"));
                Assert.Equal(OpenSsl.NotAfter(file), (DateTime)certificate.Get("NotAfter"));
                Assert.Equal(DateTimeKind.Utc, ((DateTime)certificate.Get("NotAfter")).Kind);
                Assert.Equal("ECDSA_P256", certificate.Text("KeyAlgorithm"));
                Assert.True((bool)certificate.Get("IssuedBySetCa"));
                Assert.True((bool)certificate.Get("KeyMatches"));
                int daysLeft = (int)certificate.Get("DaysLeft");
                double exact = (OpenSsl.NotAfter(file) - DateTime.UtcNow).TotalDays;
                Assert.InRange(daysLeft, (int)Math.Floor(exact) - 1, (int)Math.Floor(exact));
            }

            PSObject server = run.Output[1], client = run.Output[2], ca = run.Output[0];
            Assert.Equal(OpenSsl.SubjectAltNames(set.File("server-cert.pem")).Where(s => s.StartsWith("DNS:")).Select(s => s.Substring(4)), (string[])server.Get("DnsName"));
            Assert.Equal(OpenSsl.SubjectAltNames(set.File("server-cert.pem")).Where(s => s.StartsWith("IP:")).Select(s => s.Substring(3)), (string[])server.Get("IPAddress"));
            Assert.Equal(GeneratedSets.DnsNames, (string[])server.Get("DnsName"));
            Assert.Equal(GeneratedSets.IPAddresses, (string[])server.Get("IPAddress"));
            Assert.Empty((string[])client.Get("DnsName"));
            Assert.Empty((string[])ca.Get("IPAddress"));
            Assert.Equal(ca.Text("Subject"), server.Text("Issuer"));
            Assert.Equal(set.Property<string>("ServerThumbprint"), server.Text("Thumbprint"));
            Assert.Equal(set.Property<string>("ClientThumbprint"), client.Text("Thumbprint"));
            Assert.Equal(set.Property<string>("CaThumbprint"), ca.Text("Thumbprint"));
            Assert.Equal(set.Property<DateTime>("ServerNotAfter"), (DateTime)server.Get("NotAfter"));
        }

        [Theory]
        [MemberData(nameof(Algorithms))]
        public void KeyAlgorithm_uses_the_names_of_New_DockerTlsCertificates_KeyAlgorithm(string algorithm)
        {
            var run = _ps.Run("Get-DockerTlsCertificate -Path $p", new { p = _sets.Get(algorithm).Folder }).ThrowIfFailed();

            Assert.Equal(new[] { algorithm, algorithm, algorithm }, run.Output.Select(o => o.Text("KeyAlgorithm")));
        }

        [Fact]
        public void Keys_that_do_not_belong_are_KeyMatches_false_a_missing_key_is_null_and_a_foreign_certificate_is_not_IssuedBySetCa()
        {
            GeneratedSet set = _sets.Get("ECDSA_P256");
            string folder = CopyOf(set.Folder, "mixed");
            File.Copy(Path.Combine(folder, "server-key.pem"), Path.Combine(folder, "key.pem"), overwrite: true);
            File.Delete(Path.Combine(folder, "ca-key.pem"));
            using (HandMadeCa other = HandMadeCa.Create(_temp.Combine("other"), DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(100)))
            {
                other.IssueServer(folder, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(50), new[] { "other.example.test" }, null);
            }

            var run = _ps.Run("Get-DockerTlsCertificate $p", new { p = folder }).ThrowIfFailed();

            var byFile = run.Output.ToDictionary(o => o.Text("File"));
            Assert.Null(byFile["ca.pem"].Get("KeyMatches"));
            Assert.True((bool)byFile["server-cert.pem"].Get("KeyMatches"));
            Assert.False((bool)byFile["server-cert.pem"].Get("IssuedBySetCa"));
            Assert.Equal("CN=hand-made CA", byFile["server-cert.pem"].Text("Issuer"));
            Assert.False((bool)byFile["cert.pem"].Get("KeyMatches"));
            Assert.True((bool)byFile["cert.pem"].Get("IssuedBySetCa"));
        }

        [Fact]
        public void Every_CA_of_a_ca_pem_bundle_is_reported()
        {
            string folder = CopyOf(_sets.Get("ECDSA_P256").Folder, "bundle");
            File.AppendAllText(Path.Combine(folder, "ca.pem"), File.ReadAllText(_sets.Get("RSA2048").File("ca.pem")));

            var cas = _ps.Run("Get-DockerTlsCertificate $p | Where-Object Role -eq CA", new { p = folder }).ThrowIfFailed().Output;

            Assert.Equal(new[] { "ECDSA_P256", "RSA2048" }, cas.Select(c => c.Text("KeyAlgorithm")));
            Assert.Equal(new object[] { true, false }, cas.Select(c => c.Get("KeyMatches")));
        }

        [Fact]
        public void DaysLeft_is_whole_days_rounded_down_and_negative_once_expired_with_a_warning_within_WarningDays()
        {
            DateTimeOffset now = DateTimeOffset.UtcNow;
            string folder = _temp.Combine("expiring");
            using var ca = HandMadeSet.Create(folder, now.AddDays(-300), HandMadeSet.Second(now.AddDays(10.5)), HandMadeSet.Second(now.AddHours(-36)));

            var run = _ps.Run("Get-DockerTlsCertificate -Path $p", new { p = folder }).ThrowIfFailed();

            var byRole = run.Output.ToDictionary(o => o.Text("Role"));
            Assert.Equal(10, byRole["Server"].Get("DaysLeft"));
            Assert.Equal(-2, byRole["Client"].Get("DaysLeft"));
            Assert.InRange((int)byRole["CA"].Get("DaysLeft"), 3280, 3290);
            Assert.Equal(2, run.Warnings.Count);
            Assert.Contains(run.Warnings, w => w.Contains(Path.Combine(folder, "server-cert.pem")) && w.Contains("expires on") && w.Contains("in 10 day(s)"));
            Assert.Contains(run.Warnings, w => w.Contains(Path.Combine(folder, "cert.pem")) && w.Contains("expired on"));

            var five = _ps.Run("Get-DockerTlsCertificate -Path $p -WarningDays 5", new { p = folder }).ThrowIfFailed();
            Assert.Equal(3, five.Output.Count);
            Assert.Equal(new[] { "expired" }, five.Warnings.Select(w => w.Contains("expired on") ? "expired" : w));
            Assert.Single(_ps.Run("Get-DockerTlsCertificate -Path $p -WarningDays 0", new { p = folder }).ThrowIfFailed().Warnings);
            Assert.Equal(3, _ps.Run("Get-DockerTlsCertificate -Path $p -WarningDays 3650", new { p = folder }).ThrowIfFailed().Warnings.Count);
            Assert.StartsWith("ParameterArgumentValidationError,", _ps.Run("Get-DockerTlsCertificate -Path $p -WarningDays -1", new { p = folder }).Error.FullyQualifiedErrorId);
        }

        [Fact]
        public void Flat_objects_serve_a_Pester_style_expiry_check_and_the_default_view_shows_file_role_subject_expiry_and_days_left()
        {
            string folder = _sets.Get("ECDSA_P256").Folder;
            var check = _ps.Run("(Get-DockerTlsCertificate -Path $p).DaysLeft | ForEach-Object { $_ -gt 30 }", new { p = folder }).ThrowIfFailed();
            Assert.Equal(new object[] { true, true, true }, check.Output.Select(o => o.BaseObject));

            string table = DockerSpecHelpers.WithoutAnsi(_ps.Run("Get-DockerTlsCertificate -Path $p | Out-Default", new { p = folder }).ThrowIfFailed().HostText);
            string header = table.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("File"));
            Assert.Equal(new[] { "File", "Role", "Subject", "NotAfter", "DaysLeft" }, header.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("Path: " + folder, table);
        }

        [Fact]
        public void No_property_and_no_stream_carries_key_material()
        {
            GeneratedSet set = _sets.Get("RSA2048");
            var run = _ps.Run("$c = Get-DockerTlsCertificate -Path $p -Verbose -WarningDays 3650; $c; $c | Out-Default; $c | ForEach-Object { $_.PSObject.Properties | ForEach-Object { \"$($_.Name)=$($_.Value)\" } }", new { p = set.Folder }).ThrowIfFailed();

            string all = run.AllText();
            Assert.DoesNotContain("PRIVATE KEY", all);
            foreach (string key in new[] { "ca-key.pem", "server-key.pem", "key.pem" })
            {
                string body = string.Concat(File.ReadAllLines(set.File(key)).Where(l => !l.StartsWith("-----")));
                foreach (string line in File.ReadAllLines(set.File(key)).Where(l => !l.StartsWith("-----")))
                {
                    Assert.DoesNotContain(line, all);
                }

                Assert.DoesNotContain(body.Substring(0, 40), all.Replace("\n", string.Empty).Replace("\r", string.Empty));
            }

            var properties = run.Output.First(o => o.BaseObject is not string).Properties.Select(p => p.Name).ToList();
            Assert.Equal(new[] { "KeyAlgorithm", "KeyMatches" }, properties.Where(p => p.Contains("Key")));
        }

        [Fact]
        public void Takes_New_DockerTlsCertificates_set_paths_by_value_a_wildcard_and_Get_ChildItem_skipping_folders_that_are_no_set()
        {
            string parent = _temp.Combine("many");
            string a = CopyOf(_sets.Get("ECDSA_P256").Folder, Path.Combine("many", "a"));
            string b = CopyOf(_sets.Get("RSA2048").Folder, Path.Combine("many", "b"));
            Directory.CreateDirectory(Path.Combine(parent, "not-a-set"));
            File.WriteAllText(Path.Combine(parent, "readme.txt"), "x");

            Assert.Equal(3, _ps.Run("[AzDockerVm.Models.DockerTlsCertificateSet]@{ Path = $a } | Get-DockerTlsCertificate", new { a }).ThrowIfFailed().Output.Count);
            Assert.Equal(6, _ps.Run("$a, $b | Get-DockerTlsCertificate", new { a, b }).ThrowIfFailed().Output.Count);
            var wildcard = _ps.Run("Get-DockerTlsCertificate -Path ([IO.Path]::Combine($parent, '*'))", new { parent }).ThrowIfFailed();
            Assert.Equal(new[] { a, a, a, b, b, b }, wildcard.Output.Select(o => o.Text("Path")));
            Assert.Empty(wildcard.Errors);
            Assert.Empty(_ps.Run("Get-DockerTlsCertificate -Path ([IO.Path]::Combine($parent, 'z*'))", new { parent }).ThrowIfFailed().Output);
            var children = _ps.Run("$ExecutionContext.InvokeProvider.ChildItem.Get($parent, $false) | Where-Object { $_.PSIsContainer -and $_.Name -ne 'not-a-set' } | Get-DockerTlsCertificate", new { parent }).ThrowIfFailed();
            Assert.Equal(6, children.Output.Count);

            // A folder whose name holds wildcard characters is taken as it is by -LiteralPath.
            string odd = CopyOf(a, "odd[1]");
            Assert.Equal(3, _ps.Run("Get-DockerTlsCertificate -LiteralPath $p", new { p = odd }).ThrowIfFailed().Output.Count);
        }

        [Fact]
        public void A_hosts_CertificatePath_pipes_in_by_property_name()
        {
            string folder = _sets.Get("ECDSA_P256").Folder;
            var run = _ps.Run("[pscustomobject]@{ Name = 'dock1'; CertificatePath = $p } | Get-DockerTlsCertificate", new { p = folder }).ThrowIfFailed();

            Assert.Equal(3, run.Output.Count);
        }

        [Fact]
        public void A_folder_that_does_not_exist_is_PathNotFound_and_the_other_paths_go_on()
        {
            string missing = _temp.Combine("nosuch");
            string good = _sets.Get("ECDSA_P256").Folder;
            var run = _ps.Run("Get-DockerTlsCertificate -Path $m, $g", new { m = missing, g = good });

            Assert.Null(run.Terminating);
            var error = Assert.Single(run.Errors);
            Assert.StartsWith("PathNotFound,", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.Equal(missing, error.TargetObject);
            Assert.Contains("does not exist", error.Exception.Message);
            Assert.NotNull(error.ErrorDetails?.RecommendedAction);
            Assert.Equal(3, run.Output.Count);
            Assert.False(Directory.Exists(missing));
        }

        [Fact]
        public void A_folder_without_a_certificate_and_a_file_are_NotATlsSet()
        {
            string empty = _temp.Combine("empty");
            Directory.CreateDirectory(empty);
            File.WriteAllText(Path.Combine(empty, "server-key.pem"), "not read");
            _ps.Run("Get-DockerTlsCertificate -Path $p", new { p = empty }).AssertRefused("NotATlsSet", ErrorCategory.InvalidArgument, empty);

            string file = _sets.Get("ECDSA_P256").File("cert.pem");
            var run = _ps.Run("Get-DockerTlsCertificate -LiteralPath $p", new { p = file });
            run.AssertRefused("NotATlsSet", ErrorCategory.InvalidArgument, file);
            Assert.Contains("is a file", run.Error.Exception.Message);
        }

        [Fact]
        public void A_PEM_that_is_not_a_certificate_is_its_files_error_and_the_other_certificates_are_reported()
        {
            string folder = CopyOf(_sets.Get("ECDSA_P256").Folder, "bad");
            File.Copy(Path.Combine(folder, "server-key.pem"), Path.Combine(folder, "server-cert.pem"), overwrite: true);
            File.WriteAllText(Path.Combine(folder, "cert.pem"), "garbage\n");
            var before = _temp.Snapshot(folder);

            var run = _ps.Run("Get-DockerTlsCertificate -Path $p", new { p = folder });

            Assert.Null(run.Terminating);
            Assert.Equal(new[] { "ca.pem" }, run.Output.Select(o => o.Text("File")));
            var noCertificate = run.Errors.Single(e => e.TargetObject as string == Path.Combine(folder, "server-cert.pem"));
            Assert.StartsWith("PemNoCertificate,", noCertificate.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidData, noCertificate.CategoryInfo.Category);
            var garbage = run.Errors.Single(e => e.TargetObject as string == Path.Combine(folder, "cert.pem"));
            Assert.Equal(ErrorCategory.InvalidData, garbage.CategoryInfo.Category);
            Assert.Matches("^Pem(Invalid|NoCertificate),", garbage.FullyQualifiedErrorId);
            Assert.DoesNotContain("PRIVATE KEY", run.AllText().Replace("contains no PEM certificate", string.Empty));
            NewDockerTlsCertificateSafetyTests.AssertUnchanged(before, _temp.Snapshot(folder));
        }

        [Fact]
        public void A_certificate_with_a_byte_order_mark_is_PemHasByteOrderMark_as_Docker_would_reject_it()
        {
            string folder = CopyOf(_sets.Get("ECDSA_P256").Folder, "bom");
            OpenSslTls.PrependBom(Path.Combine(folder, "cert.pem"));

            var run = _ps.Run("Get-DockerTlsCertificate -Path $p", new { p = folder });

            var error = Assert.Single(run.Errors);
            Assert.StartsWith("PemHasByteOrderMark,", error.FullyQualifiedErrorId);
            Assert.Equal(Path.Combine(folder, "cert.pem"), error.TargetObject);
            Assert.Equal(2, run.Output.Count);
        }

        [Fact]
        public void A_path_of_another_provider_is_PathNotFileSystem()
        {
            _ps.Run("Get-DockerTlsCertificate -Path env:HOME").AssertRefused("PathNotFileSystem", ErrorCategory.InvalidArgument, "env:HOME");
        }

        [Fact]
        public void Reading_changes_nothing_in_the_set()
        {
            string folder = CopyOf(_sets.Get("ECDSA_P256").Folder, "untouched");
            var before = _temp.Snapshot(folder);

            _ps.Run("$null = Get-DockerTlsCertificate -Path $p", new { p = folder }).ThrowIfFailed();

            NewDockerTlsCertificateSafetyTests.AssertUnchanged(before, _temp.Snapshot(folder));
        }

        private string CopyOf(string folder, string name)
        {
            string copy = _temp.Combine(name);
            Directory.CreateDirectory(copy);
            foreach (string file in Directory.GetFiles(folder))
            {
                File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            }

            return copy;
        }

        private static string Sha256(string file)
            => OpenSsl.Ok("x509", "-in", file, "-noout", "-fingerprint", "-sha256").Trim().Split('=')[1].Replace(":", string.Empty);
    }
}

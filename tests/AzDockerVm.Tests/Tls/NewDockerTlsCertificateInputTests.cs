using System;
using System.Collections;
using System.IO;
using System.Management.Automation;
using System.Text;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Tls
{
    /// <summary>
    /// Every bad input is refused with a stable error id, category and target, before a single file is written
    /// (the target folder does not even get created).
    /// </summary>
    public class NewDockerTlsCertificateInputTests : IDisposable
    {
        private const string Cmdlet = ",AzDockerVm.Cmdlets.NewDockerTlsCertificateCommand";
        private readonly TempFolder _temp = new TempFolder();
        private readonly string _target;

        public NewDockerTlsCertificateInputTests() => _target = _temp.Combine("set");

        public void Dispose() => _temp.Dispose();

        [Fact]
        public void No_DNS_name_and_no_IP_address_is_NoSubjectAlternativeName()
        {
            var error = Refused(new Hashtable());
            AssertError(error, "NoSubjectAlternativeName", ErrorCategory.InvalidArgument, null);
            AssertError(Refused(new Hashtable { ["DnsName"] = new string[0], ["IPAddress"] = new string[0] }), "NoSubjectAlternativeName", ErrorCategory.InvalidArgument, null);
        }

        [Theory]
        [InlineData("1.2.3")]          // .NET alone would read 1.2.0.3
        [InlineData("10")]
        [InlineData("256.1.1.1")]
        [InlineData("010.0.0.1")]      // octal to some parsers
        [InlineData("0x0a.0.0.1")]
        [InlineData("10.0.0.4 ")]
        [InlineData("fe80::1%eth0")]   // a zone cannot go into a certificate
        [InlineData("[2001:db8::4]")]
        [InlineData("2001:db8:::4")]
        [InlineData("docker.example.test")]
        [InlineData("")]
        public void An_invalid_IP_address_is_InvalidIPAddress(string address)
        {
            var error = Refused(new Hashtable { ["DnsName"] = "docker.example.test", ["IPAddress"] = new[] { "10.0.0.4", address } });
            AssertError(error, "InvalidIPAddress", ErrorCategory.InvalidArgument, address);
        }

        [Theory]
        [InlineData("-docker.example.test")]
        [InlineData("docker-.example.test")]
        [InlineData("docker_host.example.test")]
        [InlineData("docker..example.test")]
        [InlineData("docker.example.test.")]
        [InlineData("dock er.example.test")]
        [InlineData("docker.*.example.test")]
        [InlineData("*docker.example.test")]
        [InlineData("*")]
        [InlineData("dockér.example.test")]
        [InlineData("10.0.0.4")]       // an address given as a name: useless as a DNS SAN
        [InlineData("")]
        public void An_invalid_DNS_name_is_InvalidDnsName(string name)
        {
            var error = Refused(new Hashtable { ["DnsName"] = new[] { "docker.example.test", name } });
            AssertError(error, "InvalidDnsName", ErrorCategory.InvalidArgument, name);
        }

        [Fact]
        public void DNS_labels_longer_than_63_characters_are_InvalidDnsName_and_63_is_fine()
        {
            string tooLong = new string('a', 64) + ".example.test";
            AssertError(Refused(new Hashtable { ["DnsName"] = tooLong }), "InvalidDnsName", ErrorCategory.InvalidArgument, tooLong);
            using var ps = new PowerShellSession();
            ps.Run("New-DockerTlsCertificate -DnsName $n -Path $p", new { n = new string('a', 63) + ".example.test", p = _target }).ThrowIfFailed();
        }

        [Theory]
        [InlineData(0)]
        [InlineData(-1)]
        [InlineData(3651)]
        [InlineData(100000)]
        public void ValidityDays_outside_1_to_3650_is_InvalidValidityDays(int days)
        {
            var error = Refused(new Hashtable { ["DnsName"] = "docker.example.test", ["ValidityDays"] = days });
            AssertError(error, "InvalidValidityDays", ErrorCategory.InvalidArgument, days);
        }

        [Fact]
        public void An_unknown_KeyAlgorithm_is_a_parameter_binding_error()
        {
            var error = Refused(new Hashtable { ["DnsName"] = "docker.example.test", ["KeyAlgorithm"] = "DSA1024" });
            Assert.StartsWith("CannotConvertArgumentNoMessage,", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.Contains("ECDSA_P256", error.Exception.Message); // PowerShell lists the valid names
        }

        [Fact]
        public void A_CA_folder_without_ca_pem_is_CertificateAuthorityNotFound()
        {
            string ca = _temp.Combine("ca");
            Directory.CreateDirectory(ca);
            AssertError(RefusedWithCa(ca), "CertificateAuthorityNotFound", ErrorCategory.ObjectNotFound, Path.Combine(ca, "ca.pem"));
            string missing = _temp.Combine("no-such-folder");
            AssertError(RefusedWithCa(missing), "CertificateAuthorityNotFound", ErrorCategory.ObjectNotFound, Path.Combine(missing, "ca.pem"));
        }

        [Fact]
        public void A_CA_folder_without_ca_key_pem_is_CertificateAuthorityKeyNotFound()
        {
            string ca = NewCa();
            File.Delete(Path.Combine(ca, "ca-key.pem"));
            AssertError(RefusedWithCa(ca), "CertificateAuthorityKeyNotFound", ErrorCategory.ObjectNotFound, Path.Combine(ca, "ca-key.pem"));
        }

        [Fact]
        public void A_CA_key_that_does_not_belong_to_ca_pem_is_CertificateAuthorityKeyMismatch()
        {
            string ca = NewCa();
            OpenSsl.Ok("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", Path.Combine(ca, "ca-key.pem"));
            AssertError(RefusedWithCa(ca), "CertificateAuthorityKeyMismatch", ErrorCategory.InvalidData, Path.Combine(ca, "ca-key.pem"));
        }

        [Fact]
        public void An_expired_CA_is_CertificateAuthorityExpired()
        {
            string ca = _temp.Combine("ca");
            OpenSsl.CreateSelfSignedCa(ca, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            var error = RefusedWithCa(ca);
            AssertError(error, "CertificateAuthorityExpired", ErrorCategory.InvalidData, Path.Combine(ca, "ca.pem"));
            Assert.Contains("2021-01-01", error.Exception.Message);
        }

        [Fact]
        public void A_certificate_that_is_not_a_CA_is_CertificateAuthorityNotCA()
        {
            string ca = _temp.Combine("ca");
            OpenSsl.CreateSelfSignedCa(ca, DateTime.UtcNow.AddDays(-1), DateTime.UtcNow.AddDays(30), isCa: false);
            AssertError(RefusedWithCa(ca), "CertificateAuthorityNotCA", ErrorCategory.InvalidData, Path.Combine(ca, "ca.pem"));

            // A server certificate with its own key is the classic mix-up.
            string leaf = NewCa("leaf");
            File.Copy(Path.Combine(leaf, "server-cert.pem"), Path.Combine(leaf, "ca.pem"), overwrite: true);
            File.Copy(Path.Combine(leaf, "server-key.pem"), Path.Combine(leaf, "ca-key.pem"), overwrite: true);
            AssertError(RefusedWithCa(leaf), "CertificateAuthorityNotCA", ErrorCategory.InvalidData, Path.Combine(leaf, "ca.pem"));
        }

        [Fact]
        public void A_ca_pem_with_a_UTF8_byte_order_mark_is_PemHasByteOrderMark()
        {
            string ca = NewCa();
            string caFile = Path.Combine(ca, "ca.pem");
            File.WriteAllText(caFile, File.ReadAllText(caFile), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
            var error = RefusedWithCa(ca);
            AssertError(error, "PemHasByteOrderMark", ErrorCategory.InvalidData, caFile);
            Assert.Contains("without BOM", error.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void A_ca_pem_or_ca_key_pem_that_is_not_PEM_is_PemInvalid()
        {
            string ca = NewCa();
            File.WriteAllText(Path.Combine(ca, "ca.pem"), "this is not a certificate\n");
            AssertError(RefusedWithCa(ca), "PemInvalid", ErrorCategory.InvalidData, Path.Combine(ca, "ca.pem"));

            string other = NewCa("ca2");
            File.WriteAllText(Path.Combine(other, "ca-key.pem"), File.ReadAllText(Path.Combine(other, "ca.pem")));
            AssertError(RefusedWithCa(other), "PemInvalid", ErrorCategory.InvalidData, Path.Combine(other, "ca-key.pem"));
        }

        [Fact]
        public void A_Path_below_a_file_is_PathNotWritable_found_before_any_key_is_generated()
        {
            string file = _temp.Combine("a-file");
            File.WriteAllText(file, "not a folder");
            string target = Path.Combine(file, "sub");
            var error = Refused(new Hashtable { ["DnsName"] = "docker.example.test", ["Path"] = target });
            AssertError(error, "PathNotWritable", ErrorCategory.WriteError, target);
            Assert.Equal("not a folder", File.ReadAllText(file));
        }

        [Fact]
        public void A_folder_the_file_system_cannot_create_is_PathNotWritable_and_leaves_nothing_behind()
        {
            // Root ignores permission bits, so use a failure root cannot bypass: a name longer than NAME_MAX (255).
            string target = _temp.Combine(new string('n', 300));
            var error = Refused(new Hashtable { ["DnsName"] = "docker.example.test", ["Path"] = target });
            AssertError(error, "PathNotWritable", ErrorCategory.WriteError, target);
            Assert.Empty(Directory.GetFileSystemEntries(_temp.Path));
        }

        private ErrorRecord Refused(Hashtable parameters)
        {
            if (!parameters.ContainsKey("Path"))
            {
                parameters["Path"] = _target;
            }

            using var ps = new PowerShellSession();
            var run = ps.Run("New-DockerTlsCertificate @Parameters", new { Parameters = parameters });
            Assert.True(run.Error != null, "expected an error; got " + run.Describe());
            Assert.Empty(run.Output);
            Assert.False(Directory.Exists(_target), "the target folder was created");
            Assert.DoesNotContain("PRIVATE KEY", run.AllText());
            return run.Error;
        }

        private ErrorRecord RefusedWithCa(string caFolder)
        {
            bool existed = Directory.Exists(caFolder);
            var before = existed ? _temp.Snapshot(caFolder) : null;
            var error = Refused(new Hashtable { ["DnsName"] = "docker.example.test", ["CertificateAuthorityPath"] = caFolder });
            if (existed)
            {
                NewDockerTlsCertificateSafetyTests.AssertUnchanged(before, _temp.Snapshot(caFolder));
            }

            return error;
        }

        private string NewCa(string name = "ca")
        {
            string folder = _temp.Combine(name);
            using var ps = new PowerShellSession();
            ps.Run("New-DockerTlsCertificate -DnsName ca.example.test -Path $p", new { p = folder }).ThrowIfFailed();
            return folder;
        }

        private static void AssertError(ErrorRecord error, string id, ErrorCategory category, object target)
        {
            Assert.Equal(id + Cmdlet, error.FullyQualifiedErrorId);
            Assert.Equal(category, error.CategoryInfo.Category);
            Assert.Equal(target, error.TargetObject);
        }
    }
}

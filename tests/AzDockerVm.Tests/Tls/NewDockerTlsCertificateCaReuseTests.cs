using System;
using System.IO;
using System.Linq;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Tls
{
    /// <summary>-CertificateAuthorityPath: more hosts from one CA, whose private key is only ever read.</summary>
    public class NewDockerTlsCertificateCaReuseTests
    {
        [Fact]
        public void Two_hosts_from_one_CA_leave_ca_key_pem_untouched_and_verify_against_the_original_CA()
        {
            using var temp = new TempFolder();
            using var ps = new PowerShellSession();
            string caFolder = temp.Combine("host-a");
            var first = ps.Run("New-DockerTlsCertificate -DnsName host-a.example.test -Path $p", new { p = caFolder }).ThrowIfFailed().Single();
            string caKey = Path.Combine(caFolder, "ca-key.pem");
            var before = temp.Snapshot(caFolder);

            var second = ps.Run("New-DockerTlsCertificate -DnsName host-b.example.test -IPAddress 10.0.0.5 -Path $p -CertificateAuthorityPath $ca",
                new { p = temp.Combine("host-b"), ca = caFolder }).ThrowIfFailed().Single();
            var third = ps.Run("New-DockerTlsCertificate -IPAddress 10.0.0.6 -Path $p -CertificateAuthorityPath $ca -KeyAlgorithm RSA2048",
                new { p = temp.Combine("host-c"), ca = caFolder }).ThrowIfFailed().Single();

            var after = temp.Snapshot(caFolder);
            Assert.Equal(before.Keys.OrderBy(k => k), after.Keys.OrderBy(k => k));
            Assert.Equal(before[caKey].Bytes, after[caKey].Bytes);
            Assert.Equal(before[caKey].Written, after[caKey].Written);
            foreach (var (set, folder) in new[] { (second, temp.Combine("host-b")), (third, temp.Combine("host-c")) })
            {
                Assert.True((bool)set.Properties["CaReused"].Value);
                Assert.Equal(caKey, set.Properties["CaKeyFile"].Value);
                Assert.Equal(first.Properties["CaThumbprint"].Value, set.Properties["CaThumbprint"].Value);
                Assert.Equal(new[] { "ca.pem", "cert.pem", "key.pem", "server-cert.pem", "server-key.pem" },
                    Directory.GetFiles(folder).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
                Assert.Equal(File.ReadAllBytes(Path.Combine(caFolder, "ca.pem")), File.ReadAllBytes(Path.Combine(folder, "ca.pem")));
                var verify = OpenSsl.Verify(Path.Combine(caFolder, "ca.pem"), null, Path.Combine(folder, "server-cert.pem"), Path.Combine(folder, "cert.pem"));
                Assert.True(verify.ExitCode == 0, verify.Output);
                Assert.Contains("Issuer: O = AzDockerVm, CN = AzDockerVm CA host-a.example.test", OpenSsl.Text(Path.Combine(folder, "server-cert.pem")));
            }

            Assert.Equal(new[] { "IP:10.0.0.6" }, OpenSsl.SubjectAltNames(temp.Combine("host-c", "server-cert.pem")));
            Assert.Contains("Public-Key: (2048 bit)", OpenSsl.Text(temp.Combine("host-c", "server-cert.pem")));
        }

        [Fact]
        public void Issues_from_a_CA_made_with_Dockers_openssl_recipe_signing_with_the_CAs_RSA_key()
        {
            using var temp = new TempFolder();
            string caFolder = temp.Combine("docs-ca");
            OpenSsl.CreateDocsRecipeCa(caFolder); // PKCS#1 "RSA PRIVATE KEY", as older OpenSSL wrote it
            using var ps = new PowerShellSession();
            ps.Run("New-DockerTlsCertificate -DnsName docker.example.test -Path $p -CertificateAuthorityPath $ca",
                new { p = temp.Combine("set"), ca = caFolder }).ThrowIfFailed();

            string server = temp.Combine("set", "server-cert.pem");
            Assert.Contains("Signature Algorithm: sha256WithRSAEncryption", OpenSsl.Text(server));
            Assert.Contains("NIST CURVE: P-256", OpenSsl.Text(server));
            // Not -x509_strict: the recipe's CA has no keyUsage extension, which strict mode (rightly) rejects.
            var verify = OpenSsl.Verify(strict: false, Path.Combine(caFolder, "ca.pem"), "sslserver", server);
            Assert.True(verify.ExitCode == 0, verify.Output);
            Assert.Equal(OpenSsl.Extension(Path.Combine(caFolder, "ca.pem"), "subjectKeyIdentifier").Value,
                OpenSsl.Extension(server, "authorityKeyIdentifier").Value);
        }

        [Fact]
        public void Issuing_into_the_CAs_own_folder_rewrites_neither_ca_pem_nor_ca_key_pem()
        {
            using var temp = new TempFolder();
            using var ps = new PowerShellSession();
            string folder = temp.Combine("set");
            ps.Run("New-DockerTlsCertificate -DnsName docker.example.test -Path $p", new { p = folder }).ThrowIfFailed();
            foreach (var leaf in new[] { "server-cert.pem", "server-key.pem", "cert.pem", "key.pem" })
            {
                File.Delete(Path.Combine(folder, leaf));
            }

            var before = temp.Snapshot(folder);
            var run = ps.Run("New-DockerTlsCertificate -DnsName docker2.example.test -Path $p -CertificateAuthorityPath $p -Verbose", new { p = folder }).ThrowIfFailed();

            var after = temp.Snapshot(folder);
            foreach (var name in new[] { "ca.pem", "ca-key.pem" })
            {
                string file = Path.Combine(folder, name);
                Assert.Equal(before[file].Bytes, after[file].Bytes);
                Assert.Equal(before[file].Written, after[file].Written);
            }

            Assert.Equal(6, after.Count);
            Assert.Contains(run.Verbose, v => v.Contains("existing CA") && v.Contains(folder));
            Assert.Contains(run.Verbose, v => v.StartsWith("Writing server-cert.pem, server-key.pem, cert.pem, key.pem to"));
        }

        [Fact]
        public void A_CA_expiring_before_the_requested_validity_cuts_the_certificates_short_with_a_warning()
        {
            using var temp = new TempFolder();
            string caFolder = temp.Combine("ca");
            DateTime caNotAfter = DateTime.UtcNow.Date.AddDays(30);
            OpenSsl.CreateSelfSignedCa(caFolder, DateTime.UtcNow.AddDays(-1), caNotAfter);
            using var ps = new PowerShellSession();

            var run = ps.Run("New-DockerTlsCertificate -DnsName docker.example.test -Path $p -CertificateAuthorityPath $ca -ValidityDays 365",
                new { p = temp.Combine("set"), ca = caFolder }).ThrowIfFailed();

            var set = run.Single();
            Assert.Contains(run.Warnings, w => w.Contains("expires") && w.Contains(Path.Combine(caFolder, "ca.pem")));
            Assert.Equal(caNotAfter, (DateTime)set.Properties["CaNotAfter"].Value);
            Assert.Equal(caNotAfter, (DateTime)set.Properties["ServerNotAfter"].Value);
            Assert.Equal(caNotAfter, OpenSsl.NotAfter(temp.Combine("set", "server-cert.pem")));
            Assert.Equal(caNotAfter, OpenSsl.NotAfter(temp.Combine("set", "cert.pem")));
        }

        [Fact]
        public void A_different_ca_pem_in_the_target_folder_is_replaced_only_with_Force_and_its_stale_CA_key_is_left_with_a_warning()
        {
            using var temp = new TempFolder();
            using var ps = new PowerShellSession();
            string target = temp.Combine("set"), otherCa = temp.Combine("other");
            ps.Run("New-DockerTlsCertificate -DnsName a.example.test -Path $p", new { p = target }).ThrowIfFailed();
            ps.Run("New-DockerTlsCertificate -DnsName b.example.test -Path $p", new { p = otherCa }).ThrowIfFailed();
            var before = temp.Snapshot(target);

            var refused = ps.Run("New-DockerTlsCertificate -DnsName a.example.test -Path $p -CertificateAuthorityPath $ca", new { p = target, ca = otherCa });
            Assert.StartsWith("FileExists,", refused.Error?.FullyQualifiedErrorId);
            Assert.Contains(Path.Combine(target, "ca.pem"), refused.Error.Exception.Message);
            Assert.Equal(before.Values.Select(v => v.Bytes), temp.Snapshot(target).Values.Select(v => v.Bytes));

            var forced = ps.Run("New-DockerTlsCertificate -DnsName a.example.test -Path $p -CertificateAuthorityPath $ca -Force", new { p = target, ca = otherCa }).ThrowIfFailed();
            Assert.Equal(File.ReadAllBytes(Path.Combine(otherCa, "ca.pem")), File.ReadAllBytes(Path.Combine(target, "ca.pem")));
            Assert.Equal(before[Path.Combine(target, "ca-key.pem")].Bytes, File.ReadAllBytes(Path.Combine(target, "ca-key.pem")));
            Assert.Contains(forced.Warnings, w => w.Contains(Path.Combine(target, "ca-key.pem")));
            Assert.Equal(0, OpenSsl.Verify(Path.Combine(otherCa, "ca.pem"), null, Path.Combine(target, "server-cert.pem")).ExitCode);
        }
    }
}

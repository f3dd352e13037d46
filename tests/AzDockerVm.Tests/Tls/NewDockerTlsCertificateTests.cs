using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace AzDockerVm.Tests.Tls
{
    /// <summary>
    /// New-DockerTlsCertificate creates, for every key algorithm, the set Docker's documentation describes: inspected here
    /// with the real openssl CLI the way a Docker administrator would.
    /// </summary>
    public class NewDockerTlsCertificateTests : IClassFixture<GeneratedSets>
    {
        private static readonly string[] s_dockerFileNames = { "ca.pem", "ca-key.pem", "server-cert.pem", "server-key.pem", "cert.pem", "key.pem" };
        private static readonly string[] s_keyFiles = { "ca-key.pem", "server-key.pem", "key.pem" };
        private static readonly string[] s_certificateFiles = { "ca.pem", "server-cert.pem", "cert.pem" };
        private readonly GeneratedSets _sets;

        public NewDockerTlsCertificateTests(GeneratedSets sets) => _sets = sets;

        public static TheoryData<string> Algorithms => new TheoryData<string> { "ECDSA_P256", "ECDSA_P384", "RSA2048", "RSA3072", "RSA4096" };

        /// <summary>Key algorithm → (openssl's signature name, public key description in `x509 -text`).</summary>
        public static TheoryData<string, string, string> SignaturesAndKeys => new TheoryData<string, string, string>
        {
            { "ECDSA_P256", "ecdsa-with-SHA256", "NIST CURVE: P-256" },
            { "ECDSA_P384", "ecdsa-with-SHA384", "NIST CURVE: P-384" },
            { "RSA2048", "sha256WithRSAEncryption", "Public-Key: (2048 bit)" },
            { "RSA3072", "sha256WithRSAEncryption", "Public-Key: (3072 bit)" },
            { "RSA4096", "sha256WithRSAEncryption", "Public-Key: (4096 bit)" },
        };

        [Theory]
        [MemberData(nameof(Algorithms))]
        public void Writes_exactly_the_six_files_Docker_expects(string algorithm)
        {
            var set = _sets.Get(algorithm);
            var written = Directory.GetFiles(set.Folder).Select(Path.GetFileName).OrderBy(n => n).ToArray();
            Assert.Equal(s_dockerFileNames.OrderBy(n => n), written);
            Assert.Equal(set.Folder, set.Property<string>("Path"));
            Assert.Equal(set.File("ca.pem"), set.Property<string>("CaCertificateFile"));
            Assert.Equal(set.File("ca-key.pem"), set.Property<string>("CaKeyFile"));
            Assert.Equal(set.File("server-cert.pem"), set.Property<string>("ServerCertificateFile"));
            Assert.Equal(set.File("server-key.pem"), set.Property<string>("ServerKeyFile"));
            Assert.Equal(set.File("cert.pem"), set.Property<string>("ClientCertificateFile"));
            Assert.Equal(set.File("key.pem"), set.Property<string>("ClientKeyFile"));
            Assert.False(set.Property<bool>("CaReused"));
            Assert.Equal(algorithm, set.Property<object>("KeyAlgorithm").ToString());
        }

        [Theory]
        [MemberData(nameof(Algorithms))]
        public void The_CA_is_a_critical_CA_that_may_only_sign_certificates_and_CRLs(string algorithm)
        {
            string ca = _sets.Get(algorithm).File("ca.pem");
            Assert.Equal((true, true, "CA:TRUE, pathlen:0"), OpenSsl.Extension(ca, "basicConstraints"));
            Assert.Equal((true, true, "Certificate Sign, CRL Sign"), OpenSsl.Extension(ca, "keyUsage"));
            var ski = OpenSsl.Extension(ca, "subjectKeyIdentifier");
            Assert.True(ski.Present);
            Assert.Contains(ski.Value, OpenSsl.Extension(ca, "authorityKeyIdentifier").Value);
            Assert.False(OpenSsl.Extension(ca, "extendedKeyUsage").Present);
        }

        [Theory]
        [MemberData(nameof(Algorithms))]
        public void The_server_certificate_names_exactly_the_DNS_names_and_IPs_asked_for_and_serves_TLS_only(string algorithm)
        {
            var set = _sets.Get(algorithm);
            string server = set.File("server-cert.pem");
            var expected = GeneratedSets.DnsNames.Select(n => "DNS:" + n).Concat(GeneratedSets.IPAddresses.Select(i => "IP:" + i));
            Assert.Equal(expected, OpenSsl.SubjectAltNames(server)); // no localhost, no 127.0.0.1 unless asked
            Assert.Equal((true, false, "TLS Web Server Authentication"), OpenSsl.Extension(server, "extendedKeyUsage"));
            string keyUsage = algorithm.StartsWith("RSA") ? "Digital Signature, Key Encipherment" : "Digital Signature";
            Assert.Equal((true, true, keyUsage), OpenSsl.Extension(server, "keyUsage"));
            Assert.Equal((true, true, "CA:FALSE"), OpenSsl.Extension(server, "basicConstraints"));
            Assert.Contains("Subject: CN = docker.example.test", OpenSsl.Text(server));
            Assert.Equal(GeneratedSets.DnsNames, set.Property<string[]>("DnsName"));
            Assert.Equal(GeneratedSets.IPAddresses, set.Property<string[]>("IPAddress"));
            Assert.Equal("docker.example.test", set.Property<string>("CommonName"));
        }

        [Theory]
        [MemberData(nameof(Algorithms))]
        public void The_client_certificate_is_for_client_authentication_only(string algorithm)
        {
            string client = _sets.Get(algorithm).File("cert.pem");
            Assert.Equal((true, false, "TLS Web Client Authentication"), OpenSsl.Extension(client, "extendedKeyUsage"));
            Assert.Equal((true, true, "Digital Signature"), OpenSsl.Extension(client, "keyUsage"));
            Assert.Equal((true, true, "CA:FALSE"), OpenSsl.Extension(client, "basicConstraints"));
            Assert.Empty(OpenSsl.SubjectAltNames(client));
            Assert.Contains("Subject: CN = client", OpenSsl.Text(client));
        }

        [Theory]
        [MemberData(nameof(Algorithms))]
        public void OpenSSL_verifies_server_and_client_against_ca_pem_for_their_purpose_only(string algorithm)
        {
            var set = _sets.Get(algorithm);
            string ca = set.File("ca.pem"), server = set.File("server-cert.pem"), client = set.File("cert.pem");
            var both = OpenSsl.Verify(ca, null, server, client);
            Assert.True(both.ExitCode == 0, both.Output);
            Assert.Equal(0, OpenSsl.Verify(ca, "sslserver", server).ExitCode);
            Assert.Equal(0, OpenSsl.Verify(ca, "sslclient", client).ExitCode);
            Assert.NotEqual(0, OpenSsl.Verify(ca, "sslclient", server).ExitCode);
            Assert.NotEqual(0, OpenSsl.Verify(ca, "sslserver", client).ExitCode);
        }

        [Theory]
        [MemberData(nameof(SignaturesAndKeys))]
        public void Certificates_use_the_key_type_asked_for_and_a_matching_SHA2_signature(string algorithm, string signature, string publicKey)
        {
            var set = _sets.Get(algorithm);
            foreach (var file in s_certificateFiles)
            {
                string text = OpenSsl.Text(set.File(file));
                Assert.Contains("Signature Algorithm: " + signature, text);
                Assert.Contains(publicKey, text);
            }
        }

        [Theory]
        [MemberData(nameof(Algorithms))]
        public void Serial_numbers_are_random_positive_128_bit_numbers(string algorithm)
        {
            var set = _sets.Get(algorithm);
            var serials = s_certificateFiles.Select(f => OpenSsl.Serial(set.File(f))).ToArray();
            foreach (var serial in serials)
            {
                Assert.Equal(32, serial.Length); // 16 octets
                Assert.InRange(Convert.ToInt32(serial.Substring(0, 1), 16), 4, 7); // positive, top octet used
            }

            Assert.Equal(3, serials.Distinct().Count());
        }

        [Theory]
        [MemberData(nameof(Algorithms))]
        public void Validity_starts_five_minutes_back_for_clock_skew_and_matches_the_output(string algorithm)
        {
            var set = _sets.Get(algorithm);
            foreach (var file in s_certificateFiles)
            {
                DateTime notBefore = OpenSsl.NotBefore(set.File(file));
                Assert.InRange(set.CreatedUtc - notBefore, TimeSpan.FromMinutes(4.5), TimeSpan.FromMinutes(7));
            }

            DateTime serverNotAfter = OpenSsl.NotAfter(set.File("server-cert.pem"));
            Assert.Equal(serverNotAfter, set.Property<DateTime>("ServerNotAfter"));
            Assert.Equal(DateTimeKind.Utc, set.Property<DateTime>("ServerNotAfter").Kind);
            Assert.Equal(OpenSsl.NotAfter(set.File("cert.pem")), set.Property<DateTime>("ClientNotAfter"));
            Assert.Equal(OpenSsl.NotAfter(set.File("ca.pem")), set.Property<DateTime>("CaNotAfter"));
            Assert.InRange((serverNotAfter - set.CreatedUtc).TotalDays, 824.9, 825.0); // the default -ValidityDays
            Assert.InRange((OpenSsl.NotAfter(set.File("ca.pem")) - set.CreatedUtc).TotalDays, 3649.9, 3650.0);
        }

        [Theory]
        [MemberData(nameof(Algorithms))]
        public void Thumbprints_are_uppercase_SHA1_like_Windows(string algorithm)
        {
            var set = _sets.Get(algorithm);
            Assert.Equal(OpenSsl.Sha1Thumbprint(set.File("ca.pem")), set.Property<string>("CaThumbprint"));
            Assert.Equal(OpenSsl.Sha1Thumbprint(set.File("server-cert.pem")), set.Property<string>("ServerThumbprint"));
            Assert.Equal(OpenSsl.Sha1Thumbprint(set.File("cert.pem")), set.Property<string>("ClientThumbprint"));
        }

        [Theory]
        [MemberData(nameof(Algorithms))]
        public void Private_keys_are_owner_only_PKCS8_and_belong_to_their_certificates(string algorithm)
        {
            var set = _sets.Get(algorithm);
            foreach (var key in s_keyFiles)
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(set.File(key)));
                Assert.StartsWith("-----BEGIN PRIVATE KEY-----\n", File.ReadAllText(set.File(key)));
            }

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(set.Folder));
            foreach (var (certificate, key) in new[] { ("ca.pem", "ca-key.pem"), ("server-cert.pem", "server-key.pem"), ("cert.pem", "key.pem") })
            {
                Assert.Equal(OpenSsl.Ok("x509", "-in", set.File(certificate), "-noout", "-pubkey"), OpenSsl.Ok("pkey", "-in", set.File(key), "-pubout"));
            }
        }

        [Theory]
        [MemberData(nameof(Algorithms))]
        public void Every_file_is_ASCII_PEM_without_a_byte_order_mark(string algorithm)
        {
            var set = _sets.Get(algorithm);
            foreach (var name in s_dockerFileNames)
            {
                byte[] bytes = File.ReadAllBytes(set.File(name));
                Assert.True(bytes.All(b => b < 0x80), name + " is not ASCII");
                Assert.StartsWith("-----BEGIN ", Encoding.ASCII.GetString(bytes));
                Assert.EndsWith("-----\n", Encoding.ASCII.GetString(bytes));
            }
        }

        [Theory]
        [MemberData(nameof(Algorithms))]
        public void The_output_object_and_its_table_view_carry_no_key_material(string algorithm)
        {
            var set = _sets.Get(algorithm);
            var values = set.Output.Properties
                .SelectMany(p => p.Value is IEnumerable e && !(p.Value is string) ? e.Cast<object>() : new[] { p.Value })
                .Select(v => v?.ToString() ?? string.Empty)
                .ToList();
            string everything = string.Join("\n", values) + "\n" + set.HostText;
            Assert.DoesNotContain("PRIVATE KEY", everything);
            foreach (var key in s_keyFiles)
            {
                string body = File.ReadAllLines(set.File(key)).Where(l => !l.StartsWith("-----")).OrderByDescending(l => l.Length).First();
                Assert.DoesNotContain(body, everything);
                Assert.DoesNotContain(body.Substring(10, 40), everything);
            }

            Assert.Equal("AzDockerVm.Models.DockerTlsCertificateSet", set.Output.BaseObject.GetType().FullName);
        }

        [Fact]
        public void The_default_table_shows_path_names_addresses_algorithm_and_server_expiry()
        {
            var set = _sets.Get("ECDSA_P256");
            // PowerShell 7 colours table headers with ANSI sequences; the words are what matter.
            string text = System.Text.RegularExpressions.Regex.Replace(set.HostText, "\u001b\\[[0-9;]*m", string.Empty);
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).ToArray();
            int header = Array.FindIndex(lines, l => l.TrimStart().StartsWith("Path"));
            Assert.True(header >= 0, text);
            Assert.Equal(new[] { "Path", "DnsName", "IPAddress", "KeyAlgorithm", "ServerNotAfter" },
                lines[header].Split(' ', StringSplitOptions.RemoveEmptyEntries));
            string row = lines[header + 2];
            Assert.Contains(set.Folder, row);
            Assert.Contains("docker.example.test, *.apps.example.test", row);
            Assert.Contains("10.0.0.4, 2001:db8::4", row);
            Assert.Contains("ECDSA_P256", row);
        }
    }
}

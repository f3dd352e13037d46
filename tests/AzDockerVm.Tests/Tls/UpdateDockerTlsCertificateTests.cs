using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography;
using AzDockerVm.Tests.Bench;
using AzDockerVm.Tests.Docker;
using Xunit;

namespace AzDockerVm.Tests.Tls
{
    /// <summary>
    /// Update-DockerTlsCertificate renews a local set from its own CA: new serials, validity and keys of the old
    /// algorithm, the same issuer, subject and (unless replaced) names; ca.pem and ca-key.pem untouched; the docker
    /// contexts made from the set refreshed with it, all or nothing. Every refusal names its id, category and target
    /// and leaves every file as it was (hashes and times of the set and of DOCKER_CONFIG).
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class UpdateDockerTlsCertificateTests : LocalSetTests
    {

        // ---- renewal ----

        [Fact]
        public void Renews_server_and_client_from_the_same_CA_with_new_serials_keys_and_validity_and_leaves_the_CA_files_untouched()
        {
            DateTimeOffset now = DateTimeOffset.UtcNow;
            string folder = Temp.Combine("hand");
            using (HandMadeSet.Create(folder, now.AddDays(-25), HandMadeSet.Second(now.AddDays(5)), HandMadeSet.Second(now.AddDays(5))))
            {
            }

            var before = Temp.Snapshot(folder);
            string oldServerSerial = OpenSsl.Serial(Path.Combine(folder, "server-cert.pem")), oldClientSerial = OpenSsl.Serial(Path.Combine(folder, "cert.pem"));
            string oldIssuer = Issuer(Path.Combine(folder, "server-cert.pem"));
            var oldSans = OpenSsl.SubjectAltNames(Path.Combine(folder, "server-cert.pem"));

            var run = Ps.Run("Update-DockerTlsCertificate -Path $p", new { p = folder }).ThrowIfFailed();

            Assert.Equal(new[] { "server-cert.pem:Server", "cert.pem:Client" }, run.Output.Select(o => o.Text("File") + ":" + o.Text("Role")));
            Assert.All(run.Output, o => Assert.Equal("AzDockerVm.Models.DockerTlsCertificate", o.BaseObject.GetType().FullName));
            string server = Path.Combine(folder, "server-cert.pem"), client = Path.Combine(folder, "cert.pem");
            Assert.NotEqual(oldServerSerial, OpenSsl.Serial(server));
            Assert.NotEqual(oldClientSerial, OpenSsl.Serial(client));
            Assert.Equal(OpenSsl.Serial(server), run.Output[0].Text("SerialNumber"));
            foreach (string file in new[] { server, client })
            {
                // The old certificates lived 30 days: so do the new ones, from now.
                Assert.InRange(OpenSsl.NotAfter(file), DateTime.UtcNow.AddDays(30).AddMinutes(-2), DateTime.UtcNow.AddDays(30).AddMinutes(1));
                Assert.InRange(OpenSsl.NotBefore(file), DateTime.UtcNow.AddMinutes(-6), DateTime.UtcNow.AddMinutes(-4));
                Assert.Equal(oldIssuer, Issuer(file));
                Assert.Contains("NIST CURVE: P-256", OpenSsl.Text(file));
            }

            Assert.Equal(oldSans, OpenSsl.SubjectAltNames(server));
            Assert.Contains("Subject: CN = hand-made server", OpenSsl.Text(server));
            Assert.Contains("Subject: CN = client", OpenSsl.Text(client));
            var verifyServer = OpenSsl.Verify(Path.Combine(folder, "ca.pem"), "sslserver", server);
            Assert.True(verifyServer.ExitCode == 0, verifyServer.Output);
            var verifyClient = OpenSsl.Verify(Path.Combine(folder, "ca.pem"), "sslclient", client);
            Assert.True(verifyClient.ExitCode == 0, verifyClient.Output);

            var after = Temp.Snapshot(folder);
            Assert.Equal(before.Keys.OrderBy(k => k), after.Keys.OrderBy(k => k)); // no staging file left behind
            foreach (string name in new[] { "ca.pem", "ca-key.pem" })
            {
                string file = Path.Combine(folder, name);
                Assert.Equal(before[file].Bytes, after[file].Bytes);
                Assert.Equal(before[file].Written, after[file].Written);
            }

            foreach (string name in new[] { "server-cert.pem", "server-key.pem", "cert.pem", "key.pem" })
            {
                string file = Path.Combine(folder, name);
                Assert.NotEqual(before[file].Bytes, after[file].Bytes);
                Assert.Equal("-----BEGIN ", System.Text.Encoding.ASCII.GetString(after[file].Bytes, 0, 11)); // PEM, no BOM
            }

            Assert.Equal("600", DockerSpecHelpers.Mode(Path.Combine(folder, "server-key.pem")));
            Assert.Equal("600", DockerSpecHelpers.Mode(Path.Combine(folder, "key.pem")));
            Assert.Equal(new object[] { true, true }, run.Output.Select(o => o.Get("KeyMatches")));
            var read = Ps.Run("Get-DockerTlsCertificate -Path $p", new { p = folder }).ThrowIfFailed();
            Assert.Equal(read.Output.Skip(1).Select(o => o.Text("Thumbprint")), run.Output.Select(o => o.Text("Thumbprint")));
        }

        [Fact]
        public void New_keys_are_of_the_old_algorithm_the_lifetime_is_the_old_one_and_KeyAlgorithm_and_ValidityDays_change_them()
        {
            string folder = NewSet("rsa", "-KeyAlgorithm RSA2048 -ValidityDays 40");
            string server = Path.Combine(folder, "server-cert.pem");

            var run = Ps.Run("Update-DockerTlsCertificate -Path $p", new { p = folder }).ThrowIfFailed();
            Assert.Equal(new[] { "RSA2048", "RSA2048" }, run.Output.Select(o => o.Text("KeyAlgorithm")));
            Assert.Contains("Public-Key: (2048 bit)", OpenSsl.Text(server));
            Assert.InRange(OpenSsl.NotAfter(server), DateTime.UtcNow.AddDays(40).AddMinutes(-2), DateTime.UtcNow.AddDays(40).AddMinutes(1));

            var changed = Ps.Run("Update-DockerTlsCertificate -Path $p -KeyAlgorithm ECDSA_P384 -ValidityDays 90", new { p = folder }).ThrowIfFailed();
            Assert.Equal(new[] { "ECDSA_P384", "ECDSA_P384" }, changed.Output.Select(o => o.Text("KeyAlgorithm")));
            Assert.Contains("NIST CURVE: P-384", OpenSsl.Text(Path.Combine(folder, "cert.pem")));
            Assert.InRange(OpenSsl.NotAfter(server), DateTime.UtcNow.AddDays(90).AddMinutes(-2), DateTime.UtcNow.AddDays(90).AddMinutes(1));
            Assert.Equal(0, OpenSsl.Verify(Path.Combine(folder, "ca.pem"), "sslserver", server).ExitCode);
        }

        [Fact]
        public void Server_and_Client_renew_only_their_own_files()
        {
            string folder = NewSet("one-by-one");
            var before = Temp.Snapshot(folder);

            var server = Ps.Run("Update-DockerTlsCertificate -Path $p -Server", new { p = folder }).ThrowIfFailed();
            Assert.Equal(new[] { "Server" }, server.Output.Select(o => o.Text("Role")));
            var afterServer = Temp.Snapshot(folder);
            AssertSame(before, afterServer, folder, "ca.pem", "ca-key.pem", "cert.pem", "key.pem");
            AssertChanged(before, afterServer, folder, "server-cert.pem", "server-key.pem");

            var client = Ps.Run("Update-DockerTlsCertificate -Path $p -Client", new { p = folder }).ThrowIfFailed();
            Assert.Equal(new[] { "Client" }, client.Output.Select(o => o.Text("Role")));
            var afterClient = Temp.Snapshot(folder);
            AssertSame(afterServer, afterClient, folder, "ca.pem", "ca-key.pem", "server-cert.pem", "server-key.pem");
            AssertChanged(afterServer, afterClient, folder, "cert.pem", "key.pem");

            Assert.Equal(2, Ps.Run("Update-DockerTlsCertificate -Path $p -Server -Client", new { p = folder }).ThrowIfFailed().Output.Count);
        }

        [Fact]
        public void DnsName_and_IPAddress_each_replace_their_own_kind_of_name_and_the_common_name_follows_a_replaced_first_name()
        {
            string folder = NewSet("names");
            string server = Path.Combine(folder, "server-cert.pem");

            var ip = Ps.Run("Update-DockerTlsCertificate -Path $p -Server -IPAddress 10.9.9.9, 2001:db8::9", new { p = folder }).ThrowIfFailed().Single();
            Assert.Equal(new[] { "DNS:h.example.test", "IP:10.9.9.9", "IP:2001:db8::9" }, OpenSsl.SubjectAltNames(server));
            Assert.Equal(new[] { "10.9.9.9", "2001:db8::9" }, (string[])ip.Get("IPAddress"));
            Assert.Equal("CN=h.example.test", ip.Text("Subject"));

            var dns = Ps.Run("Update-DockerTlsCertificate -Path $p -DnsName new.example.test, alt.example.test", new { p = folder }).ThrowIfFailed();
            Assert.Equal(new[] { "DNS:new.example.test", "DNS:alt.example.test", "IP:10.9.9.9", "IP:2001:db8::9" }, OpenSsl.SubjectAltNames(server));
            Assert.Equal("CN=new.example.test", dns.Output[0].Text("Subject"));
            Assert.Equal("CN=client", dns.Output[1].Text("Subject"));

            Ps.Run("Update-DockerTlsCertificate -Path $p -Server -IPAddress @()", new { p = folder }).ThrowIfFailed();
            Assert.Equal(new[] { "DNS:new.example.test", "DNS:alt.example.test" }, OpenSsl.SubjectAltNames(server));
            Ps.Run("Update-DockerTlsCertificate -Path $p -Server", new { p = folder }).ThrowIfFailed();
            Assert.Equal(new[] { "DNS:new.example.test", "DNS:alt.example.test" }, OpenSsl.SubjectAltNames(server));

            // A common name that is no SAN (openssl recipes' "docker-server") is a label: kept.
            string hand = Temp.Combine("hand-names");
            using (HandMadeSet.Create(hand, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(20), DateTimeOffset.UtcNow.AddDays(20)))
            {
            }

            var kept = Ps.Run("Update-DockerTlsCertificate -Path $p -Server -DnsName other.example.test", new { p = hand }).ThrowIfFailed().Single();
            Assert.Equal("CN=hand-made server", kept.Text("Subject"));
        }

        [Fact]
        public void WhatIf_names_the_files_the_CA_and_the_contexts_and_writes_nothing()
        {
            string folder = NewSet("whatif");
            NewContext("whatif-ctx", folder);
            var before = Temp.Snapshot();

            var run = Ps.Run("Update-DockerTlsCertificate -Path $p -DnsName w.example.test -WhatIf", new { p = folder }).ThrowIfFailed();

            Assert.Empty(run.Output);
            NewDockerTlsCertificateSafetyTests.AssertUnchanged(before, Temp.Snapshot());
            string whatIf = run.HostText.Replace("\n", " ");
            Assert.Contains("What if:", whatIf);
            Assert.Contains("server-cert.pem and server-key.pem (CN=w.example.test for DNS:w.example.test, IP:127.0.0.1; ECDSA_P256, 825 days)", whatIf);
            Assert.Contains("cert.pem and key.pem (CN=client; ECDSA_P256, 825 days)", whatIf);
            Assert.Contains("CN=AzDockerVm CA h.example.test, O=AzDockerVm", whatIf);
            Assert.Contains("'whatif-ctx'", whatIf);
        }

        [Fact]
        public void The_docker_contexts_made_from_the_set_get_the_renewed_client_files_and_no_other_context_is_touched()
        {
            string a = NewSet("a"), b = NewSet("b");
            string a1 = NewContext("ctx-a1", a), a2 = NewContext("ctx-a2", a), b1 = NewContext("ctx-b1", b);
            var before = Temp.Snapshot(DockerConfig);

            var serverOnly = Ps.Run("Update-DockerTlsCertificate -Path $p -Server -Verbose", new { p = a }).ThrowIfFailed();
            NewDockerTlsCertificateSafetyTests.AssertUnchanged(before, Temp.Snapshot(DockerConfig));
            Assert.DoesNotContain(serverOnly.Verbose, v => v.Contains("ctx-a1"));

            var run = Ps.Run("Update-DockerTlsCertificate -Path $p -Verbose", new { p = a }).ThrowIfFailed();

            var after = Temp.Snapshot(DockerConfig);
            foreach (string tls in new[] { a1, a2 })
            {
                Assert.Equal(File.ReadAllBytes(Path.Combine(a, "cert.pem")), File.ReadAllBytes(Path.Combine(tls, "cert.pem")));
                Assert.Equal(File.ReadAllBytes(Path.Combine(a, "key.pem")), File.ReadAllBytes(Path.Combine(tls, "key.pem")));
                Assert.Equal(before[Path.Combine(tls, "ca.pem")].Bytes, after[Path.Combine(tls, "ca.pem")].Bytes);
                Assert.Equal("600", DockerSpecHelpers.Mode(Path.Combine(tls, "key.pem")));
                Assert.Equal("600", DockerSpecHelpers.Mode(Path.Combine(tls, "cert.pem")));
            }

            AssertSame(before, after, b1, "ca.pem", "cert.pem", "key.pem");
            Assert.Equal(before.Keys.OrderBy(k => k), after.Keys.OrderBy(k => k));
            foreach (string meta in before.Keys.Where(k => k.EndsWith("meta.json")))
            {
                Assert.Equal(before[meta].Bytes, after[meta].Bytes);
            }

            Assert.Contains(run.Verbose, v => v.StartsWith("Docker context 'ctx-a1'") && v.Contains(a1));
            Assert.Contains(run.Verbose, v => v.StartsWith("Docker context 'ctx-a2'"));
            Assert.DoesNotContain(run.Verbose, v => v.Contains("ctx-b1"));
            var inContext = Ps.Run("Get-DockerTlsCertificate -LiteralPath $t | Where-Object Role -eq Client", new { t = a1 }).ThrowIfFailed().Single();
            Assert.Equal(run.Output[1].Text("Thumbprint"), inContext.Text("Thumbprint"));
            Assert.True((bool)inContext.Get("KeyMatches"));
        }

        [Fact]
        public void A_set_piped_from_New_DockerTlsCertificate_or_as_its_certificates_is_renewed_once_and_a_bad_set_does_not_stop_the_others()
        {
            var fromNew = Ps.Run("New-DockerTlsCertificate -DnsName p.example.test -Path $p | Update-DockerTlsCertificate", new { p = Temp.Combine("piped") }).ThrowIfFailed();
            Assert.Equal(2, fromNew.Output.Count);

            var fromGet = Ps.Run("Get-DockerTlsCertificate -Path $p | Update-DockerTlsCertificate -Verbose", new { p = Temp.Combine("piped") }).ThrowIfFailed();
            Assert.Equal(new[] { "Server", "Client" }, fromGet.Output.Select(o => o.Text("Role")));
            Assert.Equal(2, fromGet.Verbose.Count(v => v.Contains("was renewed already in this pipeline")));

            string missing = Temp.Combine("missing");
            var mixed = Ps.Run("$m, $p | ForEach-Object { [pscustomobject]@{ Path = $_ } } | Update-DockerTlsCertificate", new { m = missing, p = Temp.Combine("piped") });
            Assert.Null(mixed.Terminating);
            Assert.StartsWith("PathNotFound,", Assert.Single(mixed.Errors).FullyQualifiedErrorId);
            Assert.Equal(2, mixed.Output.Count);
        }

        [Fact]
        public void A_set_whose_CA_is_kept_elsewhere_is_renewed_with_CertificateAuthorityPath_and_the_CA_is_only_read()
        {
            // A New-AzDockerVm host's set: no ca-key.pem; the group's CA in <DOCKER_CONFIG>/azdockervm/ca/<subscription>/<group>.
            string groupCa = Path.Combine(DockerConfig, "azdockervm", "ca", "00000000-0000-0000-0000-000000000001", "rg-docker");
            Ps.Run("$null = New-DockerTlsCertificate -DnsName ca.example.test -Path $p", new { p = groupCa }).ThrowIfFailed();
            foreach (string leaf in new[] { "server-cert.pem", "server-key.pem", "cert.pem", "key.pem" })
            {
                File.Delete(Path.Combine(groupCa, leaf));
            }

            string host = Temp.Combine("docker-config", "azdockervm", "dock1-0a1b2c3d.westeurope.cloudapp.azure.com");
            Ps.Run("$null = New-DockerTlsCertificate -DnsName dock1-0a1b2c3d.westeurope.cloudapp.azure.com -Path $p -CertificateAuthorityPath $ca", new { p = host, ca = groupCa }).ThrowIfFailed();
            var before = Temp.Snapshot();

            var refused = Ps.Run("Update-DockerTlsCertificate -Path $p", new { p = host });

            refused.AssertRefused("CertificateAuthorityKeyNotFound", ErrorCategory.ObjectNotFound, Path.Combine(host, "ca-key.pem"));
            Assert.Contains($"The CA that issued it is kept in '{groupCa}'", refused.Error.Exception.Message);
            Assert.Contains("-CertificateAuthorityPath", refused.Error.ErrorDetails.RecommendedAction);
            NewDockerTlsCertificateSafetyTests.AssertUnchanged(before, Temp.Snapshot());

            var renewed = Ps.Run("Update-DockerTlsCertificate -Path $p -CertificateAuthorityPath $ca", new { p = host, ca = groupCa }).ThrowIfFailed();
            Assert.Equal(2, renewed.Output.Count);
            AssertSame(before, Temp.Snapshot(), groupCa, "ca.pem", "ca-key.pem");
            Assert.False(File.Exists(Path.Combine(host, "ca-key.pem")));
            Assert.Equal(0, OpenSsl.Verify(Path.Combine(groupCa, "ca.pem"), "sslserver", Path.Combine(host, "server-cert.pem")).ExitCode);
        }

        // ---- refusals: id, category, target, and nothing changed ----

        [Fact]
        public void A_folder_that_does_not_exist_is_PathNotFound()
            => Refused("Update-DockerTlsCertificate -Path $p", Temp.Combine("nosuch"), "PathNotFound", ErrorCategory.ObjectNotFound, Temp.Combine("nosuch"));

        [Fact]
        public void A_folder_without_a_certificate_to_renew_is_NotATlsSet()
        {
            string empty = Temp.Combine("empty");
            Directory.CreateDirectory(empty);
            Refused("Update-DockerTlsCertificate -Path $p", empty, "NotATlsSet", ErrorCategory.InvalidArgument, empty);

            string caOnly = NewSet("ca-only");
            foreach (string leaf in new[] { "server-cert.pem", "server-key.pem", "cert.pem", "key.pem" })
            {
                File.Delete(Path.Combine(caOnly, leaf));
            }

            Assert.Contains("neither server-cert.pem nor cert.pem", Refused("Update-DockerTlsCertificate -Path $p", caOnly, "NotATlsSet", ErrorCategory.InvalidArgument, caOnly));

            string noCa = NewSet("no-ca");
            File.Delete(Path.Combine(noCa, "ca.pem"));
            Assert.Contains("has no ca.pem", Refused("Update-DockerTlsCertificate -Path $p", noCa, "NotATlsSet", ErrorCategory.InvalidArgument, noCa));
        }

        [Fact]
        public void A_set_without_ca_key_pem_is_CertificateAuthorityKeyNotFound_saying_where_New_AzDockerVm_keeps_CAs()
        {
            string folder = NewSet("no-key");
            File.Delete(Path.Combine(folder, "ca-key.pem"));

            string message = Refused("Update-DockerTlsCertificate -Path $p", folder, "CertificateAuthorityKeyNotFound", ErrorCategory.ObjectNotFound, Path.Combine(folder, "ca-key.pem"));

            Assert.Contains("cannot be renewed", message);
            Assert.Contains(Path.Combine(DockerConfig, "azdockervm", "ca"), message);
        }

        [Fact]
        public void A_CA_key_of_another_CA_is_CertificateAuthorityKeyMismatch()
        {
            string folder = NewSet("mismatch"), other = NewSet("other");
            File.Copy(Path.Combine(other, "ca-key.pem"), Path.Combine(folder, "ca-key.pem"), overwrite: true);

            Refused("Update-DockerTlsCertificate -Path $p", folder, "CertificateAuthorityKeyMismatch", ErrorCategory.InvalidData, Path.Combine(folder, "ca-key.pem"));
        }

        [Fact]
        public void An_expired_CA_is_CertificateAuthorityExpired()
        {
            DateTimeOffset now = DateTimeOffset.UtcNow;
            string folder = Temp.Combine("expired-ca");
            using (HandMadeCa ca = HandMadeCa.Create(folder, now.AddDays(-400), now.AddDays(-10)))
            {
                ca.IssueServer(folder, now.AddDays(-300), now.AddDays(-20), HandMadeSet.DnsNames, null);
                ca.IssueClient(folder, now.AddDays(-300), now.AddDays(-20));
            }

            Assert.Contains("expired on", Refused("Update-DockerTlsCertificate -Path $p", folder, "CertificateAuthorityExpired", ErrorCategory.InvalidData, Path.Combine(folder, "ca.pem")));
        }

        [Fact]
        public void A_CertificateAuthorityPath_that_is_not_the_sets_CA_is_CertificateAuthorityMismatch_and_one_without_a_CA_is_CertificateAuthorityNotFound()
        {
            string folder = NewSet("set"), other = NewSet("other-ca");
            Refused("Update-DockerTlsCertificate -Path $p -CertificateAuthorityPath $ca", folder, "CertificateAuthorityMismatch", ErrorCategory.InvalidData,
                Path.Combine(folder, "ca.pem"), other);

            string empty = Temp.Combine("no-ca-here");
            Directory.CreateDirectory(empty);
            Refused("Update-DockerTlsCertificate -Path $p -CertificateAuthorityPath $ca", folder, "CertificateAuthorityNotFound", ErrorCategory.ObjectNotFound,
                Path.Combine(empty, "ca.pem"), empty);
        }

        [Fact]
        public void Server_on_a_set_without_a_server_certificate_is_FileNotFound()
        {
            string folder = NewSet("client-only");
            File.Delete(Path.Combine(folder, "server-cert.pem"));
            File.Delete(Path.Combine(folder, "server-key.pem"));

            Refused("Update-DockerTlsCertificate -Path $p -Server", folder, "FileNotFound", ErrorCategory.ObjectNotFound, Path.Combine(folder, "server-cert.pem"));
            Assert.Equal(new[] { "Client" }, Ps.Run("Update-DockerTlsCertificate -Path $p", new { p = folder }).ThrowIfFailed().Output.Select(o => o.Text("Role")));
        }

        [Fact]
        public void Names_for_a_client_only_renewal_no_names_left_bad_names_and_bad_validity_are_refused()
        {
            string folder = NewSet("input");
            Refused("Update-DockerTlsCertificate -Path $p -Client -DnsName x.example.test", folder, "SubjectAlternativeNameWithoutServer", ErrorCategory.InvalidArgument, folder);
            Refused("Update-DockerTlsCertificate -Path $p -DnsName @() -IPAddress @()", folder, "NoSubjectAlternativeName", ErrorCategory.InvalidArgument, Path.Combine(folder, "server-cert.pem"));
            Refused("Update-DockerTlsCertificate -Path $p -DnsName 'bad name'", folder, "InvalidDnsName", ErrorCategory.InvalidArgument, "bad name");
            Refused("Update-DockerTlsCertificate -Path $p -IPAddress 300.1.1.1", folder, "InvalidIPAddress", ErrorCategory.InvalidArgument, "300.1.1.1");
            Refused("Update-DockerTlsCertificate -Path $p -ValidityDays 0", folder, "InvalidValidityDays", ErrorCategory.InvalidArgument, 0);
            Refused("Update-DockerTlsCertificate -Path $p -ValidityDays 3651", folder, "InvalidValidityDays", ErrorCategory.InvalidArgument, 3651);
        }

        [Fact]
        public void Keys_of_an_algorithm_AzDockerVm_does_not_make_are_UnsupportedKeyAlgorithm_unless_KeyAlgorithm_is_given()
        {
            DateTimeOffset now = DateTimeOffset.UtcNow;
            string folder = Temp.Combine("p521");
            using (HandMadeCa ca = HandMadeCa.Create(folder, now.AddDays(-10), now.AddDays(300)))
            {
                ca.IssueServer(folder, now.AddDays(-1), now.AddDays(30), HandMadeSet.DnsNames, null, curve: ECCurve.NamedCurves.nistP521);
                ca.IssueClient(folder, now.AddDays(-1), now.AddDays(30), curve: ECCurve.NamedCurves.nistP521);
            }

            Assert.Contains("ECDSA_P521", Refused("Update-DockerTlsCertificate -Path $p", folder, "UnsupportedKeyAlgorithm", ErrorCategory.InvalidData, Path.Combine(folder, "server-cert.pem")));
            Assert.Equal(new[] { "ECDSA_P521", "ECDSA_P521" }, Ps.Run("Get-DockerTlsCertificate $p | Where-Object Role -ne CA", new { p = folder }).ThrowIfFailed().Output.Select(o => o.Text("KeyAlgorithm")));

            var renewed = Ps.Run("Update-DockerTlsCertificate -Path $p -KeyAlgorithm ECDSA_P256", new { p = folder }).ThrowIfFailed();
            Assert.Equal(new[] { "ECDSA_P256", "ECDSA_P256" }, renewed.Output.Select(o => o.Text("KeyAlgorithm")));
        }

        [Fact]
        public void A_server_cert_pem_that_holds_no_certificate_is_PemNoCertificate()
        {
            string folder = NewSet("pem");
            File.Copy(Path.Combine(folder, "server-key.pem"), Path.Combine(folder, "server-cert.pem"), overwrite: true);

            Refused("Update-DockerTlsCertificate -Path $p", folder, "PemNoCertificate", ErrorCategory.InvalidData, Path.Combine(folder, "server-cert.pem"));
        }

        [Fact]
        public void A_context_file_that_cannot_be_written_refuses_the_whole_renewal_before_anything_is_written()
        {
            string folder = NewSet("blocked");
            string tls = NewContext("ctx-blocked", folder);
            File.Delete(Path.Combine(tls, "key.pem"));
            Directory.CreateDirectory(Path.Combine(tls, "key.pem"));

            Refused("Update-DockerTlsCertificate -Path $p", folder, "TargetIsAFolder", ErrorCategory.ResourceExists, Path.Combine(tls, "key.pem"));
        }

        [Fact]
        public void A_commit_that_fails_at_the_last_file_puts_back_every_file_of_the_set_and_of_the_contexts()
        {
            string folder = NewSet("rollback");
            string tls = NewContext("ctx-rollback", folder);
            string last = Path.Combine(tls, "key.pem");
            LocalFileSafetyTests.SetCommitHook(target =>
            {
                if (target == last) throw new IOException("injected: the disk is full");
            });

            Assert.Contains("put back", Refused("Update-DockerTlsCertificate -Path $p", folder, "PathNotWritable", ErrorCategory.WriteError, folder));
        }

        // ---- helpers ----

        /// <summary>Runs a refused renewal; asserts id, category, target, no output and every file of the test as it was; returns the message.</summary>
        private string Refused(string script, string path, string errorId, ErrorCategory category, object target, string ca = null)
        {
            var before = Temp.Snapshot();
            var run = Ps.Run(script, new { p = path, ca });
            run.AssertRefused(errorId, category, target);
            Assert.False(string.IsNullOrWhiteSpace(run.Error.ErrorDetails?.RecommendedAction), errorId + " has no recommended action");
            NewDockerTlsCertificateSafetyTests.AssertUnchanged(before, Temp.Snapshot());
            return run.Error.Exception.Message;
        }

        private string NewSet(string name, string options = "")
        {
            string folder = Temp.Combine("sets", name);
            Ps.Run($"$null = New-DockerTlsCertificate -DnsName h.example.test -IPAddress 127.0.0.1 -Path $p {options}", new { p = folder }).ThrowIfFailed();
            return folder;
        }

        /// <summary>A context made from the set by New-DockerContext; returns its TLS folder.</summary>
        private string NewContext(string name, string folder)
            => Ps.Run("(New-DockerContext -Name $n -Endpoint tcp://127.0.0.1:2376 -CertificatePath $p).TlsPath", new { n = name, p = folder }).ThrowIfFailed().Single().ToString();

        private static string Issuer(string certificate)
            => OpenSsl.Ok("x509", "-in", certificate, "-noout", "-issuer").Trim();

        private static void AssertSame(System.Collections.Generic.IDictionary<string, (byte[] Bytes, DateTime Written)> before,
            System.Collections.Generic.IDictionary<string, (byte[] Bytes, DateTime Written)> after, string folder, params string[] names)
        {
            foreach (string name in names)
            {
                string file = Path.Combine(folder, name);
                Assert.Equal(before[file].Bytes, after[file].Bytes);
                Assert.Equal(before[file].Written, after[file].Written);
            }
        }

        private static void AssertChanged(System.Collections.Generic.IDictionary<string, (byte[] Bytes, DateTime Written)> before,
            System.Collections.Generic.IDictionary<string, (byte[] Bytes, DateTime Written)> after, string folder, params string[] names)
        {
            foreach (string name in names)
            {
                string file = Path.Combine(folder, name);
                Assert.NotEqual(before[file].Bytes, after[file].Bytes);
            }
        }
    }
}

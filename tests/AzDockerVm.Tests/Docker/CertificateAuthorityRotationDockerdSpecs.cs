using System;
using System.IO;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using AzDockerVm.Tests.Bench;
using AzDockerVm.Tests.Tls;
using Xunit;

namespace AzDockerVm.Tests.Docker
{
    /// <summary>
    /// A CA rotation of a local set against the real peers: a real dockerd (loopback, throw-away) restarted with the
    /// set's files after each phase, and the real docker CLI and Test-AzDockerHost as clients. A client of the old CA
    /// works through the overlap and is refused after the completion; a client of the new CA works in both; a lost
    /// client is locked out by a rotation that re-issues only the remaining ones.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class CertificateAuthorityRotationDockerdSpecs : IDisposable
    {
        private readonly TempFolder _temp = new TempFolder();
        private readonly EnvironmentScope _environment = new EnvironmentScope();
        private readonly PowerShellSession _ps = new PowerShellSession();
        private readonly string _dockerConfig;

        public CertificateAuthorityRotationDockerdSpecs()
        {
            _dockerConfig = _temp.Combine("docker-config");
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", _dockerConfig);
        }

        public void Dispose()
        {
            _ps.Dispose();
            _environment.Dispose();
            _temp.Dispose();
        }

        [DockerdFact]
        public void A_client_of_the_old_CA_works_through_the_overlap_and_is_refused_after_the_completion_while_a_client_of_the_new_CA_works_throughout()
        {
            string set = NewSet("set");
            int port = Dockerd.FreeLoopbackPort();
            string endpoint = "tcp://127.0.0.1:" + port;
            _ps.Run("$null = New-DockerContext -Name rotated -Endpoint $e -CertificatePath $p", new { e = endpoint, p = set }).ThrowIfFailed();
            string clientA = OpenSslTls.CopyClientFolder(set, _temp.Combine("client-a"));
            string oldServer = Thumbprint(Path.Combine(set, "server-cert.pem"));

            using (var before = Dockerd.Start(set, port))
            {
                AssertWorks(clientA, endpoint, before);
            }

            // Start: the daemon restarts with ca.pem = old + new CA and the same (old CA's) server certificate.
            var started = _ps.Run("Start-DockerTlsCertificateAuthorityRotation -Path $p", new { p = set }).ThrowIfFailed().Single();
            Assert.Equal("InProgress", started.Text("Status"));
            Assert.Equal(oldServer, Thumbprint(Path.Combine(set, "server-cert.pem")));
            string clientB = _temp.Combine("client-b");
            _ps.Run("$null = New-DockerTlsCertificate -DnsName client-b.example.test -Path $b -CertificateAuthorityPath $p", new { b = clientB, p = set }).ThrowIfFailed();
            Assert.Equal(started.Text("NewCaSubject"), Issuer(Path.Combine(clientB, "cert.pem")));
            Assert.Equal(2, PemCount(Path.Combine(clientB, "ca.pem")));

            using (var overlap = Dockerd.Start(set, port))
            {
                AssertWorks(clientA, endpoint, overlap);                      // old CA's client, old CA's trust only
                AssertWorks(clientB, endpoint, overlap);                      // new CA's client, both CAs trusted
                AssertWorks(set, endpoint, overlap);                          // the set's own client, re-issued by the new CA
                AssertReaches(DockerCli.Run(_dockerConfig, "--context", "rotated", "version", "--format", "{{.Server.Version}}"), overlap);
            }

            // Complete: the server certificate of the new CA, ca.pem = the new CA alone.
            var completed = _ps.Run("Complete-DockerTlsCertificateAuthorityRotation -Path $p", new { p = set }).ThrowIfFailed().Single();
            Assert.Equal("Completed", completed.Text("Status"));
            Assert.Equal(completed.Text("NewCaSubject"), Issuer(Path.Combine(set, "server-cert.pem")));
            Assert.False(File.Exists(Path.Combine(set, "ca-rotation", "old-ca-key.pem")));

            using var after = Dockerd.Start(set, port);
            AssertWorks(clientB, endpoint, after);
            AssertWorks(set, endpoint, after);
            AssertReaches(DockerCli.Run(_dockerConfig, "--context", "rotated", "version", "--format", "{{.Server.Version}}"), after);
            AssertLockedOut(clientA, set, endpoint, after);
        }

        [DockerdFact]
        public void A_lost_client_is_refused_after_a_rotation_that_re_issues_only_the_remaining_client_and_the_remaining_client_works()
        {
            string set = NewSet("host");
            int port = Dockerd.FreeLoopbackPort();
            string endpoint = "tcp://127.0.0.1:" + port;
            // The lost laptop held a copy of the set's own client files; the remaining one has its own certificate of the CA.
            string lost = OpenSslTls.CopyClientFolder(set, _temp.Combine("lost"));
            string issued = _temp.Combine("issued-r");
            _ps.Run("$null = New-DockerTlsCertificate -DnsName r.example.test -Path $r -CertificateAuthorityPath $p", new { r = issued, p = set }).ThrowIfFailed();
            string remaining = OpenSslTls.CopyClientFolder(issued, _temp.Combine("remaining"));

            using (var before = Dockerd.Start(set, port))
            {
                AssertWorks(lost, endpoint, before);
                AssertWorks(remaining, endpoint, before);
            }

            // Revocation without an overlap: start with the remaining client, complete at once, one daemon restart.
            var revoked = _ps.Run("Start-DockerTlsCertificateAuthorityRotation -Path $p -ClientPath $r | Complete-DockerTlsCertificateAuthorityRotation",
                new { p = set, r = remaining }).ThrowIfFailed().Single();
            Assert.Equal("Completed", revoked.Text("Status"));
            Assert.Equal(new[] { remaining }, (string[])revoked.Get("ClientPath"));
            Assert.Equal(1, PemCount(Path.Combine(remaining, "ca.pem")));

            using var daemon = Dockerd.Start(set, port);
            AssertWorks(remaining, endpoint, daemon);
            AssertWorks(set, endpoint, daemon);
            AssertLockedOut(lost, set, endpoint, daemon);
        }

        /// <summary>
        /// A client of the retired CA, after the completion: with its own files it no longer trusts the server
        /// (UnknownAuthority), and with the set's current ca.pem (which is public) or without checking the server at all,
        /// the daemon refuses its certificate (ClientCertificateRejected).
        /// </summary>
        private void AssertLockedOut(string client, string set, string endpoint, Dockerd daemon)
        {
            var ownFiles = DockerCli.WithTlsFlags(_temp.Combine("cli"), client, endpoint, "version");
            Assert.NotEqual(0, ownFiles.ExitCode);
            Assert.Contains("certificate signed by unknown authority", ownFiles.Text);
            var ownResult = TestHost(endpoint, client);
            Assert.False((bool)ownResult.Get("Success"));
            Assert.Equal("UnknownAuthority", ownResult.Text("Reason"));

            // The certificate alone, with the trust the server is accepted by: the daemon's own refusal.
            string withNewTrust = Directory.CreateDirectory(_temp.Combine("refused-" + Path.GetFileName(client))).FullName;
            File.Copy(Path.Combine(set, "ca.pem"), Path.Combine(withNewTrust, "ca.pem"));
            File.Copy(Path.Combine(client, "cert.pem"), Path.Combine(withNewTrust, "cert.pem"));
            File.Copy(Path.Combine(client, "key.pem"), Path.Combine(withNewTrust, "key.pem"));
            AssertRefusedByDaemon(DockerCli.WithTlsFlags(_temp.Combine("cli"), withNewTrust, endpoint, "version"), daemon);
            // --tls without --tlsverify: the server is not checked (its own old ca.pem is only opened), the certificate is still offered.
            AssertRefusedByDaemon(DockerCli.Run(_temp.Combine("cli"), "--tls", "--tlscacert", Path.Combine(client, "ca.pem"),
                "--tlscert", Path.Combine(client, "cert.pem"), "--tlskey", Path.Combine(client, "key.pem"), "-H", endpoint, "version"), daemon);
            var result = TestHost(endpoint, withNewTrust);
            Assert.False((bool)result.Get("Success"));
            Assert.Equal("ClientCertificateRejected", result.Text("Reason"));
            Assert.Contains("not signed by the CA in ca.pem", result.Text("Message"));
        }

        /// <summary>The daemon refused the client certificate: a TLS alert, or (TLS 1.3 checks the client after the client's handshake) the reset that carries it.</summary>
        private static void AssertRefusedByDaemon(ToolRun cli, Dockerd daemon)
        {
            Assert.NotEqual(0, cli.ExitCode);
            Assert.True(cli.Text.Contains("remote error: tls: bad certificate") || cli.Text.Contains("connection reset by peer"), cli.Text + "\n" + daemon.LogTail());
        }

        private void AssertWorks(string client, string endpoint, Dockerd daemon)
        {
            AssertReaches(DockerCli.WithTlsFlags(_temp.Combine("cli"), client, endpoint, "version", "--format", "{{.Server.Version}}"), daemon);
            var result = TestHost(endpoint, client);
            Assert.True((bool)result.Get("Success"), client + ": " + result.Text("Reason") + ": " + result.Text("Message"));
        }

        private static void AssertReaches(ToolRun run, Dockerd daemon)
            => Assert.True(run.ExitCode == 0 && run.StdOut.Trim().Length > 0, run.Text + "\n" + daemon.LogTail());

        private PSObject TestHost(string endpoint, string client)
            => _ps.Run("Test-AzDockerHost -Endpoint $e -CertificatePath $p", new { e = endpoint, p = client }).ThrowIfFailed().Single();

        private string NewSet(string name)
        {
            string folder = _temp.Combine(name);
            _ps.Run("$null = New-DockerTlsCertificate -DnsName docker-test.example -IPAddress 127.0.0.1 -Path $p", new { p = folder }).ThrowIfFailed();
            return folder;
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

        private static int PemCount(string file) => File.ReadAllText(file).Split("-----BEGIN CERTIFICATE-----").Length - 1;
    }
}

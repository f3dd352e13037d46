using System;
using System.IO;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using AzDockerVm.Tests.Bench;
using AzDockerVm.Tests.Tls;
using Xunit;

namespace AzDockerVm.Tests.Docker
{
    /// <summary>
    /// A set renewed by Update-DockerTlsCertificate against the real peers: a real dockerd restarted with the renewed
    /// server files serves the new certificate, and the real docker CLI reaches it with the renewed client files, with
    /// the client files from before the renewal (same CA), and through the docker context the renewal refreshed.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class RenewedCertificateDockerdSpecs : IDisposable
    {
        private readonly TempFolder _temp = new TempFolder();
        private readonly EnvironmentScope _environment = new EnvironmentScope();
        private readonly string _dockerConfig;

        public RenewedCertificateDockerdSpecs()
        {
            _dockerConfig = _temp.Combine("docker-config");
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", _dockerConfig);
        }

        public void Dispose()
        {
            _environment.Dispose();
            _temp.Dispose();
        }

        [DockerdFact]
        public void A_restarted_dockerd_serves_the_renewed_certificate_and_the_docker_CLI_reaches_it_with_new_old_and_context_client_files()
        {
            string set = _temp.Combine("set");
            using var ps = new PowerShellSession();
            ps.Run("$null = New-DockerTlsCertificate -DnsName docker-test.example -IPAddress 127.0.0.1 -Path $p", new { p = set }).ThrowIfFailed();
            int port = Dockerd.FreeLoopbackPort();
            string endpoint = "tcp://127.0.0.1:" + port;
            ps.Run("$null = New-DockerContext -Name renewed -Endpoint $e -CertificatePath $p", new { e = endpoint, p = set }).ThrowIfFailed();
            string oldClient = OpenSslTls.CopyClientFolder(set, _temp.Combine("old-client"));
            string oldServerThumbprint = Thumbprint(Path.Combine(set, "server-cert.pem"));

            using (var before = Dockerd.Start(set, port))
            {
                Assert.Equal(oldServerThumbprint, Served(port, set).Thumbprint);
                AssertReaches(DockerCli.Run(_dockerConfig, "--context", "renewed", "version", "--format", "{{.Server.Version}}"), before);
            }

            var renewed = ps.Run("Update-DockerTlsCertificate -Path $p -DnsName renewed.example.test", new { p = set }).ThrowIfFailed();
            Assert.Equal(2, renewed.Output.Count);

            using var daemon = Dockerd.Start(set, port);
            X509Certificate2 served = Served(port, set);
            Assert.Equal(Thumbprint(Path.Combine(set, "server-cert.pem")), served.Thumbprint);
            Assert.NotEqual(oldServerThumbprint, served.Thumbprint);
            Assert.Equal(renewed.Output[0].Text("Thumbprint"), served.Thumbprint);
            Assert.Equal("CN=renewed.example.test", served.Subject);

            string cfg = _temp.Combine("cli");
            AssertReaches(DockerCli.WithTlsFlags(cfg, set, endpoint, "version", "--format", "{{.Server.Version}}"), daemon);
            AssertReaches(DockerCli.WithTlsFlags(cfg, oldClient, endpoint, "version", "--format", "{{.Server.Version}}"), daemon);
            AssertReaches(DockerCli.Run(_dockerConfig, "--context", "renewed", "version", "--format", "{{.Server.Version}}"), daemon);
            var check = ps.Run("Test-AzDockerHost -Endpoint $e -CertificatePath $p", new { e = endpoint, p = set }).ThrowIfFailed().Single();
            Assert.True((bool)check.Get("Success"), check.Text("Reason") + ": " + check.Text("Message"));

            // What the daemon serves names what the renewal asked for: the DNS name replaced, the address kept.
            var san = (X509SubjectAlternativeNameExtension)served.Extensions["2.5.29.17"];
            Assert.Equal(new[] { "renewed.example.test" }, san.EnumerateDnsNames());
            Assert.Equal(new[] { "127.0.0.1" }, System.Linq.Enumerable.Select(san.EnumerateIPAddresses(), a => a.ToString()));
        }

        private static void AssertReaches(ToolRun run, Dockerd daemon)
            => Assert.True(run.ExitCode == 0 && run.StdOut.Trim().Length > 0, run.Text + "\n" + daemon.LogTail());

        /// <summary>The certificate the daemon presents in the TLS handshake (the set's client certificate offered, the server's not checked here).</summary>
        private static X509Certificate2 Served(int port, string clientFolder)
        {
            using var client = X509Certificate2.CreateFromPemFile(Path.Combine(clientFolder, "cert.pem"), Path.Combine(clientFolder, "key.pem"));
            using var tcp = new TcpClient("127.0.0.1", port);
            using var tls = new SslStream(tcp.GetStream(), false);
            tls.AuthenticateAsClient(new SslClientAuthenticationOptions
            {
                TargetHost = "127.0.0.1",
                ClientCertificates = new X509CertificateCollection { client },
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            });
            return new X509Certificate2(tls.RemoteCertificate);
        }

        private static string Thumbprint(string file)
        {
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(file));
            return certificate.Thumbprint;
        }
    }
}

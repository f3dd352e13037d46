using System;
using AzDockerVm.Tests.Bench;
using AzDockerVm.Tests.Tls;
using Xunit;

namespace AzDockerVm.Tests.Docker
{
    /// <summary>
    /// Test-AzDockerHost reports the certificate a real dockerd serves, not the local files: its subject, thumbprint,
    /// NotAfter, DaysLeft and names, whether those name the host, and a warning within -WarningDays; also when the
    /// check fails because of that certificate (expired, another name).
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class ServedCertificateDockerdSpecs : IDisposable
    {
        private readonly TempFolder _temp = new TempFolder();

        public void Dispose() => _temp.Dispose();

        [DockerdFact]
        public void A_certificate_served_for_ten_days_has_DaysLeft_9_and_a_warning_naming_the_endpoint_and_the_date()
        {
            string set = _temp.Combine("ten-days");
            using var ps = new PowerShellSession();
            ps.Run("$null = New-DockerTlsCertificate -DnsName docker-test.example -IPAddress 127.0.0.1 -Path $p -ValidityDays 10", new { p = set }).ThrowIfFailed();
            var file = ps.Run("Get-DockerTlsCertificate -Path $p -WarningDays 0 | Where-Object Role -eq Server", new { p = set }).ThrowIfFailed().Single();
            var notAfter = (DateTime)file.Get("NotAfter");
            using var daemon = Dockerd.Start(set);

            var run = ps.Run("Test-AzDockerHost -Endpoint $e -CertificatePath $p", new { e = daemon.Endpoint, p = set }).ThrowIfFailed();

            var result = run.Single();
            Assert.True((bool)result.Get("Success"), result.Text("Reason") + ": " + result.Text("Message"));
            Assert.Equal(9, result.Get("ServerCertificateDaysLeft"));
            Assert.Equal(notAfter, result.Get("ServerCertificateNotAfter"));
            Assert.Equal(file.Text("Thumbprint"), result.Text("ServerCertificateThumbprint"));
            Assert.Equal("CN=docker-test.example", result.Text("ServerCertificateSubject"));
            Assert.Equal(file.Text("Issuer"), result.Text("ServerCertificateIssuer"));
            Assert.Equal(new[] { "docker-test.example" }, (string[])result.Get("ServerCertificateDnsName"));
            Assert.Equal(new[] { "127.0.0.1" }, (string[])result.Get("ServerCertificateIPAddress"));
            Assert.Equal(true, result.Get("ServerCertificateCoversHost"));
            string warning = Assert.Single(run.Warnings);
            Assert.StartsWith(daemon.Endpoint + " serves a certificate (CN=docker-test.example) that expires on " + notAfter.ToString("u"), warning);
            Assert.Contains("in 9 day(s) (-WarningDays 30)", warning);
            Assert.Contains("Update-DockerTlsCertificate", warning);

            var quiet = ps.Run("Test-AzDockerHost -Endpoint $e -CertificatePath $p -WarningDays 5", new { e = daemon.Endpoint, p = set }).ThrowIfFailed();
            Assert.Empty(quiet.Warnings);
            Assert.Equal(9, quiet.Single().Get("ServerCertificateDaysLeft"));

            // By a name the certificate does not carry (localhost reaches the same daemon): the check fails, and the
            // certificate the daemon served is still reported, as not naming the host.
            var byName = ps.Run("Test-AzDockerHost -Endpoint $e -CertificatePath $p -WarningDays 0", new { e = "tcp://localhost:" + daemon.Port, p = set }).ThrowIfFailed();
            var mismatch = byName.Single();
            Assert.Equal("NameMismatch", mismatch.Text("Reason"));
            Assert.Equal(file.Text("Thumbprint"), mismatch.Text("ServerCertificateThumbprint"));
            Assert.Equal(false, mismatch.Get("ServerCertificateCoversHost"));
            string notNamed = Assert.Single(byName.Warnings);
            Assert.Contains("does not name localhost (it names docker-test.example, 127.0.0.1)", notNamed);
            Assert.Contains("-Server -DnsName localhost", notNamed);
        }

        [DockerdFact]
        public void An_expired_served_certificate_fails_the_check_as_for_docker_and_is_still_reported_with_its_NotAfter()
        {
            string set = _temp.Combine("expired");
            DateTimeOffset now = DateTimeOffset.UtcNow;
            DateTimeOffset notAfter = HandMadeSet.Second(now.AddHours(-12));
            using (var ca = HandMadeCa.Create(set, now.AddYears(-1), now.AddYears(9)))
            {
                ca.IssueServer(set, now.AddDays(-30), notAfter, new[] { "docker-test.example" }, new[] { "127.0.0.1" });
                ca.IssueClient(set, now.AddDays(-1), now.AddDays(30));
            }

            using var daemon = Dockerd.Start(set);
            var cli = DockerCli.WithTlsFlags(_temp.Combine("cfg"), set, daemon.Endpoint, "version");
            Assert.NotEqual(0, cli.ExitCode);
            Assert.Contains("certificate has expired", cli.Text);

            using var ps = new PowerShellSession();
            var run = ps.Run("Test-AzDockerHost -Endpoint $e -CertificatePath $p -WarningDays 0", new { e = daemon.Endpoint, p = set }).ThrowIfFailed();

            var result = run.Single();
            MutualTlsDockerHostSpecs<EcdsaP256Host>.AssertFailed(result, "ServerCertificateInvalid");
            Assert.Contains("outside its validity period", result.Text("Message"));
            Assert.Equal(notAfter.UtcDateTime, result.Get("ServerCertificateNotAfter"));
            Assert.Equal(-1, result.Get("ServerCertificateDaysLeft"));
            Assert.Equal("CN=hand-made server", result.Text("ServerCertificateSubject"));
            Assert.Equal(true, result.Get("ServerCertificateCoversHost")); // its names are right; its time is not
            string warning = Assert.Single(run.Warnings);
            Assert.StartsWith($"{daemon.Endpoint} serves a certificate (CN=hand-made server) that expired on {notAfter.UtcDateTime:u}.", warning);
        }

        [DockerCliFact]
        public void Nothing_is_reported_of_a_certificate_when_no_handshake_got_that_far()
        {
            string set = _temp.Combine("set");
            using var ps = new PowerShellSession();
            ps.Run("$null = New-DockerTlsCertificate -IPAddress 127.0.0.1 -Path $p -ValidityDays 1", new { p = set }).ThrowIfFailed();

            var run = ps.Run("Test-AzDockerHost -Endpoint $e -CertificatePath $p -TimeoutSec 2", new { e = "tcp://127.0.0.1:" + Dockerd.FreeLoopbackPort(), p = set }).ThrowIfFailed();

            var result = run.Single();
            Assert.Equal("ConnectionRefused", result.Text("Reason"));
            foreach (string property in new[] { "Subject", "Issuer", "Thumbprint", "NotAfter", "DaysLeft", "DnsName", "IPAddress", "CoversHost" })
            {
                Assert.Null(result.Get("ServerCertificate" + property));
            }

            // The local set expires within a day, but a host test warns about what a daemon served only.
            Assert.Empty(run.Warnings);
        }
    }
}

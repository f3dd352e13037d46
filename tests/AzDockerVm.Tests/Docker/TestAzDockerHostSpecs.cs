using System.Diagnostics;
using System.IO;
using System.Management.Automation;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Docker
{
    /// <summary>
    /// Test-AzDockerHost against peers that are not a working Docker host (no daemon needed): a failed check is a result
    /// with a Reason; bad input is an error with a stable id. Serial, so the timing bound is measured on a quiet machine.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class TestAzDockerHostSpecs : IClassFixture<EcdsaP256Host>
    {
        private readonly EcdsaP256Host _tls;

        public TestAzDockerHostSpecs(EcdsaP256Host tls) => _tls = tls;

        [DockerCliFact]
        public void A_port_nothing_listens_on_is_ConnectionRefused()
        {
            string endpoint = "tcp://127.0.0.1:" + Dockerd.FreeLoopbackPort();

            var result = MutualTlsDockerHostSpecs<EcdsaP256Host>.TestHost(endpoint, _tls.Good);

            MutualTlsDockerHostSpecs<EcdsaP256Host>.AssertFailed(result, "ConnectionRefused");
            Assert.Equal(endpoint, result.Text("Endpoint"));
        }

        [DockerCliFact]
        public void A_port_that_accepts_but_never_answers_is_Timeout_after_TimeoutSec()
        {
            using var silent = LoopbackServer.Silent();
            using var ps = new PowerShellSession();
            var stopwatch = Stopwatch.StartNew();

            var result = ps.Run("Test-AzDockerHost -Endpoint $Endpoint -CertificatePath $Certs -TimeoutSec 1",
                new { silent.Endpoint, Certs = _tls.Good }).ThrowIfFailed().Single();

            stopwatch.Stop();
            MutualTlsDockerHostSpecs<EcdsaP256Host>.AssertFailed(result, "Timeout");
            Assert.True(stopwatch.Elapsed.TotalSeconds is >= 0.9 and <= 3.0, $"took {stopwatch.Elapsed.TotalSeconds:0.000} s");
        }

        [DockerCliFact]
        public void A_plain_HTTP_server_is_NotDockerEndpoint()
        {
            using var http = LoopbackServer.PlainHttp();

            var result = MutualTlsDockerHostSpecs<EcdsaP256Host>.TestHost(http.Endpoint, _tls.Good);

            MutualTlsDockerHostSpecs<EcdsaP256Host>.AssertFailed(result, "NotDockerEndpoint");
        }

        [DockerCliFact]
        public void A_TLS_server_with_a_valid_certificate_that_is_not_Docker_is_NotDockerEndpoint()
        {
            using var https = LoopbackServer.HttpsNotDocker(Path.Combine(_tls.Good, "server-cert.pem"), Path.Combine(_tls.Good, "server-key.pem"));

            var result = MutualTlsDockerHostSpecs<EcdsaP256Host>.TestHost(https.Endpoint, _tls.Good);

            Assert.True(https.Errors.IsEmpty, "the fake server itself failed: " + string.Join("; ", https.Errors));
            MutualTlsDockerHostSpecs<EcdsaP256Host>.AssertFailed(result, "NotDockerEndpoint");
            Assert.Contains("404", result.Text("Message"));
        }

        [DockerCliFact]
        public void A_certificate_set_without_Endpoint_is_tested_at_its_first_DNS_name_on_port_2376()
        {
            using var ps = new PowerShellSession();

            var result = ps.Run(
                "[AzDockerVm.Models.DockerTlsCertificateSet]@{ Path = $Good; CaCertificateFile = \"$Good/ca.pem\"; ClientCertificateFile = \"$Good/cert.pem\"; " +
                "ClientKeyFile = \"$Good/key.pem\"; DnsName = @('localhost'); IPAddress = @('127.0.0.1') } | Test-AzDockerHost -TimeoutSec 2",
                new { Good = _tls.Good }).ThrowIfFailed().Single();

            Assert.Equal("tcp://localhost:2376", result.Text("Endpoint"));
        }

        [Theory]
        [InlineData("http://127.0.0.1:2376", "InvalidEndpoint")]
        [InlineData("127.0.0.1:2376", "InvalidEndpoint")]
        [InlineData("tcp://", "InvalidEndpoint")]
        [InlineData("tcp://::1:2376", "InvalidEndpoint")]
        [InlineData("tcp://127.0.0.1:0", "InvalidPort")]
        [InlineData("tcp://127.0.0.1:70000", "InvalidPort")]
        [InlineData("tcp://127.0.0.1:http", "InvalidPort")]
        public void A_bad_endpoint_is_an_InvalidArgument_error_naming_the_input(string endpoint, string errorId)
        {
            using var ps = new PowerShellSession();

            var run = ps.Run("Test-AzDockerHost -Endpoint $Endpoint -CertificatePath $Certs", new { Endpoint = endpoint, Certs = Path.GetTempPath() });

            Assert.NotNull(run.Error);
            Assert.StartsWith(errorId + ",", run.Error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, run.Error.CategoryInfo.Category);
            Assert.Equal(endpoint, run.Error.TargetObject);
            Assert.Empty(run.Output);
        }

        [DockerCliFact]
        public void A_missing_certificate_file_is_a_FileNotFound_error()
        {
            string empty = _tls.NewScratchFolder("empty");
            using var ps = new PowerShellSession();

            var run = ps.Run("Test-AzDockerHost -Endpoint tcp://127.0.0.1:2376 -CertificatePath $Certs", new { Certs = empty });

            Assert.StartsWith("FileNotFound,", run.Error?.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, run.Error.CategoryInfo.Category);
            Assert.Equal(Path.Combine(empty, "ca.pem"), run.Error.TargetObject);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(301)]
        public void TimeoutSec_outside_1_to_300_is_a_parameter_validation_error(int timeout)
        {
            using var ps = new PowerShellSession();

            var run = ps.Run("Test-AzDockerHost -Endpoint tcp://127.0.0.1:2376 -CertificatePath $Certs -TimeoutSec $T", new { Certs = Path.GetTempPath(), T = timeout });

            Assert.StartsWith("ParameterArgumentValidationError,", run.Error?.FullyQualifiedErrorId);
        }

        [Fact]
        public void The_default_view_shows_why_a_check_failed_and_what_answered_a_good_one_with_the_served_certificates_days_left()
        {
            using var ps = new PowerShellSession();

            var run = ps.Run(
                "[AzDockerVm.Models.DockerHostTestResult]@{ Endpoint = 'tcp://h:2376'; Success = $false; Reason = 'Timeout'; Message = 'tcp://h:2376 did not answer within 1 s.' }, " +
                "[AzDockerVm.Models.DockerHostTestResult]@{ Endpoint = 'tcp://g:2376'; Success = $true; ServerVersion = '20.10.24'; ApiVersion = '1.41'; Os = 'linux'; Architecture = 'amd64'; LatencyMs = 12.345; ServerCertificateDaysLeft = 9 } | Out-Default");

            run.ThrowIfFailed();
            string text = DockerSpecHelpers.WithoutAnsi(run.HostText);
            Assert.Matches(@"Endpoint\s+Success\s+LatencyMs\s+CertDaysLeft\s+Result", text);
            Assert.Matches(@"tcp://h:2376\s+False\s+Timeout: tcp://h:2376 did not answer within 1 s\.", text);
            Assert.Matches(@"tcp://g:2376\s+True\s+12[.,]3\s+9\s+Docker 20\.10\.24 \(API 1\.41, linux/amd64\)", text);
        }

        [Fact]
        public void A_result_reads_as_endpoint_and_outcome_and_a_failed_one_has_no_latency()
        {
            using var ps = new PowerShellSession();

            var run = ps.Run(
                "$f = [AzDockerVm.Models.DockerHostTestResult]@{ Endpoint = 'tcp://h:2376'; Success = $false; Reason = 'Timeout'; Message = 'no answer.' }; " +
                "\"$f\"; $null -eq $f.LatencyMs");

            run.ThrowIfFailed();
            Assert.Equal("tcp://h:2376: Timeout: no answer.", run.Output[0].ToString());
            Assert.Equal(true, run.Output[1].BaseObject);
        }
    }
}

using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Security.Authentication;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using AzDockerVm.FakeArm.Tls;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.FakeArm
{
    public class FakeArmTlsTests
    {
        [Fact]
        public void The_process_trusts_the_fake_CA_through_an_OpenSSL_bundle_named_by_SSL_CERT_FILE()
        {
            Assert.Equal(TestTrust.BundlePath, Environment.GetEnvironmentVariable("SSL_CERT_FILE"));
            var bundle = File.ReadAllText(TestTrust.BundlePath);
            Assert.Contains(TestCertificateAuthority.ForProcess.CertificatePem, bundle);
            if (File.Exists(TestTrust.SystemBundle))
            {
                Assert.StartsWith(File.ReadAllText(TestTrust.SystemBundle).TrimEnd(), bundle);
            }
        }

        [Fact]
        public async Task A_plain_HttpClient_with_default_validation_reaches_the_fake_over_https()
        {
            await using var arm = await FakeArmServer.StartAsync();
            using var http = new ArmHttp(arm);

            Assert.Equal("https", arm.BaseUri.Scheme);
            Assert.Equal("127.0.0.1", arm.BaseUri.Host);
            var reply = await http.GetAsync(http.Sub + "?" + ArmHttp.Subscriptions);

            Assert.Equal(200, reply.Status);
            Assert.Equal(arm.SubscriptionId, (string)reply.Body["subscriptionId"]);
            Assert.Equal(arm.TenantId, (string)reply.Body["tenantId"]);
        }

        [Fact]
        public async Task A_server_certificate_from_an_unrelated_CA_is_rejected()
        {
            var unrelated = TestCertificateAuthority.Create("Unrelated CA").IssueServerCertificate("localhost", IPAddress.Loopback);
            await using var arm = await FakeArmServer.StartAsync(new FakeArmOptions { ServerCertificate = unrelated });
            using var http = new ArmHttp(arm);

            var error = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(http.Sub + "?" + ArmHttp.Subscriptions));
            Assert.IsType<AuthenticationException>(error.InnerException);
            Assert.Empty(arm.Requests);
        }
    }
}

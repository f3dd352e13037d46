using System.IO;
using System.Linq;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using Xunit;

namespace AzDockerVm.Tests.FakeArm
{
    public class FakeArmAuthTests
    {
        [Fact]
        public async Task A_request_without_a_token_gets_401_AuthenticationFailed_in_ARMs_error_shape()
        {
            await using var arm = await FakeArmServer.StartAsync();
            using var http = new ArmHttp(arm, token: null);

            var reply = await http.GetAsync(http.Rg("rg") + "?" + ArmHttp.Resources);

            Assert.Equal(401, reply.Status);
            Assert.Equal("AuthenticationFailed", reply.ErrorCode);
            Assert.Contains("'Authorization' header is missing", (string)reply.Body["error"]["message"]);
            Assert.StartsWith("Bearer authorization_uri=", reply.Header("WWW-Authenticate"));
            Assert.NotNull(reply.Header("x-ms-request-id"));
            Assert.NotNull(reply.Header("x-ms-correlation-request-id"));
        }

        [Fact]
        public async Task A_token_the_predicate_refuses_gets_401_InvalidAuthenticationToken()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AcceptToken = token => token == "fresh";
            using var http = new ArmHttp(arm, token: "stale");

            var refused = await http.GetAsync(http.Sub + "?" + ArmHttp.Subscriptions);
            http.Token = "fresh";
            var accepted = await http.GetAsync(http.Sub + "?" + ArmHttp.Subscriptions);

            Assert.Equal(401, refused.Status);
            Assert.Equal("InvalidAuthenticationToken", refused.ErrorCode);
            Assert.Equal(200, accepted.Status);
        }

        [Fact]
        public async Task Tokens_are_recorded_in_the_order_first_seen_and_redacted_in_the_traffic_file()
        {
            await using var arm = await FakeArmServer.StartAsync();
            using var http = new ArmHttp(arm, token: "first-token");
            await http.GetAsync(http.Sub + "?" + ArmHttp.Subscriptions);
            await http.GetAsync(http.Sub + "?" + ArmHttp.Subscriptions);
            http.Token = "second-token";
            await http.GetAsync(http.Sub + "?" + ArmHttp.Subscriptions);

            Assert.Equal(new[] { "first-token", "second-token" }, arm.TokensSeen);
            Assert.Equal(new[] { "first-token", "first-token", "second-token" }, arm.Requests.Select(r => r.BearerToken));
            Assert.All(arm.Requests, r => Assert.Equal("Bearer ***", r.RequestHeader("Authorization")));
            var traffic = File.ReadAllText(arm.TrafficLogPath);
            Assert.DoesNotContain("first-token", traffic);
            Assert.Contains("\"Authorization\":\"Bearer ***\"", traffic);
        }
    }
}

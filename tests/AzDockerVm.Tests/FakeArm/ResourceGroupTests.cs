using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using Xunit;

namespace AzDockerVm.Tests.FakeArm
{
    public class ResourceGroupTests
    {
        [Fact]
        public async Task PUT_creates_201_then_updates_200_and_GET_returns_the_group_with_its_readonly_fields()
        {
            await using var arm = await FakeArmServer.StartAsync();
            using var http = new ArmHttp(arm);

            var created = await http.PutAsync(http.Rg("rg-docker") + "?" + ArmHttp.Resources, new JsonObject { ["location"] = "West Europe" });
            var updated = await http.PutAsync(http.Rg("rg-docker") + "?" + ArmHttp.Resources, new JsonObject { ["location"] = "westeurope", ["tags"] = new JsonObject { ["owner"] = "tests" } });
            var got = await http.GetAsync(http.Rg("rg-docker") + "?" + ArmHttp.Resources);

            Assert.Equal(201, created.Status);
            Assert.Equal(200, updated.Status);
            Assert.Equal(200, got.Status);
            Assert.Equal($"/subscriptions/{arm.SubscriptionId}/resourceGroups/rg-docker", (string)got.Body["id"]);
            Assert.Equal("rg-docker", (string)got.Body["name"]);
            Assert.Equal("Microsoft.Resources/resourceGroups", (string)got.Body["type"]);
            Assert.Equal("westeurope", (string)got.Body["location"]);
            Assert.Equal("tests", (string)got.Body["tags"]["owner"]);
            Assert.Equal("Succeeded", (string)got.Body["properties"]["provisioningState"]);
        }

        [Fact]
        public async Task A_missing_group_is_404_ResourceGroupNotFound_and_HEAD_says_204_or_404()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddResourceGroup("present");
            using var http = new ArmHttp(arm);

            var missing = await http.GetAsync(http.Rg("nope") + "?" + ArmHttp.Resources);
            var headPresent = await http.HeadAsync(http.Rg("present") + "?" + ArmHttp.Resources);
            var headMissing = await http.HeadAsync(http.Rg("nope") + "?" + ArmHttp.Resources);

            Assert.Equal(404, missing.Status);
            Assert.Equal("ResourceGroupNotFound", missing.ErrorCode);
            Assert.Equal("Resource group 'nope' could not be found.", (string)missing.Body["error"]["message"]);
            Assert.Equal(204, headPresent.Status);
            Assert.Equal(404, headMissing.Status);
        }

        [Fact]
        public async Task Ids_are_case_insensitive_and_keep_the_casing_the_group_was_created_with()
        {
            await using var arm = await FakeArmServer.StartAsync();
            using var http = new ArmHttp(arm);

            await http.PutAsync(http.Sub + "/resourcegroups/RG-Mixed?" + ArmHttp.Resources, new JsonObject { ["location"] = "westeurope" });
            var shouted = await http.GetAsync("/SUBSCRIPTIONS/" + arm.SubscriptionId.ToUpperInvariant() + "/RESOURCEGROUPS/rg-mixed?" + ArmHttp.Resources);
            var canonical = await http.GetAsync(http.Sub + "/resourceGroups/rg-MIXED?" + ArmHttp.Resources);

            Assert.Equal(200, shouted.Status);
            Assert.Equal(200, canonical.Status);
            Assert.Equal($"/subscriptions/{arm.SubscriptionId}/resourceGroups/RG-Mixed", (string)shouted.Body["id"]);
            Assert.Equal("RG-Mixed", (string)canonical.Body["name"]);
        }

        [Fact]
        public async Task DELETE_answers_202_with_an_absolute_Location_that_completes_then_the_group_is_gone()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddLinuxVm("rg-gone", "vm1");
            using var http = new ArmHttp(arm);

            var run = await http.DeleteAndWaitAsync(http.Rg("rg-gone") + "?" + ArmHttp.Resources);
            var after = await http.GetAsync(http.Rg("rg-gone") + "?" + ArmHttp.Resources);
            var again = await http.DeleteAsync(http.Rg("rg-gone") + "?" + ArmHttp.Resources);

            Assert.Equal(202, run.Start.Status);
            Assert.StartsWith(arm.BaseUri + $"subscriptions/{arm.SubscriptionId}/providers/Microsoft.Resources/locations/westeurope/operationResults/", run.Start.Header("Location"));
            Assert.Equal(new[] { 200 }, run.Polls.Select(p => p.Status));
            Assert.Equal(404, after.Status);
            Assert.Equal(404, again.Status);
            Assert.False(arm.Exists(http.Vm("rg-gone", "vm1")));
        }

        [Fact]
        public async Task Api_version_problems_are_400_with_ARMs_codes()
        {
            await using var arm = await FakeArmServer.StartAsync();
            using var http = new ArmHttp(arm);

            var missing = await http.GetAsync(http.Rg("rg"));
            var unsupported = await http.GetAsync(http.Rg("rg") + "?api-version=2019-01-01");
            var malformed = await http.GetAsync(http.Rg("rg") + "?api-version=latest");
            var providerUnsupported = await http.GetAsync(http.Vm("rg", "vm") + "?api-version=2024-03-01");

            Assert.Equal((400, "MissingApiVersionParameter"), (missing.Status, missing.ErrorCode));
            Assert.Equal((400, "InvalidApiVersionParameter"), (unsupported.Status, unsupported.ErrorCode));
            Assert.Equal((400, "InvalidApiVersionParameter"), (malformed.Status, malformed.ErrorCode));
            Assert.Equal((400, "NoRegisteredProviderFound"), (providerUnsupported.Status, providerUnsupported.ErrorCode));
        }

        [Fact]
        public async Task Bad_bodies_are_400_InvalidRequestContent_or_LocationRequired()
        {
            await using var arm = await FakeArmServer.StartAsync();
            using var http = new ArmHttp(arm);

            var notJson = await http.SendAsync(System.Net.Http.HttpMethod.Put, http.Rg("rg") + "?" + ArmHttp.Resources, "{not json");
            var noLocation = await http.PutAsync(http.Rg("rg") + "?" + ArmHttp.Resources, new JsonObject());

            Assert.Equal((400, "InvalidRequestContent"), (notJson.Status, notJson.ErrorCode));
            Assert.Equal((400, "LocationRequired"), (noLocation.Status, noLocation.ErrorCode));
            Assert.Equal(2, arm.Requests.Count);
            Assert.All(arm.Requests, r => Assert.False(r.InTrafficFile));
        }

        [Fact]
        public async Task Every_answer_carries_request_and_correlation_ids_and_echoes_the_client_request_id()
        {
            await using var arm = await FakeArmServer.StartAsync();
            using var http = new ArmHttp(arm);

            await http.PutAsync(http.Rg("rg") + "?" + ArmHttp.Resources, new JsonObject { ["location"] = "westeurope" });
            await http.GetAsync(http.Rg("rg") + "?" + ArmHttp.Resources);
            await http.GetAsync(http.Rg("none") + "?" + ArmHttp.Resources);
            await http.GetAsync(http.Rg("rg"));

            Assert.Equal(4, arm.Requests.Count);
            Assert.All(arm.Requests, r =>
            {
                Assert.NotNull(r.ResponseHeader("x-ms-request-id"));
                Assert.NotNull(r.ResponseHeader("x-ms-correlation-request-id"));
                Assert.Equal(r.RequestHeader("x-ms-client-request-id"), r.ResponseHeader("x-ms-client-request-id"));
            });
        }

        [Fact]
        public async Task The_subscription_lists_its_groups()
        {
            await using var arm = await FakeArmServer.StartAsync();
            arm.AddResourceGroup("a");
            arm.AddResourceGroup("b", "northeurope");
            using var http = new ArmHttp(arm);

            var list = await http.GetAsync(http.Sub + "/resourcegroups?" + ArmHttp.Resources);

            Assert.Equal(new[] { "a", "b" }, list.Body["value"].AsArray().Select(g => (string)g["name"]));
        }
    }
}

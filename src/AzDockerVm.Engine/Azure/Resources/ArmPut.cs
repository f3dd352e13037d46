using System;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Azure;
using Azure.Core;

namespace AzDockerVm.Engine.Azure.Resources
{
    /// <summary>
    /// The one PUT of every ARM node (a resource with its location, tags, SKU and zones; a child resource such as a
    /// subnet or a security rule with its properties only, as ARM wants): a request on the connection's pipeline (the
    /// SDK's retries and token), then ARM's long-running-operation protocol until it ends (at the pace Retry-After
    /// asks for), then the resource as ARM now holds it.
    /// </summary>
    internal static class ArmPut
    {
        private static readonly TimeSpan s_poll = TimeSpan.FromSeconds(1);

        internal static async Task<ArmResourceState> PutAsync(ArmConnection arm, ResourceIdentifier id, ArmResourceModel model, CancellationToken ct)
        {
            string version = ArmConnection.ApiVersionFor(id.ResourceType);
            var (_, operation, _) = await SendAsync(arm, RequestMethod.Put, Url(arm, id.ToString(), version), Body(model).ToJsonString(), ct).ConfigureAwait(false);
            if (operation != null)
            {
                await WaitAsync(arm, new Uri(operation), ct).ConfigureAwait(false);
            }

            var (content, _, _) = await SendAsync(arm, RequestMethod.Get, Url(arm, id.ToString(), version), null, ct).ConfigureAwait(false);
            return ArmResourceNode.ToState((JsonObject)JsonNode.Parse(content), id.ToString());
        }

        private static JsonObject Body(ArmResourceModel model)
        {
            var body = new JsonObject();
            if (model.Location != null)
            {
                body["location"] = model.Location;
            }

            if (model.Tags.Count > 0)
            {
                var tags = new JsonObject();
                foreach (var tag in model.Tags)
                {
                    tags[tag.Key] = tag.Value;
                }

                body["tags"] = tags;
            }

            if (model.SkuName != null)
            {
                body["sku"] = new JsonObject { ["name"] = model.SkuName, ["tier"] = model.SkuTier };
            }

            if (model.Zones != null && model.Zones.Count > 0)
            {
                body["zones"] = new JsonArray(model.Zones.Select(z => (JsonNode)z).ToArray());
            }

            body["properties"] = model.Properties.DeepClone();
            return body;
        }

        private static async Task WaitAsync(ArmConnection arm, Uri operation, CancellationToken ct)
        {
            while (true)
            {
                var (content, _, retryAfter) = await SendAsync(arm, RequestMethod.Get, operation, null, ct).ConfigureAwait(false);
                var status = JsonNode.Parse(content) as JsonObject;
                string state = (string)status?["status"];
                if (string.Equals(state, "Succeeded", StringComparison.OrdinalIgnoreCase))
                {
                    return;
                }

                if (string.Equals(state, "Failed", StringComparison.OrdinalIgnoreCase) || string.Equals(state, "Canceled", StringComparison.OrdinalIgnoreCase))
                {
                    string code = (string)status["error"]?["code"] ?? state;
                    throw new RequestFailedException(200, (string)status["error"]?["message"] ?? "The operation " + state.ToLowerInvariant() + ".", code, null);
                }

                await Task.Delay(retryAfter ?? s_poll, ct).ConfigureAwait(false);
            }
        }

        private static Uri Url(ArmConnection arm, string path, string apiVersion) => new Uri(arm.BaseUri, path + "?api-version=" + apiVersion);

        /// <summary>Sends one request; returns the body, the Azure-AsyncOperation URL and Retry-After, if any. ARM errors throw as the SDK's do.</summary>
        private static async Task<(string Content, string Operation, TimeSpan? RetryAfter)> SendAsync(ArmConnection arm, RequestMethod method, Uri uri, string json, CancellationToken ct)
        {
            using (HttpMessage message = arm.Pipeline.CreateMessage())
            {
                Request request = message.Request;
                request.Method = method;
                request.Uri.Reset(uri);
                request.Headers.Add("Accept", "application/json");
                if (json != null)
                {
                    request.Headers.Add("Content-Type", "application/json");
                    request.Content = RequestContent.Create(BinaryData.FromString(json));
                }

                await arm.Pipeline.SendAsync(message, ct).ConfigureAwait(false);
                Response response = message.Response;
                if (response.Status >= 400)
                {
                    throw new RequestFailedException(response);
                }

                TimeSpan? retryAfter = response.Headers.TryGetValue("Retry-After", out string seconds) && int.TryParse(seconds, out int s) && s >= 0 && s <= 60
                    ? TimeSpan.FromSeconds(s) : (TimeSpan?)null;
                return (response.Content.ToString(), response.Headers.TryGetValue("Azure-AsyncOperation", out string operation) ? operation : null, retryAfter);
            }
        }
    }
}

using System;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Azure;
using Azure.Core;

namespace AzDockerVm.Engine.Azure.Resources
{
    /// <summary>
    /// PUT of a child resource (a subnet, a security rule), whose body has no location: a request on the connection's
    /// pipeline (same retries and token as the SDK's), then ARM's long-running-operation protocol until it ends, then
    /// the resource as ARM now holds it.
    /// </summary>
    internal static class ChildPut
    {
        private static readonly TimeSpan s_poll = TimeSpan.FromSeconds(1);

        internal static async Task<ArmResourceState> PutAsync(ArmConnection arm, ResourceIdentifier id, ArmResourceModel model, CancellationToken ct)
        {
            string version = ArmConnection.ApiVersionFor(id.ResourceType);
            var body = new JsonObject { ["properties"] = model.Properties.DeepClone() };
            var (_, operation) = await SendAsync(arm, RequestMethod.Put, Url(arm, id.ToString(), version), body.ToJsonString(), ct).ConfigureAwait(false);
            if (operation != null)
            {
                await WaitAsync(arm, new Uri(operation), ct).ConfigureAwait(false);
            }

            var (content, _) = await SendAsync(arm, RequestMethod.Get, Url(arm, id.ToString(), version), null, ct).ConfigureAwait(false);
            var resource = (JsonObject)JsonNode.Parse(content);
            return new ArmResourceState((string)resource["id"] ?? id.ToString(), null, null, resource["properties"] as JsonObject);
        }

        private static async Task WaitAsync(ArmConnection arm, Uri operation, CancellationToken ct)
        {
            while (true)
            {
                var (content, _) = await SendAsync(arm, RequestMethod.Get, operation, null, ct).ConfigureAwait(false);
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

                await Task.Delay(s_poll, ct).ConfigureAwait(false);
            }
        }

        private static Uri Url(ArmConnection arm, string path, string apiVersion) => new Uri(arm.BaseUri, path + "?api-version=" + apiVersion);

        /// <summary>Sends one request; returns the body and the Azure-AsyncOperation URL, if any. ARM errors throw as the SDK's do.</summary>
        private static async Task<(string Content, string Operation)> SendAsync(ArmConnection arm, RequestMethod method, Uri uri, string json, CancellationToken ct)
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

                return (response.Content.ToString(), response.Headers.TryGetValue("Azure-AsyncOperation", out string operation) ? operation : null);
            }
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;

namespace AzDockerVm.Tests.FakeArm
{
    /// <summary>
    /// Talks to the fake exactly as the Azure SDK does on the wire: a plain HttpClient with default certificate
    /// validation, a bearer token, api-version in the query, "tags":{} in PUT bodies, SDK-style request headers, and the
    /// LRO protocol (follow Azure-AsyncOperation / Location as given, then GET the resource).
    /// </summary>
    internal sealed class ArmHttp : IDisposable
    {
        public const string Resources = "api-version=" + ApiVersions.Resources;
        public const string Compute = "api-version=" + ApiVersions.Compute;
        public const string Network = "api-version=" + ApiVersions.Network;
        public const string Subscriptions = "api-version=" + ApiVersions.Subscriptions;

        private readonly HttpClient _client = new HttpClient();
        private readonly FakeArmServer _arm;

        public ArmHttp(FakeArmServer arm, string token = "token-1")
        {
            _arm = arm;
            Token = token;
        }

        /// <summary>The bearer token sent; null sends no Authorization header.</summary>
        public string Token { get; set; }

        /// <summary>/subscriptions/{id}</summary>
        public string Sub => "/subscriptions/" + _arm.SubscriptionId;

        public string Rg(string resourceGroup) => Sub + "/resourceGroups/" + resourceGroup;

        public string Vm(string resourceGroup, string vm) => Rg(resourceGroup) + "/providers/Microsoft.Compute/virtualMachines/" + vm;

        public string Extension(string resourceGroup, string vm, string name) => Vm(resourceGroup, vm) + "/extensions/" + name;

        public string NetworkResource(string resourceGroup, string type, string name) => Rg(resourceGroup) + "/providers/Microsoft.Network/" + type + "/" + name;

        public Task<ArmReply> GetAsync(string pathAndQuery) => SendAsync(HttpMethod.Get, pathAndQuery);

        public Task<ArmReply> HeadAsync(string pathAndQuery) => SendAsync(HttpMethod.Head, pathAndQuery);

        public Task<ArmReply> DeleteAsync(string pathAndQuery) => SendAsync(HttpMethod.Delete, pathAndQuery);

        /// <summary>
        /// PUT with the body the SDK would send: "tags":{} added when absent (not for child resources such as subnets,
        /// whose schema has no tags).
        /// </summary>
        public Task<ArmReply> PutAsync(string pathAndQuery, JsonObject body, bool withTags = true)
        {
            body = (JsonObject)body.DeepClone();
            if (withTags && body["tags"] == null)
            {
                body["tags"] = new JsonObject();
            }

            return SendAsync(HttpMethod.Put, pathAndQuery, body.ToJsonString());
        }

        public async Task<ArmReply> SendAsync(HttpMethod method, string pathOrUrl, string body = null)
        {
            var uri = pathOrUrl.StartsWith("https://", StringComparison.Ordinal) ? new Uri(pathOrUrl) : new Uri(_arm.BaseUri, pathOrUrl);
            using var request = new HttpRequestMessage(method, uri);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            request.Headers.TryAddWithoutValidation("User-Agent", "azsdk-net-ResourceManager.Compute/1.2.0 (.NET 10.0; Linux)");
            request.Headers.Add("x-ms-client-request-id", Guid.NewGuid().ToString());
            request.Headers.Add("x-ms-return-client-request-id", "true");
            if (Token != null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            }

            if (body != null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            using var response = await _client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var headers = response.Headers.Concat(response.Content.Headers)
                .ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
            return new ArmReply((int)response.StatusCode, headers, string.IsNullOrEmpty(text) ? null : JsonNode.Parse(text));
        }

        /// <summary>
        /// A long-running PUT as the SDK runs it: PUT, poll the absolute Azure-AsyncOperation URL until it is terminal,
        /// then (on success) GET the resource.
        /// </summary>
        public async Task<LroRun> PutAndWaitAsync(string pathAndQuery, JsonObject body, bool withTags = true)
        {
            var put = await PutAsync(pathAndQuery, body, withTags);
            var polls = new List<ArmReply>();
            if (put.Status is 200 or 201 && put.Header("Azure-AsyncOperation") is string operation)
            {
                while (true)
                {
                    var poll = await GetAsync(operation);
                    polls.Add(poll);
                    if (poll.Status != 200 || (string)poll.Body["status"] != "InProgress")
                    {
                        break;
                    }
                }
            }

            var final = polls.Count > 0 && (string)polls[^1].Body?["status"] == "Succeeded" ? await GetAsync(pathAndQuery) : null;
            return new LroRun(put, polls, final);
        }

        /// <summary>A long-running DELETE as the SDK runs it: DELETE, then poll Location while it answers 202.</summary>
        public async Task<LroRun> DeleteAndWaitAsync(string pathAndQuery)
        {
            var delete = await DeleteAsync(pathAndQuery);
            var polls = new List<ArmReply>();
            if (delete.Status == 202)
            {
                var location = delete.Header("Location");
                while (true)
                {
                    var poll = await GetAsync(location);
                    polls.Add(poll);
                    if (poll.Status != 202)
                    {
                        break;
                    }

                    location = poll.Header("Location") ?? location;
                }
            }

            return new LroRun(delete, polls, null);
        }

        public void Dispose() => _client.Dispose();
    }

    internal sealed record ArmReply(int Status, IReadOnlyDictionary<string, string> Headers, JsonNode Body)
    {
        public string Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

        public string ErrorCode => (string)Body?["error"]?["code"];

        public string Text => Body?.ToJsonString() ?? string.Empty;

        public override string ToString() => Status + " " + Text;
    }

    internal sealed record LroRun(ArmReply Start, IReadOnlyList<ArmReply> Polls, ArmReply Final);
}

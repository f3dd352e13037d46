using System;
using System.Collections.Generic;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AzDockerVm.FakeArm
{
    /// <summary>One request the fake received and what it answered, in the order they arrived.</summary>
    public sealed class RecordedExchange
    {
        private static readonly JsonSerializerOptions s_lineOptions = new JsonSerializerOptions
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };

        internal RecordedExchange(int sequence, string method, Uri url, IReadOnlyList<KeyValuePair<string, string>> requestHeaders, JsonNode requestBody, string rawRequestBody, string bearerToken)
        {
            Sequence = sequence;
            Method = method;
            Url = url;
            RequestHeaders = requestHeaders;
            RequestBody = requestBody;
            RawRequestBody = rawRequestBody;
            BearerToken = bearerToken;
        }

        public int Sequence { get; }

        public DateTimeOffset Time { get; } = DateTimeOffset.UtcNow;

        public string Method { get; }

        public Uri Url { get; }

        /// <summary>The URL path, as sent (e.g. /subscriptions/.../resourcegroups/rg).</summary>
        public string Path => Url.AbsolutePath;

        /// <summary>The request headers; Authorization is redacted to "Bearer ***".</summary>
        public IReadOnlyList<KeyValuePair<string, string>> RequestHeaders { get; }

        public JsonNode RequestBody { get; }

        public string RawRequestBody { get; }

        /// <summary>The bearer token the request carried (in memory only; the traffic file redacts it), or null.</summary>
        public string BearerToken { get; }

        /// <summary>The answer's status code; 0 when the connection was dropped.</summary>
        public int Status { get; private set; }

        public bool ConnectionDropped { get; private set; }

        public IReadOnlyList<KeyValuePair<string, string>> ResponseHeaders { get; private set; } = Array.Empty<KeyValuePair<string, string>>();

        public JsonNode ResponseBody { get; private set; }

        /// <summary>
        /// Whether the exchange was written to the traffic file: all are, except dropped connections and refusals of
        /// malformed requests (not JSON, a required property missing), which the specs can only call invalid requests.
        /// </summary>
        public bool InTrafficFile { get; internal set; }

        /// <summary>The fault that shaped this answer, if any.</summary>
        public FaultRule Fault { get; private set; }

        public string RequestHeader(string name) => Find(RequestHeaders, name);

        public string ResponseHeader(string name) => Find(ResponseHeaders, name);

        public override string ToString() => $"{Method} {Url.PathAndQuery} -> {(ConnectionDropped ? "dropped" : Status.ToString())}";

        internal void Complete(int status, IReadOnlyList<KeyValuePair<string, string>> headers, JsonNode body, FaultRule fault)
        {
            Status = status;
            ResponseHeaders = headers;
            ResponseBody = body;
            Fault = fault;
        }

        internal void Drop(FaultRule fault)
        {
            ConnectionDropped = true;
            Fault = fault;
        }

        /// <summary>The line format of the api-specs validator (shared/api-specs/README.md).</summary>
        internal string ToJsonLine()
        {
            var line = new JsonObject
            {
                ["method"] = Method,
                ["url"] = Url.AbsoluteUri,
                ["requestHeaders"] = ToObject(RequestHeaders),
                ["requestBody"] = RequestBody?.DeepClone() ?? (RawRequestBody is { Length: > 0 } ? JsonValue.Create(RawRequestBody) : null),
                ["status"] = Status,
                ["responseHeaders"] = ToObject(ResponseHeaders),
                ["responseBody"] = ResponseBody?.DeepClone(),
            };
            return line.ToJsonString(s_lineOptions);
        }

        private static JsonObject ToObject(IReadOnlyList<KeyValuePair<string, string>> headers)
        {
            var o = new JsonObject();
            foreach (var h in headers)
            {
                o[h.Key] = o[h.Key] is JsonNode previous ? previous.GetValue<string>() + ", " + h.Value : h.Value;
            }

            return o;
        }

        private static string Find(IReadOnlyList<KeyValuePair<string, string>> headers, string name)
        {
            foreach (var h in headers)
            {
                if (string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return h.Value;
                }
            }

            return null;
        }
    }
}

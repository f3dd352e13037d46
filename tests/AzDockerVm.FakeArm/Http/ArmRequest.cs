using System;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace AzDockerVm.FakeArm.Http
{
    /// <summary>One request as the handlers see it: method, decoded path segments, query and parsed JSON body.</summary>
    internal sealed class ArmRequest
    {
        public ArmRequest(string method, string path, IQueryCollection query, string rawBody)
        {
            Method = method.ToUpperInvariant();
            Path = path;
            Segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
            Query = query;
            RawBody = rawBody;
            if (!string.IsNullOrWhiteSpace(rawBody))
            {
                try
                {
                    Body = JsonNode.Parse(rawBody);
                }
                catch (System.Text.Json.JsonException e)
                {
                    BodyError = e.Message;
                }
            }
        }

        public string Method { get; }

        public string Path { get; }

        public string[] Segments { get; }

        public IQueryCollection Query { get; }

        public string RawBody { get; }

        /// <summary>The parsed body, or null when there was none (or it was not JSON: see <see cref="BodyError"/>).</summary>
        public JsonNode Body { get; }

        public string BodyError { get; }

        public string ApiVersion => Query.TryGetValue("api-version", out var v) ? v.ToString() : null;

        public bool ExpandsInstanceView =>
            Query.TryGetValue("$expand", out var v) && string.Equals(v.ToString(), "instanceView", StringComparison.OrdinalIgnoreCase);

        /// <summary>The body as a JSON object, or InvalidRequestContent.</summary>
        public JsonObject RequireObjectBody()
        {
            if (BodyError != null)
            {
                throw ArmError.InvalidRequestContent(BodyError).AsException();
            }

            return Body as JsonObject ?? throw ArmError.InvalidRequestContent("The request body must be a JSON object.").AsException();
        }

        public bool Is(string method) => Method == method;
    }
}

using System.Collections.Generic;
using System.Text.Json.Nodes;

namespace AzDockerVm.FakeArm.Http
{
    /// <summary>What the fake answers: a status, headers (in order) and an optional JSON body.</summary>
    internal sealed class ArmResponse
    {
        public ArmResponse(int status, JsonNode body = null)
        {
            Status = status;
            Body = body;
        }

        public int Status { get; }

        public JsonNode Body { get; }

        /// <summary>The answer refuses a request that breaks the API's contract (see <see cref="ArmError.MalformedRequest"/>).</summary>
        public bool RefusesMalformedRequest { get; private init; }

        public List<KeyValuePair<string, string>> Headers { get; } = new List<KeyValuePair<string, string>>();

        public ArmResponse WithHeader(string name, string value)
        {
            Headers.Add(new KeyValuePair<string, string>(name, value));
            return this;
        }

        public static ArmResponse Ok(JsonNode body) => new ArmResponse(200, body);

        public static ArmResponse Empty(int status) => new ArmResponse(status);

        public static ArmResponse Error(ArmError error) =>
            new ArmResponse(error.Status, error.ToBody()) { RefusesMalformedRequest = error.MalformedRequest };
    }
}

using System.Text.Json.Nodes;

namespace AzDockerVm.FakeArm.Api
{
    internal static class Json
    {
        public static JsonObject Clone(JsonObject o) => (JsonObject)o?.DeepClone();

        public static JsonNode Clone(JsonNode n) => n?.DeepClone();

        /// <summary>The child object <paramref name="name"/>, created when missing.</summary>
        public static JsonObject Child(JsonObject parent, string name)
        {
            if (parent[name] is JsonObject child)
            {
                return child;
            }

            child = new JsonObject();
            parent[name] = child;
            return child;
        }

        /// <summary>The child array <paramref name="name"/>, created when missing.</summary>
        public static JsonArray Array(JsonObject parent, string name)
        {
            if (parent[name] is JsonArray array)
            {
                return array;
            }

            array = new JsonArray();
            parent[name] = array;
            return array;
        }

        public static void Default(JsonObject o, string name, JsonNode value)
        {
            if (o[name] == null)
            {
                o[name] = value;
            }
        }

        public static string Str(JsonNode node) => node is JsonValue v && v.TryGetValue(out string s) ? s : null;

        /// <summary>A JSON number as a double, or null (text that holds a number counts too, as ARM reads it).</summary>
        public static double? Number(JsonNode node)
            => node is JsonValue v
                ? v.TryGetValue(out double d) ? d : v.TryGetValue(out string s) && double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out d) ? d : (double?)null
                : null;

        public static JsonObject Reference(string id) => new JsonObject { ["id"] = id };
    }
}

using System;
using System.IO;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AzDockerVm.FakeArm
{
    /// <summary>
    /// A VM extension PUT as the VM's handler would receive it, public AND protected settings included, so a test can
    /// decide the outcome and decode the script. Everything here is a copy: changing it changes nothing in the fake.
    /// </summary>
    public sealed class ExtensionPut
    {
        internal ExtensionPut(string resourceGroup, string vmName, string extensionName, bool isCreate, JsonObject properties, JsonObject protectedSettings)
        {
            ResourceGroup = resourceGroup;
            VmName = vmName;
            ExtensionName = extensionName;
            IsCreate = isCreate;
            Publisher = (string)properties["publisher"];
            Type = (string)properties["type"];
            TypeHandlerVersion = (string)properties["typeHandlerVersion"];
            ForceUpdateTag = properties["forceUpdateTag"]?.GetValue<string>();
            Settings = properties["settings"] is JsonObject s ? (JsonObject)s.DeepClone() : new JsonObject();
            ProtectedSettings = (JsonObject)protectedSettings?.DeepClone();
        }

        public string ResourceGroup { get; }

        public string VmName { get; }

        public string ExtensionName { get; }

        /// <summary>True for a new extension (201), false for an update of an existing one (200).</summary>
        public bool IsCreate { get; }

        public string Publisher { get; }

        public string Type { get; }

        public string TypeHandlerVersion { get; }

        public string ForceUpdateTag { get; }

        /// <summary>The public settings (an empty object when none were sent).</summary>
        public JsonObject Settings { get; }

        /// <summary>The protected settings, or null when none were sent.</summary>
        public JsonObject ProtectedSettings { get; }

        public bool IsCustomScript =>
            string.Equals(Publisher, "Microsoft.Azure.Extensions", StringComparison.OrdinalIgnoreCase) &&
            string.Equals(Type, "CustomScript", StringComparison.OrdinalIgnoreCase);

        /// <summary>A settings value from the protected settings, else from the public ones (CustomScript allows either).</summary>
        public JsonNode Setting(string name) => ProtectedSettings?[name] ?? Settings[name];

        /// <summary>CustomScript's "script" decoded as its handler does: base64, then gunzip when it is gzip. Null when absent.</summary>
        public string Script
        {
            get
            {
                if (Setting("script") is not JsonValue value || !value.TryGetValue(out string base64))
                {
                    return null;
                }

                var bytes = Convert.FromBase64String(base64);
                if (bytes.Length > 2 && bytes[0] == 0x1F && bytes[1] == 0x8B)
                {
                    using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                    using var plain = new MemoryStream();
                    gzip.CopyTo(plain);
                    bytes = plain.ToArray();
                }

                return Encoding.UTF8.GetString(bytes);
            }
        }

        /// <summary>
        /// A setting of the rendered CustomScript script (its NAME='value' line), the value as the script reads it: a
        /// *_B64 setting decoded (UTF-8), any other as written. Null when the script or the line is absent.
        /// </summary>
        public string ScriptSetting(string name)
        {
            var match = Script == null ? null : System.Text.RegularExpressions.Regex.Match(Script,
                "^" + System.Text.RegularExpressions.Regex.Escape(name) + "='([^']*)'$", System.Text.RegularExpressions.RegexOptions.Multiline);
            if (match == null || !match.Success)
            {
                return null;
            }

            string value = match.Groups[1].Value;
            return name.EndsWith("_B64", StringComparison.Ordinal) ? Encoding.UTF8.GetString(Convert.FromBase64String(value)) : value;
        }

        /// <summary>CustomScript's commandToExecute, or null.</summary>
        public string CommandToExecute => Setting("commandToExecute")?.GetValue<string>();

        /// <summary>
        /// The Docker port: in the public settings (DockerExtension's docker.port, or a top-level port), else the
        /// AZDV_PORT assignment of the CustomScript script (what the script would report), else null.
        /// </summary>
        public int? Port
        {
            get
            {
                var port = Settings["docker"]?["port"] ?? Settings["port"];
                if (port is not JsonValue value)
                {
                    var assigned = Script == null ? null : System.Text.RegularExpressions.Regex.Match(Script, @"^AZDV_PORT='?(\d+)'?\s*$", System.Text.RegularExpressions.RegexOptions.Multiline);
                    return assigned != null && assigned.Success ? int.Parse(assigned.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
                }

                return value.GetValueKind() switch
                {
                    JsonValueKind.Number => value.GetValue<int>(),
                    JsonValueKind.String when int.TryParse(value.GetValue<string>(), out int p) => p,
                    _ => null,
                };
            }
        }
    }
}

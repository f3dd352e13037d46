using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AzDockerVm.Engine.Provisioning
{
    /// <summary>Which VM extension carries the Docker settings to the VM.</summary>
    public enum ExtensionHandler
    {
        /// <summary>Microsoft.Azure.Extensions/CustomScript 2.1 with our provisioning script (the live carrier).</summary>
        CustomScript,

        /// <summary>Microsoft.Azure.Extensions/DockerExtension 1.2 — the exact legacy schema; Azure retired the handler in 2018.</summary>
        DockerExtension,
    }

    /// <summary>An extension ready to PUT: identity, public settings (nothing secret) and protected settings. Built by a <see cref="DockerCarrier"/>.</summary>
    public sealed class ExtensionPayload
    {
        public ExtensionHandler Handler { get; set; }

        public string Type => DockerCarrier.For(Handler).Type;

        public string TypeHandlerVersion { get; set; }

        public JsonObject Settings { get; set; }

        /// <summary>Secret. Never log, never show.</summary>
        public JsonObject ProtectedSettings { get; set; }

        /// <summary>CustomScript: public settings carry nothing secret; the rendered script travels protected.</summary>
        internal static ExtensionPayload ForCustomScript(DockerHostSettings settings, string typeHandlerVersion, int? rerunTimestamp)
        {
            string daemonJson = DaemonConfiguration.Render(settings);
            string script = ProvisioningScript.Render(settings, daemonJson);
            var publicSettings = new JsonObject { ["skipDos2Unix"] = true };
            if (rerunTimestamp.HasValue)
            {
                publicSettings["timestamp"] = rerunTimestamp.Value;
            }

            return new ExtensionPayload
            {
                Handler = ExtensionHandler.CustomScript,
                TypeHandlerVersion = typeHandlerVersion,
                Settings = publicSettings,
                ProtectedSettings = new JsonObject { ["script"] = ProvisioningScript.ToCustomScriptPayload(script) },
            };
        }

        /// <summary>
        /// CustomScript carrying a TLS rollout: the script in its tls-rollout mode (protected) and a timestamp, so the
        /// handler runs it even when the same files are sent again (a retry).
        /// </summary>
        internal static ExtensionPayload ForCustomScriptTlsRollout(TlsRollout rollout, string typeHandlerVersion, int timestamp)
            => new ExtensionPayload
            {
                Handler = ExtensionHandler.CustomScript,
                TypeHandlerVersion = typeHandlerVersion,
                Settings = new JsonObject { ["skipDos2Unix"] = true, ["timestamp"] = timestamp },
                ProtectedSettings = new JsonObject { ["script"] = ProvisioningScript.ToCustomScriptPayload(ProvisioningScript.RenderTlsRollout(rollout)) },
            };

        /// <summary>
        /// The legacy DockerExtension carrying a TLS rollout: its public settings as installed (port, options, cloud),
        /// new "certs" in the protected ones. ARM never returns protected settings, so the compose project's protected
        /// environment and the registry login cannot be sent again: the compose keys are left out, so the handler does
        /// not run the project again without its variables (its containers are left as they are).
        /// </summary>
        internal static ExtensionPayload ForLegacyTlsRollout(TlsRollout rollout, string installedSettingsJson, string typeHandlerVersion)
        {
            JsonObject publicSettings = (string.IsNullOrEmpty(installedSettingsJson) ? null : JsonNode.Parse(installedSettingsJson) as JsonObject) ?? new JsonObject();
            publicSettings.Remove("compose");
            publicSettings.Remove("compose-environment");
            return new ExtensionPayload
            {
                Handler = ExtensionHandler.DockerExtension,
                TypeHandlerVersion = typeHandlerVersion,
                Settings = publicSettings,
                ProtectedSettings = new JsonObject
                {
                    ["certs"] = new JsonObject
                    {
                        ["ca"] = Base64(rollout.TrustBundlePem ?? rollout.CurrentTrustPem),
                        ["cert"] = Base64(rollout.ServerCertificatePem),
                        ["key"] = Base64(rollout.ServerKeyPem),
                    },
                },
            };
        }

        /// <summary>The retired DockerExtension 1.x schema, key for key (docker.port is a string; certs are base64).</summary>
        internal static ExtensionPayload ForLegacyDockerExtension(DockerHostSettings settings, string typeHandlerVersion)
        {
            string environment = string.IsNullOrEmpty(settings.AzureEnvironment) ? "AzureCloud" : settings.AzureEnvironment;
            if (environment != "AzureCloud" && environment != "AzureChinaCloud")
            {
                throw new AzDockerVmException("UnsupportedAzureEnvironment", FailureKind.InvalidArgument, environment,
                    $"The DockerExtension handler accepts azure-environment 'AzureCloud' or 'AzureChinaCloud' only, not '{environment}'.",
                    "Use -Handler CustomScript for other clouds.");
            }

            var docker = new JsonObject { ["port"] = settings.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            IList<string> options = DockerdFlags.Parse(settings.DockerOptions).Lines;
            if (options.Count > 0)
            {
                docker["options"] = new JsonArray(options.Select(o => (JsonNode)JsonValue.Create(o)).ToArray());
            }

            var publicSettings = new JsonObject { ["docker"] = docker };
            if (!string.IsNullOrEmpty(settings.ComposeText))
            {
                publicSettings["compose"] = ComposeAsJson(settings.ComposeText);
            }

            publicSettings["azure-environment"] = environment;

            var protectedSettings = new JsonObject
            {
                ["certs"] = new JsonObject
                {
                    ["ca"] = Base64(settings.CaCertificatePem),
                    ["cert"] = Base64(settings.ServerCertificatePem),
                    ["key"] = Base64(settings.ServerKeyPem),
                },
            };
            // The variables may hold secrets: the schema's protected "environment", never the public "compose-environment".
            if (settings.ComposeEnvironment != null && settings.ComposeEnvironment.Count > 0)
            {
                ComposeEnvironmentFile.Validate(settings.ComposeEnvironment);
                var env = new JsonObject();
                foreach (var pair in settings.ComposeEnvironment.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    env[pair.Key] = pair.Value;
                }

                protectedSettings["environment"] = env;
            }

            if (!string.IsNullOrEmpty(settings.RegistryUserName) && !string.IsNullOrEmpty(settings.RegistryPassword))
            {
                protectedSettings["login"] = new JsonObject
                {
                    ["server"] = settings.RegistryServer ?? string.Empty,
                    ["username"] = settings.RegistryUserName,
                    ["password"] = settings.RegistryPassword,
                };
            }

            return new ExtensionPayload
            {
                Handler = ExtensionHandler.DockerExtension,
                TypeHandlerVersion = typeHandlerVersion,
                Settings = publicSettings,
                ProtectedSettings = protectedSettings,
            };
        }

        private static string Base64(string text) => Convert.ToBase64String(new UTF8Encoding(false).GetBytes(text ?? string.Empty));

        /// <summary>The legacy handler takes compose as a JSON object (it wrote it out as YAML itself).</summary>
        private static JsonNode ComposeAsJson(string composeText)
        {
            try
            {
                var node = JsonNode.Parse(composeText);
                if (node is JsonObject)
                {
                    return node;
                }
            }
            catch (JsonException)
            {
            }

            throw new AzDockerVmException("ComposeFileNotJson", FailureKind.InvalidArgument, "ComposeFile",
                "The DockerExtension handler takes the compose file as a JSON object; this file is not JSON.",
                "Write the compose file as JSON (valid YAML too), or use -Handler CustomScript, which accepts YAML.");
        }
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using AzDockerVm.Engine.Text;

namespace AzDockerVm.Engine.Provisioning
{
    /// <summary>
    /// The VM-side bash script (provision.sh, an embedded resource) rendered with the settings: each setting becomes
    /// one <c>AZDV_NAME='value'</c> line, placed where the script's settings marker stands (after its tracing guard,
    /// so not even <c>bash -x</c> shows a value). Values are plain tokens or base64, so nothing needs quoting.
    /// </summary>
    public static class ProvisioningScript
    {
        internal const string SettingsMarker = "# @AZDV_SETTINGS@";

        /// <summary>AZDV_MODE of a rollout: replace the server certificate and key (and the client CA bundle) only.</summary>
        public const string TlsRolloutMode = "tls-rollout";
        private const string ResourceName = "AzDockerVm.Engine.Provisioning.provision.sh";
        private static readonly Regex s_plainToken = TextRules.Whole("[A-Za-z0-9._:/-]*");

        // A package version as apt/dnf spell it (epoch, ~ and + included), what the script accepts for AZDV_DOCKER_VERSION.
        private static readonly Regex s_packageVersion = TextRules.Whole("[A-Za-z0-9._:~+-]*");
        private static readonly Lazy<string> s_body = new Lazy<string>(LoadBody);

        private static string Template => s_body.Value;

        public static string Render(DockerHostSettings settings, string daemonJson)
        {
            var values = new List<KeyValuePair<string, string>>
            {
                Plain("AZDV_PORT", settings.Port.ToString(CultureInfo.InvariantCulture), "the Docker port"),
                Encoded("AZDV_CA_B64", settings.CaCertificatePem),
                Encoded("AZDV_CERT_B64", settings.ServerCertificatePem),
                Encoded("AZDV_KEY_B64", settings.ServerKeyPem),
                Encoded("AZDV_DAEMON_JSON_B64", daemonJson),
                Encoded("AZDV_DOCKER_OPTIONS_B64", DockerOptionLines(settings)),
                Encoded("AZDV_DOCKERD_FLAGS_B64", DockerdFlags.TableText),
                Plain("AZDV_DOCKER_VERSION", settings.DockerVersion, "the Docker version", s_packageVersion),
                Encoded("AZDV_COMPOSE_B64", settings.ComposeText),
                Encoded("AZDV_COMPOSE_ENV_B64", ComposeEnvironmentFile.Render(settings.ComposeEnvironment)),
                Plain("AZDV_REGISTRY_SERVER", settings.RegistryServer, "the registry server"),
                Encoded("AZDV_REGISTRY_USER_B64", settings.RegistryUserName),
                Encoded("AZDV_REGISTRY_PASSWORD_B64", settings.RegistryPassword),
                Plain("AZDV_ADMIN_USER", settings.AdminUserName, "the VM's admin user name"),
            };
            return WithSettings(values);
        }

        /// <summary>
        /// The script in its tls-rollout mode: only the port, the new server certificate and key and (when it changes)
        /// the CA bundle for clients are set; the VM keeps every other setting it has.
        /// </summary>
        public static string RenderTlsRollout(TlsRollout rollout)
        {
            var values = new List<KeyValuePair<string, string>>
            {
                Plain("AZDV_MODE", TlsRolloutMode, "the script's mode"),
                Plain("AZDV_PORT", rollout.Port.ToString(CultureInfo.InvariantCulture), "the Docker port"),
                Encoded("AZDV_CA_B64", rollout.TrustBundlePem),
                Encoded("AZDV_CERT_B64", rollout.ServerCertificatePem),
                Encoded("AZDV_KEY_B64", rollout.ServerKeyPem),
            };
            return WithSettings(values);
        }

        private static string WithSettings(IEnumerable<KeyValuePair<string, string>> values)
        {
            var block = new StringBuilder();
            foreach (var pair in values)
            {
                block.Append(pair.Key).Append("='").Append(pair.Value).Append("'\n");
            }

            string body = Template.Replace("\r\n", "\n");
            int marker = body.IndexOf(SettingsMarker + "\n", StringComparison.Ordinal);
            if (marker < 0)
            {
                throw new InvalidOperationException("provision.sh has no settings marker '" + SettingsMarker + "'.");
            }

            return body.Substring(0, marker) + block + body.Substring(marker + SettingsMarker.Length + 1);
        }

        /// <summary>gzip + base64: the form the CustomScript handler accepts in its "script" setting.</summary>
        public static string ToCustomScriptPayload(string renderedScript)
        {
            using var buffer = new MemoryStream();
            using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            {
                byte[] bytes = new UTF8Encoding(false).GetBytes(renderedScript);
                gzip.Write(bytes, 0, bytes.Length);
            }

            return Convert.ToBase64String(buffer.ToArray());
        }

        // The settings are checked before (DockerHostSettingsCheck); this guards the script's quoting whatever comes in.
        private static KeyValuePair<string, string> Plain(string name, string value, string what, Regex allowed = null)
        {
            value = value ?? string.Empty;
            allowed = allowed ?? s_plainToken;
            if (!allowed.IsMatch(value))
            {
                throw new AzDockerVmException("InvalidSettingValue", FailureKind.InvalidArgument, value,
                    allowed == s_plainToken
                        ? $"'{TextRules.Printable(value)}' is not allowed for {what}: use letters, digits and . _ : / - only."
                        : $"'{TextRules.Printable(value)}' is not a package version ({what}): use letters, digits and . _ : ~ + - only.");
            }

            return new KeyValuePair<string, string>(name, value);
        }

        private static string DockerOptionLines(DockerHostSettings settings)
        {
            IList<string> lines = DockerdFlags.Parse(settings.DockerOptions).Lines;
            return lines.Count == 0 ? null : string.Join("\n", lines) + "\n";
        }

        private static KeyValuePair<string, string> Encoded(string name, string value)
            => new KeyValuePair<string, string>(name, string.IsNullOrEmpty(value) ? string.Empty : Convert.ToBase64String(new UTF8Encoding(false).GetBytes(value)));

        private static string LoadBody()
        {
            using var stream = typeof(ProvisioningScript).Assembly.GetManifestResourceStream(ResourceName)
                ?? throw new InvalidOperationException("embedded resource " + ResourceName + " is missing");
            using var reader = new StreamReader(stream, new UTF8Encoding(false));
            return reader.ReadToEnd();
        }
    }
}

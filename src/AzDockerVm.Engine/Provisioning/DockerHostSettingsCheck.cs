using System;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AzDockerVm.Engine.Text;

namespace AzDockerVm.Engine.Provisioning
{
    /// <summary>
    /// Every check of the Docker settings that needs neither Azure nor the certificates, run before any request or
    /// write, so that the VM never receives settings its script would refuse minutes later.
    /// </summary>
    public static class DockerHostSettingsCheck
    {
        /// <summary>CustomScript's documented limit for its script setting (and the size AzDockerVm allows the legacy carrier).</summary>
        public const int CarrierLimitBytes = 256 * 1024;

        // sshd, and the ports of Docker Swarm (cluster management, overlay network, node gossip).
        private static readonly int[] s_reservedPorts = { 22, 2377, 4789, 7946 };
        private static readonly Regex s_dockerVersion = TextRules.Whole("[0-9][A-Za-z0-9.:~+-]*");
        private static readonly Regex s_registry = TextRules.Whole(@"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(:[0-9]{1,5})?");

        public static void Validate(DockerHostSettings settings, DockerCarrier carrier)
        {
            if (settings.Port < 1 || settings.Port > 65535 || s_reservedPorts.Contains(settings.Port))
            {
                throw new AzDockerVmException("DockerPortReserved", FailureKind.InvalidArgument, settings.Port,
                    settings.Port == 22
                        ? "Port 22 is sshd's: dockerd could not listen there, and taking it would lock you out of the VM."
                        : $"Port {settings.Port} is not available for the Docker TLS API (1-65535, not 22 or Docker Swarm's 2377, 4789 and 7946).",
                    "Use Docker's TLS port 2376 (the default) or another free port.");
            }

            if (settings.DockerVersion != null && !s_dockerVersion.IsMatch(settings.DockerVersion))
            {
                throw new AzDockerVmException("InvalidDockerVersion", FailureKind.InvalidArgument, settings.DockerVersion,
                    $"'{TextRules.Printable(settings.DockerVersion)}' is not a Docker version: use a version such as 24.0.7 (digits first; letters, digits and . : ~ + - after).");
            }

            if (settings.RegistryServer != null && !s_registry.IsMatch(settings.RegistryServer))
            {
                throw new AzDockerVmException("InvalidRegistryServer", FailureKind.InvalidArgument, settings.RegistryServer,
                    $"'{TextRules.Printable(settings.RegistryServer)}' is not a registry server: give its host name and optional port, e.g. myregistry.azurecr.io or registry.example.com:5000 (no scheme, no path).");
            }

            string daemonJson = DaemonConfiguration.Render(settings);
            DockerdArguments arguments = DockerdFlags.Parse(settings.DockerOptions);
            DockerdFlags.RefuseConflicts(arguments, JsonNode.Parse(daemonJson).AsObject().Select(p => p.Key).ToList());
            ComposeEnvironmentFile.Validate(settings.ComposeEnvironment);

            // The certificates come later; stand-ins of the size of an RSA-4096 set (random, so they compress like real ones).
            DockerHostSettings sized = settings.WithCertificates(Filler(2100), Filler(2100), Filler(3300));
            RefuseOversized(carrier.BuildPayload(sized, null, rerun: false));
        }

        /// <summary>Refuses a payload over the carrier's limit (checked again with the real certificates before the PUT).</summary>
        public static void RefuseOversized(ExtensionPayload payload)
        {
            int size = Encoding.UTF8.GetByteCount(payload.Settings.ToJsonString()) + Encoding.UTF8.GetByteCount(payload.ProtectedSettings.ToJsonString());
            if (size > CarrierLimitBytes)
            {
                throw new AzDockerVmException("ExtensionSettingsTooLarge", FailureKind.InvalidArgument, payload.Type,
                    $"The extension's settings would be {size / 1024} KB; the {payload.Type} carrier takes at most {CarrierLimitBytes / 1024} KB (CustomScript's limit for its script setting; the compose file and its variables travel there, compressed). Nothing was sent.",
                    "Make the compose file smaller: let it pull images and files from a registry or storage instead of carrying them.");
            }
        }

        private static string Filler(int length)
        {
            var random = new Random(length);
            var bytes = new byte[length * 3 / 4];
            random.NextBytes(bytes);
            return "-----BEGIN CERTIFICATE-----\n" + Convert.ToBase64String(bytes) + "\n-----END CERTIFICATE-----\n";
        }
    }
}

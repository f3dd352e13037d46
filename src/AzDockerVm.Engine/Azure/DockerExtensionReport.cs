using System;
using System.Globalization;
using System.Linq;
using AzDockerVm.Engine.Docker;
using AzDockerVm.Engine.Provisioning;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>
    /// What an extension's instance view says about the Docker host: state, the script's last status line (Docker
    /// version, port, TLS), the failure message, and the endpoint clients use.
    /// </summary>
    internal static class DockerExtensionReport
    {
        internal static DockerExtensionInfo ToInfo(VmFacts vm, ExtensionFacts facts)
        {
            bool legacy = DockerCarrier.LegacyDockerExtension.Carries(facts.Publisher ?? DockerCarrier.Publisher, facts.Type);
            var info = new DockerExtensionInfo
            {
                ResourceGroupName = vm.ResourceGroupName,
                VmName = vm.Name,
                Name = facts.Name,
                Handler = legacy ? ExtensionHandler.DockerExtension : ExtensionHandler.CustomScript,
                Publisher = facts.Publisher,
                ExtensionType = facts.Type,
                TypeHandlerVersion = facts.TypeHandlerVersion,
                AutoUpgradeMinorVersion = facts.AutoUpgradeMinorVersion ?? false,
                ProvisioningState = facts.ProvisioningState,
            };
            info.Statuses.AddRange(facts.Statuses);
            info.Substatuses.AddRange(facts.Substatuses);

            var texts = facts.Substatuses.Where(s => s.Code != null && s.Code.IndexOf("StdOut", StringComparison.OrdinalIgnoreCase) >= 0).Select(s => s.Message)
                .Concat(facts.Statuses.Select(s => s.Message));
            StatusLine line = StatusLine.FindLast(texts);
            int port = line?.Port ?? PortFromTag(facts) ?? PortFromLegacySettings(facts) ?? DockerEndpoint.DefaultTlsPort;
            info.DockerPort = port;
            info.DockerVersion = line?.DockerVersion;
            info.TlsEnabled = line != null ? line.TlsOn : legacy && string.Equals(facts.ProvisioningState, "Succeeded", StringComparison.OrdinalIgnoreCase);
            string failure = facts.Statuses.FirstOrDefault(s => string.Equals(s.Level, "Error", StringComparison.OrdinalIgnoreCase))?.Message;
            info.StatusMessage = string.Equals(facts.ProvisioningState, "Failed", StringComparison.OrdinalIgnoreCase) && failure != null
                ? failure.Trim()
                : line?.Text ?? facts.Statuses.FirstOrDefault()?.Message?.Trim();
            string host = vm.Fqdns.FirstOrDefault() ?? vm.PublicIPAddresses.FirstOrDefault();
            info.Endpoint = host == null ? null : DockerEndpoint.Format(host, port);
            return info;
        }

        private static int? PortFromTag(ExtensionFacts facts)
            => facts.Tags != null && facts.Tags.TryGetValue(DockerExtensionService.PortTag, out string text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) ? port : (int?)null;

        private static int? PortFromLegacySettings(ExtensionFacts facts)
        {
            if (string.IsNullOrEmpty(facts.SettingsJson))
            {
                return null;
            }

            try
            {
                var node = System.Text.Json.Nodes.JsonNode.Parse(facts.SettingsJson);
                string text = node?["docker"]?["port"]?.ToString();
                return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) ? port : (int?)null;
            }
            catch (System.Text.Json.JsonException)
            {
                return null;
            }
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>
    /// Who the network security groups let reach a host's Docker port (Get-AzDockerVm's DockerPortOpenTo): every
    /// source of every inbound Allow rule that admits TCP to the port and the host, whoever wrote the rule. The host's
    /// own rule (AllowedSourceAddress) is only one of them: an admin's "allow * to 2000-3000", or a rule of another
    /// tool for the whole subnet, opens the port too, and an operations check that read our rule alone would miss it.
    /// </summary>
    /// <remarks>
    /// Errs towards listing more, never fewer, apart from Azure's own default rules: a check built on it may raise a
    /// false alarm but does not stay silent about an open port.
    /// <list type="bullet">
    /// <item>The NSGs on the host's NICs and on their subnets are both read; traffic must pass both, but the union of
    /// their sources is listed (intersecting service tags and CIDRs is not possible here).</item>
    /// <item>Rules are taken by priority; a Deny for the port from any source ('*', 'Any', '0.0.0.0/0') ends the
    /// list, since nothing after it is reached. A narrower Deny removes nothing.</item>
    /// <item>A destination covers the host when it is '*', 'Any', 'VirtualNetwork', another service tag or an
    /// application security group (which can't be resolved from the rule), or a CIDR or address holding one of the
    /// host's IPs; 'Internet' never names a VM's address. So a rule of the group's shared NSG for another host's
    /// address is not this host's.</item>
    /// <item>Sources are reported as the rules write them ('203.0.113.0/24', 'Internet', '*'); an application security
    /// group by its name.</item>
    /// <item>The default rules (AllowVnetInBound from VirtualNetwork, AllowAzureLoadBalancerInBound) are Azure's, on
    /// every NSG, and are not listed.</item>
    /// <item>No NSG at all on the NICs and subnets: nothing filters, so the port is open to '*'.</item>
    /// </list>
    /// </remarks>
    internal static class DockerPortExposure
    {
        private static readonly string[] s_anySource = { "*", "Any", "0.0.0.0/0" };

        /// <param name="securityGroups">The "properties" of each NSG on the host's NICs and subnets (none: no NSG applies).</param>
        internal static List<string> OpenTo(IReadOnlyList<JsonObject> securityGroups, int port, VmFacts vm)
        {
            if (securityGroups.Count == 0)
            {
                return new List<string> { "*" };
            }

            var sources = new List<string>();
            foreach (JsonObject nsg in securityGroups)
            {
                var rules = ((nsg["securityRules"] as JsonArray) ?? new JsonArray())
                    .Select(r => r?["properties"] as JsonObject)
                    .Where(p => p != null && string.Equals((string)p["direction"], "Inbound", StringComparison.OrdinalIgnoreCase))
                    .Where(p => (string)p["protocol"] is string protocol && (protocol == "*" || protocol.Equals("Tcp", StringComparison.OrdinalIgnoreCase)))
                    .Where(p => DockerVmDiagnosis.CoversPort(p, port) && ReachesHost(p, vm))
                    .OrderBy(p => (int?)p["priority"] ?? int.MaxValue);
                foreach (JsonObject rule in rules)
                {
                    List<string> from = Sources(rule);
                    if (string.Equals((string)rule["access"], "Deny", StringComparison.OrdinalIgnoreCase))
                    {
                        if (from.Any(s => s_anySource.Contains(s, StringComparer.OrdinalIgnoreCase)))
                        {
                            break;
                        }

                        continue;
                    }

                    if (string.Equals((string)rule["access"], "Allow", StringComparison.OrdinalIgnoreCase))
                    {
                        sources.AddRange(from.Where(s => !sources.Contains(s, StringComparer.OrdinalIgnoreCase)));
                    }
                }
            }

            return sources;
        }

        private static List<string> Sources(JsonObject rule)
        {
            var sources = Strings(rule["sourceAddressPrefixes"]);
            if ((string)rule["sourceAddressPrefix"] is string single && single.Length > 0)
            {
                sources.Insert(0, single);
            }

            sources.AddRange(((rule["sourceApplicationSecurityGroups"] as JsonArray) ?? new JsonArray())
                .Select(g => (string)g?["id"]).Where(id => id != null).Select(id => id.Substring(id.LastIndexOf('/') + 1)));
            return sources;
        }

        private static bool ReachesHost(JsonObject rule, VmFacts vm)
        {
            var destinations = Strings(rule["destinationAddressPrefixes"]);
            if ((string)rule["destinationAddressPrefix"] is string single && single.Length > 0)
            {
                destinations.Add(single);
            }

            if (destinations.Count == 0 || (rule["destinationApplicationSecurityGroups"] as JsonArray)?.Count > 0)
            {
                return true;
            }

            var addresses = vm.PrivateIPAddresses.Concat(vm.PublicIPAddresses).ToList();
            return destinations.Any(d => Covers(d, addresses));
        }

        /// <summary>Whether a destination prefix may name one of the addresses (tags other than Internet: assumed yes).</summary>
        private static bool Covers(string destination, IReadOnlyList<string> addresses)
        {
            if (string.Equals(destination, "Internet", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            string[] parts = destination.Split('/');
            if (!IPAddress.TryParse(parts[0], out IPAddress network))
            {
                return true;
            }

            int bits = network.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
            if (parts.Length == 2 && !(int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out bits) && bits >= 0))
            {
                return true;
            }

            return addresses.Any(a => IPAddress.TryParse(a, out IPAddress address) && InNetwork(address, network, bits));
        }

        private static bool InNetwork(IPAddress address, IPAddress network, int bits)
        {
            byte[] a = address.GetAddressBytes(), n = network.GetAddressBytes();
            if (a.Length != n.Length || bits > a.Length * 8)
            {
                return false;
            }

            for (int i = 0; i < bits; i++)
            {
                int mask = 0x80 >> (i % 8);
                if ((a[i / 8] & mask) != (n[i / 8] & mask))
                {
                    return false;
                }
            }

            return true;
        }

        private static List<string> Strings(JsonNode node)
            => ((node as JsonArray) ?? new JsonArray()).Select(n => (string)n).Where(s => !string.IsNullOrEmpty(s)).ToList();
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Engine.Docker;
using AzDockerVm.Engine.Tls;
using Azure.ResourceManager.Compute;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>
    /// Why a Docker host on an Azure VM does (not) answer, layer by layer, the first failing layer being the answer:
    /// the VM (exists, running), our extension (installed, succeeded: else the script's own words), the network
    /// security groups on its NIC and subnet (an inbound Allow for the Docker port), the local TLS set, and then the
    /// mutual-TLS check itself (<see cref="DockerHostProbe"/>) with its reasons, at the VM's public (else private) IP
    /// address as ARM reports it (<see cref="ProbeEndpoint"/>), never at its FQDN: no DNS lookup, no wait for DNS.
    /// </summary>
    public static class DockerVmDiagnosis
    {
        public const string VmNotFound = "VmNotFound";
        public const string VmNotRunning = "VmNotRunning";
        public const string ExtensionNotInstalled = "ExtensionNotInstalled";
        public const string ExtensionFailed = "ExtensionFailed";
        public const string PortBlocked = "PortBlocked";
        public const string CertificateNotFound = "CertificateNotFound";

        /// <param name="certificateFolder">The client's set (ca.pem, cert.pem, key.pem); null: the VM's default set under <paramref name="dockerConfig"/>.</param>
        public static Task<DockerHostProbeResult> DiagnoseAsync(ArmConnection arm, VmReference reference, string dockerConfig, string certificateFolder, TimeSpan timeout, CancellationToken ct)
            => ArmGuard.Run(reference, () => DiagnoseCoreAsync(arm, reference, dockerConfig, certificateFolder, timeout, ct));

        /// <summary>The layers in turn, with a progress bar for the VM that says which one is being tested (a fleet's child bar).</summary>
        private static async Task<DockerHostProbeResult> DiagnoseCoreAsync(ArmConnection arm, VmReference reference, string dockerConfig, string certificateFolder, TimeSpan timeout, CancellationToken ct)
        {
            try
            {
                return await DiagnoseLayersAsync(arm, reference, dockerConfig, certificateFolder, timeout, (status, percent) => arm.Host.WriteProgress(reference.VmName, status, percent), ct)
                    .ConfigureAwait(false);
            }
            finally
            {
                arm.Host.WriteProgress(reference.VmName, "Tested", 100);
            }
        }

        private static async Task<DockerHostProbeResult> DiagnoseLayersAsync(ArmConnection arm, VmReference reference, string dockerConfig, string certificateFolder, TimeSpan timeout,
            Action<string, int> progress, CancellationToken ct)
        {
            progress("Reading the VM (power state, extensions, addresses)", 0);
            VmFacts vm;
            try
            {
                vm = await VmReader.ReadAsync(arm, reference, readAddresses: true, ct).ConfigureAwait(false);
            }
            catch (AzDockerVmException ex) when (ex.ErrorId == "VmNotFound")
            {
                return Failed(null, VmNotFound, ex.Message);
            }

            string name = vm.Name;
            if (!string.Equals(vm.PowerState, "running", StringComparison.OrdinalIgnoreCase))
            {
                return Failed(null, VmNotRunning, $"VM '{name}' is {vm.PowerState ?? "in an unknown power state"}, not running. Start it: Start-AzVM -ResourceGroupName {vm.ResourceGroupName} -Name {name}.");
            }

            ExtensionFacts ours = vm.Extensions.FirstOrDefault(DockerExtensionService.IsOurs);
            if (ours == null)
            {
                return Failed(null, ExtensionNotInstalled, $"VM '{name}' has no AzDockerVm Docker extension. Set-AzDockerExtension -ResourceGroupName {vm.ResourceGroupName} -VMName {name} installs it.");
            }

            progress($"Reading the Docker extension '{ours.Name}'", 25);
            var resource = arm.Client.GetVirtualMachineResource(new global::Azure.Core.ResourceIdentifier(vm.Id));
            DockerExtensionInfo extension = await DockerExtensionService.ReadOursAsync(arm, resource, vm, ours.Name, ct).ConfigureAwait(false);
            if (extension == null || !string.Equals(extension.ProvisioningState, "Succeeded", StringComparison.OrdinalIgnoreCase))
            {
                return Failed(extension == null ? null : ProbeEndpoint(vm, extension.DockerPort), ExtensionFailed,
                    $"The Docker extension '{ours.Name}' on VM '{name}' is {extension?.ProvisioningState ?? "gone"}: {extension?.StatusMessage ?? "no report"}");
            }

            string endpoint = ProbeEndpoint(vm, extension.DockerPort);
            progress($"Checking the network security groups for TCP {extension.DockerPort}", 45);
            string blocking = await BlockingSecurityGroupAsync(arm, vm, extension.DockerPort, ct).ConfigureAwait(false);
            if (blocking != null)
            {
                return Failed(endpoint, PortBlocked,
                    $"The network security group '{blocking}' has no inbound rule that allows TCP {extension.DockerPort} (the Docker port) to VM '{name}': Azure drops the connection. New-AzDockerVm adds one for -AllowedSourceAddress; else add an Allow rule for the port from your address.");
            }

            string folder = certificateFolder ?? VmCertificate.DefaultFolder(dockerConfig, vm);
            string ca = Path.Combine(folder, DockerTlsFileNames.CaCertificate), cert = Path.Combine(folder, DockerTlsFileNames.ClientCertificate), key = Path.Combine(folder, DockerTlsFileNames.ClientKey);
            string missing = new[] { ca, cert, key }.FirstOrDefault(f => !File.Exists(f));
            if (missing != null)
            {
                return Failed(endpoint, CertificateNotFound,
                    $"There is no client TLS set for VM '{name}' on this machine ('{missing}' is missing). Give the set the host's CA issued: Test-AzDockerHost -Endpoint {endpoint} -CertificatePath <folder>.");
            }

            // The served certificate is judged against what ARM reports now: a new address (a public IP re-made, a NIC
            // moved) the certificate does not name is a certificate to renew, even while the probed address still matches.
            var current = vm.Fqdns.Concat(vm.PublicIPAddresses).Concat(vm.PrivateIPAddresses).ToList();
            progress($"Testing mutual TLS at {endpoint}", 70);
            return await Task.Run(() => DockerHostProbe.Test(endpoint, ca, cert, key, timeout, ct, current), ct).ConfigureAwait(false);
        }

        /// <summary>
        /// Where the daemon is probed: tcp://&lt;public IP&gt;:&lt;port&gt;, else the private IP, as ARM reports them; null
        /// when the VM has neither. Not the FQDN (<see cref="DockerExtensionInfo.Endpoint"/>, which docker contexts
        /// use): a name must first be resolved, and a host made a minute ago may not be in DNS yet, or this machine's
        /// resolver may answer for another network; the diagnosis is about the VM ARM describes, so it asks the
        /// address ARM gave it. The certificate is then checked for that address: the sets AzDockerVm makes name the
        /// public and the private IP, and a set given to Set-AzDockerExtension must name the public IPs. The result's
        /// Endpoint says which address was probed.
        /// </summary>
        internal static string ProbeEndpoint(VmFacts vm, int port)
        {
            string address = vm.PublicIPAddresses.FirstOrDefault() ?? vm.PrivateIPAddresses.FirstOrDefault();
            return address == null ? null : DockerEndpoint.Format(address, port);
        }

        private static DockerHostProbeResult Failed(string endpoint, string reason, string message)
            => new DockerHostProbeResult { Endpoint = endpoint, Success = false, Reason = reason, Message = message };

        /// <summary>The NSG (on a NIC of the VM, or on its subnet) that lets no inbound TCP to the port through, or null.</summary>
        private static async Task<string> BlockingSecurityGroupAsync(ArmConnection arm, VmFacts vm, int port, CancellationToken ct)
        {
            // The NICs' NSGs were read with the addresses; the subnets' come from the subnets.
            var groups = new List<string>(vm.NetworkSecurityGroupIds);
            foreach (string subnetId in vm.SubnetIds.Distinct(StringComparer.OrdinalIgnoreCase))
            {
                var subnet = await DockerVmInventory.ReadAsync(arm, subnetId, ct).ConfigureAwait(false);
                if ((string)subnet?.Properties["networkSecurityGroup"]?["id"] is string subnetNsg)
                {
                    groups.Add(subnetNsg);
                }
            }

            foreach (string id in groups.Distinct(StringComparer.OrdinalIgnoreCase))
            {
                var nsg = await DockerVmInventory.ReadAsync(arm, id, ct).ConfigureAwait(false);
                if (nsg != null && !AllowsInbound(nsg.Properties, port))
                {
                    return new global::Azure.Core.ResourceIdentifier(id).Name;
                }
            }

            return null;
        }

        /// <summary>
        /// Whether the first inbound rule (by priority) that matches TCP to the port allows it. Sources are not judged
        /// (who the clients are is not known here): a rule for any source counts. The default rules deny the Internet.
        /// </summary>
        internal static bool AllowsInbound(JsonObject nsg, int port)
        {
            var rules = ((nsg["securityRules"] as JsonArray) ?? new JsonArray()).Concat((nsg["defaultSecurityRules"] as JsonArray) ?? new JsonArray())
                .Select(r => r?["properties"] as JsonObject)
                .Where(p => p != null && string.Equals((string)p["direction"], "Inbound", StringComparison.OrdinalIgnoreCase))
                .Where(p => (string)p["protocol"] is string protocol && (protocol == "*" || protocol.Equals("Tcp", StringComparison.OrdinalIgnoreCase)))
                .Where(p => CoversPort(p, port))
                .OrderBy(p => (int?)p["priority"] ?? int.MaxValue)
                .ToList();
            return rules.Count > 0 && string.Equals((string)rules[0]["access"], "Allow", StringComparison.OrdinalIgnoreCase)
                && !IsOnlyVirtualNetworkSource(rules[0]);
        }

        private static bool IsOnlyVirtualNetworkSource(JsonObject rule)
            => string.Equals((string)rule["sourceAddressPrefix"], "VirtualNetwork", StringComparison.OrdinalIgnoreCase);

        /// <summary>Whether the rule's destination ports (a port, a range, '*', or a list of them) include the port.</summary>
        internal static bool CoversPort(JsonObject rule, int port)
        {
            var ranges = new List<string>();
            if ((string)rule["destinationPortRange"] is string single)
            {
                ranges.Add(single);
            }

            ranges.AddRange(((rule["destinationPortRanges"] as JsonArray) ?? new JsonArray()).Select(r => (string)r).Where(r => r != null));
            return ranges.Any(r =>
            {
                if (r == "*")
                {
                    return true;
                }

                string[] bounds = r.Split('-');
                return int.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out int low)
                    && int.TryParse(bounds[bounds.Length - 1], NumberStyles.None, CultureInfo.InvariantCulture, out int high)
                    && port >= low && port <= high;
            });
        }
    }
}

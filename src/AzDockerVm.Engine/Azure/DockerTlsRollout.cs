using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Engine.Docker;
using AzDockerVm.Engine.Provisioning;
using AzDockerVm.Engine.Tls;
using Azure;
using Azure.Core;
using Azure.ResourceManager;
using Azure.ResourceManager.Compute;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.X509;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>
    /// A renewal or a CA rotation on a Docker host of a VM, in two calls: <see cref="PushAsync"/> puts (server
    /// certificate, server key, and optionally the CA bundle dockerd trusts for clients) on the VM through the carrier
    /// its extension is, sending no other setting, and waits for the VM's report (the script restarts dockerd with
    /// live-restore on and puts the old files back if Docker does not come up serving the new certificate);
    /// <see cref="RequireServedAsync"/> then checks over TLS, from this machine, that the daemon serves the new
    /// certificate. Local files are the caller's business: switch them only after both succeeded.
    /// </summary>
    internal static class DockerTlsRollout
    {
        private const int ServedAttempts = 3;
        private static readonly TimeSpan s_servedTimeout = TimeSpan.FromSeconds(10);
        private static readonly TimeSpan s_servedRetryDelay = TimeSpan.FromSeconds(1);

        /// <summary>The VM's report once the files are in place and served there; a refusal or failure on the VM is ExtensionProvisioningFailed with the script's words (CertificateAuthorityMismatch when the VM trusts another CA).</summary>
        internal static async Task<DockerExtensionInfo> PushAsync(ArmConnection arm, VmDockerHost host, TlsRollout rollout, CancellationToken ct)
        {
            ExtensionFacts extension = host.Extension;
            ExtensionPayload payload = host.Carrier.BuildTlsRolloutPayload(rollout, extension.SettingsJson, extension.TypeHandlerVersion);
            DockerHostSettingsCheck.RefuseOversized(payload);
            var data = new VirtualMachineExtensionData(new AzureLocation(host.Vm.Location))
            {
                Publisher = DockerCarrier.Publisher,
                ExtensionType = host.Carrier.Type,
                TypeHandlerVersion = payload.TypeHandlerVersion,
                AutoUpgradeMinorVersion = extension.AutoUpgradeMinorVersion ?? true,
                Settings = BinaryData.FromString(payload.Settings.ToJsonString()),
                ProtectedSettings = BinaryData.FromString(payload.ProtectedSettings.ToJsonString()),
            };
            foreach (KeyValuePair<string, string> tag in extension.Tags ?? new Dictionary<string, string>())
            {
                data.Tags[tag.Key] = tag.Value;
            }

            arm.Host.WriteVerbose($"Sending the new server certificate{(rollout.TrustBundlePem != null ? " and CA bundle" : string.Empty)} to VM '{host.Vm.Name}' through its {host.Carrier.Type} extension '{extension.Name}' (no other setting is sent).");
            var vmResource = arm.Client.GetVirtualMachineResource(new ResourceIdentifier(host.Vm.Id));
            ArmOperation<VirtualMachineExtensionResource> operation = await vmResource.GetVirtualMachineExtensions()
                .CreateOrUpdateAsync(WaitUntil.Started, extension.Name, data, ct).ConfigureAwait(false);
            try
            {
                return await DockerExtensionService.FinishAsync(arm, host.Vm, extension.Name, operation, ct, "The VM is installing the new certificate and restarting Docker").ConfigureAwait(false);
            }
            catch (AzDockerVmException ex) when (ex.ErrorId == "ExtensionProvisioningFailed" && ex.Message.Contains("reason=certificate-not-from-ca"))
            {
                throw new AzDockerVmException("CertificateAuthorityMismatch", FailureKind.InvalidData, host.Vm.Name,
                    $"VM '{host.Vm.Name}' refused the new server certificate: it is not issued by a CA the Docker daemon there trusts, so that host was set up with another CA than the one given or kept here. The VM still serves its old certificate; nothing was changed. ({ex.Message})",
                    null, ex);
            }
        }

        /// <summary>
        /// Checks, from this machine, that the daemon serves <paramref name="certificatePem"/> (a few attempts); offers
        /// the client certificate of <paramref name="clientFolder"/> when it has one. RenewedCertificateNotServed when
        /// another certificate is served, RenewedCertificateNotVerified when the daemon cannot be reached over TLS.
        /// </summary>
        internal static async Task RequireServedAsync(ArmConnection arm, VmDockerHost host, string certificatePem, string clientFolder, string keptLocally, CancellationToken ct)
        {
            string endpoint = host.ProbeEndpoint ?? throw new AzDockerVmException("RenewedCertificateNotVerified", FailureKind.ConnectionError, host.Vm.Name,
                $"VM '{host.Vm.Name}' has no IP address in Azure to check the served certificate at. {keptLocally}");
            DockerEndpoint target = DockerEndpoint.Parse(endpoint);
            string expected = ServedCertificate.Hex(((X509Certificate)new PemReader(new StringReader(certificatePem)).ReadObject()).GetEncoded());
            ServedCertificate served = null;
            using (DockerClientCredentials client = ClientOf(clientFolder))
            {
                for (int attempt = 1; attempt <= ServedAttempts; attempt++)
                {
                    arm.Host.WriteVerbose($"Checking the certificate {endpoint} serves (attempt {attempt} of {ServedAttempts}).");
                    served = await ServedCertificate.ReadAsync(target, client?.ClientCertificate, s_servedTimeout, ct).ConfigureAwait(false);
                    if (served.Sha256 == expected)
                    {
                        arm.Host.WriteVerbose($"{endpoint} serves the new certificate (SHA-256 {expected}).");
                        return;
                    }

                    if (attempt < ServedAttempts)
                    {
                        await Task.Delay(s_servedRetryDelay, ct).ConfigureAwait(false);
                    }
                }
            }

            if (served.Der == null)
            {
                throw new AzDockerVmException("RenewedCertificateNotVerified", FailureKind.ConnectionError, endpoint,
                    $"The VM '{host.Vm.Name}' reported the new certificate installed, but this machine could not check it over TLS: {served.Failure}. {keptLocally}",
                    $"Check that this machine reaches the Docker port (Test-AzDockerHost -ResourceGroupName {host.Vm.ResourceGroupName} -VMName {host.Vm.Name}), then run the renewal again.");
            }

            throw new AzDockerVmException("RenewedCertificateNotServed", FailureKind.InvalidResult, endpoint,
                $"{endpoint} serves a certificate with SHA-256 {served.Sha256}, not the new one ({expected}), although the VM '{host.Vm.Name}' reported it installed. {keptLocally}",
                host.Carrier == DockerCarrier.LegacyDockerExtension
                    ? "The retired DockerExtension handler writes new certificate files but restarts dockerd only when its options change. Move the host to AzDockerVm's own carrier (Set-AzDockerExtension -Handler CustomScript), then renew."
                    : "Look at the VM's report (Get-AzDockerExtension -Status) and at 'journalctl -u docker' on the VM, then run the renewal again.");
        }

        private static DockerClientCredentials ClientOf(string folder)
        {
            string ca = Path.Combine(folder, DockerTlsFileNames.CaCertificate), cert = Path.Combine(folder, DockerTlsFileNames.ClientCertificate), key = Path.Combine(folder, DockerTlsFileNames.ClientKey);
            if (!new[] { ca, cert, key }.All(File.Exists))
            {
                return null;
            }

            try
            {
                return DockerClientCredentials.Load(ca, cert, key);
            }
            catch (AzDockerVmException)
            {
                // The served certificate is seen without a client certificate too.
                return null;
            }
        }
    }
}

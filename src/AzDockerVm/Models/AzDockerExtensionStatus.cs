namespace AzDockerVm.Models
{
    /// <summary>
    /// AzDockerVm's Docker extension on a VM (either carrier) and what the provisioning script reported. Flat, stable
    /// property names for scripts and Pester (<c>$s.ProvisioningState | Should -Be 'Succeeded'</c>). Nothing secret.
    /// </summary>
    public sealed class AzDockerExtensionStatus
    {
        public string ResourceGroupName { get; set; }

        public string VMName { get; set; }

        /// <summary>The extension's name (default AzDockerVm).</summary>
        public string Name { get; set; }

        public AzDockerExtensionHandler Handler { get; set; }

        public string Publisher { get; set; }

        public string ExtensionType { get; set; }

        public string TypeHandlerVersion { get; set; }

        public bool AutoUpgradeMinorVersion { get; set; }

        /// <summary>Succeeded, Failed, Creating, Updating, ...</summary>
        public string ProvisioningState { get; set; }

        /// <summary>The TLS port of the Docker remote API.</summary>
        public int DockerPort { get; set; }

        /// <summary>The Docker version the script reported in its last status line; null when it reported none.</summary>
        public string DockerVersion { get; set; }

        /// <summary>tcp://&lt;fqdn or public IP&gt;:&lt;port&gt;; null when the VM has no public address.</summary>
        public string Endpoint { get; set; }

        public bool TlsEnabled { get; set; }

        /// <summary>The script's last status line, or the failure message.</summary>
        public string StatusMessage { get; set; }

        /// <summary>The instance view's statuses (only with -Status).</summary>
        public AzDockerInstanceViewStatus[] Statuses { get; set; }

        /// <summary>The instance view's substatuses, e.g. StdOut/StdErr (only with -Status).</summary>
        public AzDockerInstanceViewStatus[] SubStatuses { get; set; }

        /// <summary>The TLS set folder Set-AzDockerExtension created or used; null otherwise.</summary>
        public string CertificatePath { get; set; }

        /// <summary>The docker context Set-AzDockerExtension wrote or kept for the VM; null otherwise.</summary>
        public string DockerContext { get; set; }

        /// <summary>"rg/vm1/AzDockerVm: Succeeded", for logs and strings.</summary>
        public override string ToString() => $"{ResourceGroupName}/{VMName}/{Name}: {ProvisioningState}";
    }
}

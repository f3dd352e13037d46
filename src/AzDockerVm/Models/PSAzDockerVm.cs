using System.Collections;

namespace AzDockerVm.Models
{
    /// <summary>
    /// A Docker host on an Azure VM (New-AzDockerVm's output, Get-AzDockerVm's too). Its ResourceGroupName and Name
    /// pipe into Get-/Remove-AzDockerVm, Set-AzDockerExtension and Test-AzDockerHost (by VM); Name, DockerHost and
    /// CertificatePath into New-DockerContext. Nothing secret: the key files' paths only.
    /// </summary>
    public sealed class PSAzDockerVm
    {
        public string Name { get; set; }

        public string ResourceGroupName { get; set; }

        public string Location { get; set; }

        public string Id { get; set; }

        public string Fqdn { get; set; }

        public string PublicIpAddress { get; set; }

        public string PrivateIpAddress { get; set; }

        /// <summary>tcp://&lt;fqdn&gt;:&lt;port&gt; (the public IP without a DNS name; the private IP for a private host).</summary>
        public string DockerHost { get; set; }

        public int DockerPort { get; set; }

        /// <summary>Where the Docker port is open from; empty: the Internet (still mutual TLS).</summary>
        public string[] AllowedSourceAddress { get; set; }

        /// <summary>
        /// Every source the host's network security groups let reach the Docker port, whichever rule admits it (ours,
        /// an admin's, another tool's): '*' or 'Internet' means the whole Internet. Read by Get-AzDockerVm; null in
        /// New-AzDockerVm's output. It errs towards listing more, never fewer (Azure's default rules aside).
        /// </summary>
        public string[] DockerPortOpenTo { get; set; }

        /// <summary>The folder of the host's TLS set (ca.pem, cert.pem, key.pem for clients).</summary>
        public string CertificatePath { get; set; }

        /// <summary>
        /// UTC; when the first certificate of the local set under CertificatePath expires (the earliest of ca.pem,
        /// server-cert.pem and cert.pem). Read from the files, not from the host: Test-AzDockerHost reports what the
        /// daemon serves. Null without a local set.
        /// </summary>
        public System.DateTime? CertificateNotAfter { get; set; }

        /// <summary>Whole days to CertificateNotAfter, rounded down: 0 on its last day, negative once expired; null without a local set.</summary>
        public int? CertificateDaysLeft { get; set; }

        /// <summary>The docker context pointing at the host, or null.</summary>
        public string DockerContext { get; set; }

        /// <summary>The private key generated for the admin (0600), or null.</summary>
        public string SshPrivateKeyPath { get; set; }

        /// <summary>The Docker extension's state: Succeeded once Docker answers with TLS.</summary>
        public string ProvisioningState { get; set; }

        public string VmProvisioningState { get; set; }

        public string DockerVersion { get; set; }

        public Hashtable Tags { get; set; }

        /// <summary>The VM's name again, as Test-AzDockerHost's -VMName binds it (the extension cmdlets bind Name).</summary>
        public string VMName => Name;
    }
}

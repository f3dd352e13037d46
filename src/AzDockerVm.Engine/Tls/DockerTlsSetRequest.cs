using System.Collections.Generic;

namespace AzDockerVm.Engine.Tls
{
    /// <summary>What the user asked for: names and addresses of the Docker host, where to write, and from which CA.</summary>
    public sealed class DockerTlsSetRequest
    {
        public const int DefaultValidityDays = 825;
        public const int MaxValidityDays = 3650;

        public IList<string> DnsNames { get; set; } = new List<string>();

        public IList<string> IPAddresses { get; set; } = new List<string>();

        /// <summary>Absolute folder for the files; null means &lt;DockerConfigDirectory&gt;/azdockervm/&lt;first name&gt;.</summary>
        public string Path { get; set; }

        /// <summary>The docker CLI's configuration folder ($DOCKER_CONFIG or ~/.docker), used only when Path is null.</summary>
        public string DockerConfigDirectory { get; set; }

        /// <summary>Subject CN of the server certificate; null means the first DNS name, else the first IP address.</summary>
        public string CommonName { get; set; }

        public int ValidityDays { get; set; } = DefaultValidityDays;

        public TlsKeyAlgorithm KeyAlgorithm { get; set; } = TlsKeyAlgorithm.EcdsaP256;

        /// <summary>Absolute folder holding ca.pem and ca-key.pem to issue from; null creates a new CA.</summary>
        public string CertificateAuthorityPath { get; set; }

        public bool Overwrite { get; set; }
    }
}

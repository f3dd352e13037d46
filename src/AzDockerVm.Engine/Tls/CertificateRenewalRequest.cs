using System.Collections.Generic;

namespace AzDockerVm.Engine.Tls
{
    /// <summary>What the user asked to renew in a local set. Paths are absolute.</summary>
    public sealed class CertificateRenewalRequest
    {
        /// <summary>The set's folder.</summary>
        public string Path { get; set; }

        /// <summary>Renew server-cert.pem. With neither Server nor Client: every one of the two the set has.</summary>
        public bool Server { get; set; }

        public bool Client { get; set; }

        /// <summary>The server certificate's DNS names; null keeps the old ones.</summary>
        public IList<string> DnsNames { get; set; }

        /// <summary>The server certificate's IP addresses; null keeps the old ones.</summary>
        public IList<string> IPAddresses { get; set; }

        /// <summary>Null: the lifetime the old certificate had.</summary>
        public int? ValidityDays { get; set; }

        /// <summary>A name of <see cref="TlsKeyAlgorithmNames"/>; null: the algorithm of the old key.</summary>
        public string KeyAlgorithm { get; set; }

        /// <summary>A folder with ca.pem and ca-key.pem; null: the set's own folder.</summary>
        public string CertificateAuthorityPath { get; set; }

        /// <summary>The docker CLI's configuration folder: its contexts made from the set are refreshed, its azdockervm/ca is where a missing CA is looked for.</summary>
        public string DockerConfigDirectory { get; set; }
    }
}

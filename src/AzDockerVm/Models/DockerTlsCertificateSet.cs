using System;

namespace AzDockerVm.Models
{
    /// <summary>
    /// The files of a Docker TLS set (Docker's names: ca.pem, ca-key.pem, server-cert.pem, server-key.pem, cert.pem,
    /// key.pem) and what their certificates say. Holds paths and public facts only, never key material.
    /// </summary>
    public sealed class DockerTlsCertificateSet
    {
        /// <summary>The folder holding the set (what DOCKER_CERT_PATH points at).</summary>
        public string Path { get; set; }

        /// <summary>The folder, so <c>"$tls"</c> works where a -CertificatePath or DOCKER_CERT_PATH is wanted.</summary>
        public override string ToString() => Path ?? string.Empty;

        public string CaCertificateFile { get; set; }

        /// <summary>The CA's private key: in <see cref="Path"/> for a new CA, in the reused CA's folder otherwise.</summary>
        public string CaKeyFile { get; set; }

        public string ServerCertificateFile { get; set; }

        public string ServerKeyFile { get; set; }

        public string ClientCertificateFile { get; set; }

        public string ClientKeyFile { get; set; }

        /// <summary>The DNS names in the server certificate's subjectAltName.</summary>
        public string[] DnsName { get; set; }

        /// <summary>The IP addresses in the server certificate's subjectAltName (canonical form).</summary>
        public string[] IPAddress { get; set; }

        /// <summary>The server certificate's subject CN.</summary>
        public string CommonName { get; set; }

        public DockerTlsKeyAlgorithm KeyAlgorithm { get; set; }

        /// <summary>SHA-1 of the CA certificate, upper-case hex (like Windows' Thumbprint).</summary>
        public string CaThumbprint { get; set; }

        public string ServerThumbprint { get; set; }

        public string ClientThumbprint { get; set; }

        /// <summary>UTC.</summary>
        public DateTime CaNotAfter { get; set; }

        /// <summary>UTC.</summary>
        public DateTime ServerNotAfter { get; set; }

        /// <summary>UTC.</summary>
        public DateTime ClientNotAfter { get; set; }

        /// <summary>True when the set was issued by an existing CA (-CertificateAuthorityPath).</summary>
        public bool CaReused { get; set; }
    }
}

using System;

namespace AzDockerVm.Models
{
    /// <summary>
    /// One certificate of a Docker TLS set, as Get-DockerTlsCertificate reads it: flat, so a test can say
    /// <c>(Get-DockerTlsCertificate -Path $p).DaysLeft | Should -BeGreaterThan 30</c>. Public facts only, never key material.
    /// </summary>
    public sealed class DockerTlsCertificate
    {
        /// <summary>The set's folder (what -Path takes, so the object pipes into Update-DockerTlsCertificate).</summary>
        public string Path { get; set; }

        /// <summary>The file name: ca.pem, server-cert.pem or cert.pem.</summary>
        public string File { get; set; }

        /// <summary>The file's full path.</summary>
        public string FullName { get; set; }

        public DockerTlsCertificateRole Role { get; set; }

        /// <summary>As .NET and Windows show it: "CN=..., O=...".</summary>
        public string Subject { get; set; }

        /// <summary>The DNS names of the subjectAltName (a server certificate's).</summary>
        public string[] DnsName { get; set; }

        /// <summary>The IP addresses of the subjectAltName, canonical form.</summary>
        public string[] IPAddress { get; set; }

        public string Issuer { get; set; }

        /// <summary>ECDSA_P256, ECDSA_P384, RSA2048, RSA3072, RSA4096 (the names -KeyAlgorithm takes), or e.g. RSA1024, ECDSA_P521, Ed25519.</summary>
        public string KeyAlgorithm { get; set; }

        /// <summary>SHA-1 of the certificate, upper-case hex: Windows' Thumbprint, and New-DockerTlsCertificate's *Thumbprint.</summary>
        public string Thumbprint { get; set; }

        /// <summary>SHA-256 of the certificate, upper-case hex without colons (openssl x509 -fingerprint -sha256).</summary>
        public string Sha256Fingerprint { get; set; }

        /// <summary>Upper-case hex.</summary>
        public string SerialNumber { get; set; }

        /// <summary>UTC.</summary>
        public DateTime NotBefore { get; set; }

        /// <summary>UTC.</summary>
        public DateTime NotAfter { get; set; }

        /// <summary>Whole days until NotAfter, rounded down: 0 on the last day, negative once expired.</summary>
        public int DaysLeft { get; set; }

        /// <summary>True when a certificate of the set's ca.pem signed it.</summary>
        public bool IssuedBySetCa { get; set; }

        /// <summary>Whether the key file of the pair (ca-key.pem, server-key.pem, key.pem) belongs to the certificate; null without one.</summary>
        public bool? KeyMatches { get; set; }

        /// <summary>The file, so <c>"$cert"</c> works where a certificate file is wanted (openssl x509 -in).</summary>
        public override string ToString() => FullName ?? string.Empty;
    }
}

using System;
using System.Collections.Generic;

namespace AzDockerVm.Engine.Tls
{
    /// <summary>What one certificate of a TLS set says, and how it stands with its set. Public facts only, never key material.</summary>
    public sealed class CertificateFacts
    {
        /// <summary>The folder of the set.</summary>
        public string Folder { get; internal set; }

        /// <summary>The file name (ca.pem, server-cert.pem, cert.pem).</summary>
        public string File { get; internal set; }

        public string FullName { get; internal set; }

        public CertificateRole Role { get; internal set; }

        /// <summary>As .NET (and Windows' certificate store) shows it: "CN=..., O=...".</summary>
        public string Subject { get; internal set; }

        public string Issuer { get; internal set; }

        public IReadOnlyList<string> DnsNames { get; internal set; }

        /// <summary>Canonical text form (IPv6 compressed).</summary>
        public IReadOnlyList<string> IPAddresses { get; internal set; }

        /// <summary>See <see cref="TlsKeyAlgorithmNames"/>.</summary>
        public string KeyAlgorithm { get; internal set; }

        /// <summary>SHA-1 of the DER certificate, upper-case hex (like Windows' Thumbprint and New-DockerTlsCertificate's).</summary>
        public string Thumbprint { get; internal set; }

        /// <summary>SHA-256 of the DER certificate, upper-case hex (openssl x509 -fingerprint -sha256, without colons).</summary>
        public string Sha256Fingerprint { get; internal set; }

        /// <summary>Upper-case hex, as .NET and openssl show it.</summary>
        public string SerialNumber { get; internal set; }

        /// <summary>UTC.</summary>
        public DateTime NotBefore { get; internal set; }

        /// <summary>UTC.</summary>
        public DateTime NotAfter { get; internal set; }

        /// <summary>Whole days from the moment of reading to NotAfter, rounded down: 0 on its last day, negative once expired.</summary>
        public int DaysLeft { get; internal set; }

        /// <summary>True when a certificate in the set's ca.pem signed it (for a CA: itself, or another CA of the file).</summary>
        public bool IssuedBySetCa { get; internal set; }

        /// <summary>Whether the key file of the pair (ca-key.pem, server-key.pem, key.pem) belongs to it; null when there is none.</summary>
        public bool? KeyMatches { get; internal set; }
    }
}

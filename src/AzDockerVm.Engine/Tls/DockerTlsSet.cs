using System;
using System.Collections.Generic;

namespace AzDockerVm.Engine.Tls
{
    /// <summary>A Docker TLS set as written: where its files are and what its certificates say. Never holds key material.</summary>
    public sealed class DockerTlsSet
    {
        public string Path { get; internal set; }

        public string CaCertificateFile { get; internal set; }

        /// <summary>The CA key: in <see cref="Path"/> for a new CA, in the reused CA's folder otherwise.</summary>
        public string CaKeyFile { get; internal set; }

        public string ServerCertificateFile { get; internal set; }

        public string ServerKeyFile { get; internal set; }

        public string ClientCertificateFile { get; internal set; }

        public string ClientKeyFile { get; internal set; }

        public IReadOnlyList<string> DnsNames { get; internal set; }

        public IReadOnlyList<string> IPAddresses { get; internal set; }

        public string CommonName { get; internal set; }

        public TlsKeyAlgorithm KeyAlgorithm { get; internal set; }

        /// <summary>SHA-1 of the DER certificate, upper-case hex (like Windows' Thumbprint).</summary>
        public string CaThumbprint { get; internal set; }

        public string ServerThumbprint { get; internal set; }

        public string ClientThumbprint { get; internal set; }

        public DateTime CaNotAfter { get; internal set; }

        public DateTime ServerNotAfter { get; internal set; }

        public DateTime ClientNotAfter { get; internal set; }

        public bool CaReused { get; internal set; }
    }
}

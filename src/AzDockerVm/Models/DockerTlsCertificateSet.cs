using System;

namespace AzDockerVm.Models
{
    /// <summary>
    /// A Docker TLS certificate set on disk (file names as Docker documents them). Holds paths and facts only,
    /// never key material.
    /// </summary>
    public sealed class DockerTlsCertificateSet
    {
        public string Path { get; set; }

        public string CaCertificateFile { get; set; }

        public string CaKeyFile { get; set; }

        public string ServerCertificateFile { get; set; }

        public string ServerKeyFile { get; set; }

        public string ClientCertificateFile { get; set; }

        public string ClientKeyFile { get; set; }

        public string[] DnsName { get; set; }

        public string[] IPAddress { get; set; }

        public string CommonName { get; set; }

        public DockerTlsKeyAlgorithm KeyAlgorithm { get; set; }

        public string CaThumbprint { get; set; }

        public string ServerThumbprint { get; set; }

        public string ClientThumbprint { get; set; }

        public DateTime CaNotAfter { get; set; }

        public DateTime ServerNotAfter { get; set; }

        public DateTime ClientNotAfter { get; set; }

        public bool CaReused { get; set; }
    }
}

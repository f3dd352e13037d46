namespace AzDockerVm.Models
{
    /// <summary>
    /// The outcome of Test-AzDockerHost. A failed check is a result (Success = false, Reason, Message), not an error,
    /// so infrastructure tests can assert on it.
    /// </summary>
    public sealed class DockerHostTestResult
    {
        /// <summary>The VM's group, when an Azure VM was tested (-ResourceGroupName/-Name); else null.</summary>
        public string ResourceGroupName { get; set; }

        /// <summary>The VM, when an Azure VM was tested; else null.</summary>
        public string VMName { get; set; }

        public string Endpoint { get; set; }

        public bool Success { get; set; }

        /// <summary>Null on success; for a VM first VmNotFound, VmNotRunning, ExtensionNotInstalled, ExtensionFailed, PortBlocked or
        /// CertificateNotFound; then ClientCertificateRejected, UnknownAuthority, NameMismatch, ServerCertificateInvalid,
        /// ConnectionRefused, Timeout, HostNotFound, TlsHandshakeFailed, InvalidCertificateFile or NotDockerEndpoint.</summary>
        public string Reason { get; set; }

        public string Message { get; set; }

        public string ServerVersion { get; set; }

        public string ApiVersion { get; set; }

        public string Os { get; set; }

        public string Architecture { get; set; }

        public string KernelVersion { get; set; }

        /// <summary>Round-trip time of the version call in milliseconds; empty when the check failed (nothing answered).</summary>
        public double? LatencyMs { get; set; }

        // The certificate the daemon served in the TLS handshake, also when the check failed because of it (expired,
        // another name, another CA). All empty when no handshake got that far (ConnectionRefused, Timeout, ...).

        /// <summary>The served certificate's subject, as .NET shows it ("CN=...").</summary>
        public string ServerCertificateSubject { get; set; }

        public string ServerCertificateIssuer { get; set; }

        /// <summary>SHA-1 of the served certificate, upper-case hex (as Get-DockerTlsCertificate shows a file's).</summary>
        public string ServerCertificateThumbprint { get; set; }

        /// <summary>UTC.</summary>
        public System.DateTime? ServerCertificateNotAfter { get; set; }

        /// <summary>Whole days to the served certificate's NotAfter, rounded down: 0 on its last day, negative once expired.</summary>
        public int? ServerCertificateDaysLeft { get; set; }

        /// <summary>The DNS names of the served certificate's subjectAltName.</summary>
        public string[] ServerCertificateDnsName { get; set; }

        /// <summary>The IP addresses of the served certificate's subjectAltName.</summary>
        public string[] ServerCertificateIPAddress { get; set; }

        /// <summary>
        /// Whether the served certificate names the host as it is now: for an endpoint, its host; for a VM, its FQDN
        /// and the public and private IP addresses Azure reports now (false after an address change: renew it).
        /// </summary>
        public bool? ServerCertificateCoversHost { get; set; }

        /// <summary>"tcp://host:2376: Docker 24.0.7 (API 1.43)" or "tcp://host:2376: Timeout: ...", for logs and strings.</summary>
        public override string ToString()
            => Success ? $"{Endpoint}: Docker {ServerVersion} (API {ApiVersion})" : $"{Endpoint ?? VMName}: {Reason}: {Message}";
    }
}

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

        /// <summary>"tcp://host:2376: Docker 24.0.7 (API 1.43)" or "tcp://host:2376: Timeout: ...", for logs and strings.</summary>
        public override string ToString()
            => Success ? $"{Endpoint}: Docker {ServerVersion} (API {ApiVersion})" : $"{Endpoint ?? VMName}: {Reason}: {Message}";
    }
}

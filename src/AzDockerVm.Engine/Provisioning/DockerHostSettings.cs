using System.Collections.Generic;

namespace AzDockerVm.Engine.Provisioning
{
    /// <summary>Everything the VM side needs to become a TLS-secured Docker host. Holds secrets: never log it.</summary>
    public sealed class DockerHostSettings
    {
        /// <summary>The remote API port; it is always TLS-verified.</summary>
        public int Port { get; set; } = Docker.DockerEndpoint.DefaultTlsPort;

        public string CaCertificatePem { get; set; }

        public string ServerCertificatePem { get; set; }

        public string ServerKeyPem { get; set; }

        /// <summary>Extra daemon.json settings (JSON-compatible values: string, bool, numbers, lists, dictionaries).</summary>
        public IDictionary<string, object> DaemonConfig { get; set; } = new Dictionary<string, object>();

        /// <summary>Legacy dockerd flags (the retired extension's docker.options).</summary>
        public IList<string> DockerOptions { get; set; } = new List<string>();

        /// <summary>Pinned Docker version from Docker's repository; null = the distribution's package.</summary>
        public string DockerVersion { get; set; }

        public string ComposeText { get; set; }

        public IDictionary<string, string> ComposeEnvironment { get; set; } = new Dictionary<string, string>();

        public string RegistryServer { get; set; }

        public string RegistryUserName { get; set; }

        public string RegistryPassword { get; set; }

        public string AdminUserName { get; set; }

        /// <summary>The seeds' security advice: userns-remap, no-new-privileges, icc off, log limits (live-restore is on for every host).</summary>
        public bool Hardened { get; set; }

        /// <summary>For the legacy handler only: AzureCloud (default) or AzureChinaCloud.</summary>
        public string AzureEnvironment { get; set; }

        /// <summary>A copy with these certificate and key texts (the collections are shared).</summary>
        public DockerHostSettings WithCertificates(string caPem, string serverCertificatePem, string serverKeyPem)
        {
            var copy = (DockerHostSettings)MemberwiseClone();
            copy.CaCertificatePem = caPem;
            copy.ServerCertificatePem = serverCertificatePem;
            copy.ServerKeyPem = serverKeyPem;
            return copy;
        }
    }
}

using System;

namespace AzDockerVm.Engine.Provisioning
{
    /// <summary>
    /// What a TLS rollout puts on a Docker host that AzDockerVm set up: a server certificate and its key, and, when the
    /// clients' CA changes, the CA bundle dockerd trusts for client certificates (--tlscacert; old and new CA during a
    /// rotation). Nothing else of the host's settings travels, and nothing else changes on it. The key is secret.
    /// </summary>
    public sealed class TlsRollout
    {
        /// <param name="port">The Docker TLS port the host serves on (the VM checks the new certificate there).</param>
        /// <param name="serverCertificatePem">The new server-cert.pem.</param>
        /// <param name="serverKeyPem">The new server-key.pem (secret).</param>
        /// <param name="trustBundlePem">The new ca.pem for dockerd, or null to keep the one the host has.</param>
        /// <param name="currentTrustPem">The ca.pem the host trusts now, as this machine knows it: what a carrier that always sends all three files sends when the trust stays.</param>
        public TlsRollout(int port, string serverCertificatePem, string serverKeyPem, string trustBundlePem, string currentTrustPem)
        {
            Port = port;
            ServerCertificatePem = serverCertificatePem ?? throw new ArgumentNullException(nameof(serverCertificatePem));
            ServerKeyPem = serverKeyPem ?? throw new ArgumentNullException(nameof(serverKeyPem));
            TrustBundlePem = trustBundlePem;
            CurrentTrustPem = currentTrustPem;
        }

        public int Port { get; }

        public string ServerCertificatePem { get; }

        /// <summary>Secret. Never log, never show.</summary>
        public string ServerKeyPem { get; }

        /// <summary>Null: the host keeps the CA bundle it has.</summary>
        public string TrustBundlePem { get; }

        public string CurrentTrustPem { get; }
    }
}

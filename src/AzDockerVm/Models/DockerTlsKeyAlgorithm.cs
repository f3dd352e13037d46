namespace AzDockerVm.Models
{
    /// <summary>The key type of all certificates in a Docker TLS set. ECDSA P-256 is fast and accepted by every Docker version.</summary>
    public enum DockerTlsKeyAlgorithm
    {
        ECDSA_P256,
        ECDSA_P384,
        RSA2048,
        RSA3072,
        RSA4096,
    }
}

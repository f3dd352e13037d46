namespace AzDockerVm.Models
{
    /// <summary>The key type of the server and client keys (and of a new CA): what Docker's Go TLS stack accepts.</summary>
    public enum DockerTlsKeyAlgorithm
    {
        ECDSA_P256,
        ECDSA_P384,
        RSA2048,
        RSA3072,
        RSA4096,
    }
}

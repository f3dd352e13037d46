namespace AzDockerVm.Engine.Tls
{
    /// <summary>The key type of the certificates of a Docker TLS set (the cmdlet's DockerTlsKeyAlgorithm, member for member).</summary>
    public enum TlsKeyAlgorithm
    {
        EcdsaP256,
        EcdsaP384,
        Rsa2048,
        Rsa3072,
        Rsa4096,
    }
}

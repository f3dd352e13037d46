namespace AzDockerVm.Models
{
    /// <summary>What a certificate of a Docker TLS set is for, by its file: ca.pem (CA), server-cert.pem (Server), cert.pem (Client).</summary>
    public enum DockerTlsCertificateRole
    {
        CA,
        Server,
        Client,
    }
}

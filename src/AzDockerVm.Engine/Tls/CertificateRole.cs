namespace AzDockerVm.Engine.Tls
{
    /// <summary>What a certificate of a Docker TLS set is for, by its file: ca.pem, server-cert.pem, cert.pem.</summary>
    public enum CertificateRole
    {
        CA,
        Server,
        Client,
    }
}

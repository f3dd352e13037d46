namespace AzDockerVm.Engine.Tls
{
    /// <summary>The file names Docker's documentation and DOCKER_CERT_PATH use.</summary>
    public static class DockerTlsFileNames
    {
        public const string CaCertificate = "ca.pem";
        public const string CaKey = "ca-key.pem";
        public const string ServerCertificate = "server-cert.pem";
        public const string ServerKey = "server-key.pem";
        public const string ClientCertificate = "cert.pem";
        public const string ClientKey = "key.pem";
    }
}

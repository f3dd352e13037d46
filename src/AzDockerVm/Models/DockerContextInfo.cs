namespace AzDockerVm.Models
{
    /// <summary>A docker CLI context written by New-DockerContext (where it lives, what it points at).</summary>
    public sealed class DockerContextInfo
    {
        public string Name { get; set; }

        public string Endpoint { get; set; }

        public string Description { get; set; }

        /// <summary>True when config.json names this context as the current one.</summary>
        public bool Current { get; set; }

        /// <summary>The DOCKER_CONFIG folder the context was written to.</summary>
        public string DockerConfig { get; set; }

        public string MetaFile { get; set; }

        /// <summary>The folder holding ca.pem, cert.pem and key.pem for the context.</summary>
        public string TlsPath { get; set; }

        /// <summary>The context's name, as <c>docker --context</c> takes it.</summary>
        public override string ToString() => Name ?? string.Empty;
    }
}

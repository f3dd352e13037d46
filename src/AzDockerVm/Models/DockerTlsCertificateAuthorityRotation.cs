using System;

namespace AzDockerVm.Models
{
    /// <summary>
    /// Where a set's CA rotation stands, as Start- and Complete-DockerTlsCertificateAuthorityRotation leave it: which CA
    /// retires, which takes over, since when, and what was brought along. Public facts only, never key material.
    /// </summary>
    public sealed class DockerTlsCertificateAuthorityRotation
    {
        /// <summary>The set's folder (what -Path takes, so Start's output pipes into Complete).</summary>
        public string Path { get; set; }

        /// <summary>InProgress (between the start and the completion) or Completed.</summary>
        public string Status { get; set; }

        /// <summary>UTC.</summary>
        public DateTime StartTime { get; set; }

        /// <summary>UTC; empty while the rotation is in progress.</summary>
        public DateTime? CompletionTime { get; set; }

        /// <summary>The CA that retires, as Get-DockerTlsCertificate shows a Subject.</summary>
        public string OldCaSubject { get; set; }

        public string OldCaThumbprint { get; set; }

        /// <summary>The CA that takes over.</summary>
        public string NewCaSubject { get; set; }

        public string NewCaThumbprint { get; set; }

        /// <summary>UTC.</summary>
        public DateTime NewCaNotAfter { get; set; }

        /// <summary>The client sets brought along (-ClientPath; the set's own client always is), so Start's output pipes them into Complete.</summary>
        public string[] ClientPath { get; set; }

        /// <summary>The client certificates the new CA issued in this phase (full paths of cert.pem files).</summary>
        public string[] ReissuedCertificate { get; set; }

        /// <summary>The docker contexts refreshed with the set or a client set.</summary>
        public string[] DockerContext { get; set; }

        /// <summary>The rotation's state file: &lt;set&gt;/ca-rotation/rotation.json.</summary>
        public string StateFile { get; set; }
    }
}

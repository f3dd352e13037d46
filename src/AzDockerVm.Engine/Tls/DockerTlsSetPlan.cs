using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;

namespace AzDockerVm.Engine.Tls
{
    /// <summary>
    /// A validated request: everything that can be wrong with the input, the CA or the target folder has been checked,
    /// and nothing has been generated or written yet. What -WhatIf describes and what <see cref="DockerTlsMaterial.Create"/> carries out.
    /// </summary>
    public sealed class DockerTlsSetPlan
    {
        internal DockerTlsSetPlan(string path, IReadOnlyList<string> dnsNames, IReadOnlyList<IPAddress> addresses, string commonName,
            int validityDays, TlsKeyAlgorithm keyAlgorithm, ExistingCertificateAuthority authority, IReadOnlyList<string> filesToWrite,
            IReadOnlyList<string> filesToOverwrite, IReadOnlyList<string> warnings, bool overwrite)
        {
            Path = path;
            DnsNames = dnsNames;
            Addresses = addresses;
            CommonName = commonName;
            ValidityDays = validityDays;
            KeyAlgorithm = keyAlgorithm;
            Authority = authority;
            FilesToWrite = filesToWrite;
            FilesToOverwrite = filesToOverwrite;
            Warnings = warnings;
            Overwrite = overwrite;
        }

        /// <summary>The folder the set is written to (absolute).</summary>
        public string Path { get; }

        public IReadOnlyList<string> DnsNames { get; }

        /// <summary>The IP addresses in canonical text form.</summary>
        public IReadOnlyList<string> IPAddresses => Addresses.Select(a => a.ToString()).ToList();

        public string CommonName { get; }

        public int ValidityDays { get; }

        public TlsKeyAlgorithm KeyAlgorithm { get; }

        /// <summary>True when the certificates are issued by an existing CA (nothing of it is rewritten).</summary>
        public bool CaReused => Authority != null;

        /// <summary>The folder of the reused CA; null when a new CA is created.</summary>
        public string CertificateAuthorityPath => Authority == null ? null : System.IO.Path.GetDirectoryName(Authority.CertificateFile);

        /// <summary>The reused CA's subject; null when a new CA is created.</summary>
        public string CaSubject => Authority?.Certificate.SubjectDN.ToString();

        /// <summary>The reused CA's expiry (UTC); null when a new CA is created.</summary>
        public DateTime? CaNotAfter => Authority == null ? (DateTime?)null : ExistingCertificateAuthority.Utc(Authority.Certificate.NotAfter);

        /// <summary>How long a new CA will be valid: at least ten years, and a year longer than its first certificates; null when reused.</summary>
        public int? NewCaValidityDays => Authority == null ? Math.Max(DockerTlsMaterial.MinimumCaValidityDays, ValidityDays + 365) : (int?)null;

        /// <summary>Full paths of the files that will be written (an identical ca.pem already in place is left alone).</summary>
        public IReadOnlyList<string> FilesToWrite { get; }

        /// <summary>The subset of <see cref="FilesToWrite"/> that exists and will be overwritten (only with Overwrite).</summary>
        public IReadOnlyList<string> FilesToOverwrite { get; }

        /// <summary>Things the user should know that do not stop the operation.</summary>
        public IReadOnlyList<string> Warnings { get; }

        internal IReadOnlyList<IPAddress> Addresses { get; }

        internal ExistingCertificateAuthority Authority { get; }

        internal bool Overwrite { get; }
    }
}

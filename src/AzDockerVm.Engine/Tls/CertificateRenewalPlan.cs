using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using Org.BouncyCastle.Asn1.X509;

namespace AzDockerVm.Engine.Tls
{
    /// <summary>
    /// A checked renewal: the set, its CA and the certificates to issue, with the docker contexts whose copies go along.
    /// Nothing has been generated or written yet. What -WhatIf describes and what <see cref="CertificateRenewal.Renew"/> does.
    /// </summary>
    public sealed class CertificateRenewalPlan
    {
        internal CertificateRenewalPlan(string path, ExistingCertificateAuthority authority, IReadOnlyList<CertificateRenewalItem> items,
            IReadOnlyList<DockerContextTlsCopy> contexts, IReadOnlyList<string> warnings)
        {
            Path = path;
            Authority = authority;
            Items = items;
            Contexts = contexts;
            Warnings = warnings;
        }

        public string Path { get; }

        public IReadOnlyList<CertificateRenewalItem> Items { get; }

        /// <summary>The folder of the CA that issues (ca.pem and ca-key.pem are only read).</summary>
        public string CertificateAuthorityPath => System.IO.Path.GetDirectoryName(Authority.CertificateFile);

        /// <summary>"CN=..., O=...", as Get-DockerTlsCertificate shows a Subject.</summary>
        public string CaSubject => CertificateInspector.DisplayName(Authority.Certificate.SubjectDN);

        public DateTime CaNotAfter => ExistingCertificateAuthority.Utc(Authority.Certificate.NotAfter);

        /// <summary>The docker contexts made from the set, whose cert.pem and key.pem are replaced with the new client files.</summary>
        public IReadOnlyList<DockerContextTlsCopy> Contexts { get; }

        /// <summary>Full paths of every file that will be replaced: in the set, then in the contexts.</summary>
        public IReadOnlyList<string> FilesToWrite
            => Items.SelectMany(i => new[] { System.IO.Path.Combine(Path, i.File), System.IO.Path.Combine(Path, i.KeyFile) })
                .Concat(Contexts.SelectMany(DockerContextStore.ClientFilePaths))
                .ToList();

        /// <summary>Things the user should know that do not stop the renewal.</summary>
        public IReadOnlyList<string> Warnings { get; }

        internal ExistingCertificateAuthority Authority { get; }
    }

    /// <summary>One certificate to renew: what the new one will say.</summary>
    public sealed class CertificateRenewalItem
    {
        internal CertificateRenewalItem(CertificateRole role, string file, string keyFile, X509Name subject, IReadOnlyList<string> dnsNames,
            IReadOnlyList<IPAddress> addresses, int validityDays, TlsKeyAlgorithm keyAlgorithm, string oldSerialNumber, DateTime oldNotAfter)
        {
            Role = role;
            File = file;
            KeyFile = keyFile;
            SubjectName = subject;
            DnsNames = dnsNames;
            Addresses = addresses;
            ValidityDays = validityDays;
            KeyAlgorithm = keyAlgorithm;
            OldSerialNumber = oldSerialNumber;
            OldNotAfter = oldNotAfter;
        }

        public CertificateRole Role { get; }

        /// <summary>server-cert.pem or cert.pem.</summary>
        public string File { get; }

        /// <summary>server-key.pem or key.pem.</summary>
        public string KeyFile { get; }

        /// <summary>The subject of the new certificate: the old one's.</summary>
        public string Subject => CertificateInspector.DisplayName(SubjectName);

        /// <summary>The server certificate's DNS names (empty for a client).</summary>
        public IReadOnlyList<string> DnsNames { get; }

        public IReadOnlyList<string> IPAddresses => Addresses.Select(a => a.ToString()).ToList();

        public int ValidityDays { get; }

        public TlsKeyAlgorithm KeyAlgorithm { get; }

        public string OldSerialNumber { get; }

        /// <summary>UTC.</summary>
        public DateTime OldNotAfter { get; }

        internal X509Name SubjectName { get; }

        internal IReadOnlyList<IPAddress> Addresses { get; }
    }

    /// <summary>What a renewal wrote: the new certificates, read back from the set, and the contexts refreshed.</summary>
    public sealed class CertificateRenewalResult
    {
        internal CertificateRenewalResult(IReadOnlyList<CertificateFacts> certificates, IReadOnlyList<DockerContextTlsCopy> contexts)
        {
            Certificates = certificates;
            Contexts = contexts;
        }

        public IReadOnlyList<CertificateFacts> Certificates { get; }

        public IReadOnlyList<DockerContextTlsCopy> Contexts { get; }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities.Encoders;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;
using DotNetCertificate = System.Security.Cryptography.X509Certificates.X509Certificate2;

namespace AzDockerVm.Engine.Tls
{
    /// <summary>The certificates of one set folder, and the files among them that could not be read (each its own failure).</summary>
    public sealed class CertificateInspection
    {
        internal CertificateInspection(IReadOnlyList<CertificateFacts> certificates, IReadOnlyList<AzDockerVmException> failures)
        {
            Certificates = certificates;
            Failures = failures;
        }

        public IReadOnlyList<CertificateFacts> Certificates { get; }

        /// <summary>A certificate file Docker could not read either (PemInvalid, PemNoCertificate, PemHasByteOrderMark, FileNotReadable).</summary>
        public IReadOnlyList<AzDockerVmException> Failures { get; }
    }

    /// <summary>
    /// Reads what the certificates of a Docker TLS set say: ca.pem (every certificate in it: during a CA change it holds
    /// two), server-cert.pem and cert.pem (the certificate Docker presents, the first of the file). Key files are read
    /// only to tell whether they belong to their certificate, and nothing of them is kept or reported.
    /// </summary>
    public static class CertificateInspector
    {
        private static readonly (string File, string KeyFile, CertificateRole Role)[] s_files =
        {
            (DockerTlsFileNames.CaCertificate, DockerTlsFileNames.CaKey, CertificateRole.CA),
            (DockerTlsFileNames.ServerCertificate, DockerTlsFileNames.ServerKey, CertificateRole.Server),
            (DockerTlsFileNames.ClientCertificate, DockerTlsFileNames.ClientKey, CertificateRole.Client),
        };

        /// <summary>The certificate files of a set Docker's names give, that exist in <paramref name="folder"/>.</summary>
        internal static IEnumerable<string> CertificateFiles(string folder)
            => s_files.Select(f => Path.Combine(folder, f.File)).Where(File.Exists);

        /// <summary>
        /// Every certificate of the set in <paramref name="folder"/>, as of <paramref name="nowUtc"/>. A folder that does
        /// not exist is PathNotFound; one without ca.pem, server-cert.pem or cert.pem is NotATlsSet.
        /// </summary>
        public static CertificateInspection Inspect(string folder, DateTime nowUtc)
        {
            RequireSetFolder(folder);
            string caFile = Path.Combine(folder, DockerTlsFileNames.CaCertificate);
            var failures = new List<AzDockerVmException>();
            IList<X509Certificate> authorities = File.Exists(caFile) ? TryRead(() => PemFile.ReadCertificates(caFile), failures) : null;

            var facts = new List<CertificateFacts>();
            foreach (var (name, keyName, role) in s_files)
            {
                string file = Path.Combine(folder, name);
                if (!File.Exists(file))
                {
                    continue;
                }

                IList<X509Certificate> certificates = role == CertificateRole.CA ? authorities : TryRead(() => PemFile.ReadCertificates(file), failures);
                if (certificates == null)
                {
                    continue;
                }

                // Docker presents the first certificate of a leaf file; every certificate of ca.pem is trusted.
                AsymmetricKeyParameter key = ReadKeyOrNull(Path.Combine(folder, keyName), out bool hasKey);
                foreach (X509Certificate certificate in role == CertificateRole.CA ? certificates : certificates.Take(1))
                {
                    CertificateFacts fact = Describe(certificate, role, authorities, nowUtc);
                    fact.Folder = folder;
                    fact.File = name;
                    fact.FullName = file;
                    fact.KeyMatches = hasKey ? key != null && PemFile.KeyMatches(certificate, key) : (bool?)null;
                    facts.Add(fact);
                }
            }

            return new CertificateInspection(facts, failures);
        }

        /// <summary>
        /// The certificate of the set in <paramref name="folder"/> that expires first (every certificate of ca.pem counts,
        /// the first of server-cert.pem and cert.pem), as of <paramref name="nowUtc"/>; null when the folder holds none
        /// that can be read. Reads no key, refuses nothing: a file Docker could not read either is left out.
        /// </summary>
        public static CertificateFacts FirstToExpire(string folder, DateTime nowUtc)
        {
            if (!Directory.Exists(folder))
            {
                return null;
            }

            var unreadable = new List<AzDockerVmException>();
            string caFile = Path.Combine(folder, DockerTlsFileNames.CaCertificate);
            IList<X509Certificate> authorities = File.Exists(caFile) ? TryRead(() => PemFile.ReadCertificates(caFile), unreadable) : null;
            (X509Certificate Certificate, string File, CertificateRole Role)? first = null;
            foreach (var (name, _, role) in s_files)
            {
                string file = Path.Combine(folder, name);
                IList<X509Certificate> certificates = role == CertificateRole.CA ? authorities
                    : File.Exists(file) ? TryRead(() => PemFile.ReadCertificates(file), unreadable) : null;
                foreach (X509Certificate certificate in (role == CertificateRole.CA ? certificates : certificates?.Take(1)) ?? Enumerable.Empty<X509Certificate>())
                {
                    if (first == null || certificate.NotAfter < first.Value.Certificate.NotAfter)
                    {
                        first = (certificate, name, role);
                    }
                }
            }

            if (first == null)
            {
                return null;
            }

            CertificateFacts facts = Describe(first.Value.Certificate, first.Value.Role, authorities, nowUtc);
            facts.Folder = folder;
            facts.File = first.Value.File;
            facts.FullName = Path.Combine(folder, first.Value.File);
            return facts;
        }

        /// <summary>Refuses, reading no certificate, what is not a set's folder: missing (PathNotFound), a file, or without a certificate of Docker's names (NotATlsSet).</summary>
        internal static void RequireSetFolder(string folder)
        {
            if (File.Exists(folder))
            {
                throw new AzDockerVmException("NotATlsSet", FailureKind.InvalidArgument, folder,
                    $"'{folder}' is a file; a TLS set is a folder holding ca.pem, server-cert.pem and/or cert.pem.",
                    "Give the folder that holds the set's files.");
            }

            if (!Directory.Exists(folder))
            {
                throw new AzDockerVmException("PathNotFound", FailureKind.ObjectNotFound, folder,
                    $"The folder '{folder}' {MissingFolderProblem(folder)}.");
            }

            if (!CertificateFiles(folder).Any())
            {
                throw new AzDockerVmException("NotATlsSet", FailureKind.InvalidArgument, folder,
                    $"'{folder}' is not a Docker TLS set: it holds none of {DockerTlsFileNames.CaCertificate}, {DockerTlsFileNames.ServerCertificate} and {DockerTlsFileNames.ClientCertificate}.",
                    "Give the folder New-DockerTlsCertificate (or New-AzDockerVm) wrote the set to, or a docker context's TLS folder.");
            }
        }

        /// <summary>
        /// The facts of one certificate, as of <paramref name="nowUtc"/> (also for a certificate a daemon serves); IssuedBySetCa
        /// against <paramref name="authorities"/> (null: none).
        /// </summary>
        internal static CertificateFacts Describe(X509Certificate certificate, CertificateRole role, IList<X509Certificate> authorities, DateTime nowUtc)
        {
            byte[] der = certificate.GetEncoded();
            var (dnsNames, addresses) = SubjectAlternativeNamesOf(certificate);
            DateTime notAfter = ExistingCertificateAuthority.Utc(certificate.NotAfter);
            using (var platform = new DotNetCertificate(der))
            {
                return new CertificateFacts
                {
                    Role = role,
                    Subject = platform.Subject,
                    Issuer = platform.Issuer,
                    DnsNames = dnsNames,
                    IPAddresses = addresses,
                    KeyAlgorithm = TlsKeyAlgorithmNames.Of(certificate.GetPublicKey()),
                    Thumbprint = DockerTlsMaterial.Thumbprint(certificate),
                    Sha256Fingerprint = Hex.ToHexString(DigestUtilities.CalculateDigest("SHA-256", der)).ToUpperInvariant(),
                    SerialNumber = SerialNumberOf(certificate),
                    NotBefore = ExistingCertificateAuthority.Utc(certificate.NotBefore),
                    NotAfter = notAfter,
                    DaysLeft = DaysLeft(notAfter, nowUtc),
                    IssuedBySetCa = authorities != null && PemFile.IssuedByAny(certificate, authorities),
                };
            }
        }

        /// <summary>A name the way .NET and Windows show a certificate's Subject: most specific first, "CN=..., O=...".</summary>
        public static string DisplayName(X509Name name)
        {
            var oids = name.GetOidList();
            var values = name.GetValueList();
            return string.Join(", ", Enumerable.Range(0, oids.Count).Reverse()
                .Select(i => (X509Name.DefaultSymbols.TryGetValue(oids[i], out string symbol) ? symbol : oids[i].Id) + "=" + values[i]));
        }

        /// <summary>The serial number as the certificate's DER holds it, upper-case hex (what .NET's SerialNumber shows).</summary>
        internal static string SerialNumberOf(X509Certificate certificate)
            => Hex.ToHexString(certificate.SerialNumber.ToByteArray()).ToUpperInvariant();

        /// <summary>Whole days from <paramref name="nowUtc"/> to <paramref name="notAfterUtc"/>, rounded down (negative once expired).</summary>
        public static int DaysLeft(DateTime notAfterUtc, DateTime nowUtc)
            => (int)Math.Floor((notAfterUtc - nowUtc).TotalDays);

        /// <summary>The DNS and IP entries of a certificate's subjectAltName, in the certificate's order.</summary>
        internal static (IReadOnlyList<string> DnsNames, IReadOnlyList<string> IPAddresses) SubjectAlternativeNamesOf(X509Certificate certificate)
        {
            var dnsNames = new List<string>();
            var addresses = new List<string>();
            Asn1Object extension = X509ExtensionUtilities.FromExtensionValue(certificate, X509Extensions.SubjectAlternativeName);
            if (extension != null)
            {
                foreach (GeneralName name in GeneralNames.GetInstance(extension).GetNames())
                {
                    if (name.TagNo == GeneralName.DnsName)
                    {
                        dnsNames.Add(((IAsn1String)name.Name).GetString());
                    }
                    else if (name.TagNo == GeneralName.IPAddress)
                    {
                        byte[] bytes = Asn1OctetString.GetInstance(name.Name).GetOctets();
                        if (bytes.Length == 4 || bytes.Length == 16)
                        {
                            addresses.Add(new IPAddress(bytes).ToString());
                        }
                    }
                }
            }

            return (dnsNames, addresses);
        }

        private static IList<X509Certificate> TryRead(Func<IList<X509Certificate>> read, List<AzDockerVmException> failures)
        {
            try
            {
                return read();
            }
            catch (AzDockerVmException ex)
            {
                failures.Add(ex);
                return null;
            }
        }

        /// <summary>The private key in <paramref name="keyFile"/>, or null when it cannot be read as one (then it matches nothing).</summary>
        private static AsymmetricKeyParameter ReadKeyOrNull(string keyFile, out bool exists)
        {
            exists = File.Exists(keyFile);
            if (!exists)
            {
                return null;
            }

            try
            {
                return PemFile.ReadPrivateKey(keyFile);
            }
            catch (AzDockerVmException)
            {
                return null;
            }
        }

        private static string MissingFolderProblem(string folder)
        {
            string file = IO.MissingFile.FileInTheWay(Path.GetDirectoryName(folder));
            return file != null ? $"cannot exist: '{file}' is a file, not a folder" : "does not exist";
        }
    }
}

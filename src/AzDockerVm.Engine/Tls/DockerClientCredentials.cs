using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace AzDockerVm.Engine.Tls
{
    /// <summary>
    /// A docker client's TLS files (ca.pem, cert.pem, key.pem) as .NET objects: the CA certificates to trust and the
    /// client certificate with its private key. Read through PemFile, so files Docker would reject are rejected.
    /// </summary>
    public sealed class DockerClientCredentials : IDisposable
    {
        private DockerClientCredentials(IReadOnlyList<X509Certificate2> authorities, X509Certificate2 clientCertificate, BcCertificate client, IList<BcCertificate> caCertificates)
        {
            Authorities = authorities;
            ClientCertificate = clientCertificate;
            BouncyClient = client;
            BouncyAuthorities = caCertificates;
        }

        public IReadOnlyList<X509Certificate2> Authorities { get; }

        public X509Certificate2 ClientCertificate { get; }

        internal BcCertificate BouncyClient { get; }

        internal IList<BcCertificate> BouncyAuthorities { get; }

        /// <summary>
        /// Loads the three files. FileNotFound/FileNotReadable and the PemFile errors (PemHasByteOrderMark, PemInvalid,
        /// PemNoCertificate, PemNoPrivateKey) come through unchanged; a key that doesn't belong to cert.pem is
        /// ClientKeyMismatch (InvalidData).
        /// </summary>
        public static DockerClientCredentials Load(string caFile, string certFile, string keyFile)
        {
            IList<BcCertificate> authorities = PemFile.ReadCertificates(caFile);
            BcCertificate client = PemFile.ReadCertificate(certFile);
            AsymmetricKeyParameter key = PemFile.ReadPrivateKey(keyFile);
            RequireKeyMatches(client, key, certFile, keyFile);
            var trusted = authorities.Select(a => new X509Certificate2(a.GetEncoded())).ToList();
            return new DockerClientCredentials(trusted, ToX509Certificate2(client, key), client, authorities);
        }

        /// <summary>True when cert.pem was signed by one of the certificates in ca.pem.</summary>
        internal bool ClientIssuedByAuthority() => PemFile.IssuedByAny(BouncyClient, BouncyAuthorities);

        /// <summary>
        /// The checks a client set must pass before it is written anywhere (New-DockerContext): the three files read
        /// the way Docker reads them, key.pem the key of cert.pem (ClientKeyMismatch), cert.pem issued by ca.pem
        /// (CertificateNotIssuedByCa).
        /// </summary>
        public static void Require(string caFile, string certFile, string keyFile)
        {
            IList<BcCertificate> authorities = PemFile.ReadCertificates(caFile);
            BcCertificate client = PemFile.ReadCertificate(certFile);
            AsymmetricKeyParameter key = PemFile.ReadPrivateKey(keyFile);
            PemFile.RequireIssuedBy(client, certFile, authorities, caFile);
            RequireKeyMatches(client, key, certFile, keyFile);
        }

        private static void RequireKeyMatches(BcCertificate client, AsymmetricKeyParameter key, string certFile, string keyFile)
        {
            if (!PemFile.KeyMatches(client, key))
            {
                throw new AzDockerVmException("ClientKeyMismatch", FailureKind.InvalidData, keyFile,
                    $"'{keyFile}' is not the private key of '{certFile}'. Nothing was written.",
                    "Use the key.pem created together with that cert.pem.");
            }
        }

        /// <summary>False when cert.pem has an extended key usage without clientAuth (Go then rejects it as a client).</summary>
        internal bool ClientAllowsClientAuth()
        {
            IList<Org.BouncyCastle.Asn1.DerObjectIdentifier> usages = BouncyClient.GetExtendedKeyUsage();
            return usages == null || usages.Any(u => u.Id == "1.3.6.1.5.5.7.3.2" || u.Id == "2.5.29.37.0");
        }

        public void Dispose()
        {
            ClientCertificate.Dispose();
            foreach (var authority in Authorities)
            {
                authority.Dispose();
            }
        }

        // netstandard2.0 has no CreateFromPem, and Windows' SslStream needs a key it can reach: go through PKCS#12.
        // 3DES for both bags, readable by every platform's PKCS#12 loader (the RC2 default is not, on OpenSSL 3).
        private static X509Certificate2 ToX509Certificate2(BcCertificate certificate, AsymmetricKeyParameter key)
        {
            Pkcs12Store store = new Pkcs12StoreBuilder()
                .SetKeyAlgorithm(PkcsObjectIdentifiers.PbeWithShaAnd3KeyTripleDesCbc)
                .SetCertAlgorithm(PkcsObjectIdentifiers.PbeWithShaAnd3KeyTripleDesCbc)
                .Build();
            store.SetKeyEntry("client", new AsymmetricKeyEntry(key), new[] { new X509CertificateEntry(certificate) });
            var random = new SecureRandom();
            char[] password = Convert.ToBase64String(SecureRandom.GetNextBytes(random, 24)).ToCharArray();
            using (var buffer = new MemoryStream())
            {
                store.Save(buffer, password, random);
                return new X509Certificate2(buffer.ToArray(), new string(password), X509KeyStorageFlags.UserKeySet);
            }
        }
    }
}

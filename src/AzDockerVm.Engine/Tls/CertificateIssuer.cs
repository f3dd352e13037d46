using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace AzDockerVm.Engine.Tls
{
    /// <summary>
    /// Builds the three certificates of a Docker TLS set with the extensions Docker (Go's crypto/x509) and OpenSSL
    /// expect: a CA that may sign only leaves, a server certificate whose SANs carry every name the CLI will dial, and a
    /// client certificate usable only for client authentication.
    /// </summary>
    internal sealed class CertificateIssuer
    {
        private const int MaxCommonNameLength = 64; // RFC 5280 ub-common-name
        private readonly SecureRandom _random;

        internal CertificateIssuer(SecureRandom random) => _random = random;

        internal X509Certificate CreateAuthority(AsymmetricCipherKeyPair key, string commonName, DateTime notBefore, DateTime notAfter)
            => CreateAuthority(key, Name(Truncate("AzDockerVm CA " + commonName), "AzDockerVm"), notBefore, notAfter);

        /// <summary>A CA with a given subject (the CA that replaces another in a rotation).</summary>
        internal X509Certificate CreateAuthority(AsymmetricCipherKeyPair key, X509Name name, DateTime notBefore, DateTime notAfter)
        {
            var generator = Start(name, name, key.Public, notBefore, notAfter);
            generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(0));
            generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));
            generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(key.Public));
            generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(
                X509ExtensionUtilities.CreateSubjectKeyIdentifier(key.Public).GetKeyIdentifier()));
            return generator.Generate(new Asn1SignatureFactory(TlsKeyPairs.SignatureAlgorithm(key.Private), key.Private, _random));
        }

        internal X509Certificate CreateServer(X509Certificate ca, AsymmetricKeyParameter caKey, AsymmetricKeyParameter publicKey,
            string commonName, IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses, DateTime notBefore, DateTime notAfter)
            => CreateServer(ca, caKey, publicKey, Name(Truncate(commonName), null), dnsNames, addresses, notBefore, notAfter);

        /// <summary>A server certificate with a given subject (a renewal keeps the old one).</summary>
        internal X509Certificate CreateServer(X509Certificate ca, AsymmetricKeyParameter caKey, AsymmetricKeyParameter publicKey,
            X509Name subject, IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses, DateTime notBefore, DateTime notAfter)
        {
            int usage = KeyUsage.DigitalSignature | (publicKey is RsaKeyParameters ? KeyUsage.KeyEncipherment : 0);
            var names = dnsNames.Select(n => new GeneralName(GeneralName.DnsName, n))
                .Concat(addresses.Select(a => new GeneralName(GeneralName.IPAddress, new DerOctetString(a.GetAddressBytes()))))
                .ToArray();
            var generator = StartLeaf(ca, publicKey, subject, notBefore, notAfter, usage, KeyPurposeID.id_kp_serverAuth);
            generator.AddExtension(X509Extensions.SubjectAlternativeName, false, new GeneralNames(names));
            return generator.Generate(new Asn1SignatureFactory(TlsKeyPairs.SignatureAlgorithm(caKey), caKey, _random));
        }

        internal X509Certificate CreateClient(X509Certificate ca, AsymmetricKeyParameter caKey, AsymmetricKeyParameter publicKey,
            DateTime notBefore, DateTime notAfter)
            => CreateClient(ca, caKey, publicKey, Name("client", null), notBefore, notAfter);

        /// <summary>A client certificate with a given subject (a renewal keeps the old one).</summary>
        internal X509Certificate CreateClient(X509Certificate ca, AsymmetricKeyParameter caKey, AsymmetricKeyParameter publicKey,
            X509Name subject, DateTime notBefore, DateTime notAfter)
        {
            var generator = StartLeaf(ca, publicKey, subject, notBefore, notAfter, KeyUsage.DigitalSignature, KeyPurposeID.id_kp_clientAuth);
            return generator.Generate(new Asn1SignatureFactory(TlsKeyPairs.SignatureAlgorithm(caKey), caKey, _random));
        }

        private X509V3CertificateGenerator StartLeaf(X509Certificate ca, AsymmetricKeyParameter publicKey, X509Name subject,
            DateTime notBefore, DateTime notAfter, int keyUsage, KeyPurposeID purpose)
        {
            var generator = Start(ca.SubjectDN, subject, publicKey, notBefore, notAfter);
            generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
            generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(keyUsage));
            generator.AddExtension(X509Extensions.ExtendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(publicKey));
            generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(AuthorityKeyId(ca)));
            return generator;
        }

        private X509V3CertificateGenerator Start(X509Name issuer, X509Name subject, AsymmetricKeyParameter publicKey, DateTime notBefore, DateTime notAfter)
        {
            var generator = new X509V3CertificateGenerator();
            generator.SetSerialNumber(NewSerialNumber());
            generator.SetIssuerDN(issuer);
            generator.SetSubjectDN(subject);
            generator.SetNotBefore(notBefore);
            generator.SetNotAfter(notAfter);
            generator.SetPublicKey(publicKey);
            return generator;
        }

        /// <summary>
        /// 16 random bytes with the top bit cleared (positive, so DER needs no sign byte) and the next bit set (always
        /// exactly 16 octets): a 128-bit serial with 126 bits of randomness, far above the 64 bits CA/B Forum requires.
        /// </summary>
        private BigInteger NewSerialNumber()
        {
            byte[] bytes = new byte[16];
            _random.NextBytes(bytes);
            bytes[0] = (byte)((bytes[0] & 0x7F) | 0x40);
            return new BigInteger(1, bytes);
        }

        /// <summary>The CA's own subject key identifier when it has one (a reused CA may use another method than SHA-1).</summary>
        private static byte[] AuthorityKeyId(X509Certificate ca)
        {
            Asn1Object extension = X509ExtensionUtilities.FromExtensionValue(ca, X509Extensions.SubjectKeyIdentifier);
            return extension != null
                ? SubjectKeyIdentifier.GetInstance(extension).GetKeyIdentifier()
                : X509ExtensionUtilities.CreateSubjectKeyIdentifier(ca.GetPublicKey()).GetKeyIdentifier();
        }

        internal static X509Name Name(string commonName, string organization)
        {
            var oids = new List<DerObjectIdentifier>();
            var values = new List<string>();
            if (organization != null)
            {
                oids.Add(X509Name.O);
                values.Add(organization);
            }

            oids.Add(X509Name.CN);
            values.Add(commonName);
            return new X509Name(oids, values);
        }

        internal static string Truncate(string value) => value.Length <= MaxCommonNameLength ? value : value.Substring(0, MaxCommonNameLength);
    }
}

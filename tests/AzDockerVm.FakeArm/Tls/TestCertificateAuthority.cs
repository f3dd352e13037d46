using System;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AzDockerVm.FakeArm.Tls
{
    /// <summary>
    /// A throw-away certificate authority for local HTTPS endpoints. The test process trusts
    /// <see cref="ForProcess"/> the way a custom CA is trusted on Linux (an OpenSSL bundle named by SSL_CERT_FILE),
    /// so clients keep their default certificate validation: nothing in the product is switched off for tests.
    /// </summary>
    public sealed class TestCertificateAuthority
    {
        private static readonly Lazy<TestCertificateAuthority> s_forProcess =
            new Lazy<TestCertificateAuthority>(() => Create("AzDockerVm FakeArm Test CA"));

        private readonly Lazy<X509Certificate2> _localhostCertificate;

        private TestCertificateAuthority(X509Certificate2 certificate)
        {
            Certificate = certificate;
            _localhostCertificate = new Lazy<X509Certificate2>(() => IssueServerCertificate("localhost", IPAddress.Loopback));
        }

        /// <summary>The CA this process trusts (see the test assembly's TestTrust); created once per process.</summary>
        public static TestCertificateAuthority ForProcess => s_forProcess.Value;

        /// <summary>The CA certificate, with its private key.</summary>
        public X509Certificate2 Certificate { get; }

        /// <summary>The CA certificate in PEM, for trust bundles.</summary>
        public string CertificatePem => Certificate.ExportCertificatePem();

        /// <summary>A server certificate for "localhost" and 127.0.0.1, issued once per CA and shared by all servers.</summary>
        public X509Certificate2 LocalhostCertificate => _localhostCertificate.Value;

        public static TestCertificateAuthority Create(string commonName)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(new X500DistinguishedName("CN=" + commonName + ", O=AzDockerVm tests"), key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            var now = DateTimeOffset.UtcNow;
            using var certificate = request.CreateSelfSigned(now.AddHours(-1), now.AddDays(30));
            return new TestCertificateAuthority(Reload(certificate));
        }

        /// <summary>Issues a TLS server certificate (serverAuth) for <paramref name="dnsName"/> and <paramref name="ipAddress"/>.</summary>
        public X509Certificate2 IssueServerCertificate(string dnsName, IPAddress ipAddress)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(new X500DistinguishedName("CN=" + dnsName), key, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(dnsName);
            san.AddIpAddress(ipAddress);
            request.CertificateExtensions.Add(san.Build());
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));

            var serial = new byte[16];
            RandomNumberGenerator.Fill(serial);
            serial[0] &= 0x7F; // a positive serial number
            var now = DateTimeOffset.UtcNow;
            using var publicOnly = request.Create(Certificate, now.AddMinutes(-10), Certificate.NotAfter.AddMinutes(-1), serial);
            using var withKey = publicOnly.CopyWithPrivateKey(key);
            return Reload(withKey);
        }

        // A PKCS#12 round trip gives a certificate whose private key does not depend on the disposed key object.
        private static X509Certificate2 Reload(X509Certificate2 certificate) =>
            X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }
}

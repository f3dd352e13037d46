using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AzDockerVm.Tests.Tls
{
    /// <summary>
    /// TLS files made with .NET's own CertificateRequest, not with the module: any validity window (expiring, expired),
    /// any curve, any subject. What an admin's openssl recipe or another tool could have left in a folder.
    /// </summary>
    public sealed class HandMadeCa : IDisposable
    {
        private HandMadeCa(X509Certificate2 certificate, ECDsa key)
        {
            Certificate = certificate;
            Key = key;
        }

        public X509Certificate2 Certificate { get; }

        public ECDsa Key { get; }

        /// <summary>A CA (ECDSA P-256) valid from <paramref name="notBefore"/> to <paramref name="notAfter"/>, written as ca.pem + ca-key.pem into <paramref name="folder"/>.</summary>
        public static HandMadeCa Create(string folder, DateTimeOffset notBefore, DateTimeOffset notAfter, string subject = "CN=hand-made CA")
        {
            var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            var ca = new HandMadeCa(request.CreateSelfSigned(notBefore, notAfter), key);
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "ca.pem"), ca.Certificate.ExportCertificatePem() + "\n");
            File.WriteAllText(Path.Combine(folder, "ca-key.pem"), key.ExportPkcs8PrivateKeyPem() + "\n");
            return ca;
        }

        /// <summary>A server certificate (serverAuth, the given SANs) and its key, as server-cert.pem + server-key.pem.</summary>
        public void IssueServer(string folder, DateTimeOffset notBefore, DateTimeOffset notAfter, string[] dnsNames, string[] addresses,
            string subject = "CN=hand-made server", ECCurve? curve = null)
            => Issue(folder, "server-cert.pem", "server-key.pem", subject, notBefore, notAfter, "1.3.6.1.5.5.7.3.1", dnsNames, addresses, curve);

        /// <summary>A client certificate (clientAuth) and its key, as cert.pem + key.pem.</summary>
        public void IssueClient(string folder, DateTimeOffset notBefore, DateTimeOffset notAfter, string subject = "CN=client", ECCurve? curve = null)
            => Issue(folder, "cert.pem", "key.pem", subject, notBefore, notAfter, "1.3.6.1.5.5.7.3.2", null, null, curve);

        public void Dispose()
        {
            Certificate.Dispose();
            Key.Dispose();
        }

        private void Issue(string folder, string certificateFile, string keyFile, string subject, DateTimeOffset notBefore, DateTimeOffset notAfter,
            string purpose, string[] dnsNames, string[] addresses, ECCurve? curve)
        {
            using var key = ECDsa.Create(curve ?? ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid(purpose) }, false));
            if (dnsNames != null || addresses != null)
            {
                var san = new SubjectAlternativeNameBuilder();
                foreach (string name in dnsNames ?? Array.Empty<string>()) san.AddDnsName(name);
                foreach (string address in addresses ?? Array.Empty<string>()) san.AddIpAddress(IPAddress.Parse(address));
                request.CertificateExtensions.Add(san.Build());
            }

            byte[] serial = RandomNumberGenerator.GetBytes(16);
            serial[0] &= 0x7F;
            using X509Certificate2 certificate = request.Create(Certificate, notBefore, notAfter, serial);
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, certificateFile), certificate.ExportCertificatePem() + "\n");
            File.WriteAllText(Path.Combine(folder, keyFile), key.ExportPkcs8PrivateKeyPem() + "\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Path.Combine(folder, keyFile), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
    }

    /// <summary>A whole hand-made set: ca.pem, ca-key.pem, server-cert.pem, server-key.pem, cert.pem, key.pem.</summary>
    public static class HandMadeSet
    {
        public static readonly string[] DnsNames = { "hand.example.test" };
        public static readonly string[] IPAddresses = { "10.1.2.3" };

        /// <summary>
        /// CA valid from a year ago for nine more; leaves valid from <paramref name="leafNotBefore"/> to
        /// <paramref name="serverNotAfter"/> / <paramref name="clientNotAfter"/>.
        /// </summary>
        public static HandMadeCa Create(string folder, DateTimeOffset leafNotBefore, DateTimeOffset serverNotAfter, DateTimeOffset clientNotAfter)
        {
            DateTimeOffset now = DateTimeOffset.UtcNow;
            HandMadeCa ca = HandMadeCa.Create(folder, now.AddYears(-1), now.AddYears(9));
            ca.IssueServer(folder, leafNotBefore, serverNotAfter, DnsNames, IPAddresses);
            ca.IssueClient(folder, leafNotBefore, clientNotAfter);
            return ca;
        }

        /// <summary>Whole seconds, as X.509 times are.</summary>
        public static DateTimeOffset Second(DateTimeOffset time) => new DateTimeOffset(time.Ticks - time.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }
}

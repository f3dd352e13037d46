using System;
using System.IO;
using System.Linq;
using System.Text;
using AzDockerVm.Engine.IO;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.X509;

namespace AzDockerVm.Engine.Tls
{
    /// <summary>
    /// A CA the user already has (ca.pem + ca-key.pem in one folder), checked before anything is generated: both files
    /// present, readable the way Docker reads them, the key belonging to the certificate, a CA, and valid now.
    /// ca-key.pem is only ever read.
    /// </summary>
    internal sealed class ExistingCertificateAuthority
    {
        private ExistingCertificateAuthority(string certificateFile, string keyFile, X509Certificate certificate,
            AsymmetricKeyParameter privateKey, byte[] certificateFileBytes)
        {
            CertificateFile = certificateFile;
            KeyFile = keyFile;
            Certificate = certificate;
            PrivateKey = privateKey;
            CertificateFileBytes = certificateFileBytes;
        }

        internal string CertificateFile { get; }

        internal string KeyFile { get; }

        internal X509Certificate Certificate { get; }

        internal AsymmetricKeyParameter PrivateKey { get; }

        /// <summary>ca.pem exactly as it is on disk (it may hold more than one CA certificate); copied as is.</summary>
        internal byte[] CertificateFileBytes { get; }

        internal static ExistingCertificateAuthority Load(string folder, DateTime now)
        {
            string certificateFile = Path.Combine(folder, DockerTlsFileNames.CaCertificate);
            string keyFile = Path.Combine(folder, DockerTlsFileNames.CaKey);
            const string action = "Point -CertificateAuthorityPath at a folder holding the CA's ca.pem and ca-key.pem, or omit it to create a new CA.";
            string missing = MissingFile.Problem(certificateFile);
            if (missing != null)
            {
                throw new AzDockerVmException("CertificateAuthorityNotFound", FailureKind.ObjectNotFound, certificateFile,
                    $"The CA certificate '{certificateFile}' {missing}. Nothing was written.", action);
            }

            missing = MissingFile.Problem(keyFile);
            if (missing != null)
            {
                throw new AzDockerVmException("CertificateAuthorityKeyNotFound", FailureKind.ObjectNotFound, keyFile,
                    $"The CA's private key '{keyFile}' {missing}; a CA cannot issue certificates without it. Nothing was written.", action);
            }

            var certificates = ReadPem(() => PemFile.ReadCertificates(certificateFile));
            AsymmetricKeyParameter key = ReadPem(() => PemFile.ReadPrivateKey(keyFile));
            X509Certificate certificate = certificates.FirstOrDefault(c => PemFile.KeyMatches(c, key))
                ?? throw new AzDockerVmException("CertificateAuthorityKeyMismatch", FailureKind.InvalidData, keyFile,
                    $"The private key '{keyFile}' does not belong to the certificate in '{certificateFile}'. Nothing was written.",
                    "Use the ca.pem and ca-key.pem that were created together.");

            bool[] keyUsage = certificate.GetKeyUsage();
            if (certificate.GetBasicConstraints() < 0 || (keyUsage != null && !keyUsage[5]))
            {
                throw new AzDockerVmException("CertificateAuthorityNotCA", FailureKind.InvalidData, certificateFile,
                    $"'{certificateFile}' ({certificate.SubjectDN}) is not a CA certificate (it needs basicConstraints CA:TRUE and, if it has a keyUsage, keyCertSign). Nothing was written.",
                    action);
            }

            DateTime notBefore = Utc(certificate.NotBefore);
            DateTime notAfter = Utc(certificate.NotAfter);
            if (now < notBefore || now >= notAfter)
            {
                string when = now < notBefore ? $"is not valid before {notBefore:u}" : $"expired on {notAfter:u}";
                throw new AzDockerVmException("CertificateAuthorityExpired", FailureKind.InvalidData, certificateFile,
                    $"The CA certificate '{certificateFile}' {when}. Nothing was written.",
                    "Create a new CA (omit -CertificateAuthorityPath) and redeploy its ca.pem to the Docker host and clients.");
            }

            return new ExistingCertificateAuthority(certificateFile, keyFile, certificate, key, File.ReadAllBytes(certificateFile));
        }

        /// <summary>The ca.pem content to write into another folder (UTF-8 without BOM round-trips the bytes).</summary>
        internal string CertificateFileText => new UTF8Encoding(false).GetString(CertificateFileBytes);

        internal static DateTime Utc(DateTime time)
            => time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : DateTime.SpecifyKind(time, DateTimeKind.Utc);

        // The contract knows PemHasByteOrderMark and PemInvalid; a file without the PEM block we need is invalid too.
        private static T ReadPem<T>(Func<T> read)
        {
            try
            {
                return read();
            }
            catch (AzDockerVmException ex) when (ex.ErrorId == "PemNoCertificate" || ex.ErrorId == "PemNoPrivateKey")
            {
                throw new AzDockerVmException("PemInvalid", ex.Kind, ex.Target, ex.Message + " Nothing was written.", ex.RecommendedAction, ex);
            }
        }
    }
}

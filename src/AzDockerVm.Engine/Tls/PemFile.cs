using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using AzDockerVm.Engine.IO;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace AzDockerVm.Engine.Tls
{
    /// <summary>
    /// Reads and encodes PEM exactly the way Docker (Go's crypto/tls) will read it: ASCII, no byte-order mark.
    /// A PEM file that Docker would reject is rejected here too, with a reason the user can act on.
    /// </summary>
    public static class PemFile
    {
        private static readonly byte[] s_utf8Bom = { 0xEF, 0xBB, 0xBF };

        /// <summary>Encodes DER as PEM: LF line endings, 64-column base64, trailing newline.</summary>
        public static string Encode(string label, byte[] der)
        {
            var sb = new StringBuilder();
            sb.Append("-----BEGIN ").Append(label).Append("-----\n");
            string b64 = Convert.ToBase64String(der);
            for (int i = 0; i < b64.Length; i += 64)
            {
                sb.Append(b64, i, Math.Min(64, b64.Length - i)).Append('\n');
            }

            sb.Append("-----END ").Append(label).Append("-----\n");
            return sb.ToString();
        }

        /// <summary>All certificates in a PEM file (a ca.pem may hold several).</summary>
        public static IList<X509Certificate> ReadCertificates(string path)
        {
            var result = new List<X509Certificate>();
            foreach (object item in ReadObjects(path))
            {
                if (item is X509Certificate certificate)
                {
                    result.Add(certificate);
                }
            }

            if (result.Count == 0)
            {
                throw Invalid("PemNoCertificate", path, $"'{path}' contains no PEM certificate.");
            }

            return result;
        }

        public static X509Certificate ReadCertificate(string path) => ReadCertificates(path)[0];

        /// <summary>An RSA or EC private key in PKCS#1, SEC1 or PKCS#8 form (unencrypted, as Docker needs).</summary>
        public static AsymmetricKeyParameter ReadPrivateKey(string path)
        {
            foreach (object item in ReadObjects(path))
            {
                switch (item)
                {
                    case AsymmetricCipherKeyPair pair:
                        return pair.Private;
                    case AsymmetricKeyParameter key when key.IsPrivate:
                        return key;
                }
            }

            throw Invalid("PemNoPrivateKey", path, $"'{path}' contains no unencrypted PEM private key.");
        }

        /// <summary>True when one of <paramref name="authorities"/> signed <paramref name="certificate"/>.</summary>
        public static bool IssuedByAny(X509Certificate certificate, IEnumerable<X509Certificate> authorities)
        {
            foreach (X509Certificate authority in authorities)
            {
                try
                {
                    certificate.Verify(authority.GetPublicKey());
                    return true;
                }
                catch (Exception ex) when (ex is InvalidKeyException || ex is SignatureException
                                           || ex is Org.BouncyCastle.Security.Certificates.CertificateException || ex is ArgumentException)
                {
                }
            }

            return false;
        }

        /// <summary>
        /// Refuses a certificate that no certificate in <paramref name="caFile"/> signed (CertificateNotIssuedByCa): a
        /// docker CLI or daemon trusting that ca.pem would reject it. Names the likely mix-up when the two look swapped.
        /// </summary>
        public static void RequireIssuedBy(X509Certificate certificate, string certificateFile, IList<X509Certificate> authorities, string caFile)
        {
            if (IssuedByAny(certificate, authorities))
            {
                return;
            }

            bool swapped = certificate.GetBasicConstraints() >= 0 && authorities.All(a => a.GetBasicConstraints() < 0);
            throw new AzDockerVmException("CertificateNotIssuedByCa", FailureKind.InvalidData, certificateFile,
                swapped
                    ? $"'{certificateFile}' holds a CA certificate and '{caFile}' does not: the two look swapped. Nothing was written."
                    : $"'{certificateFile}' was not issued by the CA in '{caFile}': TLS peers trusting that CA would reject it. Nothing was written.",
                "Use the ca.pem of the set the certificate was created with (New-DockerTlsCertificate writes them together).");
        }

        /// <summary>True when the private key belongs to the certificate's public key.</summary>
        public static bool KeyMatches(X509Certificate certificate, AsymmetricKeyParameter privateKey)
        {
            AsymmetricKeyParameter publicKey = certificate.GetPublicKey();
            byte[] probe = Encoding.ASCII.GetBytes("AzDockerVm key match probe");
            string algorithm = publicKey is Org.BouncyCastle.Crypto.Parameters.RsaKeyParameters ? "SHA256withRSA" : "SHA256withECDSA";
            try
            {
                ISigner signer = SignerUtilities.GetSigner(algorithm);
                signer.Init(true, privateKey);
                signer.BlockUpdate(probe, 0, probe.Length);
                byte[] signature = signer.GenerateSignature();
                ISigner verifier = SignerUtilities.GetSigner(algorithm);
                verifier.Init(false, publicKey);
                verifier.BlockUpdate(probe, 0, probe.Length);
                return verifier.VerifySignature(signature);
            }
            catch (Exception ex) when (ex is InvalidKeyException || ex is ArgumentException || ex is InvalidCastException)
            {
                return false;
            }
        }

        private static IEnumerable<object> ReadObjects(string path)
        {
            byte[] bytes;
            string missing = MissingFile.Problem(path);
            if (missing != null)
            {
                throw new AzDockerVmException("FileNotFound", FailureKind.ObjectNotFound, path, $"'{path}' {missing}.");
            }

            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (Exception ex) when (ex is FileNotFoundException || ex is DirectoryNotFoundException)
            {
                throw new AzDockerVmException("FileNotFound", FailureKind.ObjectNotFound, path, $"'{path}' {MissingFile.Problem(path) ?? "does not exist"}.", null, ex);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new AzDockerVmException("FileNotReadable", FailureKind.PermissionDenied, path, $"'{path}' cannot be read: access denied.", null, ex);
            }

            if (bytes.Length >= 3 && bytes[0] == s_utf8Bom[0] && bytes[1] == s_utf8Bom[1] && bytes[2] == s_utf8Bom[2])
            {
                throw Invalid("PemHasByteOrderMark", path,
                    $"'{path}' starts with a UTF-8 byte-order mark; Docker cannot read such a PEM file.",
                    "Save the file as ASCII/UTF-8 without BOM (Windows PowerShell 5.1's -Encoding UTF8 adds one).");
            }

            var objects = new List<object>();
            try
            {
                using (var reader = new PemReader(new StringReader(Encoding.ASCII.GetString(bytes))))
                {
                    for (object item = reader.ReadObject(); item != null; item = reader.ReadObject())
                    {
                        objects.Add(item);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException || ex is PemException || ex is ArgumentException || ex is InvalidCastException || ex is FormatException)
            {
                throw Invalid("PemInvalid", path, $"'{path}' is not valid PEM: {ex.Message}");
            }

            return objects;
        }

        private static AzDockerVmException Invalid(string errorId, string path, string message, string action = null)
            => new AzDockerVmException(errorId, FailureKind.InvalidData, path, message, action);
    }
}

using System.IO;
using System.Linq;

namespace AzDockerVm.Tests.Docker
{
    public enum TlsKeyKind
    {
        EcdsaP256,
        Rsa2048,
    }

    /// <summary>
    /// Docker TLS certificate sets made with the real openssl CLI, following Docker's documented recipe
    /// ("Protect the Docker daemon socket"): a CA, a server certificate with subjectAltName and EKU serverAuth, a client
    /// certificate with EKU clientAuth. Plus the broken variants the negative specifications need. Independent of the
    /// module, so the module is judged against certificates it did not make.
    /// </summary>
    public static class OpenSslTls
    {
        /// <summary>Server SANs of a normal set: the loopback IP the tests connect to and a DNS name that is NOT localhost.</summary>
        public const string DefaultServerSans = "IP:127.0.0.1,DNS:docker-test.example";

        /// <summary>A CA: ca.pem + ca-key.pem in <paramref name="folder"/>.</summary>
        public static OpenSslCa CreateCa(string folder, TlsKeyKind kind, string commonName = "AzDockerVm test CA")
        {
            Directory.CreateDirectory(folder);
            var ca = new OpenSslCa(Path.Combine(folder, "ca.pem"), Path.Combine(folder, "ca-key.pem"), kind);
            GenerateKey(ca.KeyFile, kind);
            OpenSsl("req", "-new", "-x509", "-sha256", "-days", "30", "-key", ca.KeyFile, "-subj", "/CN=" + commonName, "-out", ca.CertificateFile,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
            return ca;
        }

        /// <summary>
        /// A complete set in <paramref name="folder"/> with Docker's file names: ca.pem, ca-key.pem, server-cert.pem,
        /// server-key.pem, cert.pem, key.pem.
        /// </summary>
        public static OpenSslCa CreateSet(string folder, TlsKeyKind kind, string serverSans = DefaultServerSans)
        {
            OpenSslCa ca = CreateCa(folder, kind);
            ca.Issue(Path.Combine(folder, "server-cert.pem"), Path.Combine(folder, "server-key.pem"), "docker-test-server",
                "subjectAltName = " + serverSans, "extendedKeyUsage = serverAuth");
            ca.Issue(Path.Combine(folder, "cert.pem"), Path.Combine(folder, "key.pem"), "client", "extendedKeyUsage = clientAuth");
            return ca;
        }

        /// <summary>A client folder (ca.pem, cert.pem, key.pem) trusting <paramref name="trusted"/> with a client issued by <paramref name="issuer"/>.</summary>
        public static string CreateClientFolder(string folder, OpenSslCa trusted, OpenSslCa issuer, string extendedKeyUsage = "clientAuth")
        {
            Directory.CreateDirectory(folder);
            File.Copy(trusted.CertificateFile, Path.Combine(folder, "ca.pem"), overwrite: true);
            issuer.Issue(Path.Combine(folder, "cert.pem"), Path.Combine(folder, "key.pem"), "client", "extendedKeyUsage = " + extendedKeyUsage);
            return folder;
        }

        /// <summary>Copies ca.pem, cert.pem and key.pem from one folder to another.</summary>
        public static string CopyClientFolder(string from, string to)
        {
            Directory.CreateDirectory(to);
            foreach (var name in new[] { "ca.pem", "cert.pem", "key.pem" })
            {
                File.Copy(Path.Combine(from, name), Path.Combine(to, name), overwrite: true);
            }

            return to;
        }

        /// <summary>Puts a UTF-8 byte-order mark in front of a PEM file (what Windows PowerShell 5.1's -Encoding UTF8 does).</summary>
        public static void PrependBom(string file)
        {
            byte[] content = File.ReadAllBytes(file);
            File.WriteAllBytes(file, new byte[] { 0xEF, 0xBB, 0xBF }.Concat(content).ToArray());
        }

        /// <summary>`openssl verify -CAfile ca.pem cert...`.</summary>
        public static ToolRun Verify(string caFile, params string[] certificates)
            => ExternalTool.Run("openssl", new[] { "verify", "-CAfile", caFile }.Concat(certificates));

        internal static void GenerateKey(string keyFile, TlsKeyKind kind)
        {
            if (kind == TlsKeyKind.EcdsaP256)
            {
                OpenSsl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", keyFile);
            }
            else
            {
                OpenSsl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", keyFile);
            }
        }

        internal static void OpenSsl(params string[] args) => ExternalTool.Run("openssl", args).ThrowIfFailed("openssl " + args[0]);
    }

    /// <summary>A CA made by openssl; issues certificates with the extensions given as openssl extfile lines.</summary>
    public sealed class OpenSslCa
    {
        public OpenSslCa(string certificateFile, string keyFile, TlsKeyKind kind)
        {
            CertificateFile = certificateFile;
            KeyFile = keyFile;
            Kind = kind;
        }

        public string CertificateFile { get; }

        public string KeyFile { get; }

        public TlsKeyKind Kind { get; }

        public string Folder => Path.GetDirectoryName(CertificateFile);

        public void Issue(string certificateFile, string keyFile, string commonName, params string[] extensions)
        {
            string work = Path.Combine(Path.GetDirectoryName(certificateFile), "." + Path.GetFileNameWithoutExtension(certificateFile));
            Directory.CreateDirectory(work);
            string csr = Path.Combine(work, "req.csr");
            string extfile = Path.Combine(work, "ext.cnf");
            OpenSslTls.GenerateKey(keyFile, Kind);
            OpenSslTls.OpenSsl("req", "-new", "-sha256", "-key", keyFile, "-subj", "/CN=" + commonName, "-out", csr);
            File.WriteAllLines(extfile, extensions);
            OpenSslTls.OpenSsl("x509", "-req", "-days", "30", "-sha256", "-in", csr, "-CA", CertificateFile, "-CAkey", KeyFile,
                "-CAcreateserial", "-CAserial", Path.Combine(Folder, "ca.srl"), "-out", certificateFile, "-extfile", extfile);
            Directory.Delete(work, recursive: true);
        }
    }
}

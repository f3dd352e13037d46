using System;
using System.IO;
using System.Runtime.InteropServices;
namespace AzDockerVm.FakeArm.Tls
{
    /// <summary>
    /// Makes this process (and the processes it starts) trust the fake ARM's test CA the way a custom CA is trusted on
    /// Linux: an OpenSSL bundle (the inherited or system bundle + our CA) named by SSL_CERT_FILE. .NET reads it when it
    /// first builds a certificate chain, so every test assembly that talks to a fake calls <see cref="Install"/> from a
    /// module initializer, before any TLS. Clients keep their default certificate validation; the product has no switch
    /// for tests.
    /// </summary>
    public static class TestTrust
    {
        public const string SystemBundle = "/etc/ssl/certs/ca-certificates.crt";

        /// <summary>The bundle SSL_CERT_FILE names: a fixed file per process under the temp folder.</summary>
        public static string BundlePath { get; private set; }

        /// <summary>The fake ARM's CA certificate (PEM file), next to the bundle.</summary>
        public static string CaCertificatePath { get; private set; }

        /// <summary>Writes the bundle and points SSL_CERT_FILE at it (once per process).</summary>
        public static void Install()
        {
            if (BundlePath != null)
            {
                return;
            }

            var directory = Path.Combine(Path.GetTempPath(), "azdockervm-tests", "trust-" + Environment.ProcessId);
            Directory.CreateDirectory(directory);
            CaCertificatePath = Path.Combine(directory, "fakearm-ca.pem");
            BundlePath = Path.Combine(directory, "ca-bundle.pem");

            // A child started by a test inherits its parent's bundle, so it also trusts the parent's fakes.
            var inherited = Environment.GetEnvironmentVariable("SSL_CERT_FILE");
            var baseBundle = !string.IsNullOrEmpty(inherited) && File.Exists(inherited) ? inherited : SystemBundle;
            var caPem = TestCertificateAuthority.ForProcess.CertificatePem;
            File.WriteAllText(CaCertificatePath, caPem + "\n");
            var existing = File.Exists(baseBundle) ? File.ReadAllText(baseBundle).TrimEnd() + "\n" : string.Empty;
            File.WriteAllText(BundlePath, existing + caPem + "\n");

            // .NET on Unix keeps its own copy of the environment: child processes see Environment's, but OpenSSL
            // (which .NET's certificate validation asks for the root store location) reads the C library's.
            Environment.SetEnvironmentVariable("SSL_CERT_FILE", BundlePath);
            if (!OperatingSystem.IsWindows() && setenv("SSL_CERT_FILE", BundlePath, 1) != 0)
            {
                throw new InvalidOperationException("setenv(SSL_CERT_FILE) failed: errno " + Marshal.GetLastPInvokeError());
            }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int setenv(string name, string value, int overwrite);
    }
}

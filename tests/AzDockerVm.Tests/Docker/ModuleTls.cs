using System;
using System.IO;
using System.Linq;
using AzDockerVm.Tests.Bench;

namespace AzDockerVm.Tests.Docker
{
    /// <summary>Complete TLS sets made by the module's own New-DockerTlsCertificate, for the proofs against real Docker.</summary>
    public static class ModuleTls
    {
        /// <summary>
        /// New-DockerTlsCertificate into <paramref name="folder"/> with the SANs of an openssl-style list
        /// ("IP:127.0.0.1,DNS:docker-test.example"); returns the CA (ca.pem + ca-key.pem) for issuing test variants.
        /// </summary>
        public static OpenSslCa CreateSet(string folder, TlsKeyKind kind, string serverSans)
        {
            var sans = serverSans.Split(',').Select(s => s.Trim()).ToArray();
            string[] ips = sans.Where(s => s.StartsWith("IP:", StringComparison.Ordinal)).Select(s => s.Substring(3)).ToArray();
            string[] dns = sans.Where(s => s.StartsWith("DNS:", StringComparison.Ordinal)).Select(s => s.Substring(4)).ToArray();
            string algorithm = kind == TlsKeyKind.Rsa2048 ? "RSA2048" : "ECDSA_P256";
            using (var ps = new PowerShellSession())
            {
                var set = ps.Run(
                    "New-DockerTlsCertificate -Path $p -KeyAlgorithm $a -DnsName $d -IPAddress $i",
                    new { p = folder, a = algorithm, d = dns.Length == 0 ? null : dns, i = ips.Length == 0 ? null : ips })
                    .ThrowIfFailed().Single();
                if (!string.Equals((string)set.Properties["Path"].Value, folder, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException("New-DockerTlsCertificate wrote to " + set.Properties["Path"].Value);
                }
            }

            return new OpenSslCa(Path.Combine(folder, "ca.pem"), Path.Combine(folder, "ca-key.pem"), kind);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;

namespace AzDockerVm.Engine.Tls
{
    /// <summary>
    /// Whether a certificate's subjectAltName names a host the way Docker's clients (Go's crypto/x509) judge it: an
    /// address against the IP entries only, a name against the DNS entries without regard to case or a final dot, a
    /// wildcard entry for exactly one leftmost label. The CN is never looked at (Go ignores it).
    /// </summary>
    public static class CertificateNames
    {
        /// <summary>Those of <paramref name="hostNames"/> (names or addresses) that <paramref name="certificate"/> does not name, in their order, each once.</summary>
        public static IReadOnlyList<string> NotCovered(CertificateFacts certificate, IEnumerable<string> hostNames)
            => hostNames.Where(h => !string.IsNullOrEmpty(h)).Distinct(StringComparer.OrdinalIgnoreCase)
                .Where(h => !Covers(h, certificate.DnsNames, certificate.IPAddresses)).ToList();

        public static bool Covers(string host, IEnumerable<string> dnsNames, IEnumerable<string> ipAddresses)
        {
            if (IPAddress.TryParse(host.Trim('[', ']'), out IPAddress address))
            {
                return ipAddresses.Any(a => IPAddress.TryParse(a, out IPAddress named) && named.Equals(address));
            }

            string name = host.TrimEnd('.');
            return dnsNames.Select(d => d.TrimEnd('.')).Any(d => string.Equals(d, name, StringComparison.OrdinalIgnoreCase)
                || (d.StartsWith("*.", StringComparison.Ordinal) && name.IndexOf('.') > 0
                    && string.Equals(d.Substring(1), name.Substring(name.IndexOf('.')), StringComparison.OrdinalIgnoreCase)));
        }
    }
}

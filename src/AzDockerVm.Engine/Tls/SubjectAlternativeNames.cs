using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;

namespace AzDockerVm.Engine.Tls
{
    /// <summary>
    /// Validates and de-duplicates the names a server certificate is issued for. Names are checked the way a TLS client
    /// will use them: a DNS SAN only ever matches a host name (RFC 1123 labels, optionally a leading "*." wildcard), and
    /// an IP SAN only an IP address, so an address given as a DNS name is refused rather than silently useless.
    /// </summary>
    internal static class SubjectAlternativeNames
    {
        private const int MaxNameLength = 253;
        private const int MaxLabelLength = 63;

        /// <summary>The DNS names in the order given, duplicates (ignoring case) removed.</summary>
        internal static IReadOnlyList<string> ValidateDnsNames(IEnumerable<string> names)
        {
            var result = new List<string>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (string name in names ?? Enumerable.Empty<string>())
            {
                string reason = DnsNameProblem(name);
                if (reason != null)
                {
                    throw new AzDockerVmException("InvalidDnsName", FailureKind.InvalidArgument, name,
                        $"'{name}' is not a valid DNS name: {reason}. Nothing was written.",
                        "Use host names made of letters, digits and hyphens (RFC 1123), optionally starting with '*.'; pass IP addresses with -IPAddress.");
                }

                if (seen.Add(name))
                {
                    result.Add(name);
                }
            }

            return result;
        }

        /// <summary>The addresses in canonical form (IPv6 compressed, lower case), in the order given, duplicates removed.</summary>
        internal static IReadOnlyList<IPAddress> ValidateIPAddresses(IEnumerable<string> addresses)
        {
            var result = new List<IPAddress>();
            foreach (string text in addresses ?? Enumerable.Empty<string>())
            {
                IPAddress address = ParseStrict(text);
                if (address == null)
                {
                    throw new AzDockerVmException("InvalidIPAddress", FailureKind.InvalidArgument, text,
                        $"'{text}' is not a valid IP address. Nothing was written.",
                        "Give IPv4 addresses as four decimal numbers (10.0.0.4) and IPv6 addresses without brackets, zone or port (2001:db8::4).");
                }

                if (!result.Contains(address))
                {
                    result.Add(address);
                }
            }

            return result;
        }

        /// <summary>The folder name used for a set when no -Path is given: the name, with characters no file system takes replaced.</summary>
        internal static string ToFolderName(string name) => name.Replace("*", "wildcard").Replace(':', '_');

        /// <summary>Why <paramref name="host"/> is no host name a certificate can cover (ASCII labels, no wildcard), or null.</summary>
        internal static string HostNameProblem(string host)
            => host != null && host.StartsWith("*", StringComparison.Ordinal) ? "a wildcard names no single host" : DnsNameProblem(host);

        private static string DnsNameProblem(string name)
        {
            if (string.IsNullOrEmpty(name))
            {
                return "it is empty";
            }

            if (name.Length > MaxNameLength)
            {
                return $"it is longer than {MaxNameLength} characters";
            }

            if (name.EndsWith(".", StringComparison.Ordinal))
            {
                return "it ends with a dot";
            }

            string[] labels = name.Split('.');
            for (int i = 0; i < labels.Length; i++)
            {
                string label = labels[i];
                if (i == 0 && label == "*")
                {
                    if (labels.Length == 1)
                    {
                        return "a wildcard needs a domain after '*.'";
                    }

                    continue;
                }

                if (label.Length == 0)
                {
                    return "it has an empty label";
                }

                if (label.Length > MaxLabelLength)
                {
                    return $"the label '{label}' is longer than {MaxLabelLength} characters";
                }

                if (label.Any(c => !IsLetterOrDigit(c) && c != '-'))
                {
                    return label.Contains('*')
                        ? "a wildcard is only allowed as the whole first label ('*.example.com')"
                        : $"the label '{label}' may contain only letters a-z, digits and hyphens";
                }

                if (label[0] == '-' || label[label.Length - 1] == '-')
                {
                    return $"the label '{label}' starts or ends with a hyphen";
                }
            }

            // RFC 3696 §2: a top-level domain is never all-numeric; this also catches IP addresses given as DNS names.
            if (labels[labels.Length - 1].All(IsDigit))
            {
                return "its last label is numeric (an IP address belongs in -IPAddress)";
            }

            return null;
        }

        private static IPAddress ParseStrict(string text)
        {
            if (string.IsNullOrEmpty(text) || !IPAddress.TryParse(text, out IPAddress address))
            {
                return null;
            }

            switch (address.AddressFamily)
            {
                // IPAddress.TryParse takes "1.2.3", "10", "0x0a.0.0.1" and "010.0.0.1"; only the dotted quad means one thing to everybody.
                case AddressFamily.InterNetwork:
                    return address.ToString() == text ? address : null;

                // A certificate holds no zone index, and brackets or a port are not part of an address.
                case AddressFamily.InterNetworkV6:
                    return text.IndexOfAny(new[] { '%', '[', ']', ' ' }) < 0 && address.ScopeId == 0 ? address : null;

                default:
                    return null;
            }
        }

        private static bool IsLetterOrDigit(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c);

        private static bool IsDigit(char c) => c >= '0' && c <= '9';
    }
}

using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AzDockerVm.Engine.Docker
{
    /// <summary>
    /// A Docker TLS endpoint: tcp://host:port (what the docker CLI's -H, DOCKER_HOST and contexts take) or
    /// https://host:port (accepted as an alias). The port defaults to 2376, Docker's TLS port.
    /// </summary>
    public sealed class DockerEndpoint
    {
        public const int DefaultTlsPort = 2376;

        private DockerEndpoint(string host, int port)
        {
            Host = host;
            Port = port;
        }

        /// <summary>A DNS name or an IP address; an IPv6 address without brackets.</summary>
        public string Host { get; }

        public int Port { get; }

        /// <summary>The host as it appears in a URI (IPv6 in brackets).</summary>
        public string UriHost => Host.IndexOf(':') >= 0 ? "[" + Host + "]" : Host;

        /// <summary>The canonical form: always tcp:// (the docker CLI's -H and DOCKER_HOST refuse https://).</summary>
        public override string ToString() => "tcp://" + UriHost + ":" + Port.ToString(CultureInfo.InvariantCulture);

        /// <summary>The one way an endpoint is written from a host and a port: tcp://host:port, an IPv6 host in brackets.</summary>
        public static string Format(string host, int port) => new DockerEndpoint(host, port).ToString();

        /// <summary>Parses and validates; errors InvalidEndpoint / InvalidPort (InvalidArgument) with the input as target.</summary>
        public static DockerEndpoint Parse(string input)
        {
            string text = (input ?? string.Empty).Trim();
            string rest = StripScheme(text);
            if (rest == null)
            {
                throw Invalid(input, $"'{input}' is not a Docker TLS endpoint: use tcp://host:port or https://host:port.");
            }

            if (rest.EndsWith("/", StringComparison.Ordinal))
            {
                rest = rest.Substring(0, rest.Length - 1);
            }

            if (rest.IndexOfAny(new[] { '/', '?', '#', '@' }) >= 0)
            {
                throw Invalid(input, $"'{input}' is not a Docker TLS endpoint: only tcp://host:port is allowed, without user, path or query.");
            }

            string host;
            string portText = null;
            if (rest.StartsWith("[", StringComparison.Ordinal))
            {
                int close = rest.IndexOf(']');
                if (close < 0)
                {
                    throw Invalid(input, $"'{input}' has an unclosed '[' around an IPv6 address.");
                }

                host = rest.Substring(1, close - 1);
                string after = rest.Substring(close + 1);
                if (after.Length > 0)
                {
                    if (after[0] != ':')
                    {
                        throw Invalid(input, $"'{input}' has unexpected text after the IPv6 address.");
                    }

                    portText = after.Substring(1);
                }

                if (!IsIPv6(host))
                {
                    throw Invalid(input, $"'{host}' in '{input}' is not an IPv6 address.");
                }
            }
            else
            {
                int colon = rest.IndexOf(':');
                if (colon >= 0 && rest.IndexOf(':', colon + 1) >= 0)
                {
                    throw Invalid(input, $"'{input}': put an IPv6 address in brackets, e.g. tcp://[::1]:2376.");
                }

                host = colon >= 0 ? rest.Substring(0, colon) : rest;
                portText = colon >= 0 ? rest.Substring(colon + 1) : null;
                if (host.Length == 0)
                {
                    throw Invalid(input, $"'{input}' names no host.");
                }

                // The names a certificate can cover: ASCII labels (RFC 1123). A non-ASCII name is refused, not
                // punycoded: the CLI would connect to one name and check the certificate against another.
                string problem = IsIPv4(host) ? null : Tls.SubjectAlternativeNames.HostNameProblem(host);
                if (problem != null)
                {
                    throw Invalid(input, $"'{host}' in '{input}' is neither an IPv4 address nor a DNS name a certificate can cover: {problem}.");
                }
            }

            return new DockerEndpoint(host, portText == null ? DefaultTlsPort : ParsePort(portText, input));
        }

        private static string StripScheme(string text)
        {
            foreach (string scheme in new[] { "tcp://", "https://" })
            {
                if (text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
                {
                    return text.Substring(scheme.Length);
                }
            }

            return null;
        }

        private static int ParsePort(string text, string input)
        {
            bool digits = text.Length > 0 && text.Length <= 5;
            foreach (char c in text)
            {
                digits &= c >= '0' && c <= '9';
            }

            if (!digits || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port < 1 || port > 65535)
            {
                throw new AzDockerVmException("InvalidPort", FailureKind.InvalidArgument, input,
                    $"'{text}' in '{input}' is not a TCP port: use a number from 1 to 65535 (Docker's TLS port is 2376).");
            }

            return port;
        }

        private static bool IsIPv4(string host)
            => IPAddress.TryParse(host, out IPAddress address) && address.AddressFamily == AddressFamily.InterNetwork
               && host.Split('.').Length == 4;

        private static bool IsIPv6(string host)
            => host.IndexOf(':') >= 0 && IPAddress.TryParse(host, out IPAddress address) && address.AddressFamily == AddressFamily.InterNetworkV6;

        private static AzDockerVmException Invalid(string input, string message)
            => new AzDockerVmException("InvalidEndpoint", FailureKind.InvalidArgument, input, message,
                "Give the endpoint as tcp://<DNS name or IP>:2376, e.g. tcp://myvm.westeurope.cloudapp.azure.com:2376.");
    }
}

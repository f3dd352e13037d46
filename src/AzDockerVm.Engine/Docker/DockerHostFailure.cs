using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Security.Authentication;
using AzDockerVm.Engine.Tls;
using Docker.DotNet;
using Newtonsoft.Json;

namespace AzDockerVm.Engine.Docker
{
    /// <summary>The Reason values of a failed host check, and how an exception from the wire maps onto them.</summary>
    public static class DockerHostFailure
    {
        public const string ClientCertificateRejected = "ClientCertificateRejected";
        public const string UnknownAuthority = "UnknownAuthority";
        public const string NameMismatch = "NameMismatch";
        public const string ServerCertificateInvalid = "ServerCertificateInvalid";
        public const string ConnectionRefused = "ConnectionRefused";
        public const string Timeout = "Timeout";
        public const string HostNotFound = "HostNotFound";
        public const string TlsHandshakeFailed = "TlsHandshakeFailed";
        public const string InvalidCertificateFile = "InvalidCertificateFile";
        public const string NotDockerEndpoint = "NotDockerEndpoint";

        // OpenSSL's texts for the TLS alerts a daemon sends when it refuses our client certificate (or its absence):
        // bad_certificate (Go's answer to another CA or a wrong EKU), certificate_required (TLS 1.3, none sent),
        // unknown_ca, unsupported_certificate, certificate_unknown.
        private static readonly string[] s_clientRejectedAlerts =
        {
            "alert bad certificate", "alert certificate required", "alert unknown ca", "alert unsupported certificate", "alert certificate unknown",
        };

        // What OpenSSL/SslStream say when the peer answers a ClientHello with something that isn't TLS (e.g. plain HTTP).
        private static readonly string[] s_notTlsAnswers =
        {
            "wrong version number", "packet length too long", "record layer failure", "http request", "frame size", "corrupted frame",
        };

        internal static (string Reason, string Message) Classify(Exception exception, DockerEndpoint target, ServerCertificateCheck serverCheck, DockerClientCredentials material)
        {
            if (serverCheck.Reason != null)
            {
                return (serverCheck.Reason, serverCheck.Message);
            }

            List<Exception> chain = Flatten(exception).ToList();
            string text = string.Join(" | ", chain.Select(e => e.Message)).ToLowerInvariant();

            SocketException socket = chain.OfType<SocketException>().FirstOrDefault();
            if (socket != null)
            {
                switch (socket.SocketErrorCode)
                {
                    case SocketError.ConnectionRefused:
                        return (ConnectionRefused, $"{target} refused the connection: nothing listens on port {target.Port} (is dockerd started with -H tcp://0.0.0.0:{target.Port} and the port open?).");
                    case SocketError.HostNotFound:
                    case SocketError.NoData:
                    case SocketError.TryAgain:
                        return (HostNotFound, $"The host name '{target.Host}' could not be resolved.");
                    case SocketError.TimedOut:
                        return (Timeout, $"{target} did not answer the connection attempt.");
                    case SocketError.HostUnreachable:
                    case SocketError.NetworkUnreachable:
                        return (ConnectionRefused, $"{target} is unreachable ({socket.SocketErrorCode}).");
                }
            }

            if (text.Contains("could not resolve address"))
            {
                return (HostNotFound, $"The host name '{target.Host}' could not be resolved.");
            }

            string alert = s_clientRejectedAlerts.FirstOrDefault(text.Contains);
            if (alert != null)
            {
                return (ClientCertificateRejected, $"The daemon rejected the client certificate (TLS {alert}){ClientHint(material)}.");
            }

            // With TLS 1.3 the daemon checks the client certificate after the client's handshake is done: its refusal
            // can arrive as a reset or EOF instead of an alert. When our own files show why, say so.
            bool closedByPeer = socket?.SocketErrorCode == SocketError.ConnectionReset
                || text.Contains("connection reset") || text.Contains("unexpected eof") || text.Contains("received an unexpected eof");
            string hint = closedByPeer ? ClientHint(material) : string.Empty;
            if (hint.Length > 0)
            {
                return (ClientCertificateRejected, $"The daemon closed the connection after the TLS handshake{hint}.");
            }

            if (s_notTlsAnswers.Any(text.Contains))
            {
                return (NotDockerEndpoint, $"{target} did not answer with TLS (a plain HTTP server, or not a Docker TLS port).");
            }

            DockerApiException api = chain.OfType<DockerApiException>().FirstOrDefault();
            if (api != null)
            {
                return (NotDockerEndpoint, $"{target} answered HTTP {(int)api.StatusCode} to a Docker API call: not a Docker daemon.");
            }

            if (chain.OfType<JsonException>().Any())
            {
                return (NotDockerEndpoint, $"{target} answered with something that is not the Docker API's JSON.");
            }

            if (chain.OfType<AuthenticationException>().Any() || chain.OfType<IOException>().Any())
            {
                return (TlsHandshakeFailed, $"The TLS connection to {target} failed: {Innermost(chain)}.");
            }

            return (TlsHandshakeFailed, $"The connection to {target} failed: {Innermost(chain)}.");
        }

        /// <summary>"Type: message -> Type: message ..." for the whole chain, without stack traces.</summary>
        public static string Describe(Exception exception)
            => string.Join(" -> ", Flatten(exception).Select(e => e.GetType().FullName + ": " + e.Message));

        // Why the daemon likely refused us, when the local files already show it.
        private static string ClientHint(DockerClientCredentials material)
        {
            if (!material.ClientIssuedByAuthority())
            {
                return "; cert.pem is not signed by the CA in ca.pem";
            }

            return material.ClientAllowsClientAuth() ? string.Empty : "; cert.pem's extended key usage lacks clientAuth";
        }

        private static string Innermost(List<Exception> chain) => chain[chain.Count - 1].Message.TrimEnd('.');

        private static IEnumerable<Exception> Flatten(Exception exception)
        {
            for (Exception e = exception; e != null; e = e.InnerException)
            {
                if (e is AggregateException aggregate && aggregate.InnerExceptions.Count > 0)
                {
                    foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                    {
                        yield return inner;
                    }

                    yield break;
                }

                yield return e;
            }
        }
    }
}

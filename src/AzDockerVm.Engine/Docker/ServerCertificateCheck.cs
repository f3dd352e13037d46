using System.Collections.Generic;
using System.Linq;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using Org.BouncyCastle.Security;

namespace AzDockerVm.Engine.Docker
{
    /// <summary>
    /// Validates the daemon's certificate like the docker CLI: the chain must end at a certificate of OUR ca.pem
    /// (nothing from the machine's store is trusted), the certificate must be valid now and for serverAuth, and the
    /// host name must match (that check stays the platform's). When it rejects, it records why; whatever it decides,
    /// it keeps the certificate the server presented, so an expired or mismatching one can still be reported.
    /// </summary>
    internal sealed class ServerCertificateCheck
    {
        private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
        private readonly IReadOnlyList<X509Certificate2> _authorities;
        private readonly string _host;
        private byte[] _served;

        public ServerCertificateCheck(IReadOnlyList<X509Certificate2> authorities, string host)
        {
            _authorities = authorities;
            _host = host;
        }

        /// <summary>Set when this check rejected the server; the probe reports it instead of the TLS exception.</summary>
        public string Reason { get; private set; }

        public string Message { get; private set; }

        /// <summary>The DER of the last certificate a server presented to this check; null before any handshake got that far.</summary>
        public byte[] ServedCertificate => Volatile.Read(ref _served);

        public bool Validate(object sender, X509Certificate certificate, X509Chain platformChain, SslPolicyErrors errors)
        {
            if (certificate == null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            {
                return Reject(DockerHostFailure.ServerCertificateInvalid, "The server presented no certificate.");
            }

            using (var server = new X509Certificate2(certificate))
            using (var chain = new X509Chain())
            {
                Volatile.Write(ref _served, server.RawData);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
                chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ServerAuthentication));
                foreach (var authority in _authorities)
                {
                    chain.ChainPolicy.ExtraStore.Add(authority);
                }

                chain.Build(server);
                X509Certificate2 root = chain.ChainElements[chain.ChainElements.Count - 1].Certificate;
                if (!_authorities.Any(a => a.RawData.SequenceEqual(root.RawData)))
                {
                    return Reject(DockerHostFailure.UnknownAuthority,
                        $"The server certificate ('{server.Subject}', issued by '{server.Issuer}') is not signed by the CA in ca.pem.");
                }

                X509ChainStatusFlags problems = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status)
                    & ~X509ChainStatusFlags.UntrustedRoot;
                if ((problems & X509ChainStatusFlags.NotTimeValid) != 0)
                {
                    return Reject(DockerHostFailure.ServerCertificateInvalid,
                        $"The server certificate or its CA is outside its validity period (server: {server.NotBefore:u} to {server.NotAfter:u}).");
                }

                if ((problems & X509ChainStatusFlags.NotValidForUsage) != 0)
                {
                    return Reject(DockerHostFailure.ServerCertificateInvalid,
                        "The server certificate is not valid for server authentication (its extended key usage lacks serverAuth).");
                }

                if (problems != X509ChainStatusFlags.NoError)
                {
                    return Reject(DockerHostFailure.ServerCertificateInvalid, "The server certificate chain is invalid: " + problems + ".");
                }

                if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    return Reject(DockerHostFailure.NameMismatch,
                        $"The server certificate is valid for {SubjectAlternativeNames(server)}, not {_host}.");
                }
            }

            return true;
        }

        private bool Reject(string reason, string message)
        {
            Reason = reason;
            Message = message;
            return false;
        }

        private static string SubjectAlternativeNames(X509Certificate2 server)
        {
            var names = DotNetUtilities.FromX509Certificate(server).GetSubjectAlternativeNames();
            if (names == null || names.Count == 0)
            {
                return "no name (it has no subjectAltName; Go ignores the CN)";
            }

            return string.Join(", ", names.Select(n => n[1]?.ToString()));
        }
    }
}

using System;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace AzDockerVm.Engine.Docker
{
    /// <summary>
    /// The certificate a TLS endpoint serves, as one handshake sees it (offering the client certificate, so a daemon
    /// that verifies clients completes it). It only records: which certificate is the right one is the caller's
    /// question. <see cref="Failure"/> says why no certificate was seen, or why the handshake ended after it.
    /// </summary>
    internal sealed class ServedCertificate
    {
        private ServedCertificate(byte[] der, string failure)
        {
            Der = der;
            Failure = failure;
        }

        /// <summary>The served certificate (DER), or null when none was seen.</summary>
        internal byte[] Der { get; }

        internal string Failure { get; }

        /// <summary>SHA-256 of the certificate, upper-case hex (what openssl x509 -fingerprint -sha256 shows, without colons).</summary>
        internal string Sha256 => Der == null ? null : Hex(Der);

        internal static string Hex(byte[] der)
        {
            using (var sha = SHA256.Create())
            {
                return BitConverter.ToString(sha.ComputeHash(der)).Replace("-", string.Empty);
            }
        }

        internal static async Task<ServedCertificate> ReadAsync(DockerEndpoint target, X509Certificate2 clientCertificate, TimeSpan timeout, CancellationToken ct)
        {
            byte[] seen = null;
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct))
            using (var tcp = new TcpClient())
            {
                deadline.CancelAfter(timeout);
                try
                {
                    await Until(tcp.ConnectAsync(target.Host, target.Port), deadline.Token).ConfigureAwait(false);
                    using (var tls = new SslStream(tcp.GetStream(), false, (sender, certificate, chain, errors) =>
                    {
                        seen = certificate?.GetRawCertData();
                        return true; // recorded, not judged
                    }))
                    {
                        var clients = clientCertificate == null ? new X509CertificateCollection() : new X509CertificateCollection { clientCertificate };
                        await Until(tls.AuthenticateAsClientAsync(target.Host, clients, SslProtocols.None, checkCertificateRevocation: false), deadline.Token).ConfigureAwait(false);
                    }

                    return new ServedCertificate(seen, null);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    throw;
                }
                catch (OperationCanceledException)
                {
                    return new ServedCertificate(seen, $"{target} did not answer within {timeout.TotalSeconds:0.#} s");
                }
                catch (Exception ex) when (ex is SocketException || ex is System.IO.IOException || ex is AuthenticationException)
                {
                    return new ServedCertificate(seen, $"{target}: {Innermost(ex).Message}");
                }
            }
        }

        // Connect and handshake don't observe a token on netstandard2.0: give up on them at the deadline.
        private static async Task Until(Task call, CancellationToken deadline)
        {
            var expired = new TaskCompletionSource<bool>();
            using (deadline.Register(() => expired.TrySetResult(true)))
            {
                if (await Task.WhenAny(call, expired.Task).ConfigureAwait(false) != call)
                {
                    _ = call.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
                    throw new OperationCanceledException(deadline);
                }
            }

            await call.ConfigureAwait(false);
        }

        private static Exception Innermost(Exception ex)
        {
            while (ex.InnerException != null)
            {
                ex = ex.InnerException;
            }

            return ex;
        }
    }
}

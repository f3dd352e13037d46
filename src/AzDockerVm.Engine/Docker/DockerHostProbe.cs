using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Engine.Tls;
using Docker.DotNet;
using Docker.DotNet.Models;
using Docker.DotNet.X509;
using Org.BouncyCastle.X509;

namespace AzDockerVm.Engine.Docker
{
    /// <summary>What one check of a Docker host found. Reason is null on success.</summary>
    public sealed class DockerHostProbeResult
    {
        public string Endpoint { get; set; }

        public bool Success { get; set; }

        public string Reason { get; set; }

        public string Message { get; set; }

        public string ServerVersion { get; set; }

        public string ApiVersion { get; set; }

        public string Os { get; set; }

        public string Architecture { get; set; }

        public string KernelVersion { get; set; }

        /// <summary>Null when the check failed: there was no answer to time.</summary>
        public double? LatencyMs { get; set; }

        /// <summary>The exception chain behind a failure (types and messages, no stack trace), for -Debug.</summary>
        public string Detail { get; set; }

        /// <summary>
        /// The certificate the daemon presented in the TLS handshake, also when the check then failed (expired, another
        /// name, another CA); null when no handshake got that far (refused, timed out, not TLS).
        /// </summary>
        public CertificateFacts ServerCertificate { get; set; }

        /// <summary>
        /// The host's names and addresses the served certificate does not name (for an endpoint its host; for a VM the
        /// FQDN and the public and private IP addresses ARM reports now): empty when it names them all, null without
        /// a served certificate.
        /// </summary>
        public IReadOnlyList<string> NamesNotCovered { get; set; }
    }

    /// <summary>
    /// Checks a Docker host over mutual TLS the way the docker CLI talks to it: our client certificate, trust in the
    /// given ca.pem only, host-name checking on; then /_ping and /version. Failures become a Reason and a short
    /// message, never an exception; only bad input (missing files) throws. Whatever the outcome, the certificate the
    /// daemon served (when a handshake got that far) is described, and judged against the host's names.
    /// </summary>
    public static class DockerHostProbe
    {
        /// <param name="hostNames">What the served certificate should name; null: the endpoint's host.</param>
        public static DockerHostProbeResult Test(string endpoint, string caFile, string certFile, string keyFile, TimeSpan timeout, CancellationToken cancellation,
            IEnumerable<string> hostNames = null)
        {
            DockerEndpoint target = DockerEndpoint.Parse(endpoint);
            DockerClientCredentials material;
            try
            {
                material = DockerClientCredentials.Load(caFile, certFile, keyFile);
            }
            catch (AzDockerVmException ex) when (ex.ErrorId != "FileNotFound" && ex.ErrorId != "FileNotReadable")
            {
                return Failed(target, DockerHostFailure.InvalidCertificateFile, ex.Message);
            }

            using (material)
            {
                var serverCheck = new ServerCertificateCheck(material.Authorities, target.Host);
                DockerHostProbeResult result = ProbeAsync(target, material, serverCheck, timeout, cancellation).ConfigureAwait(false).GetAwaiter().GetResult();
                if (serverCheck.ServedCertificate is byte[] served)
                {
                    result.ServerCertificate = CertificateInspector.Describe(new X509CertificateParser().ReadCertificate(served), CertificateRole.Server,
                        material.BouncyAuthorities, DateTime.UtcNow);
                    result.NamesNotCovered = CertificateNames.NotCovered(result.ServerCertificate, hostNames ?? new[] { target.Host });
                }

                return result;
            }
        }

        private static async Task<DockerHostProbeResult> ProbeAsync(DockerEndpoint target, DockerClientCredentials material, ServerCertificateCheck serverCheck,
            TimeSpan timeout, CancellationToken cancellation)
        {
            var credentials = new CertificateCredentials(material.ClientCertificate)
            {
                ServerCertificateValidationCallback = serverCheck.Validate,
            };
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation))
            using (var configuration = new DockerClientConfiguration(new Uri(target.ToString()), credentials, timeout))
            using (DockerClient client = configuration.CreateClient())
            {
                deadline.CancelAfter(timeout);
                try
                {
                    await WithDeadline(client.System.PingAsync(deadline.Token), deadline.Token).ConfigureAwait(false);
                    var stopwatch = Stopwatch.StartNew();
                    VersionResponse version = await WithDeadline(client.System.GetVersionAsync(deadline.Token), deadline.Token).ConfigureAwait(false);
                    stopwatch.Stop();
                    if (string.IsNullOrEmpty(version?.Version) || string.IsNullOrEmpty(version.APIVersion))
                    {
                        return Failed(target, DockerHostFailure.NotDockerEndpoint, $"{target} answered /version without a Docker version: not a Docker API.");
                    }

                    return new DockerHostProbeResult
                    {
                        Endpoint = target.ToString(),
                        Success = true,
                        ServerVersion = version.Version,
                        ApiVersion = version.APIVersion,
                        Os = version.Os,
                        Architecture = version.Arch,
                        KernelVersion = version.KernelVersion,
                        LatencyMs = stopwatch.Elapsed.TotalMilliseconds,
                    };
                }
                catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                {
                    throw;
                }
                catch (OperationCanceledException)
                {
                    return Failed(target, DockerHostFailure.Timeout,
                        $"{target} did not answer within {timeout.TotalSeconds:0.#} s (a firewall dropping packets, or not a TLS endpoint).");
                }
                catch (Exception ex)
                {
                    var (reason, message) = DockerHostFailure.Classify(ex, target, serverCheck, material);
                    if (serverCheck.Reason == null && (reason == DockerHostFailure.ClientCertificateRejected || reason == DockerHostFailure.TlsHandshakeFailed))
                    {
                        // The daemon may refuse our client before this side judged its certificate (TLS 1.3 sends the
                        // client's certificate before the client validates the server). The docker CLI judges the
                        // server first; so do we, on a second handshake that offers no client certificate.
                        await JudgeServerCertificateAsync(target, serverCheck, timeout, cancellation).ConfigureAwait(false);
                        if (serverCheck.Reason != null)
                        {
                            (reason, message) = (serverCheck.Reason, serverCheck.Message);
                        }
                    }

                    DockerHostProbeResult failed = Failed(target, reason, message);
                    failed.Detail = DockerHostFailure.Describe(ex);
                    return failed;
                }
            }
        }

        // Only the server's certificate matters here: whatever happens after the callback (the daemon refusing a
        // client without a certificate, a reset, the deadline) is not this check's concern.
        private static async Task JudgeServerCertificateAsync(DockerEndpoint target, ServerCertificateCheck serverCheck, TimeSpan timeout, CancellationToken cancellation)
        {
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation))
            using (var tcp = new TcpClient())
            {
                deadline.CancelAfter(timeout);
                try
                {
                    await WithDeadline(tcp.ConnectAsync(target.Host, target.Port), deadline.Token).ConfigureAwait(false);
                    using (var tls = new SslStream(tcp.GetStream(), false, serverCheck.Validate))
                    {
                        await WithDeadline(tls.AuthenticateAsClientAsync(target.Host), deadline.Token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception)
                {
                    // the first attempt's reason stands
                }
            }
        }

        // Docker.DotNet's connect and TLS handshake don't observe the token: give up on the call at the deadline
        // (the abandoned attempt ends when the peer or the OS closes the socket).
        private static async Task<T> WithDeadline<T>(Task<T> call, CancellationToken deadline)
        {
            await WithDeadline((Task)call, deadline).ConfigureAwait(false);
            return await call.ConfigureAwait(false);
        }

        private static async Task WithDeadline(Task call, CancellationToken deadline)
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

        private static DockerHostProbeResult Failed(DockerEndpoint target, string reason, string message)
            => new DockerHostProbeResult { Endpoint = target.ToString(), Success = false, Reason = reason, Message = message };
    }
}

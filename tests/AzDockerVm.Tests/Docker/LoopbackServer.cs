using System;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace AzDockerVm.Tests.Docker
{
    /// <summary>
    /// Peers on 127.0.0.1 that are not Docker: one that accepts and never speaks, one that answers plain HTTP, one that
    /// speaks TLS with a valid server certificate but answers every request with 404.
    /// </summary>
    public sealed class LoopbackServer : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly Task _loop;

        private LoopbackServer(Func<TcpClient, CancellationToken, Task> serve)
        {
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _loop = serve == null ? Task.CompletedTask : Task.Run(() => AcceptLoop(serve));
        }

        /// <summary>What went wrong on the server side of a connection (for assertion messages).</summary>
        public System.Collections.Concurrent.ConcurrentQueue<string> Errors { get; } = new System.Collections.Concurrent.ConcurrentQueue<string>();

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public string Endpoint => "tcp://127.0.0.1:" + Port;

        /// <summary>The kernel completes the TCP handshake (backlog), but nothing ever reads or writes.</summary>
        public static LoopbackServer Silent() => new LoopbackServer(null);

        /// <summary>Answers whatever arrives with a plain-text HTTP 400, like an HTTP server hit with a TLS ClientHello.</summary>
        public static LoopbackServer PlainHttp() => new LoopbackServer(async (client, ct) =>
        {
            var stream = client.GetStream();
            _ = await stream.ReadAsync(new byte[4096], ct); // whatever the client sent first (a TLS ClientHello)
            byte[] answer = Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 11\r\n\r\nBad Request");
            await stream.WriteAsync(answer, ct);
        });

        /// <summary>A TLS server with the given certificate (client certificates accepted, not required) that is no Docker API.</summary>
        public static LoopbackServer HttpsNotDocker(string certificateFile, string keyFile)
        {
            using var pem = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
            var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            return new LoopbackServer(async (client, ct) =>
            {
                using var tls = new SslStream(client.GetStream(), false);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = certificate,
                    ClientCertificateRequired = false,
                    RemoteCertificateValidationCallback = (_, _, _, _) => true,
                }, ct);
                var reader = new StreamReader(tls, Encoding.ASCII);
                while (!string.IsNullOrEmpty(await reader.ReadLineAsync(ct)))
                {
                }

                byte[] answer = Encoding.ASCII.GetBytes("HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nConnection: close\r\nContent-Length: 9\r\n\r\nnot found");
                await tls.WriteAsync(answer, ct);
                await tls.FlushAsync(ct);
            });
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            try
            {
                _loop.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
            }
        }

        private async Task AcceptLoop(Func<TcpClient, CancellationToken, Task> serve)
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException || ex is SocketException || ex is ObjectDisposedException)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            await serve(client, _stop.Token);
                        }
                        catch (Exception ex)
                        {
                            Errors.Enqueue(ex.GetType().Name + ": " + ex.Message);
                        }
                    }
                });
            }
        }
    }
}

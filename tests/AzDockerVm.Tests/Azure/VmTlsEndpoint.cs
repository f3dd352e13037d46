using System;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>
    /// The VM side of a certificate renewal where no dockerd is needed: a TLS listener at the fake VM's loopback
    /// address and Docker port that serves the server files the VM last installed, the way the provisioning script
    /// makes dockerd serve them. <see cref="Installs"/> is the extension handler that installs what a renewal PUT
    /// carries (the script's AZDV_CERT_B64 and AZDV_KEY_B64) and reports what the script reports.
    /// </summary>
    public sealed class VmTlsEndpoint : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly Task _loop;
        private X509Certificate2 _served;

        private VmTlsEndpoint(string address, int port, string certificatePem, string keyPem)
        {
            Serve(certificatePem, keyPem);
            _listener = new TcpListener(IPAddress.Parse(address), port);
            _listener.Start();
            _loop = Task.Run(AcceptLoop);
        }

        /// <summary>SHA-256 of the certificate served now, upper-case hex.</summary>
        public string ServedSha256 => Convert.ToHexString(SHA256.HashData(_served.RawData));

        /// <summary>How many renewal PUTs <see cref="Installs"/> installed.</summary>
        public int Installed { get; private set; }

        public static VmTlsEndpoint Start(string address, int port, string certificatePem, string keyPem)
            => new VmTlsEndpoint(address, port, certificatePem, keyPem);

        /// <summary>From now on, new connections get this pair.</summary>
        public void Serve(string certificatePem, string keyPem)
        {
            using var pem = X509Certificate2.CreateFromPem(certificatePem, keyPem);
            _served = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }

        /// <summary>
        /// The handler of a VM whose script installs the renewal: the PUT's server files are served from now on
        /// (<paramref name="install"/> false: the VM reports success and goes on serving the old ones).
        /// </summary>
        public Func<ExtensionPut, ExtensionOutcome> Installs(int port, bool install = true) => put =>
        {
            // Our script's rollout mode, or the legacy DockerExtension's protected "certs".
            var certs = put.ProtectedSettings?["certs"];
            bool renewal = put.ScriptSetting("AZDV_MODE") == "tls-rollout" || (!put.IsCustomScript && certs != null);
            if (renewal && install)
            {
                if (put.IsCustomScript)
                {
                    Serve(put.ScriptSetting("AZDV_CERT_B64"), put.ScriptSetting("AZDV_KEY_B64"));
                }
                else
                {
                    Serve(Decode((string)certs["cert"]), Decode((string)certs["key"]));
                }

                Installed++;
            }

            return ExtensionOutcome.Success($"AZDOCKERVM status=ok docker=20.10.24 port={port} tls=on changed=true started=true live-restore=on served={ServedSha256}\n");
        };

        private static string Decode(string base64) => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64));

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

        private async Task AcceptLoop()
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

                X509Certificate2 certificate = _served;
                _ = Task.Run(async () =>
                {
                    using (client)
                    using (var tls = new SslStream(client.GetStream(), false))
                    {
                        try
                        {
                            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                            {
                                ServerCertificate = certificate,
                                ClientCertificateRequired = true,
                                RemoteCertificateValidationCallback = (_, _, _, _) => true,
                            }, _stop.Token);
                        }
                        catch (Exception ex) when (ex is System.IO.IOException || ex is System.Security.Authentication.AuthenticationException || ex is OperationCanceledException)
                        {
                        }
                    }
                });
            }
        }
    }
}

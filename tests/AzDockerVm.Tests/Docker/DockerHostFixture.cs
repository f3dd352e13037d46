using System;
using System.IO;
using System.Threading;

namespace AzDockerVm.Tests.Docker
{
    /// <summary>
    /// One certificate world per key type, shared by a test class: a good set (CA, server, client) served by one
    /// throw-away dockerd, and client folders for the negative cases. Everything is made on first use, so a skipped
    /// class starts nothing.
    /// </summary>
    public abstract class DockerHostFixture : IDisposable
    {
        private readonly Lazy<Dockerd> _daemon;
        private readonly Lazy<bool> _certificates;
        private int _scratch;

        protected DockerHostFixture(TlsKeyKind kind, string serverSans = OpenSslTls.DefaultServerSans, CertificateMaker maker = CertificateMaker.OpenSsl)
        {
            Kind = kind;
            Maker = maker;
            Root = Path.Combine(Path.GetTempPath(), "azdvm-tls-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            _certificates = new Lazy<bool>(() => CreateCertificates(serverSans), LazyThreadSafetyMode.ExecutionAndPublication);
            _daemon = new Lazy<Dockerd>(() => { _ = _certificates.Value; return Dockerd.Start(Good); }, LazyThreadSafetyMode.ExecutionAndPublication);
        }

        public TlsKeyKind Kind { get; }

        /// <summary>Who made the good set and the other CA: Docker's openssl recipe, or New-DockerTlsCertificate.</summary>
        public CertificateMaker Maker { get; }

        public string Root { get; }

        /// <summary>The daemon, started on first use with the good set's server certificate.</summary>
        public Dockerd Daemon => _daemon.Value;

        /// <summary>The good set: ca.pem, ca-key.pem, server-cert.pem, server-key.pem, cert.pem, key.pem.</summary>
        public string Good => Folder("good");

        /// <summary>Trusts the right CA; client certificate from another CA.</summary>
        public string ClientFromOtherCa => Folder("client-other-ca");

        /// <summary>Trusts the right CA; client certificate from the right CA but with EKU serverAuth only.</summary>
        public string ClientWithServerAuthOnly => Folder("client-serverauth");

        /// <summary>The right client certificate, but ca.pem is another CA (so the server's certificate is not trusted).</summary>
        public string TrustsOtherCa => Folder("trusts-other-ca");

        /// <summary>A whole client folder of another CA (ca.pem, cert.pem, key.pem): the wrong host's set.</summary>
        public string OtherSet => Folder("other-set");

        /// <summary>The good client files with a UTF-8 BOM in front of cert.pem.</summary>
        public string ClientCertWithBom => Folder("bom");

        /// <summary>A new empty folder under the fixture's root (removed with the fixture).</summary>
        public string NewScratchFolder(string hint)
        {
            string folder = Path.Combine(Root, "scratch", Interlocked.Increment(ref _scratch) + "-" + hint);
            Directory.CreateDirectory(folder);
            return folder;
        }

        public void Dispose()
        {
            if (_daemon.IsValueCreated)
            {
                _daemon.Value.Dispose();
            }

            if (Directory.Exists(Root))
            {
                Directory.Delete(Root, recursive: true);
            }
        }

        private string Folder(string name)
        {
            _ = _certificates.Value;
            return Path.Combine(Root, name);
        }

        private bool CreateCertificates(string serverSans)
        {
            string good = Path.Combine(Root, "good");
            OpenSslCa ca = Maker == CertificateMaker.Module
                ? ModuleTls.CreateSet(good, Kind, serverSans)
                : OpenSslTls.CreateSet(good, Kind, serverSans);
            OpenSslCa other = Maker == CertificateMaker.Module
                ? ModuleTls.CreateSet(Path.Combine(Root, "other-ca"), Kind, serverSans)
                : OpenSslTls.CreateCa(Path.Combine(Root, "other-ca"), Kind, "AzDockerVm other CA");
            OpenSslTls.CreateClientFolder(Path.Combine(Root, "client-other-ca"), trusted: ca, issuer: other);
            OpenSslTls.CreateClientFolder(Path.Combine(Root, "client-serverauth"), trusted: ca, issuer: ca, extendedKeyUsage: "serverAuth");
            string trustsOther = OpenSslTls.CopyClientFolder(good, Path.Combine(Root, "trusts-other-ca"));
            File.Copy(other.CertificateFile, Path.Combine(trustsOther, "ca.pem"), overwrite: true);
            OpenSslTls.CreateClientFolder(Path.Combine(Root, "other-set"), trusted: other, issuer: other);
            string bom = OpenSslTls.CopyClientFolder(good, Path.Combine(Root, "bom"));
            OpenSslTls.PrependBom(Path.Combine(bom, "cert.pem"));
            return true;
        }
    }

    public enum CertificateMaker
    {
        OpenSsl,
        Module,
    }

    public sealed class EcdsaP256Host : DockerHostFixture
    {
        public EcdsaP256Host() : base(TlsKeyKind.EcdsaP256) { }
    }

    public sealed class Rsa2048Host : DockerHostFixture
    {
        public Rsa2048Host() : base(TlsKeyKind.Rsa2048) { }
    }

    /// <summary>A daemon whose server certificate names only a DNS name, no IP: connecting by IP must fail.</summary>
    public class DnsOnlyServerHost : DockerHostFixture
    {
        public DnsOnlyServerHost() : base(TlsKeyKind.EcdsaP256, "DNS:docker-test.example") { }

        protected DnsOnlyServerHost(CertificateMaker maker) : base(TlsKeyKind.EcdsaP256, "DNS:docker-test.example", maker) { }
    }

    /// <summary>The ECDSA P-256 world made by New-DockerTlsCertificate (the module's own sets against real Docker).</summary>
    public sealed class ModuleEcdsaP256Host : DockerHostFixture
    {
        public ModuleEcdsaP256Host() : base(TlsKeyKind.EcdsaP256, maker: CertificateMaker.Module) { }
    }

    /// <summary>The RSA-2048 world made by New-DockerTlsCertificate.</summary>
    public sealed class ModuleRsa2048Host : DockerHostFixture
    {
        public ModuleRsa2048Host() : base(TlsKeyKind.Rsa2048, maker: CertificateMaker.Module) { }
    }

    /// <summary>A New-DockerTlsCertificate set made with -DnsName only: no IP SAN.</summary>
    public sealed class ModuleDnsOnlyServerHost : DnsOnlyServerHost
    {
        public ModuleDnsOnlyServerHost() : base(CertificateMaker.Module) { }
    }
}

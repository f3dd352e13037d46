using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Engine.Deployment;
using AzDockerVm.Engine.Docker;
using AzDockerVm.Engine.IO;
using AzDockerVm.Engine.Tls;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Utilities;
using Org.BouncyCastle.Security;

namespace AzDockerVm.Engine.Azure.Resources
{
    /// <summary>The addresses a host has once its public IP and NIC exist (what its certificate must cover).</summary>
    public sealed class HostAddresses
    {
        public string Fqdn { get; set; }

        public string PublicIpAddress { get; set; }

        public string PrivateIpAddress { get; set; }

        /// <summary>Where clients reach the daemon: the FQDN, else the public IP, else the private IP.</summary>
        public string Host => Fqdn ?? PublicIpAddress ?? PrivateIpAddress;

        internal static HostAddresses From(DeploymentStates states, DockerHostResources host)
        {
            JsonObject pip = host.PublicIpAddress == null ? null : states.Get(host.PublicIpAddress).Properties;
            JsonObject nic = states.Get(host.NetworkInterface).Properties;
            return new HostAddresses
            {
                Fqdn = (string)pip?["dnsSettings"]?["fqdn"],
                PublicIpAddress = (string)pip?["ipAddress"],
                PrivateIpAddress = (string)nic["ipConfigurations"]?[0]?["properties"]?["privateIPAddress"],
            };
        }

        internal VmFacts ToFacts(string name)
        {
            var facts = new VmFacts { Name = name };
            if (Fqdn != null)
            {
                facts.Fqdns.Add(Fqdn);
            }

            if (PublicIpAddress != null)
            {
                facts.PublicIPAddresses.Add(PublicIpAddress);
            }

            if (PrivateIpAddress != null)
            {
                facts.PrivateIPAddresses.Add(PrivateIpAddress);
            }

            return facts;
        }
    }

    /// <summary>A folder of files on the admin's machine (what a local node's read finds).</summary>
    public sealed class LocalFilesState
    {
        public LocalFilesState(string folder) => Folder = folder;

        public string Folder { get; }
    }

    /// <summary>The public half of a host's SSH key.</summary>
    public sealed class SshKeyState
    {
        public SshKeyState(string privateKeyFile, string publicKey)
        {
            PrivateKeyFile = privateKeyFile;
            PublicKey = publicKey;
        }

        public string PrivateKeyFile { get; }

        public string PublicKey { get; }
    }

    /// <summary>A resource group's certificate authority on the admin's machine: every host of the group is issued from it, so one client certificate reaches them all.</summary>
    public sealed class CertificateAuthorityNode : ResourceNode<LocalFilesState>
    {
        private readonly string _commonName;

        public CertificateAuthorityNode(string folder, string commonName)
            : base("certificate authority", folder)
        {
            _commonName = commonName;
        }

        public string Folder => Name;

        protected override Task<LocalFilesState> Read(CancellationToken ct)
            => Task.FromResult(File.Exists(Path.Combine(Folder, DockerTlsFileNames.CaCertificate)) && File.Exists(Path.Combine(Folder, DockerTlsFileNames.CaKey))
                ? new LocalFilesState(Folder) : null);

        protected override Task<LocalFilesState> Create(DeploymentStates states, CancellationToken ct)
        {
            DockerTlsMaterial.CreateAuthority(Folder, _commonName);
            return Task.FromResult(new LocalFilesState(Folder));
        }
    }

    /// <summary>
    /// A host's TLS set: made (from the group's CA) once the public IP and NIC exist, so it covers the FQDN, the
    /// public and the private address, in the folder Set-AzDockerExtension also uses for the VM (named after its FQDN);
    /// kept while it still covers them. A set the user gave is only checked.
    /// </summary>
    public sealed class HostTlsSetNode : ResourceNode<LocalFilesState>
    {
        private readonly string _dockerConfig;
        private readonly DockerHostResources _host;
        private readonly CertificateAuthorityNode _authority;
        private readonly VmCertificate _given;
        private readonly bool _overwrite;

        // A host's set holds no CA key: that stays in the group's CA folder.
        private static readonly string[] s_hostFiles =
        {
            DockerTlsFileNames.CaCertificate, DockerTlsFileNames.ServerCertificate, DockerTlsFileNames.ServerKey, DockerTlsFileNames.ClientCertificate, DockerTlsFileNames.ClientKey,
        };

        private HostTlsSetNode(string dockerConfig, DockerHostResources host, CertificateAuthorityNode authority, VmCertificate given, bool overwrite)
            : base("TLS set", host.VirtualMachine.Name, new ResourceNode[] { authority, host.PublicIpAddress, host.NetworkInterface })
        {
            _dockerConfig = dockerConfig;
            _host = host;
            _authority = authority;
            _given = given;
            _overwrite = overwrite;
            // Its folder is named after the public IP's FQDN: read once that is known (a private host's is named after the host).
            PlaceIn(host.PublicIpAddress);
        }

        /// <summary>A set made for the host, issued by <paramref name="authority"/>.</summary>
        public static HostTlsSetNode Made(string dockerConfig, DockerHostResources host, CertificateAuthorityNode authority, bool overwrite)
            => new HostTlsSetNode(dockerConfig, host, authority, null, overwrite);

        /// <summary>A set the user gave (already read and checked): used as it is, if it covers the host.</summary>
        internal static HostTlsSetNode Given(VmCertificate given, DockerHostResources host)
            => new HostTlsSetNode(null, host, null, given, false);

        /// <summary>The set's folder: the given one, else the VM's default (by FQDN, else public IP, else host name).</summary>
        public string Folder(ArmResourceState publicIp) => _given?.Folder ?? VmCertificate.DefaultFolder(_dockerConfig, Addresses(publicIp));

        internal string Folder(DeploymentStates states) => Folder(_host.PublicIpAddress == null ? null : states.Get(_host.PublicIpAddress));

        internal VmCertificate Certificate(DeploymentStates states) => _given ?? VmCertificate.InFolder(Folder(states));

        private VmFacts Addresses(ArmResourceState publicIp) => new HostAddresses
        {
            Fqdn = (string)publicIp?.Properties["dnsSettings"]?["fqdn"],
            PublicIpAddress = (string)publicIp?.Properties["ipAddress"],
        }.ToFacts(_host.VirtualMachine.Name);

        protected override Task<LocalFilesState> Read(CancellationToken ct) => Task.FromResult(ReadIn(null));

        protected internal override Task<object> ReadInAsync(object containerState, CancellationToken ct) => Task.FromResult<object>(ReadIn((ArmResourceState)containerState));

        private LocalFilesState ReadIn(ArmResourceState publicIp)
        {
            string folder = Folder(publicIp);
            return _given != null || s_hostFiles.All(f => File.Exists(Path.Combine(folder, f))) ? new LocalFilesState(folder) : null;
        }

        protected override bool FitsNow(LocalFilesState state, DeploymentStates states)
        {
            VmFacts addresses = HostAddresses.From(states, _host).ToFacts(_host.VirtualMachine.Name);
            VmCertificate certificate = Certificate(states);
            bool covers = certificate.Covers(addresses) && certificate.CoversPrivate(addresses);
            // A given set is never made again: Create refuses it with the addresses it lacks.
            return _given != null ? covers : covers && certificate.IssuedBy(Path.Combine(_authority.Folder, DockerTlsFileNames.CaCertificate));
        }

        protected override Task<LocalFilesState> Create(DeploymentStates states, CancellationToken ct)
        {
            HostAddresses addresses = HostAddresses.From(states, _host);
            if (_given != null)
            {
                _given.RequireCovers(addresses.ToFacts(_host.VirtualMachine.Name));
                return Task.FromResult(new LocalFilesState(_given.Folder));
            }

            string folder = Folder(states);
            DockerTlsSetPlan plan = DockerTlsMaterial.Plan(new DockerTlsSetRequest
            {
                DnsNames = addresses.Fqdn == null ? new List<string>() : new List<string> { addresses.Fqdn },
                IPAddresses = new[] { addresses.PublicIpAddress, addresses.PrivateIpAddress }.Where(a => a != null).ToList(),
                Path = folder,
                CertificateAuthorityPath = _authority.Folder,
                Overwrite = _overwrite,
            });
            DockerTlsMaterial.Create(plan);
            return Task.FromResult(new LocalFilesState(folder));
        }
    }

    /// <summary>The docker context named after the host, pointing at its endpoint with its TLS set's client files.</summary>
    public sealed class DockerContextNode : ResourceNode<LocalFilesState>
    {
        private readonly string _dockerConfig;
        private readonly DockerHostResources _host;
        private readonly HostTlsSetNode _tls;
        private readonly int _port;
        private readonly string _description;

        /// <summary>Written once <paramref name="after"/> (the Docker extension) succeeded: the context points at a daemon that answers.</summary>
        public DockerContextNode(string dockerConfig, string name, DockerHostResources host, HostTlsSetNode tls, ResourceNode after, int port, string description)
            : base("docker context", name, new ResourceNode[] { tls, host.PublicIpAddress, host.NetworkInterface, after })
        {
            _dockerConfig = dockerConfig;
            _host = host;
            _tls = tls;
            _port = port;
            _description = description;
        }

        internal string Endpoint(DeploymentStates states) => DockerEndpoint.Format(HostAddresses.From(states, _host).Host, _port);

        protected override Task<LocalFilesState> Read(CancellationToken ct)
            => Task.FromResult(DockerContextStore.Exists(_dockerConfig, Name) ? new LocalFilesState(_dockerConfig) : null);

        /// <summary>Kept only while it points at this host's endpoint and the TLS set did not change under it.</summary>
        protected override bool FitsNow(LocalFilesState state, DeploymentStates states)
        {
            if (!string.Equals(DockerContextStore.ReadEndpoint(_dockerConfig, Name), Endpoint(states), StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            string copy = Path.Combine(_dockerConfig, "contexts", "tls", DockerContextStore.ContextDirectoryName(Name), "docker", DockerTlsFileNames.CaCertificate);
            string ca = _tls.Certificate(states).CaFile;
            return File.Exists(copy) && File.Exists(ca) && File.ReadAllBytes(copy).SequenceEqual(File.ReadAllBytes(ca));
        }

        protected override Task<LocalFilesState> Create(DeploymentStates states, CancellationToken ct)
        {
            VmCertificate certificate = _tls.Certificate(states);
            DockerContextPlan plan = DockerContextStore.Prepare(new DockerContextRequest
            {
                Name = Name,
                Endpoint = Endpoint(states),
                Description = _description,
                CaFile = certificate.CaFile,
                CertFile = certificate.ClientCertificateFile,
                KeyFile = certificate.ClientKeyFile,
                DockerConfig = _dockerConfig,
                Overwrite = true,
            });
            DockerContextStore.Write(plan);
            return Task.FromResult(new LocalFilesState(_dockerConfig));
        }
    }

    /// <summary>An SSH key generated for the host's admin (ed25519; the private key 0600, never sent anywhere).</summary>
    public sealed class SshKeyNode : ResourceNode<SshKeyState>
    {
        public const string PrivateKeyFileName = "id_ed25519";

        private readonly string _comment;

        public SshKeyNode(string folder, string comment)
            : base("SSH key", folder)
        {
            _comment = comment;
        }

        public string PrivateKeyFile => Path.Combine(Name, PrivateKeyFileName);

        private string PublicKeyFile => PrivateKeyFile + ".pub";

        protected override Task<SshKeyState> Read(CancellationToken ct)
            => Task.FromResult(File.Exists(PrivateKeyFile) && File.Exists(PublicKeyFile)
                ? new SshKeyState(PrivateKeyFile, File.ReadAllText(PublicKeyFile).Trim()) : null);

        protected override Task<SshKeyState> Create(DeploymentStates states, CancellationToken ct)
        {
            var generator = new Ed25519KeyPairGenerator();
            generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
            var pair = generator.GenerateKeyPair();
            string publicKey = "ssh-ed25519 " + Convert.ToBase64String(OpenSshPublicKeyUtilities.EncodePublicKey((Ed25519PublicKeyParameters)pair.Public)) + " " + _comment;
            string privateKey = PemFile.Encode("OPENSSH PRIVATE KEY", OpenSshPrivateKeyUtilities.EncodePrivateKey((Ed25519PrivateKeyParameters)pair.Private));
            var files = new[] { new PlannedFile(PrivateKeyFile, privateKey, true), new PlannedFile(PublicKeyFile, publicKey + "\n", false) };
            StagedFileSet.Check(files.Select(f => f.Path), Name, "Choose a folder you can write to.");
            StagedFileSet.Write(files, false, Name);
            return Task.FromResult(new SshKeyState(PrivateKeyFile, publicKey));
        }
    }
}

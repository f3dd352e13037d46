using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using AzDockerVm.Engine.Tls;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>
    /// The server side of the TLS set a VM gets: a given set (checked to cover the VM's public addresses), an
    /// earlier set in the VM's default folder that still covers it, or a new set planned from the VM's addresses.
    /// </summary>
    internal sealed class VmCertificate
    {
        private VmCertificate()
        {
        }

        internal string Folder { get; private set; }

        /// <summary>Not null when the set is still to be created (after ShouldProcess).</summary>
        internal DockerTlsSetPlan NewSet { get; private set; }

        internal string CaFile { get; private set; }

        internal string ServerCertificateFile { get; private set; }

        internal string ServerKeyFile { get; private set; }

        internal string ClientCertificateFile => Path.Combine(Folder, DockerTlsFileNames.ClientCertificate);

        internal string ClientKeyFile => Path.Combine(Folder, DockerTlsFileNames.ClientKey);

        /// <summary>A given set, its files read and checked (no VM needed yet: bad files are refused before any request).</summary>
        internal static VmCertificate Given(string caFile, string serverCertificateFile, string serverKeyFile)
        {
            var certificate = new VmCertificate
            {
                Folder = Path.GetDirectoryName(serverCertificateFile),
                CaFile = caFile,
                ServerCertificateFile = serverCertificateFile,
                ServerKeyFile = serverKeyFile,
            };
            certificate.ReadServerCertificate();
            return certificate;
        }

        /// <summary>A given set must cover the VM's public IPs and FQDNs (private IPs are optional).</summary>
        internal void RequireCovers(VmFacts vm)
        {
            var missing = Check(vm);
            if (missing.Count > 0)
            {
                throw new AzDockerVmException("CertificateDoesNotCoverVm", FailureKind.InvalidArgument, ServerCertificateFile,
                    $"The server certificate '{ServerCertificateFile}' does not cover VM '{vm.Name}': missing {string.Join(", ", missing)}. Docker clients would reject it.",
                    "Create a set for the VM's addresses: New-DockerTlsCertificate -DnsName <fqdn> -IPAddress <public ip>.");
            }
        }

        /// <summary>The set in <paramref name="folder"/> (read when asked about).</summary>
        internal static VmCertificate InFolder(string folder) => new VmCertificate
        {
            Folder = folder,
            CaFile = Path.Combine(folder, DockerTlsFileNames.CaCertificate),
            ServerCertificateFile = Path.Combine(folder, DockerTlsFileNames.ServerCertificate),
            ServerKeyFile = Path.Combine(folder, DockerTlsFileNames.ServerKey),
        };

        /// <summary>True when the server certificate covers the VM's public names (or, for a private VM, one private address).</summary>
        internal bool Covers(VmFacts vm) => Check(vm).Count == 0;

        /// <summary>True when the server certificate covers every private address too (a host AzDockerVm made is reachable on both).</summary>
        internal bool CoversPrivate(VmFacts vm)
        {
            var (dns, ips) = Names(ReadServerCertificate());
            return vm.PrivateIPAddresses.All(a => Covers(a, dns, ips));
        }

        /// <summary>True when ca.pem of this set is the CA in <paramref name="caFile"/> (the bytes) and issued the server certificate.</summary>
        internal bool IssuedBy(string caFile)
            => File.Exists(caFile) && File.Exists(CaFile) && File.ReadAllBytes(caFile).SequenceEqual(File.ReadAllBytes(CaFile))
               && PemFile.IssuedByAny(PemFile.ReadCertificate(ServerCertificateFile), PemFile.ReadCertificates(caFile));

        /// <summary>No set given: reuse the VM's default folder when it holds a set that still covers the VM, else plan a new one.</summary>
        /// <summary>The one default folder of a VM's set (Set-AzDockerExtension and New-AzDockerVm): named after its FQDN, else its public IP, else its name.</summary>
        internal static string DefaultFolder(string dockerConfig, VmFacts vm)
            => DockerTlsMaterial.DefaultFolder(dockerConfig, vm.Fqdns.FirstOrDefault() ?? vm.PublicIPAddresses.FirstOrDefault() ?? vm.Name);

        /// <remarks>
        /// A new set is issued by the resource group's CA when this machine holds one (New-AzDockerVm made it): the
        /// group's client certificates keep reaching the VM. Else the set gets a CA of its own.
        /// </remarks>
        internal static VmCertificate ForVm(VmFacts vm, string dockerConfig, bool overwrite, string subscriptionId = null)
        {
            string folder = DefaultFolder(dockerConfig, vm);
            var existing = new VmCertificate
            {
                Folder = folder,
                CaFile = Path.Combine(folder, DockerTlsFileNames.CaCertificate),
                ServerCertificateFile = Path.Combine(folder, DockerTlsFileNames.ServerCertificate),
                ServerKeyFile = Path.Combine(folder, DockerTlsFileNames.ServerKey),
            };
            if (!overwrite && new[] { existing.CaFile, existing.ServerCertificateFile, existing.ServerKeyFile, existing.ClientCertificateFile, existing.ClientKeyFile }.All(File.Exists)
                && existing.Check(vm).Count == 0)
            {
                return existing;
            }

            string authority = subscriptionId == null ? null : DockerTlsMaterial.AuthorityFolder(dockerConfig, subscriptionId, vm.ResourceGroupName);
            bool groupCa = authority != null && File.Exists(Path.Combine(authority, DockerTlsFileNames.CaCertificate)) && File.Exists(Path.Combine(authority, DockerTlsFileNames.CaKey));
            existing.NewSet = DockerTlsMaterial.Plan(new DockerTlsSetRequest
            {
                DnsNames = vm.Fqdns.ToList(),
                IPAddresses = vm.PublicIPAddresses.Concat(vm.PrivateIPAddresses).ToList(),
                Path = folder,
                Overwrite = overwrite,
                CertificateAuthorityPath = groupCa ? authority : null,
            });
            return existing;
        }

        internal void CreateIfPlanned()
        {
            if (NewSet != null)
            {
                DockerTlsMaterial.Create(NewSet);
            }
        }

        /// <summary>What of the VM's required addresses the server certificate lacks (reads and validates the PEM files).</summary>
        private List<string> Check(VmFacts vm)
        {
            var (dns, ips) = Names(ReadServerCertificate());
            var required = vm.Fqdns.Concat(vm.PublicIPAddresses).ToList();
            if (required.Count == 0)
            {
                // No public address: clients reach the VM privately, so one private address must be covered.
                return vm.PrivateIPAddresses.Any(a => Covers(a, dns, ips)) ? new List<string>() : vm.PrivateIPAddresses.ToList();
            }

            return required.Where(a => !Covers(a, dns, ips)).ToList();
        }

        /// <summary>Reads ca.pem and the server pair the way Docker will (missing file, BOM, not PEM, key not matching: refused).</summary>
        private X509Certificate ReadServerCertificate()
        {
            IList<X509Certificate> authorities = PemFile.ReadCertificates(CaFile);
            X509Certificate server = PemFile.ReadCertificate(ServerCertificateFile);
            PemFile.RequireIssuedBy(server, ServerCertificateFile, authorities, CaFile);
            if (!PemFile.KeyMatches(server, PemFile.ReadPrivateKey(ServerKeyFile)))
            {
                throw new AzDockerVmException("CertificateKeyMismatch", FailureKind.InvalidData, ServerKeyFile,
                    $"'{ServerKeyFile}' is not the key of '{ServerCertificateFile}'.", "Use the server-key.pem created with that certificate.");
            }

            return server;
        }

        // The docker client's matching rules, kept in one place (CertificateNames).
        private static bool Covers(string name, IList<string> dns, IList<IPAddress> ips)
            => Tls.CertificateNames.Covers(name, dns, ips.Select(ip => ip.ToString()));

        private static (IList<string> Dns, IList<IPAddress> Ips) Names(X509Certificate certificate)
        {
            var dns = new List<string>();
            var ips = new List<IPAddress>();
            Asn1OctetString extension = certificate.GetExtensionValue(X509Extensions.SubjectAlternativeName);
            if (extension != null)
            {
                foreach (GeneralName name in GeneralNames.GetInstance(X509ExtensionUtilities.FromExtensionValue(extension)).GetNames())
                {
                    if (name.TagNo == GeneralName.DnsName)
                    {
                        dns.Add(((IAsn1String)name.Name).GetString());
                    }
                    else if (name.TagNo == GeneralName.IPAddress)
                    {
                        ips.Add(new IPAddress(Asn1OctetString.GetInstance(name.Name).GetOctets()));
                    }
                }
            }

            return (dns, ips);
        }
    }
}

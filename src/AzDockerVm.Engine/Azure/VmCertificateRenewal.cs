using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Engine.IO;
using AzDockerVm.Engine.Provisioning;
using AzDockerVm.Engine.Tls;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>What Update-AzDockerTlsCertificate was asked for one VM. Paths are absolute.</summary>
    public sealed class VmCertificateRenewalRequest
    {
        public VmReference Vm { get; set; }

        /// <summary>The host's TLS set; null: the VM's set under <see cref="DockerConfig"/> (where New-AzDockerVm and Set-AzDockerExtension write it).</summary>
        public string CertificatePath { get; set; }

        /// <summary>The CA's folder (ca.pem + ca-key.pem); null: the set's own ca-key.pem, else the resource group's CA on this machine.</summary>
        public string CertificateAuthorityPath { get; set; }

        /// <summary>Null: the lifetime the current certificate had.</summary>
        public int? ValidityDays { get; set; }

        /// <summary>$DOCKER_CONFIG or ~/.docker.</summary>
        public string DockerConfig { get; set; }
    }

    /// <summary>A checked renewal of one VM's server certificate: the VM read, its host and set found, the certificate planned; nothing issued, sent or written.</summary>
    public sealed class VmCertificateRenewalPlan
    {
        internal VmCertificateRenewalPlan(VmDockerHost host, CertificateRenewalPlan renewal, string dockerConfig)
        {
            Host = host;
            Renewal = renewal;
            DockerConfig = dockerConfig;
        }

        public string VmName => Host.Vm.Name;

        public string ResourceGroupName => Host.Vm.ResourceGroupName;

        /// <summary>The host's TLS set, whose server-cert.pem and server-key.pem are replaced once the VM serves the new pair.</summary>
        public string CertificatePath => Renewal.Path;

        public string CertificateAuthorityPath => Renewal.CertificateAuthorityPath;

        public string CaSubject => Renewal.CaSubject;

        public string ExtensionName => Host.Extension.Name;

        public string HandlerName => Host.Carrier.HandlerName;

        /// <summary>Where the served certificate is checked: tcp://&lt;public or private IP&gt;:&lt;port&gt;.</summary>
        public string Endpoint => Host.ProbeEndpoint;

        public CertificateRenewalItem Server => Renewal.Items.Single();

        public IReadOnlyList<string> Warnings => Renewal.Warnings;

        internal VmDockerHost Host { get; }

        internal CertificateRenewalPlan Renewal { get; }

        internal string DockerConfig { get; }
    }

    /// <summary>A renewal done: the VM serves the new certificate, and the set holds it.</summary>
    public sealed class VmCertificateRenewalResult
    {
        public string ResourceGroupName { get; internal set; }

        public string VmName { get; internal set; }

        /// <summary>Where the new certificate was seen served.</summary>
        public string Endpoint { get; internal set; }

        /// <summary>The new server certificate, as read back from the set.</summary>
        public CertificateFacts Certificate { get; internal set; }

        /// <summary>False when the VM reported that Docker restarted without live-restore (its configuration switches it off): the containers were restarted.</summary>
        public bool LiveRestore { get; internal set; }
    }

    /// <summary>
    /// Renews the server certificate of a Docker host on a VM: from the CA that issued the host's set (its own
    /// ca-key.pem, the resource group's CA New-AzDockerVm keeps, or the one given), for the VM's addresses as ARM
    /// reports them now; pushed with <see cref="DockerTlsRollout"/> through the host's carrier; the set's server files
    /// are replaced only once this machine saw the VM serve the new certificate. The client files stay valid (same CA).
    /// </summary>
    public static class VmCertificateRenewal
    {
        private const string WriteAdvice = "Make sure the set's folder can be written.";

        /// <summary>What needs no Azure: the validity.</summary>
        public static void CheckInput(VmCertificateRenewalRequest request)
            => CertificateRenewal.CheckRequest(new CertificateRenewalRequest { Server = true, ValidityDays = request.ValidityDays });

        /// <summary>Reads the VM, finds its host and set, checks the CA and plans the certificate; writes and sends nothing.</summary>
        public static Task<VmCertificateRenewalPlan> PrepareAsync(ArmConnection arm, VmCertificateRenewalRequest request, CancellationToken ct)
            => ArmGuard.Run(request.Vm, async () =>
            {
                arm.Host.WriteVerbose($"Reading VM '{request.Vm}' (power state, extensions, addresses).");
                VmFacts vm = await VmReader.ReadAsync(arm, request.Vm, readAddresses: true, ct).ConfigureAwait(false);
                DockerHostPlanner.RefuseUnlessRunningLinux(vm);
                VmDockerHost host = VmDockerHost.Of(vm);
                string folder = request.CertificatePath ?? FindSet(request.DockerConfig, vm);
                string authority = request.CertificateAuthorityPath
                    ?? (File.Exists(Path.Combine(folder, DockerTlsFileNames.CaKey)) ? null : GroupAuthority(request.DockerConfig, request.Vm.SubscriptionId ?? arm.Target.SubscriptionId, vm.ResourceGroupName));
                CertificateRenewalPlan renewal = CertificateRenewal.Plan(new CertificateRenewalRequest
                {
                    Path = folder,
                    Server = true,
                    // The names clients use now: an address that changed is repaired, one that went is dropped.
                    DnsNames = vm.Fqdns.ToList(),
                    IPAddresses = vm.PublicIPAddresses.Concat(vm.PrivateIPAddresses).ToList(),
                    ValidityDays = request.ValidityDays,
                    CertificateAuthorityPath = authority,
                    DockerConfigDirectory = request.DockerConfig,
                });
                RequireIssuedByAuthority(renewal, folder);
                return new VmCertificateRenewalPlan(host, renewal, request.DockerConfig);
            });

        /// <summary>Issues the certificate, pushes it, checks that it is served, then replaces the set's server files.</summary>
        public static Task<VmCertificateRenewalResult> ApplyAsync(ArmConnection arm, VmCertificateRenewalPlan plan, CancellationToken ct)
            => ArmGuard.Run((object)plan.VmName, async () =>
            {
                var (certificate, key) = CertificateRenewal.Issue(plan.Renewal)[CertificateRole.Server];
                string folder = plan.CertificatePath;
                string kept = $"The local set in '{folder}' was kept as it was.";
                var rollout = new TlsRollout(plan.Host.Port, certificate, key, trustBundlePem: null,
                    currentTrustPem: File.ReadAllText(Path.Combine(folder, DockerTlsFileNames.CaCertificate)));
                DockerExtensionInfo report;
                try
                {
                    report = await DockerTlsRollout.PushAsync(arm, plan.Host, rollout, ct).ConfigureAwait(false);
                }
                catch (AzDockerVmException ex)
                {
                    throw new AzDockerVmException(ex.ErrorId, ex.Kind, ex.Target, ex.Message.TrimEnd() + " " + kept, ex.RecommendedAction, ex.InnerException ?? ex);
                }

                await DockerTlsRollout.RequireServedAsync(arm, plan.Host, certificate, folder, kept + " Its client files keep working with the host (same CA).", ct).ConfigureAwait(false);

                try
                {
                    StagedFileSet.Write(new[]
                    {
                        new PlannedFile(Path.Combine(folder, DockerTlsFileNames.ServerCertificate), certificate, isPrivate: false),
                        new PlannedFile(Path.Combine(folder, DockerTlsFileNames.ServerKey), key, isPrivate: true),
                    }, overwrite: true, folder, WriteAdvice);
                }
                catch (AzDockerVmException ex)
                {
                    throw new AzDockerVmException(ex.ErrorId, ex.Kind, ex.Target,
                        ex.Message.TrimEnd() + $" The VM '{plan.VmName}' serves the new certificate (issued by the same CA: clients keep working); only the copy in '{folder}' is the old one.", ex.RecommendedAction, ex);
                }

                RepairContext(arm, plan);

                // The script's summary: live-restore=off when the host's configuration switches it off.
                StatusLine line = StatusLine.FindLast(new[] { report?.StatusMessage ?? string.Empty });
                string liveRestore = line != null && line.Values.TryGetValue("live-restore", out string value) ? value : null;
                return new VmCertificateRenewalResult
                {
                    ResourceGroupName = plan.ResourceGroupName,
                    VmName = plan.VmName,
                    Endpoint = plan.Endpoint,
                    Certificate = CertificateInspector.Inspect(folder, DateTime.UtcNow).Certificates.Single(c => c.File == DockerTlsFileNames.ServerCertificate),
                    LiveRestore = !string.Equals(liveRestore, "off", StringComparison.OrdinalIgnoreCase),
                };
            });

        /// <summary>
        /// The VM's set: in its default folder (named after its FQDN, else its public IP); when the address it was named
        /// after changed, the set the VM's docker context was made from (its cert.pem is the set's).
        /// </summary>
        internal static string FindSet(string dockerConfig, VmFacts vm)
        {
            string folder = VmCertificate.DefaultFolder(dockerConfig, vm);
            if (File.Exists(Path.Combine(folder, DockerTlsFileNames.ServerCertificate)))
            {
                return folder;
            }

            string contextCopy = Path.Combine(dockerConfig, "contexts", "tls", DockerContextStore.ContextDirectoryName(vm.Name), "docker", DockerTlsFileNames.ClientCertificate);
            string sets = Path.Combine(dockerConfig, "azdockervm");
            if (File.Exists(contextCopy) && Directory.Exists(sets))
            {
                byte[] client = File.ReadAllBytes(contextCopy);
                string made = Directory.EnumerateDirectories(sets).OrderBy(f => f, StringComparer.Ordinal)
                    .FirstOrDefault(f => File.Exists(Path.Combine(f, DockerTlsFileNames.ServerCertificate)) && File.Exists(Path.Combine(f, DockerTlsFileNames.ClientCertificate))
                        && File.ReadAllBytes(Path.Combine(f, DockerTlsFileNames.ClientCertificate)).SequenceEqual(client));
                if (made != null)
                {
                    return made;
                }
            }

            throw new AzDockerVmException("CertificateNotFound", FailureKind.ObjectNotFound, folder,
                $"There is no TLS set of VM '{vm.Name}' on this machine: '{folder}' holds no {DockerTlsFileNames.ServerCertificate}, and no set here is the one its docker context '{vm.Name}' was made from. Nothing was changed.",
                "Give the folder of the host's set (ca.pem, server-cert.pem, server-key.pem) with -CertificatePath.");
        }

        /// <summary>
        /// The docker context named after the VM, made from this set, follows the VM to its current address (a host
        /// without an FQDN whose public IP changed): the same endpoint Set-AzDockerExtension gives it.
        /// </summary>
        private static void RepairContext(ArmConnection arm, VmCertificateRenewalPlan plan)
        {
            VmFacts vm = plan.Host.Vm;
            string dockerConfig = plan.DockerConfig, name = vm.Name;
            string host = vm.Fqdns.FirstOrDefault() ?? vm.PublicIPAddresses.FirstOrDefault() ?? vm.PrivateIPAddresses.FirstOrDefault();
            if (dockerConfig == null || host == null || !DockerContextStore.Exists(dockerConfig, name))
            {
                return;
            }

            string endpoint = Docker.DockerEndpoint.Format(host, plan.Host.Port);
            string copy = Path.Combine(dockerConfig, "contexts", "tls", DockerContextStore.ContextDirectoryName(name), "docker", DockerTlsFileNames.ClientCertificate);
            string client = Path.Combine(plan.CertificatePath, DockerTlsFileNames.ClientCertificate);
            if (string.Equals(DockerContextStore.ReadEndpoint(dockerConfig, name), endpoint, StringComparison.OrdinalIgnoreCase)
                || !File.Exists(copy) || !File.Exists(client) || !File.ReadAllBytes(copy).SequenceEqual(File.ReadAllBytes(client)))
            {
                return;
            }

            try
            {
                DockerContextStore.Write(DockerContextStore.Prepare(new DockerContextRequest
                {
                    Name = name,
                    Endpoint = endpoint,
                    Description = $"Azure VM {vm.ResourceGroupName}/{name} (AzDockerVm)",
                    CaFile = Path.Combine(plan.CertificatePath, DockerTlsFileNames.CaCertificate),
                    CertFile = client,
                    KeyFile = Path.Combine(plan.CertificatePath, DockerTlsFileNames.ClientKey),
                    DockerConfig = dockerConfig,
                    Overwrite = true,
                }));
                arm.Host.WriteVerbose($"Docker context '{name}' now points at {endpoint}, the VM's address now.");
            }
            catch (AzDockerVmException ex)
            {
                // The renewal is done (served, the set switched): the context is a convenience on top.
                arm.Host.WriteWarning($"The docker context '{name}' still points at its old address; it could not be rewritten for {endpoint}: {ex.Message}");
            }
        }

        /// <summary>The resource group's CA that New-AzDockerVm keeps on this machine, when there is one.</summary>
        private static string GroupAuthority(string dockerConfig, string subscriptionId, string resourceGroupName)
        {
            string folder = subscriptionId == null ? null : DockerTlsMaterial.AuthorityFolder(dockerConfig, subscriptionId, resourceGroupName);
            return folder != null && File.Exists(Path.Combine(folder, DockerTlsFileNames.CaCertificate)) && File.Exists(Path.Combine(folder, DockerTlsFileNames.CaKey)) ? folder : null;
        }

        /// <summary>The CA must be the one that issued the host's current server certificate, not only one the set's ca.pem holds.</summary>
        private static void RequireIssuedByAuthority(CertificateRenewalPlan renewal, string folder)
        {
            string file = Path.Combine(folder, DockerTlsFileNames.ServerCertificate);
            if (!PemFile.IssuedByAny(PemFile.ReadCertificate(file), new[] { renewal.Authority.Certificate }))
            {
                throw new AzDockerVmException("CertificateAuthorityMismatch", FailureKind.InvalidData, file,
                    $"The CA in '{renewal.Authority.CertificateFile}' ({renewal.CaSubject}) did not issue the host's certificate '{file}': a certificate it issues may not be trusted where the host's is. Nothing was changed.");
            }
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Engine.IO;
using AzDockerVm.Engine.Provisioning;
using AzDockerVm.Engine.Tls;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>A checked phase of a group CA rotation on one VM: its host, its set and the group's CA found; nothing made, sent or written.</summary>
    public sealed class VmCertificateAuthorityRotationPlan
    {
        internal VmCertificateAuthorityRotationPlan(CertificateAuthorityRotationPhase phase, VmDockerHost host, string certificatePath, string authorityPath, string dockerConfig,
            CertificateAuthorityRotationPlan ownAuthority = null)
        {
            OwnAuthority = ownAuthority;
            DockerConfig = dockerConfig;
            Phase = phase;
            Host = host;
            CertificatePath = certificatePath;
            CertificateAuthorityPath = authorityPath;
        }

        public CertificateAuthorityRotationPhase Phase { get; }

        public string VmName => Host.Vm.Name;

        public string ResourceGroupName => Host.Vm.ResourceGroupName;

        /// <summary>The host's TLS set on this machine.</summary>
        public string CertificatePath { get; }

        /// <summary>The resource group's CA folder (its ca-rotation/ holds the new CA and the state during the overlap); for a host with its own CA, the set's folder.</summary>
        public string CertificateAuthorityPath { get; }

        /// <summary>True when the host's set holds its own CA (ca-key.pem, a set Set-AzDockerExtension made): the set's CA is rotated, not the group's.</summary>
        public bool IsOwnCertificateAuthority => OwnAuthority != null;

        public string ExtensionName => Host.Extension.Name;

        public string HandlerName => Host.Carrier.HandlerName;

        public string Endpoint => Host.ProbeEndpoint;

        internal VmDockerHost Host { get; }

        internal string DockerConfig { get; }

        /// <summary>The local set's rotation phase, checked (a host with its own CA); null for a host of the group's CA.</summary>
        internal CertificateAuthorityRotationPlan OwnAuthority { get; }

        /// <summary>A start on a host of a group already mid-rotation that this host has not started (its start failed, or it joined the group since): it gets the rotation's new CA, no other is made.</summary>
        internal bool JoinsRotation { get; set; }
    }

    /// <summary>A phase done on one VM: what it serves now, and where the group's rotation stands.</summary>
    public sealed class VmCertificateAuthorityRotationResult
    {
        public string ResourceGroupName { get; internal set; }

        public string VmName { get; internal set; }

        public string Endpoint { get; internal set; }

        public CertificateAuthorityRotationPhase Phase { get; internal set; }

        /// <summary>The group's rotation after this VM: InProgress, or Completed once every host of it completed (the old CA's key is deleted then).</summary>
        public string RotationStatus { get; internal set; }

        /// <summary>The server certificate the VM serves, as read back from the set.</summary>
        public CertificateFacts Certificate { get; internal set; }
    }

    /// <summary>
    /// Rotates the CA New-AzDockerVm keeps for a resource group (&lt;DOCKER_CONFIG&gt;/azdockervm/ca/&lt;sub&gt;/&lt;rg&gt;)
    /// across its Docker hosts, with an overlap.
    /// <para>Start: a new CA is made beside the old in the group's ca-rotation/ (with the state and the hosts it
    /// started on); each host gets the trust bundle old + new with its own server pair (still the old CA's), the
    /// served check, and only then its set's client gets a certificate of the new CA and the two-CA ca.pem.</para>
    /// <para>Complete: each host gets a server pair of the new CA and the trust of the new CA alone, the served check,
    /// then its set holds them (ca.pem = the new CA). Once every host the rotation knows completed, the new CA takes
    /// the group folder's ca.pem and ca-key.pem and the old CA's key is gone. A host that failed keeps the group
    /// mid-rotation; a re-run completes it.</para>
    /// Only server pairs and CA certificates are sent; no CA key ever leaves this machine.
    /// </summary>
    public static class VmCertificateAuthorityRotation
    {
        public const string NewCaFileName = "new-ca.pem";
        public const string NewCaKeyFileName = "new-ca-key.pem";
        public const string HostsFileName = "hosts.json";
        private const string Started = "Started";
        private const string Completed = "Completed";
        private const string Pending = "Pending";
        private static readonly object s_stateLock = new object();

        /// <summary>Reads the VM, finds its set and the group's CA, checks the group's rotation state for the phase; writes and sends nothing.</summary>
        public static Task<VmCertificateAuthorityRotationPlan> PrepareAsync(ArmConnection arm, VmCertificateRenewalRequest request, CertificateAuthorityRotationPhase phase, CancellationToken ct)
            => ArmGuard.Run(request.Vm, async () =>
            {
                arm.Host.WriteVerbose($"Reading VM '{request.Vm}' (power state, extensions, addresses).");
                VmFacts vm = await VmReader.ReadAsync(arm, request.Vm, readAddresses: true, ct).ConfigureAwait(false);
                DockerHostPlanner.RefuseUnlessRunningLinux(vm);
                VmDockerHost host = VmDockerHost.Of(vm);
                string folder = request.CertificatePath ?? VmCertificateRenewal.FindSet(request.DockerConfig, vm);
                if (File.Exists(Path.Combine(folder, DockerTlsFileNames.CaKey)))
                {
                    // A set with its own CA (Set-AzDockerExtension's): the set's CA is rotated, with the local set's checks and refusals.
                    // The completion's server certificate names the VM as it is now (an address that changed is repaired), as the group's does.
                    var own = new CertificateAuthorityRotationRequest
                    {
                        Path = folder,
                        DockerConfigDirectory = request.DockerConfig,
                        ServerDnsNames = phase == CertificateAuthorityRotationPhase.Complete ? vm.Fqdns.ToList() : null,
                        ServerIPAddresses = phase == CertificateAuthorityRotationPhase.Complete ? vm.PublicIPAddresses.Concat(vm.PrivateIPAddresses).ToList() : null,
                    };
                    CertificateAuthorityRotationPlan local = phase == CertificateAuthorityRotationPhase.Start
                        ? CertificateAuthorityRotation.PlanStart(own)
                        : CertificateAuthorityRotation.PlanComplete(own);
                    return new VmCertificateAuthorityRotationPlan(phase, host, folder, folder, request.DockerConfig, local);
                }

                string authority = DockerTlsMaterial.AuthorityFolder(request.DockerConfig, request.Vm.SubscriptionId ?? arm.Target.SubscriptionId, vm.ResourceGroupName);
                DateTime now = DockerTlsMaterial.UtcNowToTheSecond();
                ExistingCertificateAuthority old = ExistingCertificateAuthority.Load(authority, now);
                foreach (string file in new[] { DockerTlsFileNames.ServerCertificate, DockerTlsFileNames.ServerKey, DockerTlsFileNames.CaCertificate })
                {
                    string path = Path.Combine(folder, file);
                    if (!File.Exists(path))
                    {
                        throw new AzDockerVmException("CertificateNotFound", FailureKind.ObjectNotFound, path,
                            $"The set of VM '{vm.Name}' in '{folder}' has no {file}: the host's own files are needed to rotate its CA. Nothing was changed.");
                    }
                }

                CertificateAuthorityRotationState state = CertificateAuthorityRotationState.Read(authority);
                X509Certificate server = PemFile.ReadCertificate(Path.Combine(folder, DockerTlsFileNames.ServerCertificate));
                bool joins = false;
                if (phase == CertificateAuthorityRotationPhase.Start)
                {
                    if (state?.IsInProgress == true)
                    {
                        // A host the rotation has not moved yet (its start failed, or it is new in the group) starts
                        // into the rotation under way; one it has moved would be a second rotation.
                        string hostPhase = HostPhase(authority, vm.Id);
                        if (hostPhase == Started || hostPhase == Completed)
                        {
                            throw new AzDockerVmException("RotationInProgress", FailureKind.InvalidOperation, authority,
                                $"The CA of resource group '{vm.ResourceGroupName}' in '{authority}' is mid-rotation already: since {state.StartTime:u}, from {state.OldCa.Thumbprint} ({state.OldCa.Subject}) to {state.NewCa.Thumbprint} ({state.NewCa.Subject}), and VM '{vm.Name}' is {hostPhase.ToLowerInvariant()} in it. A second rotation would leave clients of the first neither CA. Nothing was changed.",
                                $"Update-AzDockerTlsCertificate -ResourceGroupName {vm.ResourceGroupName} -VMName {vm.Name} -RotateCertificateAuthority Complete finishes the rotation under way.");
                        }

                        joins = true;
                    }

                    if (!PemFile.IssuedByAny(server, new[] { old.Certificate }))
                    {
                        throw new AzDockerVmException("CertificateAuthorityMismatch", FailureKind.InvalidData, folder,
                            $"The server certificate of VM '{vm.Name}' in '{folder}' was not issued by the CA of resource group '{vm.ResourceGroupName}' ({CertificateInspector.DisplayName(old.Certificate.SubjectDN)}): the group's rotation does not cover that host. Nothing was changed.");
                    }
                }
                else if (state?.IsInProgress != true)
                {
                    string last = state == null ? "no rotation began there" : $"the last rotation was completed on {state.CompletionTime:u}";
                    throw new AzDockerVmException("NoRotationInProgress", FailureKind.InvalidOperation, authority,
                        $"The CA of resource group '{vm.ResourceGroupName}' in '{authority}' is not mid-rotation ({last}): there is nothing to complete. Nothing was changed.");
                }

                return new VmCertificateAuthorityRotationPlan(phase, host, folder, authority, request.DockerConfig) { JoinsRotation = joins };
            });

        /// <summary>What the group's rotation recorded for the VM (Pending, Started, Completed), or null when it does not know it.</summary>
        private static string HostPhase(string authority, string vmId)
        {
            lock (s_stateLock)
            {
                string hostsFile = Path.Combine(authority, CertificateAuthorityRotation.FolderName, HostsFileName);
                return File.Exists(hostsFile) ? (string)JObject.Parse(File.ReadAllText(hostsFile))[vmId.ToLowerInvariant()] : null;
            }
        }

        /// <summary>
        /// Start: makes the new CA of every group of <paramref name="plans"/> once, beside the old, and records the
        /// rotation as started on those hosts (before any host is touched, so that a host that fails keeps it open).
        /// </summary>
        public static void Begin(IEnumerable<VmCertificateAuthorityRotationPlan> plans)
        {
            foreach (var group in plans.Where(p => p.Phase == CertificateAuthorityRotationPhase.Start && !p.IsOwnCertificateAuthority).GroupBy(p => p.CertificateAuthorityPath, StringComparer.Ordinal))
            {
                string folder = group.Key;
                DateTime now = DockerTlsMaterial.UtcNowToTheSecond();
                ExistingCertificateAuthority old = ExistingCertificateAuthority.Load(folder, now);
                CertificateAuthorityRotationState current = CertificateAuthorityRotationState.Read(folder);
                if (current?.IsInProgress == true && group.All(p => p.JoinsRotation))
                {
                    // Hosts joining the rotation under way: known to it from now on, so that it completes only with them.
                    Join(folder, group);
                    continue;
                }

                if (current?.IsInProgress == true || group.Any(p => p.JoinsRotation))
                {
                    throw new AzDockerVmException("RotationInProgress", FailureKind.InvalidOperation, folder,
                        current?.IsInProgress == true
                            ? $"The CA in '{folder}' went mid-rotation meanwhile (since {current.StartTime:u}). Nothing was changed."
                            : $"The rotation of the CA in '{folder}' ended meanwhile. Nothing was changed.");
                }

                var random = new SecureRandom();
                TlsKeyAlgorithmNames.TryParse(TlsKeyAlgorithmNames.Of(old.Certificate.GetPublicKey()), out TlsKeyAlgorithm algorithm);
                int days = Math.Max(DockerTlsMaterial.MinimumCaValidityDays,
                    (int)Math.Round((ExistingCertificateAuthority.Utc(old.Certificate.NotAfter) - ExistingCertificateAuthority.Utc(old.Certificate.NotBefore) - DockerTlsMaterial.ClockSkewAllowance).TotalDays));
                AsymmetricCipherKeyPair key = TlsKeyPairs.Generate(algorithm, 1, random)[0];
                X509Certificate ca = new CertificateIssuer(random).CreateAuthority(key, CertificateAuthorityRotation.NextSubject(old.Certificate.SubjectDN, now),
                    now - DockerTlsMaterial.ClockSkewAllowance, now.AddDays(days));
                var state = new CertificateAuthorityRotationState(CertificateAuthorityRotation.StateFile(folder), CertificateAuthorityRotationState.InProgress, now, null,
                    CertificateAuthorityRotation.Identity(old.Certificate), CertificateAuthorityRotation.Identity(ca));
                var hosts = new JObject();
                foreach (VmCertificateAuthorityRotationPlan plan in group)
                {
                    hosts[HostKey(plan)] = Pending;
                }

                string rotation = Path.Combine(folder, CertificateAuthorityRotation.FolderName);
                StagedFileSet.Write(new[]
                {
                    new PlannedFile(Path.Combine(rotation, NewCaFileName), DockerTlsMaterial.CertificatePem(ca), false),
                    new PlannedFile(Path.Combine(rotation, NewCaKeyFileName), TlsKeyPairs.ToPem(key.Private), true),
                    new PlannedFile(Path.Combine(rotation, HostsFileName), Json(hosts), false),
                    new PlannedFile(state.File, state.ToJson(), false),
                }, overwrite: true, folder);
            }
        }

        private static void Join(string folder, IEnumerable<VmCertificateAuthorityRotationPlan> plans)
        {
            lock (s_stateLock)
            {
                string hostsFile = Path.Combine(folder, CertificateAuthorityRotation.FolderName, HostsFileName);
                JObject hosts = File.Exists(hostsFile) ? JObject.Parse(File.ReadAllText(hostsFile)) : new JObject();
                foreach (VmCertificateAuthorityRotationPlan plan in plans.Where(p => hosts[HostKey(p)] == null))
                {
                    hosts[HostKey(plan)] = Pending;
                }

                StagedFileSet.Write(new[] { new PlannedFile(hostsFile, Json(hosts), false) }, overwrite: true, folder);
            }
        }

        /// <summary>The phase on one VM: pushed, served, then the host's set; then the group's state.</summary>
        public static Task<VmCertificateAuthorityRotationResult> ApplyAsync(ArmConnection arm, VmCertificateAuthorityRotationPlan plan, CancellationToken ct)
            => plan.IsOwnCertificateAuthority ? ApplyOwnAsync(arm, plan, ct) : ArmGuard.Run((object)plan.VmName, async () =>
            {
                string folder = plan.CertificatePath, rotation = Path.Combine(plan.CertificateAuthorityPath, CertificateAuthorityRotation.FolderName);
                DateTime now = DockerTlsMaterial.UtcNowToTheSecond();
                var random = new SecureRandom();
                string newCaPem = ReadText(Path.Combine(rotation, NewCaFileName));
                X509Certificate newCa = PemFile.ReadCertificate(Path.Combine(rotation, NewCaFileName));
                AsymmetricKeyParameter newCaKey = PemFile.ReadPrivateKey(Path.Combine(rotation, NewCaKeyFileName));
                string oldCaPem = ReadText(Path.Combine(plan.CertificateAuthorityPath, DockerTlsFileNames.CaCertificate));
                string currentTrust = ReadText(Path.Combine(folder, DockerTlsFileNames.CaCertificate));
                string serverPem = ReadText(Path.Combine(folder, DockerTlsFileNames.ServerCertificate)), serverKey = ReadText(Path.Combine(folder, DockerTlsFileNames.ServerKey));
                var warnings = new List<string>();
                var files = new List<PlannedFile>();
                string trust;
                bool complete = plan.Phase == CertificateAuthorityRotationPhase.Complete;
                if (complete)
                {
                    trust = newCaPem;
                    VmFacts vm = plan.Host.Vm;
                    CertificateRenewalItem item = CertificateRenewal.Item(new CertificateRenewalRequest
                        {
                            DnsNames = vm.Fqdns.ToList(),
                            IPAddresses = vm.PublicIPAddresses.Concat(vm.PrivateIPAddresses).ToList(),
                        }, CertificateRole.Server, Path.Combine(folder, DockerTlsFileNames.ServerCertificate), DockerTlsFileNames.ServerCertificate, DockerTlsFileNames.ServerKey,
                        PemFile.ReadCertificate(Path.Combine(folder, DockerTlsFileNames.ServerCertificate)), NewCaFileName, ExistingCertificateAuthority.Utc(newCa.NotAfter), now, warnings);
                    (serverPem, serverKey) = CertificateRenewal.IssueOne(item, newCa, newCaKey, now, random);
                    files.Add(new PlannedFile(Path.Combine(folder, DockerTlsFileNames.ServerCertificate), serverPem, false));
                    files.Add(new PlannedFile(Path.Combine(folder, DockerTlsFileNames.ServerKey), serverKey, true));
                }
                else
                {
                    trust = oldCaPem + (oldCaPem.EndsWith("\n", StringComparison.Ordinal) ? string.Empty : "\n") + newCaPem;
                }

                files.Add(new PlannedFile(Path.Combine(folder, DockerTlsFileNames.CaCertificate), trust, false));
                string clientFile = Path.Combine(folder, DockerTlsFileNames.ClientCertificate);
                if (File.Exists(clientFile) && !PemFile.IssuedByAny(PemFile.ReadCertificate(clientFile), new[] { newCa }))
                {
                    CertificateRenewalItem item = CertificateRenewal.Item(new CertificateRenewalRequest(), CertificateRole.Client, clientFile, DockerTlsFileNames.ClientCertificate,
                        DockerTlsFileNames.ClientKey, PemFile.ReadCertificate(clientFile), NewCaFileName, ExistingCertificateAuthority.Utc(newCa.NotAfter), now, warnings);
                    var (certificate, key) = CertificateRenewal.IssueOne(item, newCa, newCaKey, now, random);
                    files.Add(new PlannedFile(clientFile, certificate, false));
                    files.Add(new PlannedFile(Path.Combine(folder, DockerTlsFileNames.ClientKey), key, true));
                }

                const string keptLocally = "The set on this machine was left as it was.";
                await DockerTlsRollout.PushAsync(arm, plan.Host, new TlsRollout(plan.Host.Port, serverPem, serverKey, trust, currentTrust), ct).ConfigureAwait(false);
                await DockerTlsRollout.RequireServedAsync(arm, plan.Host, serverPem, folder, keptLocally, ct).ConfigureAwait(false);
                byte[] clientBefore = File.Exists(clientFile) ? File.ReadAllBytes(clientFile) : null;
                StagedFileSet.Write(files, overwrite: true, folder, "Make sure the set's folder can be written.");
                RefreshContext(arm, plan, clientBefore);
                string status = Record(plan, complete ? Completed : Started);
                return new VmCertificateAuthorityRotationResult
                {
                    ResourceGroupName = plan.ResourceGroupName,
                    VmName = plan.VmName,
                    Endpoint = plan.Endpoint,
                    Phase = plan.Phase,
                    RotationStatus = status,
                    Certificate = CertificateInspector.Inspect(folder, DateTime.UtcNow).Certificates.Single(c => c.File == DockerTlsFileNames.ServerCertificate),
                };
            });

        /// <summary>
        /// The phase on a host with its own CA: the local set's rotation issued (nothing written), its daemon part
        /// pushed (server pair and trust bundle, never a CA key), the served check, then the set written all or nothing.
        /// </summary>
        private static Task<VmCertificateAuthorityRotationResult> ApplyOwnAsync(ArmConnection arm, VmCertificateAuthorityRotationPlan plan, CancellationToken ct)
            => ArmGuard.Run((object)plan.VmName, async () =>
            {
                string folder = plan.CertificatePath;
                CertificateAuthorityRotationStep step = CertificateAuthorityRotation.Issue(plan.OwnAuthority);
                DaemonTlsFiles daemon = step.Daemon;
                string currentTrust = ReadText(Path.Combine(folder, DockerTlsFileNames.CaCertificate));
                const string keptLocally = "The set on this machine was left as it was.";
                await DockerTlsRollout.PushAsync(arm, plan.Host, new TlsRollout(plan.Host.Port, daemon.ServerCertificatePem, daemon.ServerKeyPem, daemon.TrustBundlePem, currentTrust), ct).ConfigureAwait(false);
                await DockerTlsRollout.RequireServedAsync(arm, plan.Host, daemon.ServerCertificatePem, folder, keptLocally, ct).ConfigureAwait(false);
                CertificateAuthorityRotationResult written = CertificateAuthorityRotation.Apply(step);
                return new VmCertificateAuthorityRotationResult
                {
                    ResourceGroupName = plan.ResourceGroupName,
                    VmName = plan.VmName,
                    Endpoint = plan.Endpoint,
                    Phase = plan.Phase,
                    RotationStatus = written.State?.Status ?? (plan.Phase == CertificateAuthorityRotationPhase.Start ? CertificateAuthorityRotationState.InProgress : CertificateAuthorityRotationState.Completed),
                    Certificate = CertificateInspector.Inspect(folder, DateTime.UtcNow).Certificates.Single(c => c.File == DockerTlsFileNames.ServerCertificate),
                };
            });

        /// <summary>Records the host's phase; when every host the rotation knows completed, the new CA becomes the group's and the old key is deleted. The group's status after.</summary>
        private static string Record(VmCertificateAuthorityRotationPlan plan, string phase)
        {
            lock (s_stateLock)
            {
                string folder = plan.CertificateAuthorityPath, rotation = Path.Combine(folder, CertificateAuthorityRotation.FolderName);
                string hostsFile = Path.Combine(rotation, HostsFileName);
                JObject hosts = File.Exists(hostsFile) ? JObject.Parse(File.ReadAllText(hostsFile)) : new JObject();
                hosts[HostKey(plan)] = phase;
                if (phase != Completed || hosts.Properties().Any(p => (string)p.Value != Completed))
                {
                    StagedFileSet.Write(new[] { new PlannedFile(hostsFile, Json(hosts), false) }, overwrite: true, folder);
                    return CertificateAuthorityRotationState.InProgress;
                }

                CertificateAuthorityRotationState state = CertificateAuthorityRotationState.Read(folder).CompletedAt(DockerTlsMaterial.UtcNowToTheSecond());
                StagedFileSet.Write(new[]
                {
                    new PlannedFile(Path.Combine(rotation, CertificateAuthorityRotation.OldCaFileName), ReadText(Path.Combine(folder, DockerTlsFileNames.CaCertificate)), false),
                    new PlannedFile(Path.Combine(folder, DockerTlsFileNames.CaCertificate), ReadText(Path.Combine(rotation, NewCaFileName)), false),
                    // Overwrites the old CA's key: from here on only the new CA issues for the group.
                    new PlannedFile(Path.Combine(folder, DockerTlsFileNames.CaKey), ReadText(Path.Combine(rotation, NewCaKeyFileName)), true),
                    new PlannedFile(hostsFile, Json(hosts), false),
                    new PlannedFile(state.File, state.ToJson(), false),
                }, new[] { Path.Combine(rotation, NewCaFileName), Path.Combine(rotation, NewCaKeyFileName) }, overwrite: true, folder);
                return CertificateAuthorityRotationState.Completed;
            }
        }

        /// <summary>The docker context named after the VM, when it was made from the set (its cert.pem copy is the set's before this phase), gets the set's new client files at the same endpoint.</summary>
        private static void RefreshContext(ArmConnection arm, VmCertificateAuthorityRotationPlan plan, byte[] clientBefore)
        {
            string dockerConfig = plan.DockerConfig, name = plan.VmName;
            if (dockerConfig == null || clientBefore == null || !DockerContextStore.Exists(dockerConfig, name))
            {
                return;
            }

            string copy = Path.Combine(dockerConfig, "contexts", "tls", DockerContextStore.ContextDirectoryName(name), "docker", DockerTlsFileNames.ClientCertificate);
            if (!File.Exists(copy) || !File.ReadAllBytes(copy).SequenceEqual(clientBefore))
            {
                return;
            }

            try
            {
                DockerContextStore.Write(DockerContextStore.Prepare(new DockerContextRequest
                {
                    Name = name,
                    Endpoint = DockerContextStore.ReadEndpoint(dockerConfig, name),
                    Description = $"Azure VM {plan.ResourceGroupName}/{name} (AzDockerVm)",
                    CaFile = Path.Combine(plan.CertificatePath, DockerTlsFileNames.CaCertificate),
                    CertFile = Path.Combine(plan.CertificatePath, DockerTlsFileNames.ClientCertificate),
                    KeyFile = Path.Combine(plan.CertificatePath, DockerTlsFileNames.ClientKey),
                    DockerConfig = dockerConfig,
                    Overwrite = true,
                }));
                arm.Host.WriteVerbose($"Docker context '{name}' now holds the set's new client files.");
            }
            catch (AzDockerVmException ex)
            {
                // The host and the set are rotated: the context is a convenience on top.
                arm.Host.WriteWarning($"The docker context '{name}' still holds the old client files; it could not be rewritten: {ex.Message}");
            }
        }

        private static string HostKey(VmCertificateAuthorityRotationPlan plan) => plan.Host.Vm.Id.ToLowerInvariant();

        private static string Json(JObject json) => json.ToString(Formatting.Indented).Replace("\r\n", "\n") + "\n";

        private static string ReadText(string path) => new UTF8Encoding(false).GetString(File.ReadAllBytes(path));
    }
}

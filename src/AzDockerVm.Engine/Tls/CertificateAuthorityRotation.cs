using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using AzDockerVm.Engine.IO;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities.Encoders;
using Org.BouncyCastle.X509;

namespace AzDockerVm.Engine.Tls
{
    /// <summary>
    /// Rotates the CA of a local set with an overlap, in two phases (Docker has no CRL: this is also how a lost client
    /// is locked out).
    /// <para>Start: a new CA is made; ca.pem becomes old + new (the daemon's --tlscacert then accepts clients of either,
    /// and clients holding the bundle accept a server of either); ca-key.pem becomes the new CA's key, so whatever the
    /// set issues from now on is the new CA's; the old CA and its key are kept in ca-rotation/ with the state file. The
    /// server certificate stays the old CA's: clients that trust only the old CA keep accepting the server. The set's
    /// own client and the -ClientPath sets get certificates of the new CA and the bundle.</para>
    /// <para>Complete: the server certificate is re-issued by the new CA, ca.pem becomes the new CA alone, the old CA's
    /// key is deleted (its certificate stays in ca-rotation/ for the record). From the daemon's restart on, a
    /// certificate of the old CA is refused; clients moved during the overlap keep working.</para>
    /// Each phase in three steps: Plan* checks and writes nothing; <see cref="Issue"/> makes the new CA and certificates
    /// and returns what the daemon must get, writing nothing; <see cref="Apply"/> writes the local side, all or nothing.
    /// </summary>
    public static class CertificateAuthorityRotation
    {
        /// <summary>The folder in a set that holds a rotation's state and the retiring CA.</summary>
        public const string FolderName = "ca-rotation";

        public const string StateFileName = "rotation.json";

        /// <summary>The retiring CA's certificate (kept after the completion, for the record).</summary>
        public const string OldCaFileName = "old-ca.pem";

        /// <summary>The retiring CA's key, kept during the overlap only (to undo a start by hand), deleted at the completion.</summary>
        public const string OldCaKeyFileName = "old-ca-key.pem";

        private const string WriteAdvice = "Make sure the set's folder, the client sets' and the docker contexts' TLS folders can be written.";

        private static readonly Regex s_rotationSuffix = new Regex(@" \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$");

        public static string StateFile(string setFolder) => Path.Combine(setFolder, FolderName, StateFileName);

        /// <summary>The rotation state of a set, or null when no rotation ever began there.</summary>
        public static CertificateAuthorityRotationState ReadState(string setFolder) => CertificateAuthorityRotationState.Read(setFolder);

        /// <summary>Checks the start of a rotation: the set, its CA, the client sets. Reads, writes nothing.</summary>
        public static CertificateAuthorityRotationPlan PlanStart(CertificateAuthorityRotationRequest request)
        {
            CheckRequest(request);
            string folder = request.Path;
            RequireHostSet(folder, serverKeyNeeded: true);
            CertificateAuthorityRotationState state = CertificateAuthorityRotationState.Read(folder);
            if (state?.IsInProgress == true)
            {
                throw new AzDockerVmException("RotationInProgress", FailureKind.InvalidOperation, folder,
                    $"The set in '{folder}' is mid-rotation already: since {state.StartTime:u}, from the CA {state.OldCa.Thumbprint} ({state.OldCa.Subject}) to {state.NewCa.Thumbprint} ({state.NewCa.Subject}). A second rotation would leave clients of the first neither CA. Nothing was written.");
            }

            string caFile = Path.Combine(folder, DockerTlsFileNames.CaCertificate);
            IList<X509Certificate> trusted = PemFile.ReadCertificates(caFile);
            if (trusted.Count > 1)
            {
                throw new AzDockerVmException("RotationInProgress", FailureKind.InvalidOperation, caFile,
                    $"'{caFile}' holds {trusted.Count} CA certificates: the set trusts more than one CA already (a rotation AzDockerVm did not start, or a hand-made bundle), so which one retires is unknown. Nothing was written.");
            }

            RequireOwnKey(folder);
            DateTime now = DockerTlsMaterial.UtcNowToTheSecond();
            ExistingCertificateAuthority old = ExistingCertificateAuthority.Load(folder, now);
            TlsKeyAlgorithm algorithm = NewCaAlgorithm(request, old);
            DateTime oldNotBefore = ExistingCertificateAuthority.Utc(old.Certificate.NotBefore);
            DateTime oldNotAfter = ExistingCertificateAuthority.Utc(old.Certificate.NotAfter);
            int days = Math.Max(DockerTlsMaterial.MinimumCaValidityDays,
                (int)Math.Round((oldNotAfter - oldNotBefore - DockerTlsMaterial.ClockSkewAllowance).TotalDays));
            X509Name subject = NextSubject(old.Certificate.SubjectDN, now);

            var warnings = new List<string>();
            if (oldNotAfter < now.AddDays(30))
            {
                warnings.Add($"The old CA expires on {oldNotAfter:u}: its clients are refused from then on, whether the rotation is completed or not.");
            }

            DateTime newNotAfter = now.AddDays(days);
            var clients = new List<RotatedClient>();
            string ownCertificate = Path.Combine(folder, DockerTlsFileNames.ClientCertificate);
            if (File.Exists(ownCertificate))
            {
                X509Certificate certificate = PemFile.ReadCertificate(ownCertificate);
                if (!PemFile.IssuedByAny(certificate, new[] { old.Certificate }))
                {
                    warnings.Add($"'{ownCertificate}' was not issued by the set's CA; it is re-issued by the new CA all the same.");
                }

                clients.Add(Client(folder, true, certificate, caFile, newNotAfter, now, warnings));
            }

            foreach (string clientFolder in OtherClientFolders(request))
            {
                X509Certificate certificate = RequireClientSet(clientFolder);
                if (!PemFile.IssuedByAny(certificate, new[] { old.Certificate }))
                {
                    throw NotAClientOf(clientFolder, old.Certificate);
                }

                clients.Add(Client(clientFolder, false, certificate, caFile, newNotAfter, now, warnings));
            }

            var plan = new CertificateAuthorityRotationPlan(CertificateAuthorityRotationPhase.Start, folder)
            {
                OldCa = Identity(old.Certificate),
                NewCa = new CertificateAuthorityIdentity(CertificateInspector.DisplayName(subject), null, newNotAfter),
                NewCaKeyAlgorithm = TlsKeyAlgorithmNames.Name(algorithm),
                NewCaAlgorithm = algorithm,
                NewCaSubject = subject,
                NewCaValidityDays = days,
                StartTime = now,
                Authority = old,
                Warnings = warnings,
            };
            return Checked(plan, clients, request.DockerConfigDirectory, new string[0]);
        }

        /// <summary>Checks the completion of the rotation a set is in: its state, the new CA, the client sets. Reads, writes nothing.</summary>
        public static CertificateAuthorityRotationPlan PlanComplete(CertificateAuthorityRotationRequest request)
        {
            CheckRequest(request);
            string folder = request.Path;
            RequireHostSet(folder, serverKeyNeeded: false);
            CertificateAuthorityRotationState state = CertificateAuthorityRotationState.Read(folder);
            if (state?.IsInProgress != true)
            {
                string last = state == null ? "no rotation began there" : $"the last rotation was completed on {state.CompletionTime:u}";
                throw new AzDockerVmException("NoRotationInProgress", FailureKind.InvalidOperation, folder,
                    $"The set in '{folder}' is not mid-rotation ({last}): there is nothing to complete. Nothing was written.");
            }

            RequireOwnKey(folder);
            DateTime now = DockerTlsMaterial.UtcNowToTheSecond();
            ExistingCertificateAuthority authority = ExistingCertificateAuthority.Load(folder, now);
            if (DockerTlsMaterial.Thumbprint(authority.Certificate) != state.NewCa.Thumbprint)
            {
                throw new AzDockerVmException("CertificateAuthorityKeyMismatch", FailureKind.InvalidData, authority.KeyFile,
                    $"'{authority.KeyFile}' is the key of the CA {DockerTlsMaterial.Thumbprint(authority.Certificate)} ({CertificateInspector.DisplayName(authority.Certificate.SubjectDN)}), not of the new CA {state.NewCa.Thumbprint} ({state.NewCa.Subject}) the rotation started with. Nothing was written.");
            }

            string caFile = Path.Combine(folder, DockerTlsFileNames.CaCertificate);
            X509Certificate retiring = RetiringCertificate(folder, caFile, state);
            DateTime caNotAfter = ExistingCertificateAuthority.Utc(authority.Certificate.NotAfter);
            var warnings = new List<string>();
            string serverFile = Path.Combine(folder, DockerTlsFileNames.ServerCertificate);
            var serverNames = new CertificateRenewalRequest { DnsNames = request.ServerDnsNames, IPAddresses = request.ServerIPAddresses };
            CertificateRenewalItem server = CertificateRenewal.Item(serverNames, CertificateRole.Server, serverFile,
                DockerTlsFileNames.ServerCertificate, DockerTlsFileNames.ServerKey, PemFile.ReadCertificate(serverFile), caFile, caNotAfter, now, warnings);

            var clients = new List<RotatedClient>();
            string ownCertificate = Path.Combine(folder, DockerTlsFileNames.ClientCertificate);
            if (File.Exists(ownCertificate))
            {
                // Moved at the start; a certificate of the old CA here again would be refused from now on: re-issued too.
                X509Certificate certificate = PemFile.ReadCertificate(ownCertificate);
                clients.Add(PemFile.IssuedByAny(certificate, new[] { authority.Certificate })
                    ? new RotatedClient { Folder = folder, IsSetItself = true }
                    : Client(folder, true, certificate, caFile, caNotAfter, now, warnings));
            }

            foreach (string clientFolder in OtherClientFolders(request))
            {
                X509Certificate certificate = RequireClientSet(clientFolder);
                if (PemFile.IssuedByAny(certificate, new[] { authority.Certificate }))
                {
                    clients.Add(new RotatedClient { Folder = clientFolder });
                }
                else if (retiring != null && PemFile.IssuedByAny(certificate, new[] { retiring }))
                {
                    clients.Add(Client(clientFolder, false, certificate, caFile, caNotAfter, now, warnings));
                }
                else
                {
                    throw NotAClientOf(clientFolder, authority.Certificate);
                }
            }

            var plan = new CertificateAuthorityRotationPlan(CertificateAuthorityRotationPhase.Complete, folder)
            {
                OldCa = state.OldCa,
                NewCa = Identity(authority.Certificate),
                NewCaKeyAlgorithm = TlsKeyAlgorithmNames.Of(authority.Certificate.GetPublicKey()),
                StartTime = state.StartTime,
                Authority = authority,
                Server = server,
                State = state,
                Warnings = warnings,
            };
            string oldKey = Path.Combine(folder, FolderName, OldCaKeyFileName);
            return Checked(plan, clients, request.DockerConfigDirectory, File.Exists(oldKey) ? new[] { oldKey } : new string[0]);
        }

        /// <summary>
        /// Makes the phase's CA (start) and certificates; returns what the daemon must get and the local files, and
        /// writes nothing. The daemon's part never holds a CA key.
        /// </summary>
        public static CertificateAuthorityRotationStep Issue(CertificateAuthorityRotationPlan plan)
        {
            if (plan == null)
            {
                throw new ArgumentNullException(nameof(plan));
            }

            DateTime now = DockerTlsMaterial.UtcNowToTheSecond();
            var random = new SecureRandom();
            var content = new Dictionary<Target, string>();
            X509Certificate ca;
            AsymmetricKeyParameter caKey;
            DaemonTlsFiles daemon;
            CertificateAuthorityRotationState state;
            if (plan.Phase == CertificateAuthorityRotationPhase.Start)
            {
                AsymmetricCipherKeyPair key = TlsKeyPairs.Generate(plan.NewCaAlgorithm, 1, random)[0];
                ca = new CertificateIssuer(random).CreateAuthority(key, plan.NewCaSubject, now - DockerTlsMaterial.ClockSkewAllowance, now.AddDays(plan.NewCaValidityDays));
                caKey = key.Private;
                string oldCa = plan.Authority.CertificateFileText;
                string trust = oldCa + (oldCa.EndsWith("\n", StringComparison.Ordinal) ? string.Empty : "\n") + DockerTlsMaterial.CertificatePem(ca);
                daemon = new DaemonTlsFiles(ReadText(Path.Combine(plan.Path, DockerTlsFileNames.ServerCertificate)),
                    ReadText(Path.Combine(plan.Path, DockerTlsFileNames.ServerKey)), trust);
                state = new CertificateAuthorityRotationState(StateFile(plan.Path), CertificateAuthorityRotationState.InProgress, plan.StartTime, null, plan.OldCa, Identity(ca));
                content[Target.CaKey] = TlsKeyPairs.ToPem(caKey);
                content[Target.OldCa] = oldCa;
                content[Target.OldCaKey] = ReadText(plan.Authority.KeyFile);
            }
            else
            {
                ca = plan.Authority.Certificate;
                caKey = plan.Authority.PrivateKey;
                var (serverCertificate, serverKey) = CertificateRenewal.IssueOne(plan.Server, ca, caKey, now, random);
                daemon = new DaemonTlsFiles(serverCertificate, serverKey, DockerTlsMaterial.CertificatePem(ca));
                state = plan.State.CompletedAt(now);
                content[Target.ServerCertificate] = serverCertificate;
                content[Target.ServerKey] = serverKey;
            }

            content[Target.Trust] = daemon.TrustBundlePem;
            content[Target.State] = state.ToJson();
            var issued = plan.Clients.Where(c => c.Item != null).ToDictionary(c => c, c => CertificateRenewal.IssueOne(c.Item, ca, caKey, now, random));
            var files = Targets(plan).Select(t => new PlannedFile(t.Path,
                t.Kind == Target.ClientCertificate ? issued[t.Client].Certificate : t.Kind == Target.ClientKey ? issued[t.Client].Key : content[t.Kind],
                t.IsPrivate)).ToList();
            return new CertificateAuthorityRotationStep(plan, daemon, Identity(ca), files, state);
        }

        /// <summary>
        /// Writes the local side of an issued phase, all or nothing (and, at the completion, deletes the old CA's key with
        /// it). Refused (TlsSetChanged) when a target changed since the plan: a VM's rollout may take minutes between.
        /// </summary>
        public static CertificateAuthorityRotationResult Apply(CertificateAuthorityRotationStep step)
        {
            if (step == null)
            {
                throw new ArgumentNullException(nameof(step));
            }

            CertificateAuthorityRotationPlan plan = step.Plan;
            foreach (KeyValuePair<string, string> planned in plan.Fingerprints)
            {
                if (Fingerprint(planned.Key) != planned.Value)
                {
                    throw new AzDockerVmException("TlsSetChanged", FailureKind.InvalidOperation, planned.Key,
                        $"'{planned.Key}' changed since this phase of the rotation was planned: writing it would undo that change. Nothing was written.",
                        "Run the phase again, so that it is planned from the files as they are now.");
                }
            }

            StagedFileSet.Write(step.Files, plan.FilesToRemove, overwrite: true, plan.Path, WriteAdvice);
            return new CertificateAuthorityRotationResult(plan.Path, CertificateAuthorityRotationState.Read(plan.Path), plan.ReissuedClientCertificates,
                plan.ClientPaths, plan.Contexts);
        }

        /// <summary>Update-DockerTlsCertificate's server renewal waits for the completion, which re-issues the server certificate from the new CA.</summary>
        internal static void RefuseServerRenewalMidRotation(string folder)
        {
            CertificateAuthorityRotationState state = CertificateAuthorityRotationState.Read(folder);
            if (state?.IsInProgress == true)
            {
                throw new AzDockerVmException("RotationInProgress", FailureKind.InvalidOperation, folder,
                    $"The set in '{folder}' is mid-rotation since {state.StartTime:u}: its server certificate stays the old CA's until the rotation is completed, which re-issues it from the new CA. Nothing was written.");
            }
        }

        private enum Target
        {
            Trust,
            CaKey,
            State,
            OldCa,
            OldCaKey,
            ServerCertificate,
            ServerKey,
            ClientCertificate,
            ClientKey,
        }

        /// <summary>Every local file of a phase, in the order they are written: the set, then each client set with its contexts.</summary>
        private static IEnumerable<(string Path, Target Kind, bool IsPrivate, RotatedClient Client)> Targets(CertificateAuthorityRotationPlan plan)
        {
            string rotation = Path.Combine(plan.Path, FolderName);
            yield return (Path.Combine(plan.Path, DockerTlsFileNames.CaCertificate), Target.Trust, false, null);
            if (plan.Phase == CertificateAuthorityRotationPhase.Start)
            {
                yield return (Path.Combine(plan.Path, DockerTlsFileNames.CaKey), Target.CaKey, true, null);
                yield return (Path.Combine(rotation, OldCaFileName), Target.OldCa, false, null);
                yield return (Path.Combine(rotation, OldCaKeyFileName), Target.OldCaKey, true, null);
            }
            else
            {
                yield return (Path.Combine(plan.Path, DockerTlsFileNames.ServerCertificate), Target.ServerCertificate, false, null);
                yield return (Path.Combine(plan.Path, DockerTlsFileNames.ServerKey), Target.ServerKey, true, null);
            }

            yield return (Path.Combine(rotation, StateFileName), Target.State, false, null);
            foreach (RotatedClient client in plan.Clients)
            {
                if (!client.IsSetItself)
                {
                    yield return (Path.Combine(client.Folder, DockerTlsFileNames.CaCertificate), Target.Trust, false, client);
                }

                if (client.Item != null)
                {
                    yield return (client.CertificateFile, Target.ClientCertificate, false, client);
                    yield return (Path.Combine(client.Folder, DockerTlsFileNames.ClientKey), Target.ClientKey, true, client);
                }

                // A context's TLS files are all owner-only, as New-DockerContext writes them.
                foreach (DockerContextTlsCopy context in client.Contexts)
                {
                    yield return (Path.Combine(context.TlsPath, DockerTlsFileNames.CaCertificate), Target.Trust, true, client);
                    if (client.Item != null)
                    {
                        IReadOnlyList<string> paths = DockerContextStore.ClientFilePaths(context);
                        yield return (paths[0], Target.ClientCertificate, true, client);
                        yield return (paths[1], Target.ClientKey, true, client);
                    }
                }
            }
        }

        /// <summary>Finds the contexts, fixes the files and their fingerprints, and refuses targets that cannot be written.</summary>
        private static CertificateAuthorityRotationPlan Checked(CertificateAuthorityRotationPlan plan, List<RotatedClient> clients, string dockerConfig, IReadOnlyList<string> remove)
        {
            var claimed = new HashSet<string>(clients.Select(c => Full(c.Folder)).Concat(new[] { Full(plan.Path) }), StringComparer.Ordinal);
            foreach (RotatedClient client in clients)
            {
                client.Contexts = string.IsNullOrEmpty(dockerConfig)
                    ? new DockerContextTlsCopy[0]
                    : DockerContextStore.FindByClientCertificate(dockerConfig, File.ReadAllBytes(client.CertificateFile)).Where(c => claimed.Add(Full(c.TlsPath))).ToList();
            }

            plan.Clients = clients;
            plan.FilesToWrite = Targets(plan).Select(t => t.Path).ToList();
            plan.FilesToRemove = remove;
            plan.Fingerprints = plan.FilesToWrite.Concat(remove).Distinct(StringComparer.Ordinal).ToDictionary(p => p, Fingerprint, StringComparer.Ordinal);
            StagedFileSet.Check(plan.FilesToWrite.Concat(remove), plan.Path, WriteAdvice);
            return plan;
        }

        private static void CheckRequest(CertificateAuthorityRotationRequest request)
        {
            if (request == null)
            {
                throw new ArgumentNullException(nameof(request));
            }

            if (string.IsNullOrEmpty(request.Path))
            {
                throw new ArgumentException("The set's folder is required.", nameof(request));
            }

            if (request.KeyAlgorithm != null && !TlsKeyAlgorithmNames.TryParse(request.KeyAlgorithm, out _))
            {
                throw new ArgumentException($"'{request.KeyAlgorithm}' is not a key algorithm name of TlsKeyAlgorithmNames.", nameof(request));
            }
        }

        /// <summary>A Docker host's set: ca.pem and server-cert.pem (and, to keep serving it during the overlap, server-key.pem).</summary>
        private static void RequireHostSet(string folder, bool serverKeyNeeded)
        {
            CertificateInspector.RequireSetFolder(folder);
            foreach (string name in new[] { DockerTlsFileNames.CaCertificate, DockerTlsFileNames.ServerCertificate })
            {
                if (!File.Exists(Path.Combine(folder, name)))
                {
                    throw new AzDockerVmException("NotATlsSet", FailureKind.InvalidArgument, folder,
                        $"'{folder}' has no {name}: a CA rotation rotates the CA of a Docker host's set (ca.pem, ca-key.pem, server-cert.pem, server-key.pem). A set of clients only is brought along as a client set of the host's. Nothing was written.");
                }
            }

            string serverKey = Path.Combine(folder, DockerTlsFileNames.ServerKey);
            string missing = serverKeyNeeded ? MissingFile.Problem(serverKey) : null;
            if (missing != null)
            {
                throw new AzDockerVmException("FileNotFound", FailureKind.ObjectNotFound, serverKey,
                    $"The server key '{serverKey}' {missing}: during the overlap the daemon keeps serving server-cert.pem with it. Nothing was written.");
            }
        }

        private static void RequireOwnKey(string folder)
        {
            string keyFile = Path.Combine(folder, DockerTlsFileNames.CaKey);
            if (!File.Exists(keyFile))
            {
                throw new AzDockerVmException("CertificateAuthorityKeyNotFound", FailureKind.ObjectNotFound, keyFile,
                    $"The set in '{folder}' has no {DockerTlsFileNames.CaKey}: a CA rotation needs the set's own CA key on this machine (a CA kept elsewhere, as New-AzDockerVm's group CA, is not rotated this way). Nothing was written.");
            }
        }

        /// <summary>A client set: a folder with cert.pem (and ca.pem, key.pem, which the rotation writes); its client certificate.</summary>
        private static X509Certificate RequireClientSet(string folder)
        {
            if (File.Exists(folder))
            {
                throw new AzDockerVmException("NotATlsSet", FailureKind.InvalidArgument, folder,
                    $"'{folder}' is a file; a client set is a folder holding ca.pem, cert.pem and key.pem. Nothing was written.");
            }

            if (!Directory.Exists(folder))
            {
                throw new AzDockerVmException("PathNotFound", FailureKind.ObjectNotFound, folder, $"The client set '{folder}' does not exist. Nothing was written.");
            }

            string certificate = Path.Combine(folder, DockerTlsFileNames.ClientCertificate);
            if (!File.Exists(certificate))
            {
                throw new AzDockerVmException("NotATlsSet", FailureKind.InvalidArgument, folder,
                    $"'{folder}' holds no {DockerTlsFileNames.ClientCertificate}: it is not a client set (ca.pem, cert.pem, key.pem). Nothing was written.");
            }

            return PemFile.ReadCertificate(certificate);
        }

        private static AzDockerVmException NotAClientOf(string folder, X509Certificate ca)
        {
            string certificate = Path.Combine(folder, DockerTlsFileNames.ClientCertificate);
            return new AzDockerVmException("CertificateAuthorityMismatch", FailureKind.InvalidData, certificate,
                $"'{certificate}' was issued by neither CA of the rotation (the set's CA is {CertificateInspector.DisplayName(ca.SubjectDN)}): it is no client of this set, and its daemon would not trust it either way. Nothing was written.");
        }

        private static IEnumerable<string> OtherClientFolders(CertificateAuthorityRotationRequest request)
            => (request.ClientPaths ?? new string[0]).Select(Full).Distinct(StringComparer.Ordinal)
                .Where(f => !string.Equals(f, Full(request.Path), StringComparison.Ordinal));

        private static RotatedClient Client(string folder, bool isSet, X509Certificate certificate, string caFile, DateTime caNotAfter, DateTime now, List<string> warnings)
            => new RotatedClient
            {
                Folder = folder,
                IsSetItself = isSet,
                Item = CertificateRenewal.Item(new CertificateRenewalRequest(), CertificateRole.Client, Path.Combine(folder, DockerTlsFileNames.ClientCertificate),
                    DockerTlsFileNames.ClientCertificate, DockerTlsFileNames.ClientKey, certificate, caFile, caNotAfter, now, warnings),
            };

        private static TlsKeyAlgorithm NewCaAlgorithm(CertificateAuthorityRotationRequest request, ExistingCertificateAuthority old)
        {
            string name = request.KeyAlgorithm ?? TlsKeyAlgorithmNames.Of(old.Certificate.GetPublicKey());
            if (!TlsKeyAlgorithmNames.TryParse(name, out TlsKeyAlgorithm algorithm))
            {
                throw new AzDockerVmException("UnsupportedKeyAlgorithm", FailureKind.InvalidData, old.CertificateFile,
                    $"The old CA's key is {name}, which AzDockerVm does not make keys of (ECDSA_P256, ECDSA_P384, RSA2048, RSA3072, RSA4096). Nothing was written.");
            }

            return algorithm;
        }

        /// <summary>The old CA's subject with the time of the rotation at the end of its CN, so the two CAs of the overlap are told apart.</summary>
        internal static X509Name NextSubject(X509Name old, DateTime now)
        {
            string suffix = " " + now.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z";
            var oids = old.GetOidList().ToList();
            var values = old.GetValueList().Select(v => v.ToString()).ToList();
            int cn = oids.FindLastIndex(o => o.Equals(X509Name.CN));
            string stem = cn >= 0 ? s_rotationSuffix.Replace(values[cn], string.Empty) : "AzDockerVm CA";
            stem = stem.Length + suffix.Length > 64 ? stem.Substring(0, 64 - suffix.Length) : stem;
            if (cn >= 0)
            {
                values[cn] = stem + suffix;
            }
            else
            {
                oids.Add(X509Name.CN);
                values.Add(stem + suffix);
            }

            return new X509Name(oids, values);
        }

        /// <summary>The retiring CA's certificate: kept in ca-rotation/old-ca.pem, else still in ca.pem; null when neither holds it.</summary>
        private static X509Certificate RetiringCertificate(string folder, string caFile, CertificateAuthorityRotationState state)
        {
            string kept = Path.Combine(folder, FolderName, OldCaFileName);
            IEnumerable<X509Certificate> candidates = PemFile.ReadCertificates(caFile);
            if (File.Exists(kept))
            {
                candidates = PemFile.ReadCertificates(kept).Concat(candidates);
            }

            return candidates.FirstOrDefault(c => DockerTlsMaterial.Thumbprint(c) == state.OldCa.Thumbprint);
        }

        internal static CertificateAuthorityIdentity Identity(X509Certificate ca)
            => new CertificateAuthorityIdentity(CertificateInspector.DisplayName(ca.SubjectDN), DockerTlsMaterial.Thumbprint(ca), ExistingCertificateAuthority.Utc(ca.NotAfter));

        private static string Fingerprint(string path)
            => File.Exists(path) ? Hex.ToHexString(DigestUtilities.CalculateDigest("SHA-256", File.ReadAllBytes(path))) : null;

        private static string ReadText(string path) => new UTF8Encoding(false).GetString(File.ReadAllBytes(path));

        private static string Full(string path) => Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using AzDockerVm.Engine.IO;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace AzDockerVm.Engine.Tls
{
    /// <summary>
    /// Renews the server and/or client certificate of a set from the CA that issued it: new key pairs of the same
    /// algorithm, new serials and validity, the same subject and (unless replaced) the same names. ca.pem and ca-key.pem
    /// are only read. In two steps like <see cref="DockerTlsMaterial"/>: <see cref="Plan"/> checks everything and writes
    /// nothing; <see cref="Renew"/> issues and replaces the files of the set and of the docker contexts made from it,
    /// all or nothing. <see cref="Issue"/> alone (no write) is for a renewal whose files go elsewhere first (a VM).
    /// </summary>
    public static class CertificateRenewal
    {
        private static readonly (CertificateRole Role, string File, string KeyFile)[] s_leaves =
        {
            (CertificateRole.Server, DockerTlsFileNames.ServerCertificate, DockerTlsFileNames.ServerKey),
            (CertificateRole.Client, DockerTlsFileNames.ClientCertificate, DockerTlsFileNames.ClientKey),
        };

        private const string WriteAdvice = "Make sure the set's folder (and the docker contexts' folders) can be written.";

        /// <summary>The checks of the request itself, the same for every set: names, addresses, validity, key algorithm.</summary>
        public static void CheckRequest(CertificateRenewalRequest request)
        {
            if (request == null)
            {
                throw new ArgumentNullException(nameof(request));
            }

            SubjectAlternativeNames.ValidateDnsNames(request.DnsNames);
            SubjectAlternativeNames.ValidateIPAddresses(request.IPAddresses);
            if (request.ValidityDays.HasValue && (request.ValidityDays < 1 || request.ValidityDays > DockerTlsSetRequest.MaxValidityDays))
            {
                throw new AzDockerVmException("InvalidValidityDays", FailureKind.InvalidArgument, request.ValidityDays,
                    $"ValidityDays must be between 1 and {DockerTlsSetRequest.MaxValidityDays}; {request.ValidityDays} is not. Nothing was written.");
            }

            if (request.KeyAlgorithm != null && !TlsKeyAlgorithmNames.TryParse(request.KeyAlgorithm, out _))
            {
                throw new ArgumentException($"'{request.KeyAlgorithm}' is not a key algorithm name of TlsKeyAlgorithmNames.", nameof(request));
            }

            if (request.Client && !request.Server && (request.DnsNames != null || request.IPAddresses != null))
            {
                throw new AzDockerVmException("SubjectAlternativeNameWithoutServer", FailureKind.InvalidArgument, request.Path,
                    "DNS names and IP addresses belong to the server certificate, which is not renewed here (only the client's is). Nothing was written.");
            }
        }

        /// <summary>Checks the set, its CA and the target files; reads, writes nothing.</summary>
        public static CertificateRenewalPlan Plan(CertificateRenewalRequest request)
        {
            CheckRequest(request);
            string folder = request.Path;
            CertificateInspector.RequireSetFolder(folder);
            string caFile = Path.Combine(folder, DockerTlsFileNames.CaCertificate);
            if (!File.Exists(caFile))
            {
                throw new AzDockerVmException("NotATlsSet", FailureKind.InvalidArgument, folder,
                    $"'{folder}' has no {DockerTlsFileNames.CaCertificate}: without it the CA that issued the set is unknown, and its peers could not check the renewed certificates. Nothing was written.");
            }

            var leaves = s_leaves.Where(l => Wanted(request, l.Role)).ToList();
            foreach (var leaf in leaves.Where(l => IsExplicit(request, l.Role)))
            {
                string file = Path.Combine(folder, leaf.File);
                string problem = MissingFile.Problem(file);
                if (problem != null)
                {
                    throw new AzDockerVmException("FileNotFound", FailureKind.ObjectNotFound, file,
                        $"The {leaf.Role.ToString().ToLowerInvariant()} certificate '{file}' {problem}: there is nothing to renew. Nothing was written.");
                }
            }

            leaves = leaves.Where(l => File.Exists(Path.Combine(folder, l.File))).ToList();
            if (leaves.Count == 0)
            {
                throw new AzDockerVmException("NotATlsSet", FailureKind.InvalidArgument, folder,
                    $"'{folder}' holds neither {DockerTlsFileNames.ServerCertificate} nor {DockerTlsFileNames.ClientCertificate}: there is no certificate to renew (ca.pem and ca-key.pem are never renewed). Nothing was written.");
            }

            if (leaves.Any(l => l.Role == CertificateRole.Server))
            {
                CertificateAuthorityRotation.RefuseServerRenewalMidRotation(folder);
            }

            IList<X509Certificate> setAuthorities = PemFile.ReadCertificates(caFile);
            DateTime now = DockerTlsMaterial.UtcNowToTheSecond();
            ExistingCertificateAuthority authority = LoadAuthority(request, folder, setAuthorities, now);

            var warnings = new List<string>();
            var items = new List<CertificateRenewalItem>();
            X509Certificate oldClient = null;
            foreach (var (role, name, keyName) in leaves)
            {
                string file = Path.Combine(folder, name);
                X509Certificate old = PemFile.ReadCertificate(file);
                if (role == CertificateRole.Client)
                {
                    oldClient = old;
                }

                if (!PemFile.IssuedByAny(old, new[] { authority.Certificate }))
                {
                    warnings.Add($"'{file}' was not issued by the CA '{CertificateInspector.DisplayName(authority.Certificate.SubjectDN)}'; the renewed one is, so peers that trusted its old issuer must trust '{authority.CertificateFile}' too.");
                }

                items.Add(Item(request, role, file, name, keyName, old, authority.CertificateFile, ExistingCertificateAuthority.Utc(authority.Certificate.NotAfter), now, warnings));
            }

            IReadOnlyList<DockerContextTlsCopy> contexts = oldClient == null || string.IsNullOrEmpty(request.DockerConfigDirectory)
                ? new DockerContextTlsCopy[0]
                : DockerContextStore.FindByClientCertificate(request.DockerConfigDirectory, File.ReadAllBytes(Path.Combine(folder, DockerTlsFileNames.ClientCertificate)))
                    .Where(c => !SamePath(c.TlsPath, folder)).ToList();
            var plan = new CertificateRenewalPlan(folder, authority, items, contexts, warnings);
            StagedFileSet.Check(plan.FilesToWrite, folder, WriteAdvice);
            return plan;
        }

        /// <summary>
        /// Issues the plan's certificates and writes them, with new keys, into the set and the contexts made from it,
        /// all or nothing; returns the new certificates as read back from the set.
        /// </summary>
        public static CertificateRenewalResult Renew(CertificateRenewalPlan plan)
        {
            IReadOnlyDictionary<CertificateRole, (string Certificate, string Key)> issued = Issue(plan);
            var files = new List<PlannedFile>();
            foreach (CertificateRenewalItem item in plan.Items)
            {
                files.Add(new PlannedFile(Path.Combine(plan.Path, item.File), issued[item.Role].Certificate, isPrivate: false));
                files.Add(new PlannedFile(Path.Combine(plan.Path, item.KeyFile), issued[item.Role].Key, isPrivate: true));
            }

            if (issued.TryGetValue(CertificateRole.Client, out var client))
            {
                files.AddRange(plan.Contexts.SelectMany(c => DockerContextStore.ClientFiles(c, client.Certificate, client.Key)));
            }

            StagedFileSet.Write(files, overwrite: true, plan.Path, WriteAdvice);
            CertificateInspection inspection = CertificateInspector.Inspect(plan.Path, DateTime.UtcNow);
            var renewed = new HashSet<string>(plan.Items.Select(i => i.File), StringComparer.Ordinal);
            return new CertificateRenewalResult(inspection.Certificates.Where(c => renewed.Contains(c.File)).ToList(),
                issued.ContainsKey(CertificateRole.Client) ? plan.Contexts : new DockerContextTlsCopy[0]);
        }

        /// <summary>The new certificates and keys (PEM) of a plan, by role; nothing is written.</summary>
        internal static IReadOnlyDictionary<CertificateRole, (string Certificate, string Key)> Issue(CertificateRenewalPlan plan)
        {
            DateTime now = DockerTlsMaterial.UtcNowToTheSecond();
            var random = new SecureRandom();
            var result = new Dictionary<CertificateRole, (string, string)>();
            foreach (CertificateRenewalItem item in plan.Items)
            {
                result[item.Role] = IssueOne(item, plan.Authority.Certificate, plan.Authority.PrivateKey, now, random);
            }

            return result;
        }

        /// <summary>One new certificate (PEM) and its new key (PEM) from <paramref name="ca"/>, never valid outside the CA's lifetime.</summary>
        internal static (string Certificate, string Key) IssueOne(CertificateRenewalItem item, X509Certificate ca, AsymmetricKeyParameter caKey, DateTime now, SecureRandom random)
        {
            DateTime caNotBefore = ExistingCertificateAuthority.Utc(ca.NotBefore);
            DateTime caNotAfter = ExistingCertificateAuthority.Utc(ca.NotAfter);
            DateTime notBefore = now - DockerTlsMaterial.ClockSkewAllowance;
            notBefore = notBefore < caNotBefore ? caNotBefore : notBefore;
            DateTime notAfter = now.AddDays(item.ValidityDays) < caNotAfter ? now.AddDays(item.ValidityDays) : caNotAfter;
            var issuer = new CertificateIssuer(random);
            AsymmetricCipherKeyPair key = TlsKeyPairs.Generate(item.KeyAlgorithm, 1, random)[0];
            X509Certificate certificate = item.Role == CertificateRole.Server
                ? issuer.CreateServer(ca, caKey, key.Public, item.SubjectName, item.DnsNames, item.Addresses, notBefore, notAfter)
                : issuer.CreateClient(ca, caKey, key.Public, item.SubjectName, notBefore, notAfter);
            return (DockerTlsMaterial.CertificatePem(certificate), TlsKeyPairs.ToPem(key.Private));
        }

        /// <summary>The CA that renews: the set's own (ca.pem + ca-key.pem), or the one in CertificateAuthorityPath, which must be the set's.</summary>
        private static ExistingCertificateAuthority LoadAuthority(CertificateRenewalRequest request, string folder, IList<X509Certificate> setAuthorities, DateTime now)
        {
            string caFolder = request.CertificateAuthorityPath ?? folder;
            string keyFile = Path.Combine(caFolder, DockerTlsFileNames.CaKey);
            if (request.CertificateAuthorityPath == null && !File.Exists(keyFile))
            {
                string keptIn = FindAuthorityFolder(request.DockerConfigDirectory, setAuthorities);
                string where = keptIn != null
                    ? $" The CA that issued it is kept in '{keptIn}' on this machine."
                    : string.IsNullOrEmpty(request.DockerConfigDirectory)
                        ? string.Empty
                        : $" No CA kept on this machine under '{Path.Combine(request.DockerConfigDirectory, "azdockervm", "ca")}' (where New-AzDockerVm keeps a resource group's CA, by subscription and group) issued it.";
                throw new AzDockerVmException("CertificateAuthorityKeyNotFound", FailureKind.ObjectNotFound, keyFile,
                    $"The set in '{folder}' has no {DockerTlsFileNames.CaKey}: a set without its CA key cannot be renewed from its own folder.{where} Nothing was written.");
            }

            ExistingCertificateAuthority authority = ExistingCertificateAuthority.Load(caFolder, now);
            byte[] der = authority.Certificate.GetEncoded();
            if (!setAuthorities.Any(a => a.GetEncoded().SequenceEqual(der)))
            {
                string setCa = Path.Combine(folder, DockerTlsFileNames.CaCertificate);
                throw new AzDockerVmException("CertificateAuthorityMismatch", FailureKind.InvalidData, setCa,
                    $"The CA in '{authority.CertificateFile}' ({CertificateInspector.DisplayName(authority.Certificate.SubjectDN)}) is not the set's CA: '{setCa}' does not hold it, so the set's peers would not trust what it issues. Nothing was written.");
            }

            return authority;
        }

        /// <summary>The folder under &lt;DOCKER_CONFIG&gt;/azdockervm/ca/&lt;subscription&gt;/&lt;group&gt; holding one of the set's CAs with its key, or null.</summary>
        private static string FindAuthorityFolder(string dockerConfig, IList<X509Certificate> setAuthorities)
        {
            string root = string.IsNullOrEmpty(dockerConfig) ? null : DockerTlsMaterial.AuthorityRoot(dockerConfig);
            if (root == null || !Directory.Exists(root))
            {
                return null;
            }

            var wanted = setAuthorities.Select(a => a.GetEncoded()).ToList();
            foreach (string candidate in Directory.EnumerateDirectories(root).SelectMany(Directory.EnumerateDirectories).OrderBy(f => f, StringComparer.Ordinal))
            {
                try
                {
                    string caFile = Path.Combine(candidate, DockerTlsFileNames.CaCertificate);
                    if (File.Exists(caFile) && File.Exists(Path.Combine(candidate, DockerTlsFileNames.CaKey))
                        && PemFile.ReadCertificates(caFile).Any(c => wanted.Any(w => w.SequenceEqual(c.GetEncoded()))))
                    {
                        return candidate;
                    }
                }
                catch (Exception ex) when (ex is AzDockerVmException || ex is IOException || ex is UnauthorizedAccessException)
                {
                }
            }

            return null;
        }

        /// <summary>What the renewal of <paramref name="old"/> will say: its subject, names and algorithm, its lifetime from now (unless the request changes them).</summary>
        internal static CertificateRenewalItem Item(CertificateRenewalRequest request, CertificateRole role, string file, string name, string keyName,
            X509Certificate old, string caFile, DateTime caNotAfter, DateTime now, List<string> warnings)
        {
            string oldAlgorithm = TlsKeyAlgorithmNames.Of(old.GetPublicKey());
            string algorithmName = request.KeyAlgorithm ?? oldAlgorithm;
            if (!TlsKeyAlgorithmNames.TryParse(algorithmName, out TlsKeyAlgorithm algorithm))
            {
                throw new AzDockerVmException("UnsupportedKeyAlgorithm", FailureKind.InvalidData, file,
                    $"The key of '{file}' is {oldAlgorithm}, which AzDockerVm does not make keys of (ECDSA_P256, ECDSA_P384, RSA2048, RSA3072, RSA4096). Nothing was written.");
            }

            DateTime oldNotBefore = ExistingCertificateAuthority.Utc(old.NotBefore);
            DateTime oldNotAfter = ExistingCertificateAuthority.Utc(old.NotAfter);
            int days = request.ValidityDays ?? OldLifetimeDays(oldNotBefore, oldNotAfter);
            if (caNotAfter < now.AddDays(days))
            {
                warnings.Add($"The CA in '{caFile}' expires on {caNotAfter:u}, before the {days} days of the renewed {name}: it ends when the CA does.");
            }

            IReadOnlyList<string> dnsNames = new string[0];
            IReadOnlyList<IPAddress> addresses = new IPAddress[0];
            X509Name subject = old.SubjectDN;
            if (role == CertificateRole.Server)
            {
                var (oldDns, oldIps) = CertificateInspector.SubjectAlternativeNamesOf(old);
                dnsNames = SubjectAlternativeNames.ValidateDnsNames(request.DnsNames ?? oldDns.ToList());
                addresses = SubjectAlternativeNames.ValidateIPAddresses(request.IPAddresses ?? oldIps.ToList());
                if (dnsNames.Count == 0 && addresses.Count == 0)
                {
                    throw new AzDockerVmException("NoSubjectAlternativeName", FailureKind.InvalidArgument, file,
                        "The renewed server certificate would name no DNS name or IP address; Docker clients reject such a certificate. Nothing was written.");
                }

                subject = SubjectFor(old.SubjectDN, oldDns.Concat(oldIps), dnsNames.Concat(addresses.Select(a => a.ToString())).ToList());
            }

            return new CertificateRenewalItem(role, name, keyName, subject, dnsNames, addresses, days, algorithm,
                CertificateInspector.SerialNumberOf(old), oldNotAfter);
        }

        /// <summary>The old subject, unless its CN was a name the certificate no longer has: then CN is the first new name (as New-DockerTlsCertificate's default).</summary>
        private static X509Name SubjectFor(X509Name old, IEnumerable<string> oldNames, IReadOnlyList<string> newNames)
        {
            string commonName = old.GetValueList(X509Name.CN).Cast<string>().LastOrDefault();
            bool stale = commonName != null && oldNames.Contains(commonName, StringComparer.OrdinalIgnoreCase)
                && !newNames.Contains(commonName, StringComparer.OrdinalIgnoreCase);
            return stale ? CertificateIssuer.Name(CertificateIssuer.Truncate(newNames[0]), null) : old;
        }

        /// <summary>The old certificate's lifetime in whole days, without the clock-skew allowance New-DockerTlsCertificate adds in front.</summary>
        private static int OldLifetimeDays(DateTime notBefore, DateTime notAfter)
        {
            double days = Math.Round((notAfter - notBefore - DockerTlsMaterial.ClockSkewAllowance).TotalDays);
            return (int)Math.Max(1, Math.Min(DockerTlsSetRequest.MaxValidityDays, days));
        }

        private static bool Wanted(CertificateRenewalRequest request, CertificateRole role)
            => (!request.Server && !request.Client) || IsExplicit(request, role);

        private static bool IsExplicit(CertificateRenewalRequest request, CertificateRole role)
            => role == CertificateRole.Server ? request.Server : request.Client;

        private static bool SamePath(string a, string b)
            => string.Equals(Path.GetFullPath(a).TrimEnd(Path.DirectorySeparatorChar), Path.GetFullPath(b).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal);
    }
}

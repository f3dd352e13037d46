using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using AzDockerVm.Engine.IO;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities.Encoders;
using Org.BouncyCastle.X509;

namespace AzDockerVm.Engine.Tls
{
    /// <summary>
    /// Creates the TLS files a Docker daemon and its clients need (ca.pem, ca-key.pem, server-cert.pem, server-key.pem,
    /// cert.pem, key.pem) in two steps: <see cref="Plan"/> checks everything and writes nothing; <see cref="Create"/>
    /// generates keys and certificates and writes them all-or-nothing, private keys readable by the owner only.
    /// </summary>
    public static class DockerTlsMaterial
    {
        /// <summary>How far NotBefore is set back, so a host whose clock is a little behind accepts a fresh certificate.</summary>
        public static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromMinutes(5);

        /// <summary>A new CA lives at least this long, and at least a year longer than its first certificates.</summary>
        public const int MinimumCaValidityDays = 3650;

        private const string AppFolderName = "azdockervm";

        /// <summary>Validates the request, the CA to reuse and the target folder. Reads files, writes nothing.</summary>
        public static DockerTlsSetPlan Plan(DockerTlsSetRequest request)
        {
            if (request == null)
            {
                throw new ArgumentNullException(nameof(request));
            }

            DateTime now = UtcNowToTheSecond();
            IReadOnlyList<string> dnsNames = SubjectAlternativeNames.ValidateDnsNames(request.DnsNames);
            IReadOnlyList<IPAddress> addresses = SubjectAlternativeNames.ValidateIPAddresses(request.IPAddresses);
            if (dnsNames.Count == 0 && addresses.Count == 0)
            {
                throw new AzDockerVmException("NoSubjectAlternativeName", FailureKind.InvalidArgument, null,
                    "A server certificate needs at least one DNS name or IP address; Docker clients reject certificates without one. Nothing was written.",
                    "Give the names and addresses clients use to reach the Docker host with -DnsName and/or -IPAddress.");
            }

            if (request.ValidityDays < 1 || request.ValidityDays > DockerTlsSetRequest.MaxValidityDays)
            {
                throw new AzDockerVmException("InvalidValidityDays", FailureKind.InvalidArgument, request.ValidityDays,
                    $"ValidityDays must be between 1 and {DockerTlsSetRequest.MaxValidityDays}; {request.ValidityDays} is not. Nothing was written.",
                    $"Use a value from 1 to {DockerTlsSetRequest.MaxValidityDays} (the default is {DockerTlsSetRequest.DefaultValidityDays}).");
            }

            string firstName = dnsNames.Count > 0 ? dnsNames[0] : addresses[0].ToString();
            string commonName = string.IsNullOrEmpty(request.CommonName) ? firstName : RequireCommonName(request.CommonName);
            string folder = Path.GetFullPath(request.Path ?? DefaultFolder(request.DockerConfigDirectory, firstName));

            var warnings = new List<string>();
            ExistingCertificateAuthority authority = null;
            if (request.CertificateAuthorityPath != null)
            {
                authority = ExistingCertificateAuthority.Load(Path.GetFullPath(request.CertificateAuthorityPath), now);
                DateTime caNotAfter = ExistingCertificateAuthority.Utc(authority.Certificate.NotAfter);
                if (caNotAfter < now.AddDays(request.ValidityDays))
                {
                    warnings.Add($"The CA in '{authority.CertificateFile}' expires on {caNotAfter:u}, before the requested {request.ValidityDays} days: " +
                        "the server and client certificates end when the CA does.");
                }
            }

            var files = new List<string>();
            string caFile = Path.Combine(folder, DockerTlsFileNames.CaCertificate);
            if (authority == null || !SameBytes(caFile, authority.CertificateFileBytes))
            {
                files.Add(caFile);
            }

            if (authority == null)
            {
                files.Add(Path.Combine(folder, DockerTlsFileNames.CaKey));
            }
            else if (files.Contains(caFile) && File.Exists(Path.Combine(folder, DockerTlsFileNames.CaKey)))
            {
                warnings.Add($"'{Path.Combine(folder, DockerTlsFileNames.CaKey)}' is left in place although ca.pem now comes from " +
                    $"'{authority.CertificateFile}': it is not the key of that CA.");
            }

            files.AddRange(new[] { DockerTlsFileNames.ServerCertificate, DockerTlsFileNames.ServerKey, DockerTlsFileNames.ClientCertificate, DockerTlsFileNames.ClientKey }
                .Select(name => Path.Combine(folder, name)));
            // No key is generated before it is known that every file can be written (a folder named key.pem, a file
            // where a folder must be, a read-only folder): refused here, before anything is written.
            StagedFileSet.Check(files, folder, "Choose a folder you can write to.");
            StagedFileSet.RefuseExisting(files, request.Overwrite, folder);
            return new DockerTlsSetPlan(folder, dnsNames, addresses, commonName, request.ValidityDays, request.KeyAlgorithm, authority,
                files, files.Where(File.Exists).ToList(), warnings, request.Overwrite);
        }

        /// <summary>Generates the keys and certificates of a plan and writes them all-or-nothing.</summary>
        public static DockerTlsSet Create(DockerTlsSetPlan plan)
        {
            if (plan == null)
            {
                throw new ArgumentNullException(nameof(plan));
            }

            DateTime now = UtcNowToTheSecond();
            var random = new SecureRandom();
            var issuer = new CertificateIssuer(random);
            bool newCa = plan.Authority == null;
            AsymmetricCipherKeyPair[] keys = TlsKeyPairs.Generate(plan.KeyAlgorithm, newCa ? 3 : 2, random);
            DateTime notBefore = now - ClockSkewAllowance;

            X509Certificate ca = newCa
                ? issuer.CreateAuthority(keys[2], plan.CommonName, notBefore, now.AddDays(plan.NewCaValidityDays.Value))
                : plan.Authority.Certificate;
            AsymmetricKeyParameter caKey = newCa ? keys[2].Private : plan.Authority.PrivateKey;
            DateTime caNotBefore = ExistingCertificateAuthority.Utc(ca.NotBefore);
            DateTime caNotAfter = ExistingCertificateAuthority.Utc(ca.NotAfter);

            // A leaf never claims to be valid outside its CA's lifetime.
            DateTime leafNotBefore = notBefore < caNotBefore ? caNotBefore : notBefore;
            DateTime leafNotAfter = now.AddDays(plan.ValidityDays) < caNotAfter ? now.AddDays(plan.ValidityDays) : caNotAfter;
            X509Certificate server = issuer.CreateServer(ca, caKey, keys[0].Public, plan.CommonName, plan.DnsNames, plan.Addresses, leafNotBefore, leafNotAfter);
            X509Certificate client = issuer.CreateClient(ca, caKey, keys[1].Public, leafNotBefore, leafNotAfter);

            var content = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [DockerTlsFileNames.CaCertificate] = newCa ? CertificatePem(ca) : plan.Authority.CertificateFileText,
                [DockerTlsFileNames.CaKey] = newCa ? TlsKeyPairs.ToPem(caKey) : null,
                [DockerTlsFileNames.ServerCertificate] = CertificatePem(server),
                [DockerTlsFileNames.ServerKey] = TlsKeyPairs.ToPem(keys[0].Private),
                [DockerTlsFileNames.ClientCertificate] = CertificatePem(client),
                [DockerTlsFileNames.ClientKey] = TlsKeyPairs.ToPem(keys[1].Private),
            };
            var files = plan.FilesToWrite
                .Select(file => new PlannedFile(file, content[Path.GetFileName(file)], IsKeyFile(Path.GetFileName(file))))
                .ToList();
            StagedFileSet.Write(files, plan.Overwrite, plan.Path);

            return new DockerTlsSet
            {
                Path = plan.Path,
                CaCertificateFile = Path.Combine(plan.Path, DockerTlsFileNames.CaCertificate),
                CaKeyFile = newCa ? Path.Combine(plan.Path, DockerTlsFileNames.CaKey) : plan.Authority.KeyFile,
                ServerCertificateFile = Path.Combine(plan.Path, DockerTlsFileNames.ServerCertificate),
                ServerKeyFile = Path.Combine(plan.Path, DockerTlsFileNames.ServerKey),
                ClientCertificateFile = Path.Combine(plan.Path, DockerTlsFileNames.ClientCertificate),
                ClientKeyFile = Path.Combine(plan.Path, DockerTlsFileNames.ClientKey),
                DnsNames = plan.DnsNames,
                IPAddresses = plan.IPAddresses,
                CommonName = plan.CommonName,
                KeyAlgorithm = plan.KeyAlgorithm,
                CaThumbprint = Thumbprint(ca),
                ServerThumbprint = Thumbprint(server),
                ClientThumbprint = Thumbprint(client),
                CaNotAfter = caNotAfter,
                ServerNotAfter = ExistingCertificateAuthority.Utc(server.NotAfter),
                ClientNotAfter = ExistingCertificateAuthority.Utc(client.NotAfter),
                CaReused = !newCa,
            };
        }

        /// <summary>
        /// A certificate authority alone (ca.pem, ca-key.pem 0600) in <paramref name="folder"/>, all-or-nothing, for
        /// sets issued later from it (a resource group's hosts). Refuses to replace one that is there.
        /// </summary>
        internal static void CreateAuthority(string folder, string commonName)
        {
            var files = new[] { DockerTlsFileNames.CaCertificate, DockerTlsFileNames.CaKey }.Select(name => Path.Combine(folder, name)).ToList();
            StagedFileSet.Check(files, folder, "Choose a folder you can write to.");
            StagedFileSet.RefuseExisting(files, false, folder);
            DateTime now = UtcNowToTheSecond();
            var random = new SecureRandom();
            AsymmetricCipherKeyPair key = TlsKeyPairs.Generate(TlsKeyAlgorithm.EcdsaP256, 1, random)[0];
            X509Certificate ca = new CertificateIssuer(random).CreateAuthority(key, commonName, now - ClockSkewAllowance, now.AddDays(MinimumCaValidityDays));
            StagedFileSet.Write(new[]
            {
                new PlannedFile(files[0], CertificatePem(ca), false),
                new PlannedFile(files[1], TlsKeyPairs.ToPem(key.Private), true),
            }, false, folder);
        }

        /// <summary>Where a resource group's CA lives on the admin's machine: &lt;DOCKER_CONFIG&gt;/azdockervm/ca/&lt;subscription&gt;/&lt;group&gt;.</summary>
        internal static string AuthorityFolder(string dockerConfigDirectory, string subscriptionId, string resourceGroupName)
            => Path.Combine(AuthorityRoot(dockerConfigDirectory), subscriptionId.ToLowerInvariant(), resourceGroupName.ToLowerInvariant());

        /// <summary>&lt;DOCKER_CONFIG&gt;/azdockervm/ca: the resource groups' CAs, by subscription and group.</summary>
        internal static string AuthorityRoot(string dockerConfigDirectory) => Path.Combine(dockerConfigDirectory, AppFolderName, "ca");

        /// <summary>Where AzDockerVm keeps a host's generated SSH key: &lt;DOCKER_CONFIG&gt;/azdockervm/ssh/&lt;group&gt;/&lt;host&gt;.</summary>
        internal static string SshKeyFolder(string dockerConfigDirectory, string resourceGroupName, string hostName)
            => Path.Combine(dockerConfigDirectory, AppFolderName, "ssh", resourceGroupName.ToLowerInvariant(), hostName.ToLowerInvariant());

        /// <summary>The one default folder of a set: &lt;DOCKER_CONFIG&gt;/azdockervm/&lt;first name&gt; (New-DockerTlsCertificate and Set).</summary>
        internal static string DefaultFolder(string dockerConfigDirectory, string firstName)
        {
            if (string.IsNullOrEmpty(dockerConfigDirectory))
            {
                throw new ArgumentException("Either Path or DockerConfigDirectory must be set.", nameof(dockerConfigDirectory));
            }

            return Path.Combine(dockerConfigDirectory, AppFolderName, SubjectAlternativeNames.ToFolderName(firstName));
        }

        /// <summary>
        /// A CN is shown in every tool that prints the certificate: printable text only (no control or format characters,
        /// which can forge line breaks or reorder text in a terminal), without padding, at most 64 characters (X.520).
        /// </summary>
        private static string RequireCommonName(string commonName)
        {
            string problem = commonName.Length > 64 ? "it is longer than 64 characters (X.520's limit)"
                : commonName.Any(c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format)
                    ? "it holds control or format characters"
                : commonName.Trim() != commonName ? "it starts or ends with white space"
                : null;
            if (problem != null)
            {
                string shown = string.Concat(commonName.Select(c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format ? "\\u" + ((int)c).ToString("x4") : c.ToString()));
                throw new AzDockerVmException("InvalidCommonName", FailureKind.InvalidArgument, shown,
                    $"-CommonName '{shown}' is not usable as a certificate's common name: {problem}. Nothing was written.",
                    "Give a short printable name, e.g. the host's DNS name, or leave -CommonName out (the first DNS name or IP address is used).");
            }

            return commonName;
        }

        private static bool SameBytes(string path, byte[] expected)
            => File.Exists(path) && File.ReadAllBytes(path).SequenceEqual(expected);

        internal static bool IsKeyFile(string name)
            => name == DockerTlsFileNames.CaKey || name == DockerTlsFileNames.ServerKey || name == DockerTlsFileNames.ClientKey;

        internal static string CertificatePem(X509Certificate certificate) => PemFile.Encode("CERTIFICATE", certificate.GetEncoded());

        /// <summary>SHA-1 of the DER certificate, upper-case hex: what Windows shows as Thumbprint.</summary>
        internal static string Thumbprint(X509Certificate certificate)
            => Hex.ToHexString(DigestUtilities.CalculateDigest("SHA-1", certificate.GetEncoded())).ToUpperInvariant();

        internal static DateTime UtcNowToTheSecond()
        {
            // X.509 times have one-second resolution; the DTO then states exactly what the certificates say.
            long ticks = DateTime.UtcNow.Ticks;
            return new DateTime(ticks - (ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        }
    }
}

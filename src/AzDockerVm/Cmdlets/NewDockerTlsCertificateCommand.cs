using System;
using System.Linq;
using System.Management.Automation;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Tls;
using AzDockerVm.Models;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// Creates the TLS files of a Docker host (CA, server and client certificates and keys, with Docker's file names),
    /// or issues a new server/client pair from an existing CA. Everything is validated before anything is written.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "DockerTlsCertificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(DockerTlsCertificateSet))]
    public sealed class NewDockerTlsCertificateCommand : AzDockerVmCmdlet
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        public string[] DnsName { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string[] IPAddress { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        [Parameter]
        [ValidateLength(1, 64)]
        public string CommonName { get; set; }

        [Parameter]
        public int ValidityDays { get; set; } = 825;

        [Parameter]
        public DockerTlsKeyAlgorithm KeyAlgorithm { get; set; } = DockerTlsKeyAlgorithm.ECDSA_P256;

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string CertificateAuthorityPath { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecordCore()
        {
            DockerTlsSetPlan plan = DockerTlsMaterial.Plan(new DockerTlsSetRequest
            {
                DnsNames = DnsName ?? new string[0],
                IPAddresses = IPAddress ?? new string[0],
                Path = Path == null ? null : ResolveFileSystemPath(Path, "-Path"),
                DockerConfigDirectory = DockerConfigDirectory(),
                CommonName = CommonName,
                ValidityDays = ValidityDays,
                KeyAlgorithm = ToEngine(KeyAlgorithm),
                CertificateAuthorityPath = CertificateAuthorityPath == null ? null : ResolveFileSystemPath(CertificateAuthorityPath, "-CertificateAuthorityPath"),
                Overwrite = Force,
            });
            foreach (string warning in plan.Warnings)
            {
                WriteWarning(warning);
            }

            string files = string.Join(", ", plan.FilesToWrite.Select(System.IO.Path.GetFileName));
            string overwriting = plan.FilesToOverwrite.Count == 0
                ? string.Empty
                : "; overwrite " + string.Join(", ", plan.FilesToOverwrite.Select(System.IO.Path.GetFileName));
            string issuer = plan.CaReused ? "issued by the CA in '" + plan.CertificateAuthorityPath + "'" : "with a new CA";
            if (!ShouldProcess(plan.Path, $"Create Docker TLS files {files} ({KeyAlgorithm}, {issuer}){overwriting}"))
            {
                return;
            }

            WriteVerbose(plan.CaReused
                ? $"Issuing from the existing CA '{plan.CaSubject}' in '{plan.CertificateAuthorityPath}' (valid until {plan.CaNotAfter:u}); its ca-key.pem is only read."
                : $"Creating a new CA ({KeyAlgorithm}) valid for {plan.NewCaValidityDays} days.");
            WriteVerbose($"Server certificate CN={plan.CommonName} for {Describe(plan)}; client certificate CN=client; valid for {plan.ValidityDays} days.");
            WriteVerbose($"Writing {files} to '{plan.Path}' (private keys readable by the owner only).");
            WriteObject(ToModel(DockerTlsMaterial.Create(plan)));
        }

        /// <summary>The next step in this cmdlet's own parameters.</summary>
        protected override string RecommendedActionFor(AzDockerVmException ex)
        {
            switch (ex.ErrorId)
            {
                case "FileExists":
                    return "Use -Force to overwrite them, or choose another -Path.";
                case "TargetIsAFolder":
                    return "Move or remove that folder (-Force replaces files, never folders), or choose another -Path.";
                case "PathNotWritable":
                    return "Choose a folder you can write to with -Path.";
                default:
                    return base.RecommendedActionFor(ex);
            }
        }

        private static string Describe(DockerTlsSetPlan plan)
        {
            string dns = plan.DnsNames.Count == 0 ? null : "DNS: " + string.Join(", ", plan.DnsNames);
            string ip = plan.IPAddresses.Count == 0 ? null : "IP: " + string.Join(", ", plan.IPAddresses);
            return string.Join("; ", new[] { dns, ip }.Where(s => s != null));
        }

        private static TlsKeyAlgorithm ToEngine(DockerTlsKeyAlgorithm algorithm)
        {
            switch (algorithm)
            {
                case DockerTlsKeyAlgorithm.ECDSA_P256: return TlsKeyAlgorithm.EcdsaP256;
                case DockerTlsKeyAlgorithm.ECDSA_P384: return TlsKeyAlgorithm.EcdsaP384;
                case DockerTlsKeyAlgorithm.RSA2048: return TlsKeyAlgorithm.Rsa2048;
                case DockerTlsKeyAlgorithm.RSA3072: return TlsKeyAlgorithm.Rsa3072;
                case DockerTlsKeyAlgorithm.RSA4096: return TlsKeyAlgorithm.Rsa4096;
                default: throw new PSArgumentOutOfRangeException(nameof(KeyAlgorithm), algorithm, "Unknown key algorithm.");
            }
        }

        private DockerTlsCertificateSet ToModel(DockerTlsSet set) => new DockerTlsCertificateSet
        {
            Path = set.Path,
            CaCertificateFile = set.CaCertificateFile,
            CaKeyFile = set.CaKeyFile,
            ServerCertificateFile = set.ServerCertificateFile,
            ServerKeyFile = set.ServerKeyFile,
            ClientCertificateFile = set.ClientCertificateFile,
            ClientKeyFile = set.ClientKeyFile,
            DnsName = set.DnsNames.ToArray(),
            IPAddress = set.IPAddresses.ToArray(),
            CommonName = set.CommonName,
            KeyAlgorithm = KeyAlgorithm,
            CaThumbprint = set.CaThumbprint,
            ServerThumbprint = set.ServerThumbprint,
            ClientThumbprint = set.ClientThumbprint,
            CaNotAfter = set.CaNotAfter,
            ServerNotAfter = set.ServerNotAfter,
            ClientNotAfter = set.ClientNotAfter,
            CaReused = set.CaReused,
        };
    }
}

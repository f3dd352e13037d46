using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Tls;
using AzDockerVm.Models;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// Renews the server and/or client certificate of a local TLS set from the set's own CA (new keys, serials and
    /// validity; ca.pem and ca-key.pem only read), all or nothing, together with the copies in the docker contexts made
    /// from the set. Writes the renewed certificates as Get-DockerTlsCertificate does.
    /// </summary>
    [Cmdlet(VerbsData.Update, "DockerTlsCertificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(DockerTlsCertificate))]
    public sealed class UpdateDockerTlsCertificateCommand : AzDockerVmCmdlet
    {
        private readonly HashSet<string> _renewed = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>By property name from New-DockerTlsCertificate's set and Get-DockerTlsCertificate's certificates (a set piped twice is renewed once).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        [Parameter]
        public SwitchParameter Server { get; set; }

        [Parameter]
        public SwitchParameter Client { get; set; }

        [Parameter]
        [ValidateNotNull]
        [AllowEmptyCollection]
        public string[] DnsName { get; set; }

        [Parameter]
        [ValidateNotNull]
        [AllowEmptyCollection]
        public string[] IPAddress { get; set; }

        [Parameter]
        public int ValidityDays { get; set; }

        [Parameter]
        public DockerTlsKeyAlgorithm KeyAlgorithm { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string CertificateAuthorityPath { get; set; }

        protected override void ProcessRecordCore() => Renew();

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Renew()
        {
            // What is wrong with the parameters is wrong for every set: terminating. What is wrong with one set is its error.
            CertificateRenewalRequest request = Request();
            CertificateRenewal.CheckRequest(request);
            try
            {
                request.Path = ResolveFileSystemPath(Path, "-Path");
            }
            catch (AzDockerVmException ex)
            {
                throw new RecordFailedException(ex);
            }

            if (!_renewed.Add(request.Path))
            {
                WriteVerbose($"'{request.Path}' was renewed already in this pipeline.");
                return;
            }

            CertificateRenewalPlan plan;
            try
            {
                plan = CertificateRenewal.Plan(request);
            }
            catch (AzDockerVmException ex)
            {
                throw new RecordFailedException(ex);
            }

            foreach (string warning in plan.Warnings)
            {
                WriteWarning(warning);
            }

            string contexts = plan.Contexts.Count == 0 ? string.Empty
                : "; refresh cert.pem and key.pem of docker context(s) " + string.Join(", ", plan.Contexts.Select(c => "'" + c.Name + "'"));
            string what = string.Join("; ", plan.Items.Select(Describe));
            if (!ShouldProcess(plan.Path, $"Renew {what}, issued by the CA '{plan.CaSubject}' in '{plan.CertificateAuthorityPath}'{contexts}"))
            {
                return;
            }

            foreach (CertificateRenewalItem item in plan.Items)
            {
                WriteVerbose($"Renewing {item.File} (serial {item.OldSerialNumber}, valid until {item.OldNotAfter:u}) with a new {TlsKeyAlgorithmNames.Name(item.KeyAlgorithm)} key; {item.KeyFile} is replaced, readable by the owner only. ca.pem and ca-key.pem are only read.");
            }

            CertificateRenewalResult result;
            try
            {
                result = CertificateRenewal.Renew(plan);
            }
            catch (AzDockerVmException ex)
            {
                throw new RecordFailedException(ex);
            }

            foreach (DockerContextTlsCopy context in result.Contexts)
            {
                WriteVerbose($"Docker context '{context.Name}': cert.pem and key.pem in '{context.TlsPath}' replaced with the renewed client files.");
            }

            if (plan.Items.Any(i => i.Role == CertificateRole.Server))
            {
                WriteVerbose($"A Docker daemon serves the new server certificate once it is restarted with {DockerTlsFileNames.ServerCertificate} and {DockerTlsFileNames.ServerKey} of '{plan.Path}'.");
            }

            foreach (CertificateFacts facts in result.Certificates)
            {
                WriteObject(CertificateConverter.ToModel(facts));
            }
        }

        private CertificateRenewalRequest Request() => new CertificateRenewalRequest
        {
            Path = Path,
            Server = Server,
            Client = Client,
            DnsNames = DnsName,
            IPAddresses = IPAddress,
            ValidityDays = MyInvocation.BoundParameters.ContainsKey(nameof(ValidityDays)) ? ValidityDays : (int?)null,
            KeyAlgorithm = MyInvocation.BoundParameters.ContainsKey(nameof(KeyAlgorithm)) ? KeyAlgorithm.ToString() : null,
            CertificateAuthorityPath = CertificateAuthorityPath == null ? null : ResolveFileSystemPath(CertificateAuthorityPath, "-CertificateAuthorityPath"),
            DockerConfigDirectory = DockerConfigDirectory(),
        };

        private static string Describe(CertificateRenewalItem item)
        {
            string names = item.Role != CertificateRole.Server ? string.Empty
                : " for " + string.Join(", ", item.DnsNames.Select(n => "DNS:" + n).Concat(item.IPAddresses.Select(a => "IP:" + a)));
            return $"{item.File} and {item.KeyFile} ({item.Subject}{names}; {TlsKeyAlgorithmNames.Name(item.KeyAlgorithm)}, {item.ValidityDays} days)";
        }

        /// <summary>The next step in this cmdlet's own parameters.</summary>
        protected override string RecommendedActionFor(AzDockerVmException ex)
        {
            switch (ex.ErrorId)
            {
                case "NotATlsSet":
                case "PathNotFound":
                    return "Give -Path the folder of a TLS set that holds ca.pem and the server-cert.pem or cert.pem to renew.";
                case "FileNotFound":
                    return "Leave out -Server or -Client for a certificate the set does not have.";
                case "CertificateAuthorityKeyNotFound":
                    return "Give -CertificateAuthorityPath the folder holding the set's CA (ca.pem and ca-key.pem; the message names it when this machine keeps it), or make a new set with New-DockerTlsCertificate.";
                case "CertificateAuthorityNotFound":
                case "CertificateAuthorityNotCA":
                    return "Point -CertificateAuthorityPath at the folder holding the set's CA: its ca.pem and ca-key.pem.";
                case "CertificateAuthorityKeyMismatch":
                    return "Use the ca-key.pem created together with the set's ca.pem (-CertificateAuthorityPath for a CA kept in another folder).";
                case "CertificateAuthorityMismatch":
                    return "Give -CertificateAuthorityPath the folder of the CA that issued the set (its ca.pem is in the set's ca.pem).";
                case "CertificateAuthorityExpired":
                    return "An expired CA cannot renew: make a new set with New-DockerTlsCertificate and give its ca.pem to the Docker host and its clients.";
                case "UnsupportedKeyAlgorithm":
                    return "Choose the new keys' algorithm with -KeyAlgorithm.";
                case "SubjectAlternativeNameWithoutServer":
                    return "Add -Server to renew the server certificate with those names, or leave -DnsName and -IPAddress out.";
                case "NoSubjectAlternativeName":
                    return "Give the server certificate at least one name with -DnsName or -IPAddress.";
                case "InvalidValidityDays":
                    return $"Use a -ValidityDays from 1 to {DockerTlsSetRequest.MaxValidityDays}, or leave it out to keep the old certificate's lifetime.";
                case "PathNotWritable":
                case "TargetIsAFolder":
                    return "Make sure the set's folder and the docker contexts' TLS folders can be written; nothing was changed.";
                case "PemNoCertificate":
                case "PemInvalid":
                case "PemHasByteOrderMark":
                    return "Put the certificate back as PEM without a byte order mark (as New-DockerTlsCertificate wrote it), or make the set again with New-DockerTlsCertificate.";
                case "FileNotReadable":
                    return "Run as the user who owns the set, or give that user read access to the file.";
                default:
                    return base.RecommendedActionFor(ex);
            }
        }
    }
}

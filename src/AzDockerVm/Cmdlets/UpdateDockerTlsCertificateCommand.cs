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
            request.Path = OfThisSet(() => ResolveFileSystemPath(Path, "-Path"));
            if (!_renewed.Add(request.Path))
            {
                WriteVerbose($"'{request.Path}' was renewed already in this pipeline.");
                return;
            }

            CertificateRenewalPlan plan = OfThisSet(() => CertificateRenewal.Plan(request));
            foreach (string warning in plan.Warnings)
            {
                WriteWarning(warning);
            }

            if (!ShouldProcess(plan.Path, Describe(plan)))
            {
                return;
            }

            foreach (CertificateRenewalItem item in plan.Items)
            {
                WriteVerbose($"Renewing {item.File} (serial {item.OldSerialNumber}, valid until {item.OldNotAfter:u}) with a new {TlsKeyAlgorithmNames.Name(item.KeyAlgorithm)} key; {item.KeyFile} is replaced, readable by the owner only. ca.pem and ca-key.pem are only read.");
            }

            CertificateRenewalResult result = OfThisSet(() => CertificateRenewal.Renew(plan));
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

        /// <summary>A failure about the set is this record's error: the other piped sets go on.</summary>
        private static T OfThisSet<T>(Func<T> work)
        {
            try
            {
                return work();
            }
            catch (AzDockerVmException ex)
            {
                throw new RecordFailedException(ex);
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

        /// <summary>What -WhatIf and -Confirm name: each certificate as it will be, the CA, the contexts.</summary>
        private static string Describe(CertificateRenewalPlan plan)
        {
            string Item(CertificateRenewalItem item)
            {
                string names = item.Role != CertificateRole.Server ? string.Empty
                    : " for " + string.Join(", ", item.DnsNames.Select(n => "DNS:" + n).Concat(item.IPAddresses.Select(a => "IP:" + a)));
                return $"{item.File} and {item.KeyFile} ({item.Subject}{names}; {TlsKeyAlgorithmNames.Name(item.KeyAlgorithm)}, {item.ValidityDays} days)";
            }

            string contexts = plan.Contexts.Count == 0 ? string.Empty
                : "; refresh cert.pem and key.pem of docker context(s) " + string.Join(", ", plan.Contexts.Select(c => "'" + c.Name + "'"));
            return $"Renew {string.Join("; ", plan.Items.Select(Item))}, issued by the CA '{plan.CaSubject}' in '{plan.CertificateAuthorityPath}'{contexts}";
        }

        /// <summary>The next step in this cmdlet's own parameters.</summary>
        protected override string RecommendedActionFor(AzDockerVmException ex)
            => TlsCertificateAdvice.ForRenewal(ex.ErrorId) ?? TlsCertificateAdvice.ForReading(ex.ErrorId) ?? base.RecommendedActionFor(ex);
    }
}

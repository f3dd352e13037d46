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
    /// What the two phases of a local set's CA rotation share: the set (-Path), the client sets brought along
    /// (-ClientPath), -WhatIf, one failure per set, and the rotation object they write.
    /// </summary>
    public abstract class DockerTlsRotationCmdlet : AzDockerVmCmdlet
    {
        private readonly HashSet<string> _done = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>By property name from New-DockerTlsCertificate's set and from Start's output (a set piped twice is rotated once).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        /// <summary>Folders of other clients of the set (ca.pem, cert.pem, key.pem); by property name from Start's output.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        [AllowEmptyCollection]
        public string[] ClientPath { get; set; }

        /// <summary>True for Complete-, false for Start-DockerTlsCertificateAuthorityRotation.</summary>
        protected abstract bool Completes { get; }

        /// <summary>The new CA's key algorithm name (Start's -KeyAlgorithm), or null.</summary>
        protected virtual string NewCaKeyAlgorithm => null;

        protected override void ProcessRecordCore() => Rotate();

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Rotate()
        {
            var request = new CertificateAuthorityRotationRequest
            {
                Path = OfThisSet(() => ResolveFileSystemPath(Path, "-Path")),
                ClientPaths = (ClientPath ?? new string[0]).Select(p => OfThisSet(() => ResolveFileSystemPath(p, "-ClientPath"))).ToList(),
                KeyAlgorithm = NewCaKeyAlgorithm,
                DockerConfigDirectory = DockerConfigDirectory(),
            };
            if (!_done.Add(request.Path))
            {
                WriteVerbose($"The CA rotation of '{request.Path}' was handled already in this pipeline.");
                return;
            }

            CertificateAuthorityRotationPlan plan = OfThisSet(() => Completes ? CertificateAuthorityRotation.PlanComplete(request) : CertificateAuthorityRotation.PlanStart(request));
            foreach (string warning in plan.Warnings)
            {
                WriteWarning(warning);
            }

            if (!ShouldProcess(plan.Path, Completes ? DescribeCompletion(plan) : DescribeStart(plan)))
            {
                return;
            }

            CertificateAuthorityRotationStep step = OfThisSet(() => CertificateAuthorityRotation.Issue(plan));
            CertificateAuthorityRotationResult result = OfThisSet(() => CertificateAuthorityRotation.Apply(step));
            foreach (string file in step.LocalFiles)
            {
                WriteVerbose($"Wrote '{file}'.");
            }

            foreach (string file in plan.FilesToRemove)
            {
                WriteVerbose($"Deleted '{file}': the retired CA can issue nothing more.");
            }

            WriteVerbose(Completes
                ? $"Restart the Docker daemon with ca.pem (the new CA alone), server-cert.pem and server-key.pem of '{plan.Path}': from then on it refuses clients of the old CA."
                : $"Restart the Docker daemon with ca.pem (old and new CA), server-cert.pem and server-key.pem of '{plan.Path}': it then accepts clients of both CAs. Then give the client sets their new files, and complete the rotation.");
            WriteObject(ToModel(result));
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

        private static string DescribeStart(CertificateAuthorityRotationPlan plan)
            => $"Start a CA rotation: make a new CA '{plan.NewCa.Subject}' ({plan.NewCaKeyAlgorithm}, until {plan.NewCa.NotAfter:u}); " +
               $"ca.pem becomes the old and the new CA, ca-key.pem the new CA's key (the old CA and its key kept in {CertificateAuthorityRotation.FolderName}); " +
               $"server-cert.pem stays the old CA's{Clients(plan, "re-issue from the new CA")}{Contexts(plan)}";

        private static string DescribeCompletion(CertificateAuthorityRotationPlan plan)
            => $"Complete the CA rotation: re-issue server-cert.pem and server-key.pem from the new CA '{plan.NewCa.Subject}' ({plan.NewCa.Thumbprint}); " +
               $"ca.pem becomes the new CA alone; delete the old CA's key{Clients(plan, "re-issue from the new CA")}{Contexts(plan)}. " +
               $"Clients of the old CA '{plan.OldCa.Subject}' ({plan.OldCa.Thumbprint}) are refused once the daemon restarts with these files";

        private static string Clients(CertificateAuthorityRotationPlan plan, string verb)
        {
            string reissued = plan.ReissuedClientCertificates.Count == 0 ? string.Empty : $"; {verb} {string.Join(", ", plan.ReissuedClientCertificates.Select(f => "'" + f + "'"))}";
            string trusts = plan.ClientPaths.Count == 0 ? string.Empty : $"; write ca.pem of client set(s) {string.Join(", ", plan.ClientPaths.Select(f => "'" + f + "'"))}";
            return reissued + trusts;
        }

        private static string Contexts(CertificateAuthorityRotationPlan plan)
            => plan.Contexts.Count == 0 ? string.Empty : "; refresh docker context(s) " + string.Join(", ", plan.Contexts.Select(c => "'" + c.Name + "'"));

        private static DockerTlsCertificateAuthorityRotation ToModel(CertificateAuthorityRotationResult result) => new DockerTlsCertificateAuthorityRotation
        {
            Path = result.Path,
            Status = result.State.Status,
            StartTime = result.State.StartTime,
            CompletionTime = result.State.CompletionTime,
            OldCaSubject = result.State.OldCa.Subject,
            OldCaThumbprint = result.State.OldCa.Thumbprint,
            NewCaSubject = result.State.NewCa.Subject,
            NewCaThumbprint = result.State.NewCa.Thumbprint,
            NewCaNotAfter = result.State.NewCa.NotAfter,
            ClientPath = result.ClientPaths.ToArray(),
            ReissuedCertificate = result.ReissuedClientCertificates.ToArray(),
            DockerContext = result.Contexts.Select(c => c.Name).ToArray(),
            StateFile = result.State.File,
        };

        /// <summary>The next step in these cmdlets' own words.</summary>
        protected override string RecommendedActionFor(AzDockerVmException ex)
            => TlsCertificateAdvice.ForRotation(ex.ErrorId) ?? TlsCertificateAdvice.ForReading(ex.ErrorId) ?? base.RecommendedActionFor(ex);
    }
}

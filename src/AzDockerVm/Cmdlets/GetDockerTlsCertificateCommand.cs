using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Tls;
using AzDockerVm.Models;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// The certificates of Docker TLS sets (ca.pem, server-cert.pem, cert.pem), one flat object each, with a warning for
    /// each one that expires within -WarningDays. Reads the sets only; never reports key material.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "DockerTlsCertificate", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(DockerTlsCertificate))]
    public sealed class GetDockerTlsCertificateCommand : AzDockerVmCmdlet
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";

        /// <summary>Folders, wildcards allowed; by property name from New-DockerTlsCertificate's set (its Path).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Path { get; set; }

        /// <summary>Folders as they are; by property name from a docker context (TlsPath), a Docker host (CertificatePath) or Get-ChildItem (PSPath).</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "LP", "TlsPath", "CertificatePath")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        [Parameter]
        [ValidateRange(0, 3650)]
        public int WarningDays { get; set; } = 30;

        protected override object ErrorTarget => LiteralPath ?? (object)Path;

        protected override void ProcessRecordCore() => Read();

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Read()
        {
            DateTime now = DateTime.UtcNow;
            bool literal = ParameterSetName == LiteralPathSet;
            foreach (string given in literal ? LiteralPath : Path)
            {
                bool wildcard = !literal && WildcardPattern.ContainsWildcardCharacters(given);
                foreach (string folder in OnePath(given, () => wildcard ? Matches(given) : new[] { ResolveFileSystemPath(given, literal ? "-LiteralPath" : "-Path") }))
                {
                    OnePath(folder, () =>
                    {
                        Report(CertificateInspector.Inspect(folder, now), now);
                        return new string[0];
                    }, skipNotATlsSet: wildcard);
                }
            }
        }

        private void Report(CertificateInspection inspection, DateTime now)
        {
            foreach (AzDockerVmException failure in inspection.Failures)
            {
                WriteError(ErrorRecords.From(failure, RecommendedActionFor(failure)));
            }

            foreach (CertificateFacts facts in inspection.Certificates)
            {
                DockerTlsCertificate certificate = CertificateConverter.ToModel(facts);
                if (CertificateWarnings.Due(certificate.NotAfter, now, WarningDays))
                {
                    WriteWarning($"The {certificate.Role} certificate '{certificate.FullName}' ({certificate.Subject}) {CertificateWarnings.When(certificate.NotAfter, certificate.DaysLeft, now, WarningDays)}.");
                }

                WriteObject(certificate);
            }
        }

        /// <summary>The folders a wildcard path matches (files it matches are not sets; no match is no output, as with Get-ChildItem).</summary>
        private IEnumerable<string> Matches(string path)
        {
            ProviderInfo provider;
            IEnumerable<string> resolved;
            try
            {
                resolved = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
            }
            catch (ItemNotFoundException)
            {
                return new string[0];
            }

            if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
            {
                // The one refusal of a path of another provider, in its own words.
                ResolveFileSystemPath(path, "-Path");
            }

            var folders = new List<string>();
            foreach (string match in resolved)
            {
                if (System.IO.Directory.Exists(match))
                {
                    folders.Add(match);
                }
            }

            return folders;
        }

        /// <summary>One path's failure is that path's error, and the other paths go on (as Get-Item does).</summary>
        private IEnumerable<string> OnePath(string target, Func<IEnumerable<string>> work, bool skipNotATlsSet = false)
        {
            try
            {
                return work();
            }
            catch (AzDockerVmException ex) when (skipNotATlsSet && ex.ErrorId == "NotATlsSet")
            {
            }
            catch (AzDockerVmException ex)
            {
                WriteError(ErrorRecords.From(ex, RecommendedActionFor(ex)));
            }
            catch (Exception ex) when (!ErrorRecords.IsPowerShells(ex))
            {
                WriteError(ErrorRecords.Unexpected(ex, target));
            }

            return new string[0];
        }

        protected override string RecommendedActionFor(AzDockerVmException ex)
            => TlsCertificateAdvice.ForReading(ex.ErrorId) ?? base.RecommendedActionFor(ex);
    }
}

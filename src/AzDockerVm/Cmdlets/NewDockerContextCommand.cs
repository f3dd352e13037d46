using System.Management.Automation;
using System.Runtime.CompilerServices;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Tls;
using AzDockerVm.Models;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// Writes a docker CLI context (endpoint + TLS files) into $env:DOCKER_CONFIG (default ~/.docker) in the CLI's own
    /// format, so `docker --context NAME ...` talks to the host over mutual TLS. -Use makes it the current context.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "DockerContext", SupportsShouldProcess = true, DefaultParameterSetName = CertificateSet)]
    [OutputType(typeof(DockerContextInfo))]
    public sealed class NewDockerContextCommand : DockerTlsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; }

        /// <summary>By property name also as DockerHost, so a New-/Get-AzDockerVm host pipes in (with its Name and CertificatePath).</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = CertificatePathSet)]
        [Parameter(Position = 1, ParameterSetName = CertificateSet)]
        [Alias("DockerHost")]
        public string Endpoint { get; set; }

        [Parameter]
        public string Description { get; set; }

        [Parameter]
        public SwitchParameter Use { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecordCore() => CreateContext();

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void CreateContext()
        {
            var (ca, cert, key) = ClientTlsFiles();
            DockerContextPlan plan = DockerContextStore.Prepare(new DockerContextRequest
            {
                Name = Name,
                Endpoint = EndpointOrDefault(Endpoint),
                Description = Description,
                CaFile = ca,
                CertFile = cert,
                KeyFile = key,
                DockerConfig = DockerConfigDirectory(),
                Use = Use,
                Overwrite = Force,
            });
            WriteVerbose($"Context '{plan.Name}' points at {plan.Endpoint}; TLS files from '{ca}', '{cert}', '{key}'.");

            string target = $"docker context '{plan.Name}' ({plan.Endpoint}) in DOCKER_CONFIG '{plan.DockerConfig}'";
            string action = (plan.ReplacesExisting ? "Replace" : "Create") + (plan.Use ? " and make current" : string.Empty);
            if (!ShouldProcess(target, action))
            {
                return;
            }

            DockerContextResult result = DockerContextStore.Write(plan);
            WriteVerbose($"Wrote '{result.MetaFile}' and ca.pem, cert.pem, key.pem in '{result.TlsPath}'.");
            if (plan.Use)
            {
                WriteVerbose($"'{result.Name}' is now the current context in '{System.IO.Path.Combine(result.DockerConfig, "config.json")}'.");
            }

            WriteObject(new DockerContextInfo
            {
                Name = result.Name,
                Endpoint = result.Endpoint,
                Description = result.Description,
                Current = result.Current,
                DockerConfig = result.DockerConfig,
                MetaFile = result.MetaFile,
                TlsPath = result.TlsPath,
            });
        }

        /// <summary>The next step in this cmdlet's own parameters.</summary>
        protected override string RecommendedActionFor(AzDockerVmException ex)
            => ex.ErrorId == "ContextExists" ? "Use -Force to replace it, or choose another -Name."
                : ex.ErrorId == "TargetIsAFolder" ? "Move or remove that folder (-Force replaces files, never folders), or point $env:DOCKER_CONFIG at another folder."
                : base.RecommendedActionFor(ex);
    }
}

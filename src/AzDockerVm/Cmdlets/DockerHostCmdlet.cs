using System.Collections;
using System.Management.Automation;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Azure;
using AzDockerVm.Engine.Docker;
using AzDockerVm.Models;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// Every setting of the Docker host a cmdlet sets up on an Azure VM, declared once: the carrier, the daemon's
    /// port, configuration, options and version, the compose project, the registry login, hardening, the TLS set and
    /// the docker context, and -AsJob. Set-AzDockerExtension (an existing VM) derives from it, as a cmdlet that creates
    /// the VM will; <see cref="Azure.DockerHostRequestBuilder"/> turns these parameters into the engine's settings.
    /// </summary>
    public abstract class DockerHostCmdlet : AzureCmdlet
    {
        [Parameter(ValueFromPipeline = true)]
        public DockerTlsCertificateSet Certificate { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string CertificatePath { get; set; }

        [Parameter]
        public AzDockerExtensionHandler Handler { get; set; } = AzDockerExtensionHandler.CustomScript;

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ExtensionName { get; set; } = SetDockerExtensionRequest.DefaultExtensionName;

        [Parameter]
        [ValidateRange(1, 65535)]
        public int DockerPort { get; set; } = DockerEndpoint.DefaultTlsPort;

        [Parameter]
        public Hashtable DaemonConfig { get; set; }

        [Parameter]
        public string[] DockerOption { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string DockerVersion { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ComposeFile { get; set; }

        [Parameter]
        public Hashtable ComposeEnvironment { get; set; }

        [Parameter]
        [Credential]
        public PSCredential RegistryCredential { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string RegistryServer { get; set; }

        [Parameter]
        public SwitchParameter Hardened { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string AzureEnvironment { get; set; }

        [Parameter]
        public SwitchParameter NoDockerContext { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string TypeHandlerVersion { get; set; }

        [Parameter]
        public SwitchParameter DisableAutoUpgradeMinorVersion { get; set; }

        [Parameter]
        public SwitchParameter AsJob { get; set; }

        /// <summary>The next step in this cmdlet's own parameters (the TLS set and context live under $env:DOCKER_CONFIG: no -Path here).</summary>
        protected override string RecommendedActionFor(AzDockerVmException ex)
        {
            switch (ex.ErrorId)
            {
                case "PathNotWritable":
                case "TargetIsAFolder":
                    return "Point $env:DOCKER_CONFIG at a folder you can write to, give a TLS set of your own with -Certificate or -CertificatePath, or leave the docker context out with -NoDockerContext.";
                case "FileExists":
                    return "Use -Force to replace that set with a new one for the VM, or give a set of your own with -Certificate or -CertificatePath.";
                case "ContextExists":
                    return "Use -Force to replace it, or -NoDockerContext.";
                case "ForeignCustomScriptExtension":
                    return $"Remove it (Remove-AzVMExtension -Name {ex.Target}), or use -Force to replace it.";
                case "CertificateDoesNotCoverVm":
                    return ex.RecommendedAction + $" Or leave -Certificate and -CertificatePath out to let {MyInvocation.MyCommand.Name} create one.";
                default:
                    return base.RecommendedActionFor(ex);
            }
        }

        /// <summary>The warnings the chosen carrier deserves (the legacy handler is retired and sends the compose file in public).</summary>
        protected void WarnAboutCarrier()
        {
            if (Handler != AzDockerExtensionHandler.DockerExtension)
            {
                return;
            }

            WriteWarning("Azure retired the DockerExtension handler in November 2018; it can no longer be installed on today's Azure VMs. Use -Handler CustomScript (the default) unless your environment still has it.");
            if (ComposeFile != null)
            {
                WriteWarning("With -Handler DockerExtension the compose file travels in the extension's PUBLIC settings: anyone who can read the VM (Reader) can read it. Keep secrets in -ComposeEnvironment, which travels protected, or use -Handler CustomScript, which sends everything protected.");
            }
        }
    }
}

using System.Collections;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using AzDockerVm.Engine;
using AzDockerVm.Azure;
using AzDockerVm.Engine.Azure;
using AzDockerVm.Models;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// Turns an existing Linux VM into a TLS-secured Docker host through a VM extension (CustomScript running our
    /// provisioning script, or the legacy DockerExtension schema). Everything is checked, and every refusal made,
    /// before anything is written locally or in Azure.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "AzDockerExtension", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByNameSet)]
    [OutputType(typeof(AzDockerExtensionStatus), typeof(AzDockerExtensionOperation))]
    public sealed class SetAzDockerExtensionCommand : AzureVmCmdlet
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
        public int DockerPort { get; set; } = 2376;

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
        public SwitchParameter ForceRerun { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string TypeHandlerVersion { get; set; }

        [Parameter]
        public SwitchParameter DisableAutoUpgradeMinorVersion { get; set; }

        [Parameter]
        public SwitchParameter NoWait { get; set; }

        [Parameter]
        public SwitchParameter AsJob { get; set; }

        protected override void ProcessRecordCore() => Set();

        /// <summary>Set writes its TLS set and context under $env:DOCKER_CONFIG (it has no -Path): the advice says so.</summary>
        protected override string RecommendedActionFor(AzDockerVmException ex)
            => ex.ErrorId == "PathNotWritable" || ex.ErrorId == "TargetIsAFolder"
                ? "Point $env:DOCKER_CONFIG at a folder you can write to, give a TLS set of your own with -Certificate or -CertificatePath, or leave the docker context out with -NoDockerContext."
                : base.RecommendedActionFor(ex);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Set()
        {
            SetDockerExtensionRequest request = SetRequestBuilder.Build(this, TargetVm(), DockerConfigDirectory());
            SetDockerExtensionPlan plan = RunArm((arm, ct) => DockerExtensionService.PrepareSetAsync(arm, request, ct));
            if (Handler == AzDockerExtensionHandler.DockerExtension)
            {
                WriteWarning("Azure retired the DockerExtension handler in November 2018; it can no longer be installed on today's Azure VMs. Use -Handler CustomScript (the default) unless your environment still has it.");
                if (ComposeFile != null)
                {
                    WriteWarning("With -Handler DockerExtension the compose file travels in the extension's PUBLIC settings: anyone who can read the VM (Reader) can read it. Keep secrets in -ComposeEnvironment, which travels protected, or use -Handler CustomScript, which sends everything protected.");
                }
            }

            string target = $"VM '{plan.VmName}' in resource group '{plan.ResourceGroupName}'";
            string action = $"Install Docker with TLS on port {plan.Port} through {plan.HandlerName} {plan.TypeHandlerVersion} as extension '{ExtensionName}'"
                + (plan.CreatesCertificate ? $"; create a TLS set in '{plan.CertificateFolder}'" : string.Empty)
                + (plan.DockerContext != null ? $"; docker context '{plan.DockerContext}'" : string.Empty)
                + (plan.ForeignExtensionName != null ? $"; replace the CustomScript extension '{plan.ForeignExtensionName}' (not created by AzDockerVm)" : string.Empty)
                + (plan.EarlierExtensionName != null ? $"; replace AzDockerVm's extension '{plan.EarlierExtensionName}'" : string.Empty);
            if (!ShouldProcess(target, action))
            {
                return;
            }

            if (AsJob)
            {
                StartJob($"Set-AzDockerExtension {plan.VmName}", async (arm, ct) => ToOutput(await DockerExtensionService.ApplySetAsync(arm, plan, ct).ConfigureAwait(false)));
                return;
            }

            WriteObject(ToOutput(RunArm((arm, ct) => DockerExtensionService.ApplySetAsync(arm, plan, ct))));
        }

        private static object ToOutput((DockerExtensionInfo Status, DockerExtensionOperationInfo Operation) result)
        {
            return result.Operation != null ? (object)ModelConverter.ToModel(result.Operation) : ModelConverter.ToModel(result.Status, withInstanceView: false);
        }
    }
}

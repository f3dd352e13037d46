using System;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using AzDockerVm.Azure;
using AzDockerVm.Completion;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Azure;
using AzDockerVm.Engine.Tls;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// The Docker hosts of a resource group, or of the subscription: VMs New-AzDockerVm made (by its tags) and VMs
    /// carrying AzDockerVm's extension, by name or wildcard, with their endpoint, extension state and local files, and
    /// when the local set's first certificate expires (a warning within -WarningDays). No call to the hosts themselves.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "AzDockerVm")]
    [OutputType(typeof(Models.PSAzDockerVm))]
    public sealed class GetAzDockerVmCommand : AzureCmdlet
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ResourceGroupCompleter))]
        public string ResourceGroupName { get; set; }

        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("VMName")]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(VmNameCompleter))]
        public string Name { get; set; }

        /// <summary>Warn when the first certificate of a host's local set expires within this many days (0: only once it has expired).</summary>
        [Parameter]
        [ValidateRange(0, 3650)]
        public int WarningDays { get; set; } = 30;

        protected override void ProcessRecordCore() => Get();

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Get()
        {
            if (ResourceGroupName != null)
            {
                AzureNames.RequireResourceGroupName(ResourceGroupName);
            }

            string dockerConfig = DockerConfigDirectory();
            var hosts = RunArm((arm, ct) => DockerVmInventory.ListAsync(arm, ResourceGroupName, Name, dockerConfig, ct));
            if (hosts.Count == 0 && Name != null && !WildcardPattern.ContainsWildcardCharacters(Name))
            {
                string where = ResourceGroupName == null ? "the subscription" : $"resource group '{ResourceGroupName}'";
                WriteError(ErrorRecords.From(new AzDockerVmException("VmNotFound", FailureKind.ObjectNotFound, Name,
                    $"There is no Docker host named '{Name}' in {where} (no VM of that name with AzDockerVm's tags or extension).",
                    "Get-AzDockerVm without -Name lists the Docker hosts; New-AzDockerVm makes one."), null));
            }

            DateTime now = DateTime.UtcNow;
            foreach (DockerVmInfo host in hosts)
            {
                CertificateFacts first = host.FirstToExpire;
                if (first != null && CertificateWarnings.Due(first.NotAfter, now, WarningDays))
                {
                    WriteWarning(CertificateWarnings.ForLocalSet(host.ResourceGroupName, host.Name, first.Role.ToString(), first.FullName, first.NotAfter, first.DaysLeft, now, WarningDays));
                }

                WriteObject(ModelConverter.ToModel(host));
            }
        }
    }
}

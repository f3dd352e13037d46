using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using AzDockerVm.Completion;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Azure;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// Deletes a Docker host New-AzDockerVm made, and what it made for it, dependents first: the VM (its OS disk, NIC
    /// and public IP go with it), the host's NSG rules; then the group's network and NSG when no other resource uses
    /// them and AzDockerVm made them. Works on a half-made host. Never deletes the resource group or anything it did
    /// not make. -RemoveLocalCertificate also deletes the host's TLS set, SSH key and docker context (and the group's CA
    /// once no other Docker host of the group is left).
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "AzDockerVm", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveAzDockerVmCommand : AzureCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ResourceGroupCompleter))]
        public string ResourceGroupName { get; set; }

        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("VMName")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VmNameCompleter))]
        public string Name { get; set; }

        [Parameter]
        public SwitchParameter RemoveLocalCertificate { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter AsJob { get; set; }

        /// <summary>How many hosts of the pipeline are removed at once (the network they share goes once, after them).</summary>
        [Parameter]
        [ValidateRange(1, 100)]
        public int ThrottleLimit { get; set; } = HostFleet.DefaultThrottleLimit;

        // The pipeline's hosts (VmReferences, held as object so loading this type loads no engine), removed together at the end.
        private readonly List<object> _hosts = new List<object>();

        private string _dockerConfig;

        protected override void ProcessRecordCore()
        {
            if (RemoveLocalCertificate)
            {
                _dockerConfig = DockerConfigDirectory();
            }

            Queue();
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Queue() => _hosts.Add(new VmReference(ResourceGroupName, Name));

        protected override void EndProcessingCore()
        {
            if (_hosts.Count > 0)
            {
                Remove();
            }
        }

        /// <summary>Every host of the pipeline: found at once, asked about one by one, removed together (ThrottleLimit at a time), the shared network last.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Remove()
        {
            var hosts = _hosts.Cast<VmReference>().ToList();
            var found = new DockerVmRemoval[hosts.Count];
            RunEach(hosts, ThrottleLimit, $"{hosts.Count} Docker hosts",
                (arm, vm, ct) => DockerVmInventory.PlanRemovalAsync(arm, vm.ResourceGroupName, vm.VmName, _dockerConfig, RemoveLocalCertificate, ct),
                (vm, outcome) =>
                {
                    if (outcome.Failure != null)
                    {
                        WriteHostFailure(outcome.Failure, vm.VmName);
                    }
                    else if (!outcome.Result.VmIsOurs)
                    {
                        // This host's error (a pipeline from Get-AzDockerVm may hold hosts Set-AzDockerExtension made): the others go on.
                        WriteHostFailure(new AzDockerVmException("NotAnAzDockerVm", FailureKind.InvalidOperation, vm.VmName,
                            $"VM '{vm.VmName}' in resource group '{vm.ResourceGroupName}' was not created by New-AzDockerVm (it has no AzDockerVmHost tag); Remove-AzDockerVm deletes only what AzDockerVm made. Nothing was deleted.",
                            $"Remove-AzDockerExtension -ResourceGroupName {vm.ResourceGroupName} -VMName {vm.VmName} takes Docker off it; Remove-AzVM deletes the VM."), vm.VmName);
                    }
                    else
                    {
                        found[hosts.IndexOf(vm)] = outcome.Result;
                    }
                });

            string local = RemoveLocalCertificate ? "; locally, its TLS set, SSH key and docker context (and the group's CA when no other Docker host of the group is left)" : string.Empty;
            bool asked = !(Force && !WhatIfRequested());
            var approved = found.Where(r => r != null && (!asked || ShouldProcess($"Docker host '{r.Name}' in resource group '{r.ResourceGroupName}'",
                "Delete the VM with its OS disk, NIC and public IP, and its NSG rules; the group's network and NSG when nothing else uses them" + local))).ToList();
            if (approved.Count == 0)
            {
                return;
            }

            if (AsJob)
            {
                StartFleetJob(approved.Count == 1 ? $"Remove-AzDockerVm {approved[0].Name}" : $"Remove-AzDockerVm ({approved.Count} hosts)", approved.Select(r => r.Name).ToList(),
                    (arm, children, ct) => DockerVmInventory.RemoveFleetAsync(arm, approved, ThrottleLimit, outcome =>
                    {
                        children[outcome.Index].End(outcome.Failure == null ? null : Failure(outcome.Failure, approved[outcome.Index].Name));
                        return Task.CompletedTask;
                    }, ct));
                return;
            }

            RunFleet($"{approved.Count} Docker hosts", approved.Count, async (arm, writer, ct) =>
            {
                await DockerVmInventory.RemoveFleetAsync(arm, approved, ThrottleLimit, outcome => writer.HostDone(outcome.Failure != null, () =>
                {
                    DockerVmRemoval removal = approved[outcome.Index];
                    if (outcome.Failure != null)
                    {
                        WriteHostFailure(outcome.Failure, removal.Name);
                    }
                    else
                    {
                        WriteVerbose($"Docker host '{removal.Name}': deleted {string.Join(", ", outcome.Result.With(Engine.Deployment.NodeOutcome.Deleted).Select(n => n.ToString()))}.");
                    }
                }), ct).ConfigureAwait(false);
                return true;
            });
        }

        private static ErrorRecord Failure(System.Exception failure, string host)
            => failure is AzDockerVmException ours ? ErrorRecords.From(ours) : ErrorRecords.Unexpected(failure, host);
    }
}

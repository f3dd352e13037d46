using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Engine.Docker;
using AzDockerVm.Engine.Provisioning;
using AzDockerVm.Engine.Tls;
using Azure;
using Azure.Core;
using Azure.ResourceManager;
using Azure.ResourceManager.Compute;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>
    /// Our Docker extension on a VM: Set (on a plan from <see cref="DockerHostPlanner"/>: the local files through
    /// <see cref="DockerHostLocalFiles"/>, then the carrier's payload PUT and the VM's report), Get and Remove. Ours means
    /// tagged <see cref="OwnerTag"/> by Set, or the legacy DockerExtension handler. An extension of another owner is
    /// never touched unless the caller forces its replacement.
    /// </summary>
    public static class DockerExtensionService
    {
        public const string OwnerTag = "AzDockerVm";
        internal const string PortTag = "AzDockerVmPort";
        private static readonly TimeSpan s_pollInterval = TimeSpan.FromSeconds(1);

        /// <summary>Writes the TLS set and context (if planned), PUTs the extension and waits for the VM's report (unless NoWait).</summary>
        public static async Task<(DockerExtensionInfo Status, DockerExtensionOperationInfo Operation)> ApplySetAsync(ArmConnection arm, SetDockerExtensionPlan plan, CancellationToken ct)
        {
            bool localFilesWritten = false;
            try
            {
                return await ApplySetCoreAsync(arm, plan, () => localFilesWritten = true, ct).ConfigureAwait(false);
            }
            catch (AzDockerVmException ex) when (localFilesWritten && (plan.CreatesCertificate || plan.WritesDockerContext))
            {
                throw DockerHostLocalFiles.KeptAfter(ex, plan);
            }
        }

        private static Task<(DockerExtensionInfo Status, DockerExtensionOperationInfo Operation)> ApplySetCoreAsync(ArmConnection arm, SetDockerExtensionPlan plan, Action localFilesWritten, CancellationToken ct)
            => ArmGuard.Run(plan.Request.Vm, async () =>
            {
                var request = plan.Request;
                VmFacts vm = plan.Vm;

                // Local files first (all checked writable when the plan was made), each set all-or-nothing; only then
                // the change on Azure.
                DockerHostLocalFiles.Write(arm, plan);
                localFilesWritten();
                DockerHostSettings settings = SettingsFor(plan.Certificate.CaFile, plan.Certificate.ServerCertificateFile, plan.Certificate.ServerKeyFile, request, vm);
                var vmResource = arm.Client.GetVirtualMachineResource(new ResourceIdentifier(vm.Id));
                // A carrier that allows one extension per VM, whatever its name: the one in the way goes first.
                string inTheWay = plan.ForeignExtensionName ?? plan.EarlierExtensionName;
                if (inTheWay != null && !string.Equals(inTheWay, request.ExtensionName, StringComparison.OrdinalIgnoreCase))
                {
                    arm.Host.WriteVerbose($"Removing the {request.Carrier.Type} extension '{inTheWay}'" + (plan.ForeignExtensionName != null ? " (not AzDockerVm's; replacing it was asked for)." : " (AzDockerVm's, under another name)."));
                    var old = (await vmResource.GetVirtualMachineExtensionAsync(inTheWay, cancellationToken: ct).ConfigureAwait(false)).Value;
                    await old.DeleteAsync(WaitUntil.Completed, ct).ConfigureAwait(false);
                }

                DateTimeOffset started = DateTimeOffset.UtcNow;
                ArmOperation<VirtualMachineExtensionResource> operation = await SendAsync(arm, vm, request, settings, request.ForceRerun, ct).ConfigureAwait(false);
                if (request.NoWait)
                {
                    return (null, new DockerExtensionOperationInfo
                    {
                        ResourceGroupName = vm.ResourceGroupName, VmName = vm.Name, Name = request.ExtensionName,
                        Operation = "Set", Status = "InProgress", StartTime = started,
                    });
                }

                DockerExtensionInfo status = await FinishAsync(arm, vm, request.ExtensionName, operation, ct).ConfigureAwait(false);
                status.CertificatePath = plan.CertificateFolder;
                status.DockerContext = plan.DockerContext;
                return (status, (DockerExtensionOperationInfo)null);
            });

        /// <summary>The request's settings (left as the caller made them) with the TLS set's files and the VM's admin.</summary>
        internal static DockerHostSettings SettingsFor(string caFile, string serverCertificateFile, string serverKeyFile, SetDockerExtensionRequest request, VmFacts vm)
        {
            DockerHostSettings settings = request.Settings.WithCertificates(File.ReadAllText(caFile), File.ReadAllText(serverCertificateFile), File.ReadAllText(serverKeyFile));
            settings.AdminUserName = settings.AdminUserName ?? vm.AdminUsername;
            return settings;
        }

        /// <summary>Builds the carrier's payload (refusing an oversized one) and starts its PUT on the VM, tagged ours.</summary>
        internal static async Task<ArmOperation<VirtualMachineExtensionResource>> SendAsync(ArmConnection arm, VmFacts vm, SetDockerExtensionRequest request,
            DockerHostSettings settings, bool forceRerun, CancellationToken ct)
        {
            DockerCarrier carrier = request.Carrier;
            ExtensionPayload payload = carrier.BuildPayload(settings, request.TypeHandlerVersion, forceRerun);
            DockerHostSettingsCheck.RefuseOversized(payload);
            var data = new VirtualMachineExtensionData(new AzureLocation(vm.Location))
            {
                Publisher = DockerCarrier.Publisher,
                ExtensionType = carrier.Type,
                TypeHandlerVersion = payload.TypeHandlerVersion,
                AutoUpgradeMinorVersion = request.AutoUpgradeMinorVersion,
                Settings = BinaryData.FromString(payload.Settings.ToJsonString()),
                ProtectedSettings = BinaryData.FromString(payload.ProtectedSettings.ToJsonString()),
            };
            data.Tags[OwnerTag] = request.ModuleVersion ?? "0";
            data.Tags[PortTag] = settings.Port.ToString(CultureInfo.InvariantCulture);

            arm.Host.WriteVerbose($"Sending extension '{request.ExtensionName}' ({payload.Type} {payload.TypeHandlerVersion}, Docker port {settings.Port}) to VM '{vm.Name}'.");
            var vmResource = arm.Client.GetVirtualMachineResource(new ResourceIdentifier(vm.Id));
            return await vmResource.GetVirtualMachineExtensions().CreateOrUpdateAsync(WaitUntil.Started, request.ExtensionName, data, ct).ConfigureAwait(false);
        }

        /// <summary>Waits for a started extension PUT and reads the VM's report; a failure carries the script's own words when the VM gave them.</summary>
        internal static async Task<DockerExtensionInfo> FinishAsync(ArmConnection arm, VmFacts vm, string extensionName, Operation operation, CancellationToken ct,
            string progress = "The VM is installing and configuring Docker")
        {
            var vmResource = arm.Client.GetVirtualMachineResource(new ResourceIdentifier(vm.Id));
            try
            {
                await WaitAsync(arm, operation, vm.Name, progress, ct).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status > 0 && ex.Status < 400)
            {
                // The VM's own words when the extension failed there; else ARM's (the operation failed around it).
                DockerExtensionInfo failed = await ReadOursAsync(arm, vmResource, vm, extensionName, ct).ConfigureAwait(false);
                bool failedOnVm = failed != null && string.Equals(failed.ProvisioningState, "Failed", StringComparison.OrdinalIgnoreCase);
                throw ArmFailure.OperationFailed(ex, vm.Name, failedOnVm ? failed.StatusMessage : null);
            }

            arm.Host.WriteVerbose($"Reading the report of extension '{extensionName}'.");
            return await ReadOursAsync(arm, vmResource, vm, extensionName, ct).ConfigureAwait(false);
        }

        /// <summary>Our extension(s) on a VM, with what the script reported; empty when there are none.</summary>
        public static Task<IReadOnlyList<DockerExtensionInfo>> GetAsync(ArmConnection arm, VmReference reference, CancellationToken ct)
            => ArmGuard.Run(reference, async () =>
            {
                VmFacts vm = await VmReader.ReadAsync(arm, reference, readAddresses: false, ct).ConfigureAwait(false);
                var ours = vm.Extensions.Where(IsOurs).ToList();
                if (ours.Count > 0)
                {
                    // The endpoint needs the VM's addresses: read them only when there is something to report.
                    await VmReader.ReadAddressesAsync(arm, vm, ct).ConfigureAwait(false);
                }

                var vmResource = arm.Client.GetVirtualMachineResource(new ResourceIdentifier(vm.Id));
                var result = new List<DockerExtensionInfo>();
                foreach (ExtensionFacts extension in ours)
                {
                    result.Add(await ReadOursAsync(arm, vmResource, vm, extension.Name, ct).ConfigureAwait(false));
                }

                return (IReadOnlyList<DockerExtensionInfo>)result;
            });

        /// <summary>The names of our extensions on a VM (what Remove would delete).</summary>
        public static Task<IReadOnlyList<string>> FindOursAsync(ArmConnection arm, VmReference reference, CancellationToken ct)
            => ArmGuard.Run(reference, async () =>
            {
                VmFacts vm = await VmReader.ReadAsync(arm, reference, readAddresses: false, ct).ConfigureAwait(false);
                return (IReadOnlyList<string>)vm.Extensions.Where(IsOurs).Select(e => e.Name).ToList();
            });

        /// <summary>Deletes one of our extensions; returns the started operation with <paramref name="noWait"/>, else null.</summary>
        public static Task<DockerExtensionOperationInfo> RemoveAsync(ArmConnection arm, VmReference reference, string extensionName, bool noWait, CancellationToken ct)
            => ArmGuard.Run(reference, async () =>
            {
                var id = VirtualMachineExtensionResource.CreateResourceIdentifier(reference.SubscriptionId ?? arm.Target.SubscriptionId, reference.ResourceGroupName, reference.VmName, extensionName);
                DateTimeOffset started = DateTimeOffset.UtcNow;
                arm.Host.WriteVerbose($"Removing extension '{extensionName}' from VM '{reference.VmName}'.");
                ArmOperation operation = await arm.Client.GetVirtualMachineExtensionResource(id).DeleteAsync(WaitUntil.Started, ct).ConfigureAwait(false);
                if (noWait)
                {
                    return new DockerExtensionOperationInfo
                    {
                        ResourceGroupName = reference.ResourceGroupName, VmName = reference.VmName, Name = extensionName,
                        Operation = "Remove", Status = "Accepted", StartTime = started,
                    };
                }

                await WaitAsync(arm, operation, reference.VmName, "Removing the extension", ct).ConfigureAwait(false);
                return null;
            });

        /// <summary>Ours: tagged by Set, or the legacy DockerExtension handler (whoever installed it: nothing else uses it).</summary>
        internal static bool IsOurs(ExtensionFacts extension)
            => (extension.Tags != null && extension.Tags.ContainsKey(OwnerTag))
               || DockerCarrier.LegacyDockerExtension.Carries(extension.Publisher, extension.Type);

        private static async Task WaitAsync(ArmConnection arm, Operation operation, string activity, string status, CancellationToken ct)
        {
            DateTimeOffset started = DateTimeOffset.UtcNow;
            try
            {
                while (!operation.HasCompleted)
                {
                    int seconds = (int)(DateTimeOffset.UtcNow - started).TotalSeconds;
                    arm.Host.WriteProgress(activity, $"{status} ({seconds} s)", -1);
                    await operation.UpdateStatusAsync(ct).ConfigureAwait(false);
                    if (!operation.HasCompleted)
                    {
                        await Task.Delay(s_pollInterval, ct).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                arm.Host.WriteProgress(activity, "Done", 100);
            }
        }

        internal static async Task<DockerExtensionInfo> ReadOursAsync(ArmConnection arm, VirtualMachineResource vmResource, VmFacts vm, string name, CancellationToken ct)
        {
            VirtualMachineExtensionResource extension;
            try
            {
                extension = (await vmResource.GetVirtualMachineExtensionAsync(name, "instanceView", ct).ConfigureAwait(false)).Value;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return null;
            }

            return DockerExtensionReport.ToInfo(vm, ExtensionReader.ToFacts(extension.Data));
        }

    }
}

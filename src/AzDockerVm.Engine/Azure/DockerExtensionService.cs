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
    /// Our Docker extension on a VM: Set (check everything, then PUT the carrier and wait for the VM's report), Get and
    /// Remove. Ours means tagged <see cref="OwnerTag"/> by Set, or the legacy DockerExtension handler. A foreign
    /// CustomScript extension is never touched unless the caller forces its replacement.
    /// </summary>
    public static class DockerExtensionService
    {
        public const string OwnerTag = "AzDockerVm";
        internal const string PortTag = "AzDockerVmPort";
        private static readonly TimeSpan s_pollInterval = TimeSpan.FromSeconds(1);

        /// <summary>
        /// Checks what needs no Azure: every setting and a given TLS set (files, key pair, issued by ca.pem). Reads files,
        /// writes nothing, sends nothing: its refusals are about the input as a whole, before any VM is looked at.
        /// </summary>
        public static SetDockerExtensionPlan CheckInput(SetDockerExtensionRequest request)
        {
            DockerHostSettingsCheck.Validate(request.Settings, request.Handler);
            return new SetDockerExtensionPlan
            {
                Request = request,
                Certificate = request.ServerCertificateFile == null ? null : VmCertificate.Given(request.CaFile, request.ServerCertificateFile, request.ServerKeyFile),
            };
        }

        /// <summary>Reads the VM and checks what depends on it; writes nothing (its refusals are about this VM).</summary>
        public static Task<SetDockerExtensionPlan> PrepareSetAsync(ArmConnection arm, SetDockerExtensionPlan checkedInput, CancellationToken ct)
            => Guard(checkedInput.Request.Vm, async () =>
            {
                SetDockerExtensionRequest request = checkedInput.Request;
                VmCertificate given = checkedInput.Certificate;
                arm.Host.WriteVerbose($"Reading VM '{request.Vm}' (power state, extensions, addresses).");
                VmFacts vm = await VmReader.ReadAsync(arm, request.Vm, readAddresses: true, ct).ConfigureAwait(false);
                RefuseUnlessRunningLinux(vm);
                var plan = new SetDockerExtensionPlan { Request = request, Vm = vm };
                arm.Host.WriteVerbose($"VM '{vm.Name}': {vm.OsType}, {vm.PowerState}; public {Join(vm.PublicIPAddresses.Concat(vm.Fqdns))}; private {Join(vm.PrivateIPAddresses)}.");

                if (request.Handler == ExtensionHandler.CustomScript)
                {
                    ExtensionFacts foreign = vm.Extensions.FirstOrDefault(e => IsCustomScript(e) && !IsOurs(e));
                    if (foreign != null && !request.Force)
                    {
                        throw new AzDockerVmException("ForeignCustomScriptExtension", FailureKind.ResourceExists, foreign.Name,
                            $"VM '{vm.Name}' already has a CustomScript extension, '{foreign.Name}', that AzDockerVm did not create; a VM can hold only one. Nothing was changed.",
                            $"Remove it (Remove-AzVMExtension -Name {foreign.Name}), or use -Force to replace it.");
                    }

                    plan.ForeignExtensionName = foreign?.Name;
                    plan.EarlierExtensionName = vm.Extensions.FirstOrDefault(e => IsCustomScript(e) && IsOurs(e)
                        && !string.Equals(e.Name, request.ExtensionName, StringComparison.OrdinalIgnoreCase))?.Name;
                }

                if (given != null)
                {
                    given.RequireCovers(vm);
                    plan.Certificate = given;
                }
                else
                {
                    plan.Certificate = VmCertificate.ForVm(vm, request.DockerConfig, request.Force);
                    PlanContext(plan);
                }

                string host = vm.Fqdns.FirstOrDefault() ?? vm.PublicIPAddresses.FirstOrDefault() ?? vm.PrivateIPAddresses.FirstOrDefault();
                plan.Endpoint = host == null ? null : DockerEndpoint.Format(host, request.Settings.Port);
                return plan;
            });

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
                // Azure failed after the local files were written: they stay (the re-run reuses them), and the message says so.
                string written = plan.CreatesCertificate && plan.WritesDockerContext
                    ? $"the TLS set in '{plan.CertificateFolder}' and the docker context '{plan.DockerContext}' written before the change on Azure are kept"
                    : plan.CreatesCertificate
                        ? $"the TLS set in '{plan.CertificateFolder}' written before the change on Azure is kept"
                        : $"the docker context '{plan.DockerContext}' written before the change on Azure is kept";
                throw new AzDockerVmException(ex.ErrorId, ex.Kind, ex.Target,
                    ex.Message.TrimEnd() + " Locally, " + written + "; a re-run of Set-AzDockerExtension reuses them.", ex.RecommendedAction, ex.InnerException ?? ex);
            }
        }

        private static Task<(DockerExtensionInfo Status, DockerExtensionOperationInfo Operation)> ApplySetCoreAsync(ArmConnection arm, SetDockerExtensionPlan plan, Action localFilesWritten, CancellationToken ct)
            => Guard(plan.Request.Vm, async () =>
            {
                var request = plan.Request;
                VmFacts vm = plan.Vm;
                if (plan.CreatesCertificate)
                {
                    arm.Host.WriteVerbose($"Creating a TLS set for '{vm.Name}' in '{plan.CertificateFolder}'.");
                }

                // Local files first (all checked writable when the plan was made), each set all-or-nothing; only then
                // the change on Azure. What a failure here leaves is said exactly: a TLS set just written is kept,
                // and the re-run reuses it.
                plan.Certificate.CreateIfPlanned();
                if (plan.WritesDockerContext)
                {
                    try
                    {
                        WriteContext(arm, plan);
                    }
                    catch (AzDockerVmException ex)
                    {
                        throw LocalWriteFailed(ex, plan);
                    }
                }

                localFilesWritten();
                DockerHostSettings settings = request.Settings;
                settings.CaCertificatePem = File.ReadAllText(plan.Certificate.CaFile);
                settings.ServerCertificatePem = File.ReadAllText(plan.Certificate.ServerCertificateFile);
                settings.ServerKeyPem = File.ReadAllText(plan.Certificate.ServerKeyFile);
                settings.AdminUserName = settings.AdminUserName ?? vm.AdminUsername;
                ExtensionPayload payload = request.Handler == ExtensionHandler.CustomScript
                    ? ExtensionPayload.ForCustomScript(settings, request.TypeHandlerVersion, request.ForceRerun ? (int)(DateTimeOffset.UtcNow.ToUnixTimeSeconds() & int.MaxValue) : (int?)null)
                    : ExtensionPayload.ForLegacyDockerExtension(settings, request.TypeHandlerVersion);
                DockerHostSettingsCheck.RefuseOversized(payload);

                var vmResource = arm.Client.GetVirtualMachineResource(new ResourceIdentifier(vm.Id));
                // A VM holds one CustomScript extension whatever its name: the one in the way goes first.
                string inTheWay = plan.ForeignExtensionName ?? plan.EarlierExtensionName;
                if (inTheWay != null && !string.Equals(inTheWay, request.ExtensionName, StringComparison.OrdinalIgnoreCase))
                {
                    arm.Host.WriteVerbose($"Removing the CustomScript extension '{inTheWay}'" + (plan.ForeignExtensionName != null ? " (-Force)." : " (AzDockerVm's, under another name)."));
                    var old = (await vmResource.GetVirtualMachineExtensionAsync(inTheWay, cancellationToken: ct).ConfigureAwait(false)).Value;
                    await old.DeleteAsync(WaitUntil.Completed, ct).ConfigureAwait(false);
                }

                var data = new VirtualMachineExtensionData(new AzureLocation(vm.Location))
                {
                    Publisher = ExtensionPayload.Publisher,
                    ExtensionType = payload.Type,
                    TypeHandlerVersion = payload.TypeHandlerVersion,
                    AutoUpgradeMinorVersion = request.AutoUpgradeMinorVersion,
                    Settings = BinaryData.FromString(payload.Settings.ToJsonString()),
                    ProtectedSettings = BinaryData.FromString(payload.ProtectedSettings.ToJsonString()),
                };
                data.Tags[OwnerTag] = request.ModuleVersion ?? "0";
                data.Tags[PortTag] = settings.Port.ToString(CultureInfo.InvariantCulture);

                string activity = $"Set-AzDockerExtension {vm.Name}";
                arm.Host.WriteVerbose($"Sending extension '{request.ExtensionName}' ({payload.Type} {payload.TypeHandlerVersion}, Docker port {settings.Port}) to VM '{vm.Name}'.");
                DateTimeOffset started = DateTimeOffset.UtcNow;
                ArmOperation<VirtualMachineExtensionResource> operation = await vmResource.GetVirtualMachineExtensions()
                    .CreateOrUpdateAsync(WaitUntil.Started, request.ExtensionName, data, ct).ConfigureAwait(false);
                if (request.NoWait)
                {
                    return (null, new DockerExtensionOperationInfo
                    {
                        ResourceGroupName = vm.ResourceGroupName, VmName = vm.Name, Name = request.ExtensionName,
                        Operation = "Set", Status = "InProgress", StartTime = started,
                    });
                }

                try
                {
                    await WaitAsync(arm, operation, activity, "The VM is installing and configuring Docker", ct).ConfigureAwait(false);
                }
                catch (RequestFailedException ex) when (ex.Status > 0 && ex.Status < 400)
                {
                    // The VM's own words when the extension failed there; else ARM's (the operation failed around it).
                    DockerExtensionInfo failed = await ReadOursAsync(arm, vmResource, vm, request.ExtensionName, ct).ConfigureAwait(false);
                    bool failedOnVm = failed != null && string.Equals(failed.ProvisioningState, "Failed", StringComparison.OrdinalIgnoreCase);
                    throw ArmFailure.OperationFailed(ex, vm.Name, failedOnVm ? failed.StatusMessage : null);
                }

                arm.Host.WriteVerbose($"Reading the report of extension '{request.ExtensionName}'.");
                DockerExtensionInfo status = await ReadOursAsync(arm, vmResource, vm, request.ExtensionName, ct).ConfigureAwait(false);
                status.CertificatePath = plan.CertificateFolder;
                status.DockerContext = plan.DockerContext;
                return (status, (DockerExtensionOperationInfo)null);
            });

        /// <summary>Our extension(s) on a VM, with what the script reported; empty when there are none.</summary>
        public static Task<IReadOnlyList<DockerExtensionInfo>> GetAsync(ArmConnection arm, VmReference reference, CancellationToken ct)
            => Guard(reference, async () =>
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
            => Guard(reference, async () =>
            {
                VmFacts vm = await VmReader.ReadAsync(arm, reference, readAddresses: false, ct).ConfigureAwait(false);
                return (IReadOnlyList<string>)vm.Extensions.Where(IsOurs).Select(e => e.Name).ToList();
            });

        /// <summary>Deletes one of our extensions; returns the started operation with <paramref name="noWait"/>, else null.</summary>
        public static Task<DockerExtensionOperationInfo> RemoveAsync(ArmConnection arm, VmReference reference, string extensionName, bool noWait, CancellationToken ct)
            => Guard(reference, async () =>
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

                await WaitAsync(arm, operation, $"Remove-AzDockerExtension {reference.VmName}", "Removing the extension", ct).ConfigureAwait(false);
                return null;
            });

        internal static bool IsOurs(ExtensionFacts extension)
            => (extension.Tags != null && extension.Tags.ContainsKey(OwnerTag))
               || (string.Equals(extension.Publisher, ExtensionPayload.Publisher, StringComparison.OrdinalIgnoreCase)
                   && string.Equals(extension.Type, "DockerExtension", StringComparison.OrdinalIgnoreCase));

        private static bool IsCustomScript(ExtensionFacts extension)
            => string.Equals(extension.Publisher, ExtensionPayload.Publisher, StringComparison.OrdinalIgnoreCase)
               && string.Equals(extension.Type, "CustomScript", StringComparison.OrdinalIgnoreCase);

        private static void RefuseUnlessRunningLinux(VmFacts vm)
        {
            if (!string.Equals(vm.OsType, "Linux", StringComparison.OrdinalIgnoreCase))
            {
                throw new AzDockerVmException("VmNotLinux", FailureKind.InvalidOperation, vm.Name,
                    $"VM '{vm.Name}' runs {vm.OsType ?? "an unknown OS"}; AzDockerVm sets up Docker on Linux VMs only. Nothing was changed.");
            }

            if (!string.Equals(vm.PowerState, "running", StringComparison.OrdinalIgnoreCase))
            {
                throw new AzDockerVmException("VmNotRunning", FailureKind.InvalidOperation, vm.Name,
                    $"VM '{vm.Name}' is {vm.PowerState ?? "in an unknown power state"}, not running: extensions can be installed on a running VM only. Nothing was changed.",
                    $"Start-AzVM -ResourceGroupName {vm.ResourceGroupName} -Name {vm.Name}, then run Set-AzDockerExtension again.");
            }
        }

        private static void PlanContext(SetDockerExtensionPlan plan)
        {
            if (!plan.Request.CreateDockerContext)
            {
                return;
            }

            string name = plan.Vm.Name;
            DockerContextStore.ValidateName(name);
            string dockerConfig = plan.Request.DockerConfig;
            bool exists = File.Exists(Path.Combine(dockerConfig, "contexts", "meta", DockerContextStore.ContextDirectoryName(name), "meta.json"));
            plan.DockerContext = name;
            if (exists && !plan.Request.Force)
            {
                if (plan.CreatesCertificate)
                {
                    throw new AzDockerVmException("ContextExists", FailureKind.ResourceExists, name,
                        $"A docker context named '{name}' already exists in '{dockerConfig}' and the VM gets a new TLS set. Nothing was changed.",
                        "Use -Force to replace it, or -NoDockerContext.");
                }

                return;
            }

            DockerContextStore.RequireWritable(dockerConfig, name);
            plan.WritesDockerContext = true;
        }

        /// <summary>The context's failure, told with what this Set had already written and that Azure was not changed.</summary>
        private static AzDockerVmException LocalWriteFailed(AzDockerVmException ex, SetDockerExtensionPlan plan)
        {
            string reason = ex.Message.Replace(" Nothing was written.", string.Empty).TrimEnd();
            string kept = plan.CreatesCertificate
                ? $" The docker context '{plan.DockerContext}' was not written; the TLS set written to '{plan.CertificateFolder}' a moment before is kept, and a re-run of Set-AzDockerExtension reuses it."
                : $" The docker context '{plan.DockerContext}' was not written; nothing else was.";
            return new AzDockerVmException(ex.ErrorId, ex.Kind, ex.Target,
                reason + kept + $" The VM '{plan.VmName}' was not changed.", ex.RecommendedAction, ex);
        }

        private static void WriteContext(ArmConnection arm, SetDockerExtensionPlan plan)
        {
            DockerContextPlan context = DockerContextStore.Prepare(new DockerContextRequest
            {
                Name = plan.DockerContext,
                Endpoint = plan.Endpoint,
                Description = $"Azure VM {plan.ResourceGroupName}/{plan.VmName} (AzDockerVm)",
                CaFile = plan.Certificate.CaFile,
                CertFile = plan.Certificate.ClientCertificateFile,
                KeyFile = plan.Certificate.ClientKeyFile,
                DockerConfig = plan.Request.DockerConfig,
                Overwrite = true,
            });
            DockerContextStore.Write(context);
            arm.Host.WriteVerbose($"Docker context '{context.Name}' points at {context.Endpoint}.");
        }

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

        private static async Task<DockerExtensionInfo> ReadOursAsync(ArmConnection arm, VirtualMachineResource vmResource, VmFacts vm, string name, CancellationToken ct)
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

        private static string Join(IEnumerable<string> values)
        {
            string text = string.Join(", ", values);
            return text.Length == 0 ? "none" : text;
        }

        /// <summary>Every SDK failure leaves as an AzDockerVmException with a stable id; ours pass through.</summary>
        private static async Task<T> Guard<T>(VmReference target, Func<Task<T>> work)
        {
            try
            {
                return await work().ConfigureAwait(false);
            }
            catch (RequestFailedException ex)
            {
                throw ArmFailure.From(ex, target.VmName);
            }
            catch (AggregateException ex) when (ArmFailure.IsTimeout(ex))
            {
                throw ArmFailure.Timeout(ex, target.VmName);
            }
            catch (AggregateException ex) when (ex.Flatten().InnerExceptions.LastOrDefault() is Exception last
                                                  && (last is RequestFailedException || ArmFailure.IsConnectionFailure(last)))
            {
                // Azure.Core's retry policy gives up with "Retry failed after N tries": the last attempt tells why.
                throw last is RequestFailedException failed && failed.Status != 0 ? ArmFailure.From(failed, target.VmName) : ArmFailure.Connection(last, target.VmName);
            }
            catch (Exception ex) when (!(ex is AzDockerVmException) && !(ex is OperationCanceledException) && ArmFailure.IsConnectionFailure(ex))
            {
                throw ArmFailure.Connection(ex, target.VmName);
            }
        }
    }
}

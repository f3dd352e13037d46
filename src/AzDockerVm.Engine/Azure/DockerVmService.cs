using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Engine.Azure.Resources;
using AzDockerVm.Engine.Deployment;
using AzDockerVm.Engine.Docker;
using AzDockerVm.Engine.Tls;
using Azure;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>What New-AzDockerVm was asked for. AdminPassword and the Docker settings hold secrets: never log them.</summary>
    public sealed class NewDockerVmRequest
    {
        public string ResourceGroupName { get; set; }
        public string Name { get; set; }
        /// <summary>Null: the resource group's location (the group must exist then).</summary>
        public string Location { get; set; }
        public string Size { get; set; }
        public string Image { get; set; }
        public string AdminUserName { get; set; }
        public string AdminPassword { get; set; }
        public string SshPublicKey { get; set; }
        public bool GenerateSshKey { get; set; }
        public string VirtualNetworkName { get; set; }
        public string SubnetName { get; set; }
        public string AddressPrefix { get; set; }
        public string SubnetAddressPrefix { get; set; }
        public string SecurityGroupName { get; set; }
        public string PublicIpAddressName { get; set; }
        public string DomainNameLabel { get; set; }
        public bool NoPublicIp { get; set; }
        public string Zone { get; set; }
        public IDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();
        public IList<string> AllowedSourceAddresses { get; set; } = new List<string>();
        public bool OpenSsh { get; set; }
        public IList<int> OpenPorts { get; set; } = new List<int>();
        /// <summary>The Docker side, as for Set-AzDockerExtension (its Vm is the new VM).</summary>
        public SetDockerExtensionRequest Docker { get; set; }
    }

    /// <summary>A checked New-AzDockerVm request and, once <see cref="DockerVmService.PlanAsync"/> has read Azure, what exists and what will be made.</summary>
    public sealed class DockerVmPlan
    {
        internal DockerHostSpec Spec { get; set; }
        internal SetDockerExtensionRequest Docker { get; set; }
        internal bool GenerateSshKey { get; set; }
        internal string DockerConfig => Docker.DockerConfig;
        internal bool Force => Docker.Force;
        internal VmCertificate GivenCertificate { get; set; }
        internal DockerVmGraph Graph { get; set; }
        internal DeploymentPlan Deployment { get; set; }

        public string ResourceGroupName => Spec.ResourceGroupName;
        public string Name => Spec.VmName;
        public string Location => Spec.Location;
        public string DockerContext { get; internal set; }

        /// <summary>"virtual network 'x'" for every resource to create, in dependency order.</summary>
        public IReadOnlyList<string> ToCreate => Deployment.Missing.Select(Describe).ToList();

        /// <summary>Every resource that exists and is reused as it is.</summary>
        public IReadOnlyList<string> ToReuse => Deployment.Existing.Except(Deployment.Stale).Select(Describe).ToList();

        /// <summary>Every resource that exists but no longer fits (a TLS set that does not cover the host): made again.</summary>
        public IReadOnlyList<string> ToReplace => Deployment.Stale.Select(Describe).ToList();

        internal static string Describe(ResourceNode node) => node is HostTlsSetNode ? $"TLS set for '{node.Name}'" : node.ToString();
    }

    /// <summary>
    /// New-AzDockerVm's engine: input checks that need no Azure; a plan that reads what exists (one GET per resource,
    /// none inside a missing group); then the graph walk that creates only what is missing, independent resources at
    /// the same time, and says on failure what exists and how to go on.
    /// </summary>
    public static class DockerVmService
    {
        /// <summary>
        /// The widest stage of one host: its public IP with the group's network and NSG (and later the VM with its rule
        /// and TLS set). A throttle of N hosts is N times this many changes or reads in flight.
        /// </summary>
        public const int ChangesPerHost = 3;

        /// <summary>Checks everything that needs no Azure. Reads given files, writes nothing, sends nothing.</summary>
        public static DockerVmPlan CheckInput(NewDockerVmRequest request)
        {
            AzureNames.RequireResourceGroupName(request.ResourceGroupName);
            DockerVmInput.RequireHostName(request.Name);
            string location = request.Location == null ? null : DockerVmInput.NormalizeLocation(request.Location);
            string size = DockerVmInput.RequireSize(request.Size ?? DockerVmInput.DefaultSize);
            var image = VmImage.Parse(request.Image);
            string user = request.AdminUserName ?? DockerVmInput.DefaultAdminUserName;
            DockerVmInput.RequireAdminUserName(user);
            if (request.AdminPassword != null)
            {
                DockerVmInput.RequirePassword(user, request.AdminPassword);
            }

            if (request.SshPublicKey != null && request.GenerateSshKey)
            {
                throw new AzDockerVmException("SshKeyParameterConflict", FailureKind.InvalidArgument, "GenerateSshKey",
                    "Give either -SshPublicKey or -GenerateSshKey, not both. Nothing was created.");
            }

            string sshKey = request.SshPublicKey == null ? null : DockerVmInput.RequireSshPublicKey(request.SshPublicKey);
            bool generate = request.GenerateSshKey || (sshKey == null && request.AdminPassword == null);

            string vnet = request.VirtualNetworkName ?? DockerVmInput.DefaultVirtualNetworkName;
            string subnet = request.SubnetName ?? DockerVmInput.DefaultSubnetName;
            string nsg = request.SecurityGroupName ?? DockerVmInput.DefaultSecurityGroupName;
            DockerVmInput.RequireNetworkResourceName(vnet, "-VirtualNetworkName");
            DockerVmInput.RequireNetworkResourceName(subnet, "-SubnetName");
            DockerVmInput.RequireNetworkResourceName(nsg, "-SecurityGroupName");
            string addressPrefix = request.AddressPrefix ?? DockerVmInput.DefaultAddressPrefix;
            string subnetPrefix = request.SubnetAddressPrefix ?? DockerVmInput.DefaultSubnetAddressPrefix;
            DockerVmInput.RequireInside(subnetPrefix, addressPrefix);

            if (request.NoPublicIp && (request.DomainNameLabel != null || request.PublicIpAddressName != null))
            {
                string parameter = request.DomainNameLabel != null ? "-DomainNameLabel" : "-PublicIpAddressName";
                throw new AzDockerVmException("PublicIpParameterConflict", FailureKind.InvalidArgument, parameter.TrimStart('-'),
                    $"-NoPublicIp makes a host without a public IP, so {parameter} has nothing to name. Nothing was created.",
                    $"Leave out {parameter}, or -NoPublicIp.");
            }

            string pip = request.NoPublicIp ? null : request.PublicIpAddressName ?? request.Name + "-ip";
            if (pip != null)
            {
                DockerVmInput.RequireNetworkResourceName(pip, "-PublicIpAddressName");
            }

            if (request.DomainNameLabel != null)
            {
                DockerVmInput.RequireDomainNameLabel(request.DomainNameLabel);
            }

            DockerVmInput.RequireZone(request.Zone);
            var sources = (request.AllowedSourceAddresses ?? new List<string>()).Select(DockerVmInput.RequireSourceAddress).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            int port = request.Docker.Settings.Port;
            var openPorts = (request.OpenPorts ?? new List<int>()).Distinct().ToList();
            int clash = openPorts.FirstOrDefault(p => p == port || (request.OpenSsh && p == 22));
            if (clash != 0)
            {
                throw new AzDockerVmException("OpenPortConflict", FailureKind.InvalidArgument, clash,
                    $"-OpenPorts {clash} is opened already ({(clash == port ? "the Docker port" : "SSH, by -OpenSsh")}). Nothing was created.");
            }

            foreach (var tag in request.Tags ?? new Dictionary<string, string>())
            {
                if (string.Equals(tag.Key, DockerHostResources.OwnerTag, StringComparison.OrdinalIgnoreCase) || string.Equals(tag.Key, DockerHostResources.HostTag, StringComparison.OrdinalIgnoreCase))
                {
                    throw new AzDockerVmException("ReservedTag", FailureKind.InvalidArgument, tag.Key,
                        $"-Tag '{tag.Key}' is AzDockerVm's own tag (it finds its hosts by it). Nothing was created.", "Use another tag name.");
                }
            }

            SetDockerExtensionPlan docker = DockerHostPlanner.CheckInput(request.Docker);
            var plan = new DockerVmPlan
            {
                Docker = request.Docker,
                GivenCertificate = docker.Certificate,
                GenerateSshKey = generate,
                Spec = new DockerHostSpec
                {
                    ResourceGroupName = request.ResourceGroupName,
                    Location = location,
                    VmName = request.Name,
                    VmSize = size,
                    Image = image,
                    AdminUserName = user,
                    AdminPassword = request.AdminPassword,
                    SshPublicKey = sshKey,
                    VirtualNetworkName = vnet,
                    AddressPrefix = addressPrefix,
                    SubnetName = subnet,
                    SubnetAddressPrefix = subnetPrefix,
                    SecurityGroupName = nsg,
                    PublicIpAddressName = pip,
                    DomainNameLabel = request.DomainNameLabel,
                    NetworkInterfaceName = request.Name + "-nic",
                    OsDiskName = request.Name + "-osdisk",
                    Zone = request.Zone,
                    DockerPort = port,
                    AllowedSourceAddresses = sources,
                    OpenSsh = request.OpenSsh,
                    OpenPorts = openPorts,
                    Tags = new Dictionary<string, string>(request.Tags ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase),
                    ModuleVersion = request.Docker.ModuleVersion,
                },
            };
            if (request.Docker.CreateDockerContext && docker.Certificate == null)
            {
                DockerContextStore.ValidateName(request.Name);
                plan.DockerContext = request.Name;
            }

            return plan;
        }

        /// <summary>Reads what exists of the host (and its group); refuses what cannot be reused. Writes nothing.</summary>
        public static async Task<DockerVmPlan> PlanAsync(ArmConnection arm, DockerVmPlan plan, CancellationToken ct)
        {
            DockerVmOutcome outcome = (await PlanFleetAsync(arm, new[] { plan }, int.MaxValue, ct).ConfigureAwait(false))[0];
            return outcome.Failure == null ? plan : throw outcome.Failure;
        }

        /// <summary>
        /// Reads what exists of many hosts at once (at most <paramref name="maxRequests"/> reads at a time): hosts of one
        /// group share its group and CA nodes, hosts of one network its network and NSG nodes, so what they share is
        /// read once (and made once). Each host's refusal is that host's outcome; the others go on. Writes nothing.
        /// </summary>
        public static Task<IReadOnlyList<DockerVmOutcome>> PlanFleetAsync(ArmConnection arm, IReadOnlyList<DockerVmPlan> plans, int maxRequests, CancellationToken ct)
            => ArmGuard.Run((object)(plans.Count == 1 ? plans[0].Name : plans.Count + " Docker hosts"), async () =>
            {
                var outcomes = plans.Select(p => new DockerVmOutcome { Plan = p }).ToList();
                var built = new List<DockerVmPlan>();
                foreach (DockerVmOutcome outcome in outcomes)
                {
                    DockerHostSpec spec = outcome.Plan.Spec;
                    if (built.Any(p => Same(p.ResourceGroupName, spec.ResourceGroupName) && Same(p.Name, spec.VmName)))
                    {
                        outcome.Failure = new AzDockerVmException("DuplicateHost", FailureKind.InvalidArgument, spec.VmName,
                            $"Docker host '{spec.VmName}' of resource group '{spec.ResourceGroupName}' is asked for twice in this pipeline; it is made once, for its first record. Nothing was created for this one.");
                        continue;
                    }

                    if (spec.PublicIpAddressName != null && spec.DomainNameLabel == null)
                    {
                        spec.DomainNameLabel = DockerVmInput.DefaultDomainNameLabel(arm.Target.SubscriptionId, spec.ResourceGroupName, spec.VmName);
                    }

                    // A group's location, when one record of the group gives it and another does not.
                    spec.Location = spec.Location ?? outcomes.Select(o => o.Plan.Spec).FirstOrDefault(o => Same(o.ResourceGroupName, spec.ResourceGroupName) && o.Location != null)?.Location;
                    DockerVmPlan sameGroup = built.FirstOrDefault(p => Same(p.ResourceGroupName, spec.ResourceGroupName));
                    DockerVmPlan sameNetwork = built.FirstOrDefault(p => Same(p.ResourceGroupName, spec.ResourceGroupName) && Same(p.Spec.VirtualNetworkName, spec.VirtualNetworkName)
                        && Same(p.Spec.SubnetName, spec.SubnetName) && Same(p.Spec.SecurityGroupName, spec.SecurityGroupName));
                    outcome.Plan.Graph = DockerVmGraph.Build(arm, outcome.Plan, sameNetwork?.Graph, sameGroup?.Graph);
                    built.Add(outcome.Plan);
                }

                arm.Host.WriteVerbose(built.Count == 1
                    ? $"Reading what exists of Docker host '{built[0].Name}' in resource group '{built[0].ResourceGroupName}'."
                    : $"Reading what exists of {built.Count} Docker hosts.");
                DeploymentPlan all = await ResourceGraph.PlanAsync(built.SelectMany(p => p.Graph.Roots), maxRequests, ct).ConfigureAwait(false);
                foreach (DockerVmOutcome outcome in outcomes.Where(o => o.Failure == null))
                {
                    outcome.Plan.Deployment = all.For(outcome.Plan.Graph.Roots);
                    try
                    {
                        RefuseUnusable(outcome.Plan);
                    }
                    catch (AzDockerVmException ex)
                    {
                        outcome.Failure = ex;
                    }
                }

                return (IReadOnlyList<DockerVmOutcome>)outcomes;
            });

        private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

        private static void RefuseUnusable(DockerVmPlan plan)
        {
            DockerHostSpec spec = plan.Spec;
            DockerHostResources host = plan.Graph.Resources;
            var group = (ArmResourceState)plan.Deployment.States.Find(host.ResourceGroup);
            if (spec.Location == null)
            {
                if (group == null)
                {
                    throw new AzDockerVmException("LocationRequired", FailureKind.InvalidArgument, spec.ResourceGroupName,
                        $"Resource group '{spec.ResourceGroupName}' does not exist, and without -Location there is no place to create it. Nothing was created.",
                        "Add -Location (e.g. -Location westeurope).");
                }

                spec.Location = DockerVmInput.NormalizeLocation(group.Location);
            }

            foreach (ArmResourceNode node in new[] { host.VirtualNetwork, host.SecurityGroup, host.PublicIpAddress, host.NetworkInterface, host.VirtualMachine }.Where(n => n != null))
            {
                var state = (ArmResourceState)plan.Deployment.States.Find(node);
                if (state?.Location != null && !string.Equals(DockerVmInput.NormalizeLocation(state.Location), spec.Location, StringComparison.Ordinal))
                {
                    throw new AzDockerVmException("ResourceInOtherLocation", FailureKind.InvalidOperation, node.Name,
                        $"The {node.Kind} '{node.Name}' exists in {state.Location}, not in {spec.Location}; a host's resources must share its location. Nothing was created.",
                        $"Give another name for it, or -Location {state.Location}.");
                }
            }

            var vm = (ArmResourceState)plan.Deployment.States.Find(host.VirtualMachine);
            if (vm != null && (vm.Properties["osProfile"]?["windowsConfiguration"] != null
                || string.Equals((string)vm.Properties["storageProfile"]?["osDisk"]?["osType"], "Windows", StringComparison.OrdinalIgnoreCase)))
            {
                throw new AzDockerVmException("VmNotLinux", FailureKind.InvalidOperation, spec.VmName,
                    $"A VM named '{spec.VmName}' exists in resource group '{spec.ResourceGroupName}' and runs Windows; AzDockerVm sets up Docker on Linux VMs only. Nothing was created.");
            }

            var vnet = (ArmResourceState)plan.Deployment.States.Find(host.VirtualNetwork);
            if (vnet != null && plan.Deployment.States.Find(host.Subnet) == null)
            {
                var prefixes = ((vnet.Properties["addressSpace"]?["addressPrefixes"] as JsonArray) ?? new JsonArray()).Select(p => (string)p).ToList();
                if (!prefixes.Any(p => DockerVmInput.Inside(spec.SubnetAddressPrefix, p)))
                {
                    throw new AzDockerVmException("SubnetOutsideAddressPrefix", FailureKind.InvalidArgument, spec.SubnetAddressPrefix,
                        $"The virtual network '{spec.VirtualNetworkName}' exists with address space {string.Join(", ", prefixes)}; the subnet '{spec.SubnetName}' ({spec.SubnetAddressPrefix}) does not fit in it. Nothing was created.",
                        "Give -SubnetAddressPrefix inside the network's address space, or -SubnetName of an existing subnet.");
                }
            }
        }

        /// <summary>Creates what the plan found missing (after ShouldProcess), then reads the host as it now is.</summary>
        /// <remarks><paramref name="maxChanges"/> 1 makes it a sequential provisioner (the benchmark's baseline).</remarks>
        public static async Task<DockerVmInfo> ApplyAsync(ArmConnection arm, DockerVmPlan plan, CancellationToken ct, int maxChanges = int.MaxValue)
        {
            DockerVmOutcome outcome = (await ApplyCoreAsync(arm, new[] { plan }, 1, maxChanges, ct, null).ConfigureAwait(false))[0];
            return outcome.Failure == null ? outcome.Host : throw outcome.Failure;
        }

        /// <summary>
        /// Creates what the plans (of <see cref="PlanFleetAsync"/>) found missing, in one walk: shared resources once,
        /// at most <paramref name="throttleLimit"/> hosts under way (a host beyond it has sent nothing of its own yet)
        /// and <see cref="ChangesPerHost"/> changes per host in flight (each one request at a time). One host's failure
        /// stops only what depends on it; every host gets its outcome.
        /// </summary>
        /// <param name="finished">Called with each host's outcome as soon as that host is done (while the others go on), from a worker thread; the next host is admitted once its task has ended.</param>
        public static Task<IReadOnlyList<DockerVmOutcome>> ApplyFleetAsync(ArmConnection arm, IReadOnlyList<DockerVmPlan> plans, int throttleLimit, CancellationToken ct,
            Func<DockerVmOutcome, Task> finished = null)
            => ApplyCoreAsync(arm, plans, throttleLimit, throttleLimit >= int.MaxValue / ChangesPerHost ? int.MaxValue : throttleLimit * ChangesPerHost, ct, finished);

        private static async Task<IReadOnlyList<DockerVmOutcome>> ApplyCoreAsync(ArmConnection arm, IReadOnlyList<DockerVmPlan> plans, int maxHosts, int maxChanges, CancellationToken ct,
            Func<DockerVmOutcome, Task> finished)
        {
            DeploymentPlan combined = plans[0].Deployment.For(plans.SelectMany(p => p.Graph.Roots));
            var observer = new ProgressObserver(arm.Host, combined, plans);
            var outcomes = new DockerVmOutcome[plans.Count];
            await ResourceGraph.ApplyAsync(combined, observer, maxChanges, maxHosts, plans.Select(p => p.Graph.Roots).ToList(), (index, own) =>
            {
                DockerVmPlan plan = plans[index];
                outcomes[index] = own.Succeeded
                    ? new DockerVmOutcome { Plan = plan, Host = Info(plan, own.States) }
                    : new DockerVmOutcome { Plan = plan, Failure = Failed(plan, own) };
                observer.Done(plan.Name);
                return finished == null ? Task.CompletedTask : finished(outcomes[index]);
            }, ct).ConfigureAwait(false);
            observer.Done(observer.SharedActivity);
            ct.ThrowIfCancellationRequested();
            return outcomes;
        }

        /// <summary>The failure of a walk: the first failed node's reason, what exists now, and the two ways on.</summary>
        private static AzDockerVmException Failed(DockerVmPlan plan, DeploymentResult result)
        {
            var (node, error) = result.Failures.Select(f => (f.Key, f.Value)).OrderBy(f => result.Nodes.ToList().IndexOf(f.Key)).First();
            AzDockerVmException reason = Reason(node, error);
            string created = string.Join(", ", result.With(NodeOutcome.Created).Select(DockerVmPlan.Describe));
            string failed = string.Join(", ", result.Failures.Keys.Select(DockerVmPlan.Describe));
            string notStarted = string.Join(", ", result.With(NodeOutcome.NotStarted).Select(DockerVmPlan.Describe));
            string message = $"Creating Docker host '{plan.Name}' failed at the {DockerVmPlan.Describe(node)}: {reason.Message.TrimEnd()}"
                + (created.Length > 0 ? $" Created now (kept): {created}." : " Nothing was created.")
                + $" Failed: {failed}."
                + (notStarted.Length > 0 ? $" Not started: {notStarted}." : string.Empty);
            // The reason's own advice (which may already say to run the command again), then the two ways on.
            string action = (reason.RecommendedAction == null ? string.Empty : reason.RecommendedAction.TrimEnd() + " ")
                + $"To go on: run the same command again (it continues where it stopped and makes nothing twice), or remove what it made: Remove-AzDockerVm -ResourceGroupName {plan.ResourceGroupName} -Name {plan.Name}.";
            return new AzDockerVmException(reason.ErrorId, reason.Kind, plan.Name, message, action, error);
        }

        private static AzDockerVmException Reason(ResourceNode node, Exception error)
        {
            switch (error)
            {
                case AzDockerVmException ours:
                    return ours;
                case RequestFailedException arm when arm.ErrorCode == "DnsRecordInUse":
                    return new AzDockerVmException("DnsNameLabelTaken", FailureKind.ResourceExists, node.Name,
                        $"The DNS name label of the public IP '{node.Name}' is taken in its region by another Azure customer or resource ({arm.Message.Split('\n')[0].Trim()}).",
                        "Choose another label with -DomainNameLabel.");
                case RequestFailedException arm:
                    return ArmFailure.From(arm, node.Name);
                default:
                    return ArmFailure.IsConnectionFailure(error) ? ArmFailure.Connection(error, node.Name)
                        : new AzDockerVmException("DeploymentFailed", FailureKind.InvalidResult, node.Name, error.Message, null, error);
            }
        }

        /// <summary>The host as the walk left it.</summary>
        private static DockerVmInfo Info(DockerVmPlan plan, DeploymentStates states)
        {
            DockerHostSpec spec = plan.Spec;
            DockerVmGraph graph = plan.Graph;
            DockerHostResources host = graph.Resources;
            var vm = states.Get(host.VirtualMachine);
            HostAddresses addresses = HostAddresses.From(states, host);
            DockerExtensionInfo extension = states.Get(graph.Extension);
            string folder = graph.TlsSet.Folder(states);
            return new DockerVmInfo
            {
                Name = spec.VmName,
                ResourceGroupName = spec.ResourceGroupName,
                Location = vm.Location,
                Id = vm.Id,
                Fqdn = addresses.Fqdn,
                PublicIpAddress = addresses.PublicIpAddress,
                PrivateIpAddress = addresses.PrivateIpAddress,
                DockerPort = spec.DockerPort,
                DockerHost = DockerEndpoint.Format(addresses.Host, spec.DockerPort),
                AllowedSourceAddress = spec.AllowedSourceAddresses.ToList(),
                CertificatePath = folder,
                FirstToExpire = folder == null ? null : CertificateInspector.FirstToExpire(folder, DateTime.UtcNow),
                DockerContext = plan.DockerContext,
                SshPrivateKeyPath = graph.SshKey == null ? null : states.Get(graph.SshKey).PrivateKeyFile,
                ProvisioningState = extension.ProvisioningState,
                VmProvisioningState = extension.VmProvisioningStateAfter ?? (string)vm.Properties["provisioningState"],
                DockerVersion = extension.DockerVersion,
                Tags = new Dictionary<string, string>(vm.Tags.ToDictionary(t => t.Key, t => t.Value), StringComparer.OrdinalIgnoreCase),
            };
        }

        /// <summary>
        /// Progress per stage, one bar per host: what is being made for it now (several at once when they are
        /// independent) and how far it is. What hosts share (the group's network, NSG and CA) has a bar of its own.
        /// </summary>
        private sealed class ProgressObserver : IDeploymentObserver
        {
            private readonly IEngineHost _host;
            private readonly Dictionary<ResourceNode, Bar> _bars = new Dictionary<ResourceNode, Bar>();

            internal ProgressObserver(IEngineHost host, DeploymentPlan combined, IReadOnlyList<DockerVmPlan> plans)
            {
                _host = host;
                SharedActivity = plans.Count == 1 ? plans[0].Name : $"resource group '{plans[0].ResourceGroupName}': shared resources";
                var owners = new Dictionary<ResourceNode, List<string>>();
                foreach (DockerVmPlan plan in plans)
                {
                    foreach (ResourceNode node in combined.For(plan.Graph.Roots).Nodes)
                    {
                        (owners.TryGetValue(node, out var names) ? names : owners[node] = new List<string>()).Add(plan.Name);
                    }
                }

                var bars = new Dictionary<string, Bar>(StringComparer.OrdinalIgnoreCase);
                foreach (var owner in owners)
                {
                    string activity = owner.Value.Count == 1 ? owner.Value[0] : SharedActivity;
                    Bar bar = bars.TryGetValue(activity, out Bar known) ? known : bars[activity] = new Bar(activity);
                    bar.Total++;
                    _bars[owner.Key] = bar;
                }
            }

            /// <summary>The bar of what several hosts share (for one host: that host's own).</summary>
            internal string SharedActivity { get; }

            public void Starting(ResourceNode node, string change)
            {
                lock (_bars)
                {
                    Bar bar = _bars[node];
                    bar.Running.Add(node);
                    _host.WriteVerbose($"{change} {DockerVmPlan.Describe(node)}.");
                    Report(bar);
                }
            }

            public void Finished(ResourceNode node, NodeOutcome outcome)
            {
                lock (_bars)
                {
                    Bar bar = _bars[node];
                    bar.Running.Remove(node);
                    bar.Finished++;
                    _host.WriteVerbose($"{DockerVmPlan.Describe(node)}: {outcome.ToString().ToLowerInvariant()}.");
                    Report(bar);
                }
            }

            /// <summary>A host's walk has ended (or, with <see cref="SharedActivity"/>, the whole walk): its bar is completed.</summary>
            internal void Done(string activity)
            {
                lock (_bars)
                {
                    if (_bars.Values.FirstOrDefault(b => string.Equals(b.Activity, activity, StringComparison.OrdinalIgnoreCase)) is Bar bar && !bar.Completed)
                    {
                        bar.Completed = true;
                        _host.WriteProgress(bar.Activity, "Done", 100);
                    }
                }
            }

            private void Report(Bar bar)
            {
                if (bar.Completed)
                {
                    return;
                }

                string now = bar.Running.Count == 0 ? "Waiting" : "Creating " + string.Join(", ", bar.Running.Select(DockerVmPlan.Describe));
                _host.WriteProgress(bar.Activity, now, Math.Min(99, bar.Finished * 100 / Math.Max(1, bar.Total)));
            }

            private sealed class Bar
            {
                internal Bar(string activity) => Activity = activity;

                internal string Activity { get; }

                internal List<ResourceNode> Running { get; } = new List<ResourceNode>();

                internal int Total { get; set; }

                internal int Finished { get; set; }

                internal bool Completed { get; set; }
            }
        }
    }

    /// <summary>One host of a (fleet) plan or walk: its plan, and the host made or why not.</summary>
    public sealed class DockerVmOutcome
    {
        public DockerVmPlan Plan { get; internal set; }

        public DockerVmInfo Host { get; internal set; }

        public AzDockerVmException Failure { get; internal set; }
    }

    /// <summary>A Docker host on an Azure VM, as New-/Get-AzDockerVm report it. Nothing secret.</summary>
    public sealed class DockerVmInfo
    {
        public string Name { get; set; }
        public string ResourceGroupName { get; set; }
        public string Location { get; set; }
        public string Id { get; set; }
        public string Fqdn { get; set; }
        public string PublicIpAddress { get; set; }
        public string PrivateIpAddress { get; set; }
        public string DockerHost { get; set; }
        public int DockerPort { get; set; }
        public List<string> AllowedSourceAddress { get; set; } = new List<string>();
        /// <summary>
        /// Every source an inbound Allow rule of the host's NSGs admits to the Docker port (<see cref="DockerPortExposure"/>);
        /// Get-AzDockerVm reads it, New-AzDockerVm leaves it null (it reports what it made, not what others added).
        /// </summary>
        public List<string> DockerPortOpenTo { get; set; }
        public string CertificatePath { get; set; }
        /// <summary>The certificate of the local set under CertificatePath that expires first (ca.pem, server-cert.pem, cert.pem); null without one.</summary>
        public CertificateFacts FirstToExpire { get; set; }
        public string DockerContext { get; set; }
        public string SshPrivateKeyPath { get; set; }
        /// <summary>The Docker extension's provisioning state (Succeeded once Docker answers with TLS).</summary>
        public string ProvisioningState { get; set; }
        public string VmProvisioningState { get; set; }
        public string DockerVersion { get; set; }
        public Dictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();
    }
}

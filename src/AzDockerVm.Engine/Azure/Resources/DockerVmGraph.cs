using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Engine.Deployment;
using AzDockerVm.Engine.Provisioning;
using AzDockerVm.Engine.Tls;
using Azure.Core;
using Azure.ResourceManager.Compute;

namespace AzDockerVm.Engine.Azure.Resources
{
    /// <summary>
    /// Our Docker extension on the host's VM as a node: read from the VM (not at all when the VM is missing), kept
    /// when it succeeded, sent again (the script rerun) when it failed; sent through the carrier with the TLS set's
    /// files once the VM and the set exist.
    /// </summary>
    public sealed class DockerExtensionNode : ResourceNode<DockerExtensionInfo>
    {
        private readonly ArmConnection _arm;
        private readonly DockerHostResources _host;
        private readonly HostTlsSetNode _tls;
        private readonly SetDockerExtensionRequest _request;

        internal DockerExtensionNode(ArmConnection arm, DockerHostResources host, HostTlsSetNode tls, SetDockerExtensionRequest request)
            : base("Docker extension", request.ExtensionName, host.VirtualMachine, tls)
        {
            _arm = arm;
            _host = host;
            _tls = tls;
            _request = request;
            PlaceIn(host.VirtualMachine);
        }

        protected override Task<DockerExtensionInfo> Read(CancellationToken ct)
            => throw new InvalidOperationException("The Docker extension is read with its VM.");

        protected internal override async Task<object> ReadInAsync(object containerState, CancellationToken ct)
        {
            VmFacts vm = Facts((ArmResourceState)containerState, null);
            var resource = _arm.Client.GetVirtualMachineResource(new ResourceIdentifier(vm.Id));
            DockerExtensionInfo info = await DockerExtensionService.ReadOursAsync(_arm, resource, vm, Name, ct).ConfigureAwait(false);
            return info;
        }

        protected override bool FitsNow(DockerExtensionInfo state, DeploymentStates states)
            => string.Equals(state.ProvisioningState, "Succeeded", StringComparison.OrdinalIgnoreCase) && state.DockerPort == _request.Settings.Port;

        protected override async Task<DockerExtensionInfo> Create(DeploymentStates states, CancellationToken ct)
        {
            VmFacts vm = Facts(states.Get(_host.VirtualMachine), HostAddresses.From(states, _host));
            VmCertificate certificate = _tls.Certificate(states);
            DockerHostSettings settings = DockerExtensionService.SettingsFor(certificate.CaFile, certificate.ServerCertificateFile, certificate.ServerKeyFile, _request, vm);
            // A failed run is rerun (its settings may be the same: the timestamp makes the handler run the script again).
            bool rerun = states.Find(this) != null;
            var operation = await DockerExtensionService.SendAsync(_arm, vm, _request, settings, rerun || _request.ForceRerun, ct).ConfigureAwait(false);
            DockerExtensionInfo info = await DockerExtensionService.FinishAsync(_arm, vm, Name, operation, ct).ConfigureAwait(false);
            // A VM that was not Succeeded (left Failed by an earlier run of the script) is Azure's to re-judge now
            // that the extension ran again: read it once, so the host's object does not show the state of before.
            if (!string.Equals((string)states.Get(_host.VirtualMachine).Properties["provisioningState"], "Succeeded", StringComparison.OrdinalIgnoreCase))
            {
                var resource = _arm.Client.GetVirtualMachineResource(new ResourceIdentifier(vm.Id));
                info.VmProvisioningStateAfter = (await resource.GetAsync(cancellationToken: ct).ConfigureAwait(false)).Value.Data.ProvisioningState;
            }

            return info;
        }

        /// <summary>What the extension code needs of the VM, from its ARM state (and its addresses, once known).</summary>
        internal static VmFacts Facts(ArmResourceState vmState, HostAddresses addresses)
        {
            var id = new ResourceIdentifier(vmState.Id);
            VmFacts facts = addresses?.ToFacts(id.Name) ?? new VmFacts { Name = id.Name };
            facts.Id = vmState.Id;
            facts.ResourceGroupName = id.ResourceGroupName;
            facts.Location = vmState.Location;
            facts.AdminUsername = (string)vmState.Properties["osProfile"]?["adminUsername"];
            facts.OsType = (string)vmState.Properties["storageProfile"]?["osDisk"]?["osType"] ?? "Linux";
            return facts;
        }
    }

    /// <summary>
    /// Everything one Docker host is made of, as one graph: the Azure resources (<see cref="DockerHostResources"/>),
    /// the SSH key when one is generated, the group's CA and the host's TLS set on the admin's machine, the Docker
    /// extension, and the docker context. Independent nodes run at the same time: the network tier together, the TLS
    /// set while the VM is being created.
    /// </summary>
    public sealed class DockerVmGraph
    {
        private DockerVmGraph()
        {
        }

        public DockerHostResources Resources { get; private set; }

        public SshKeyNode SshKey { get; private set; }

        public CertificateAuthorityNode Authority { get; private set; }

        public HostTlsSetNode TlsSet { get; private set; }

        public DockerExtensionNode Extension { get; private set; }

        public DockerContextNode Context { get; private set; }

        public IReadOnlyList<ResourceNode> Roots => new ResourceNode[] { Extension, Context }.Concat(Resources.Roots).Where(n => n != null).ToList();

        /// <summary>Every node, in dependency order.</summary>
        public IReadOnlyList<ResourceNode> Nodes => ResourceGraph.Order(Roots);

        /// <summary>
        /// The graph of one host; <paramref name="sharedNetwork"/> (an earlier host's graph on the same network) lends
        /// its group, network and NSG nodes, <paramref name="sharedGroup"/> (an earlier host of the same group) its
        /// group and CA nodes: what many hosts need at once is one node, made once.
        /// </summary>
        internal static DockerVmGraph Build(ArmConnection arm, DockerVmPlan plan, DockerVmGraph sharedNetwork = null, DockerVmGraph sharedGroup = null)
        {
            DockerVmGraph shared = sharedNetwork;
            DockerHostSpec spec = plan.Spec;
            var graph = new DockerVmGraph();
            if (plan.GenerateSshKey)
            {
                graph.SshKey = new SshKeyNode(DockerTlsMaterial.SshKeyFolder(plan.DockerConfig, spec.ResourceGroupName, spec.VmName), $"azdockervm-{spec.VmName}");
            }

            graph.Resources = DockerHostResources.Build(arm, spec, shared?.Resources, graph.SshKey, (sharedNetwork ?? sharedGroup)?.Resources.ResourceGroup);
            if (plan.GivenCertificate != null)
            {
                graph.TlsSet = HostTlsSetNode.Given(plan.GivenCertificate, graph.Resources);
            }
            else
            {
                graph.Authority = (sharedNetwork ?? sharedGroup)?.Authority ?? new CertificateAuthorityNode(
                    DockerTlsMaterial.AuthorityFolder(plan.DockerConfig, arm.Target.SubscriptionId, spec.ResourceGroupName), spec.ResourceGroupName);
                graph.TlsSet = HostTlsSetNode.Made(plan.DockerConfig, graph.Resources, graph.Authority, plan.Force);
            }

            graph.Extension = new DockerExtensionNode(arm, graph.Resources, graph.TlsSet, plan.Docker);
            // The host's VM left Failed by its own operation (AllocationFailed) is made again. Failed by our extension
            // (Azure marks the VM so), it is kept and only the extension is sent again.
            graph.Resources.VirtualMachine.ReplaceWhenFailed((vm, states) => DockerHostResources.IsHosts(vm, spec.VmName)
                && !(states.Find(graph.Extension) is DockerExtensionInfo ours && string.Equals(ours.ProvisioningState, "Failed", StringComparison.OrdinalIgnoreCase)));
            if (plan.DockerContext != null)
            {
                graph.Context = new DockerContextNode(plan.DockerConfig, plan.DockerContext, graph.Resources, graph.TlsSet, graph.Extension, spec.DockerPort,
                    $"Azure VM {spec.ResourceGroupName}/{spec.VmName} (AzDockerVm)");
            }

            return graph;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using AzDockerVm.FakeArm.Http;

namespace AzDockerVm.FakeArm.State
{
    /// <summary>Everything the fake knows, behind one lock (<see cref="Gate"/>): simple and safe for parallel clients.</summary>
    internal sealed class ArmStore
    {
        private readonly List<ResourceGroupRecord> _groups = new List<ResourceGroupRecord>();
        private readonly Dictionary<string, LongRunningOperation> _operations = new Dictionary<string, LongRunningOperation>(StringComparer.OrdinalIgnoreCase);
        private int _publicAddresses;

        public ArmStore(string subscriptionId)
        {
            SubscriptionId = subscriptionId;
        }

        public object Gate { get; } = new object();

        public string SubscriptionId { get; }

        /// <summary>The platform images and VM sizes new VMs may use.</summary>
        public Marketplace Marketplace { get; } = new Marketplace();

        public IEnumerable<ResourceGroupRecord> Groups => _groups;

        public IEnumerable<VmRecord> Vms => _groups.SelectMany(g => g.Vms);

        public IEnumerable<NetworkRecord> Network => _groups.SelectMany(g => g.Network);

        public ResourceGroupRecord FindGroup(string name) =>
            _groups.FirstOrDefault(g => string.Equals(g.Name, name, StringComparison.OrdinalIgnoreCase));

        /// <summary>The group, or ResourceGroupNotFound; for writes also ResourceGroupBeingDeleted.</summary>
        public ResourceGroupRecord RequireGroup(string name, bool forWrite = false)
        {
            var group = FindGroup(name) ?? throw ArmError.ResourceGroupNotFound(name).AsException();
            if (forWrite && group.Deleting)
            {
                throw new ArmError(409, "ResourceGroupBeingDeleted", $"The resource group '{group.Name}' is in deprovisioning state and cannot perform this operation.").AsException();
            }

            return group;
        }

        public ResourceGroupRecord AddGroup(string name, string location)
        {
            var group = new ResourceGroupRecord(SubscriptionId, name, ArmIds.NormalizeLocation(location));
            _groups.Add(group);
            return group;
        }

        public void RemoveGroup(ResourceGroupRecord group) => _groups.Remove(group);

        public static VmRecord FindVm(ResourceGroupRecord group, string name) =>
            group.Vms.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase));

        public VmRecord FindVmById(string id) => Vms.FirstOrDefault(v => ArmIds.Same(v.Id, id));

        public static ExtensionRecord FindExtension(VmRecord vm, string name) =>
            vm.Extensions.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));

        public static NetworkRecord FindNetwork(ResourceGroupRecord group, string type, string name) =>
            group.Network.FirstOrDefault(n => n.Type == type && string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase));

        public NetworkRecord FindNetworkById(string id) => Network.FirstOrDefault(n => ArmIds.Same(n.Id, id));

        /// <summary>
        /// Where public addresses come from: false (the default) 20.50.0.0/16, as Azure's look; true 127.0.0.2,
        /// 127.0.0.3, ... (see <see cref="FakeArmOptions.LoopbackPublicAddresses"/>).
        /// </summary>
        public bool LoopbackPublicAddresses { get; set; }

        /// <summary>A public address from 20.50.0.0/16 (or 127.0.0.0/8 past 127.0.0.1), unique within this fake.</summary>
        public string NextPublicAddress()
        {
            int n = _publicAddresses++;
            if (LoopbackPublicAddresses)
            {
                // 127.0.0.1 stays the fake's own address; 250 hosts per third octet, as below.
                n++;
                return $"127.0.{n / 250}.{n % 250 + 1}";
            }

            return $"20.50.{n / 250}.{n % 250 + 1}";
        }

        public LongRunningOperation AddOperation(LongRunningOperation operation)
        {
            _operations[operation.Id] = operation;
            return operation;
        }

        public LongRunningOperation FindOperation(string id) => _operations.TryGetValue(id, out var op) ? op : null;

        public LongRunningOperation PendingOperationOn(string resourceId) =>
            _operations.Values.FirstOrDefault(o => !o.Done && ArmIds.Same(o.ResourceId, resourceId));

        /// <summary>A GET of <paramref name="resourceId"/> is one tick of time for the operations changing it.</summary>
        public void Observe(string resourceId)
        {
            foreach (var op in _operations.Values.Where(o => !o.Done && ArmIds.Same(o.ResourceId, resourceId)).ToList())
            {
                op.Tick();
            }
        }

        /// <summary>Finishes every pending operation, as if enough time had passed.</summary>
        public void CompleteAll()
        {
            foreach (var op in _operations.Values.Where(o => !o.Done).ToList())
            {
                op.Force();
            }
        }

        /// <summary>Refuses a write on a resource that another operation is still changing, as ARM does.</summary>
        public void EnsureNoPendingOperation(string resourceId, string method)
        {
            if (PendingOperationOn(resourceId) != null)
            {
                throw ArmError.Conflict($"Operation '{method}' on resource '{resourceId}' is not allowed because another operation on this resource is in progress.").AsException();
            }
        }
    }
}

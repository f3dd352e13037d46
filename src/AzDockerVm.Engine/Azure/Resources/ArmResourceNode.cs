using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Engine.Deployment;
using Azure;
using Azure.Core;
using Azure.ResourceManager;
using Azure.ResourceManager.Resources;
using Azure.ResourceManager.Resources.Models;

namespace AzDockerVm.Engine.Azure.Resources
{
    /// <summary>What ARM holds for a resource: id, location, tags and properties.</summary>
    public sealed class ArmResourceState
    {
        public ArmResourceState(string id, string location, IReadOnlyDictionary<string, string> tags, JsonObject properties)
        {
            Id = id;
            Location = location;
            Tags = tags ?? new Dictionary<string, string>();
            Properties = properties ?? new JsonObject();
        }

        public string Id { get; }

        public string Location { get; }

        public IReadOnlyDictionary<string, string> Tags { get; }

        public JsonObject Properties { get; }
    }

    /// <summary>What a node PUTs: location (none for a child resource), tags, SKU and properties.</summary>
    public sealed class ArmResourceModel
    {
        public ArmResourceModel WithTags(IDictionary<string, string> tags)
        {
            foreach (var tag in tags)
            {
                Tags[tag.Key] = tag.Value;
            }

            return this;
        }

        public string Location { get; set; }

        public IDictionary<string, string> Tags { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        public string SkuName { get; set; }

        public string SkuTier { get; set; }

        /// <summary>Availability zones, or null.</summary>
        public IList<string> Zones { get; set; }

        public JsonObject Properties { get; set; } = new JsonObject();
    }

    /// <summary>
    /// An ARM resource as a graph node, through the SDK's generic resources (at the api-version ArmConnection pins for
    /// its type): GET by id (404: missing), PUT of the model computed from the dependencies' states once they exist,
    /// DELETE. Whether a removal may delete it is the caller's rule (ours by tag, and not used by anything else).
    /// </summary>
    public sealed class ArmResourceNode : ResourceNode<ArmResourceState>
    {
        private readonly ArmConnection _arm;
        private readonly Func<DeploymentStates, CancellationToken, Task<ArmResourceModel>> _model;
        private readonly Func<ArmResourceState, bool> _mayRemove;

        public ArmResourceNode(ArmConnection arm, string kind, ResourceIdentifier id, Func<DeploymentStates, ArmResourceModel> model,
            Func<ArmResourceState, bool> mayRemove, params ResourceNode[] dependsOn)
            : this(arm, kind, id, (states, _) => Task.FromResult(model(states)), mayRemove, dependsOn)
        {
        }

        /// <summary>A node whose model needs a request of its own (a rule's free priority, read fresh).</summary>
        public ArmResourceNode(ArmConnection arm, string kind, ResourceIdentifier id, Func<DeploymentStates, CancellationToken, Task<ArmResourceModel>> model,
            Func<ArmResourceState, bool> mayRemove, params ResourceNode[] dependsOn)
            : base(kind, id.Name, dependsOn)
        {
            _arm = arm;
            Id = id;
            _model = model;
            _mayRemove = mayRemove ?? (_ => false);
        }

        private string _retryOn;
        private Func<ArmResourceState, DeploymentStates, bool> _replaceWhenFailed;

        /// <summary>
        /// An existing resource whose last operation ended Failed (a VM whose creation ended AllocationFailed) is written
        /// again, not reused as it is, when <paramref name="replace"/> says so: the model is ours to write (another
        /// writer's resource is never overwritten) and writing it again is the remedy.
        /// </summary>
        public ArmResourceNode ReplaceWhenFailed(Func<ArmResourceState, DeploymentStates, bool> replace)
        {
            _replaceWhenFailed = replace;
            return this;
        }

        protected override bool FitsNow(ArmResourceState state, DeploymentStates states)
            => _replaceWhenFailed == null
               || !string.Equals((string)state.Properties["provisioningState"], "Failed", StringComparison.OrdinalIgnoreCase)
               || !_replaceWhenFailed(state, states);

        /// <summary>ARM's answer <paramref name="errorCode"/> to the PUT means "someone else wrote first": the model is made again from a fresh read, and sent again (a few times).</summary>
        public ArmResourceNode RetryOn(string errorCode)
        {
            _retryOn = errorCode;
            return this;
        }

        /// <summary>What ARM holds now (a fresh GET; null when missing).</summary>
        internal async Task<ArmResourceState> ReadNowAsync(CancellationToken ct) => await Read(ct).ConfigureAwait(false) ?? new ArmResourceState(Id.ToString(), null, null, null);

        public ResourceIdentifier Id { get; }

        private Func<ArmResourceState, ArmResourceState> _inParent;
        private ArmResourceNode _parent;

        /// <summary>A resource in a resource group (or another container): not read when that is missing.</summary>
        public ArmResourceNode In(ResourceNode container)
        {
            PlaceIn(container);
            return this;
        }

        /// <summary>
        /// A child resource its parent's state holds (a subnet in its VNet, a rule in its NSG): read from the parent's
        /// GET, with no request of its own; found there with no request when the parent's PUT made it; and removable
        /// only when its own rule allows it and the parent may go too (the parent follows).
        /// </summary>
        public ArmResourceNode ChildOf(ArmResourceNode parent, Func<ArmResourceState, ArmResourceState> lookup, bool removableAlone = false)
        {
            PlaceIn(parent);
            _parent = parent;
            _inParent = lookup;
            _removableAlone = removableAlone;
            return this;
        }

        private bool _removableAlone;

        protected internal override Task<object> ReadInAsync(object containerState, CancellationToken ct)
            => _inParent != null ? Task.FromResult<object>(_inParent((ArmResourceState)containerState)) : base.ReadInAsync(containerState, ct);

        protected override async Task<ArmResourceState> Read(CancellationToken ct)
        {
            try
            {
                Response<GenericResource> response = await _arm.Client.GetGenericResource(Id).GetAsync(ct).ConfigureAwait(false);
                return ToState(response.Value.Data);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return null;
            }
        }

        protected override async Task<ArmResourceState> Create(DeploymentStates states, CancellationToken ct)
        {
            ArmResourceState alreadyThere = _parent == null ? null : _inParent(states.Get(_parent));
            if (alreadyThere != null)
            {
                return alreadyThere;
            }

            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    return await ArmPut.PutAsync(_arm, Id, await _model(states, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
                }
                catch (RequestFailedException ex) when (_retryOn != null && ex.ErrorCode == _retryOn && attempt < 5)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), ct).ConfigureAwait(false);
                }
            }
        }

        /// <summary>
        /// Decided on what is there now, not on what the walk read at its start: by the time a shared resource comes
        /// up, this host's NIC that used it has just gone.
        /// </summary>
        protected override async Task<bool> MayRemove(ArmResourceState state, CancellationToken ct)
        {
            ArmResourceState now = await Read(ct).ConfigureAwait(false);
            if (now == null)
            {
                return true;
            }

            return _mayRemove(now) && (_parent == null || _removableAlone || await _parent.MayRemoveAsync(null, ct).ConfigureAwait(false));
        }

        protected override async Task Delete(ArmResourceState state, CancellationToken ct)
        {
            try
            {
                await _arm.Client.GetGenericResource(Id).DeleteAsync(WaitUntil.Completed, ct).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Gone already: what a removal wants.
            }
        }

        internal static ArmResourceState ToState(GenericResourceData data)
        {
            JsonObject properties = data.Properties == null ? new JsonObject() : JsonNode.Parse(data.Properties.ToString()) as JsonObject;
            return new ArmResourceState(data.Id?.ToString(), data.Location.ToString(), data.Tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.OrdinalIgnoreCase), properties);
        }

        /// <summary>A resource's JSON as ARM answers it (a child resource has no location or tags).</summary>
        internal static ArmResourceState ToState(JsonObject resource, string id)
        {
            var tags = (resource["tags"] as JsonObject)?.ToDictionary(t => t.Key, t => (string)t.Value, StringComparer.OrdinalIgnoreCase);
            return new ArmResourceState((string)resource["id"] ?? id, (string)resource["location"], tags, resource["properties"] as JsonObject);
        }
    }
}

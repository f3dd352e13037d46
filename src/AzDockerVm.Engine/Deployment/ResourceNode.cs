using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace AzDockerVm.Engine.Deployment
{
    /// <summary>
    /// One resource of a deployment (a resource group, a network, a VM, the Docker extension, a local TLS set): how to
    /// read what exists, how to create it once what it depends on exists, and whether a removal may delete it. The
    /// graph is the nodes and their <see cref="DependsOn"/>; <see cref="ResourceGraph"/> walks it.
    /// </summary>
    public abstract class ResourceNode
    {
        protected ResourceNode(string kind, string name, IEnumerable<ResourceNode> dependsOn)
        {
            Kind = kind ?? throw new ArgumentNullException(nameof(kind));
            Name = name ?? throw new ArgumentNullException(nameof(name));
            DependsOn = (dependsOn ?? Enumerable.Empty<ResourceNode>()).Where(n => n != null).Distinct().ToList();
        }

        /// <summary>What it is, in words ("virtual network").</summary>
        public string Kind { get; }

        /// <summary>Its name (unique within its kind in a graph).</summary>
        public string Name { get; }

        public IReadOnlyList<ResourceNode> DependsOn { get; }

        /// <summary>
        /// The node this one lives in (a resource in its group, a subnet in its network, an extension on its VM), or
        /// null: it is read after its container, and known to be missing, without a request, when the container is.
        /// </summary>
        public ResourceNode Container { get; private set; }

        /// <summary>Places this node in <paramref name="container"/> (which must be one of its dependencies).</summary>
        protected void PlaceIn(ResourceNode container)
        {
            if (container != null && !DependsOn.Contains(container))
            {
                throw new ArgumentException($"{this} can live only in a node it depends on; {container} is not one.", nameof(container));
            }

            Container = container;
        }

        /// <summary>What exists now, or null when it does not exist. Read once per walk.</summary>
        protected internal abstract Task<object> ReadAsync(CancellationToken ct);

        /// <summary>What exists now, read once its <see cref="Container"/> is known to exist (with that one's state). Default: <see cref="ReadAsync"/>.</summary>
        protected internal virtual Task<object> ReadInAsync(object containerState, CancellationToken ct) => ReadAsync(ct);

        /// <summary>
        /// Whether what exists still fits what it depends on as they are now (a local TLS set still covers the host's
        /// addresses): when not, a walk makes it again. Default: what exists fits.
        /// </summary>
        protected internal virtual bool Fits(object state, DeploymentStates states) => true;

        /// <summary>Creates it; every node it depends on exists by now, with its state in <paramref name="states"/>.</summary>
        protected internal abstract Task<object> CreateAsync(DeploymentStates states, CancellationToken ct);

        /// <summary>Whether a removal may delete it as it is (ours, and nothing outside the graph still uses it). Default: never.</summary>
        protected internal virtual Task<bool> MayRemoveAsync(object state, CancellationToken ct) => Task.FromResult(false);

        /// <summary>Deletes it; everything in the graph that depends on it is gone by now.</summary>
        protected internal virtual Task DeleteAsync(object state, CancellationToken ct)
            => throw new NotSupportedException($"The {Kind} '{Name}' is never deleted.");

        public override string ToString() => $"{Kind} '{Name}'";
    }

    /// <summary>A node whose state has a type of its own (what its reads and creates return).</summary>
    public abstract class ResourceNode<TState> : ResourceNode
        where TState : class
    {
        protected ResourceNode(string kind, string name, params ResourceNode[] dependsOn)
            : base(kind, name, dependsOn)
        {
        }

        protected abstract Task<TState> Read(CancellationToken ct);

        protected abstract Task<TState> Create(DeploymentStates states, CancellationToken ct);

        protected virtual Task<bool> MayRemove(TState state, CancellationToken ct) => Task.FromResult(false);

        protected virtual Task Delete(TState state, CancellationToken ct) => base.DeleteAsync(state, ct);

        protected virtual bool FitsNow(TState state, DeploymentStates states) => true;

        protected internal sealed override bool Fits(object state, DeploymentStates states) => FitsNow((TState)state, states);

        protected internal sealed override async Task<object> ReadAsync(CancellationToken ct) => await Read(ct).ConfigureAwait(false);

        protected internal sealed override async Task<object> CreateAsync(DeploymentStates states, CancellationToken ct)
            => await Create(states, ct).ConfigureAwait(false) ?? throw new InvalidOperationException($"Creating the {Kind} '{Name}' returned no state.");

        protected internal sealed override Task<bool> MayRemoveAsync(object state, CancellationToken ct) => MayRemove((TState)state, ct);

        protected internal sealed override Task DeleteAsync(object state, CancellationToken ct) => Delete((TState)state, ct);
    }

    /// <summary>The states known in a walk: what was read or created, by node.</summary>
    public sealed class DeploymentStates
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<ResourceNode, object> _states =
            new System.Collections.Concurrent.ConcurrentDictionary<ResourceNode, object>();

        /// <summary>The state of <paramref name="node"/>; it must exist (a dependency always does when it is asked for).</summary>
        public TState Get<TState>(ResourceNode<TState> node)
            where TState : class
            => _states.TryGetValue(node, out object state) && state != null
                ? (TState)state
                : throw new InvalidOperationException($"The state of {node} is not known: is it a dependency of the node that asks?");

        internal void Set(ResourceNode node, object state) => _states[node] = state;

        internal DeploymentStates Copy()
        {
            var copy = new DeploymentStates();
            foreach (var pair in _states)
            {
                copy._states[pair.Key] = pair.Value;
            }

            return copy;
        }

        internal object Find(ResourceNode node) => _states.TryGetValue(node, out object state) ? state : null;
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace AzDockerVm.Engine.Deployment
{
    /// <summary>What happened to one node in a walk.</summary>
    public enum NodeOutcome
    {
        /// <summary>It existed and was kept as it was.</summary>
        Existed,

        /// <summary>This walk created it.</summary>
        Created,

        /// <summary>This walk deleted it.</summary>
        Deleted,

        /// <summary>A removal found nothing there.</summary>
        Absent,

        /// <summary>A removal kept it: it may not be removed (not ours, or still used), or something that needs it stays.</summary>
        Kept,

        /// <summary>Creating or deleting it failed.</summary>
        Failed,

        /// <summary>Not started: a node it waits for failed, or the walk was stopped.</summary>
        NotStarted,
    }

    /// <summary>Tells the caller (progress, verbose) when a node starts and ends its change.</summary>
    public interface IDeploymentObserver
    {
        void Starting(ResourceNode node, string change);

        void Finished(ResourceNode node, NodeOutcome outcome);
    }

    /// <summary>The nodes of a graph with what exists now: the plan a WhatIf shows and an apply starts from.</summary>
    public sealed class DeploymentPlan
    {
        internal DeploymentPlan(IReadOnlyList<ResourceNode> nodes, DeploymentStates states)
        {
            Nodes = nodes;
            States = states;
        }

        /// <summary>Every node, each after the nodes it depends on.</summary>
        public IReadOnlyList<ResourceNode> Nodes { get; }

        public IReadOnlyList<ResourceNode> Existing => Nodes.Where(n => States.Find(n) != null).ToList();

        public IReadOnlyList<ResourceNode> Missing => Nodes.Where(n => States.Find(n) == null).ToList();

        /// <summary>What exists but no longer fits what it depends on (as far as the plan can tell: all of those exist): made again.</summary>
        public IReadOnlyList<ResourceNode> Stale => Nodes.Where(n => States.Find(n) != null && n.DependsOn.All(d => States.Find(d) != null) && !FitsSafely(n)).ToList();

        private bool FitsSafely(ResourceNode node)
        {
            try
            {
                return node.Fits(States.Find(node), States);
            }
            catch (Exception)
            {
                // Damaged: the apply reports why.
                return false;
            }
        }

        internal DeploymentStates States { get; }

        /// <summary>The part of this plan reachable from <paramref name="roots"/>, with the states already read (nothing is read again).</summary>
        public DeploymentPlan For(IEnumerable<ResourceNode> roots) => new DeploymentPlan(ResourceGraph.Order(roots), States);
    }

    /// <summary>The outcome of a walk, node by node, in dependency order.</summary>
    public sealed class DeploymentResult
    {
        internal DeploymentResult(IReadOnlyList<ResourceNode> nodes, IDictionary<ResourceNode, NodeOutcome> outcomes,
            IDictionary<ResourceNode, Exception> failures, DeploymentStates states)
        {
            Nodes = nodes;
            Outcomes = new Dictionary<ResourceNode, NodeOutcome>(outcomes);
            Failures = new Dictionary<ResourceNode, Exception>(failures);
            States = states;
        }

        public IReadOnlyList<ResourceNode> Nodes { get; }

        public IReadOnlyDictionary<ResourceNode, NodeOutcome> Outcomes { get; }

        /// <summary>Why each failed node failed.</summary>
        public IReadOnlyDictionary<ResourceNode, Exception> Failures { get; }

        public DeploymentStates States { get; }

        public bool Succeeded => Failures.Count == 0 && Outcomes.Values.All(o => o != NodeOutcome.NotStarted);

        /// <summary>What exists after the walk (existed or created), in dependency order.</summary>
        public IReadOnlyList<ResourceNode> Existing
            => Nodes.Where(n => Outcomes[n] != NodeOutcome.Deleted && Outcomes[n] != NodeOutcome.Absent && States.Find(n) != null).ToList();

        public IEnumerable<ResourceNode> With(NodeOutcome outcome) => Nodes.Where(n => Outcomes[n] == outcome);

        /// <summary>The outcomes of the nodes reachable from <paramref name="roots"/> (one host of a walk over many).</summary>
        public DeploymentResult For(IEnumerable<ResourceNode> roots) => Part(ResourceGraph.Order(roots), Outcomes, Failures, States);

        /// <summary>The outcomes of <paramref name="nodes"/> only, out of a walk's.</summary>
        internal static DeploymentResult Part(IReadOnlyList<ResourceNode> nodes, IReadOnlyDictionary<ResourceNode, NodeOutcome> outcomes,
            IReadOnlyDictionary<ResourceNode, Exception> failures, DeploymentStates states)
            => new DeploymentResult(nodes, nodes.ToDictionary(n => n, n => outcomes[n]), failures.Where(f => nodes.Contains(f.Key)).ToDictionary(f => f.Key, f => f.Value), states);
    }

    /// <summary>
    /// Walks a graph of <see cref="ResourceNode"/>s the way a resumable deployment must: read every node once, create
    /// only what is missing, each node as soon as (and only when) everything it depends on exists, independent
    /// branches at the same time; a failure stops only what waits for the failed node. Removal walks the same graph
    /// in reverse: a node goes only after everything that depends on it is gone, and only when it may.
    /// </summary>
    public static class ResourceGraph
    {
        /// <summary>
        /// Every node reachable from <paramref name="roots"/>, once, each after its dependencies. (A node gets its
        /// dependencies when it is made, so a graph has no cycles.)
        /// </summary>
        public static IReadOnlyList<ResourceNode> Order(IEnumerable<ResourceNode> roots)
        {
            var ordered = new List<ResourceNode>();
            var done = new HashSet<ResourceNode>();

            void Visit(ResourceNode node)
            {
                if (!done.Add(node))
                {
                    return;
                }

                foreach (ResourceNode dependency in node.DependsOn)
                {
                    Visit(dependency);
                }

                // (A container is always a dependency too: PlaceIn requires it.)

                ordered.Add(node);
            }

            foreach (ResourceNode root in roots)
            {
                Visit(root);
            }

            return ordered;
        }

        /// <summary>
        /// Reads every node once, all at the same time except that a node in a container is read after it (and not at
        /// all when the container is missing): what exists, what is missing. Changes nothing.
        /// </summary>
        public static Task<DeploymentPlan> PlanAsync(IEnumerable<ResourceNode> roots, CancellationToken ct) => PlanAsync(roots, int.MaxValue, ct);

        /// <summary>As <see cref="PlanAsync(IEnumerable{ResourceNode}, CancellationToken)"/>, with at most <paramref name="maxReads"/> reads at a time.</summary>
        public static async Task<DeploymentPlan> PlanAsync(IEnumerable<ResourceNode> roots, int maxReads, CancellationToken ct)
        {
            IReadOnlyList<ResourceNode> nodes = Order(roots);
            var states = new DeploymentStates();
            var reads = new Dictionary<ResourceNode, Task<object>>();
            using var gate = new SemaphoreSlim(Math.Max(1, Math.Min(maxReads, 1024)));
            foreach (ResourceNode node in nodes)
            {
                // In dependency order: a container's read has started before the reads of what it holds.
                reads[node] = ReadAsync(node, node.Container == null ? null : reads[node.Container], gate, ct);
            }

            await Task.WhenAll(reads.Select(async read => states.Set(read.Key, await read.Value.ConfigureAwait(false)))).ConfigureAwait(false);
            return new DeploymentPlan(nodes, states);
        }

        private static async Task<object> ReadAsync(ResourceNode node, Task<object> container, SemaphoreSlim gate, CancellationToken ct)
        {
            object containerState = container == null ? null : await container.ConfigureAwait(false);
            if (container != null && containerState == null)
            {
                return null;
            }

            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                return container == null ? await node.ReadAsync(ct).ConfigureAwait(false) : await node.ReadInAsync(containerState, ct).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }

        /// <summary>
        /// Creates what the plan found missing; returns every node's outcome (it does not throw for a node's failure).
        /// The plan stays as it was read.
        /// </summary>
        public static async Task<DeploymentResult> ApplyAsync(DeploymentPlan plan, IDeploymentObserver observer, CancellationToken ct)
            => await ApplyAsync(plan, observer, int.MaxValue, ct).ConfigureAwait(false);

        /// <summary>As <see cref="ApplyAsync(DeploymentPlan, IDeploymentObserver, CancellationToken)"/>, with at most <paramref name="maxChanges"/> changes at a time (1: one after the other, in dependency order).</summary>
        public static Task<DeploymentResult> ApplyAsync(DeploymentPlan plan, IDeploymentObserver observer, int maxChanges, CancellationToken ct)
            => ApplyAsync(plan, observer, maxChanges, Array.Empty<IReadOnlyList<ResourceNode>>(), null, ct);

        /// <summary>
        /// As above; and as soon as every node reachable from <paramref name="parts"/>[i] is decided (one host of many),
        /// <paramref name="partDone"/>(i, its outcomes) is called, while the rest of the walk goes on.
        /// </summary>
        public static Task<DeploymentResult> ApplyAsync(DeploymentPlan plan, IDeploymentObserver observer, int maxChanges,
            IReadOnlyList<IReadOnlyList<ResourceNode>> parts, Action<int, DeploymentResult> partDone, CancellationToken ct)
            => ApplyAsync(plan, observer, maxChanges, int.MaxValue, parts, (index, result) =>
            {
                partDone?.Invoke(index, result);
                return Task.CompletedTask;
            }, ct);

        /// <summary>
        /// As above, with at most <paramref name="maxParts"/> parts under way: a part (a host) is admitted before its
        /// own first change and leaves when it is done, so hosts beyond the limit have sent nothing of their own yet.
        /// What parts share (the group's network) is made whenever a part needs it and never waits for admission, so
        /// an admitted part can always finish. A part's place goes to the next one only once <paramref name="partDone"/>'s
        /// task has ended: when reporting a part ends the walk (its error stops the pipeline), it cancels
        /// <paramref name="ct"/> first, and no part is admitted after it.
        /// </summary>
        public static async Task<DeploymentResult> ApplyAsync(DeploymentPlan plan, IDeploymentObserver observer, int maxChanges, int maxParts,
            IReadOnlyList<IReadOnlyList<ResourceNode>> parts, Func<int, DeploymentResult, Task> partDone, CancellationToken ct)
        {
            using var gate = new SemaphoreSlim(Math.Max(1, Math.Min(maxChanges, 1024)));
            using var admission = new SemaphoreSlim(Math.Max(1, Math.Min(maxParts, 1024)));
            DeploymentStates states = plan.States.Copy();
            var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<ResourceNode, NodeOutcome>();
            var failures = new System.Collections.Concurrent.ConcurrentDictionary<ResourceNode, Exception>();
            var tasks = new Dictionary<ResourceNode, Task<bool>>();
            var partNodes = parts.Select(Order).ToList();
            var tickets = parts.Select(_ => new PartTicket(admission, ct)).ToList();
            var ownTicket = new Dictionary<ResourceNode, PartTicket>();
            foreach (var group in partNodes.SelectMany((nodes, index) => nodes.Select(n => (Node: n, Index: index))).GroupBy(x => x.Node))
            {
                if (group.Count() == 1)
                {
                    ownTicket[group.Key] = tickets[group.First().Index];
                }
            }

            foreach (ResourceNode node in plan.Nodes)
            {
                // Nodes come in dependency order, so every dependency's task exists already.
                Task<bool>[] before = node.DependsOn.Select(d => tasks[d]).ToArray();
                tasks[node] = CreateWhenReadyAsync(node, before, states, outcomes, failures, observer, gate, ownTicket.TryGetValue(node, out PartTicket ticket) ? ticket : null, ct);
            }

            var reports = partNodes.Select(async (nodes, index) =>
            {
                try
                {
                    await Task.WhenAll(nodes.Select(n => tasks[n])).ConfigureAwait(false);
                    if (partDone != null)
                    {
                        await partDone(index, DeploymentResult.Part(nodes, outcomes, failures, states)).ConfigureAwait(false);
                    }
                }
                finally
                {
                    tickets[index].Leave();
                }
            }).ToList();
            await Task.WhenAll(tasks.Values).ConfigureAwait(false);
            await Task.WhenAll(reports).ConfigureAwait(false);
            return new DeploymentResult(plan.Nodes, outcomes, failures, states);
        }

        /// <summary>A part's admission: taken once, by its first own change; given back when the part is done.</summary>
        private sealed class PartTicket
        {
            private readonly SemaphoreSlim _admission;
            private readonly CancellationToken _ct;
            private readonly object _gate = new object();
            private Task _entered;

            internal PartTicket(SemaphoreSlim admission, CancellationToken ct)
            {
                _admission = admission;
                _ct = ct;
            }

            internal Task EnterAsync()
            {
                lock (_gate)
                {
                    return _entered ??= _admission.WaitAsync(_ct);
                }
            }

            internal void Leave()
            {
                lock (_gate)
                {
                    if (_entered != null && _entered.Status == TaskStatus.RanToCompletion)
                    {
                        _admission.Release();
                    }
                }
            }
        }

        /// <summary>Deletes, dependents first, every node that exists and may be removed; returns every node's outcome.</summary>
        public static Task<DeploymentResult> RemoveAsync(IEnumerable<ResourceNode> roots, IDeploymentObserver observer, CancellationToken ct)
            => RemoveAsync(roots, observer, null, ct);

        /// <summary>
        /// As <see cref="RemoveAsync(IEnumerable{ResourceNode}, IDeploymentObserver, CancellationToken)"/>, keeping the
        /// nodes in <paramref name="keep"/> (and so what they depend on): a fleet removes its hosts at once and the
        /// resources they share once, afterwards.
        /// </summary>
        public static async Task<DeploymentResult> RemoveAsync(IEnumerable<ResourceNode> roots, IDeploymentObserver observer, ISet<ResourceNode> keep, CancellationToken ct)
        {
            DeploymentPlan plan = await PlanAsync(roots, int.MaxValue, ct).ConfigureAwait(false);
            var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<ResourceNode, NodeOutcome>();
            var failures = new System.Collections.Concurrent.ConcurrentDictionary<ResourceNode, Exception>();
            var tasks = new Dictionary<ResourceNode, Task<bool>>();
            foreach (ResourceNode node in plan.Nodes.Reverse())
            {
                // In reverse order every node that depends on this one has its task already.
                ResourceNode[] dependents = plan.Nodes.Where(n => n.DependsOn.Contains(node)).ToArray();
                tasks[node] = keep != null && keep.Contains(node)
                    ? Task.FromResult(Kept(node, outcomes))
                    : DeleteWhenFreeAsync(node, dependents.Select(n => tasks[n]).ToArray(), dependents, plan.States, outcomes, failures, observer, ct);
            }

            await Task.WhenAll(tasks.Values).ConfigureAwait(false);
            return new DeploymentResult(plan.Nodes, outcomes, failures, plan.States);
        }

        private static async Task<bool> CreateWhenReadyAsync(ResourceNode node, Task<bool>[] dependencies, DeploymentStates states,
            IDictionary<ResourceNode, NodeOutcome> outcomes, IDictionary<ResourceNode, Exception> failures, IDeploymentObserver observer, SemaphoreSlim gate,
            PartTicket ticket, CancellationToken ct)
        {
            bool ready = (await Task.WhenAll(dependencies).ConfigureAwait(false)).All(ok => ok);
            object existing = states.Find(node);
            if (existing != null && !ready)
            {
                outcomes[node] = NodeOutcome.Existed;
                return true;
            }

            if (existing != null)
            {
                try
                {
                    if (node.Fits(existing, states))
                    {
                        outcomes[node] = NodeOutcome.Existed;
                        return true;
                    }
                }
                catch (Exception ex)
                {
                    // What exists cannot even be judged (a damaged file): that is this node's failure.
                    failures[node] = ex;
                    outcomes[node] = NodeOutcome.Failed;
                    return false;
                }
            }

            if (!ready || ct.IsCancellationRequested)
            {
                outcomes[node] = NodeOutcome.NotStarted;
                return false;
            }

            if (ticket != null)
            {
                await ticket.EnterAsync().ConfigureAwait(false);
            }

            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                return await ChangeAsync(node, existing == null ? "Creating" : "Replacing", NodeOutcome.Created, async () => states.Set(node, await node.CreateAsync(states, ct).ConfigureAwait(false)),
                    outcomes, failures, observer).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }

        private static bool Kept(ResourceNode node, IDictionary<ResourceNode, NodeOutcome> outcomes)
        {
            outcomes[node] = NodeOutcome.Kept;
            return false;
        }

        /// <summary>Returns true when the node is gone (deleted, or never there).</summary>
        private static async Task<bool> DeleteWhenFreeAsync(ResourceNode node, Task<bool>[] dependentsGone, ResourceNode[] dependents, DeploymentStates states,
            IDictionary<ResourceNode, NodeOutcome> outcomes, IDictionary<ResourceNode, Exception> failures, IDeploymentObserver observer, CancellationToken ct)
        {
            bool free = (await Task.WhenAll(dependentsGone).ConfigureAwait(false)).All(gone => gone);
            object state = states.Find(node);
            if (state == null)
            {
                outcomes[node] = NodeOutcome.Absent;
                return true;
            }

            if (!free)
            {
                // Something that needs it stays: kept with it, unless that one failed or never started (then this waits too).
                bool blocked = dependents.Any(d => outcomes[d] == NodeOutcome.Failed || outcomes[d] == NodeOutcome.NotStarted);
                outcomes[node] = blocked ? NodeOutcome.NotStarted : NodeOutcome.Kept;
                return false;
            }

            if (ct.IsCancellationRequested)
            {
                outcomes[node] = NodeOutcome.NotStarted;
                return false;
            }

            bool mayRemove;
            try
            {
                mayRemove = await node.MayRemoveAsync(state, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException) || !ct.IsCancellationRequested)
            {
                failures[node] = ex;
                outcomes[node] = NodeOutcome.Failed;
                return false;
            }

            if (!mayRemove)
            {
                // Not ours, or in use outside the graph: kept, and what it depends on stays too (it still needs it).
                outcomes[node] = NodeOutcome.Kept;
                return false;
            }

            return await ChangeAsync(node, "Deleting", NodeOutcome.Deleted, () => node.DeleteAsync(state, ct), outcomes, failures, observer).ConfigureAwait(false);
        }

        private static async Task<bool> ChangeAsync(ResourceNode node, string change, NodeOutcome success, Func<Task> work,
            IDictionary<ResourceNode, NodeOutcome> outcomes, IDictionary<ResourceNode, Exception> failures, IDeploymentObserver observer)
        {
            observer?.Starting(node, change);
            try
            {
                await work().ConfigureAwait(false);
                outcomes[node] = success;
                observer?.Finished(node, success);
                return true;
            }
            catch (Exception ex)
            {
                failures[node] = ex;
                outcomes[node] = NodeOutcome.Failed;
                observer?.Finished(node, NodeOutcome.Failed);
                return false;
            }
        }
    }
}

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Engine.Deployment;

namespace AzDockerVm.Engine.Tests.Deployment
{
    /// <summary>
    /// A stand-in cloud for graph specifications: resources by name, each change taking a while, with a log of
    /// starts and ends, the peak number of changes in flight, and failures on demand.
    /// </summary>
    public sealed class FakeCloud
    {
        private readonly object _gate = new object();
        private int _inFlight;

        public ConcurrentDictionary<string, bool> Resources { get; } = new ConcurrentDictionary<string, bool>();

        /// <summary>Names of resources someone else also uses (a removal must keep them).</summary>
        public HashSet<string> UsedElsewhere { get; } = new HashSet<string>();

        /// <summary>Names whose next create or delete fails.</summary>
        public ConcurrentDictionary<string, int> FailNext { get; } = new ConcurrentDictionary<string, int>();

        public List<string> Log { get; } = new List<string>();

        /// <summary>What each resource refers to (so deleting a referenced one fails, as in ARM).</summary>
        public ConcurrentDictionary<string, string[]> Needs { get; } = new ConcurrentDictionary<string, string[]>();

        public int Reads;

        public int PeakInFlight { get; private set; }

        public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(50);

        public FakeNode Node(string name, params ResourceNode[] dependsOn) => new FakeNode(this, name, dependsOn);

        internal async Task ChangeAsync(string change, string name, Action apply, CancellationToken ct)
        {
            lock (_gate)
            {
                Log.Add($"start {change} {name}");
                _inFlight++;
                PeakInFlight = Math.Max(PeakInFlight, _inFlight);
            }

            try
            {
                await Task.Delay(Latency, ct).ConfigureAwait(false);
                if (FailNext.TryRemove(name, out _))
                {
                    throw new InvalidOperationException($"{change} {name} failed (injected)");
                }

                apply();
            }
            finally
            {
                lock (_gate)
                {
                    _inFlight--;
                    Log.Add($"end {change} {name}");
                }
            }
        }

        public int IndexOf(string entry)
        {
            lock (_gate)
            {
                int index = Log.IndexOf(entry);
                if (index < 0)
                {
                    throw new InvalidOperationException($"'{entry}' is not in the log: {string.Join("; ", Log)}");
                }

                return index;
            }
        }

        public string[] Changes(string change)
        {
            lock (_gate)
            {
                return Log.Where(l => l.StartsWith("start " + change + " ", StringComparison.Ordinal)).Select(l => l.Substring(("start " + change + " ").Length)).ToArray();
            }
        }
    }

    /// <summary>A resource of the fake cloud: its state is its name.</summary>
    public sealed class FakeNode : ResourceNode<string>
    {
        private readonly FakeCloud _cloud;

        public FakeNode(FakeCloud cloud, string name, ResourceNode[] dependsOn)
            : base("fake resource", name, dependsOn)
        {
            _cloud = cloud;
            cloud.Needs[name] = dependsOn.Select(d => d.Name).ToArray();
        }

        /// <summary>What the create saw of its dependencies (their states must be known by then).</summary>
        public List<string> SeenDependencies { get; } = new List<string>();

        protected override Task<string> Read(CancellationToken ct)
        {
            Interlocked.Increment(ref _cloud.Reads);
            return Task.FromResult(_cloud.Resources.ContainsKey(Name) ? Name : null);
        }

        protected override async Task<string> Create(DeploymentStates states, CancellationToken ct)
        {
            foreach (ResourceNode dependency in DependsOn)
            {
                SeenDependencies.Add(states.Get((FakeNode)dependency));
            }

            await _cloud.ChangeAsync("create", Name, () =>
            {
                // As ARM: a resource that refers to a missing one cannot be created.
                string missing = DependsOn.Select(d => d.Name).FirstOrDefault(d => !_cloud.Resources.ContainsKey(d));
                if (missing != null)
                {
                    throw new InvalidOperationException($"{Name} refers to {missing}, which does not exist");
                }

                _cloud.Resources[Name] = true;
            }, ct).ConfigureAwait(false);
            return Name;
        }

        protected override Task<bool> MayRemove(string state, CancellationToken ct) => Task.FromResult(!_cloud.UsedElsewhere.Contains(state));

        protected override Task Delete(string state, CancellationToken ct)
            => _cloud.ChangeAsync("delete", Name, () =>
            {
                // As ARM: a resource that another existing one refers to cannot be deleted.
                string user = _cloud.Needs.Where(p => p.Value.Contains(Name) && _cloud.Resources.ContainsKey(p.Key)).Select(p => p.Key).FirstOrDefault();
                if (user != null)
                {
                    throw new InvalidOperationException($"{Name} is in use by {user}");
                }

                _cloud.Resources.TryRemove(Name, out _);
            }, ct);
    }
}

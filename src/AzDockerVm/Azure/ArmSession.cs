using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Cmdlets;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Azure;

namespace AzDockerVm.Azure
{
    /// <summary>
    /// One cmdlet invocation's way to Azure: the caller's Az context read through the runspace (Get-AzContext,
    /// Get-AzAccessToken), one ARM connection (and token cache), engine work run off the pipeline thread while this
    /// thread serves its token requests, verbose lines and progress, and -AsJob. Every cmdlet that talks to Azure has
    /// one (through <see cref="AzureCmdlet"/>, or Test-AzDockerHost for a VM by name).
    /// </summary>
    internal sealed class ArmSession
    {
        private readonly PSCmdlet _cmdlet;
        private readonly Func<PSObject> _defaultProfile;
        private readonly PipelineHost _host;

        // Tokens fetched on the pipeline thread (tenant|audience → AccessTokenInfo): a job started here begins with them.
        private readonly ConcurrentDictionary<string, AccessTokenInfo> _tokens;
        private AzContextBridge _bridge;
        private ArmConnection _connection;

        internal ArmSession(PSCmdlet cmdlet, Func<PSObject> defaultProfile)
        {
            _cmdlet = cmdlet;
            _defaultProfile = defaultProfile;
            _tokens = new ConcurrentDictionary<string, AccessTokenInfo>();
            _host = new PipelineHost(cmdlet, (resource, tenant) => _tokens[tenant + "|" + resource] = _bridge.GetAccessToken(resource, tenant));
        }

        /// <summary>Runs engine work against ARM, serving its requests on the pipeline thread until it ends.</summary>
        internal T Run<T>(Func<ArmConnection, CancellationToken, Task<T>> work, CancellationToken stopping)
        {
            ArmConnection connection = Connect();
            try
            {
                return _host.Run(ct => work(connection, ct), stopping);
            }
            catch (AzDockerVmException ex) when (!HostFleet.IsSessionWide(ex))
            {
                // About this record's VM (not found, not running, ARM's answer, the script's failure): the next record
                // of the pipeline may fare better.
                throw new RecordFailedException(ex);
            }
        }

        /// <summary>
        /// Work on a fleet of <paramref name="hosts"/> hosts, with one progress bar for the fleet and one per host in
        /// flight (children of it): the work hands each host's end to the <see cref="FleetWriter"/>, which writes it on
        /// the pipeline thread at once (its object or its error) and moves the fleet's bar. <paramref name="usesArm"/>
        /// false: local work (a probe of an endpoint), no Az context is read and the connection is null.
        /// </summary>
        internal T RunFleet<T>(string what, int hosts, bool usesArm, Func<ArmConnection, FleetWriter, CancellationToken, Task<T>> work, CancellationToken stopping)
        {
            ArmConnection connection = usesArm ? Connect() : null;
            var writer = new FleetWriter(_host);
            _host.BeginFleet(what, hosts);
            try
            {
                return _host.Run(ct => work(connection, writer, ct), stopping);
            }
            finally
            {
                _host.EndFleet();
            }
        }

        /// <summary>
        /// The pipeline's hosts, <paramref name="work"/> for each, at most <paramref name="throttleLimit"/> under way
        /// (<see cref="HostFleet"/>); <paramref name="written"/> gets each host's outcome on the pipeline thread as soon
        /// as that host is done.
        /// </summary>
        internal void RunEach<TItem, TResult>(IReadOnlyList<TItem> items, int throttleLimit, string what, bool usesArm,
            Func<ArmConnection, TItem, CancellationToken, Task<TResult>> work, Action<TItem, HostOutcome<TResult>> written, CancellationToken stopping)
            => RunFleet(what, items.Count, usesArm, (arm, writer, ct) => HostFleet.RunAsync(items, throttleLimit, (item, c) => work(arm, item, c),
                outcome => writer.HostDone(outcome.Failure != null, () => written(items[outcome.Index], outcome)), ct), stopping);

        private ArmConnection Connect()
        {
            if (_connection == null)
            {
                _bridge = new AzContextBridge(_defaultProfile());
                AzureTarget target = _bridge.ReadTarget();
                _cmdlet.WriteVerbose($"Azure: subscription {target.SubscriptionId}, tenant {target.TenantId}, Resource Manager {target.ResourceManagerUrl} ({target.EnvironmentName}).");
                _connection = new ArmConnection(target, _host);
            }

            return _connection;
        }

        /// <summary>
        /// -AsJob: runs <paramref name="work"/> in a background job (its own ARM connection, same Az context) and writes
        /// the job. Call after <see cref="Run"/> has read the context and after ShouldProcess.
        /// </summary>
        internal void StartJob(string name, Func<ArmConnection, CancellationToken, Task<object>> work)
        {
            var job = new AzDockerVmJob(_cmdlet.MyInvocation.Line, name);
            var connection = new ArmConnection(_connection.Target, NewJobHost(job));
            job.Start(ct => work(connection, ct));
            _cmdlet.JobRepository.Add(job);
            _cmdlet.WriteObject(job);
        }

        /// <summary>
        /// -AsJob for a fleet: one job with a child job per host (named after it). <paramref name="work"/> runs in the
        /// background on the parent's connection and reports each host to its child (index in <paramref name="hosts"/>).
        /// </summary>
        internal void StartFleetJob(string name, IReadOnlyList<string> hosts, Func<ArmConnection, IReadOnlyList<AzDockerVmJob>, CancellationToken, Task> work)
            => StartFleetJobCore(name, hosts, (connectionFor, job, children, ct) => work(connectionFor(job), children, ct));

        /// <summary>
        /// -AsJob for a pipeline of hosts worked on at once (as <see cref="RunEach"/>, in the background): each child
        /// job has its own connection, so it holds its host's streams (verbose, progress) and its object or error.
        /// </summary>
        internal void StartFleetJob<TItem, TResult>(string name, IReadOnlyList<TItem> items, Func<TItem, string> hostName, int throttleLimit,
            Func<ArmConnection, TItem, CancellationToken, Task<TResult>> work, Func<TItem, HostOutcome<TResult>, object> result)
            => StartFleetJobCore(name, items.Select(hostName).ToList(), (connectionFor, _, children, ct) =>
            {
                var connections = children.Select(connectionFor).ToList();
                return HostFleet.RunAsync(Enumerable.Range(0, items.Count).ToList(), throttleLimit, (i, c) =>
                {
                    children[i].Begin();
                    return work(connections[i], items[i], c);
                }, outcome => children[outcome.Index].End(result(items[outcome.Index], outcome)), ct);
            });

        private void StartFleetJobCore(string name, IReadOnlyList<string> hosts,
            Func<Func<AzDockerVmJob, ArmConnection>, AzDockerVmJob, IReadOnlyList<AzDockerVmJob>, CancellationToken, Task> work)
        {
            var job = new AzDockerVmJob(_cmdlet.MyInvocation.Line, name);
            var children = hosts.Select(job.AddChild).ToList();
            // Read here, on the pipeline thread: the job's threads have no default runspace.
            Runspace runspace = Runspace.DefaultRunspace;
            PSObject profile = _defaultProfile();
            AzureTarget target = _connection.Target;
            string command = _cmdlet.MyInvocation.MyCommand.Name;
            ArmConnection ConnectionFor(AzDockerVmJob streams) => new ArmConnection(target, new JobHost(streams, command, runspace, profile, _tokens));
            job.Start(async ct =>
            {
                await work(ConnectionFor, job, children, ct).ConfigureAwait(false);
                return null;
            });
            _cmdlet.JobRepository.Add(job);
            _cmdlet.WriteObject(job);
        }

        private JobHost NewJobHost(AzDockerVmJob job) => new JobHost(job, _cmdlet.MyInvocation.MyCommand.Name, Runspace.DefaultRunspace, _defaultProfile(), _tokens);
    }

    /// <summary>From a fleet's work on any thread: a host is done; its writing runs on the pipeline thread, with the fleet's bar moved on.</summary>
    internal sealed class FleetWriter
    {
        private readonly PipelineHost _host;

        internal FleetWriter(PipelineHost host) => _host = host;

        /// <returns>A task that ends once the host's writing ran on the pipeline thread (see <see cref="PipelineHost.Deliver"/>).</returns>
        internal Task HostDone(bool failed, Action write) => _host.Deliver(() =>
        {
            _host.FleetHostDone(failed);
            write();
        });
    }
}

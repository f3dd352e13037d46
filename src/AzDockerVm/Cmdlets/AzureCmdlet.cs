using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Azure;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Azure;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// The base of every cmdlet that talks to Azure: -DefaultProfile, the caller's Az context read through the runspace
    /// (Get-AzContext / Get-AzAccessToken), and engine work run off the pipeline thread while this thread serves its
    /// token requests, verbose lines and progress. One ARM connection (and token cache) per cmdlet invocation.
    /// </summary>
    public abstract class AzureCmdlet : AzDockerVmCmdlet
    {
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();

        // ArmSession lives with the engine-facing types: held as object so loading this type loads no engine.
        private object _session;

        [Parameter]
        [Alias("AzContext", "AzureRmContext", "AzureCredential")]
        public PSObject DefaultProfile { get; set; }

        /// <summary>Set when Ctrl+C (StopProcessing) came: work under way sees it as cancellation.</summary>
        protected CancellationToken StoppingToken => _stopping.Token;

        // Not disposed: StopProcessing may come after EndProcessing, and a CancellationTokenSource without timers holds nothing.
        protected override void StopProcessing() => _stopping.Cancel();

        private ArmSession Session => (ArmSession)(_session ?? (_session = new ArmSession(this, () => DefaultProfile)));

        /// <summary>Runs engine work against ARM, serving its requests on the pipeline thread until it ends.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        internal T RunArm<T>(Func<ArmConnection, CancellationToken, Task<T>> work) => Session.Run(work, _stopping.Token);

        /// <summary>Fleet work with one progress bar for the fleet and a child bar per host (see <see cref="ArmSession.RunFleet"/>).</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        internal T RunFleet<T>(string what, int hosts, Func<ArmConnection, FleetWriter, CancellationToken, Task<T>> work)
            => Session.RunFleet(what, hosts, usesArm: true, work, _stopping.Token);

        /// <summary>The pipeline's hosts at once, at most <paramref name="throttleLimit"/> under way, each written as soon as it is done.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        internal void RunEach<TItem, TResult>(IReadOnlyList<TItem> items, int throttleLimit, string what,
            Func<ArmConnection, TItem, CancellationToken, Task<TResult>> work, Action<TItem, HostOutcome<TResult>> written)
            => Session.RunEach(items, throttleLimit, what, usesArm: true, work, written, _stopping.Token);

        /// <summary>True when -WhatIf is in force (so -Force never skips a WhatIf).</summary>
        protected bool WhatIfRequested()
            => (MyInvocation.BoundParameters.TryGetValue("WhatIf", out object whatIf) && ((SwitchParameter)whatIf).IsPresent)
               || LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

        /// <summary>-AsJob: the work in a background job (see <see cref="ArmSession.StartJob"/>). Call after <see cref="RunArm"/> and ShouldProcess.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        internal void StartJob(string name, Func<ArmConnection, CancellationToken, Task<object>> work) => Session.StartJob(name, work);

        /// <summary>-AsJob for a fleet: one job, a child job per host (see <see cref="ArmSession.StartFleetJob"/>).</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        internal void StartFleetJob(string name, IReadOnlyList<string> hosts, Func<ArmConnection, IReadOnlyList<AzDockerVmJob>, CancellationToken, Task> work)
            => Session.StartFleetJob(name, hosts, work);

        /// <summary>-AsJob for the pipeline's hosts worked on at once: a child job per host with its own streams.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        internal void StartFleetJob<TItem, TResult>(string name, IReadOnlyList<TItem> items, Func<TItem, string> hostName, int throttleLimit,
            Func<ArmConnection, TItem, CancellationToken, Task<TResult>> work, Func<TItem, HostOutcome<TResult>, object> result)
            => Session.StartFleetJob(name, items, hostName, throttleLimit, work, result);
    }
}

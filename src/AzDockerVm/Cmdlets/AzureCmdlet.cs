using System;
using System.Collections.Concurrent;
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

        // Not disposed: StopProcessing may come after EndProcessing, and a CancellationTokenSource without timers holds nothing.
        protected override void StopProcessing() => _stopping.Cancel();

        private ArmSession Session => (ArmSession)(_session ?? (_session = new ArmSession(this, () => DefaultProfile)));

        /// <summary>Runs engine work against ARM, serving its requests on the pipeline thread until it ends.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        internal T RunArm<T>(Func<ArmConnection, CancellationToken, Task<T>> work) => Session.Run(work, _stopping.Token);

        /// <summary>From engine work under <see cref="RunArm"/>: runs <paramref name="action"/> on the pipeline thread (WriteObject as results come).</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        internal void OnPipelineThread(Action action) => Session.Post(action);

        /// <summary>True when -WhatIf is in force (so -Force never skips a WhatIf).</summary>
        protected bool WhatIfRequested()
            => (MyInvocation.BoundParameters.TryGetValue("WhatIf", out object whatIf) && ((SwitchParameter)whatIf).IsPresent)
               || LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

        /// <summary>-AsJob: the work in a background job (see <see cref="ArmSession.StartJob"/>). Call after <see cref="RunArm"/> and ShouldProcess.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        internal void StartJob(string name, Func<ArmConnection, CancellationToken, Task<object>> work) => Session.StartJob(name, work);
    }
}

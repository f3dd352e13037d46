using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Cmdlets;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Azure;

namespace AzDockerVm.Azure
{
    /// <summary>
    /// -AsJob: the change runs in the background and reports through the job's streams (Receive-Job). Nothing that
    /// needs the caller's answer happens here: checks and ShouldProcess ran before the job started.
    /// </summary>
    internal sealed class AzDockerVmJob : Job
    {
        /// <summary>How long Stop-Job waits for the work to end (it ends at its next request or poll; a request ARM does not answer is bounded by the SDK's timeout).</summary>
        private static readonly TimeSpan s_stopWait = TimeSpan.FromSeconds(30);
        private readonly CancellationTokenSource _stopping;
        private readonly AzDockerVmJob _parent;
        private string _status = "Running";

        internal AzDockerVmJob(string command, string name)
            : this(command, name, new CancellationTokenSource(), null)
        {
        }

        private AzDockerVmJob(string command, string name, CancellationTokenSource stopping, AzDockerVmJob parent)
            : base(command, name)
        {
            _stopping = stopping;
            _parent = parent;
            PSJobTypeName = "AzDockerVmJob";
        }

        public override string StatusMessage => _status;

        // Receive-Job reads a parent's own streams, then (unless -NoRecurse) each child's.
        public override bool HasMoreData => Output.Count > 0 || Error.Count > 0 || Verbose.Count > 0 || Warning.Count > 0 || Progress.Count > 0
                                            || ChildJobs.Any(child => child.HasMoreData);

        public override string Location => "localhost";

        /// <summary>
        /// Stopping the fleet's job (or any child: they share one token) stops the fleet: hosts under way are cancelled,
        /// the rest never start. As Stop-Job expects, it returns once the job is stopped (or ended by itself), so the
        /// state the caller reads next is the last one.
        /// </summary>
        public override void StopJob()
        {
            _stopping.Cancel();
            AzDockerVmJob root = _parent ?? this;
            if (root.JobStateInfo.State != JobState.NotStarted)
            {
                root.Finished.WaitOne(s_stopWait);
            }
        }

        /// <summary>A child job for one host of the fleet: its object or error lands there, Get-Job shows its state.</summary>
        internal AzDockerVmJob AddChild(string host)
        {
            var child = new AzDockerVmJob(Command, host, _stopping, this);
            ChildJobs.Add(child);
            return child;
        }

        /// <summary>A child's host is under way.</summary>
        internal void Begin()
        {
            if (JobStateInfo.State == JobState.NotStarted)
            {
                SetJobState(JobState.Running);
            }
        }

        /// <summary>A child's host is done: its results (an ErrorRecord is the host's error), and the state that follows.</summary>
        internal void End(object result)
        {
            Begin();
            if (_stopping.IsCancellationRequested && result is ErrorRecord stopped)
            {
                // Stop-Job cancelled this host: it is Stopped, not Failed; the cancellation itself is no error of its own.
                if (!IsCancellation(stopped.Exception))
                {
                    Error.Add(stopped);
                }

                Finish("Stopped", JobState.Stopped);
                return;
            }

            bool failed = Add(result);
            Finish(failed ? "Failed" : "Completed", failed ? JobState.Failed : JobState.Completed);
        }

        private static bool IsCancellation(Exception error)
        {
            for (Exception e = error; e != null; e = e.InnerException)
            {
                if (e is OperationCanceledException)
                {
                    return true;
                }
            }

            return false;
        }

        internal void Start(Func<CancellationToken, Task<object>> work)
        {
            SetJobState(JobState.Running);
            Task.Run(async () =>
            {
                try
                {
                    object result = await work(_stopping.Token).ConfigureAwait(false);
                    bool failed = Add(result);
                    // A fleet: the parent is as its children are (one failed host fails the job, as Get-Job shows it).
                    StopChildren();
                    failed |= ChildJobs.Any(c => c.JobStateInfo.State == JobState.Failed);
                    bool stopped = _stopping.IsCancellationRequested || ChildJobs.Any(c => c.JobStateInfo.State == JobState.Stopped);
                    Finish(stopped ? "Stopped" : failed ? "Failed" : "Completed", stopped ? JobState.Stopped : failed ? JobState.Failed : JobState.Completed);
                }
                catch (AzDockerVmException ex)
                {
                    Error.Add(ErrorRecords.From(ex));
                    StopChildren();
                    Finish(ex.ErrorId, JobState.Failed);
                }
                catch (OperationCanceledException)
                {
                    StopChildren();
                    Finish("Stopped", JobState.Stopped);
                }
                catch (Exception ex)
                {
                    Error.Add(ErrorRecords.Unexpected(ex, Name));
                    StopChildren();
                    Finish("Failed", JobState.Failed);
                }
            });
        }

        /// <summary>Adds results to this job's streams: a list is one item per host, an ErrorRecord an error. True when there was an error.</summary>
        private bool Add(object result)
        {
            bool failed = false;
            foreach (object item in result is System.Collections.Generic.IEnumerable<object> items ? items : new[] { result })
            {
                if (item is ErrorRecord error)
                {
                    Error.Add(error);
                    failed = true;
                }
                else if (item != null)
                {
                    Output.Add(PSObject.AsPSObject(item));
                }
            }

            return failed;
        }

        private static bool IsFinished(Job job) => job.JobStateInfo.State is JobState.Completed or JobState.Failed or JobState.Stopped;

        private void StopChildren()
        {
            foreach (AzDockerVmJob child in ChildJobs.OfType<AzDockerVmJob>().Where(c => !IsFinished(c)))
            {
                child.Finish("Stopped", JobState.Stopped);
            }
        }

        private void Finish(string status, JobState state)
        {
            _status = status;
            if (JobStateInfo.State == JobState.NotStarted)
            {
                SetJobState(JobState.Running);
            }

            SetJobState(state);
        }
    }

    /// <summary>
    /// The engine's host while a job runs: streams go to the job; tokens come from Get-AzAccessToken in the caller's
    /// runspace when that runspace is idle, otherwise the last token fetched for that tenant + audience is used
    /// while it is still valid (the caller may keep the runspace busy, e.g. with Wait-Job).
    /// </summary>
    internal sealed class JobHost : IEngineHost
    {
        private static readonly TimeSpan s_minimumValidity = TimeSpan.FromSeconds(30);
        private readonly AzDockerVmJob _job;
        private readonly string _commandName;
        private readonly Runspace _runspace;
        private readonly AzContextBridge _bridge;
        private readonly ConcurrentDictionary<string, AccessTokenInfo> _tokens;
        private readonly object _gate = new object();

        internal JobHost(AzDockerVmJob job, string commandName, Runspace runspace, PSObject defaultProfile, ConcurrentDictionary<string, AccessTokenInfo> tokens)
        {
            _job = job;
            _commandName = commandName;
            _runspace = runspace;
            _bridge = new AzContextBridge(defaultProfile, runspace);
            _tokens = tokens;
        }

        public AccessTokenInfo GetAccessToken(string resourceUrl, string tenantId, CancellationToken cancellationToken)
        {
            string key = tenantId + "|" + resourceUrl;
            while (true)
            {
                if (_runspace.RunspaceAvailability == RunspaceAvailability.Available)
                {
                    try
                    {
                        lock (_gate)
                        {
                            AccessTokenInfo fresh = _bridge.GetAccessToken(resourceUrl, tenantId);
                            _tokens[key] = fresh;
                            return fresh;
                        }
                    }
                    catch (Exception ex) when (ex is PSInvalidOperationException || ex is InvalidRunspaceStateException)
                    {
                        // The caller started something in the meantime: fall back to the last token.
                    }
                }

                if (_tokens.TryGetValue(key, out AccessTokenInfo last) && last.ExpiresOn - DateTimeOffset.UtcNow > s_minimumValidity)
                {
                    return last;
                }

                if (cancellationToken.WaitHandle.WaitOne(250))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
        }

        public void WriteVerbose(string message) => _job.Verbose.Add(new VerboseRecord(message));

        public void WriteWarning(string message) => _job.Warning.Add(new WarningRecord(message));

        public void WriteProgress(string activity, string status, int percent)
            => _job.Progress.Add(new ProgressRecord(1, _commandName + " " + activity, status)
            {
                PercentComplete = percent,
                RecordType = percent >= 100 ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            });
    }
}

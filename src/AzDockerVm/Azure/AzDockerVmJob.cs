using System;
using System.Collections.Concurrent;
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
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private string _status = "Running";

        internal AzDockerVmJob(string command, string name)
            : base(command, name)
        {
            PSJobTypeName = "AzDockerVmJob";
        }

        public override string StatusMessage => _status;

        public override bool HasMoreData => Output.Count > 0 || Error.Count > 0 || Verbose.Count > 0 || Warning.Count > 0 || Progress.Count > 0;

        public override string Location => "localhost";

        public override void StopJob() => _stopping.Cancel();

        internal void Start(Func<CancellationToken, Task<object>> work)
        {
            SetJobState(JobState.Running);
            Task.Run(async () =>
            {
                try
                {
                    object result = await work(_stopping.Token).ConfigureAwait(false);
                    // A list: one item per host (an ErrorRecord for a host that failed).
                    foreach (object item in result is System.Collections.Generic.IEnumerable<object> items ? items : new[] { result })
                    {
                        if (item is ErrorRecord error)
                        {
                            Error.Add(error);
                        }
                        else if (item != null)
                        {
                            Output.Add(PSObject.AsPSObject(item));
                        }
                    }

                    Finish("Completed", JobState.Completed);
                }
                catch (AzDockerVmException ex)
                {
                    Error.Add(ErrorRecords.From(ex));
                    Finish(ex.ErrorId, JobState.Failed);
                }
                catch (OperationCanceledException)
                {
                    Finish("Stopped", JobState.Stopped);
                }
                catch (Exception ex)
                {
                    Error.Add(ErrorRecords.Unexpected(ex, Name));
                    Finish("Failed", JobState.Failed);
                }
            });
        }

        private void Finish(string status, JobState state)
        {
            _status = status;
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

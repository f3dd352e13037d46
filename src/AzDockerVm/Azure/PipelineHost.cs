using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Engine.Azure;

namespace AzDockerVm.Azure
{
    /// <summary>
    /// Runs engine work on the thread pool while the pipeline thread pumps what the work asks for: tokens
    /// (Get-AzAccessToken must run on the pipeline thread), verbose/warning lines and progress. PowerShell allows
    /// stream writes and nested pipelines only on that thread; this is the one place that crosses over.
    /// </summary>
    internal sealed class PipelineHost : IEngineHost
    {
        private readonly PSCmdlet _cmdlet;
        private readonly Func<string, string, AccessTokenInfo> _tokenSource;
        // Each item: what to run on the pipeline thread, and whether it answers a waiting request (a token) rather than writes.
        private readonly BlockingCollection<(Action Run, bool Answers)> _queue = new BlockingCollection<(Action, bool)>();
        private readonly int _pipelineThreadId = Environment.CurrentManagedThreadId;
        private readonly int _activityId;
        private readonly System.Collections.Generic.Dictionary<string, int> _activities = new System.Collections.Generic.Dictionary<string, int>(StringComparer.Ordinal);
        private FleetBar _fleet;
        private volatile bool _draining;
        // The work Run is serving: cancelled by a delivery that throws, before the delivery counts as done.
        private CancellationTokenSource _running;

        internal PipelineHost(PSCmdlet cmdlet, Func<string, string, AccessTokenInfo> tokenSource)
        {
            _cmdlet = cmdlet;
            _tokenSource = tokenSource;
            _activityId = Math.Abs(GetHashCode() % 10000) + 1;
        }

        private bool OnPipelineThread => Environment.CurrentManagedThreadId == _pipelineThreadId;

        /// <summary>
        /// Runs <paramref name="work"/> to completion, serving its requests on this (the pipeline) thread. When what it
        /// asked for throws here (WriteError under -ErrorAction Stop, a stopped pipeline), the work is cancelled and
        /// waited for before the exception goes on: nothing keeps running behind a pipeline that has ended.
        /// </summary>
        internal T Run<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _running = linked;
            Task<T> task = Task.Run(() => work(linked.Token), linked.Token);
            task.ContinueWith(_ => _queue.Add((() => { }, false)), TaskScheduler.Default);
            try
            {
                while (!task.IsCompleted)
                {
                    if (_queue.TryTake(out var item, 250))
                    {
                        item.Run();
                    }
                }

                while (_queue.TryTake(out var remaining))
                {
                    remaining.Run();
                }
            }
            catch
            {
                linked.Cancel();
                Drain(task);
                throw;
            }

            return task.GetAwaiter().GetResult();
        }

        /// <summary>Waits for cancelled work to end: its waiting requests are answered (with a failure), its writes dropped.</summary>
        private void Drain(Task task)
        {
            _draining = true;
            while (!task.IsCompleted || _queue.Count > 0)
            {
                if (_queue.TryTake(out var item, 100) && item.Answers)
                {
                    item.Run();
                }
            }

            _draining = false;
        }

        public AccessTokenInfo GetAccessToken(string resourceUrl, string tenantId, CancellationToken cancellationToken)
            => Invoke(() => _tokenSource(resourceUrl, tenantId), cancellationToken);

        public void WriteVerbose(string message) => Post(() => _cmdlet.WriteVerbose(message));

        public void WriteWarning(string message) => Post(() => _cmdlet.WriteWarning(message));

        /// <summary>
        /// One bar per activity (a VM); while a fleet runs (<see cref="BeginFleet"/>) each is a child of the fleet's
        /// bar (ParentActivityId), so the host shows one line for the fleet and one per host in flight.
        /// </summary>
        public void WriteProgress(string activity, string status, int percent)
            => Post(() =>
            {
                if (!_activities.TryGetValue(activity, out int id))
                {
                    id = _activities.Count == 0 ? _activityId : _activityId + 10000 + _activities.Count;
                    _activities[activity] = id;
                }

                var record = new ProgressRecord(id, _cmdlet.MyInvocation.MyCommand.Name + " " + activity, status)
                {
                    PercentComplete = percent,
                    RecordType = percent >= 100 ? ProgressRecordType.Completed : ProgressRecordType.Processing,
                };
                if (_fleet != null)
                {
                    record.ParentActivityId = _fleet.Id;
                }

                _cmdlet.WriteProgress(record);
            });

        /// <summary>
        /// From the pipeline thread, before a fleet's work: the fleet's bar ("3 of 20 Docker hosts done"), parent of
        /// every host's bar until <see cref="EndFleet"/>. For one host there is no fleet bar (its own bar says it all).
        /// </summary>
        internal void BeginFleet(string what, int total)
        {
            if (total < 2)
            {
                return;
            }

            _fleet = new FleetBar { Id = _activityId + 5000, What = what, Total = total };
            _fleet.Write(_cmdlet);
        }

        /// <summary>One host of the fleet has ended (on the pipeline thread, where its object or error is written).</summary>
        internal void FleetHostDone(bool failed)
        {
            if (_fleet != null)
            {
                _fleet.Done++;
                _fleet.Failed += failed ? 1 : 0;
                _fleet.Write(_cmdlet);
            }
        }

        /// <summary>Completes the fleet's bar (and so every child bar still open).</summary>
        internal void EndFleet()
        {
            if (_fleet != null)
            {
                FleetBar fleet = _fleet;
                _fleet = null;
                fleet.Complete = true;
                fleet.Write(_cmdlet);
            }
        }

        private sealed class FleetBar
        {
            internal int Id;
            internal string What;
            internal int Total;
            internal int Done;
            internal int Failed;
            internal bool Complete;

            internal void Write(PSCmdlet cmdlet)
                => cmdlet.WriteProgress(new ProgressRecord(Id, cmdlet.MyInvocation.MyCommand.Name + " " + What,
                    $"{Done} of {Total} done" + (Failed > 0 ? $" ({Failed} failed)" : string.Empty))
                {
                    PercentComplete = Complete ? 100 : Math.Min(99, Done * 100 / Total),
                    RecordType = Complete ? ProgressRecordType.Completed : ProgressRecordType.Processing,
                });
        }

        /// <summary>Runs <paramref name="action"/> on the pipeline thread (now, when called there; else while <see cref="Run"/> pumps).</summary>
        internal void Post(Action action)
        {
            if (_draining)
            {
                return;
            }

            if (OnPipelineThread)
            {
                action();
            }
            else
            {
                _queue.Add((action, false));
            }
        }

        /// <summary>
        /// Runs <paramref name="write"/> on the pipeline thread; the task ends once it has run (or was dropped because
        /// the work is being cancelled). When the write throws (WriteError under -ErrorAction Stop, a downstream
        /// Select-Object -First), the work is cancelled before the task ends, so that whoever waits for the delivery to
        /// start the next host sees the cancellation first and starts none.
        /// </summary>
        internal Task Deliver(Action write)
        {
            if (_draining)
            {
                return Task.CompletedTask;
            }

            if (OnPipelineThread)
            {
                write();
                return Task.CompletedTask;
            }

            var delivered = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _queue.Add((() =>
            {
                if (_draining)
                {
                    delivered.TrySetResult(false);
                    return;
                }

                try
                {
                    write();
                    delivered.TrySetResult(true);
                }
                catch
                {
                    _running?.Cancel();
                    delivered.TrySetResult(false);
                    throw;
                }
            }, true));
            return delivered.Task;
        }

        private T Invoke<T>(Func<T> function, CancellationToken cancellationToken)
        {
            if (OnPipelineThread)
            {
                return function();
            }

            var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            _queue.Add((() =>
            {
                if (_draining)
                {
                    completion.TrySetCanceled();
                    return;
                }

                try
                {
                    completion.SetResult(function());
                }
                catch (Exception ex)
                {
                    completion.SetException(ex);
                }
            }, true));
            using (cancellationToken.Register(() => completion.TrySetCanceled()))
            {
                return completion.Task.GetAwaiter().GetResult();
            }
        }
    }
}

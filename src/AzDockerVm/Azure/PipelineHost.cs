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
        private readonly BlockingCollection<Action> _queue = new BlockingCollection<Action>();
        private readonly int _pipelineThreadId = Environment.CurrentManagedThreadId;
        private readonly int _activityId;

        internal PipelineHost(PSCmdlet cmdlet, Func<string, string, AccessTokenInfo> tokenSource)
        {
            _cmdlet = cmdlet;
            _tokenSource = tokenSource;
            _activityId = Math.Abs(GetHashCode() % 10000) + 1;
        }

        private bool OnPipelineThread => Environment.CurrentManagedThreadId == _pipelineThreadId;

        /// <summary>Runs <paramref name="work"/> to completion, serving its requests on this (the pipeline) thread.</summary>
        internal T Run<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        {
            Task<T> task = Task.Run(() => work(cancellationToken), cancellationToken);
            task.ContinueWith(_ => _queue.Add(() => { }), TaskScheduler.Default);
            while (!task.IsCompleted)
            {
                if (_queue.TryTake(out Action action, 250))
                {
                    action();
                }
            }

            while (_queue.TryTake(out Action remaining))
            {
                remaining();
            }

            return task.GetAwaiter().GetResult();
        }

        public AccessTokenInfo GetAccessToken(string resourceUrl, string tenantId, CancellationToken cancellationToken)
            => Invoke(() => _tokenSource(resourceUrl, tenantId), cancellationToken);

        public void WriteVerbose(string message) => Post(() => _cmdlet.WriteVerbose(message));

        public void WriteWarning(string message) => Post(() => _cmdlet.WriteWarning(message));

        public void WriteProgress(string activity, string status, int percent)
            => Post(() => _cmdlet.WriteProgress(new ProgressRecord(_activityId, _cmdlet.MyInvocation.MyCommand.Name + " " + activity, status)
            {
                PercentComplete = percent,
                RecordType = percent >= 100 ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            }));

        /// <summary>Runs <paramref name="action"/> on the pipeline thread (now, when called there; else while <see cref="Run"/> pumps).</summary>
        internal void Post(Action action)
        {
            if (OnPipelineThread)
            {
                action();
            }
            else
            {
                _queue.Add(action);
            }
        }

        private T Invoke<T>(Func<T> function, CancellationToken cancellationToken)
        {
            if (OnPipelineThread)
            {
                return function();
            }

            var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            _queue.Add(() =>
            {
                try
                {
                    completion.SetResult(function());
                }
                catch (Exception ex)
                {
                    completion.SetException(ex);
                }
            });
            using (cancellationToken.Register(() => completion.TrySetCanceled()))
            {
                return completion.Task.GetAwaiter().GetResult();
            }
        }
    }
}

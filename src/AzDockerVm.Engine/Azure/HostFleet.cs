using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>
    /// Many hosts, one piece of work each, at most a throttle's worth at once: the pipeline of Set-AzDockerExtension,
    /// Remove-AzDockerVm and Test-AzDockerHost. Each host's result or failure is handed over as soon as that host is
    /// done, while the others go on; one host's failure never stops another. What no other host could escape (no Az
    /// context, a refused token) stops them all, and so does cancellation (Ctrl+C): hosts not started are never started,
    /// those in flight see the token.
    /// </summary>
    public static class HostFleet
    {
        /// <summary>
        /// Hosts at once when the user does not say: ten hosts take about the time of one, while a pipeline of a
        /// hundred VMs does not become a storm of requests that ARM throttles for the whole subscription (its limits
        /// are per subscription and principal, not per VM).
        /// </summary>
        public const int DefaultThrottleLimit = 10;

        /// <summary>Failures no other host could escape (no Az.Accounts, no context, a refused token): they stop the fleet.</summary>
        public static bool IsSessionWide(AzDockerVmException ex) => ex != null && s_sessionWide.Contains(ex.ErrorId);

        private static readonly HashSet<string> s_sessionWide = new HashSet<string>(StringComparer.Ordinal)
        {
            "AzAccountsNotFound", "AzContextNotFound", "AzContextIncomplete", "AzAccessTokenUnavailable", "ArmAuthenticationFailed",
        };

        /// <summary>
        /// Runs <paramref name="work"/> for every item, starting them in input order with at most
        /// <paramref name="throttleLimit"/> under way; <paramref name="done"/> gets each item's outcome (index, result or
        /// failure) from a worker thread as soon as that item ends. Returns every outcome in input order.
        /// </summary>
        public static Task<IReadOnlyList<HostOutcome<TResult>>> RunAsync<TItem, TResult>(IReadOnlyList<TItem> items, int throttleLimit,
            Func<TItem, CancellationToken, Task<TResult>> work, Action<HostOutcome<TResult>> done, CancellationToken ct)
            => RunAsync(items, throttleLimit, work, outcome =>
            {
                done?.Invoke(outcome);
                return Task.CompletedTask;
            }, ct);

        /// <summary>
        /// As the other overload, but a host's place is given to the next host only once <paramref name="delivered"/>'s
        /// task for its outcome has ended: when writing an outcome ends the pipeline (-ErrorAction Stop), it cancels
        /// <paramref name="ct"/> before that task ends, and no host starts after the one whose error stopped it.
        /// </summary>
        public static async Task<IReadOnlyList<HostOutcome<TResult>>> RunAsync<TItem, TResult>(IReadOnlyList<TItem> items, int throttleLimit,
            Func<TItem, CancellationToken, Task<TResult>> work, Func<HostOutcome<TResult>, Task> delivered, CancellationToken ct)
        {
            var outcomes = new HostOutcome<TResult>[items.Count];
            using var gate = new SemaphoreSlim(Math.Max(1, throttleLimit));
            using var stopAll = CancellationTokenSource.CreateLinkedTokenSource(ct);
            Exception sessionWide = null;
            var running = new List<Task>();
            for (int i = 0; i < items.Count; i++)
            {
                try
                {
                    await gate.WaitAsync(stopAll.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                if (stopAll.IsCancellationRequested)
                {
                    break;
                }

                int index = i;
                running.Add(Task.Run(async () =>
                {
                    var outcome = new HostOutcome<TResult>(index);
                    try
                    {
                        outcome.Result = await work(items[index], stopAll.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (stopAll.IsCancellationRequested)
                    {
                        outcome.Stopped = true;
                    }
                    catch (AzDockerVmException ex) when (IsSessionWide(ex))
                    {
                        Interlocked.CompareExchange(ref sessionWide, ex, null);
                        stopAll.Cancel();
                        outcome.Stopped = true;
                    }
                    catch (Exception ex)
                    {
                        outcome.Failure = ex;
                    }

                    outcomes[index] = outcome;
                    try
                    {
                        if (!outcome.Stopped && delivered != null)
                        {
                            await delivered(outcome).ConfigureAwait(false);
                        }
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
            }

            await Task.WhenAll(running).ConfigureAwait(false);
            if (sessionWide != null)
            {
                throw sessionWide;
            }

            ct.ThrowIfCancellationRequested();
            return outcomes;
        }
    }

    /// <summary>One host's end in a <see cref="HostFleet"/> run: its result, or why not.</summary>
    public sealed class HostOutcome<TResult>
    {
        internal HostOutcome(int index) => Index = index;

        /// <summary>The host's place in the input.</summary>
        public int Index { get; }

        public TResult Result { get; internal set; }

        /// <summary>This host's failure (an <see cref="AzDockerVmException"/> with a stable id, or anything the engine did not name).</summary>
        public Exception Failure { get; internal set; }

        /// <summary>Cancelled before it ended (Ctrl+C, or a failure that stopped every host).</summary>
        public bool Stopped { get; internal set; }
    }
}

using System;
using System.Diagnostics;
using AzDockerVm.FakeArm.Http;

namespace AzDockerVm.FakeArm.State
{
    /// <summary>
    /// One asynchronous ARM operation (a PUT or DELETE answered 201/200/202). Time in the fake is counted in
    /// observations: each poll of the operation (and each GET of the resource it changes) is one tick. An operation
    /// finishes on its first tick unless a SlowLro fault asked for more. With a latency, ticks before
    /// <see cref="Remaining"/> reaches zero do not count (the server holds polls until then). Guarded by ArmStore.Gate.
    /// </summary>
    internal sealed class LongRunningOperation
    {
        private readonly Action _complete;

        // Stopwatch timestamp before which the operation cannot end; long.MinValue with no latency (today's behaviour).
        private readonly long _readyAt;

        public LongRunningOperation(string providerNamespace, string location, string resourceId, bool isDelete, int ticksBeforeDone, ArmError failure, Action complete, TimeSpan latency = default)
        {
            _readyAt = latency > TimeSpan.Zero ? Stopwatch.GetTimestamp() + (long)(latency.TotalSeconds * Stopwatch.Frequency) : long.MinValue;
            Namespace = providerNamespace;
            Location = location;
            ResourceId = resourceId;
            IsDelete = isDelete;
            TicksBeforeDone = ticksBeforeDone;
            Failure = failure;
            _complete = complete;
        }

        public string Id { get; } = Guid.NewGuid().ToString();

        public string Namespace { get; }

        public string Location { get; }

        /// <summary>The resource the operation changes; GETs of it tick the operation.</summary>
        public string ResourceId { get; }

        public bool IsDelete { get; }

        public int TicksBeforeDone { get; private set; }

        /// <summary>The error the operation ends with, or null when it succeeds.</summary>
        public ArmError Failure { get; }

        public DateTimeOffset StartTime { get; } = DateTimeOffset.UtcNow;

        public DateTimeOffset? EndTime { get; private set; }

        public bool Done => EndTime.HasValue;

        /// <summary>"InProgress", "Succeeded" or "Failed".</summary>
        public string Status => !Done ? "InProgress" : Failure == null ? "Succeeded" : "Failed";

        /// <summary>How long until the operation may end (its latency not yet elapsed); zero when it may end now.</summary>
        public TimeSpan Remaining
        {
            get
            {
                if (_readyAt == long.MinValue)
                {
                    return TimeSpan.Zero;
                }

                long left = _readyAt - Stopwatch.GetTimestamp();
                return left <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)left / Stopwatch.Frequency);
            }
        }

        /// <summary>One observation. Before the latency has elapsed it changes nothing; then SlowLro's InProgress answers count down.</summary>
        public void Tick()
        {
            if (Done || Remaining > TimeSpan.Zero)
            {
                return;
            }

            if (TicksBeforeDone > 0)
            {
                TicksBeforeDone--;
                return;
            }

            End();
        }

        /// <summary>Ends the operation now, whatever its latency or SlowLro ticks left (CompletePendingOperations).</summary>
        public void Force()
        {
            if (!Done)
            {
                TicksBeforeDone = 0;
                End();
            }
        }

        private void End()
        {
            EndTime = DateTimeOffset.UtcNow;
            _complete();
        }
    }
}

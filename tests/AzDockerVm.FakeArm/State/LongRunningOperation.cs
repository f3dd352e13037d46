using System;
using AzDockerVm.FakeArm.Http;

namespace AzDockerVm.FakeArm.State
{
    /// <summary>
    /// One asynchronous ARM operation (a PUT or DELETE answered 201/200/202). Time in the fake is counted in
    /// observations: each poll of the operation (and each GET of the resource it changes) is one tick. An operation
    /// finishes on its first tick unless a SlowLro fault asked for more. Guarded by ArmStore.Gate.
    /// </summary>
    internal sealed class LongRunningOperation
    {
        private readonly Action _complete;

        public LongRunningOperation(string providerNamespace, string location, string resourceId, bool isDelete, int ticksBeforeDone, ArmError failure, Action complete)
        {
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

        public void Tick()
        {
            if (Done)
            {
                return;
            }

            if (TicksBeforeDone > 0)
            {
                TicksBeforeDone--;
                return;
            }

            EndTime = DateTimeOffset.UtcNow;
            _complete();
        }
    }
}

using System;
using AzDockerVm.Engine;

namespace AzDockerVm.Cmdlets
{
    /// <summary>An engine failure about one pipeline record (its VM), as opposed to a refusal of the whole input.</summary>
    internal sealed class RecordFailedException : Exception
    {
        internal RecordFailedException(AzDockerVmException failure)
            : base(failure.Message, failure)
        {
            Failure = failure;
        }

        internal AzDockerVmException Failure { get; }
    }
}

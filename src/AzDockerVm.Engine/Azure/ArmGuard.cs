using System;
using System.Linq;
using System.Threading.Tasks;
using Azure;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>The one translation of SDK failures about a VM into stable ids (ArmFailure), for every engine call on ARM.</summary>
    internal static class ArmGuard
    {
        /// <summary>Every SDK failure leaves as an AzDockerVmException with a stable id; ours pass through.</summary>
        internal static Task<T> Run<T>(VmReference target, Func<Task<T>> work) => Run((object)target.VmName, work);

        /// <summary>As for a VM, with any target (a resource group being listed).</summary>
        internal static async Task<T> Run<T>(object target, Func<Task<T>> work)
        {
            try
            {
                return await work().ConfigureAwait(false);
            }
            catch (RequestFailedException ex)
            {
                throw ArmFailure.From(ex, target);
            }
            catch (AggregateException ex) when (ArmFailure.IsTimeout(ex))
            {
                throw ArmFailure.Timeout(ex, target);
            }
            catch (AggregateException ex) when (ex.Flatten().InnerExceptions.LastOrDefault() is Exception last
                                                  && (last is RequestFailedException || ArmFailure.IsConnectionFailure(last)))
            {
                // Azure.Core's retry policy gives up with "Retry failed after N tries": the last attempt tells why.
                throw last is RequestFailedException failed && failed.Status != 0 ? ArmFailure.From(failed, target) : ArmFailure.Connection(last, target);
            }
            catch (Exception ex) when (!(ex is AzDockerVmException) && !(ex is OperationCanceledException) && ArmFailure.IsConnectionFailure(ex))
            {
                throw ArmFailure.Connection(ex, target);
            }
        }
    }
}

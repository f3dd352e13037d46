using System;
using System.IO;
using System.Management.Automation;
using System.Net.Http;
using System.Security;
using System.Security.Cryptography;
using AzDockerVm.Engine;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// Every failure as an ErrorRecord with a stable id, a category and a target: the engine's own failures 1:1, and
    /// anything else by its kind, so no raw exception reaches the user as NotSpecified without a target.
    /// </summary>
    internal static class ErrorRecords
    {
        internal static ErrorRecord From(AzDockerVmException ex, string recommendedAction = null)
        {
            var category = Enum.TryParse(ex.Kind.ToString(), out ErrorCategory parsed) ? parsed : ErrorCategory.NotSpecified;
            var record = new ErrorRecord(ex, ex.ErrorId, category, ex.Target);
            string action = recommendedAction ?? ex.RecommendedAction;
            if (!string.IsNullOrEmpty(action))
            {
                record.ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = action };
            }

            return record;
        }

        /// <summary>True for what PowerShell itself uses to stop or report (those pass through untouched).</summary>
        internal static bool IsPowerShells(Exception ex) => ex is PipelineStoppedException || ex is RuntimeException;

        /// <summary>A failure the engine did not name, by its kind; the message says what happened, never a secret.</summary>
        internal static ErrorRecord Unexpected(Exception ex, object target)
        {
            Exception inner = ex is AggregateException aggregate ? aggregate.Flatten().InnerExceptions[aggregate.Flatten().InnerExceptions.Count - 1] : ex;
            var (id, category, what) =
                inner is UnauthorizedAccessException || inner is SecurityException ? ("AccessDenied", ErrorCategory.PermissionDenied, "access was denied")
                : inner is FileNotFoundException || inner is DirectoryNotFoundException ? ("PathNotFound", ErrorCategory.ObjectNotFound, "a file or folder was not found")
                : inner is IOException ? ("FileSystemError", ErrorCategory.WriteError, "a file operation failed")
                : inner is OperationCanceledException || inner is TimeoutException ? ("OperationTimedOut", ErrorCategory.OperationTimeout, "an operation timed out")
                : inner is HttpRequestException ? ("ConnectionFailed", ErrorCategory.ConnectionError, "a connection failed")
                : inner is CryptographicException ? ("CryptographicFailure", ErrorCategory.SecurityError, "a cryptographic operation failed")
                : inner is ArgumentException || inner is FormatException ? ("InvalidArgument", ErrorCategory.InvalidArgument, "a value was not accepted")
                : ("UnexpectedFailure", ErrorCategory.InvalidOperation, "AzDockerVm failed unexpectedly");
            var record = new ErrorRecord(new InvalidOperationException($"{what}: {inner.Message}", ex), id, category, target);
            record.ErrorDetails = new ErrorDetails($"{what}: {inner.Message}")
            {
                RecommendedAction = "If the cause is not clear from the message, report it with the output of: $Error[0] | Format-List * -Force",
            };
            return record;
        }
    }
}

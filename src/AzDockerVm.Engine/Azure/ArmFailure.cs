using System;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using Azure;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>
    /// Turns what the SDK throws into an <see cref="AzDockerVmException"/> with a stable id and the category PowerShell
    /// users expect (404 ObjectNotFound, 401 AuthenticationError, 403 PermissionDenied, 409 ResourceExists,
    /// 400 InvalidArgument, 429/5xx ResourceUnavailable, no answer ConnectionError, an accepted change whose operation ended
    /// Failed InvalidResult). The message is ARM's own error
    /// code and message, never the request (which may carry protected settings).
    /// </summary>
    public static class ArmFailure
    {
        public static AzDockerVmException From(RequestFailedException ex, object target, string notFoundId = "ResourceNotFound")
        {
            string code = ex.ErrorCode;
            // An exception made from an operation's final status (no response of its own) carries ARM's message as its own.
            string message = ArmMessage(ex) ?? (ex.GetRawResponse() == null && !string.IsNullOrWhiteSpace(ex.Message) ? ex.Message.Trim() : null) ?? code ?? "no details";
            switch (ex.Status)
            {
                case 0:
                    return Connection(ex, target);
                case int accepted when accepted >= 200 && accepted < 300:
                    // The request was accepted, and its long-running operation then ended Failed: Azure's own code and words.
                    return new AzDockerVmException("ArmOperationFailed", FailureKind.InvalidResult, target,
                        $"The operation in Azure ended Failed: {message} ({code ?? "no code"})", null, ex);
                case 404:
                    string id = string.Equals(code, "ResourceGroupNotFound", StringComparison.OrdinalIgnoreCase) ? "ResourceGroupNotFound" : notFoundId;
                    return new AzDockerVmException(id, FailureKind.ObjectNotFound, target, $"{message} ({code ?? "NotFound"})", null, ex);
                case 401:
                    return new AzDockerVmException("ArmAuthenticationFailed", FailureKind.AuthenticationError, target,
                        $"Azure Resource Manager refused the token: {message}", "Run Connect-AzAccount (or Connect-AzAccount -Identity in a runbook) and try again.", ex);
                case 403:
                    return new AzDockerVmException("ArmAuthorizationFailed", FailureKind.PermissionDenied, target,
                        $"Not allowed: {message} ({code})", "Ask for a role that allows Microsoft.Compute/virtualMachines/extensions/write (e.g. Virtual Machine Contributor).", ex);
                case 409:
                    return new AzDockerVmException("ArmConflict", FailureKind.ResourceExists, target, $"{message} ({code})", null, ex);
                case 400:
                    return new AzDockerVmException("ArmInvalidRequest", FailureKind.InvalidArgument, target, $"{message} ({code})", null, ex);
                default:
                    return new AzDockerVmException("ArmUnavailable", FailureKind.ResourceUnavailable, target,
                        $"Azure Resource Manager answered {ex.Status} ({code ?? "no code"}) after retries: {message}", "Try again later.", ex);
            }
        }

        /// <summary>The operation failed on the VM (a failed long-running operation): its own code and message.</summary>
        public static AzDockerVmException OperationFailed(RequestFailedException ex, object target, string vmSideMessage)
        {
            string code = ex.ErrorCode ?? "OperationFailed";
            string message = SaysSomething(vmSideMessage) ? vmSideMessage.Trim() : (ArmMessage(ex) ?? code);
            return new AzDockerVmException("ExtensionProvisioningFailed", FailureKind.InvalidResult, target,
                $"The Docker extension failed on the VM ({code}): {message}", "Check the message above, fix the setting and run the command again.", ex);
        }

        // CustomScript reports "Enable failed: [stdout]\n\n[stderr]\n" when the script printed nothing: that says nothing.
        private static bool SaysSomething(string vmSideMessage)
            => !string.IsNullOrWhiteSpace(vmSideMessage)
               && vmSideMessage.Replace("[stdout]", string.Empty).Replace("[stderr]", string.Empty).Replace("Enable failed:", string.Empty).Trim().Length > 0;

        public static AzDockerVmException Connection(Exception ex, object target)
            => new AzDockerVmException("ArmConnectionFailed", FailureKind.ConnectionError, target,
                "The connection to Azure Resource Manager failed: " + Innermost(ex).Message, "Check the network and try again.", ex);

        /// <summary>
        /// Every try of a request timed out (Azure.Core gives up with an AggregateException of TaskCanceledExceptions):
        /// a write that was sent may have been carried out. A bare cancellation is the caller's own, not this.
        /// </summary>
        public static bool IsTimeout(Exception ex)
            => ex is AggregateException aggregate
               && aggregate.Flatten().InnerExceptions.Count > 0
               && aggregate.Flatten().InnerExceptions.All(e => e is OperationCanceledException || e is TimeoutException);

        public static AzDockerVmException Timeout(Exception ex, object target)
            => new AzDockerVmException("ArmTimeout", FailureKind.OperationTimeout, target,
                $"Azure Resource Manager did not answer in time, on every try ({FirstTry(ex).Message.TrimEnd('.')}). A change that was sent may have been applied.",
                null, ex);

        public static bool IsConnectionFailure(Exception ex)
            => ex is HttpRequestException || ex is System.IO.IOException || (ex is RequestFailedException r && r.Status == 0);

        private static string ArmMessage(RequestFailedException ex)
        {
            var response = ex.GetRawResponse();
            if (response == null || response.Content == null)
            {
                return null;
            }

            try
            {
                using var doc = JsonDocument.Parse(response.Content.ToMemory());
                if (doc.RootElement.ValueKind == JsonValueKind.Object
                    && doc.RootElement.TryGetProperty("error", out var error)
                    && error.ValueKind == JsonValueKind.Object
                    && error.TryGetProperty("message", out var message))
                {
                    return message.GetString();
                }
            }
            catch (JsonException)
            {
            }

            return null;
        }

        // The first try's own words (the later tries' disposal noise says less).
        private static Exception FirstTry(Exception ex)
            => ex is AggregateException aggregate ? aggregate.Flatten().InnerExceptions.First() : ex;

        private static Exception Innermost(Exception ex)
        {
            while (ex.InnerException != null)
            {
                ex = ex.InnerException;
            }

            return ex;
        }
    }
}

using System;

namespace AzDockerVm.Engine
{
    /// <summary>
    /// What went wrong, in terms the cmdlet layer maps 1:1 onto PowerShell's ErrorCategory (same member names).
    /// The engine knows no PowerShell types.
    /// </summary>
    public enum FailureKind
    {
        InvalidArgument,
        InvalidData,
        InvalidOperation,
        ObjectNotFound,
        ResourceExists,
        PermissionDenied,
        AuthenticationError,
        ResourceUnavailable,
        ConnectionError,
        OperationTimeout,
        NotInstalled,
        WriteError,
        ReadError,
        InvalidResult,
    }

    /// <summary>
    /// A failure with a stable error id, a category and the object it is about. Messages never contain key
    /// material, passwords or protected settings.
    /// </summary>
    [Serializable]
    public sealed class AzDockerVmException : Exception
    {
        public AzDockerVmException(string errorId, FailureKind kind, object target, string message,
            string recommendedAction = null, Exception inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Kind = kind;
            Target = target;
            RecommendedAction = recommendedAction;
        }

        public string ErrorId { get; }

        public FailureKind Kind { get; }

        public object Target { get; }

        public string RecommendedAction { get; }
    }
}

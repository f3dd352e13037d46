using System;

namespace AzDockerVm.FakeArm
{
    /// <summary>
    /// How the VM's extension handler ends an enable, reported the way the CustomScript handler reports it: the
    /// extension's instance view gets a ProvisioningState/succeeded|failed status and StdOut/StdErr substatuses, and a
    /// failure ends the PUT's long-running operation Failed with <see cref="ErrorCode"/>.
    /// </summary>
    public sealed class ExtensionOutcome
    {
        /// <summary>The last line the provisioning script prints when all went well (port filled in).</summary>
        public const string SuccessLineFormat = "AZDOCKERVM status=ok docker=20.10.24 port={0} tls=on changed=true started=true";

        private ExtensionOutcome(bool succeeded, string stdOut, string stdErr, int exitCode, string failureMessage, string errorCode)
        {
            Succeeded = succeeded;
            StdOut = stdOut ?? string.Empty;
            StdErr = stdErr ?? string.Empty;
            ExitCode = exitCode;
            FailureMessage = failureMessage;
            ErrorCode = errorCode;
        }

        public bool Succeeded { get; }

        public string StdOut { get; }

        public string StdErr { get; }

        public int ExitCode { get; }

        /// <summary>Why the handler failed (the start of its status message), null on success.</summary>
        public string FailureMessage { get; }

        /// <summary>The error code of the failed operation (ARM uses VMExtensionProvisioningError), null on success.</summary>
        public string ErrorCode { get; }

        public static ExtensionOutcome Success(string stdOut, string stdErr = "") =>
            new ExtensionOutcome(true, stdOut, stdErr, 0, null, null);

        /// <summary>The script exited with <paramref name="exitCode"/> (the handler says "failed to execute command").</summary>
        public static ExtensionOutcome ScriptFailed(int exitCode, string stdOut, string stdErr) =>
            new ExtensionOutcome(false, stdOut, stdErr, exitCode, $"failed to execute command: command terminated with exit status={exitCode}", "VMExtensionProvisioningError");

        /// <summary>The handler failed for another reason (download, decoding...), with this message.</summary>
        public static ExtensionOutcome Failure(string message, string stdOut = "", string stdErr = "", string errorCode = "VMExtensionProvisioningError") =>
            new ExtensionOutcome(false, stdOut, stdErr, 1, message ?? throw new ArgumentNullException(nameof(message)), errorCode);

        /// <summary>
        /// What the fake does when a test configured nothing: CustomScript succeeds with the provisioning script's real last
        /// line (port from the settings, else 2376); any other extension succeeds silently.
        /// </summary>
        public static ExtensionOutcome Default(ExtensionPut put) =>
            put.IsCustomScript ? Success(string.Format(SuccessLineFormat, put.Port ?? 2376) + "\n") : Success(string.Empty);

        /// <summary>The instance view status message, as the Linux CustomScript handler writes it.</summary>
        internal string StatusMessage =>
            (Succeeded ? "Enable succeeded: " : "Enable failed: " + FailureMessage) + "\n[stdout]\n" + StdOut + "\n[stderr]\n" + StdErr;
    }
}

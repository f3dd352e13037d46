using System;
using System.Management.Automation;
using AzDockerVm.Engine;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// The small base every AzDockerVm cmdlet derives from: engine failures become ErrorRecords with a stable id,
    /// a category and a target, and PowerShell paths are resolved against the session's current location. A refusal
    /// of the input is terminating (nothing started); a failure about one record (<see cref="RecordFailedException"/>)
    /// is that record's non-terminating error, and the pipeline goes on.
    /// </summary>
    public abstract class AzDockerVmCmdlet : PSCmdlet
    {
        protected sealed override void ProcessRecord() => Guarded(ProcessRecordCore);

        /// <summary>The end of the pipeline, with the same error handling as a record (for cmdlets that act on all records at once).</summary>
        protected override void EndProcessing() => Guarded(EndProcessingCore);

        protected virtual void EndProcessingCore()
        {
        }

        private void Guarded(Action work)
        {
            try
            {
                work();
            }
            catch (RecordFailedException failed)
            {
                // One record's failure is that record's error; the pipeline goes on (-ErrorAction Stop stops it).
                WriteError(ErrorRecords.From(failed.Failure, RecommendedActionFor(failed.Failure)));
            }
            catch (OperationCanceledException) when (Stopping)
            {
                // Ctrl+C: the work under way was cancelled (what it made is kept; a re-run goes on from there).
                throw new PipelineStoppedException();
            }
            catch (AzDockerVmException ex)
            {
                ThrowTerminatingError(ErrorRecords.From(ex, RecommendedActionFor(ex)));
            }
            catch (Exception ex) when (!ErrorRecords.IsPowerShells(ex))
            {
                ThrowTerminatingError(ErrorRecords.Unexpected(ex, ErrorTarget));
            }
        }

        /// <summary>What an unexpected failure is about: the first of the cmdlet's main parameters that was given.</summary>
        protected virtual object ErrorTarget
        {
            get
            {
                foreach (string name in new[] { "VMName", "ResourceId", "Name", "Path", "CertificatePath", "Endpoint", "DnsName" })
                {
                    if (MyInvocation.BoundParameters.TryGetValue(name, out object value))
                    {
                        return value;
                    }
                }

                return MyInvocation.MyCommand.Name;
            }
        }

        protected abstract void ProcessRecordCore();

        /// <summary>One host's failure as its non-terminating error (the others go on): ours 1:1, anything else by its kind with the host as target.</summary>
        protected void WriteHostFailure(Exception failure, object host, Func<AzDockerVmException, string> advice = null)
        {
            WriteError(failure is AzDockerVmException ours
                ? ErrorRecords.From(ours, (advice ?? RecommendedActionFor)(ours))
                : ErrorRecords.Unexpected(failure, host));
        }

        /// <summary>
        /// The next step for a user of this cmdlet: the engine states what went wrong, a cmdlet may word the advice in
        /// its own parameter names. Default: the engine's advice, if any.
        /// </summary>
        protected virtual string RecommendedActionFor(AzDockerVmException ex) => ex.RecommendedAction;

        /// <summary>Throws a terminating error for bad input found by the cmdlet itself.</summary>
        protected void ThrowInvalidArgument(string errorId, object target, string message)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, target));
        }

        /// <summary>The docker CLI's configuration folder: $env:DOCKER_CONFIG (relative to the current location), else ~/.docker.</summary>
        protected string DockerConfigDirectory()
        {
            string configured = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
            return string.IsNullOrWhiteSpace(configured)
                ? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker")
                : FileSystemPath.Resolve(SessionState, configured, "$env:DOCKER_CONFIG");
        }

        /// <summary>
        /// A PowerShell path (relative, ~, PSDrive) as an absolute file-system path; need not exist. Another provider's
        /// path is PathNotFileSystem, an unresolvable one InvalidPath. <paramref name="what"/> names it in messages ("-Path").
        /// </summary>
        protected string ResolveFileSystemPath(string path, string what)
            => FileSystemPath.Resolve(SessionState, path, what);
    }
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;

namespace AzDockerVm.Tests.Bench
{
    /// <summary>
    /// A real PowerShell 7.6 runspace with the built module imported by its manifest, as a user would.
    /// Each test gets its own session; the process (and so loaded assemblies) is shared.
    /// </summary>
    public sealed class PowerShellSession : IDisposable
    {
        static PowerShellSession()
        {
            Environment.SetEnvironmentVariable("POWERSHELL_TELEMETRY_OPTOUT", "1");
            Environment.SetEnvironmentVariable("POWERSHELL_UPDATECHECK", "Off");
        }

        private readonly Runspace _runspace;

        public PowerShellSession(bool importModule = true)
        {
            Host = new RecordingHost();
            var iss = InitialSessionState.CreateDefault2();
            _runspace = RunspaceFactory.CreateRunspace(Host, iss);
            _runspace.Open();
            if (importModule)
            {
                Run("Import-Module -Name $ManifestPath -ErrorAction Stop", new { ManifestPath = RepoPaths.ModuleManifest }).ThrowIfFailed();
                Host.ClearText();
            }
        }

        public RecordingHost Host { get; }

        /// <summary>Sets a variable in the session (so scripts can use $Name).</summary>
        public void SetVariable(string name, object value) => _runspace.SessionStateProxy.SetVariable(name, value);

        /// <summary>
        /// Runs a script. <paramref name="variables"/> (an anonymous object or IDictionary) become session variables.
        /// A terminating error does not throw: it is recorded in <see cref="PSRun.Terminating"/>.
        /// </summary>
        public PSRun Run(string script, object variables = null)
        {
            foreach (var pair in ToPairs(variables))
            {
                SetVariable(pair.Key, pair.Value);
            }

            int hostTextStart = Host.Text.Length;
            using var ps = PowerShell.Create();
            ps.Runspace = _runspace;
            ps.AddScript(script);
            var run = new PSRun();
            try
            {
                foreach (var item in ps.Invoke())
                {
                    run.Output.Add(item);
                }
            }
            catch (RuntimeException ex)
            {
                run.Terminating = ex.ErrorRecord;
            }

            run.Errors.AddRange(ps.Streams.Error);
            run.Warnings.AddRange(ps.Streams.Warning.Select(w => w.Message));
            run.Verbose.AddRange(ps.Streams.Verbose.Select(v => v.Message));
            run.Debug.AddRange(ps.Streams.Debug.Select(d => d.Message));
            run.Information.AddRange(ps.Streams.Information.Select(i => i.MessageData?.ToString()));
            run.Progress.AddRange(ps.Streams.Progress);
            run.HostText = Host.Text.Substring(hostTextStart);
            return run;
        }

        /// <summary>
        /// A PowerShell on this session's runspace with <paramref name="script"/> added, not started: for a test that
        /// starts it itself (BeginInvoke) and stops it (Stop, what Ctrl+C does). The caller disposes it.
        /// </summary>
        public PowerShell Create(string script)
        {
            var ps = PowerShell.Create();
            ps.Runspace = _runspace;
            ps.AddScript(script);
            return ps;
        }

        public void Dispose() => _runspace.Dispose();

        private static IEnumerable<KeyValuePair<string, object>> ToPairs(object variables)
        {
            if (variables == null)
            {
                yield break;
            }

            if (variables is IDictionary dictionary)
            {
                foreach (DictionaryEntry entry in dictionary)
                {
                    yield return new KeyValuePair<string, object>((string)entry.Key, entry.Value);
                }

                yield break;
            }

            foreach (var property in variables.GetType().GetProperties())
            {
                yield return new KeyValuePair<string, object>(property.Name, property.GetValue(variables));
            }
        }
    }

    /// <summary>Everything one script run produced.</summary>
    public sealed class PSRun
    {
        public List<PSObject> Output { get; } = new List<PSObject>();
        public List<ErrorRecord> Errors { get; } = new List<ErrorRecord>();
        public ErrorRecord Terminating { get; set; }
        public List<string> Warnings { get; } = new List<string>();
        public List<string> Verbose { get; } = new List<string>();
        public List<string> Debug { get; } = new List<string>();
        public List<string> Information { get; } = new List<string>();
        public List<ProgressRecord> Progress { get; } = new List<ProgressRecord>();
        public string HostText { get; set; } = string.Empty;

        /// <summary>The terminating error, else the first non-terminating one.</summary>
        public ErrorRecord Error => Terminating ?? Errors.FirstOrDefault();

        public PSObject Single() => Output.Count == 1
            ? Output[0]
            : throw new InvalidOperationException($"Expected one output object, got {Output.Count}. {Describe()}");

        /// <summary>
        /// Asserts a refusal: an error with this id, category and target (null: any target; a PSObject counts by its
        /// base object) and no output.
        /// </summary>
        public void AssertRefused(string errorId, ErrorCategory category, object target)
        {
            Xunit.Assert.True(Error != null, "expected error " + errorId + ", got " + Describe());
            Xunit.Assert.StartsWith(errorId + ",", Error.FullyQualifiedErrorId);
            Xunit.Assert.Equal(category, Error.CategoryInfo.Category);
            if (target != null)
            {
                Xunit.Assert.Equal(target, Error.TargetObject is PSObject o ? o.BaseObject : Error.TargetObject);
            }

            Xunit.Assert.Empty(Output);
        }

        public PSRun ThrowIfFailed()
        {
            if (Error != null)
            {
                throw new InvalidOperationException("PowerShell run failed: " + Describe());
            }

            return this;
        }

        /// <summary>Every text the run produced in any stream or on the host (for secret scans).</summary>
        public string AllText()
        {
            var sb = new StringBuilder();
            foreach (var o in Output) sb.AppendLine(o?.ToString());
            foreach (var e in Errors.Concat(Terminating == null ? Array.Empty<ErrorRecord>() : new[] { Terminating }))
            {
                sb.AppendLine(e.ToString()).AppendLine(e.FullyQualifiedErrorId).AppendLine(e.Exception?.ToString())
                  .AppendLine(e.ErrorDetails?.Message).AppendLine(e.ErrorDetails?.RecommendedAction)
                  .AppendLine(e.TargetObject?.ToString());
            }
            foreach (var s in Warnings.Concat(Verbose).Concat(Debug).Concat(Information)) sb.AppendLine(s);
            foreach (var p in Progress) sb.AppendLine(p.Activity).AppendLine(p.StatusDescription).AppendLine(p.CurrentOperation);
            sb.AppendLine(HostText);
            return sb.ToString();
        }

        public string Describe()
        {
            var e = Error;
            return e == null
                ? $"output={Output.Count}"
                : $"{e.FullyQualifiedErrorId} [{e.CategoryInfo.Category}] {e.Exception?.Message}";
        }
    }
}

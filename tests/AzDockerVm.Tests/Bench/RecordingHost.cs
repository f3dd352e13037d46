using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace AzDockerVm.Tests.Bench
{
    /// <summary>
    /// A PSHost that records everything written to its UI: WhatIf text, formatted default views (Out-Default),
    /// prompts. Confirm prompts are answered with <see cref="ChoiceAnswer"/>.
    /// </summary>
    public sealed class RecordingHost : PSHost
    {
        private readonly RecordingHostUI _ui = new RecordingHostUI();

        public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
        public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
        public override Guid InstanceId { get; } = Guid.NewGuid();
        public override string Name => "AzDockerVmTestHost";
        public override PSHostUserInterface UI => _ui;
        public override Version Version => new Version(1, 0);

        public string Text => _ui.Text;
        public IReadOnlyList<string> Prompts => _ui.Prompts;
        public IReadOnlyList<ProgressRecord> Progress => _ui.Progress;

        /// <summary>Index of the choice a PromptForChoice (e.g. -Confirm) gets; -1 means "the default".</summary>
        public int ChoiceAnswer { get => _ui.ChoiceAnswer; set => _ui.ChoiceAnswer = value; }

        public void ClearText() => _ui.Clear();

        public override void EnterNestedPrompt() => throw new NotSupportedException();
        public override void ExitNestedPrompt() => throw new NotSupportedException();
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
        public override void SetShouldExit(int exitCode) { }

        private sealed class RecordingHostUI : PSHostUserInterface
        {
            private readonly StringBuilder _text = new StringBuilder();
            private readonly List<string> _prompts = new List<string>();
            private readonly List<ProgressRecord> _progress = new List<ProgressRecord>();
            private readonly object _gate = new object();

            public int ChoiceAnswer { get; set; } = -1;
            public string Text { get { lock (_gate) { return _text.ToString(); } } }
            public IReadOnlyList<string> Prompts => _prompts;
            public IReadOnlyList<ProgressRecord> Progress => _progress;
            public override PSHostRawUserInterface RawUI { get; } = new WideRawUI();

            public void Clear() { lock (_gate) { _text.Clear(); _prompts.Clear(); _progress.Clear(); } }

            private void Append(string s) { lock (_gate) { _text.Append(s); } }

            public override void Write(string value) => Append(value);
            public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Append(value);
            public override void WriteLine(string value) => Append(value + "\n");
            public override void WriteErrorLine(string value) => Append("ERROR: " + value + "\n");
            public override void WriteDebugLine(string message) => Append("DEBUG: " + message + "\n");
            public override void WriteVerboseLine(string message) => Append("VERBOSE: " + message + "\n");
            public override void WriteWarningLine(string message) => Append("WARNING: " + message + "\n");
            public override void WriteProgress(long sourceId, ProgressRecord record) { lock (_gate) { _progress.Add(record); } }

            public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
            {
                lock (_gate) { _prompts.Add(caption + "\n" + message); _text.Append(caption + "\n" + message + "\n"); }
                return ChoiceAnswer < 0 ? defaultChoice : ChoiceAnswer;
            }

            public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
                => throw new NotSupportedException("The test host does not answer prompts: " + caption);
            public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName)
                => throw new NotSupportedException("The test host does not answer prompts: " + caption);
            public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options)
                => throw new NotSupportedException("The test host does not answer prompts: " + caption);
            public override string ReadLine() => throw new NotSupportedException("The test host does not read input.");
            public override SecureString ReadLineAsSecureString() => throw new NotSupportedException("The test host does not read input.");
        }

        private sealed class WideRawUI : PSHostRawUserInterface
        {
            public override ConsoleColor BackgroundColor { get; set; }
            public override Size BufferSize { get; set; } = new Size(220, 3000);
            public override Coordinates CursorPosition { get; set; }
            public override int CursorSize { get; set; }
            public override ConsoleColor ForegroundColor { get; set; }
            public override bool KeyAvailable => false;
            public override Size MaxPhysicalWindowSize => new Size(220, 3000);
            public override Size MaxWindowSize => new Size(220, 3000);
            public override Coordinates WindowPosition { get; set; }
            public override Size WindowSize { get; set; } = new Size(220, 50);
            public override string WindowTitle { get; set; } = "tests";
            public override void FlushInputBuffer() { }
            public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();
            public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();
            public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
            public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
            public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
        }
    }
}

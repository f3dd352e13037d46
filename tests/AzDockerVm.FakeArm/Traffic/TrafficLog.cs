using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace AzDockerVm.FakeArm
{
    /// <summary>
    /// Where each fake writes its exchanges, one JSON line each, for the api-specs validator: a file per server in
    /// $AZDOCKERVM_TRAFFIC_DIR, else &lt;repo&gt;/out/traffic/, so a CI step can validate all traffic of a run.
    /// </summary>
    public static class TrafficLog
    {
        public const string DirectoryVariable = "AZDOCKERVM_TRAFFIC_DIR";

        private static readonly List<string> s_completed = new List<string>();

        /// <summary>The folder traffic files go to by default.</summary>
        public static string DefaultDirectory
        {
            get
            {
                var fromEnvironment = Environment.GetEnvironmentVariable(DirectoryVariable);
                if (!string.IsNullOrEmpty(fromEnvironment))
                {
                    return Path.GetFullPath(fromEnvironment);
                }

                for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                {
                    if (File.Exists(Path.Combine(dir.FullName, "AzDockerVm.sln")))
                    {
                        return Path.Combine(dir.FullName, "out", "traffic");
                    }
                }

                return Path.Combine(Path.GetTempPath(), "azdockervm-traffic");
            }
        }

        /// <summary>The traffic files of the fakes this process has disposed (complete files), oldest first.</summary>
        public static IReadOnlyList<string> CompletedFiles
        {
            get
            {
                lock (s_completed)
                {
                    return s_completed.ToList();
                }
            }
        }

        internal static void MarkCompleted(string path)
        {
            lock (s_completed)
            {
                s_completed.Add(path);
            }
        }
    }

    /// <summary>Appends exchanges to one traffic file; each line is written whole and flushed.</summary>
    internal sealed class TrafficFileWriter : IDisposable
    {
        private readonly FileStream _stream;

        public TrafficFileWriter(string directory)
        {
            Directory.CreateDirectory(directory);
            Path = System.IO.Path.Combine(directory, $"fakearm-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid():N}.jsonl");
            _stream = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 1);
        }

        public string Path { get; }

        public void Append(string line)
        {
            var bytes = Encoding.UTF8.GetBytes(line + "\n");
            lock (_stream)
            {
                _stream.Write(bytes, 0, bytes.Length);
                _stream.Flush();
            }
        }

        public void Dispose()
        {
            lock (_stream)
            {
                _stream.Dispose();
            }

            TrafficLog.MarkCompleted(Path);
        }
    }
}

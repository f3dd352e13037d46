using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace AzDockerVm.Engine.IO
{
    /// <summary>One file to write: where, what (ASCII/UTF-8 text, never a BOM), and whether only the owner may read it.</summary>
    public sealed class PlannedFile
    {
        public PlannedFile(string path, string content, bool isPrivate)
        {
            Path = path;
            Content = content;
            IsPrivate = isPrivate;
        }

        public string Path { get; }

        public string Content { get; }

        public bool IsPrivate { get; }
    }

    /// <summary>
    /// Writes a set of files all-or-nothing: existing files are refused unless overwriting is allowed (naming every
    /// one), every file is first written to a temporary file beside its target (private files are restricted before
    /// a single byte is written), and only when all are staged are they renamed into place. A failure before that
    /// point leaves nothing behind.
    /// </summary>
    public static class StagedFileSet
    {
        private static readonly Encoding s_utf8NoBom = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

        /// <summary>The targets that already exist (what -Force would overwrite).</summary>
        public static IReadOnlyList<string> Existing(IEnumerable<PlannedFile> files)
            => files.Select(f => f.Path).Where(File.Exists).ToList();

        public static void Write(IReadOnlyCollection<PlannedFile> files, bool overwrite, object target)
        {
            var existing = Existing(files);
            if (!overwrite && existing.Count > 0)
            {
                throw new AzDockerVmException("FileExists", FailureKind.ResourceExists, target,
                    "These files already exist: " + string.Join(", ", existing) + ". Nothing was written.",
                    "Use -Force to overwrite them, or choose another -Path.");
            }

            var staged = new List<KeyValuePair<string, PlannedFile>>();
            try
            {
                foreach (var file in files)
                {
                    EnsureDirectory(Path.GetDirectoryName(file.Path), target);
                    staged.Add(new KeyValuePair<string, PlannedFile>(Stage(file, target), file));
                }

                foreach (var pair in staged)
                {
                    Commit(pair.Key, pair.Value.Path);
                }

                staged.Clear();
            }
            finally
            {
                foreach (var pair in staged)
                {
                    TryDelete(pair.Key);
                }
            }
        }

        /// <summary>Creates a folder (and parents); folders we create are private to the user (0700 on Unix).</summary>
        public static void EnsureDirectory(string directory, object target)
        {
            if (Directory.Exists(directory))
            {
                return;
            }

            try
            {
                string parent = Path.GetDirectoryName(directory);
                if (!string.IsNullOrEmpty(parent))
                {
                    EnsureDirectory(parent, target);
                }

                Directory.CreateDirectory(directory);
                FilePermissions.RestrictDirectoryToOwner(directory);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw NotWritable(directory, target, ex);
            }
        }

        private static string Stage(PlannedFile file, object target)
        {
            string temp = Path.Combine(Path.GetDirectoryName(file.Path), "." + Path.GetFileName(file.Path) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    if (file.IsPrivate)
                    {
                        FilePermissions.RestrictFileToOwner(temp);
                    }

                    byte[] bytes = s_utf8NoBom.GetBytes(file.Content);
                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush(flushToDisk: true);
                }

                return temp;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                TryDelete(temp);
                throw NotWritable(Path.GetDirectoryName(file.Path), target, ex);
            }
        }

        private static void Commit(string temp, string destination)
        {
            if (File.Exists(destination))
            {
                File.Replace(temp, destination, destinationBackupFileName: null);
            }
            else
            {
                File.Move(temp, destination);
            }
        }

        private static AzDockerVmException NotWritable(string directory, object target, Exception ex)
            => new AzDockerVmException("PathNotWritable", FailureKind.WriteError, target,
                $"Cannot write to '{directory}': {ex.Message} Nothing was written.", "Choose a folder you can write to with -Path.", ex);

        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}

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
    /// Writes a set of files all-or-nothing. Before anything is written, every target is checked: a target that is a
    /// folder, a folder on the way that is a file, or a folder that cannot be written to is refused, and existing files
    /// are refused unless overwriting is allowed (naming every one). Then every file is written to a temporary file
    /// beside its target (private files are restricted before a single byte is written), and only when all are staged
    /// are they renamed into place, each replaced file kept aside until the last rename succeeded. Files to remove go
    /// aside the same way, before the renames, and are deleted only when every step succeeded. A failure at any point
    /// leaves the folder as it was: staged files deleted, renamed and removed files put back, folders this call made removed.
    /// </summary>
    public static class StagedFileSet
    {
        private static readonly Encoding s_utf8NoBom = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

        /// <summary>For tests: runs before each rename of the commit, with the target; what it throws is a failed rename.</summary>
        internal static Action<string> BeforeCommit { get; set; }

        /// <summary>Refuses, naming every one, targets that exist as files unless overwriting is allowed (FileExists).</summary>
        public static void RefuseExisting(IEnumerable<string> targets, bool overwrite, object target)
        {
            var existing = targets.Where(File.Exists).ToList();
            if (!overwrite && existing.Count > 0)
            {
                throw new AzDockerVmException("FileExists", FailureKind.ResourceExists, target,
                    "These files already exist: " + string.Join(", ", existing) + ". Nothing was written.");
            }
        }

        /// <summary>The targets that already exist (what -Force would overwrite).</summary>
        public static IReadOnlyList<string> Existing(IEnumerable<PlannedFile> files)
            => files.Select(f => f.Path).Where(File.Exists).ToList();

        /// <summary>
        /// Refuses, writing nothing, targets that cannot be files: a folder of that name (TargetIsAFolder), a file where a
        /// folder must be, or a folder this process cannot write to (PathNotWritable).
        /// </summary>
        public static void Check(IEnumerable<string> targets, object target, string advice)
        {
            var probed = new HashSet<string>(StringComparer.Ordinal);
            foreach (string path in targets)
            {
                if (Directory.Exists(path))
                {
                    throw new AzDockerVmException("TargetIsAFolder", FailureKind.ResourceExists, path,
                        $"'{path}' is a folder; a file of that name must be written there. Nothing was written.",
                        "Move or remove that folder (files are replaced, folders never), or choose another folder.");
                }

                string folder = Path.GetDirectoryName(path);
                string file = MissingFile.FileInTheWay(folder);
                if (file != null)
                {
                    throw new AzDockerVmException("PathNotWritable", FailureKind.WriteError, target,
                        $"Cannot write to '{folder}': '{file}' is a file, not a folder. Nothing was written.", advice);
                }

                string existing = MissingFile.NearestFolder(folder);
                if (existing != null && probed.Add(existing))
                {
                    Probe(existing, folder, target, advice);
                }
            }
        }

        public static void Write(IReadOnlyCollection<PlannedFile> files, bool overwrite, object target, string advice = null)
            => Write(files, new string[0], overwrite, target, advice);

        /// <summary>Writes <paramref name="files"/> and removes <paramref name="remove"/> (those that exist), all or nothing.</summary>
        public static void Write(IReadOnlyCollection<PlannedFile> files, IReadOnlyCollection<string> remove, bool overwrite, object target, string advice = null)
        {
            advice = advice ?? DefaultAdvice;
            Check(files.Select(f => f.Path).Concat(remove), target, advice);
            RefuseExisting(files.Select(f => f.Path), overwrite, target);

            var createdFolders = new List<string>();
            var staged = new List<KeyValuePair<string, PlannedFile>>();
            var committed = new List<(string Destination, string Backup)>();
            bool done = false;
            try
            {
                foreach (var file in files)
                {
                    EnsureDirectory(Path.GetDirectoryName(file.Path), target, createdFolders, advice);
                    staged.Add(new KeyValuePair<string, PlannedFile>(Stage(file, target, advice), file));
                }

                foreach (string path in remove.Where(File.Exists))
                {
                    committed.Add(SetAside(path, target, advice));
                }

                foreach (var pair in staged)
                {
                    committed.Add(Commit(pair.Key, pair.Value.Path, target, advice));
                }

                done = true;
                foreach (var (_, backup) in committed)
                {
                    if (backup != null)
                    {
                        TryDelete(backup);
                    }
                }
            }
            finally
            {
                if (!done)
                {
                    RollBack(committed);
                    foreach (var pair in staged)
                    {
                        TryDelete(pair.Key);
                    }

                    foreach (string folder in Enumerable.Reverse(createdFolders))
                    {
                        TryRemoveEmptyDirectory(folder);
                    }
                }
            }
        }

        /// <summary>Creates a folder (and parents); folders we create are private to the user (0700 on Unix).</summary>
        public static void EnsureDirectory(string directory, object target)
            => EnsureDirectory(directory, target, new List<string>(), DefaultAdvice);

        private const string DefaultAdvice = "Choose a folder you can write to.";

        private static void EnsureDirectory(string directory, object target, List<string> created, string advice)
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
                    EnsureDirectory(parent, target, created, advice);
                }

                Directory.CreateDirectory(directory);
                created.Add(directory);
                FilePermissions.RestrictDirectoryToOwner(directory);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw NotWritable(directory, target, ex, advice);
            }
        }

        /// <summary>Proves that <paramref name="existing"/> takes new files (root ignores mode bits; a read-only mount does not).</summary>
        private static void Probe(string existing, string folder, object target, string advice)
        {
            string probe = Path.Combine(existing, ".azdockervm-probe-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            try
            {
                using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
                {
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                TryDelete(probe);
                throw NotWritable(folder, target, ex, advice);
            }
        }

        private static string Stage(PlannedFile file, object target, string advice)
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
                throw NotWritable(Path.GetDirectoryName(file.Path), target, ex, advice);
            }
        }

        /// <summary>Renames the staged file into place; a replaced file is kept as a backup until the whole set is in.</summary>
        private static (string Destination, string Backup) Commit(string temp, string destination, object target, string advice)
        {
            try
            {
                BeforeCommit?.Invoke(destination);
                if (File.Exists(destination))
                {
                    string backup = temp + ".old";
                    File.Replace(temp, destination, backup);
                    return (destination, backup);
                }

                File.Move(temp, destination);
                return (destination, null);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new AzDockerVmException("PathNotWritable", FailureKind.WriteError, target,
                    $"Cannot write '{destination}': {ex.Message} The files already moved into place were put back as they were: nothing was written.", advice, ex);
            }
        }

        /// <summary>Moves a file to remove aside (same folder, same mode); it is deleted with the backups once the whole set is in.</summary>
        private static (string Destination, string Backup) SetAside(string path, object target, string advice)
        {
            string backup = Path.Combine(Path.GetDirectoryName(path), "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".removed");
            try
            {
                BeforeCommit?.Invoke(path);
                File.Move(path, backup);
                return (path, backup);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new AzDockerVmException("PathNotWritable", FailureKind.WriteError, target,
                    $"Cannot remove '{path}': {ex.Message} The files already moved into place were put back as they were: nothing was written.", advice, ex);
            }
        }

        private static void RollBack(List<(string Destination, string Backup)> committed)
        {
            foreach (var (destination, backup) in Enumerable.Reverse(committed))
            {
                try
                {
                    if (backup != null && !File.Exists(destination))
                    {
                        File.Move(backup, destination);
                    }
                    else if (backup != null)
                    {
                        File.Replace(backup, destination, destinationBackupFileName: null);
                    }
                    else
                    {
                        File.Delete(destination);
                    }
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }

        private static AzDockerVmException NotWritable(string directory, object target, Exception ex, string advice)
            => new AzDockerVmException("PathNotWritable", FailureKind.WriteError, target,
                $"Cannot write to '{directory}': {ex.Message} Nothing was written.", advice, ex);

        /// <summary>Removes a folder if it is empty; never fails (a rollback must not hide the failure it undoes).</summary>
        internal static void TryRemoveEmptyDirectory(string directory)
        {
            try
            {
                if (Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
                {
                    Directory.Delete(directory);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

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

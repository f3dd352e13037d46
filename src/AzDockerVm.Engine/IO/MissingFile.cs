using System.IO;

namespace AzDockerVm.Engine.IO
{
    /// <summary>Why a file the user named cannot be read as a file, in words that are true of what is on disk.</summary>
    public static class MissingFile
    {
        /// <summary>
        /// "is a folder, not a file", "cannot exist: '/a/b' is a file, not a folder", or "does not exist"; null when
        /// <paramref name="path"/> is an existing file.
        /// </summary>
        public static string Problem(string path)
        {
            if (File.Exists(path))
            {
                return null;
            }

            if (Directory.Exists(path))
            {
                return "is a folder, not a file";
            }

            string file = FileInTheWay(Path.GetDirectoryName(path));
            return file != null ? $"cannot exist: '{file}' is a file, not a folder" : "does not exist";
        }

        /// <summary>The nearest of <paramref name="folder"/> and its parents that exists as a file (so the folder cannot exist), or null.</summary>
        internal static string FileInTheWay(string folder)
        {
            for (string parent = folder; !string.IsNullOrEmpty(parent); parent = Path.GetDirectoryName(parent))
            {
                if (Directory.Exists(parent))
                {
                    return null;
                }

                if (File.Exists(parent))
                {
                    return parent;
                }
            }

            return null;
        }

        /// <summary>The nearest of <paramref name="folder"/> and its parents that exists as a folder, or null.</summary>
        internal static string NearestFolder(string folder)
        {
            string existing = folder;
            while (!string.IsNullOrEmpty(existing) && !Directory.Exists(existing))
            {
                existing = Path.GetDirectoryName(existing);
            }

            return string.IsNullOrEmpty(existing) ? null : existing;
        }
    }
}

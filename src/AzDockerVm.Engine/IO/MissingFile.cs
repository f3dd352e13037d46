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

            for (string parent = Path.GetDirectoryName(path); !string.IsNullOrEmpty(parent); parent = Path.GetDirectoryName(parent))
            {
                if (Directory.Exists(parent))
                {
                    break;
                }

                if (File.Exists(parent))
                {
                    return $"cannot exist: '{parent}' is a file, not a folder";
                }
            }

            return "does not exist";
        }
    }
}

using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.AccessControl;
using System.Security.Principal;

namespace AzDockerVm.Engine.IO
{
    /// <summary>Owner-only access: mode 0600/0700 on Unix, a protected ACL for the current user on Windows.</summary>
    public static class FilePermissions
    {
        private const uint OwnerReadWrite = 0x180; // 0600
        private const uint OwnerAll = 0x1C0;       // 0700
        private const uint OwnerWriteAllRead = 0x1A4;      // 0644
        private const uint OwnerAllOthersReadExecute = 0x1ED; // 0755

        private static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        public static void RestrictFileToOwner(string path)
        {
            if (IsWindows)
            {
                RestrictOnWindows(new FileInfo(path));
            }
            else
            {
                Chmod(path, OwnerReadWrite);
            }
        }

        public static void RestrictDirectoryToOwner(string path)
        {
            if (IsWindows)
            {
                RestrictOnWindows(new DirectoryInfo(path));
            }
            else
            {
                Chmod(path, OwnerAll);
            }
        }

        /// <summary>
        /// Mode 0644 on Unix (what the docker CLI gives a context's meta.json); on Windows the inherited ACL stays.
        /// </summary>
        public static void AllowOthersToReadFile(string path)
        {
            if (!IsWindows)
            {
                Chmod(path, OwnerWriteAllRead);
            }
        }

        /// <summary>Mode 0755 on Unix (the docker CLI's contexts/meta folders); on Windows the inherited ACL stays.</summary>
        public static void AllowOthersToReadDirectory(string path)
        {
            if (!IsWindows)
            {
                Chmod(path, OwnerAllOthersReadExecute);
            }
        }

        private static void Chmod(string path, uint mode)
        {
            if (NativeMethods.chmod(path, mode) != 0)
            {
                throw new IOException($"chmod {Convert.ToString(mode, 8)} '{path}' failed (errno {Marshal.GetLastWin32Error()}).");
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void RestrictOnWindows(FileInfo file)
        {
            var security = new FileSecurity();
            security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
            security.AddAccessRule(new FileSystemAccessRule(WindowsIdentity.GetCurrent().User, FileSystemRights.FullControl, AccessControlType.Allow));
            file.SetAccessControl(security);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void RestrictOnWindows(DirectoryInfo directory)
        {
            var security = new DirectorySecurity();
            security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
            security.AddAccessRule(new FileSystemAccessRule(WindowsIdentity.GetCurrent().User, FileSystemRights.FullControl,
                InheritanceFlags.ContainerInherit | InheritanceFlags.ObjectInherit, PropagationFlags.None, AccessControlType.Allow));
            directory.SetAccessControl(security);
        }

        private static class NativeMethods
        {
            [DllImport("libc", SetLastError = true)]
            internal static extern int chmod(string path, uint mode);
        }
    }
}

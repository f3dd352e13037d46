using System;
using System.Runtime.InteropServices;
using Xunit;

namespace AzDockerVm.Tests.Docker
{
    /// <summary>
    /// What the docker specifications need on the machine, and why a test can't run here. Outside CI a missing
    /// prerequisite makes the test SKIPPED with the reason (visible in the run's summary); in CI (CI=true) nothing is
    /// skipped, so a missing dockerd makes those tests FAIL instead of passing silently.
    /// </summary>
    public static class TestPrerequisites
    {
        public static bool InCI => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

        /// <summary>Null when openssl and the docker CLI are there.</summary>
        public static string MissingTools()
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return "these specifications run on Linux";
            }

            if (ExternalTool.Find("openssl") == null)
            {
                return "openssl is not installed (apt-get install openssl)";
            }

            return ExternalTool.Find("docker") == null ? "the docker CLI is not installed" : null;
        }

        /// <summary>Null when a throw-away dockerd can be started: tools present, dockerd installed, running as root.</summary>
        public static string CannotStartDockerd()
        {
            string missing = MissingTools();
            if (missing != null)
            {
                return missing;
            }

            if (ExternalTool.Find("dockerd") == null)
            {
                return "dockerd is not installed (apt-get install -y --no-install-recommends docker.io)";
            }

            return NotRoot();
        }

        /// <summary>Null when running as root on Linux (dockerd, chroot, systemd-nspawn need it).</summary>
        public static string NotRoot()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                return "needs Linux";
            }

            uint uid = geteuid();
            return uid == 0 ? null : $"needs root (effective uid {uid}): run the suite as root, as CI does";
        }

        /// <summary>The reason to skip, or null to run (always null in CI: there the test itself fails on what is missing).</summary>
        internal static string SkipReason(Func<string> check) => InCI ? null : check();

        [DllImport("libc", EntryPoint = "geteuid")]
        private static extern uint geteuid();
    }

    /// <summary>A fact that needs a throw-away dockerd (root, dockerd, docker CLI, openssl). Evaluated at discovery.</summary>
    public sealed class DockerdFactAttribute : FactAttribute
    {
        public DockerdFactAttribute()
        {
            Skip = TestPrerequisites.SkipReason(TestPrerequisites.CannotStartDockerd);
        }
    }

    /// <summary>A fact that needs root on Linux (chroot, systemd-nspawn). Evaluated at discovery.</summary>
    public sealed class RootFactAttribute : FactAttribute
    {
        public RootFactAttribute()
        {
            Skip = TestPrerequisites.SkipReason(TestPrerequisites.NotRoot);
        }
    }

    /// <summary>A fact that needs openssl and the docker CLI but no daemon.</summary>
    public sealed class DockerCliFactAttribute : FactAttribute
    {
        public DockerCliFactAttribute()
        {
            Skip = TestPrerequisites.SkipReason(TestPrerequisites.MissingTools);
        }
    }
}

namespace AzDockerVm.Tests.Docker
{
    /// <summary>A theory that needs openssl and the docker CLI but no daemon.</summary>
    public sealed class DockerCliTheoryAttribute : TheoryAttribute
    {
        public DockerCliTheoryAttribute()
        {
            Skip = TestPrerequisites.SkipReason(TestPrerequisites.MissingTools);
        }
    }
}

using System;
using AzDockerVm.Tests.Bench;
using AzDockerVm.Tests.Docker;

namespace AzDockerVm.Tests.Tls
{
    /// <summary>
    /// What the tests of local sets share: a temp root, DOCKER_CONFIG pointed into it (and restored), an in-process
    /// session, and no commit hook left behind by a test that failed a write on purpose.
    /// </summary>
    public abstract class LocalSetTests : IDisposable
    {
        private readonly EnvironmentScope _environment = new EnvironmentScope();

        protected LocalSetTests()
        {
            DockerConfig = Temp.Combine("docker-config");
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", DockerConfig);
        }

        protected TempFolder Temp { get; } = new TempFolder();

        protected PowerShellSession Ps { get; } = new PowerShellSession();

        protected string DockerConfig { get; }

        public void Dispose()
        {
            LocalFileSafetyTests.SetCommitHook(null);
            Ps.Dispose();
            _environment.Dispose();
            Temp.Dispose();
        }
    }
}

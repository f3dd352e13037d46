using Xunit;

namespace AzDockerVm.Tests.Bench
{
    /// <summary>
    /// Tests that change process-wide state PowerShell reads ($env:DOCKER_CONFIG is the process environment) join this
    /// collection: xunit runs it alone, after the parallel ones, so no other test sees a borrowed DOCKER_CONFIG.
    /// </summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class ProcessEnvironmentCollection
    {
        public const string Name = "Process environment (DOCKER_CONFIG)";
    }
}

using System;
using AzDockerVm.Tests.Bench;

namespace AzDockerVm.Tests
{
    /// <summary>
    /// `dotnet AzDockerVm.Tests.dll &lt;scenario&gt;` runs one scenario in a fresh process, for tests that need a
    /// clean default load context (what is loaded after Import-Module; another Azure.Core loaded first).
    /// vstest never calls this.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args) => Scenarios.Run(args);
    }
}

using System.Runtime.CompilerServices;
using AzDockerVm.FakeArm.Tls;

namespace AzDockerVm.Tests.Bench
{
    internal static class TrustFakeArm
    {
        /// <summary>Trust must be in place before the first TLS handshake of the process.</summary>
        [ModuleInitializer]
        [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "Trust must be in place before the first TLS handshake of the process.")]
        internal static void Install() => TestTrust.Install();
    }
}

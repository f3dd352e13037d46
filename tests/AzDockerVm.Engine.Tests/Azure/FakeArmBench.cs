using System;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Engine.Azure;
using AzDockerVm.FakeArm;
using AzDockerVm.FakeArm.Tls;

namespace AzDockerVm.Engine.Tests.Azure
{
    /// <summary>The engine against a local fake of ARM over real HTTPS: the SDK's requests are the product's own.</summary>
    public sealed class FakeArmBench : IAsyncDisposable
    {
        private FakeArmBench(FakeArmServer arm)
        {
            Arm = arm;
            Connection = new ArmConnection(new AzureTarget(arm.SubscriptionId, arm.TenantId, arm.BaseUri.ToString(), arm.Audience, "AzDockerVmFake"), new TestHost());
        }

        public FakeArmServer Arm { get; }

        public ArmConnection Connection { get; }

        public static async Task<FakeArmBench> StartAsync() => new FakeArmBench(await FakeArmServer.StartAsync());

        /// <summary>The changing requests so far ("PUT /subscriptions/.../virtualNetworks/vnet"), in order.</summary>
        public string[] Writes() => Arm.Requests.Where(r => r.Method != "GET" && r.Method != "HEAD").Select(r => r.Method + " " + r.Path).ToArray();

        public ValueTask DisposeAsync() => Arm.DisposeAsync();

        [ModuleInitializer]
        [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "Trust must be in place before the first TLS handshake of the process.")]
        internal static void Trust() => TestTrust.Install();

        private sealed class TestHost : IEngineHost
        {
            public AccessTokenInfo GetAccessToken(string resourceUrl, string tenantId, CancellationToken cancellationToken)
                => new AccessTokenInfo("engine-test-token", DateTimeOffset.UtcNow.AddHours(1));

            public void WriteVerbose(string message)
            {
            }

            public void WriteWarning(string message)
            {
            }

            public void WriteProgress(string activity, string status, int percent)
            {
            }
        }
    }
}

using System;
using System.Security.Cryptography.X509Certificates;

namespace AzDockerVm.FakeArm
{
    /// <summary>How a <see cref="FakeArmServer"/> starts. Every property has a sensible default.</summary>
    public sealed class FakeArmOptions
    {
        /// <summary>The subscription the fake serves (a GUID, as the SDK requires).</summary>
        public string SubscriptionId { get; set; } = Guid.NewGuid().ToString();

        public string TenantId { get; set; } = Guid.NewGuid().ToString();

        /// <summary>The token audience clients use with ArmEnvironment (the SDK asks for scope audience + "/.default").</summary>
        public string Audience { get; set; } = "https://management.core.fake/";

        /// <summary>The TLS certificate; default: the localhost certificate of the CA this process trusts.</summary>
        public X509Certificate2 ServerCertificate { get; set; }

        /// <summary>Where the traffic file goes; default: <see cref="TrafficLog.DefaultDirectory"/>.</summary>
        public string TrafficDirectory { get; set; }

        /// <summary>How long each long-running operation takes at least (see <see cref="FakeArmServer.LroLatency"/>); default zero.</summary>
        public TimeSpan LroLatency { get; set; }

        /// <summary>
        /// Hand out public IP addresses from loopback (127.0.0.2, 127.0.0.3, ...) instead of 20.50.0.0/16; default
        /// false. For tests that put a real daemon behind each fake VM's public address: Linux routes all of 127/8 to
        /// the loopback interface, so each host's daemon can listen on its own address and nothing leaves the machine.
        /// Seeded addresses are kept as given either way.
        /// </summary>
        public bool LoopbackPublicAddresses { get; set; }

        /// <summary>Which bearer tokens are accepted; default: any non-empty token.</summary>
        public Func<string, bool> AcceptToken { get; set; }
    }
}

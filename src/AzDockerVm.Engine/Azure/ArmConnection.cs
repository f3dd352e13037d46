using System;
using Azure.Core;
using Azure.ResourceManager;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>
    /// An ArmClient for the caller's Az context: the context's Resource Manager URL and audience (so sovereign
    /// clouds and custom ARM endpoints work unchanged) and tokens from the caller's login.
    /// </summary>
    public sealed class ArmConnection
    {
        /// <summary>Network types have no typed client here: generic resources pinned to the version we validate against.</summary>
        internal const string NetworkApiVersion = "2024-03-01";

        internal static readonly ResourceType NetworkInterfaceType = new ResourceType("Microsoft.Network/networkInterfaces");
        internal static readonly ResourceType PublicIPAddressType = new ResourceType("Microsoft.Network/publicIPAddresses");

        public ArmConnection(AzureTarget target, IEngineHost host)
        {
            Target = target ?? throw new ArgumentNullException(nameof(target));
            Host = host ?? throw new ArgumentNullException(nameof(host));
            var options = new ArmClientOptions
            {
                Environment = new ArmEnvironment(new Uri(target.ResourceManagerUrl), target.Audience.TrimEnd('/')),
            };
            options.SetApiVersion(NetworkInterfaceType, NetworkApiVersion);
            options.SetApiVersion(PublicIPAddressType, NetworkApiVersion);
            options.SetApiVersion(new ResourceType("Microsoft.Network/networkSecurityGroups"), NetworkApiVersion);
            options.SetApiVersion(new ResourceType("Microsoft.Network/virtualNetworks"), NetworkApiVersion);
            options.Diagnostics.IsLoggingContentEnabled = false;
            Client = new ArmClient(new HostTokenCredential(host, target.TenantId), target.SubscriptionId, options);
        }

        public AzureTarget Target { get; }

        public IEngineHost Host { get; }

        internal ArmClient Client { get; }
    }
}

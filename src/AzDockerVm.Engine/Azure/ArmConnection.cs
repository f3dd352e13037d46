using System;
using Azure.Core;
using Azure.Core.Pipeline;
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

        internal const string ComputeApiVersion = "2023-07-01";

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
            options.SetApiVersion(new ResourceType("Microsoft.Network/virtualNetworks/subnets"), NetworkApiVersion);
            options.SetApiVersion(new ResourceType("Microsoft.Network/networkSecurityGroups/securityRules"), NetworkApiVersion);
            // A VM being created goes through the generic client too (one way for every node of a host), at the version we validate against.
            options.SetApiVersion(new ResourceType("Microsoft.Compute/virtualMachines"), ComputeApiVersion);
            options.Diagnostics.IsLoggingContentEnabled = false;
            var credential = new HostTokenCredential(host, target.TenantId);
            Client = new ArmClient(credential, target.SubscriptionId, options);
            // Child resources (a subnet, a security rule) take no location, which the SDK's generic resources always
            // send: they go through a pipeline of the same options, retries and token.
            Pipeline = HttpPipelineBuilder.Build(options, new BearerTokenAuthenticationPolicy(credential, target.Audience.TrimEnd('/') + "/.default"));
            BaseUri = new Uri(target.ResourceManagerUrl);
        }

        internal HttpPipeline Pipeline { get; }

        internal Uri BaseUri { get; }

        /// <summary>The api-version pinned for a resource type, if any.</summary>
        internal static string ApiVersionFor(ResourceType type)
            => type.Namespace.Equals("Microsoft.Compute", StringComparison.OrdinalIgnoreCase) ? ComputeApiVersion : NetworkApiVersion;

        public AzureTarget Target { get; }

        public IEngineHost Host { get; }

        internal ArmClient Client { get; }
    }
}

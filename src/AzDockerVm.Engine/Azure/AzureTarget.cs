namespace AzDockerVm.Engine.Azure
{
    /// <summary>Where Resource Manager is and who we are there, as read from the caller's Az context.</summary>
    public sealed class AzureTarget
    {
        public AzureTarget(string subscriptionId, string tenantId, string resourceManagerUrl, string audience, string environmentName)
        {
            SubscriptionId = subscriptionId;
            TenantId = tenantId;
            ResourceManagerUrl = resourceManagerUrl;
            Audience = audience;
            EnvironmentName = environmentName;
        }

        public string SubscriptionId { get; }

        public string TenantId { get; }

        /// <summary>e.g. https://management.azure.com/ (sovereign clouds and Azure Stack have their own).</summary>
        public string ResourceManagerUrl { get; }

        /// <summary>The token audience, e.g. https://management.core.windows.net/.</summary>
        public string Audience { get; }

        public string EnvironmentName { get; }
    }
}

using System;

namespace AzDockerVm.FakeArm.State
{
    /// <summary>Resource ids the way ARM spells them in responses, and comparisons the way ARM makes them.</summary>
    internal static class ArmIds
    {
        public static string Subscription(string subscriptionId) => "/subscriptions/" + subscriptionId;

        public static string ResourceGroup(string subscriptionId, string resourceGroup) =>
            Subscription(subscriptionId) + "/resourceGroups/" + resourceGroup;

        public static bool Same(string a, string b) => string.Equals(a?.TrimEnd('/'), b?.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

        /// <summary>"West Europe" → "westeurope", as ARM normalizes locations.</summary>
        public static string NormalizeLocation(string location) => location?.Replace(" ", string.Empty).ToLowerInvariant();
    }
}

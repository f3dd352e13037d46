using System;
using System.Linq;
using System.Text.Json.Nodes;
using AzDockerVm.FakeArm.Http;
using AzDockerVm.FakeArm.State;

namespace AzDockerVm.FakeArm.Api
{
    /// <summary>The subscription itself and its resource providers (for clients that look api-versions up).</summary>
    internal sealed class SubscriptionApi
    {
        private static readonly string[] s_locations = { "West Europe", "North Europe", "East US", "West US 2" };

        private readonly ArmContext _context;

        public SubscriptionApi(ArmContext context)
        {
            _context = context;
        }

        public ArmResponse Get(ArmRequest request)
        {
            RequireGet(request);
            return ArmResponse.Ok(Subscription());
        }

        public ArmResponse List(ArmRequest request)
        {
            RequireGet(request);
            return ArmResponse.Ok(new JsonObject { ["value"] = new JsonArray(Subscription()) });
        }

        public ArmResponse GetProvider(ArmRequest request, string providerNamespace)
        {
            RequireGet(request);
            (string Namespace, string ApiVersion, string[] Types)? provider =
                string.Equals(providerNamespace, "Microsoft.Compute", StringComparison.OrdinalIgnoreCase)
                    ? ("Microsoft.Compute", ApiVersions.Compute, new[] { "virtualMachines", "virtualMachines/extensions", "locations/operations" })
                : string.Equals(providerNamespace, "Microsoft.Network", StringComparison.OrdinalIgnoreCase)
                    ? ("Microsoft.Network", ApiVersions.Network, new[] { "networkInterfaces", "publicIPAddresses", "networkSecurityGroups", "virtualNetworks", "virtualNetworks/subnets", "networkSecurityGroups/securityRules", "locations/operations", "locations/operationResults" })
                : null;
            if (provider is not { } p)
            {
                throw ArmError.InvalidResourceNamespace(providerNamespace).AsException();
            }

            var types = new JsonArray(p.Types.Select(t => (JsonNode)new JsonObject
            {
                ["resourceType"] = t,
                ["locations"] = new JsonArray(s_locations.Select(l => (JsonNode)l).ToArray()),
                ["apiVersions"] = new JsonArray(p.ApiVersion),
                ["capabilities"] = "None",
            }).ToArray());
            return ArmResponse.Ok(new JsonObject
            {
                ["id"] = ArmIds.Subscription(_context.SubscriptionId) + "/providers/" + p.Namespace,
                ["namespace"] = p.Namespace,
                ["registrationState"] = "Registered",
                ["registrationPolicy"] = "RegistrationRequired",
                ["resourceTypes"] = types,
            });
        }

        private JsonObject Subscription() => new JsonObject
        {
            ["id"] = ArmIds.Subscription(_context.SubscriptionId),
            ["authorizationSource"] = "RoleBased",
            ["managedByTenants"] = new JsonArray(),
            ["subscriptionId"] = _context.SubscriptionId,
            ["tenantId"] = _context.TenantId,
            ["displayName"] = "AzDockerVm fake subscription",
            ["state"] = "Enabled",
            ["subscriptionPolicies"] = new JsonObject
            {
                ["locationPlacementId"] = "Public_2014-09-01",
                ["quotaId"] = "PayAsYouGo_2014-09-01",
                ["spendingLimit"] = "Off",
            },
        };

        private static void RequireGet(ArmRequest request)
        {
            if (!request.Is("GET"))
            {
                throw ArmError.MethodNotAllowed(request.Method).AsException();
            }
        }
    }
}

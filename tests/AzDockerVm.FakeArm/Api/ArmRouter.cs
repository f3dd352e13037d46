using System;
using System.Text.RegularExpressions;
using AzDockerVm.FakeArm.Http;
using AzDockerVm.FakeArm.State;

namespace AzDockerVm.FakeArm.Api
{
    /// <summary>
    /// Maps a request path to its handler, case-insensitively as ARM does (the SDK sends both "resourcegroups" and
    /// "resourceGroups"), and checks the api-version each endpoint serves.
    /// </summary>
    internal sealed class ArmRouter
    {
        private readonly ArmContext _context;
        private readonly SubscriptionApi _subscriptions;
        private readonly ResourceGroupApi _resourceGroups;
        private readonly OperationApi _operations;

        public ArmRouter(ArmContext context)
        {
            _context = context;
            _subscriptions = new SubscriptionApi(context);
            _resourceGroups = new ResourceGroupApi(context);
            _operations = new OperationApi(context);
            Compute = new ComputeApi(context);
            Network = new NetworkApi(context);
        }

        public ComputeApi Compute { get; }

        public NetworkApi Network { get; }

        public ArmResponse Route(ArmRequest request)
        {
            var s = request.Segments;
            if (s.Length == 0 || !Is(s[0], "subscriptions"))
            {
                throw ArmError.NotFound(request.Path).AsException();
            }

            if (s.Length == 1)
            {
                RequireApiVersion(request, ApiVersions.Subscriptions, null);
                return _subscriptions.List(request);
            }

            RequireSubscription(s[1]);
            var rest = s.AsSpan(2).ToArray();
            if (rest.Length == 0)
            {
                RequireApiVersion(request, ApiVersions.Subscriptions, null);
                return _subscriptions.Get(request);
            }

            if (Is(rest[0], "resourceGroups"))
            {
                return RouteResourceGroup(request, rest);
            }

            if (Is(rest[0], "providers") && rest.Length >= 2)
            {
                return RouteSubscriptionProvider(request, rest);
            }

            throw ArmError.NotFound(request.Path).AsException();
        }

        private ArmResponse RouteResourceGroup(ArmRequest request, string[] rest)
        {
            if (rest.Length <= 2)
            {
                RequireApiVersion(request, ApiVersions.Resources, null);
                return rest.Length == 1 ? _resourceGroups.List(request) : _resourceGroups.Handle(request, rest[1]);
            }

            if (rest.Length < 5 || !Is(rest[2], "providers"))
            {
                throw ArmError.NotFound(request.Path).AsException();
            }

            var providerRest = rest.AsSpan(4).ToArray();
            if (Is(rest[3], "Microsoft.Compute"))
            {
                RequireApiVersion(request, ApiVersions.Compute, "Microsoft.Compute/" + providerRest[0]);
                return Compute.Handle(request, rest[1], providerRest);
            }

            if (Is(rest[3], "Microsoft.Network"))
            {
                RequireApiVersion(request, ApiVersions.Network, "Microsoft.Network/" + providerRest[0]);
                return Network.Handle(request, rest[1], providerRest);
            }

            throw ArmError.InvalidResourceNamespace(rest[3]).AsException();
        }

        private ArmResponse RouteSubscriptionProvider(ArmRequest request, string[] rest)
        {
            // /providers/{namespace}: the provider itself (clients that look up api-versions).
            if (rest.Length == 2)
            {
                RequireApiVersion(request, ApiVersions.Resources, null);
                return _subscriptions.GetProvider(request, rest[1]);
            }

            // /providers/{namespace}/locations/{location}/operations|operationResults/{id}: the URLs we gave for polling.
            if (rest.Length == 6 && Is(rest[2], "locations"))
            {
                if (Is(rest[4], "operations"))
                {
                    bool monitor = string.Equals(request.Query["monitor"], "true", StringComparison.OrdinalIgnoreCase);
                    return _operations.Poll(request, rest[5], locationStyle: monitor);
                }

                if (Is(rest[4], "operationResults"))
                {
                    return _operations.Poll(request, rest[5], locationStyle: true);
                }
            }

            // /providers/Microsoft.Compute/virtualMachines: every VM of the subscription.
            if (rest.Length == 3 && Is(rest[1], "Microsoft.Compute") && Is(rest[2], "virtualMachines") && request.Is("GET"))
            {
                RequireApiVersion(request, ApiVersions.Compute, "Microsoft.Compute/virtualMachines");
                return Compute.ListAllVms(request);
            }

            throw ArmError.NotFound(request.Path).AsException();
        }

        /// <summary>
        /// The operation a GET polls (/subscriptions/{id}/providers/{ns}/locations/{loc}/operations|operationResults/{op}),
        /// or null: the request is not a poll, or the operation is unknown (routing answers that).
        /// </summary>
        public LongRunningOperation PolledOperation(ArmRequest request)
        {
            var s = request.Segments;
            bool poll = request.Is("GET") && s.Length == 8 && Is(s[0], "subscriptions") && Is(s[2], "providers") && Is(s[4], "locations")
                && (Is(s[6], "operations") || Is(s[6], "operationResults"));
            return poll ? _context.Store.FindOperation(s[7]) : null;
        }

        private void RequireSubscription(string subscriptionId)
        {
            if (!Guid.TryParse(subscriptionId, out _))
            {
                throw ArmError.InvalidSubscriptionId(subscriptionId).AsException();
            }

            if (!string.Equals(subscriptionId, _context.SubscriptionId, StringComparison.OrdinalIgnoreCase))
            {
                throw ArmError.SubscriptionNotFound(subscriptionId).AsException();
            }
        }

        /// <summary>
        /// ARM refuses a missing api-version, a malformed one, and (for resource providers) one the provider does not
        /// serve with NoRegisteredProviderFound.
        /// </summary>
        private static void RequireApiVersion(ArmRequest request, string supported, string providerType)
        {
            var apiVersion = request.ApiVersion;
            if (string.IsNullOrEmpty(apiVersion))
            {
                throw ArmError.MissingApiVersion().AsException();
            }

            if (apiVersion == supported)
            {
                return;
            }

            if (providerType == null || !Regex.IsMatch(apiVersion, @"^\d{4}-\d{2}-\d{2}(-preview)?$"))
            {
                throw ArmError.InvalidApiVersion(apiVersion, supported).AsException();
            }

            throw ArmError.NoRegisteredProviderFound(apiVersion, providerType, supported).AsException();
        }

        private static bool Is(string segment, string literal) => string.Equals(segment, literal, StringComparison.OrdinalIgnoreCase);
    }
}

using System;
using System.Collections.Generic;
using AzDockerVm.FakeArm.Http;
using AzDockerVm.FakeArm.State;

namespace AzDockerVm.FakeArm.Api
{
    /// <summary>What the request handlers share: the store, the faults, and ARM's long-running-operation plumbing.</summary>
    internal sealed class ArmContext
    {
        public ArmContext(ArmStore store, FaultPlan faults, string tenantId)
        {
            Store = store;
            Faults = faults;
            TenantId = tenantId;
        }

        public ArmStore Store { get; }

        public FaultPlan Faults { get; }

        public string SubscriptionId => Store.SubscriptionId;

        public string TenantId { get; }

        /// <summary>https://127.0.0.1:port/ (known once Kestrel listens).</summary>
        public Uri BaseUri { get; set; }

        public Func<ExtensionPut, ExtensionOutcome> ExtensionHandler { get; set; }

        public List<ExtensionPut> ExtensionPuts { get; } = new List<ExtensionPut>();

        /// <summary>How long each new long-running operation takes at least (FakeArmServer.LroLatency).</summary>
        public TimeSpan LroLatency { get; set; }

        /// <summary>
        /// Starts the operation a PUT or DELETE began. SlowLro and FailLro faults matching the request apply here, and
        /// the latency: the operation cannot end before <see cref="LroLatency"/> has passed.
        /// <paramref name="complete"/> runs (under the store's lock) when the operation ends, with the error it ends
        /// with or null.
        /// </summary>
        public LongRunningOperation StartOperation(ArmRequest request, string providerNamespace, string location, string resourceId, ArmError failure, Action<ArmError> complete)
        {
            var slow = Faults.Take(request.Method, request.Path, FaultKind.SlowLro);
            var fail = Faults.Take(request.Method, request.Path, FaultKind.FailLro);
            var error = fail != null ? new ArmError(400, fail.Code, fail.Message) : failure;
            LongRunningOperation op = null;
            op = new LongRunningOperation(providerNamespace, ArmIds.NormalizeLocation(location) ?? "westeurope", resourceId, request.Is("DELETE"), slow?.InProgressPolls ?? 0, error, () => complete(op.Failure), LroLatency);
            return Store.AddOperation(op);
        }

        /// <summary>The answer to a PUT that started <paramref name="op"/>: the resource, plus an absolute Azure-AsyncOperation.</summary>
        public ArmResponse Started(int status, System.Text.Json.Nodes.JsonNode body, LongRunningOperation op, string apiVersion) =>
            new ArmResponse(status, body).WithHeader("Azure-AsyncOperation", AsyncOperationUrl(op, apiVersion));

        /// <summary>The answer to a DELETE that started <paramref name="op"/>: 202 with an absolute Location to poll.</summary>
        public ArmResponse Accepted(LongRunningOperation op, string apiVersion) =>
            ArmResponse.Empty(202).WithHeader("Location", LocationUrl(op, apiVersion));

        public string AsyncOperationUrl(LongRunningOperation op, string apiVersion) =>
            $"{BaseUri}subscriptions/{SubscriptionId}/providers/{op.Namespace}/locations/{op.Location}/operations/{op.Id}?api-version={apiVersion}";

        // Compute's Location URLs have real ARM's shape. Network's shape is used for resource groups too: real ARM's
        // /subscriptions/{id}/operationresults/{token} is taken by oav for Resources_GetById and fails validation.
        // Clients follow Location as given, so the shape is the fake's choice.
        public string LocationUrl(LongRunningOperation op, string apiVersion) => op.Namespace == "Microsoft.Compute"
            ? $"{BaseUri}subscriptions/{SubscriptionId}/providers/{op.Namespace}/locations/{op.Location}/operations/{op.Id}?monitor=true&api-version={apiVersion}"
            : $"{BaseUri}subscriptions/{SubscriptionId}/providers/{op.Namespace}/locations/{op.Location}/operationResults/{op.Id}?api-version={apiVersion}";
    }
}

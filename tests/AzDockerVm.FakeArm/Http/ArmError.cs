using System;
using System.Text.Json.Nodes;

namespace AzDockerVm.FakeArm.Http
{
    /// <summary>An ARM error answer: the status code and the body <c>{"error":{"code","message"[,"target"]}}</c>.</summary>
    public sealed class ArmError
    {
        public ArmError(int status, string code, string message, string target = null)
        {
            Status = status;
            Code = code;
            Message = message;
            Target = target;
        }

        public int Status { get; }

        public string Code { get; }

        public string Message { get; }

        public string Target { get; }

        /// <summary>
        /// The request itself breaks the API's contract (not JSON, a required property missing): the specs can only say
        /// so, so such exchanges stay out of the traffic file (they are still in <see cref="FakeArmServer.Requests"/>).
        /// </summary>
        public bool MalformedRequest { get; private init; }

        public JsonObject ToBody()
        {
            var error = new JsonObject { ["code"] = Code, ["message"] = Message };
            if (Target != null)
            {
                error["target"] = Target;
            }

            return new JsonObject { ["error"] = error };
        }

        public ArmException AsException() => new ArmException(this);

        // The codes and messages below are the ones real ARM answers with.
        public static ArmError ResourceGroupNotFound(string resourceGroup) =>
            new ArmError(404, "ResourceGroupNotFound", $"Resource group '{resourceGroup}' could not be found.");

        public static ArmError ResourceNotFound(string fullType, string name, string resourceGroup) =>
            new ArmError(404, "ResourceNotFound", $"The Resource '{fullType}/{name}' under resource group '{resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");

        public static ArmError ParentResourceNotFound(string parentName) =>
            new ArmError(404, "ParentResourceNotFound", $"Can not perform requested operation on nested resource. Parent resource '{parentName}' not found.");

        public static ArmError SubscriptionNotFound(string subscriptionId) =>
            new ArmError(404, "SubscriptionNotFound", $"The subscription '{subscriptionId}' could not be found.");

        public static ArmError InvalidSubscriptionId(string subscriptionId) =>
            new ArmError(400, "InvalidSubscriptionId", $"The provided subscription identifier '{subscriptionId}' is malformed or invalid.");

        public static ArmError MissingApiVersion() =>
            new ArmError(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");

        public static ArmError InvalidApiVersion(string apiVersion, string supported) =>
            new ArmError(400, "InvalidApiVersionParameter", $"The api-version '{apiVersion}' is invalid. The supported versions are '{supported}'.");

        public static ArmError NoRegisteredProviderFound(string apiVersion, string resourceType, string supported) =>
            new ArmError(400, "NoRegisteredProviderFound", $"No registered resource provider found for location 'westeurope' and API version '{apiVersion}' for type '{resourceType}'. The supported api-versions are '{supported}'.");

        public static ArmError InvalidRequestContent(string detail) =>
            new ArmError(400, "InvalidRequestContent", $"The request content was invalid and could not be deserialized: '{detail}'.") { MalformedRequest = true };

        public static ArmError LocationRequired() =>
            new ArmError(400, "LocationRequired", "The location property is required for this definition.") { MalformedRequest = true };

        public static ArmError InvalidParameter(string message, string target) =>
            new ArmError(400, "InvalidParameter", message, target);

        public static ArmError MissingParameter(string name) =>
            InvalidParameter($"Required parameter '{name}' is missing (null).", name);

        public static ArmError Conflict(string message) => new ArmError(409, "Conflict", message);

        public static ArmError InvalidResourceNamespace(string ns) =>
            new ArmError(400, "InvalidResourceNamespace", $"The resource namespace '{ns}' is invalid.");

        public static ArmError InvalidResourceType(string type, string ns, string apiVersion) =>
            new ArmError(404, "InvalidResourceType", $"The resource type '{type}' could not be found in the namespace '{ns}' for api version '{apiVersion}'.");

        public static ArmError MethodNotAllowed(string method) =>
            new ArmError(405, "MethodNotAllowed", $"The requested resource does not support http method '{method}'.");

        public static ArmError NotFound(string path) =>
            new ArmError(404, "NotFound", $"No HTTP resource was found that matches the request URI '{path}'.");
    }

    /// <summary>Thrown by request handlers to answer with an ARM error.</summary>
    public sealed class ArmException : Exception
    {
        public ArmException(ArmError error)
            : base(error.Code + ": " + error.Message)
        {
            Error = error;
        }

        public ArmError Error { get; }
    }
}

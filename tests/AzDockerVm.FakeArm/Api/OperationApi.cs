using System.Text.Json.Nodes;
using AzDockerVm.FakeArm.Http;

namespace AzDockerVm.FakeArm.Api
{
    /// <summary>
    /// The URLs clients poll. Azure-AsyncOperation answers 200 with {"status": InProgress|Succeeded|Failed}; a Location
    /// URL answers 202 while in progress, then 200 (or the operation's error). Each poll is one tick of the operation.
    /// </summary>
    internal sealed class OperationApi
    {
        private readonly ArmContext _context;

        public OperationApi(ArmContext context)
        {
            _context = context;
        }

        public ArmResponse Poll(ArmRequest request, string operationId, bool locationStyle)
        {
            if (!request.Is("GET"))
            {
                throw ArmError.MethodNotAllowed(request.Method).AsException();
            }

            var op = _context.Store.FindOperation(operationId)
                ?? throw new ArmError(404, "OperationNotFound", $"The operation '{operationId}' could not be found.").AsException();
            op.Tick();

            if (locationStyle)
            {
                if (!op.Done)
                {
                    return ArmResponse.Empty(202).WithHeader("Location", _context.LocationUrl(op, request.ApiVersion));
                }

                return op.Failure != null ? ArmResponse.Error(op.Failure) : ArmResponse.Empty(200);
            }

            var body = new JsonObject
            {
                ["startTime"] = op.StartTime.ToString("o"),
                ["status"] = op.Status,
                ["name"] = op.Id,
            };
            if (op.EndTime is { } end)
            {
                body["endTime"] = end.ToString("o");
            }

            if (op.Done && op.Failure != null)
            {
                body["error"] = new JsonObject { ["code"] = op.Failure.Code, ["message"] = op.Failure.Message };
            }

            return ArmResponse.Ok(body);
        }
    }
}

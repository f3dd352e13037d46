using System.Linq;
using System.Text.Json.Nodes;
using AzDockerVm.FakeArm.Http;
using AzDockerVm.FakeArm.State;

namespace AzDockerVm.FakeArm.Api
{
    /// <summary>Resource groups (Microsoft.Resources 2022-09-01): synchronous PUT, GET, HEAD, asynchronous DELETE, list.</summary>
    internal sealed class ResourceGroupApi
    {
        private readonly ArmContext _context;

        public ResourceGroupApi(ArmContext context)
        {
            _context = context;
        }

        private ArmStore Store => _context.Store;

        public ArmResponse Handle(ArmRequest request, string name)
        {
            switch (request.Method)
            {
                case "PUT":
                    return Put(request, name);
                case "GET":
                    return ArmResponse.Ok(Compose(Store.RequireGroup(name)));
                case "HEAD":
                    return ArmResponse.Empty(Store.FindGroup(name) != null ? 204 : 404);
                case "DELETE":
                    return Delete(request, name);
                default:
                    throw ArmError.MethodNotAllowed(request.Method).AsException();
            }
        }

        public ArmResponse List(ArmRequest request)
        {
            if (!request.Is("GET"))
            {
                throw ArmError.MethodNotAllowed(request.Method).AsException();
            }

            return ArmResponse.Ok(new JsonObject { ["value"] = new JsonArray(Store.Groups.Select(g => (JsonNode)Compose(g)).ToArray()) });
        }

        public static JsonObject Compose(ResourceGroupRecord group)
        {
            var o = new JsonObject
            {
                ["id"] = group.Id,
                ["name"] = group.Name,
                ["type"] = "Microsoft.Resources/resourceGroups",
                ["location"] = group.Location,
            };
            if (group.Tags != null)
            {
                o["tags"] = Json.Clone(group.Tags);
            }

            o["properties"] = new JsonObject { ["provisioningState"] = group.Deleting ? "Deleting" : "Succeeded" };
            return o;
        }

        private ArmResponse Put(ArmRequest request, string name)
        {
            var body = request.RequireObjectBody();
            var location = Json.Str(body["location"]);
            if (string.IsNullOrEmpty(location))
            {
                throw ArmError.LocationRequired().AsException();
            }

            var group = Store.FindGroup(name);
            bool created = group == null;
            if (created)
            {
                group = Store.AddGroup(name, location);
            }
            else if (group.Deleting)
            {
                Store.RequireGroup(name, forWrite: true);
            }
            else if (group.Location != ArmIds.NormalizeLocation(location))
            {
                throw new ArmError(409, "InvalidResourceGroupLocation", $"Invalid resource group location '{location}'. The Resource group already exists in location '{group.Location}'.").AsException();
            }

            group.Tags = body["tags"] is JsonObject tags ? Json.Clone(tags) : null;
            return new ArmResponse(created ? 201 : 200, Compose(group));
        }

        private ArmResponse Delete(ArmRequest request, string name)
        {
            var group = Store.RequireGroup(name);
            group.Deleting = true;

            var op = _context.StartOperation(request, "Microsoft.Resources", group.Location, group.Id, null, failure =>
            {
                if (failure == null)
                {
                    Store.RemoveGroup(group);
                }
                else
                {
                    group.Deleting = false;
                }
            });
            return _context.Accepted(op, ApiVersions.Resources);
        }
    }
}

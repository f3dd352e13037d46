using System;
using System.Linq;
using System.Text.Json.Nodes;
using AzDockerVm.FakeArm.Http;
using AzDockerVm.FakeArm.State;

namespace AzDockerVm.FakeArm.Api
{
    /// <summary>
    /// Microsoft.Compute 2023-07-01: virtual machines (PUT/GET/DELETE/list, instance view) and their extensions
    /// (PUT/GET/DELETE/list). adminPassword, customData and protectedSettings are write-only, as in ARM.
    /// </summary>
    internal sealed class ComputeApi
    {
        public const string VmType = "Microsoft.Compute/virtualMachines";
        public const string ExtensionType = "Microsoft.Compute/virtualMachines/extensions";

        private readonly ArmContext _context;

        public ComputeApi(ArmContext context)
        {
            _context = context;
        }

        private ArmStore Store => _context.Store;

        /// <summary>Routes the segments after /resourceGroups/{rg}/providers/Microsoft.Compute/.</summary>
        public ArmResponse Handle(ArmRequest request, string resourceGroup, string[] rest)
        {
            if (!Is(rest[0], "virtualMachines"))
            {
                throw ArmError.InvalidResourceType(rest[0], "Microsoft.Compute", request.ApiVersion).AsException();
            }

            switch (rest.Length)
            {
                case 1 when request.Is("GET"):
                    return ListVms(request, resourceGroup);
                case 2:
                    return HandleVm(request, resourceGroup, rest[1]);
                case 3 when Is(rest[2], "instanceView") && request.Is("GET"):
                    return GetInstanceView(resourceGroup, rest[1]);
                case 3 when Is(rest[2], "extensions") && request.Is("GET"):
                    return ListExtensions(request, resourceGroup, rest[1]);
                case 4 when Is(rest[2], "extensions"):
                    return HandleExtension(request, resourceGroup, rest[1], rest[3]);
                case 1:
                case 3:
                    throw ArmError.MethodNotAllowed(request.Method).AsException();
                default:
                    throw ArmError.NotFound(request.Path).AsException();
            }
        }

        public ArmResponse ListAllVms(ArmRequest request)
        {
            return ArmResponse.Ok(new JsonObject { ["value"] = new JsonArray(Store.Vms.Select(v => (JsonNode)ComposeVm(v, false)).ToArray()) });
        }

        // ---- virtual machines ----

        private ArmResponse HandleVm(ArmRequest request, string resourceGroup, string name)
        {
            switch (request.Method)
            {
                case "PUT":
                    return PutVm(request, resourceGroup, name);
                case "GET":
                    var vm = ObserveVm(resourceGroup, name, request.ExpandsInstanceView)
                        ?? throw ArmError.ResourceNotFound(VmType, name, resourceGroup).AsException();
                    return ArmResponse.Ok(ComposeVm(vm, request.ExpandsInstanceView));
                case "HEAD":
                    return ArmResponse.Empty(ObserveVm(resourceGroup, name, false) != null ? 204 : 404);
                case "DELETE":
                    return DeleteVm(request, resourceGroup, name);
                default:
                    throw ArmError.MethodNotAllowed(request.Method).AsException();
            }
        }

        private ArmResponse ListVms(ArmRequest request, string resourceGroup)
        {
            var group = Store.RequireGroup(resourceGroup);
            return ArmResponse.Ok(new JsonObject { ["value"] = new JsonArray(group.Vms.Select(v => (JsonNode)ComposeVm(v, false)).ToArray()) });
        }

        private ArmResponse GetInstanceView(string resourceGroup, string name)
        {
            var vm = ObserveVm(resourceGroup, name, withExtensions: true)
                ?? throw ArmError.ResourceNotFound(VmType, name, resourceGroup).AsException();
            return ArmResponse.Ok(VmInstanceView(vm));
        }

        private ArmResponse PutVm(ArmRequest request, string resourceGroup, string name)
        {
            var group = Store.RequireGroup(resourceGroup, forWrite: true);
            var body = request.RequireObjectBody();
            var existing = ArmStore.FindVm(group, name);
            if (existing != null)
            {
                Store.EnsureNoPendingOperation(existing.Id, "PUT");
            }
            else
            {
                ValidateNewVm(group, name, body);
            }

            var vm = UpsertVm(group, name, body);
            vm.ProvisioningState = existing == null ? "Creating" : "Updating";
            var op = _context.StartOperation(request, "Microsoft.Compute", vm.Location, vm.Id, null, failure =>
            {
                vm.ProvisioningState = failure == null ? "Succeeded" : "Failed";
                vm.ProvisioningError = failure;
            });
            return _context.Started(existing == null ? 201 : 200, ComposeVm(vm, false), op, ApiVersions.Compute);
        }

        /// <summary>Creates or replaces a VM from a PUT body (also used by seeding); secrets are split off, defaults filled.</summary>
        public VmRecord UpsertVm(ResourceGroupRecord group, string name, JsonObject body)
        {
            var location = Json.Str(body["location"]);
            if (string.IsNullOrEmpty(location))
            {
                throw ArmError.LocationRequired().AsException();
            }

            var stored = Json.Clone(body);
            foreach (var readOnly in new[] { "id", "name", "type", "resources", "location" })
            {
                stored.Remove(readOnly);
            }

            var properties = Json.Child(stored, "properties");
            foreach (var readOnly in new[] { "provisioningState", "instanceView", "vmId", "timeCreated" })
            {
                properties.Remove(readOnly);
            }

            string password = null;
            if (properties["osProfile"] is JsonObject osProfile)
            {
                password = Json.Str(osProfile["adminPassword"]);
                osProfile.Remove("adminPassword");
                osProfile.Remove("customData");
            }

            var vm = ArmStore.FindVm(group, name);
            var previous = vm?.Body;
            if (vm == null)
            {
                vm = new VmRecord(group, name);
                group.Vms.Add(vm);
            }

            vm.Location = ArmIds.NormalizeLocation(location);
            vm.AdminPassword = password ?? vm.AdminPassword;
            vm.Body = stored;
            vm.IsWindows = IsWindows(properties);
            FillVmDefaults(vm, previous);
            if (stored["identity"] is JsonObject identity && (Json.Str(identity["type"]) ?? string.Empty).Contains("SystemAssigned", StringComparison.OrdinalIgnoreCase))
            {
                identity["principalId"] = Json.Str(previous?["identity"]?["principalId"]) ?? Guid.NewGuid().ToString();
                identity["tenantId"] = _context.TenantId;
            }

            return vm;
        }

        /// <summary>
        /// What ARM checks before it creates a VM (seeding skips this): the OS profile, the size, the platform image, and
        /// the NICs (existing, in the VM's location, not used by another VM). Nothing is stored on refusal.
        /// </summary>
        private void ValidateNewVm(ResourceGroupRecord group, string name, JsonObject body)
        {
            var location = ArmIds.NormalizeLocation(Json.Str(body["location"])) ?? throw ArmError.LocationRequired().AsException();
            var vmId = group.Id + "/providers/Microsoft.Compute/virtualMachines/" + name;
            var properties = body["properties"] as JsonObject ?? throw ArmError.MissingParameter("properties").AsException();
            var image = properties["storageProfile"]?["imageReference"] as JsonObject;
            bool? windowsImage = image == null ? null
                : Store.Marketplace.FindImage(Json.Str(image["publisher"]), Json.Str(image["offer"]), Json.Str(image["sku"]));

            ValidateOsProfile(properties, windowsImage ?? IsWindows(properties));

            var size = Json.Str(properties["hardwareProfile"]?["vmSize"]);
            if (!Store.Marketplace.HasSize(size))
            {
                throw ArmError.InvalidParameter($"The value {size} provided for the VM size is not valid. The valid sizes in the current region are: {string.Join(",", Store.Marketplace.Sizes)}.", "vmSize").AsException();
            }

            if (image != null && image["id"] == null)
            {
                var version = Json.Str(image["version"]) ?? "latest";
                bool versionExists = version == "latest" || System.Text.RegularExpressions.Regex.IsMatch(version, @"^\d+(\.\d+)+$");
                if (windowsImage == null || !versionExists)
                {
                    throw new ArmError(404, "PlatformImageNotFound",
                        $"The platform image '{Json.Str(image["publisher"])}:{Json.Str(image["offer"])}:{Json.Str(image["sku"])}:{version}' is not available. Verify that all fields in the storage profile are correct. For more details about storage profile information, please refer to https://aka.ms/storageprofile",
                        "imageReference").AsException();
                }
            }

            var nics = (properties["networkProfile"]?["networkInterfaces"] as JsonArray)?.OfType<JsonObject>().ToList();
            if (nics == null || nics.Count == 0)
            {
                throw ArmError.MissingParameter("networkProfile").AsException();
            }

            foreach (var reference in nics)
            {
                var nicId = Json.Str(reference["id"]);
                var nic = nicId == null ? null : Store.FindNetworkById(nicId);
                if (nic == null || nic.Type != NetworkApi.NetworkInterfaces)
                {
                    throw new ArmError(400, "InvalidResourceReference", $"Resource {nicId} referenced by resource {vmId} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.").AsException();
                }

                if (!string.Equals(nic.Location, location, StringComparison.OrdinalIgnoreCase))
                {
                    throw ArmError.InvalidParameter($"The network interface {nic.Id} is in location '{nic.Location}'; the virtual machine {vmId} and its network interfaces must be in the same location '{location}'.", "networkInterfaces").AsException();
                }

                var user = Store.Vms.FirstOrDefault(v => (v.Properties["networkProfile"]?["networkInterfaces"] as JsonArray)?.OfType<JsonObject>().Any(r => ArmIds.Same(Json.Str(r["id"]), nic.Id)) == true);
                if (user != null)
                {
                    throw new ArmError(400, "NicInUse", $"Network Interface {nic.Id} is used by existing VM {user.Id}.").AsException();
                }
            }
        }

        // ARM's own words: a missing parameter is "Required parameter '<name>' is missing (null)." with the name as target.
        private static void ValidateOsProfile(JsonObject properties, bool windows)
        {
            if (properties["osProfile"] is not JsonObject os)
            {
                if (!string.Equals(Json.Str(properties["storageProfile"]?["osDisk"]?["createOption"]), "Attach", StringComparison.OrdinalIgnoreCase))
                {
                    throw ArmError.MissingParameter("osProfile").AsException();
                }

                return;
            }

            foreach (var required in new[] { "computerName", "adminUsername" })
            {
                if (string.IsNullOrEmpty(Json.Str(os[required])))
                {
                    throw ArmError.MissingParameter(required).AsException();
                }
            }

            bool hasPassword = !string.IsNullOrEmpty(Json.Str(os["adminPassword"]));
            if (windows)
            {
                if (!hasPassword)
                {
                    throw ArmError.MissingParameter("adminPassword").AsException();
                }

                return;
            }

            var linux = os["linuxConfiguration"] as JsonObject;
            var keys = (linux?["ssh"]?["publicKeys"] as JsonArray)?.OfType<JsonObject>().ToList() ?? new System.Collections.Generic.List<JsonObject>();
            foreach (var key in keys)
            {
                var data = Json.Str(key["keyData"]) ?? string.Empty;
                if (!System.Text.RegularExpressions.Regex.IsMatch(data, @"^(ssh-(rsa|ed25519|dss) |ecdsa-sha2-\S+ |---- BEGIN SSH2 PUBLIC KEY ----)"))
                {
                    throw ArmError.InvalidParameter("The value of parameter linuxConfiguration.ssh.publicKeys.keyData is invalid.", "linuxConfiguration.ssh.publicKeys.keyData").AsException();
                }
            }

            bool passwordDisabled = linux?["disablePasswordAuthentication"] is JsonValue v && v.TryGetValue<bool>(out var disabled) && disabled;
            if (passwordDisabled && keys.Count == 0)
            {
                throw ArmError.InvalidParameter("Authentication using either SSH or by user name and password must be enabled in Linux profile.", "linuxConfiguration").AsException();
            }

            if (!passwordDisabled && !hasPassword)
            {
                throw ArmError.MissingParameter("adminPassword").AsException();
            }
        }

        private ArmResponse DeleteVm(ArmRequest request, string resourceGroup, string name)
        {
            var group = Store.RequireGroup(resourceGroup);
            var vm = ArmStore.FindVm(group, name);
            if (vm == null)
            {
                return ArmResponse.Empty(204);
            }

            vm.ProvisioningState = "Deleting";
            var op = _context.StartOperation(request, "Microsoft.Compute", vm.Location, vm.Id, null, failure =>
            {
                if (failure == null)
                {
                    group.Vms.Remove(vm);
                }
                else
                {
                    vm.ProvisioningState = "Failed";
                    vm.ProvisioningError = failure;
                }
            });
            return _context.Accepted(op, ApiVersions.Compute);
        }

        /// <summary>A GET is one tick for the operations on the VM (and, for instance views, on its extensions).</summary>
        private VmRecord ObserveVm(string resourceGroup, string name, bool withExtensions)
        {
            var group = Store.RequireGroup(resourceGroup);
            var vm = ArmStore.FindVm(group, name);
            if (vm == null)
            {
                return null;
            }

            if (withExtensions)
            {
                foreach (var ext in vm.Extensions.ToList())
                {
                    Store.Observe(ext.Id);
                }
            }

            Store.Observe(vm.Id);
            return ArmStore.FindVm(group, name);
        }

        public JsonObject ComposeVm(VmRecord vm, bool expandInstanceView)
        {
            var o = new JsonObject
            {
                ["name"] = vm.Name,
                ["id"] = vm.Id,
                ["type"] = VmType,
                ["location"] = vm.Location,
            };
            foreach (var pair in vm.Body)
            {
                o[pair.Key] = Json.Clone(pair.Value);
            }

            var properties = (JsonObject)o["properties"];
            properties["vmId"] = vm.VmId;
            properties["provisioningState"] = vm.ProvisioningState;
            properties["timeCreated"] = vm.TimeCreated.ToString("o");
            if (expandInstanceView)
            {
                properties["instanceView"] = VmInstanceView(vm);
            }

            if (vm.Extensions.Count > 0)
            {
                o["resources"] = new JsonArray(vm.Extensions.Select(e => (JsonNode)ComposeExtension(e, false)).ToArray());
            }

            return o;
        }

        // A platform image of the catalogue decides; else the OS disk's osType, the Windows configuration, the publisher.
        private bool IsWindows(JsonObject properties)
        {
            var image = properties["storageProfile"]?["imageReference"];
            if (image != null && Store.Marketplace.FindImage(Json.Str(image["publisher"]), Json.Str(image["offer"]), Json.Str(image["sku"])) is bool windowsImage)
            {
                return windowsImage;
            }

            var osType = Json.Str(properties["storageProfile"]?["osDisk"]?["osType"]);
            if (osType != null)
            {
                return string.Equals(osType, "Windows", StringComparison.OrdinalIgnoreCase);
            }

            return properties["osProfile"]?["windowsConfiguration"] != null
                || (Json.Str(properties["storageProfile"]?["imageReference"]?["publisher"]) ?? string.Empty).Contains("Windows", StringComparison.OrdinalIgnoreCase);
        }

        // What ARM fills in on a VM it creates: the OS disk's name, type and managed disk, the OS profile's agent flags.
        private static void FillVmDefaults(VmRecord vm, JsonObject previous)
        {
            var properties = vm.Properties;
            var storage = Json.Child(properties, "storageProfile");
            if (storage["imageReference"] is JsonObject image && Json.Str(image["version"]) is string version)
            {
                image["exactVersion"] = version != "latest" ? version : vm.IsWindows ? "20348.2762.241006" : "22.04.202410020";
            }

            var osDisk = Json.Child(storage, "osDisk");
            osDisk["osType"] = vm.IsWindows ? "Windows" : "Linux";
            Json.Default(osDisk, "name", Json.Clone(previous?["properties"]?["storageProfile"]?["osDisk"]?["name"]) ?? $"{vm.Name}_OsDisk_1_{Guid.NewGuid():N}");
            Json.Default(osDisk, "createOption", "FromImage");
            Json.Default(osDisk, "caching", "ReadWrite");
            var managedDisk = Json.Child(osDisk, "managedDisk");
            Json.Default(managedDisk, "storageAccountType", "Premium_LRS");
            managedDisk["id"] = vm.Group.Id + "/providers/Microsoft.Compute/disks/" + Json.Str(osDisk["name"]);
            Json.Default(osDisk, "deleteOption", "Detach");
            Json.Default(osDisk, "diskSizeGB", vm.IsWindows ? 127 : 30);
            Json.Array(storage, "dataDisks");

            if (properties["osProfile"] is JsonObject os)
            {
                Json.Default(os, "computerName", vm.Name);
                Json.Array(os, "secrets");
                Json.Default(os, "allowExtensionOperations", true);
                Json.Default(os, "requireGuestProvisionSignal", true);
                var config = Json.Child(os, vm.IsWindows ? "windowsConfiguration" : "linuxConfiguration");
                Json.Default(config, "provisionVMAgent", true);
                if (vm.IsWindows)
                {
                    Json.Default(config, "enableAutomaticUpdates", true);
                }
                else
                {
                    Json.Default(config, "disablePasswordAuthentication", vm.AdminPassword == null);
                }
            }
        }

        // ---- instance views ----

        public JsonObject VmInstanceView(VmRecord vm)
        {
            var now = DateTimeOffset.UtcNow.ToString("o");
            var iv = new JsonObject();
            bool running = vm.PowerState == VmPowerState.Running;
            if (running)
            {
                var (osName, osVersion) = OsNameAndVersion(vm);
                iv["computerName"] = Json.Str(vm.Properties["osProfile"]?["computerName"]) ?? vm.Name;
                iv["osName"] = osName;
                iv["osVersion"] = osVersion;
                iv["vmAgent"] = new JsonObject
                {
                    ["vmAgentVersion"] = vm.IsWindows ? "2.7.41491.1102" : "2.11.1.12",
                    ["statuses"] = new JsonArray(Status("ProvisioningState/succeeded", "Info", "Ready", "Guest Agent is running", now)),
                    ["extensionHandlers"] = new JsonArray(vm.Extensions.Select(e => (JsonNode)new JsonObject
                    {
                        ["type"] = e.Handler,
                        ["typeHandlerVersion"] = HandlerVersion(e),
                        ["status"] = Status("ProvisioningState/succeeded", "Info", "Ready", null, null),
                    }).ToArray()),
                };
            }

            iv["hyperVGeneration"] = "V2";
            iv["disks"] = new JsonArray(new JsonObject
            {
                ["name"] = Json.Str(vm.Properties["storageProfile"]?["osDisk"]?["name"]),
                ["statuses"] = new JsonArray(Status("ProvisioningState/succeeded", "Info", "Provisioning succeeded", null, vm.TimeCreated.ToString("o"))),
            });
            if (running && vm.Extensions.Count > 0)
            {
                iv["extensions"] = new JsonArray(vm.Extensions.Where(e => e.InstanceView != null).Select(e => Json.Clone(e.InstanceView)).ToArray());
            }

            iv["statuses"] = new JsonArray(ProvisioningStatus(vm), PowerStatus(vm.PowerState));
            return iv;
        }

        private static JsonObject ProvisioningStatus(VmRecord vm)
        {
            var time = DateTimeOffset.UtcNow.ToString("o");
            return vm.ProvisioningState switch
            {
                "Failed" => Status("ProvisioningState/failed/" + (vm.ProvisioningError?.Code ?? "InternalOperationError"), "Error", "Provisioning failed", vm.ProvisioningError?.Message, time),
                "Succeeded" => Status("ProvisioningState/succeeded", "Info", "Provisioning succeeded", null, time),
                var state => Status("ProvisioningState/" + state.ToLowerInvariant(), "Info", state, null, time),
            };
        }

        private static JsonObject PowerStatus(VmPowerState state)
        {
            var name = state.ToString().ToLowerInvariant();
            return Status("PowerState/" + name, "Info", "VM " + name, null, null);
        }

        private static (string Name, string Version) OsNameAndVersion(VmRecord vm)
        {
            if (vm.IsWindows)
            {
                return ("Windows Server 2022 Datacenter", "Microsoft Windows NT 10.0.20348.0");
            }

            var image = vm.Properties["storageProfile"]?["imageReference"];
            var offer = (Json.Str(image?["offer"]) ?? string.Empty).ToLowerInvariant();
            var sku = Json.Str(image?["sku"]) ?? string.Empty;
            var name = offer.Contains("debian") ? "debian" : offer.Contains("ubuntu") || offer.Contains("jammy") || offer.Contains("noble") ? "ubuntu" : "linux";
            var version = System.Text.RegularExpressions.Regex.Match(sku, @"^(\d+)(?:[_.](\d+))?");
            return (name, !version.Success ? "unknown" : version.Groups[2].Success ? version.Groups[1].Value + "." + version.Groups[2].Value : version.Groups[1].Value);
        }

        private static JsonObject Status(string code, string level, string displayStatus, string message, string time)
        {
            var status = new JsonObject { ["code"] = code, ["level"] = level, ["displayStatus"] = displayStatus };
            if (message != null)
            {
                status["message"] = message;
            }

            if (time != null)
            {
                status["time"] = time;
            }

            return status;
        }

        // ---- extensions ----

        private ArmResponse HandleExtension(ArmRequest request, string resourceGroup, string vmName, string name)
        {
            switch (request.Method)
            {
                case "PUT":
                    return PutExtension(request, resourceGroup, vmName, name);
                case "GET":
                case "HEAD":
                    var vm = RequireParentVm(resourceGroup, vmName);
                    var ext = ArmStore.FindExtension(vm, name);
                    if (ext != null)
                    {
                        Store.Observe(ext.Id);
                        ext = ArmStore.FindExtension(vm, name);
                    }

                    if (request.Is("HEAD"))
                    {
                        return ArmResponse.Empty(ext != null ? 204 : 404);
                    }

                    return ext != null
                        ? ArmResponse.Ok(ComposeExtension(ext, request.ExpandsInstanceView))
                        : throw ArmError.ResourceNotFound(VmType + "/" + vm.Name + "/extensions", name, resourceGroup).AsException();
                case "DELETE":
                    return DeleteExtension(request, resourceGroup, vmName, name);
                default:
                    throw ArmError.MethodNotAllowed(request.Method).AsException();
            }
        }

        private ArmResponse ListExtensions(ArmRequest request, string resourceGroup, string vmName)
        {
            var vm = RequireParentVm(resourceGroup, vmName);
            foreach (var e in vm.Extensions.ToList())
            {
                Store.Observe(e.Id);
            }

            return ArmResponse.Ok(new JsonObject
            {
                ["value"] = new JsonArray(vm.Extensions.Select(e => (JsonNode)ComposeExtension(e, request.ExpandsInstanceView)).ToArray()),
            });
        }

        private ArmResponse PutExtension(ArmRequest request, string resourceGroup, string vmName, string name)
        {
            var vm = RequireParentVm(resourceGroup, vmName, forWrite: true);
            var body = request.RequireObjectBody();
            var properties = body["properties"] as JsonObject ?? throw ArmError.MissingParameter("properties").AsException();
            foreach (var required in new[] { "publisher", "type", "typeHandlerVersion" })
            {
                if (string.IsNullOrEmpty(Json.Str(properties[required])))
                {
                    throw ArmError.MissingParameter(required).AsException();
                }
            }

            RequireRunning(vm);
            var existing = ArmStore.FindExtension(vm, name);
            var handler = Json.Str(properties["publisher"]) + "." + Json.Str(properties["type"]);
            var twin = vm.Extensions.FirstOrDefault(e => e != existing && string.Equals(e.Handler, handler, StringComparison.OrdinalIgnoreCase));
            if (twin != null)
            {
                throw new ArmError(400, "BadRequest", $"Multiple VMExtensions per handler not supported for OS type '{(vm.IsWindows ? "Windows" : "Linux")}'. VMExtension '{twin.Name}' with handler '{twin.Handler}' already added or specified in input.").AsException();
            }

            Store.EnsureNoPendingOperation(vm.Id, "PUT");
            if (existing != null)
            {
                Store.EnsureNoPendingOperation(existing.Id, "PUT");
            }

            var ext = UpsertExtension(vm, name, body);
            var put = new ExtensionPut(vm.Group.Name, vm.Name, ext.Name, existing == null, ext.Properties, ext.ProtectedSettings);
            lock (_context.ExtensionPuts)
            {
                _context.ExtensionPuts.Add(put);
            }

            // The handler delegate runs under the fake's lock: it must be quick and must not call the fake over HTTP.
            var outcome = (vm.ExtensionHandler ?? _context.ExtensionHandler ?? ExtensionOutcome.Default)(put) ?? ExtensionOutcome.Default(put);
            ext.ProvisioningState = existing == null ? "Creating" : "Updating";
            ext.InstanceView = ExtensionInstanceView(ext, null);
            var op = _context.StartOperation(request, "Microsoft.Compute", vm.Location, ext.Id, outcome.Succeeded ? null : ExtensionFailure(ext, outcome), failure =>
            {
                var final = failure == null ? outcome : outcome.Succeeded ? ExtensionOutcome.Failure(failure.Message, errorCode: failure.Code) : outcome;
                Finish(ext, final, failure);
            });
            return _context.Started(existing == null ? 201 : 200, ComposeExtension(ext, false), op, ApiVersions.Compute);
        }

        /// <summary>Creates or replaces an extension from a PUT body (also used by seeding); protectedSettings are split off.</summary>
        public ExtensionRecord UpsertExtension(VmRecord vm, string name, JsonObject body)
        {
            var properties = Json.Clone((JsonObject)body["properties"]);
            var protectedSettings = properties["protectedSettings"] as JsonObject;
            foreach (var notStored in new[] { "protectedSettings", "provisioningState", "instanceView" })
            {
                properties.Remove(notStored);
            }

            var ext = ArmStore.FindExtension(vm, name);
            if (ext == null)
            {
                ext = new ExtensionRecord(vm, name);
                vm.Extensions.Add(ext);
            }

            ext.Location = ArmIds.NormalizeLocation(Json.Str(body["location"])) ?? vm.Location;
            ext.Tags = body["tags"] is JsonObject tags ? Json.Clone(tags) : null;
            ext.Properties = properties;
            ext.ProtectedSettings = protectedSettings;
            return ext;
        }

        /// <summary>Ends an extension's enable with <paramref name="outcome"/>; a failure fails the VM too, as in Azure.</summary>
        public void Finish(ExtensionRecord ext, ExtensionOutcome outcome, ArmError failure)
        {
            ext.ProvisioningState = outcome.Succeeded ? "Succeeded" : "Failed";
            ext.InstanceView = ExtensionInstanceView(ext, outcome);
            var vm = ext.Vm;
            if (!outcome.Succeeded)
            {
                vm.ProvisioningState = "Failed";
                vm.ProvisioningError = failure ?? ExtensionFailure(ext, outcome);
            }
            else if (vm.ProvisioningState == "Failed" && vm.Extensions.All(e => e.ProvisioningState != "Failed"))
            {
                vm.ProvisioningState = "Succeeded";
                vm.ProvisioningError = null;
            }
        }

        private ArmResponse DeleteExtension(ArmRequest request, string resourceGroup, string vmName, string name)
        {
            var vm = RequireParentVm(resourceGroup, vmName, forWrite: false);
            var ext = ArmStore.FindExtension(vm, name);
            if (ext == null)
            {
                return ArmResponse.Empty(204);
            }

            RequireRunning(vm);
            Store.EnsureNoPendingOperation(ext.Id, "DELETE");
            ext.ProvisioningState = "Deleting";
            var op = _context.StartOperation(request, "Microsoft.Compute", vm.Location, ext.Id, null, failure =>
            {
                if (failure == null)
                {
                    vm.Extensions.Remove(ext);
                    if (vm.ProvisioningState == "Failed" && vm.Extensions.All(e => e.ProvisioningState != "Failed"))
                    {
                        vm.ProvisioningState = "Succeeded";
                        vm.ProvisioningError = null;
                    }
                }
                else
                {
                    ext.ProvisioningState = "Failed";
                }
            });
            return _context.Accepted(op, ApiVersions.Compute);
        }

        public JsonObject ComposeExtension(ExtensionRecord ext, bool expandInstanceView)
        {
            var o = new JsonObject
            {
                ["name"] = ext.Name,
                ["id"] = ext.Id,
                ["type"] = ExtensionType,
                ["location"] = ext.Location,
            };
            if (ext.Tags != null)
            {
                o["tags"] = Json.Clone(ext.Tags);
            }

            var properties = Json.Clone(ext.Properties);
            properties["provisioningState"] = ext.ProvisioningState;
            if (expandInstanceView && ext.InstanceView != null)
            {
                properties["instanceView"] = Json.Clone(ext.InstanceView);
            }

            o["properties"] = properties;
            return o;
        }

        /// <summary>
        /// The instance view the handler reports: while enabling, a transitioning status; then the Linux CustomScript
        /// handler's status message ("Enable succeeded: \n[stdout]\n...\n[stderr]\n...") and StdOut/StdErr substatuses.
        /// </summary>
        public static JsonObject ExtensionInstanceView(ExtensionRecord ext, ExtensionOutcome outcome)
        {
            var now = DateTimeOffset.UtcNow.ToString("o");
            var iv = new JsonObject
            {
                ["name"] = ext.Name,
                ["type"] = ext.Handler,
                ["typeHandlerVersion"] = HandlerVersion(ext),
            };
            if (outcome == null)
            {
                iv["statuses"] = new JsonArray(Status("ProvisioningState/transitioning", "Info", "Transitioning", "Enable in progress", now));
                return iv;
            }

            iv["statuses"] = new JsonArray(outcome.Succeeded
                ? Status("ProvisioningState/succeeded", "Info", "Provisioning succeeded", outcome.StatusMessage, now)
                : Status("ProvisioningState/failed", "Error", "Provisioning failed", outcome.StatusMessage, now));
            iv["substatuses"] = new JsonArray(
                Status("ComponentStatus/StdOut/succeeded", "Info", "Provisioning succeeded", outcome.StdOut, null),
                Status("ComponentStatus/StdErr/succeeded", "Info", "Provisioning succeeded", outcome.StdErr, null));
            return iv;
        }

        private ArmError ExtensionFailure(ExtensionRecord ext, ExtensionOutcome outcome)
        {
            var guide = ext.Vm.IsWindows ? "https://aka.ms/VMExtensionCSEWindowsTroubleshoot" : "https://aka.ms/VMExtensionCSELinuxTroubleshoot";
            return new ArmError(400, outcome.ErrorCode ?? "VMExtensionProvisioningError",
                $"VM has reported a failure when processing extension '{ext.Name}' (publisher '{ext.Publisher}' and type '{ext.Type}'). Error message: '{outcome.StatusMessage}'. More information on troubleshooting is available at {guide}.");
        }

        // The handler version the VM agent reports for a requested major.minor version.
        private static string HandlerVersion(ExtensionRecord ext)
        {
            var requested = Json.Str(ext.Properties["typeHandlerVersion"]) ?? "1.0";
            return (ext.Type, requested) switch
            {
                ("CustomScript", "2.1") => "2.1.10",
                ("DockerExtension", "1.2") => "1.2.2",
                _ => requested.Count(c => c == '.') == 1 ? requested + ".0" : requested,
            };
        }

        private VmRecord RequireParentVm(string resourceGroup, string vmName, bool forWrite = false)
        {
            var group = Store.RequireGroup(resourceGroup, forWrite);
            return ArmStore.FindVm(group, vmName) ?? throw ArmError.ParentResourceNotFound(vmName).AsException();
        }

        private static void RequireRunning(VmRecord vm)
        {
            if (vm.PowerState != VmPowerState.Running)
            {
                throw new ArmError(409, "OperationNotAllowed", "Cannot modify extensions in the VM when the VM is not running.").AsException();
            }
        }

        private static bool Is(string segment, string literal) => string.Equals(segment, literal, StringComparison.OrdinalIgnoreCase);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.Json.Nodes;
using AzDockerVm.FakeArm.Http;
using AzDockerVm.FakeArm.State;

namespace AzDockerVm.FakeArm.Api
{
    /// <summary>
    /// Microsoft.Network 2024-03-01: network interfaces, public IP addresses, network security groups, virtual networks
    /// and their subnets. Bodies are stored as PUT and returned with what ARM adds: id/name/type/etag, provisioningState,
    /// resourceGuid, child resource ids, allocated addresses and the read-only back references (a NIC's virtualMachine,
    /// a public IP's ipConfiguration, an NSG's networkInterfaces/subnets, a subnet's ipConfigurations).
    /// </summary>
    internal sealed class NetworkApi
    {
        public const string NetworkInterfaces = "networkInterfaces";
        public const string PublicIPAddresses = "publicIPAddresses";
        public const string NetworkSecurityGroups = "networkSecurityGroups";
        public const string VirtualNetworks = "virtualNetworks";

        private static readonly string[] s_types = { NetworkInterfaces, PublicIPAddresses, NetworkSecurityGroups, VirtualNetworks };

        private readonly ArmContext _context;

        public NetworkApi(ArmContext context)
        {
            _context = context;
        }

        private ArmStore Store => _context.Store;

        /// <summary>Routes the segments after /resourceGroups/{rg}/providers/Microsoft.Network/.</summary>
        public ArmResponse Handle(ArmRequest request, string resourceGroup, string[] rest)
        {
            var type = s_types.FirstOrDefault(t => string.Equals(t, rest[0], StringComparison.OrdinalIgnoreCase))
                ?? throw ArmError.InvalidResourceType(rest[0], "Microsoft.Network", request.ApiVersion).AsException();
            switch (rest.Length)
            {
                case 1 when request.Is("GET"):
                    var group = Store.RequireGroup(resourceGroup);
                    return List(group.Network.Where(n => n.Type == type).Select(Compose));
                case 2:
                    return HandleResource(request, resourceGroup, type, rest[1]);
                case 3 when type == VirtualNetworks && Is(rest[2], "subnets") && request.Is("GET"):
                    var vnet = RequireParentVnet(resourceGroup, rest[1]);
                    return List(Subnets(vnet).Select(s => ComposeSubnet(vnet, s)));
                case 4 when type == VirtualNetworks && Is(rest[2], "subnets"):
                    return HandleSubnet(request, resourceGroup, rest[1], rest[3]);
                case 3 when type == NetworkSecurityGroups && Is(rest[2], "securityRules") && request.Is("GET"):
                    var parentNsg = RequireParent(resourceGroup, NetworkSecurityGroups, rest[1]);
                    return List(Objects(parentNsg.Properties["securityRules"]).Select(r => ComposeRule(parentNsg, r)));
                case 4 when type == NetworkSecurityGroups && Is(rest[2], "securityRules"):
                    return HandleSecurityRule(request, resourceGroup, rest[1], rest[3]);
                case 1:
                case 3:
                    throw ArmError.MethodNotAllowed(request.Method).AsException();
                default:
                    throw ArmError.NotFound(request.Path).AsException();
            }
        }

        private static ArmResponse List(IEnumerable<JsonObject> items) =>
            ArmResponse.Ok(new JsonObject { ["value"] = new JsonArray(items.Select(i => (JsonNode)i).ToArray()) });

        // ---- top-level resources ----

        private ArmResponse HandleResource(ArmRequest request, string resourceGroup, string type, string name)
        {
            switch (request.Method)
            {
                case "PUT":
                    return Put(request, resourceGroup, type, name);
                case "GET":
                case "HEAD":
                    var group = Store.RequireGroup(resourceGroup);
                    var record = ArmStore.FindNetwork(group, type, name);
                    if (record != null)
                    {
                        Store.Observe(record.Id);
                        record = ArmStore.FindNetwork(group, type, name);
                    }

                    if (request.Is("HEAD"))
                    {
                        return ArmResponse.Empty(record != null ? 204 : 404);
                    }

                    return record != null
                        ? ArmResponse.Ok(Compose(record))
                        : throw ArmError.ResourceNotFound("Microsoft.Network/" + type, name, resourceGroup).AsException();
                case "DELETE":
                    return Delete(request, resourceGroup, type, name);
                default:
                    throw ArmError.MethodNotAllowed(request.Method).AsException();
            }
        }

        private ArmResponse Put(ArmRequest request, string resourceGroup, string type, string name)
        {
            var group = Store.RequireGroup(resourceGroup, forWrite: true);
            var body = request.RequireObjectBody();
            var existing = ArmStore.FindNetwork(group, type, name);
            if (existing != null)
            {
                Store.EnsureNoPendingOperation(existing.Id, "PUT");
            }

            var record = Upsert(group, type, name, body, seeding: false);
            record.ProvisioningState = "Updating";
            var op = _context.StartOperation(request, "Microsoft.Network", record.Location, record.Id, null,
                failure => record.ProvisioningState = failure == null ? "Succeeded" : "Failed");
            return _context.Started(existing == null ? 201 : 200, Compose(record), op, ApiVersions.Network);
        }

        /// <summary>
        /// Creates or replaces a resource from a PUT body (also used by seeding, which may set addresses ARM would allocate).
        /// References are checked and addresses allocated before anything is stored.
        /// </summary>
        public NetworkRecord Upsert(ResourceGroupRecord group, string type, string name, JsonObject body, bool seeding)
        {
            var location = Json.Str(body["location"]);
            if (string.IsNullOrEmpty(location))
            {
                throw ArmError.LocationRequired().AsException();
            }

            var existing = ArmStore.FindNetwork(group, type, name);
            var id = group.Id + "/providers/Microsoft.Network/" + type + "/" + name;
            var stored = new JsonObject { ["location"] = ArmIds.NormalizeLocation(location) };
            foreach (var key in new[] { "tags", "sku", "zones", "extendedLocation" })
            {
                if (body[key] != null)
                {
                    stored[key] = Json.Clone(body[key]);
                }
            }

            var properties = body["properties"] is JsonObject p ? Json.Clone(p) : new JsonObject();
            properties.Remove("provisioningState");
            properties.Remove("resourceGuid");
            stored["properties"] = properties;

            switch (type)
            {
                case NetworkInterfaces:
                    PrepareNic(id, properties, existing, seeding);
                    break;
                case PublicIPAddresses:
                    PreparePublicIp(id, stored, properties, existing, seeding);
                    break;
                case VirtualNetworks:
                    PrepareVnet(id, properties);
                    break;
                case NetworkSecurityGroups:
                    foreach (var rule in Objects(properties["securityRules"]))
                    {
                        StripChildReadOnly(rule);
                    }

                    properties.Remove("defaultSecurityRules");
                    break;
            }

            var record = existing;
            if (record == null)
            {
                record = new NetworkRecord(group, type, name);
                group.Network.Add(record);
            }
            else
            {
                record.Etag = NetworkRecord.NewEtag();
            }

            record.Body = stored;
            record.ProvisioningState = "Succeeded";
            return record;
        }

        private ArmResponse Delete(ArmRequest request, string resourceGroup, string type, string name)
        {
            var group = Store.RequireGroup(resourceGroup);
            var record = ArmStore.FindNetwork(group, type, name);
            if (record == null)
            {
                return ArmResponse.Empty(204);
            }

            EnsureNotInUse(record);
            Store.EnsureNoPendingOperation(record.Id, "DELETE");
            record.ProvisioningState = "Deleting";
            var op = _context.StartOperation(request, "Microsoft.Network", record.Location, record.Id, null, failure =>
            {
                if (failure == null)
                {
                    group.Network.Remove(record);
                }
                else
                {
                    record.ProvisioningState = "Failed";
                }
            });
            return _context.Accepted(op, ApiVersions.Network);
        }

        // ---- subnets (children of a virtual network) ----

        private ArmResponse HandleSubnet(ArmRequest request, string resourceGroup, string vnetName, string name)
        {
            var vnet = RequireParentVnet(resourceGroup, vnetName, forWrite: request.Is("PUT"));
            var subnetId = vnet.Id + "/subnets/" + name;
            switch (request.Method)
            {
                case "PUT":
                    return PutSubnet(request, vnet, name);
                case "GET":
                    Store.Observe(subnetId);
                    var subnet = FindSubnet(vnet, name)
                        ?? throw ArmError.ResourceNotFound("Microsoft.Network/virtualNetworks/" + vnet.Name + "/subnets", name, resourceGroup).AsException();
                    return ArmResponse.Ok(ComposeSubnet(vnet, subnet));
                case "DELETE":
                    return DeleteSubnet(request, vnet, name);
                default:
                    throw ArmError.MethodNotAllowed(request.Method).AsException();
            }
        }

        private ArmResponse PutSubnet(ArmRequest request, NetworkRecord vnet, string name)
        {
            var body = request.RequireObjectBody();
            var subnetId = vnet.Id + "/subnets/" + name;
            Store.EnsureNoPendingOperation(subnetId, "PUT");
            var properties = body["properties"] is JsonObject p ? Json.Clone(p) : new JsonObject();
            var subnet = new JsonObject { ["name"] = name, ["properties"] = properties };
            StripChildReadOnly(subnet);
            RequireReference(properties["networkSecurityGroup"], subnetId);

            var subnets = Json.Array(vnet.Properties, "subnets");
            var existing = FindSubnet(vnet, name);
            if (existing != null)
            {
                subnets[subnets.IndexOf(existing)] = subnet;
            }
            else
            {
                subnets.Add(subnet);
            }

            vnet.Etag = NetworkRecord.NewEtag();
            vnet.ProvisioningState = "Updating";
            var op = _context.StartOperation(request, "Microsoft.Network", vnet.Location, subnetId, null,
                failure => vnet.ProvisioningState = failure == null ? "Succeeded" : "Failed");
            return _context.Started(existing == null ? 201 : 200, ComposeSubnet(vnet, subnet), op, ApiVersions.Network);
        }

        private ArmResponse DeleteSubnet(ArmRequest request, NetworkRecord vnet, string name)
        {
            var subnet = FindSubnet(vnet, name);
            if (subnet == null)
            {
                return ArmResponse.Empty(204);
            }

            var subnetId = vnet.Id + "/subnets/" + Json.Str(subnet["name"]);
            EnsureSubnetNotInUse(subnetId, Json.Str(subnet["name"]));
            Store.EnsureNoPendingOperation(subnetId, "DELETE");
            vnet.ProvisioningState = "Updating";
            var op = _context.StartOperation(request, "Microsoft.Network", vnet.Location, subnetId, null, failure =>
            {
                if (failure == null)
                {
                    var subnets = (JsonArray)vnet.Properties["subnets"];
                    subnets.Remove(subnet);
                    vnet.Etag = NetworkRecord.NewEtag();
                }

                vnet.ProvisioningState = failure == null ? "Succeeded" : "Failed";
            });
            return _context.Accepted(op, ApiVersions.Network);
        }

        // ---- security rules (child resources of an NSG, as ARM's SecurityRules operations) ----

        private ArmResponse HandleSecurityRule(ArmRequest request, string resourceGroup, string nsgName, string name)
        {
            var nsg = RequireParent(resourceGroup, NetworkSecurityGroups, nsgName, forWrite: !request.Is("GET"));
            var ruleId = nsg.Id + "/securityRules/" + name;
            var rules = Json.Array(nsg.Properties, "securityRules");
            var existing = Objects(rules).FirstOrDefault(r => string.Equals(Json.Str(r["name"]), name, StringComparison.OrdinalIgnoreCase));
            switch (request.Method)
            {
                case "GET":
                    Store.Observe(ruleId);
                    return existing == null
                        ? throw ArmError.ResourceNotFound("Microsoft.Network/networkSecurityGroups/" + nsg.Name + "/securityRules", name, resourceGroup).AsException()
                        : ArmResponse.Ok(ComposeRule(nsg, existing));
                case "PUT":
                {
                    var body = request.RequireObjectBody();
                    Store.EnsureNoPendingOperation(ruleId, "PUT");
                    var rule = new JsonObject { ["name"] = name, ["properties"] = body["properties"] is JsonObject p ? Json.Clone(p) : new JsonObject() };
                    StripChildReadOnly(rule);
                    int? priority = (int?)Json.Number(rule["properties"]?["priority"]);
                    string direction = Json.Str(rule["properties"]?["direction"]);
                    var clash = Objects(rules).FirstOrDefault(r => r != existing && (int?)Json.Number(r["properties"]?["priority"]) == priority
                        && string.Equals(Json.Str(r["properties"]?["direction"]), direction, StringComparison.OrdinalIgnoreCase));
                    if (clash != null)
                    {
                        throw new ArmError(400, "SecurityRuleConflict", $"Security rule {name} conflicts with rule {Json.Str(clash["name"])}. Rules cannot have the same Priority and Direction.").AsException();
                    }

                    if (existing != null)
                    {
                        rules[rules.IndexOf(existing)] = rule;
                    }
                    else
                    {
                        rules.Add(rule);
                    }

                    nsg.Etag = NetworkRecord.NewEtag();
                    nsg.ProvisioningState = "Updating";
                    var op = _context.StartOperation(request, "Microsoft.Network", nsg.Location, ruleId, null,
                        failure => nsg.ProvisioningState = failure == null ? "Succeeded" : "Failed");
                    return _context.Started(existing == null ? 201 : 200, ComposeRule(nsg, rule), op, ApiVersions.Network);
                }

                case "DELETE":
                {
                    if (existing == null)
                    {
                        return ArmResponse.Empty(204);
                    }

                    Store.EnsureNoPendingOperation(ruleId, "DELETE");
                    var op = _context.StartOperation(request, "Microsoft.Network", nsg.Location, ruleId, null, failure =>
                    {
                        if (failure == null)
                        {
                            rules.Remove(existing);
                            nsg.Etag = NetworkRecord.NewEtag();
                        }
                    });
                    return _context.Accepted(op, ApiVersions.Network);
                }

                default:
                    throw ArmError.MethodNotAllowed(request.Method).AsException();
            }
        }

        private JsonObject ComposeRule(NetworkRecord nsg, JsonObject rule) => new JsonObject
        {
            ["name"] = Json.Str(rule["name"]),
            ["id"] = nsg.Id + "/securityRules/" + Json.Str(rule["name"]),
            ["etag"] = nsg.Etag,
            ["type"] = "Microsoft.Network/networkSecurityGroups/securityRules",
            ["properties"] = WithState(rule["properties"] as JsonObject, nsg.ProvisioningState),
        };

        private NetworkRecord RequireParent(string resourceGroup, string type, string name, bool forWrite = false)
        {
            var group = Store.RequireGroup(resourceGroup, forWrite);
            return ArmStore.FindNetwork(group, type, name) ?? throw ArmError.ParentResourceNotFound(name).AsException();
        }

        private NetworkRecord RequireParentVnet(string resourceGroup, string vnetName, bool forWrite = false)
        {
            var group = Store.RequireGroup(resourceGroup, forWrite);
            return ArmStore.FindNetwork(group, VirtualNetworks, vnetName) ?? throw ArmError.ParentResourceNotFound(vnetName).AsException();
        }

        private static IEnumerable<JsonObject> Subnets(NetworkRecord vnet) => Objects(vnet.Properties["subnets"]);

        private static JsonObject FindSubnet(NetworkRecord vnet, string name) =>
            Subnets(vnet).FirstOrDefault(s => string.Equals(Json.Str(s["name"]), name, StringComparison.OrdinalIgnoreCase));

        // ---- preparing bodies ----

        private void PrepareNic(string nicId, JsonObject properties, NetworkRecord previous, bool seeding)
        {
            RequireReference(properties["networkSecurityGroup"], nicId);
            int index = 0;
            foreach (var ipConfiguration in Objects(properties["ipConfigurations"]))
            {
                StripChildReadOnly(ipConfiguration);
                Json.Default(ipConfiguration, "name", "ipconfig" + (index + 1));
                var ip = Json.Child(ipConfiguration, "properties");
                var subnetId = Json.Str(ip["subnet"]?["id"]);
                var subnet = RequireReference(ip["subnet"], nicId);
                RequireReference(ip["publicIPAddress"], nicId);
                if (!seeding || ip["privateIPAddress"] == null)
                {
                    var kept = Objects(previous?.Properties["ipConfigurations"])
                        .FirstOrDefault(c => string.Equals(Json.Str(c["name"]), Json.Str(ipConfiguration["name"]), StringComparison.OrdinalIgnoreCase));
                    var requested = Json.Str(ip["privateIPAllocationMethod"]) == "Static" ? Json.Str(ip["privateIPAddress"]) : null;
                    ip["privateIPAddress"] = requested ?? Json.Str(kept?["properties"]?["privateIPAddress"]) ?? NextPrivateAddress(subnet, subnetId, nicId);
                }

                Json.Default(ip, "privateIPAllocationMethod", "Dynamic");
                Json.Default(ip, "privateIPAddressVersion", "IPv4");
                Json.Default(ip, "primary", index == 0);
                index++;
            }
        }

        private void PreparePublicIp(string id, JsonObject stored, JsonObject properties, NetworkRecord previous, bool seeding)
        {
            if (!seeding && Json.Str(properties["dnsSettings"]?["domainNameLabel"]) is string requested)
            {
                EnsureDnsLabelFree(id, requested, Json.Str(stored["location"]));
            }

            Json.Default(stored, "sku", new JsonObject { ["name"] = "Standard", ["tier"] = "Regional" });
            bool standard = string.Equals(Json.Str(stored["sku"]?["name"]), "Standard", StringComparison.OrdinalIgnoreCase);
            Json.Default(properties, "publicIPAllocationMethod", standard ? "Static" : "Dynamic");
            Json.Default(properties, "publicIPAddressVersion", "IPv4");
            Json.Default(properties, "idleTimeoutInMinutes", 4);
            Json.Default(properties, "ipTags", new JsonArray());
            properties.Remove("ipConfiguration");

            // ARM chooses the address: a client's ipAddress is ignored; seeding may set it.
            var address = seeding ? Json.Str(properties["ipAddress"]) : null;
            address ??= Json.Str(previous?.Properties["ipAddress"]);
            if (address == null && Json.Str(properties["publicIPAllocationMethod"]) == "Static")
            {
                address = Store.NextPublicAddress();
            }

            properties.Remove("ipAddress");
            if (address != null)
            {
                properties["ipAddress"] = address;
            }

            if (properties["dnsSettings"] is JsonObject dns && Json.Str(dns["domainNameLabel"]) is string label && (!seeding || dns["fqdn"] == null))
            {
                dns["fqdn"] = $"{label}.{Json.Str(stored["location"])}.cloudapp.azure.com";
            }
        }

        private static readonly System.Text.RegularExpressions.Regex s_domainNameLabel = new System.Text.RegularExpressions.Regex("^[a-z][a-z0-9-]{1,61}[a-z0-9]$");

        // A DNS label must follow Azure's rule and be free in its location: <label>.<location>.cloudapp.azure.com is one
        // record, whichever resource group or subscription holds the other public IP (ARM's codes and messages).
        private void EnsureDnsLabelFree(string pipId, string label, string location)
        {
            if (!s_domainNameLabel.IsMatch(label))
            {
                throw new ArmError(400, "InvalidDomainNameLabel", $"The domain name label {label} is invalid. It must conform to the following regular expression: ^[a-z][a-z0-9-]{{1,61}}[a-z0-9]$.").AsException();
            }

            var taken = Store.Network.Any(n => n.Type == PublicIPAddresses && !ArmIds.Same(n.Id, pipId)
                && string.Equals(n.Location, location, StringComparison.OrdinalIgnoreCase)
                && string.Equals(Json.Str(n.Properties["dnsSettings"]?["domainNameLabel"]), label, StringComparison.OrdinalIgnoreCase));
            if (taken)
            {
                throw new ArmError(400, "DnsRecordInUse", $"DNS record {label}.{location}.cloudapp.azure.com is already used by another public IP.").AsException();
            }
        }

        private void PrepareVnet(string vnetId, JsonObject properties)
        {
            var subnets = Objects(properties["subnets"]).ToList();
            foreach (var subnet in subnets)
            {
                StripChildReadOnly(subnet);
                RequireReference(subnet["properties"]?["networkSecurityGroup"], vnetId);
            }

            // A PUT without a subnet deletes it: refused while something uses it.
            var previous = Store.FindNetworkById(vnetId);
            foreach (var old in previous == null ? Enumerable.Empty<JsonObject>() : Subnets(previous))
            {
                var name = Json.Str(old["name"]);
                if (!subnets.Any(s => string.Equals(Json.Str(s["name"]), name, StringComparison.OrdinalIgnoreCase)))
                {
                    EnsureSubnetNotInUse(vnetId + "/subnets/" + name, name);
                }
            }
        }

        // A reference ({"id": ...}) must name an existing resource, as ARM checks. Returns the subnet for subnet references.
        private JsonObject RequireReference(JsonNode reference, string referencingId)
        {
            var id = Json.Str(reference?["id"]);
            if (id == null)
            {
                return null;
            }

            var marker = id.IndexOf("/subnets/", StringComparison.OrdinalIgnoreCase);
            if (marker > 0)
            {
                var vnet = Store.FindNetworkById(id.Substring(0, marker));
                var subnet = vnet == null ? null : FindSubnet(vnet, id.Substring(marker + "/subnets/".Length));
                return subnet ?? throw InvalidReference(id, referencingId);
            }

            return Store.FindNetworkById(id) != null ? null : throw InvalidReference(id, referencingId);
        }

        private static ArmException InvalidReference(string id, string referencingId) =>
            new ArmError(400, "InvalidResourceReference", $"Resource {id} referenced by resource {referencingId} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.").AsException();

        private string NextPrivateAddress(JsonObject subnet, string subnetId, string nicId)
        {
            var prefix = Json.Str(subnet?["properties"]?["addressPrefix"]) ?? "10.0.0.0/24";
            var bytes = IPAddress.Parse(prefix.Split('/')[0]).GetAddressBytes();
            var used = IpConfigurations()
                .Where(c => !ArmIds.Same(c.Nic.Id, nicId) && ArmIds.Same(Json.Str(c.Config["properties"]?["subnet"]?["id"]), subnetId))
                .Select(c => Json.Str(c.Config["properties"]?["privateIPAddress"]))
                .ToHashSet();
            for (int host = 4; host < 255; host++)
            {
                var candidate = $"{bytes[0]}.{bytes[1]}.{bytes[2]}.{host}";
                if (!used.Contains(candidate))
                {
                    return candidate;
                }
            }

            throw new ArmError(400, "SubnetIsFull", $"Subnet {subnetId} has no free address.").AsException();
        }

        private static void StripChildReadOnly(JsonObject child)
        {
            child.Remove("id");
            child.Remove("etag");
            child.Remove("type");
            if (child["properties"] is JsonObject properties)
            {
                properties.Remove("provisioningState");
                properties.Remove("ipConfigurations");
            }
        }

        // ---- composing responses ----

        public JsonObject Compose(NetworkRecord record)
        {
            var o = new JsonObject
            {
                ["name"] = record.Name,
                ["id"] = record.Id,
                ["etag"] = record.Etag,
                ["type"] = "Microsoft.Network/" + record.Type,
            };
            foreach (var pair in record.Body.Where(p => p.Key != "properties"))
            {
                o[pair.Key] = Json.Clone(pair.Value);
            }

            var properties = Json.Clone(record.Properties);
            properties["provisioningState"] = record.ProvisioningState;
            properties["resourceGuid"] = record.ResourceGuid;
            switch (record.Type)
            {
                case NetworkInterfaces:
                    DecorateNic(record, properties);
                    break;
                case PublicIPAddresses:
                    DecoratePublicIp(record, properties);
                    break;
                case NetworkSecurityGroups:
                    DecorateNsg(record, properties);
                    break;
                case VirtualNetworks:
                    properties["subnets"] = new JsonArray(Subnets(record).Select(s => (JsonNode)ComposeSubnet(record, s)).ToArray());
                    Json.Default(properties, "virtualNetworkPeerings", new JsonArray());
                    Json.Default(properties, "enableDdosProtection", false);
                    break;
            }

            o["properties"] = properties;
            return o;
        }

        private void DecorateNic(NetworkRecord nic, JsonObject properties)
        {
            var configurations = new JsonArray();
            foreach (var c in Objects(properties["ipConfigurations"]))
            {
                var name = Json.Str(c["name"]);
                var ip = Json.Clone((JsonObject)c["properties"]);
                ip["provisioningState"] = nic.ProvisioningState;
                configurations.Add(new JsonObject
                {
                    ["name"] = name,
                    ["id"] = nic.Id + "/ipConfigurations/" + name,
                    ["etag"] = nic.Etag,
                    ["type"] = "Microsoft.Network/networkInterfaces/ipConfigurations",
                    ["properties"] = ip,
                });
            }

            properties["ipConfigurations"] = configurations;
            var dns = Json.Child(properties, "dnsSettings");
            Json.Default(dns, "dnsServers", new JsonArray());
            dns["appliedDnsServers"] = new JsonArray();
            dns["internalDomainNameSuffix"] = $"{nic.Group.Id.GetHashCode() & 0x7FFFFFFF:x8}fakearm.ax.internal.cloudapp.net";
            Json.Default(properties, "enableAcceleratedNetworking", false);
            Json.Default(properties, "enableIPForwarding", false);
            Json.Default(properties, "disableTcpStateTracking", false);
            properties["hostedWorkloads"] = new JsonArray();
            properties["tapConfigurations"] = new JsonArray();
            Json.Default(properties, "nicType", "Standard");
            properties["vnetEncryptionSupported"] = false;
            var vm = VmUsingNic(nic.Id);
            if (vm != null)
            {
                properties["virtualMachine"] = Json.Reference(vm.Id);
                properties["primary"] = true;
                var hash = BitConverter.GetBytes(nic.ResourceGuid.GetHashCode());
                properties["macAddress"] = $"00-0D-3A-{hash[0]:X2}-{hash[1]:X2}-{hash[2]:X2}";
            }
        }

        private void DecoratePublicIp(NetworkRecord pip, JsonObject properties)
        {
            var user = IpConfigurations().FirstOrDefault(c => ArmIds.Same(Json.Str(c.Config["properties"]?["publicIPAddress"]?["id"]), pip.Id));
            if (user.Nic == null)
            {
                return;
            }

            properties["ipConfiguration"] = Json.Reference(user.Id);
            if (properties["ipAddress"] == null && VmUsingNic(user.Nic.Id) != null)
            {
                // A dynamic address is allocated once the VM using it exists.
                pip.Properties["ipAddress"] = Store.NextPublicAddress();
                properties["ipAddress"] = Json.Clone(pip.Properties["ipAddress"]);
            }
        }

        private void DecorateNsg(NetworkRecord nsg, JsonObject properties)
        {
            properties["securityRules"] = new JsonArray(Objects(properties["securityRules"]).Select(rule => (JsonNode)ComposeRule(nsg, rule)).ToArray());
            properties["defaultSecurityRules"] = new JsonArray(DefaultSecurityRules(nsg).ToArray());
            var nics = Store.Network.Where(n => n.Type == NetworkInterfaces && ArmIds.Same(Json.Str(n.Properties["networkSecurityGroup"]?["id"]), nsg.Id)).ToList();
            if (nics.Count > 0)
            {
                properties["networkInterfaces"] = new JsonArray(nics.Select(n => (JsonNode)Json.Reference(n.Id)).ToArray());
            }

            var subnets = Store.Network.Where(n => n.Type == VirtualNetworks)
                .SelectMany(v => Subnets(v).Where(s => ArmIds.Same(Json.Str(s["properties"]?["networkSecurityGroup"]?["id"]), nsg.Id)).Select(s => v.Id + "/subnets/" + Json.Str(s["name"])))
                .ToList();
            if (subnets.Count > 0)
            {
                properties["subnets"] = new JsonArray(subnets.Select(id => (JsonNode)Json.Reference(id)).ToArray());
            }
        }

        private JsonObject ComposeSubnet(NetworkRecord vnet, JsonObject subnet)
        {
            var name = Json.Str(subnet["name"]);
            var id = vnet.Id + "/subnets/" + name;
            var properties = WithState(subnet["properties"] as JsonObject, vnet.ProvisioningState);
            Json.Default(properties, "privateEndpointNetworkPolicies", "Disabled");
            Json.Default(properties, "privateLinkServiceNetworkPolicies", "Enabled");
            var users = IpConfigurations().Where(c => ArmIds.Same(Json.Str(c.Config["properties"]?["subnet"]?["id"]), id)).ToList();
            if (users.Count > 0)
            {
                properties["ipConfigurations"] = new JsonArray(users.Select(u => (JsonNode)Json.Reference(u.Id)).ToArray());
            }

            return new JsonObject
            {
                ["name"] = name,
                ["id"] = id,
                ["etag"] = vnet.Etag,
                ["type"] = "Microsoft.Network/virtualNetworks/subnets",
                ["properties"] = properties,
            };
        }

        private static JsonObject WithState(JsonObject properties, string provisioningState)
        {
            var copy = Json.Clone(properties) ?? new JsonObject();
            copy["provisioningState"] = provisioningState;
            return copy;
        }

        // The six rules every NSG has.
        private static IEnumerable<JsonNode> DefaultSecurityRules(NetworkRecord nsg)
        {
            var rules = new (string Name, string Description, string Source, string Destination, string Access, int Priority, string Direction)[]
            {
                ("AllowVnetInBound", "Allow inbound traffic from all VMs in VNET", "VirtualNetwork", "VirtualNetwork", "Allow", 65000, "Inbound"),
                ("AllowAzureLoadBalancerInBound", "Allow inbound traffic from azure load balancer", "AzureLoadBalancer", "*", "Allow", 65001, "Inbound"),
                ("DenyAllInBound", "Deny all inbound traffic", "*", "*", "Deny", 65500, "Inbound"),
                ("AllowVnetOutBound", "Allow outbound traffic from all VMs to all VMs in VNET", "VirtualNetwork", "VirtualNetwork", "Allow", 65000, "Outbound"),
                ("AllowInternetOutBound", "Allow outbound traffic from all VMs to Internet", "*", "Internet", "Allow", 65001, "Outbound"),
                ("DenyAllOutBound", "Deny all outbound traffic", "*", "*", "Deny", 65500, "Outbound"),
            };
            return rules.Select(r => (JsonNode)new JsonObject
            {
                ["name"] = r.Name,
                ["id"] = nsg.Id + "/defaultSecurityRules/" + r.Name,
                ["etag"] = nsg.Etag,
                ["type"] = "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
                ["properties"] = new JsonObject
                {
                    ["provisioningState"] = "Succeeded",
                    ["description"] = r.Description,
                    ["protocol"] = "*",
                    ["sourcePortRange"] = "*",
                    ["destinationPortRange"] = "*",
                    ["sourceAddressPrefix"] = r.Source,
                    ["destinationAddressPrefix"] = r.Destination,
                    ["access"] = r.Access,
                    ["priority"] = r.Priority,
                    ["direction"] = r.Direction,
                    ["sourcePortRanges"] = new JsonArray(),
                    ["destinationPortRanges"] = new JsonArray(),
                    ["sourceAddressPrefixes"] = new JsonArray(),
                    ["destinationAddressPrefixes"] = new JsonArray(),
                },
            });
        }

        // ---- who uses what ----

        private IEnumerable<(NetworkRecord Nic, JsonObject Config, string Id)> IpConfigurations() =>
            Store.Network.Where(n => n.Type == NetworkInterfaces)
                .SelectMany(n => Objects(n.Properties["ipConfigurations"]).Select(c => (n, c, n.Id + "/ipConfigurations/" + Json.Str(c["name"]))));

        private VmRecord VmUsingNic(string nicId) =>
            Store.Vms.FirstOrDefault(vm => Objects(vm.Properties["networkProfile"]?["networkInterfaces"]).Any(r => ArmIds.Same(Json.Str(r["id"]), nicId)));

        private void EnsureNotInUse(NetworkRecord record)
        {
            switch (record.Type)
            {
                case NetworkInterfaces when VmUsingNic(record.Id) is { } vm:
                    throw new ArmError(400, "NicInUse", $"Network Interface {record.Id} is used by existing resource {vm.Id}. In order to delete the network interface, it must be dissociated from the resource. To learn more, see aka.ms/deletenic.").AsException();
                case PublicIPAddresses:
                    var user = IpConfigurations().FirstOrDefault(c => ArmIds.Same(Json.Str(c.Config["properties"]?["publicIPAddress"]?["id"]), record.Id));
                    if (user.Nic != null)
                    {
                        throw new ArmError(400, "PublicIPAddressCannotBeDeleted", $"Public IP address {record.Id} can not be deleted since it is still allocated to resource {user.Id}. In order to delete the public IP, disassociate/detach the Public IP address from the resource. To learn how to do this, see aka.ms/deletepublicip.").AsException();
                    }

                    break;
                case NetworkSecurityGroups:
                    var composed = Compose(record)["properties"];
                    var users = new[] { "networkInterfaces", "subnets" }.SelectMany(k => Objects(composed[k])).Select(r => Json.Str(r["id"])).ToList();
                    if (users.Count > 0)
                    {
                        throw new ArmError(400, "InUseNetworkSecurityGroupCannotBeDeleted", $"Network security group {record.Id} cannot be deleted because it is in use by the following resources: {string.Join(", ", users)}. In order to delete the Network security group, remove the association with the resource(s). To learn how to do this, see https://aka.ms/deletensg.").AsException();
                    }

                    break;
                case VirtualNetworks:
                    foreach (var subnet in Subnets(record))
                    {
                        EnsureSubnetNotInUse(record.Id + "/subnets/" + Json.Str(subnet["name"]), Json.Str(subnet["name"]));
                    }

                    break;
            }
        }

        private void EnsureSubnetNotInUse(string subnetId, string name)
        {
            var user = IpConfigurations().FirstOrDefault(c => ArmIds.Same(Json.Str(c.Config["properties"]?["subnet"]?["id"]), subnetId));
            if (user.Nic != null)
            {
                throw new ArmError(400, "InUseSubnetCannotBeDeleted", $"Subnet {name} is in use by {user.Id} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet.").AsException();
            }
        }

        private static IEnumerable<JsonObject> Objects(JsonNode array) =>
            array is JsonArray a ? a.OfType<JsonObject>() : Enumerable.Empty<JsonObject>();

        private static bool Is(string segment, string literal) => string.Equals(segment, literal, StringComparison.OrdinalIgnoreCase);
    }
}

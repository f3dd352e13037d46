using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using AzDockerVm.FakeArm.Http;

namespace AzDockerVm.FakeArm.State
{
    // What the fake knows about each resource. Ids are case-insensitive everywhere; names keep the casing they were
    // created with, as ARM does. All records are guarded by ArmStore.Gate.

    internal sealed class ResourceGroupRecord
    {
        public ResourceGroupRecord(string subscriptionId, string name, string location)
        {
            Name = name;
            Location = location;
            Id = ArmIds.ResourceGroup(subscriptionId, name);
        }

        public string Id { get; }

        public string Name { get; }

        public string Location { get; }

        public JsonObject Tags { get; set; }

        public bool Deleting { get; set; }

        public List<VmRecord> Vms { get; } = new List<VmRecord>();

        public List<NetworkRecord> Network { get; } = new List<NetworkRecord>();
    }

    internal sealed class VmRecord
    {
        public VmRecord(ResourceGroupRecord group, string name)
        {
            Group = group;
            Name = name;
            Id = group.Id + "/providers/Microsoft.Compute/virtualMachines/" + name;
        }

        public ResourceGroupRecord Group { get; }

        public string Id { get; }

        public string Name { get; }

        public string Location { get; set; }

        /// <summary>The PUT body without secrets and read-only properties, defaults filled in as ARM does.</summary>
        public JsonObject Body { get; set; }

        /// <summary>Write-only: kept for test inspection, never returned.</summary>
        public string AdminPassword { get; set; }

        public string VmId { get; } = Guid.NewGuid().ToString();

        public DateTimeOffset TimeCreated { get; } = DateTimeOffset.UtcNow;

        public string ProvisioningState { get; set; }

        /// <summary>Why the VM is Failed (its own operation, or a failed extension), for the instance view.</summary>
        public ArmError ProvisioningError { get; set; }

        public VmPowerState PowerState { get; set; } = VmPowerState.Running;

        public bool IsWindows { get; set; }

        public List<ExtensionRecord> Extensions { get; } = new List<ExtensionRecord>();

        public Func<ExtensionPut, ExtensionOutcome> ExtensionHandler { get; set; }

        public JsonObject Properties => (JsonObject)Body["properties"];
    }

    internal sealed class ExtensionRecord
    {
        public ExtensionRecord(VmRecord vm, string name)
        {
            Vm = vm;
            Name = name;
            Id = vm.Id + "/extensions/" + name;
        }

        public VmRecord Vm { get; }

        public string Id { get; }

        public string Name { get; }

        public string Location { get; set; }

        public JsonObject Tags { get; set; }

        /// <summary>The public properties as PUT (publisher, type, settings...), without protectedSettings.</summary>
        public JsonObject Properties { get; set; }

        /// <summary>Write-only: kept for test inspection, never returned.</summary>
        public JsonObject ProtectedSettings { get; set; }

        public string ProvisioningState { get; set; }

        public JsonObject InstanceView { get; set; }

        public string Publisher => (string)Properties["publisher"];

        public string Type => (string)Properties["type"];

        public string Handler => Publisher + "." + Type;
    }

    internal sealed class NetworkRecord
    {
        public NetworkRecord(ResourceGroupRecord group, string type, string name)
        {
            Group = group;
            Type = type;
            Name = name;
            Id = group.Id + "/providers/Microsoft.Network/" + type + "/" + name;
        }

        public ResourceGroupRecord Group { get; }

        /// <summary>The canonical type name under Microsoft.Network, e.g. "networkInterfaces".</summary>
        public string Type { get; }

        public string Id { get; }

        public string Name { get; }

        /// <summary>location, tags, sku, zones, properties as PUT, with what ARM fills in at creation (addresses).</summary>
        public JsonObject Body { get; set; }

        public JsonObject Properties => (JsonObject)Body["properties"];

        public string Location => (string)Body["location"];

        public string Etag { get; set; } = NewEtag();

        public string ResourceGuid { get; } = Guid.NewGuid().ToString();

        public string ProvisioningState { get; set; }

        public static string NewEtag() => "W/\"" + Guid.NewGuid() + "\"";
    }
}

using System.Collections.Generic;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>What AzDockerVm needs to know about a VM: identity, OS, power state, addresses, extensions.</summary>
    public sealed class VmFacts
    {
        public string Id { get; set; }
        public string ResourceGroupName { get; set; }
        public string Name { get; set; }
        public string Location { get; set; }
        public string OsType { get; set; }
        /// <summary>The PowerState/... code's last part: running, deallocated, stopped, starting, ...; null when unknown.</summary>
        public string PowerState { get; set; }
        public string AdminUsername { get; set; }
        /// <summary>Resource ids of the VM's network interfaces (read by <see cref="VmReader.ReadAddressesAsync"/>).</summary>
        public List<string> NetworkInterfaceIds { get; } = new List<string>();
        /// <summary>The NSGs on those NICs, and the subnets they are in (read with the addresses).</summary>
        public List<string> NetworkSecurityGroupIds { get; } = new List<string>();
        public List<string> SubnetIds { get; } = new List<string>();
        public List<string> PrivateIPAddresses { get; } = new List<string>();
        public List<string> PublicIPAddresses { get; } = new List<string>();
        public List<string> Fqdns { get; } = new List<string>();
        public List<ExtensionFacts> Extensions { get; } = new List<ExtensionFacts>();
    }

    /// <summary>One VM extension as ARM reports it (never its protected settings: ARM doesn't return them).</summary>
    public sealed class ExtensionFacts
    {
        public string Id { get; set; }
        public string Name { get; set; }
        public string Publisher { get; set; }
        public string Type { get; set; }
        public string TypeHandlerVersion { get; set; }
        public bool? AutoUpgradeMinorVersion { get; set; }
        public string ProvisioningState { get; set; }
        public IDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();
        /// <summary>Public settings as JSON text (null when none).</summary>
        public string SettingsJson { get; set; }
        public List<StatusFacts> Statuses { get; } = new List<StatusFacts>();
        public List<StatusFacts> Substatuses { get; } = new List<StatusFacts>();
    }

    public sealed class StatusFacts
    {
        public string Code { get; set; }
        public string Level { get; set; }
        public string DisplayStatus { get; set; }
        public string Message { get; set; }
        public System.DateTimeOffset? Time { get; set; }
    }
}

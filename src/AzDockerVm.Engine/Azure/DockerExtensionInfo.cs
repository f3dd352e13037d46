using System;
using System.Collections.Generic;
using AzDockerVm.Engine.Provisioning;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>Our Docker extension on a VM as ARM reports it, with what the provisioning script said. Nothing secret.</summary>
    public sealed class DockerExtensionInfo
    {
        public string ResourceGroupName { get; set; }
        public string VmName { get; set; }
        public string Name { get; set; }
        public ExtensionHandler Handler { get; set; }
        public string Publisher { get; set; }
        public string ExtensionType { get; set; }
        public string TypeHandlerVersion { get; set; }
        public bool AutoUpgradeMinorVersion { get; set; }
        public string ProvisioningState { get; set; }
        public int DockerPort { get; set; }
        public string DockerVersion { get; set; }
        public string Endpoint { get; set; }
        public bool TlsEnabled { get; set; }
        public string StatusMessage { get; set; }
        public List<StatusFacts> Statuses { get; } = new List<StatusFacts>();
        public List<StatusFacts> Substatuses { get; } = new List<StatusFacts>();
        public string CertificatePath { get; set; }
        public string DockerContext { get; set; }

        /// <summary>
        /// The VM's provisioning state as ARM gave it after this extension's run, when the VM was not Succeeded before
        /// it (a repair: Azure recomputes the VM's state from its extensions); null when it was not read again.
        /// </summary>
        public string VmProvisioningStateAfter { get; set; }
    }

    /// <summary>A change that was started and not waited for (-NoWait).</summary>
    public sealed class DockerExtensionOperationInfo
    {
        public string ResourceGroupName { get; set; }
        public string VmName { get; set; }
        public string Name { get; set; }
        /// <summary>Set or Remove.</summary>
        public string Operation { get; set; }
        /// <summary>InProgress or Accepted.</summary>
        public string Status { get; set; }
        public DateTimeOffset StartTime { get; set; }
    }
}

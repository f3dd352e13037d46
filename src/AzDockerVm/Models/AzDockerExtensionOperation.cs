using System;

namespace AzDockerVm.Models
{
    /// <summary>A change started with -NoWait: check its outcome later with Get-AzDockerExtension.</summary>
    public sealed class AzDockerExtensionOperation
    {
        public string ResourceGroupName { get; set; }

        public string VMName { get; set; }

        /// <summary>The extension's name.</summary>
        public string Name { get; set; }

        /// <summary>Set or Remove.</summary>
        public string Operation { get; set; }

        /// <summary>InProgress (Set) or Accepted (Remove).</summary>
        public string Status { get; set; }

        public DateTimeOffset StartTime { get; set; }

        /// <summary>"Set rg/vm1/AzDockerVm: InProgress", for logs and strings.</summary>
        public override string ToString() => $"{Operation} {ResourceGroupName}/{VMName}/{Name}: {Status}";
    }
}

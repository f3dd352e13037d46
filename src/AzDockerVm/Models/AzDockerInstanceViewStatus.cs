using System;

namespace AzDockerVm.Models
{
    /// <summary>One status or substatus of an extension's instance view, as the VM agent reported it.</summary>
    public sealed class AzDockerInstanceViewStatus
    {
        public string Code { get; set; }

        /// <summary>Info, Warning or Error.</summary>
        public string Level { get; set; }

        public string DisplayStatus { get; set; }

        public string Message { get; set; }

        public DateTimeOffset? Time { get; set; }
    }
}

using System;
using System.Collections.Generic;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Compute.Models;

namespace AzDockerVm.Engine.Azure
{
    internal static class ExtensionReader
    {
        internal static ExtensionFacts ToFacts(VirtualMachineExtensionData data)
        {
            var facts = new ExtensionFacts
            {
                Id = data.Id?.ToString(),
                Name = data.Name,
                Publisher = data.Publisher,
                Type = data.ExtensionType,
                TypeHandlerVersion = data.TypeHandlerVersion,
                AutoUpgradeMinorVersion = data.AutoUpgradeMinorVersion,
                ProvisioningState = data.ProvisioningState,
                // ARM tag names are case-insensitive.
                Tags = new Dictionary<string, string>(data.Tags ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase),
                SettingsJson = data.Settings?.ToString(),
            };
            var view = data.InstanceView;
            if (view != null)
            {
                foreach (var s in view.Statuses ?? new List<InstanceViewStatus>())
                {
                    facts.Statuses.Add(ToFacts(s));
                }

                foreach (var s in view.Substatuses ?? new List<InstanceViewStatus>())
                {
                    facts.Substatuses.Add(ToFacts(s));
                }
            }

            return facts;
        }

        private static StatusFacts ToFacts(InstanceViewStatus s) => new StatusFacts
        {
            Code = s.Code,
            Level = s.Level?.ToString(),
            DisplayStatus = s.DisplayStatus,
            Message = s.Message,
            Time = s.Time,
        };
    }
}

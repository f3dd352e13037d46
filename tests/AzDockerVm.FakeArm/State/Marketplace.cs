using System;
using System.Collections.Generic;
using System.Linq;

namespace AzDockerVm.FakeArm.State
{
    /// <summary>The platform images and VM sizes a new VM may use (guarded by ArmStore.Gate). Names are case-insensitive, as in ARM.</summary>
    internal sealed class Marketplace
    {
        private readonly List<(string Publisher, string Offer, string Sku, bool Windows)> _images = new()
        {
            ("Canonical", "ubuntu-24_04-lts", "server", false),
            ("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2", false),
            ("Debian", "debian-12", "12-gen2", false),
            ("RedHat", "RHEL", "9-lvm-gen2", false),
            ("MicrosoftWindowsServer", "WindowsServer", "2022-datacenter-azure-edition", true),
        };

        private readonly List<string> _sizes = new()
        {
            "Standard_B1s", "Standard_B2s", "Standard_B2ms", "Standard_D2s_v3", "Standard_D2s_v5", "Standard_D2as_v5",
            "Standard_D2ads_v5", "Standard_D4s_v5", "Standard_DS1_v2", "Standard_F2s_v2",
        };

        public IReadOnlyList<string> Sizes => _sizes;

        public void AddImage(string publisher, string offer, string sku, bool windows)
        {
            _images.RemoveAll(i => Same(i.Publisher, publisher) && Same(i.Offer, offer) && Same(i.Sku, sku));
            _images.Add((publisher, offer, sku, windows));
        }

        public void AddSize(string size)
        {
            if (!HasSize(size))
            {
                _sizes.Add(size);
            }
        }

        /// <summary>Whether the image is Windows (true), Linux (false) or not in the catalogue (null).</summary>
        public bool? FindImage(string publisher, string offer, string sku)
        {
            var image = _images.FirstOrDefault(i => Same(i.Publisher, publisher) && Same(i.Offer, offer) && Same(i.Sku, sku));
            return image.Publisher == null ? null : image.Windows;
        }

        public bool HasSize(string size) => size != null && _sizes.Any(s => Same(s, size));

        private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
    }
}

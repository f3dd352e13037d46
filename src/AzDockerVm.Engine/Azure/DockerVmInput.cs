using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using AzDockerVm.Engine.Text;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>A marketplace image: a friendly name or a URN publisher:offer:sku:version. Linux only.</summary>
    public static class VmImage
    {
        public const string DefaultAlias = "Ubuntu2404";

        /// <summary>The friendly names (what -Image completes to) and the images they stand for.</summary>
        public static readonly IReadOnlyDictionary<string, string> Aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Ubuntu2404"] = "Canonical:ubuntu-24_04-lts:server:latest",
            ["Ubuntu2204"] = "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest",
            ["Debian12"] = "Debian:debian-12:12-gen2:latest",
            ["RHEL9"] = "RedHat:RHEL:9-lvm-gen2:latest",
        };

        private static readonly Regex s_part = TextRules.Whole(@"[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
        private static readonly Regex s_version = TextRules.Whole(@"latest|[0-9]+(\.[0-9]+){0,3}");
        private static readonly string[] s_windowsPublishers = { "MicrosoftWindowsServer", "MicrosoftWindowsDesktop", "MicrosoftSQLServer", "MicrosoftVisualStudio", "MicrosoftDynamicsAX", "MicrosoftBizTalkServer", "MicrosoftSharePoint" };

        public static (string Publisher, string Offer, string Sku, string Version) Parse(string image)
        {
            string given = image ?? DefaultAlias;
            if (given.IndexOf(':') < 0)
            {
                if (!Aliases.TryGetValue(given, out string urn))
                {
                    bool windows = given.IndexOf("win", StringComparison.OrdinalIgnoreCase) >= 0;
                    throw new AzDockerVmException(windows ? "WindowsImageNotSupported" : "UnknownImage", FailureKind.InvalidArgument, TextRules.Printable(given),
                        windows
                            ? $"-Image '{TextRules.Printable(given)}' names a Windows image; AzDockerVm sets up Docker on Linux VMs only. Nothing was created."
                            : $"-Image '{TextRules.Printable(given)}' is not one of the friendly names ({string.Join(", ", Aliases.Keys)}) and not a URN publisher:offer:sku:version. Nothing was created.",
                        $"Use one of {string.Join(", ", Aliases.Keys)}, or a Linux image's URN (Get-AzVMImage lists them).");
                }

                given = urn;
            }

            string[] parts = given.Split(':');
            if (parts.Length != 4 || !parts.Take(3).All(s_part.IsMatch) || !s_version.IsMatch(parts[3]))
            {
                throw new AzDockerVmException("InvalidImageUrn", FailureKind.InvalidArgument, TextRules.Printable(image),
                    $"-Image '{TextRules.Printable(image)}' is not an image URN: publisher:offer:sku:version, each part letters, digits, '.', '_' or '-', the version 'latest' or numbers with dots. Nothing was created.",
                    "For example Canonical:ubuntu-24_04-lts:server:latest, or a friendly name: " + string.Join(", ", Aliases.Keys) + ".");
            }

            if (s_windowsPublishers.Contains(parts[0], StringComparer.OrdinalIgnoreCase)
                || parts[1].IndexOf("windows", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                throw new AzDockerVmException("WindowsImageNotSupported", FailureKind.InvalidArgument, image,
                    $"-Image '{image}' is a Windows image; AzDockerVm sets up Docker on Linux VMs only. Nothing was created.",
                    $"Use a Linux image: {string.Join(", ", Aliases.Keys)} or a Linux URN.");
            }

            return (parts[0], parts[1], parts[2], parts[3]);
        }
    }

    /// <summary>
    /// The checks of New-AzDockerVm's input that need no Azure: Azure's own format rules (size, location, names,
    /// address prefixes, password complexity, SSH keys), so that a value Azure would refuse is refused here, before
    /// anything is created, with the value as target.
    /// </summary>
    public static class DockerVmInput
    {
        public const string DefaultSize = "Standard_D2s_v5";
        public const string DefaultAdminUserName = "azureuser";
        public const string DefaultVirtualNetworkName = "azdockervm-vnet";
        public const string DefaultSubnetName = "azdockervm-subnet";
        public const string DefaultSecurityGroupName = "azdockervm-nsg";
        public const string DefaultAddressPrefix = "192.168.0.0/16";
        public const string DefaultSubnetAddressPrefix = "192.168.1.0/24";

        // A Docker host's name is also its computer name, the start of its DNS label and its docker context: a host name.
        private static readonly Regex s_hostName = TextRules.Whole(@"[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?");
        private static readonly Regex s_size = TextRules.Whole(@"(Standard|Basic)_[A-Za-z0-9]+(_[A-Za-z0-9]+)*");
        private static readonly Regex s_location = TextRules.Whole(@"[a-z][a-z0-9]{2,39}");
        private static readonly Regex s_dnsLabel = TextRules.Whole(@"[a-z][a-z0-9-]{1,61}[a-z0-9]");
        private static readonly Regex s_networkName = TextRules.Whole(@"[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?");
        private static readonly Regex s_userName = TextRules.Whole(@"[a-z_][a-z0-9_-]{0,31}");
        private static readonly Regex s_zone = TextRules.Whole(@"[1-3]");

        // Azure refuses these admin names on Linux VMs (the list Azure's error message gives).
        private static readonly HashSet<string> s_reservedUserNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "administrator", "admin", "user", "user1", "test", "user2", "test1", "user3", "admin1", "1", "123", "a", "actuser", "adm", "admin2",
            "aspnet", "backup", "console", "david", "guest", "john", "owner", "root", "server", "sql", "support", "support_388945a0", "sys",
            "test2", "test3", "user4", "user5",
        };

        // Azure refuses these passwords whatever their complexity.
        private static readonly HashSet<string> s_disallowedPasswords = new HashSet<string>(StringComparer.Ordinal)
        {
            "abc@123", "P@$$w0rd", "P@ssw0rd", "P@ssword123", "Pa$$word", "pass@word1", "Password!", "Password1", "Password22", "iloveyou!",
        };

        private static readonly string[] s_sshKeyTypes = { "ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521" };

        public static void RequireHostName(string name)
        {
            if (name == null || !s_hostName.IsMatch(name) || name.All(char.IsDigit))
            {
                throw new AzDockerVmException("InvalidVmName", FailureKind.InvalidArgument, TextRules.Printable(name),
                    $"'{TextRules.Printable(name)}' is not a Docker host name: 1 to 64 letters, digits and hyphens, starting and ending with a letter or digit, not only digits (it is the VM's computer name, the start of its DNS label and the docker context's name). Nothing was created.");
            }
        }

        public static string RequireSize(string size)
        {
            if (size == null || !s_size.IsMatch(size))
            {
                throw new AzDockerVmException("InvalidVmSize", FailureKind.InvalidArgument, TextRules.Printable(size),
                    $"-Size '{TextRules.Printable(size)}' is not a VM size: Standard_ or Basic_ and the size's name, e.g. {DefaultSize}. Nothing was created.",
                    "Get-AzVMSize -Location <location> lists the sizes of a region.");
            }

            return size;
        }

        /// <summary>A location in ARM's form: 'West Europe' and 'westeurope' are the same place.</summary>
        public static string NormalizeLocation(string location)
        {
            string normalized = location == null ? null : new string(location.Where(c => c != ' ').ToArray()).ToLowerInvariant();
            if (normalized == null || !s_location.IsMatch(normalized))
            {
                throw new AzDockerVmException("InvalidLocation", FailureKind.InvalidArgument, TextRules.Printable(location),
                    $"-Location '{TextRules.Printable(location)}' is not an Azure location: letters and digits such as westeurope or 'West Europe'. Nothing was created.",
                    "Get-AzLocation lists the locations of your subscription.");
            }

            return normalized;
        }

        public static void RequireNetworkResourceName(string value, string parameter)
        {
            if (value == null || !s_networkName.IsMatch(value))
            {
                throw new AzDockerVmException("InvalidResourceName", FailureKind.InvalidArgument, TextRules.Printable(value),
                    $"{parameter} '{TextRules.Printable(value)}' is not a network resource name: 1 to 80 letters, digits, '_', '.', '-', starting with a letter or digit and ending with a letter, digit or '_'. Nothing was created.");
            }
        }

        public static void RequireDomainNameLabel(string label)
        {
            if (label == null || !s_dnsLabel.IsMatch(label))
            {
                throw new AzDockerVmException("InvalidDomainNameLabel", FailureKind.InvalidArgument, TextRules.Printable(label),
                    $"-DomainNameLabel '{TextRules.Printable(label)}' is not a DNS label Azure accepts: 3 to 63 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit. Nothing was created.");
            }
        }

        /// <summary>
        /// The label a host gets when none is given: its name and 8 hex digits of a hash of subscription, group and
        /// name. The same command yields the same label on every re-run, and two groups' hosts of one name differ.
        /// </summary>
        public static string DefaultDomainNameLabel(string subscriptionId, string resourceGroupName, string name)
        {
            string key = $"{subscriptionId}/{resourceGroupName}/{name}".ToLowerInvariant();
            string hash;
            using (var sha = SHA256.Create())
            {
                hash = string.Concat(sha.ComputeHash(Encoding.UTF8.GetBytes(key)).Take(4).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
            }

            string start = name.ToLowerInvariant();
            if (!char.IsLetter(start[0]))
            {
                start = "d" + start;
            }

            start = start.Length > 54 ? start.Substring(0, 54).TrimEnd('-') : start;
            return start + "-" + hash;
        }

        public static void RequireZone(string zone)
        {
            if (zone != null && !s_zone.IsMatch(zone))
            {
                throw new AzDockerVmException("InvalidZone", FailureKind.InvalidArgument, TextRules.Printable(zone),
                    $"-Zone '{TextRules.Printable(zone)}' is not an availability zone: 1, 2 or 3. Nothing was created.");
            }
        }

        /// <summary>An address prefix of a virtual network or subnet: an IPv4 CIDR whose host bits are zero.</summary>
        public static (IPAddress Network, int Length) RequireAddressPrefix(string prefix, string parameter)
        {
            if (TryParseCidr(prefix, out IPAddress network, out int length, out string canonical) && network.AddressFamily == AddressFamily.InterNetwork && canonical == prefix && length >= 8 && length <= 29)
            {
                return (network, length);
            }

            string hint = canonical != null && canonical != prefix ? $" (did you mean {canonical}?)" : string.Empty;
            throw new AzDockerVmException("InvalidAddressPrefix", FailureKind.InvalidArgument, TextRules.Printable(prefix),
                $"{parameter} '{TextRules.Printable(prefix)}' is not an address prefix Azure accepts for a network: an IPv4 CIDR from /8 to /29 with its host bits zero{hint}. Nothing was created.");
        }

        /// <summary>The subnet must lie inside the network's address space.</summary>
        public static void RequireInside(string subnetPrefix, string addressPrefix)
        {
            var (subnet, subnetLength) = RequireAddressPrefix(subnetPrefix, "-SubnetAddressPrefix");
            var (network, networkLength) = RequireAddressPrefix(addressPrefix, "-AddressPrefix");
            if (subnetLength < networkLength || !SameNetwork(subnet, network, networkLength))
            {
                throw new AzDockerVmException("SubnetOutsideAddressPrefix", FailureKind.InvalidArgument, subnetPrefix,
                    $"-SubnetAddressPrefix {subnetPrefix} does not fit in the virtual network's address space -AddressPrefix {addressPrefix}. Nothing was created.",
                    "Give a subnet prefix inside the network's, e.g. -AddressPrefix 10.0.0.0/16 -SubnetAddressPrefix 10.0.1.0/24.");
            }
        }

        /// <summary>True when the CIDR <paramref name="inner"/> lies inside the CIDR <paramref name="outer"/> (false for anything that is not a CIDR).</summary>
        public static bool Inside(string inner, string outer)
            => TryParseCidr(inner, out IPAddress a, out int aLength, out _) && TryParseCidr(outer, out IPAddress b, out int bLength, out _)
               && a.AddressFamily == b.AddressFamily && aLength >= bLength && SameNetwork(a, b, bLength);

        /// <summary>A source of NSG traffic: an IPv4 or IPv6 address, or a CIDR with its host bits zero (as NSGs require).</summary>
        public static string RequireSourceAddress(string source)
        {
            if (source != null && IPAddress.TryParse(source, out IPAddress address) && source.IndexOf('%') < 0 && address.ToString() == source.ToLowerInvariant())
            {
                return address.ToString();
            }

            if (TryParseCidr(source, out _, out _, out string canonical) && canonical == source.ToLowerInvariant())
            {
                return canonical;
            }

            string hint = canonical != null ? $" (the network of that prefix is {canonical})" : string.Empty;
            throw new AzDockerVmException("InvalidSourceAddress", FailureKind.InvalidArgument, TextRules.Printable(source),
                $"-AllowedSourceAddress '{TextRules.Printable(source)}' is not an IP address or a CIDR with its host bits zero{hint}; a network security group accepts only those. Nothing was created.",
                "Give addresses such as 203.0.113.7 or prefixes such as 203.0.113.0/24.");
        }

        public static void RequireAdminUserName(string userName)
        {
            string problem = userName == null || !s_userName.IsMatch(userName)
                ? "1 to 32 lowercase letters, digits, '_' or '-', starting with a letter or '_'"
                : s_reservedUserNames.Contains(userName) ? "Azure reserves this name on Linux VMs" : null;
            if (problem != null)
            {
                throw new AzDockerVmException("InvalidAdminUserName", FailureKind.InvalidArgument, TextRules.Printable(userName),
                    $"The admin user name '{TextRules.Printable(userName)}' is not usable: {problem}. Nothing was created.",
                    $"Use a name such as {DefaultAdminUserName}.");
            }
        }

        /// <summary>Azure's rule for a Linux VM's admin password: 6 to 72 characters, three of lower, upper, digit, special; not a known weak one.</summary>
        public static void RequirePassword(string userName, string password)
        {
            int classes = new Func<char, bool>[] { char.IsLower, char.IsUpper, char.IsDigit, c => !char.IsLetterOrDigit(c) }.Count(test => password.Any(test));
            string problem = password.Length < 6 || password.Length > 72 ? "it must have 6 to 72 characters"
                : classes < 3 ? "it must hold three of: a lowercase letter, an uppercase letter, a digit, a special character"
                : s_disallowedPasswords.Contains(password) ? "Azure refuses this well-known password"
                : null;
            if (problem != null)
            {
                // The password is never shown: the user name is the target.
                throw new AzDockerVmException("PasswordTooWeak", FailureKind.InvalidArgument, userName,
                    $"The password of -Credential does not meet Azure's rule for Linux VMs: {problem}. Nothing was created.",
                    "Give a stronger password, or use an SSH key (-SshPublicKey or -GenerateSshKey) instead.");
            }
        }

        /// <summary>An OpenSSH public key line (type, base64 blob whose own type matches, optional comment); RSA at least 2048 bits.</summary>
        public static string RequireSshPublicKey(string key)
        {
            string text = key?.Trim();
            string problem = null;
            if (string.IsNullOrEmpty(text))
            {
                problem = "it is empty";
            }
            else if (text.IndexOf("PRIVATE KEY", StringComparison.Ordinal) >= 0)
            {
                problem = "it is a PRIVATE key; give the public key (the .pub file), and keep the private key to yourself";
            }
            else
            {
                string[] parts = text.Split(new[] { ' ' }, 3, StringSplitOptions.RemoveEmptyEntries);
                byte[] blob = null;
                try
                {
                    blob = parts.Length >= 2 ? Convert.FromBase64String(parts[1]) : null;
                }
                catch (FormatException)
                {
                }

                if (parts.Length < 2 || !s_sshKeyTypes.Contains(parts[0]) || blob == null)
                {
                    problem = "it is not an OpenSSH public key line (ssh-ed25519, ssh-rsa or ecdsa-sha2-*, then the key in base64)";
                }
                else if (ReadSshString(blob, 0, out int next) != parts[0])
                {
                    problem = "the key's data does not match its type";
                }
                else if (parts[0] == "ssh-rsa" && RsaBits(blob, next) < 2048)
                {
                    problem = "Azure requires RSA keys of at least 2048 bits";
                }
            }

            if (problem != null)
            {
                throw new AzDockerVmException("InvalidSshPublicKey", FailureKind.InvalidArgument, "SshPublicKey",
                    $"-SshPublicKey is not usable: {problem}. Nothing was created.",
                    "Give the content of a public key file (e.g. (Get-Content ~/.ssh/id_ed25519.pub)), or use -GenerateSshKey.");
            }

            return text;
        }

        private static string ReadSshString(byte[] blob, int offset, out int next)
        {
            next = offset;
            if (blob.Length < offset + 4)
            {
                return null;
            }

            int length = (blob[offset] << 24) | (blob[offset + 1] << 16) | (blob[offset + 2] << 8) | blob[offset + 3];
            if (length < 0 || blob.Length < offset + 4 + length)
            {
                return null;
            }

            next = offset + 4 + length;
            return Encoding.ASCII.GetString(blob, offset + 4, length);
        }

        private static int RsaBits(byte[] blob, int offset)
        {
            // e, then n (an mpint: a leading zero byte keeps it positive).
            ReadSshString(blob, offset, out int afterExponent);
            if (afterExponent == offset || blob.Length < afterExponent + 4)
            {
                return 0;
            }

            int length = (blob[afterExponent] << 24) | (blob[afterExponent + 1] << 16) | (blob[afterExponent + 2] << 8) | blob[afterExponent + 3];
            int start = afterExponent + 4;
            while (length > 0 && start < blob.Length && blob[start] == 0)
            {
                start++;
                length--;
            }

            return length * 8;
        }

        private static bool TryParseCidr(string text, out IPAddress network, out int length, out string canonical)
        {
            network = null;
            length = 0;
            canonical = null;
            int slash = text?.IndexOf('/') ?? -1;
            if (slash <= 0 || !IPAddress.TryParse(text.Substring(0, slash), out IPAddress address) || text.IndexOf('%') >= 0
                || !int.TryParse(text.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out length))
            {
                return false;
            }

            int bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            if (length > bits)
            {
                return false;
            }

            byte[] bytes = address.GetAddressBytes();
            for (int i = 0; i < bytes.Length; i++)
            {
                int keep = Math.Max(0, Math.Min(8, length - i * 8));
                bytes[i] &= (byte)(0xFF << (8 - keep));
            }

            network = new IPAddress(bytes);
            canonical = network + "/" + length.ToString(CultureInfo.InvariantCulture);
            return true;
        }

        private static bool SameNetwork(IPAddress a, IPAddress b, int length)
        {
            byte[] x = a.GetAddressBytes(), y = b.GetAddressBytes();
            for (int i = 0; i < x.Length; i++)
            {
                int keep = Math.Max(0, Math.Min(8, length - i * 8));
                byte mask = (byte)(0xFF << (8 - keep));
                if ((x[i] & mask) != (y[i] & mask))
                {
                    return false;
                }
            }

            return true;
        }
    }
}

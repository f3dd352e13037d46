using System;
using System.Linq;
using AzDockerVm.Engine.Tls;
using AzDockerVm.Models;

namespace AzDockerVm.Cmdlets
{
    /// <summary>The engine's certificate facts as the model Get- and Update-DockerTlsCertificate write (called only from their NoInlining methods).</summary>
    internal static class CertificateConverter
    {
        internal static DockerTlsCertificate ToModel(CertificateFacts facts) => new DockerTlsCertificate
        {
            Path = facts.Folder,
            File = facts.File,
            FullName = facts.FullName,
            Role = (DockerTlsCertificateRole)Enum.Parse(typeof(DockerTlsCertificateRole), facts.Role.ToString()),
            Subject = facts.Subject,
            DnsName = facts.DnsNames.ToArray(),
            IPAddress = facts.IPAddresses.ToArray(),
            Issuer = facts.Issuer,
            KeyAlgorithm = facts.KeyAlgorithm,
            Thumbprint = facts.Thumbprint,
            Sha256Fingerprint = facts.Sha256Fingerprint,
            SerialNumber = facts.SerialNumber,
            NotBefore = facts.NotBefore,
            NotAfter = facts.NotAfter,
            DaysLeft = facts.DaysLeft,
            IssuedBySetCa = facts.IssuedBySetCa,
            KeyMatches = facts.KeyMatches,
        };
    }
}

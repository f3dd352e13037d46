using System.Linq;
using AzDockerVm.Engine.Azure;
using AzDockerVm.Engine.Docker;
using AzDockerVm.Engine.Tls;
using AzDockerVm.Models;

namespace AzDockerVm.Azure
{
    /// <summary>Engine DTOs → output models (PowerShell sees only types of the cmdlet assembly).</summary>
    internal static class ModelConverter
    {
        internal static AzDockerExtensionStatus ToModel(DockerExtensionInfo info, bool withInstanceView) => new AzDockerExtensionStatus
        {
            ResourceGroupName = info.ResourceGroupName,
            VMName = info.VmName,
            Name = info.Name,
            Handler = info.Handler == Engine.Provisioning.ExtensionHandler.DockerExtension ? AzDockerExtensionHandler.DockerExtension : AzDockerExtensionHandler.CustomScript,
            Publisher = info.Publisher,
            ExtensionType = info.ExtensionType,
            TypeHandlerVersion = info.TypeHandlerVersion,
            AutoUpgradeMinorVersion = info.AutoUpgradeMinorVersion,
            ProvisioningState = info.ProvisioningState,
            DockerPort = info.DockerPort,
            DockerVersion = info.DockerVersion,
            Endpoint = info.Endpoint,
            TlsEnabled = info.TlsEnabled,
            StatusMessage = info.StatusMessage,
            Statuses = withInstanceView ? info.Statuses.Select(ToModel).ToArray() : null,
            SubStatuses = withInstanceView ? info.Substatuses.Select(ToModel).ToArray() : null,
            CertificatePath = info.CertificatePath,
            DockerContext = info.DockerContext,
        };

        internal static AzDockerExtensionOperation ToModel(DockerExtensionOperationInfo operation) => new AzDockerExtensionOperation
        {
            ResourceGroupName = operation.ResourceGroupName,
            VMName = operation.VmName,
            Name = operation.Name,
            Operation = operation.Operation,
            Status = operation.Status,
            StartTime = operation.StartTime,
        };

        internal static PSAzDockerVm ToModel(DockerVmInfo info)
        {
            var tags = new System.Collections.Hashtable(System.StringComparer.OrdinalIgnoreCase);
            foreach (var tag in info.Tags)
            {
                tags[tag.Key] = tag.Value;
            }

            return new PSAzDockerVm
            {
                Name = info.Name,
                ResourceGroupName = info.ResourceGroupName,
                Location = info.Location,
                Id = info.Id,
                Fqdn = info.Fqdn,
                PublicIpAddress = info.PublicIpAddress,
                PrivateIpAddress = info.PrivateIpAddress,
                DockerHost = info.DockerHost,
                DockerPort = info.DockerPort,
                AllowedSourceAddress = info.AllowedSourceAddress.ToArray(),
                DockerPortOpenTo = info.DockerPortOpenTo?.ToArray(),
                CertificatePath = info.CertificatePath,
                CertificateNotAfter = info.FirstToExpire?.NotAfter,
                CertificateDaysLeft = info.FirstToExpire?.DaysLeft,
                DockerContext = info.DockerContext,
                SshPrivateKeyPath = info.SshPrivateKeyPath,
                ProvisioningState = info.ProvisioningState,
                VmProvisioningState = info.VmProvisioningState,
                DockerVersion = info.DockerVersion,
                Tags = tags,
            };
        }

        /// <summary>One host's check; the served certificate's facts are flattened (all null when no handshake got that far).</summary>
        internal static DockerHostTestResult ToModel(DockerHostProbeResult result, string resourceGroupName, string vmName)
        {
            CertificateFacts served = result.ServerCertificate;
            return new DockerHostTestResult
            {
                ResourceGroupName = resourceGroupName,
                VMName = vmName,
                Endpoint = result.Endpoint,
                Success = result.Success,
                Reason = result.Reason,
                Message = result.Message,
                ServerVersion = result.ServerVersion,
                ApiVersion = result.ApiVersion,
                Os = result.Os,
                Architecture = result.Architecture,
                KernelVersion = result.KernelVersion,
                LatencyMs = result.LatencyMs,
                ServerCertificateSubject = served?.Subject,
                ServerCertificateIssuer = served?.Issuer,
                ServerCertificateThumbprint = served?.Thumbprint,
                ServerCertificateNotAfter = served?.NotAfter,
                ServerCertificateDaysLeft = served?.DaysLeft,
                ServerCertificateDnsName = served?.DnsNames.ToArray(),
                ServerCertificateIPAddress = served?.IPAddresses.ToArray(),
                ServerCertificateCoversHost = served == null ? (bool?)null : result.NamesNotCovered.Count == 0,
            };
        }

        private static AzDockerInstanceViewStatus ToModel(StatusFacts status) => new AzDockerInstanceViewStatus
        {
            Code = status.Code,
            Level = status.Level,
            DisplayStatus = status.DisplayStatus,
            Message = status.Message,
            Time = status.Time,
        };
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using AzDockerVm.Models;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// The words of the warnings about a certificate that expires soon or no longer names its host, one wording for
    /// Get-DockerTlsCertificate, Get-AzDockerVm and Test-AzDockerHost (each with -WarningDays).
    /// </summary>
    internal static class CertificateWarnings
    {
        /// <summary>Whether to warn: expired, or expiring within <paramref name="warningDays"/> (0: only once expired).</summary>
        internal static bool Due(DateTime notAfterUtc, DateTime nowUtc, int warningDays) => notAfterUtc <= nowUtc.AddDays(warningDays);

        /// <summary>"expired on 2026-12-13 10:00:00Z" or "expires on 2026-12-13 10:00:00Z, in 9 day(s) (-WarningDays 30)".</summary>
        internal static string When(DateTime notAfterUtc, int daysLeft, DateTime nowUtc, int warningDays)
            => notAfterUtc <= nowUtc
                ? $"expired on {notAfterUtc:u}"
                : $"expires on {notAfterUtc:u}, " + (daysLeft == 0 ? "within a day" : $"in {daysLeft} day(s) (-WarningDays {warningDays})");

        /// <summary>
        /// Test-AzDockerHost's warnings about the certificate a daemon served: it expires within -WarningDays (or has
        /// expired); it does not name <paramref name="notCovered"/> (for a VM: a name or address Azure reports now).
        /// </summary>
        internal static IEnumerable<string> ForServed(DockerHostTestResult result, IReadOnlyList<string> notCovered, int warningDays, DateTime nowUtc)
        {
            if (result.ServerCertificateNotAfter is DateTime notAfter)
            {
                bool vm = result.VMName != null;
                string host = vm ? $"Docker host '{result.VMName}' ({result.Endpoint})" : result.Endpoint;
                string Renew(string names) => vm
                    ? $"Update-AzDockerTlsCertificate -ResourceGroupName {result.ResourceGroupName} -VMName {result.VMName} renews it with the VM's current FQDN and addresses."
                    : $"Renew it with Update-DockerTlsCertificate -Path <the set's folder> -Server{names}, then give the daemon the new server-cert.pem and server-key.pem and restart it.";
                if (Due(notAfter, nowUtc, warningDays))
                {
                    yield return $"{host} serves a certificate ({result.ServerCertificateSubject}) that {When(notAfter, result.ServerCertificateDaysLeft ?? 0, nowUtc, warningDays)}. "
                        + Renew(string.Empty);
                }

                if (notCovered.Count > 0)
                {
                    string names = List(result.ServerCertificateDnsName.Concat(result.ServerCertificateIPAddress));
                    string missing = string.Join(", ", notCovered);
                    yield return vm
                        ? $"The certificate {host} serves ({result.ServerCertificateSubject}) does not name {missing}, which Azure now reports for the VM (it names {names}): "
                          + $"clients that connect by {(notCovered.Count == 1 ? "that name" : "those names")} refuse it, as after an address change. " + Renew(string.Empty)
                        : $"The certificate {host} serves ({result.ServerCertificateSubject}) does not name {missing} (it names {names}). "
                          + Renew(string.Concat(notCovered.Select(n => (IPAddress.TryParse(n, out _) ? " -IPAddress " : " -DnsName ") + n))
                              + " (with every name and address clients use: they replace the old ones)");
                }
            }
        }

        /// <summary>Get-AzDockerVm's warning about the certificate of a host's local set that expires first (<paramref name="role"/>: CA, Server or Client).</summary>
        internal static string ForLocalSet(string resourceGroupName, string vmName, string role, string file, DateTime notAfterUtc, int daysLeft, DateTime nowUtc, int warningDays)
        {
            string renew;
            switch (role)
            {
                case "Server":
                    renew = $"Update-AzDockerTlsCertificate -ResourceGroupName {resourceGroupName} -VMName {vmName} renews it on the VM.";
                    break;
                case "Client":
                    renew = $"Update-DockerTlsCertificate -Path '{System.IO.Path.GetDirectoryName(file)}' -Client renews it from the same CA (the host keeps trusting it).";
                    break;
                default:
                    renew = "A CA is not renewed in place: the host and its clients need a new CA before then.";
                    break;
            }

            return $"The {role} certificate '{file}' of Docker host '{vmName}' (resource group '{resourceGroupName}') {When(notAfterUtc, daysLeft, nowUtc, warningDays)}. " + renew;
        }

        /// <summary>"a, b", or "no name" for none.</summary>
        internal static string List(IEnumerable<string> names)
        {
            string joined = string.Join(", ", names);
            return joined.Length == 0 ? "no name" : joined;
        }
    }
}

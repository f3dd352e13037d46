using System;
using System.Threading;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>An access token as Get-AzAccessToken returned it.</summary>
    public sealed class AccessTokenInfo
    {
        public AccessTokenInfo(string token, DateTimeOffset expiresOn)
        {
            Token = token;
            ExpiresOn = expiresOn;
        }

        public string Token { get; }

        public DateTimeOffset ExpiresOn { get; }
    }

    /// <summary>
    /// What the engine needs from the PowerShell side while it works on other threads. The cmdlet layer implements
    /// it by marshalling every call onto the pipeline thread (where Get-AzAccessToken may run and streams may be
    /// written); calls block until the pipeline thread has answered.
    /// </summary>
    public interface IEngineHost
    {
        /// <summary>A token for <paramref name="resourceUrl"/> (the audience) in <paramref name="tenantId"/>.</summary>
        AccessTokenInfo GetAccessToken(string resourceUrl, string tenantId, CancellationToken cancellationToken);

        void WriteVerbose(string message);

        void WriteWarning(string message);

        /// <summary>
        /// Progress of the current operation; <paramref name="activity"/> names what it is about (a VM), the host adds
        /// whose work it is (the command). Percent -1 when unknown.
        /// </summary>
        void WriteProgress(string activity, string status, int percent);
    }
}

using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>
    /// A TokenCredential answered by the caller's Az login (Get-AzAccessToken through <see cref="IEngineHost"/>).
    /// Tokens are cached per tenant + audience and refreshed a few minutes before they expire, so a long-running
    /// operation that outlives one token keeps working.
    /// </summary>
    public sealed class HostTokenCredential : TokenCredential
    {
        internal static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

        private readonly IEngineHost _host;
        private readonly string _defaultTenantId;
        private readonly ConcurrentDictionary<string, AccessToken> _cache = new ConcurrentDictionary<string, AccessToken>(StringComparer.OrdinalIgnoreCase);
        private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);

        public HostTokenCredential(IEngineHost host, string defaultTenantId)
        {
            _host = host;
            _defaultTenantId = defaultTenantId;
        }

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
            => GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            string tenant = string.IsNullOrEmpty(requestContext.TenantId) ? _defaultTenantId : requestContext.TenantId;
            string resource = ResourceFromScopes(requestContext.Scopes);
            string key = tenant + "|" + resource;
            if (_cache.TryGetValue(key, out var cached) && cached.ExpiresOn - DateTimeOffset.UtcNow > RefreshMargin)
            {
                return cached;
            }

            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_cache.TryGetValue(key, out cached) && cached.ExpiresOn - DateTimeOffset.UtcNow > RefreshMargin)
                {
                    return cached;
                }

                AccessTokenInfo fresh = _host.GetAccessToken(resource, tenant, cancellationToken);
                var token = new AccessToken(fresh.Token, fresh.ExpiresOn);
                _cache[key] = token;
                return token;
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <summary>The SDK asks for "{audience}/.default"; Get-AzAccessToken wants the resource URL.</summary>
        internal static string ResourceFromScopes(string[] scopes)
        {
            string scope = scopes != null && scopes.Length > 0 ? scopes[0] : string.Empty;
            const string suffix = "/.default";
            return scope.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) ? scope.Substring(0, scope.Length - suffix.Length) : scope;
        }
    }
}

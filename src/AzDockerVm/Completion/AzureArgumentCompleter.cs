using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Azure;
using AzDockerVm.Engine.Azure;

namespace AzDockerVm.Completion
{
    /// <summary>
    /// Tab completion from ARM through the caller's Az context, as Az's own completers do: names listed once and kept
    /// for a minute (per subscription), a few seconds at most per listing, and silence (no results, no error) when
    /// there is no context, no token or no answer.
    /// </summary>
    public abstract class AzureArgumentCompleter : IArgumentCompleter
    {
        private static readonly TimeSpan s_keep = TimeSpan.FromMinutes(1);
        private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);
        private static readonly ConcurrentDictionary<string, (DateTime Until, IReadOnlyList<string> Names)> s_cache =
            new ConcurrentDictionary<string, (DateTime, IReadOnlyList<string>)>(StringComparer.OrdinalIgnoreCase);

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            IReadOnlyList<string> names;
            try
            {
                names = Names(fakeBoundParameters);
            }
            catch (Exception)
            {
                // Completion never fails a command line: no context, no token, no answer means no suggestions.
                return Enumerable.Empty<CompletionResult>();
            }

            return names.Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(n => new CompletionResult(Quote(n), n, CompletionResultType.ParameterValue, n))
                .ToList();
        }

        /// <summary>What the listing depends on besides the subscription (the resource group for VM names), or null when it cannot be listed.</summary>
        protected virtual string Scope(IDictionary fakeBoundParameters) => string.Empty;

        /// <summary>Lists the names (engine work, off the pipeline thread).</summary>
        protected abstract Task<IReadOnlyList<string>> ListAsync(ArmConnection arm, string scope, CancellationToken ct);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private IReadOnlyList<string> Names(IDictionary fakeBoundParameters)
        {
            string scope = Scope(fakeBoundParameters);
            if (scope == null)
            {
                return Array.Empty<string>();
            }

            // The context and the token are read here, on the pipeline thread (Get-AzContext / Get-AzAccessToken).
            var bridge = new AzContextBridge(fakeBoundParameters?["DefaultProfile"] as PSObject);
            AzureTarget target = bridge.ReadTarget();
            string key = GetType().Name + "|" + target.SubscriptionId + "|" + scope;
            if (s_cache.TryGetValue(key, out var cached) && cached.Until > DateTime.UtcNow)
            {
                return cached.Names;
            }

            AccessTokenInfo token = bridge.GetAccessToken(target.Audience, target.TenantId);
            var arm = new ArmConnection(target, new CompletionHost(token));
            using (var timeout = new CancellationTokenSource(s_timeout))
            {
                IReadOnlyList<string> names = Task.Run(() => ListAsync(arm, scope, timeout.Token), timeout.Token).GetAwaiter().GetResult();
                s_cache[key] = (DateTime.UtcNow + s_keep, names);
                return names;
            }
        }

        private static string Quote(string name)
            => name.IndexOfAny(new[] { ' ', '\'', '"', '(', ')', '$', '`', ';', ',', '{', '}', '@', '#', '&', '|' }) >= 0
                ? "'" + CodeGeneration.EscapeSingleQuotedStringContent(name) + "'"
                : name;

        /// <summary>An engine host that serves the one token read on the pipeline thread and says nothing.</summary>
        private sealed class CompletionHost : IEngineHost
        {
            private readonly AccessTokenInfo _token;

            internal CompletionHost(AccessTokenInfo token) => _token = token;

            public AccessTokenInfo GetAccessToken(string resourceUrl, string tenantId, CancellationToken cancellationToken) => _token;

            public void WriteVerbose(string message)
            {
            }

            public void WriteWarning(string message)
            {
            }

            public void WriteProgress(string activity, string status, int percent)
            {
            }
        }
    }

    /// <summary>-ResourceGroupName: the subscription's resource groups.</summary>
    public sealed class ResourceGroupCompleter : AzureArgumentCompleter
    {
        protected override Task<IReadOnlyList<string>> ListAsync(ArmConnection arm, string scope, CancellationToken ct)
            => AzureListing.ResourceGroupNamesAsync(arm, ct);
    }

    /// <summary>-VMName: the VMs of the -ResourceGroupName already on the command line (none without it).</summary>
    public sealed class VmNameCompleter : AzureArgumentCompleter
    {
        protected override string Scope(IDictionary fakeBoundParameters)
            => fakeBoundParameters?["ResourceGroupName"] is object group && !string.IsNullOrWhiteSpace(group.ToString()) ? group.ToString() : null;

        protected override Task<IReadOnlyList<string>> ListAsync(ArmConnection arm, string scope, CancellationToken ct)
            => AzureListing.VmNamesAsync(arm, scope, ct);
    }

    /// <summary>-Location: the locations where the subscription can create virtual machines.</summary>
    public sealed class LocationCompleter : AzureArgumentCompleter
    {
        protected override Task<IReadOnlyList<string>> ListAsync(ArmConnection arm, string scope, CancellationToken ct)
            => AzureListing.VmLocationsAsync(arm, ct);
    }
}

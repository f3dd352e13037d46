using System;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.InteropServices;
using System.Security;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Azure;

namespace AzDockerVm.Azure
{
    /// <summary>
    /// The caller's Az login, read through the current runspace: Get-AzContext for the subscription, tenant and
    /// Resource Manager endpoint, Get-AzAccessToken for tokens. Going through the runspace means whatever the user's
    /// session resolves those names to is used (Az.Accounts, a runbook's managed identity login, a Pester mock),
    /// and nothing here depends on Az.Accounts' assemblies. Must be called on the pipeline thread.
    /// </summary>
    internal sealed class AzContextBridge
    {
        private readonly PSObject _defaultProfile;
        private readonly Runspace _runspace;

        /// <param name="runspace">Null: the current runspace (call on the pipeline thread). A job passes its caller's runspace.</param>
        internal AzContextBridge(PSObject defaultProfile, Runspace runspace = null)
        {
            _defaultProfile = defaultProfile;
            _runspace = runspace;
        }

        internal AzureTarget ReadTarget()
        {
            PSObject context = InvokeSingle("Get-AzContext", null);
            if (context == null || context.BaseObject == null || Property(context, "Subscription") == null)
            {
                throw new AzDockerVmException("AzContextNotFound", FailureKind.AuthenticationError, "Get-AzContext",
                    "No Azure context: sign in to Azure first.", "Connect-AzAccount (in a runbook: Connect-AzAccount -Identity), then Set-AzContext -Subscription <id>.");
            }

            string subscriptionId = Text(Property(Property(context, "Subscription"), "Id"));
            string tenantId = Text(Property(Property(context, "Tenant"), "Id"));
            object environment = Property(context, "Environment");
            string resourceManagerUrl = Text(Property(environment, "ResourceManagerUrl"));
            string audience = Text(Property(environment, "ActiveDirectoryServiceEndpointResourceId")) ?? resourceManagerUrl;
            if (string.IsNullOrEmpty(subscriptionId) || string.IsNullOrEmpty(resourceManagerUrl))
            {
                throw new AzDockerVmException("AzContextIncomplete", FailureKind.AuthenticationError, (object)context.Properties["Name"]?.Value ?? "Get-AzContext",
                    "The Azure context names no subscription or no Resource Manager endpoint.", "Set-AzContext -Subscription <id>.");
            }

            return new AzureTarget(subscriptionId, tenantId, resourceManagerUrl, audience, Text(Property(environment, "Name")));
        }

        internal AccessTokenInfo GetAccessToken(string resourceUrl, string tenantId)
        {
            var parameters = new System.Collections.Hashtable { ["ResourceUrl"] = resourceUrl };
            if (!string.IsNullOrEmpty(tenantId))
            {
                parameters["TenantId"] = tenantId;
            }

            PSObject result = InvokeSingle("Get-AzAccessToken", parameters);
            object token = Property(result, "Token");
            token = token is PSObject wrapped ? wrapped.BaseObject : token;
            string value = token is SecureString secure ? Reveal(secure) : Text(token);
            if (string.IsNullOrEmpty(value))
            {
                throw new AzDockerVmException("AzAccessTokenUnavailable", FailureKind.AuthenticationError, resourceUrl,
                    "Get-AzAccessToken returned no token for " + resourceUrl + ".", "Connect-AzAccount, then try again.");
            }

            object expires = Property(result, "ExpiresOn");
            var expiresOn = expires == null ? DateTimeOffset.UtcNow.AddMinutes(10) : LanguagePrimitives.ConvertTo<DateTimeOffset>(expires);
            return new AccessTokenInfo(value, expiresOn);
        }

        private PSObject InvokeSingle(string command, System.Collections.IDictionary parameters)
        {
            using (var ps = _runspace == null ? PowerShell.Create(RunspaceMode.CurrentRunspace) : PowerShell.Create())
            {
                if (_runspace != null)
                {
                    ps.Runspace = _runspace;
                }

                ps.AddCommand(command);
                if (parameters != null)
                {
                    ps.AddParameters(parameters);
                }

                if (_defaultProfile != null)
                {
                    ps.AddParameter("DefaultProfile", _defaultProfile);
                }

                Collection<PSObject> output;
                try
                {
                    output = ps.Invoke();
                }
                catch (CommandNotFoundException ex)
                {
                    throw AzAccountsMissing(command, ex);
                }
                catch (RuntimeException ex)
                {
                    throw Failed(command, ex.ErrorRecord?.Exception?.Message ?? ex.Message, ex);
                }

                if (ps.HadErrors && ps.Streams.Error.Count > 0)
                {
                    var error = ps.Streams.Error[0];
                    if (error.Exception is CommandNotFoundException notFound)
                    {
                        throw AzAccountsMissing(command, notFound);
                    }

                    throw Failed(command, error.Exception?.Message ?? error.ToString(), error.Exception);
                }

                return output.Count > 0 ? output[0] : null;
            }
        }

        private static AzDockerVmException AzAccountsMissing(string command, Exception ex)
            => new AzDockerVmException("AzAccountsNotFound", FailureKind.NotInstalled, command,
                $"The Az.Accounts module is required ('{command}' was not found).", "Install-Module Az.Accounts -Scope CurrentUser, then Connect-AzAccount.", ex);

        private static AzDockerVmException Failed(string command, string message, Exception ex)
            => new AzDockerVmException(command == "Get-AzContext" ? "AzContextNotFound" : "AzAccessTokenUnavailable", FailureKind.AuthenticationError, command,
                $"{command} failed: {message}", "Connect-AzAccount (in a runbook: Connect-AzAccount -Identity), then try again.", ex);

        private static object Property(object value, string name)
        {
            if (value == null)
            {
                return null;
            }

            var property = PSObject.AsPSObject(value).Properties[name];
            return property?.Value;
        }

        private static string Text(object value)
        {
            value = value is PSObject ps ? ps.BaseObject : value;
            return value?.ToString();
        }

        private static string Reveal(SecureString secure)
        {
            IntPtr pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
            try
            {
                return Marshal.PtrToStringUni(pointer);
            }
            finally
            {
                Marshal.ZeroFreeGlobalAllocUnicode(pointer);
            }
        }
    }
}

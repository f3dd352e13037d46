using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using AzDockerVm.Cmdlets;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Azure;
using AzDockerVm.Engine.IO;
using AzDockerVm.Engine.Provisioning;
using AzDockerVm.Engine.Tls;
using AzDockerVm.Models;

namespace AzDockerVm.Azure
{
    /// <summary>
    /// The Docker-host parameters (<see cref="DockerHostCmdlet"/>) as an engine request; the input checks that need no
    /// Azure happen here. The cmdlet adds what is its own (for Set: -Force, -ForceRerun, -NoWait).
    /// </summary>
    internal static class DockerHostRequestBuilder
    {
        internal static SetDockerExtensionRequest Build(DockerHostCmdlet c, VmReference vm, string dockerConfig)
        {
            if (c.Certificate != null && c.CertificatePath != null)
            {
                throw new AzDockerVmException("CertificateParameterConflict", FailureKind.InvalidArgument, c.CertificatePath,
                    "Give either -Certificate or -CertificatePath, not both.");
            }

            AzureNames.RequireExtensionName(c.ExtensionName);
            if (c.TypeHandlerVersion != null)
            {
                AzureNames.RequireTypeHandlerVersion(c.TypeHandlerVersion);
            }

            var request = new SetDockerExtensionRequest
            {
                Vm = vm,
                ExtensionName = c.ExtensionName,
                Handler = c.Handler == AzDockerExtensionHandler.DockerExtension ? ExtensionHandler.DockerExtension : ExtensionHandler.CustomScript,
                TypeHandlerVersion = c.TypeHandlerVersion,
                AutoUpgradeMinorVersion = !c.DisableAutoUpgradeMinorVersion,
                CreateDockerContext = !c.NoDockerContext,
                DockerConfig = dockerConfig,
                ModuleVersion = c.MyInvocation.MyCommand.Module?.Version?.ToString() ?? typeof(DockerHostRequestBuilder).Assembly.GetName().Version.ToString(3),
                Settings = Settings(c),
            };

            if (c.Certificate != null)
            {
                request.CaFile = Resolve(c, c.Certificate.CaCertificateFile, "the -Certificate set's CaCertificateFile");
                request.ServerCertificateFile = Resolve(c, c.Certificate.ServerCertificateFile, "the -Certificate set's ServerCertificateFile");
                request.ServerKeyFile = Resolve(c, c.Certificate.ServerKeyFile, "the -Certificate set's ServerKeyFile");
            }
            else if (c.CertificatePath != null)
            {
                string folder = Resolve(c, c.CertificatePath, "-CertificatePath");
                request.CaFile = Path.Combine(folder, DockerTlsFileNames.CaCertificate);
                request.ServerCertificateFile = Path.Combine(folder, DockerTlsFileNames.ServerCertificate);
                request.ServerKeyFile = Path.Combine(folder, DockerTlsFileNames.ServerKey);
            }

            return request;
        }

        private static DockerHostSettings Settings(DockerHostCmdlet c)
        {
            var settings = new DockerHostSettings
            {
                Port = c.DockerPort,
                DockerVersion = c.DockerVersion,
                Hardened = c.Hardened,
                AzureEnvironment = c.AzureEnvironment,
                DaemonConfig = Entries(c.DaemonConfig, "DaemonConfigKeyInvalid", e => Plain(e.Value)),
                ComposeEnvironment = Entries(c.ComposeEnvironment, "ComposeEnvironmentNameInvalid", EnvironmentValue),
                DockerOptions = (c.DockerOption ?? new string[0]).ToList(),
            };

            if (c.ComposeFile != null)
            {
                settings.ComposeText = ReadComposeFile(Resolve(c, c.ComposeFile, "-ComposeFile"), c.ComposeFile);
            }
            else if (settings.ComposeEnvironment.Count > 0)
            {
                throw new AzDockerVmException("ComposeFileRequired", FailureKind.InvalidArgument, "ComposeEnvironment",
                    "-ComposeEnvironment sets variables for a compose file, but no -ComposeFile was given; nothing would use them.",
                    "Add -ComposeFile, or leave -ComposeEnvironment out.");
            }

            if (c.RegistryCredential != null)
            {
                if (string.IsNullOrEmpty(c.RegistryServer))
                {
                    throw new AzDockerVmException("RegistryServerRequired", FailureKind.InvalidArgument, c.RegistryCredential.UserName,
                        "-RegistryCredential needs -RegistryServer (the registry to log in to, e.g. myregistry.azurecr.io).");
                }

                string password = c.RegistryCredential.GetNetworkCredential().Password;
                if (string.IsNullOrEmpty(c.RegistryCredential.UserName) || string.IsNullOrEmpty(password))
                {
                    throw new AzDockerVmException("RegistryCredentialIncomplete", FailureKind.InvalidArgument, c.RegistryServer,
                        "-RegistryCredential has an empty user name or password; docker login would fail on the VM.",
                        "Give the registry's user name and password (for Azure Container Registry, a service principal or token).");
                }

                settings.RegistryUserName = c.RegistryCredential.UserName;
                settings.RegistryPassword = password;
            }
            else if (c.RegistryServer != null)
            {
                throw new AzDockerVmException("RegistryCredentialRequired", FailureKind.InvalidArgument, c.RegistryServer,
                    "-RegistryServer names a registry to log in to, but no -RegistryCredential was given; nothing would log in.",
                    "Add -RegistryCredential (Get-Credential), or leave -RegistryServer out.");
            }

            settings.RegistryServer = c.RegistryServer;
            return settings;
        }

        /// <summary>A hashtable's entries by their keys as text; two keys that read the same are refused.</summary>
        private static Dictionary<string, T> Entries<T>(Hashtable table, string duplicateId, Func<DictionaryEntry, T> value)
        {
            var entries = new Dictionary<string, T>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in table ?? new Hashtable())
            {
                string key = Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture);
                if (entries.ContainsKey(key))
                {
                    throw new AzDockerVmException(duplicateId, FailureKind.InvalidArgument, key, $"The key '{key}' is given twice.");
                }

                entries[key] = value(entry);
            }

            return entries;
        }

        /// <summary>A compose variable's value: text, a number or a SecureString; never a list or a table.</summary>
        private static string EnvironmentValue(DictionaryEntry entry)
        {
            object value = entry.Value is PSObject ps ? ps.BaseObject : entry.Value;
            switch (value)
            {
                case null:
                    return string.Empty;
                case System.Security.SecureString secure:
                    return new System.Net.NetworkCredential(string.Empty, secure).Password;
                case string text:
                    return text;
                case IEnumerable _:
                    throw new AzDockerVmException("ComposeEnvironmentValueInvalid", FailureKind.InvalidArgument, Convert.ToString(entry.Key),
                        $"The value of '{entry.Key}' is a {value.GetType().Name}; a compose variable holds one text value.");
                default:
                    return Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        private static string ReadComposeFile(string path, string given)
        {
            string missing = MissingFile.Problem(path);
            if (missing != null)
            {
                throw new AzDockerVmException("ComposeFileNotFound", FailureKind.ObjectNotFound, given, $"-ComposeFile '{path}' {missing}.");
            }

            var file = new FileInfo(path);

            if (file.Length > DockerHostSettingsCheck.CarrierLimitBytes)
            {
                throw new AzDockerVmException("ExtensionSettingsTooLarge", FailureKind.InvalidArgument, given,
                    $"The compose file '{path}' has {file.Length / 1024} KB; the extension's settings can carry at most {DockerHostSettingsCheck.CarrierLimitBytes / 1024} KB (CustomScript's limit for its script setting). Nothing was sent.",
                    "Make the compose file smaller: let it pull images and files from a registry or storage instead of carrying them.");
            }

            try
            {
                return File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException || ex is IOException)
            {
                throw new AzDockerVmException("ComposeFileNotReadable", FailureKind.ReadError, given, $"The compose file '{path}' cannot be read: {ex.Message}", null, ex);
            }
        }

        private static string Resolve(PSCmdlet c, string path, string what) => FileSystemPath.Resolve(c.SessionState, path, what);

        /// <summary>PowerShell values (maybe wrapped in PSObject, maybe nested) as plain .NET values for daemon.json.</summary>
        private static object Plain(object value)
        {
            value = value is PSObject ps ? ps.BaseObject : value;
            switch (value)
            {
                case string _:
                    return value;
                case IDictionary dictionary:
                    return dictionary.Cast<DictionaryEntry>().ToDictionary(e => Convert.ToString(e.Key), e => Plain(e.Value));
                case IEnumerable list:
                    return list.Cast<object>().Select(Plain).ToList();
                default:
                    return value;
            }
        }
    }
}

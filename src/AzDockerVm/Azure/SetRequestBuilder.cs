using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using AzDockerVm.Cmdlets;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Azure;
using AzDockerVm.Engine.Provisioning;
using AzDockerVm.Models;

namespace AzDockerVm.Azure
{
    /// <summary>Set-AzDockerExtension's parameters as an engine request; the input checks that need no Azure happen here.</summary>
    internal static class SetRequestBuilder
    {
        internal static SetDockerExtensionRequest Build(SetAzDockerExtensionCommand c, VmReference vm, string dockerConfig)
        {
            if (c.Certificate != null && c.CertificatePath != null)
            {
                throw new AzDockerVmException("CertificateParameterConflict", FailureKind.InvalidArgument, c.CertificatePath,
                    "Give either -Certificate or -CertificatePath, not both.");
            }

            var request = new SetDockerExtensionRequest
            {
                Vm = vm,
                ExtensionName = c.ExtensionName,
                Handler = c.Handler == AzDockerExtensionHandler.DockerExtension ? ExtensionHandler.DockerExtension : ExtensionHandler.CustomScript,
                TypeHandlerVersion = c.TypeHandlerVersion,
                AutoUpgradeMinorVersion = !c.DisableAutoUpgradeMinorVersion,
                ForceRerun = c.ForceRerun,
                Force = c.Force,
                CreateDockerContext = !c.NoDockerContext,
                DockerConfig = dockerConfig,
                ModuleVersion = c.MyInvocation.MyCommand.Module?.Version?.ToString() ?? typeof(SetRequestBuilder).Assembly.GetName().Version.ToString(3),
                NoWait = c.NoWait,
                Settings = Settings(c),
            };

            if (c.Certificate != null)
            {
                request.CaFile = Resolve(c, c.Certificate.CaCertificateFile);
                request.ServerCertificateFile = Resolve(c, c.Certificate.ServerCertificateFile);
                request.ServerKeyFile = Resolve(c, c.Certificate.ServerKeyFile);
            }
            else if (c.CertificatePath != null)
            {
                string folder = Resolve(c, c.CertificatePath);
                request.CaFile = Path.Combine(folder, "ca.pem");
                request.ServerCertificateFile = Path.Combine(folder, "server-cert.pem");
                request.ServerKeyFile = Path.Combine(folder, "server-key.pem");
            }

            return request;
        }

        private static DockerHostSettings Settings(SetAzDockerExtensionCommand c)
        {
            var settings = new DockerHostSettings
            {
                Port = c.DockerPort,
                DockerVersion = c.DockerVersion,
                Hardened = c.Hardened,
                AzureEnvironment = c.AzureEnvironment,
                DaemonConfig = c.DaemonConfig == null ? new Dictionary<string, object>()
                    : c.DaemonConfig.Cast<DictionaryEntry>().ToDictionary(e => Convert.ToString(e.Key), e => Plain(e.Value)),
                ComposeEnvironment = c.ComposeEnvironment == null ? new Dictionary<string, string>()
                    : c.ComposeEnvironment.Cast<DictionaryEntry>().ToDictionary(e => Convert.ToString(e.Key), e => Convert.ToString(Plain(e.Value))),
                DockerOptions = (c.DockerOption ?? new string[0]).ToList(),
            };

            foreach (string option in settings.DockerOptions)
            {
                string flag = option.Trim();
                if (flag == "-H" || flag.StartsWith("-H=", StringComparison.Ordinal) || flag.StartsWith("-H ", StringComparison.Ordinal)
                    || flag.StartsWith("--host", StringComparison.Ordinal) || (flag.StartsWith("-H", StringComparison.Ordinal) && !flag.StartsWith("--", StringComparison.Ordinal)))
                {
                    throw new AzDockerVmException("DockerOptionConflict", FailureKind.InvalidArgument, option,
                        $"Docker option '{option}' sets the daemon's listening address, which AzDockerVm manages (the unix socket and the TLS port).",
                        "Remove it; use -DockerPort for the TLS port.");
                }
            }

            if (c.ComposeFile != null)
            {
                string path = Resolve(c, c.ComposeFile);
                if (!File.Exists(path))
                {
                    throw new AzDockerVmException("ComposeFileNotFound", FailureKind.ObjectNotFound, c.ComposeFile, $"The compose file '{path}' does not exist.");
                }

                settings.ComposeText = File.ReadAllText(path);
            }

            if (c.RegistryCredential != null)
            {
                if (string.IsNullOrEmpty(c.RegistryServer))
                {
                    throw new AzDockerVmException("RegistryServerRequired", FailureKind.InvalidArgument, c.RegistryCredential.UserName,
                        "-RegistryCredential needs -RegistryServer (the registry to log in to, e.g. myregistry.azurecr.io).");
                }

                settings.RegistryUserName = c.RegistryCredential.UserName;
                settings.RegistryPassword = c.RegistryCredential.GetNetworkCredential().Password;
            }

            settings.RegistryServer = c.RegistryServer;
            return settings;
        }

        private static string Resolve(PSCmdlet c, string path) => c.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path ?? string.Empty);

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

using System;

namespace AzDockerVm.Engine.Provisioning
{
    /// <summary>
    /// What carries a Docker host's settings to a VM: a VM extension handler with its own schema and rules. The rest
    /// of the engine asks the carrier, never <c>if (handler == ...)</c>: what it is called, whether a VM holds only one
    /// extension of its type, whether unchanged settings can be run again, and how the settings become its payload.
    /// </summary>
    public abstract class DockerCarrier
    {
        public static readonly DockerCarrier CustomScript = new CustomScriptCarrier();

        public static readonly DockerCarrier LegacyDockerExtension = new LegacyDockerExtensionCarrier();

        public const string Publisher = "Microsoft.Azure.Extensions";

        public abstract ExtensionHandler Handler { get; }

        /// <summary>The extension type (CustomScript, DockerExtension).</summary>
        public abstract string Type { get; }

        public abstract string DefaultTypeHandlerVersion { get; }

        /// <summary>publisher/type, as Azure names the handler.</summary>
        public string HandlerName => Publisher + "/" + Type;

        /// <summary>A VM holds at most one extension of this type, whatever its name (another one must go first).</summary>
        public abstract bool OnePerVm { get; }

        /// <summary>The payload (nothing secret in its public settings); <paramref name="rerun"/> runs unchanged settings again where the carrier can.</summary>
        public abstract ExtensionPayload BuildPayload(DockerHostSettings settings, string typeHandlerVersion, bool rerun);

        /// <summary>
        /// The payload of a TLS rollout on a host this carrier set up: the new server files (and trust bundle) only,
        /// with the settings installed on the extension (<paramref name="installedSettingsJson"/>, its public settings)
        /// kept where the carrier must send them again.
        /// </summary>
        public abstract ExtensionPayload BuildTlsRolloutPayload(TlsRollout rollout, string installedSettingsJson, string typeHandlerVersion);

        public static DockerCarrier For(ExtensionHandler handler)
            => handler == ExtensionHandler.DockerExtension ? LegacyDockerExtension : CustomScript;

        /// <summary>True when an extension of this publisher and type is this carrier's.</summary>
        public bool Carries(string publisher, string type)
            => string.Equals(publisher, Publisher, StringComparison.OrdinalIgnoreCase) && string.Equals(type, Type, StringComparison.OrdinalIgnoreCase);

        private sealed class CustomScriptCarrier : DockerCarrier
        {
            public override ExtensionHandler Handler => ExtensionHandler.CustomScript;

            public override string Type => "CustomScript";

            public override string DefaultTypeHandlerVersion => "2.1";

            public override bool OnePerVm => true;

            public override ExtensionPayload BuildPayload(DockerHostSettings settings, string typeHandlerVersion, bool rerun)
                => ExtensionPayload.ForCustomScript(settings, typeHandlerVersion ?? DefaultTypeHandlerVersion,
                    rerun ? Timestamp() : (int?)null);

            public override ExtensionPayload BuildTlsRolloutPayload(TlsRollout rollout, string installedSettingsJson, string typeHandlerVersion)
                => ExtensionPayload.ForCustomScriptTlsRollout(rollout, typeHandlerVersion ?? DefaultTypeHandlerVersion, Timestamp());

            private static int Timestamp() => (int)(DateTimeOffset.UtcNow.ToUnixTimeSeconds() & int.MaxValue);
        }

        private sealed class LegacyDockerExtensionCarrier : DockerCarrier
        {
            public override ExtensionHandler Handler => ExtensionHandler.DockerExtension;

            public override string Type => "DockerExtension";

            public override string DefaultTypeHandlerVersion => "1.2";

            public override bool OnePerVm => false;

            // The legacy schema has no timestamp: unchanged settings are not run again.
            public override ExtensionPayload BuildPayload(DockerHostSettings settings, string typeHandlerVersion, bool rerun)
                => ExtensionPayload.ForLegacyDockerExtension(settings, typeHandlerVersion ?? DefaultTypeHandlerVersion);

            public override ExtensionPayload BuildTlsRolloutPayload(TlsRollout rollout, string installedSettingsJson, string typeHandlerVersion)
                => ExtensionPayload.ForLegacyTlsRollout(rollout, installedSettingsJson, typeHandlerVersion ?? DefaultTypeHandlerVersion);
        }
    }
}

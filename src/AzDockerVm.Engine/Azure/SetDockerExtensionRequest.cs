using AzDockerVm.Engine.Provisioning;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>What Set-AzDockerExtension was asked to do. Settings hold secrets (registry password): never log them.</summary>
    public sealed class SetDockerExtensionRequest
    {
        public const string DefaultExtensionName = "AzDockerVm";

        public VmReference Vm { get; set; }

        public string ExtensionName { get; set; } = DefaultExtensionName;

        public ExtensionHandler Handler { get; set; }

        internal DockerCarrier Carrier => DockerCarrier.For(Handler);

        /// <summary>Null: 2.1 for CustomScript, 1.2 for DockerExtension.</summary>
        public string TypeHandlerVersion { get; set; }

        public bool AutoUpgradeMinorVersion { get; set; } = true;

        /// <summary>Run the script again although nothing changed (a new timestamp in the public settings).</summary>
        public bool ForceRerun { get; set; }

        /// <summary>Replace a foreign CustomScript extension; overwrite the VM's default set and context.</summary>
        public bool Force { get; set; }

        /// <summary>Docker settings; the certificates are filled in from the TLS set.</summary>
        public DockerHostSettings Settings { get; set; } = new DockerHostSettings();

        /// <summary>The given set's files; all null: use or create the VM's set in the default folder.</summary>
        public string CaFile { get; set; }

        public string ServerCertificateFile { get; set; }

        public string ServerKeyFile { get; set; }

        /// <summary>Write a docker context named after the VM when a set is created for it.</summary>
        public bool CreateDockerContext { get; set; } = true;

        /// <summary>$DOCKER_CONFIG or ~/.docker.</summary>
        public string DockerConfig { get; set; }

        /// <summary>The value of the AzDockerVm tag (the module version).</summary>
        public string ModuleVersion { get; set; }

        /// <summary>Start the change and return without waiting for it.</summary>
        public bool NoWait { get; set; }
    }

    /// <summary>A checked Set request: the VM read, refusals passed, the certificate chosen; nothing written yet.</summary>
    public sealed class SetDockerExtensionPlan
    {
        internal SetDockerExtensionRequest Request { get; set; }

        internal VmFacts Vm { get; set; }

        internal VmCertificate Certificate { get; set; }

        /// <summary>A CustomScript extension that is not ours (replaced only with Force), or null.</summary>
        public string ForeignExtensionName { get; internal set; }

        /// <summary>Our own CustomScript extension under another name (a VM holds one CustomScript: it is replaced), or null.</summary>
        public string EarlierExtensionName { get; internal set; }

        public string VmName => Vm.Name;

        public string ResourceGroupName => Vm.ResourceGroupName;

        public string HandlerName => Request.Carrier.HandlerName;

        public string TypeHandlerVersion => Request.TypeHandlerVersion ?? Request.Carrier.DefaultTypeHandlerVersion;

        public int Port => Request.Settings.Port;

        public string Endpoint { get; internal set; }

        public string CertificateFolder => Certificate.Folder;

        /// <summary>True when a new TLS set is written for the VM.</summary>
        public bool CreatesCertificate => Certificate.NewSet != null;

        /// <summary>The docker context written for the VM, or null.</summary>
        public string DockerContext { get; internal set; }

        internal bool WritesDockerContext { get; set; }
    }
}

using System;
using System.Linq;
using AzDockerVm.Engine.Provisioning;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>
    /// A VM that AzDockerVm made a Docker host: its Docker extension (ours: tagged by Set-AzDockerExtension or
    /// New-AzDockerVm, or the legacy DockerExtension handler), the carrier that extension is, the Docker port, and the
    /// address its daemon is checked at (the public, else the private IP ARM reports; never the FQDN).
    /// </summary>
    internal sealed class VmDockerHost
    {
        private VmDockerHost(VmFacts vm, ExtensionFacts extension, DockerCarrier carrier, int port)
        {
            Vm = vm;
            Extension = extension;
            Carrier = carrier;
            Port = port;
        }

        internal VmFacts Vm { get; }

        internal ExtensionFacts Extension { get; }

        internal DockerCarrier Carrier { get; }

        internal int Port { get; }

        /// <summary>tcp://&lt;public or private IP&gt;:&lt;port&gt;, or null when ARM reports neither.</summary>
        internal string ProbeEndpoint => DockerVmDiagnosis.ProbeEndpoint(Vm, Port);

        /// <summary>The VM's host as our extension describes it (port: the extension's tag, last report or legacy settings); refused without our extension.</summary>
        internal static VmDockerHost Of(VmFacts vm)
        {
            // Our CustomScript first: a VM that moved off the legacy handler may still list it.
            ExtensionFacts ours = vm.Extensions.Where(DockerExtensionService.IsOurs)
                .OrderBy(e => DockerCarrier.CustomScript.Carries(e.Publisher, e.Type) ? 0 : 1).FirstOrDefault()
                ?? throw new AzDockerVmException("ExtensionNotInstalled", FailureKind.ObjectNotFound, vm.Name,
                    $"VM '{vm.Name}' has no AzDockerVm Docker extension (the CustomScript extension Set-AzDockerExtension and New-AzDockerVm install, or the legacy DockerExtension): Docker on it was not set up by AzDockerVm, so there is no certificate of ours to renew. Nothing was changed.",
                    $"Set it up first: Set-AzDockerExtension -ResourceGroupName {vm.ResourceGroupName} -VMName {vm.Name}.");
            DockerCarrier carrier = DockerCarrier.LegacyDockerExtension.Carries(ours.Publisher, ours.Type) ? DockerCarrier.LegacyDockerExtension : DockerCarrier.CustomScript;
            return new VmDockerHost(vm, ours, carrier, DockerExtensionReport.ToInfo(vm, ours).DockerPort);
        }
    }
}

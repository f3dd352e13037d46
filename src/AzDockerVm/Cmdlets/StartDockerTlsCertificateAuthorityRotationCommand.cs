using System.Management.Automation;
using AzDockerVm.Models;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// Starts the CA rotation of a local set: a new CA next to the old, a ca.pem that trusts both (the daemon's
    /// --tlscacert), ca-key.pem the new CA's, the set's own client and the -ClientPath sets re-issued by the new CA.
    /// The server certificate stays the old CA's, so clients that trust only the old CA keep working until the completion.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Start, "DockerTlsCertificateAuthorityRotation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(DockerTlsCertificateAuthorityRotation))]
    public sealed class StartDockerTlsCertificateAuthorityRotationCommand : DockerTlsRotationCmdlet
    {
        /// <summary>The new CA's; default: the old CA's.</summary>
        [Parameter]
        public DockerTlsKeyAlgorithm KeyAlgorithm { get; set; }

        protected override bool Completes => false;

        protected override string NewCaKeyAlgorithm
            => MyInvocation.BoundParameters.ContainsKey(nameof(KeyAlgorithm)) ? KeyAlgorithm.ToString() : null;
    }
}

using System.Management.Automation;
using AzDockerVm.Models;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// Completes the CA rotation a local set is in: the server certificate re-issued by the new CA, ca.pem the new CA
    /// alone, the old CA's key deleted. Once the daemon restarts with these files, certificates of the old CA are refused;
    /// clients moved during the overlap keep working.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Complete, "DockerTlsCertificateAuthorityRotation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(DockerTlsCertificateAuthorityRotation))]
    public sealed class CompleteDockerTlsCertificateAuthorityRotationCommand : DockerTlsRotationCmdlet
    {
        protected override bool Completes => true;
    }
}

namespace AzDockerVm.Models
{
    /// <summary>Which VM extension carries the Docker settings to the VM.</summary>
    public enum AzDockerExtensionHandler
    {
        /// <summary>Microsoft.Azure.Extensions/CustomScript 2.1 running AzDockerVm's provisioning script (the live carrier).</summary>
        CustomScript,

        /// <summary>Microsoft.Azure.Extensions/DockerExtension 1.2, the legacy schema; Azure retired this handler in 2018.</summary>
        DockerExtension,
    }
}

namespace AzDockerVm.FakeArm
{
    /// <summary>The power states a VM's instance view reports (status code PowerState/&lt;lowercase name&gt;).</summary>
    public enum VmPowerState
    {
        Running,
        Stopped,
        Deallocated,
    }
}

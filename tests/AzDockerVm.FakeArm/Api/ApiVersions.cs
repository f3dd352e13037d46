namespace AzDockerVm.FakeArm
{
    /// <summary>
    /// The only api-versions the fake serves: the ones the SDK (Azure.ResourceManager 1.7.0, Compute 1.2.0) uses and
    /// the official specs in shared/api-specs cover. Anything else is refused as ARM refuses it.
    /// </summary>
    public static class ApiVersions
    {
        public const string Subscriptions = "2022-12-01";

        public const string Resources = "2022-09-01";

        public const string Compute = "2023-07-01";

        public const string Network = "2024-03-01";
    }
}

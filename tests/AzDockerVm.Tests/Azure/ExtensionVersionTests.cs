using System.Linq;
using System.Threading.Tasks;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>-TypeHandlerVersion and -DisableAutoUpgradeMinorVersion reach the PUT the way Set-AzVMExtension sends them.</summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class ExtensionVersionTests : IAsyncLifetime
    {
        private AzureBench _bench;

        public async Task InitializeAsync() => _bench = await AzureBench.StartAsync();

        public async Task DisposeAsync() => await _bench.DisposeAsync();

        [Fact]
        public void By_default_the_handler_version_is_2_1_with_minor_upgrades_on()
        {
            _bench.AddVm();
            _bench.Ps.Run("Set-AzDockerExtension rg1 vm1").ThrowIfFailed();

            var body = _bench.Arm.Requests.Single(r => r.Method == "PUT").RequestBody;
            Assert.Equal("2.1", body["properties"]["typeHandlerVersion"].GetValue<string>());
            Assert.True(body["properties"]["autoUpgradeMinorVersion"].GetValue<bool>());
        }

        [Fact]
        public void TypeHandlerVersion_and_DisableAutoUpgradeMinorVersion_are_sent_as_given()
        {
            _bench.AddVm();
            var status = _bench.Ps.Run("Set-AzDockerExtension rg1 vm1 -TypeHandlerVersion 2.0 -DisableAutoUpgradeMinorVersion").ThrowIfFailed().Single();

            var body = _bench.Arm.Requests.Single(r => r.Method == "PUT").RequestBody;
            Assert.Equal("2.0", body["properties"]["typeHandlerVersion"].GetValue<string>());
            Assert.False(body["properties"]["autoUpgradeMinorVersion"].GetValue<bool>());
            Assert.Equal("2.0", status.Properties["TypeHandlerVersion"].Value);
            Assert.Equal(false, status.Properties["AutoUpgradeMinorVersion"].Value);
        }
    }
}

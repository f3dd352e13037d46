using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>
    /// -Handler DockerExtension: the retired Microsoft.Azure.Extensions/DockerExtension 1.2 settings, key for key, for
    /// environments that still have the handler — with a warning that Azure retired it.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class LegacyDockerExtensionTests : IAsyncLifetime
    {
        private AzureBench _bench;
        private string _folder;

        public async Task InitializeAsync()
        {
            _bench = await AzureBench.StartAsync();
            _bench.AddVm();
            _folder = Path.Combine(Path.GetDirectoryName(_bench.DockerConfig), "legacy");
            Directory.CreateDirectory(_folder);
            File.WriteAllText(Path.Combine(_folder, "compose.json"), "{ \"web\": { \"image\": \"nginx\", \"ports\": [\"80:80\"] } }");
            File.WriteAllText(Path.Combine(_folder, "compose.yml"), "web:\n  image: nginx\n");
            _bench.Ps.SetVariable("Folder", _folder);
        }

        public async Task DisposeAsync() => await _bench.DisposeAsync();

        [Fact]
        public void The_settings_follow_the_legacy_schema_exactly_and_a_retirement_warning_is_written()
        {
            var run = _bench.Ps.Run(
                "$p = [System.Security.SecureString]::new(); 'pw-Legacy-1'.ToCharArray() | ForEach-Object { $p.AppendChar($_) }; " +
                "Set-AzDockerExtension rg1 vm1 -Handler DockerExtension -DockerPort 4243 -DockerOption '-D', '--dns=8.8.8.8' " +
                "-ComposeFile ([IO.Path]::Combine($Folder, 'compose.json')) -ComposeEnvironment @{ COMPOSE_PROJECT_NAME = 'blog' } -AzureEnvironment AzureChinaCloud " +
                "-RegistryServer myreg.azurecr.io -RegistryCredential ([pscredential]::new('deployer', $p))").ThrowIfFailed();

            Assert.Contains(run.Warnings, w => w.Contains("retired", StringComparison.Ordinal) && w.Contains("2018", StringComparison.Ordinal));
            Assert.Contains(run.Warnings, w => w.Contains("PUBLIC settings", StringComparison.Ordinal) && w.Contains("compose file", StringComparison.Ordinal));
            var put = Assert.Single(_bench.Arm.ExtensionPuts);
            Assert.Equal("Microsoft.Azure.Extensions", put.Publisher);
            Assert.Equal("DockerExtension", put.Type);
            Assert.Equal("1.2", put.TypeHandlerVersion);
            var expectedPublic = JsonNode.Parse(
                "{\"docker\":{\"port\":\"4243\",\"options\":[\"-D\",\"--dns=8.8.8.8\"]}," +
                "\"compose\":{\"web\":{\"image\":\"nginx\",\"ports\":[\"80:80\"]}}," +
                "\"azure-environment\":\"AzureChinaCloud\"}");
            Assert.True(JsonNode.DeepEquals(expectedPublic, put.Settings), put.Settings.ToJsonString());

            string folder = (string)run.Single().Properties["CertificatePath"].Value;
            string B64(string file) => Convert.ToBase64String(Encoding.UTF8.GetBytes(File.ReadAllText(Path.Combine(folder, file))));
            var expectedProtected = JsonNode.Parse(
                "{\"certs\":{\"ca\":\"" + B64("ca.pem") + "\",\"cert\":\"" + B64("server-cert.pem") + "\",\"key\":\"" + B64("server-key.pem") + "\"}," +
                "\"environment\":{\"COMPOSE_PROJECT_NAME\":\"blog\"}," +
                "\"login\":{\"server\":\"myreg.azurecr.io\",\"username\":\"deployer\",\"password\":\"pw-Legacy-1\"}}");
            Assert.True(JsonNode.DeepEquals(expectedProtected, put.ProtectedSettings), "protected settings differ from the legacy schema");
        }

        [Fact]
        public void Get_reports_the_legacy_extension_with_its_handler_and_port()
        {
            _bench.Ps.Run("Set-AzDockerExtension rg1 vm1 -Handler DockerExtension -ExtensionName DockerExtension -DockerPort 2380").ThrowIfFailed();

            var status = _bench.Ps.Run("Get-AzDockerExtension rg1 vm1").ThrowIfFailed().Single();

            Assert.Equal("DockerExtension", status.Properties["Name"].Value);
            Assert.Equal("DockerExtension", status.Properties["Handler"].Value.ToString());
            Assert.Equal("DockerExtension", status.Properties["ExtensionType"].Value);
            Assert.Equal(2380, status.Properties["DockerPort"].Value);
            Assert.Equal("tcp://vm1.westeurope.cloudapp.azure.com:2380", status.Properties["Endpoint"].Value);
            Assert.Equal(true, status.Properties["TlsEnabled"].Value);
        }

        [Fact]
        public void A_legacy_extension_somebody_else_installed_is_recognised_as_ours()
        {
            _bench.Arm.AddExtension("rg1", "vm1", "DockerExtension", type: "DockerExtension", typeHandlerVersion: "1.1",
                settings: new JsonObject { ["docker"] = new JsonObject { ["port"] = "2376" } });

            var status = _bench.Ps.Run("Get-AzDockerExtension rg1 vm1").ThrowIfFailed().Single();

            Assert.Equal("DockerExtension", status.Properties["Handler"].Value.ToString());
            Assert.Equal(2376, status.Properties["DockerPort"].Value);
        }

        [Fact]
        public void A_YAML_compose_file_is_refused_for_the_legacy_handler_before_anything_is_sent()
        {
            var run = _bench.Ps.Run("Set-AzDockerExtension rg1 vm1 -Handler DockerExtension -ComposeFile ([IO.Path]::Combine($Folder, 'compose.yml'))");

            Assert.StartsWith("ComposeFileNotJson,", run.Error.FullyQualifiedErrorId);
            Assert.Empty(_bench.Writes());
        }
    }
}

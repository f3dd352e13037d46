using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Docker
{
    /// <summary>
    /// New-DockerContext writes exactly what the docker CLI writes and reads (no daemon needed), refuses what the CLI
    /// would refuse, and on any refusal or -WhatIf leaves DOCKER_CONFIG untouched.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class NewDockerContextSpecs : IClassFixture<EcdsaP256Host>, IDisposable
    {
        private readonly EcdsaP256Host _tls;
        private readonly EnvironmentScope _environment = new EnvironmentScope();
        private readonly PowerShellSession _ps = new PowerShellSession();
        private readonly string _dockerConfig;

        public NewDockerContextSpecs(EcdsaP256Host tls)
        {
            _tls = tls;
            // A DOCKER_CONFIG that doesn't exist yet: "nothing written" means it still doesn't.
            _dockerConfig = Path.Combine(Path.GetTempPath(), "azdvm-cfg-" + Guid.NewGuid().ToString("N").Substring(0, 8), "docker");
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", _dockerConfig);
        }

        public void Dispose()
        {
            _ps.Dispose();
            _environment.Dispose();
            string parent = Path.GetDirectoryName(_dockerConfig);
            if (Directory.Exists(parent))
            {
                Directory.Delete(parent, recursive: true);
            }
        }

        [DockerCliFact]
        public void The_context_lands_at_the_CLIs_hash_path_with_private_TLS_files_and_docker_context_inspect_reads_it()
        {
            var info = NewContext("azvm-files", "tcp://127.0.0.1:2376").ThrowIfFailed().Single();

            string hash = DockerSpecHelpers.ContextHash("azvm-files");
            string meta = Path.Combine(_dockerConfig, "contexts", "meta", hash, "meta.json");
            string tls = Path.Combine(_dockerConfig, "contexts", "tls", hash, "docker");
            Assert.Equal(meta, info.Text("MetaFile"));
            Assert.Equal(tls, info.Text("TlsPath"));
            Assert.Equal("644", DockerSpecHelpers.Mode(meta));
            Assert.Equal("755", DockerSpecHelpers.Mode(Path.GetDirectoryName(meta)));
            foreach (var name in new[] { "ca.pem", "cert.pem", "key.pem" })
            {
                Assert.Equal("600", DockerSpecHelpers.Mode(Path.Combine(tls, name)));
                Assert.Equal(File.ReadAllBytes(Path.Combine(_tls.Good, name)), File.ReadAllBytes(Path.Combine(tls, name)));
            }

            Assert.Equal("700", DockerSpecHelpers.Mode(tls));
            Assert.Equal("700", DockerSpecHelpers.Mode(Path.GetDirectoryName(tls)));
            using var json = JsonDocument.Parse(File.ReadAllText(meta));
            Assert.Equal("azvm-files", json.RootElement.GetProperty("Name").GetString());
            Assert.False(json.RootElement.GetProperty("Endpoints").GetProperty("docker").GetProperty("SkipTLSVerify").GetBoolean());

            var inspect = DockerCli.Run(_dockerConfig, "context", "inspect", "azvm-files", "--format", "{{.Endpoints.docker.Host}}");
            Assert.True(inspect.ExitCode == 0, inspect.Text);
            Assert.Equal("tcp://127.0.0.1:2376", inspect.StdOut.Trim());
            Assert.False((bool)info.Get("Current"));
        }

        [DockerCliTheory]
        [InlineData("https://docker-test.example", "tcp://docker-test.example:2376")]
        [InlineData("tcp://docker-test.example", "tcp://docker-test.example:2376")]
        [InlineData("TCP://10.0.0.4:12376/", "tcp://10.0.0.4:12376")]
        [InlineData("tcp://[::1]:2376", "tcp://[::1]:2376")]
        [InlineData(" tcp://[fd00::4] ", "tcp://[fd00::4]:2376")]
        public void An_accepted_endpoint_is_written_as_tcp_host_port_which_the_docker_CLI_reads(string endpoint, string written)
        {
            var info = NewContext("azvm-endpoint", endpoint).ThrowIfFailed().Single();

            Assert.Equal(written, info.Text("Endpoint"));
            var inspect = DockerCli.Run(_dockerConfig, "context", "inspect", "azvm-endpoint", "--format", "{{.Endpoints.docker.Host}}");
            Assert.Equal(written, inspect.StdOut.Trim());
        }

        [DockerCliFact]
        public void Use_creates_config_json_when_absent_and_docker_context_show_prints_the_context()
        {
            var info = NewContext("azvm-use", "tcp://127.0.0.1:2376", "-Use").ThrowIfFailed().Single();

            Assert.True((bool)info.Get("Current"));
            Assert.Equal("600", DockerSpecHelpers.Mode(Path.Combine(_dockerConfig, "config.json")));
            Assert.Equal("azvm-use", DockerCli.Run(_dockerConfig, "context", "show").ThrowIfFailed("docker context show").StdOut.Trim());
        }

        [DockerCliFact]
        public void Use_keeps_every_other_key_of_config_json_and_its_mode()
        {
            Directory.CreateDirectory(_dockerConfig);
            string config = Path.Combine(_dockerConfig, "config.json");
            File.WriteAllText(config, "{\n\t\"auths\": {\"registry.example\": {\"auth\": \"dXNlcjpwdw==\"}},\n\t\"psFormat\": \"table {{.ID}}\",\n" +
                "\t\"currentContext\": \"default\",\n\t\"detachKeys\": \"ctrl-x,x\",\n\t\"when\": \"2024-01-02T03:04:05Z\",\n\t\"ratio\": 0.10\n}\n");
            File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

            NewContext("azvm-keep", "tcp://127.0.0.1:2376", "-Use").ThrowIfFailed();

            using var json = JsonDocument.Parse(File.ReadAllText(config));
            var root = json.RootElement;
            Assert.Equal("azvm-keep", root.GetProperty("currentContext").GetString());
            Assert.Equal("dXNlcjpwdw==", root.GetProperty("auths").GetProperty("registry.example").GetProperty("auth").GetString());
            Assert.Equal("table {{.ID}}", root.GetProperty("psFormat").GetString());
            Assert.Equal("ctrl-x,x", root.GetProperty("detachKeys").GetString());
            Assert.Equal("2024-01-02T03:04:05Z", root.GetProperty("when").GetString());
            Assert.Equal("0.10", root.GetProperty("ratio").GetRawText());
            Assert.Equal("640", DockerSpecHelpers.Mode(config));
            Assert.Empty(Directory.GetFiles(_dockerConfig, "*.tmp"));
            Assert.Equal("azvm-keep", DockerCli.Run(_dockerConfig, "context", "show").ThrowIfFailed("docker context show").StdOut.Trim());
        }

        [DockerCliFact]
        public void An_existing_context_is_refused_without_Force_and_replaced_with_it()
        {
            NewContext("azvm-twice", "tcp://127.0.0.1:2376").ThrowIfFailed();
            string before = DockerSpecHelpers.Snapshot(_dockerConfig);

            var refused = NewContext("azvm-twice", "tcp://127.0.0.1:2377");

            refused.AssertRefused("ContextExists", ErrorCategory.ResourceExists, "azvm-twice");
            Assert.Equal(before, DockerSpecHelpers.Snapshot(_dockerConfig));

            NewContext("azvm-twice", "tcp://127.0.0.1:2377", "-Force").ThrowIfFailed();
            var inspect = DockerCli.Run(_dockerConfig, "context", "inspect", "azvm-twice", "--format", "{{.Endpoints.docker.Host}}");
            Assert.Equal("tcp://127.0.0.1:2377", inspect.StdOut.Trim());
        }

        [Theory]
        [InlineData("-bad")]
        [InlineData("a b")]
        [InlineData("default")]
        [InlineData("x")]
        [InlineData("ctx/slash")]
        public void A_name_the_docker_CLI_refuses_is_InvalidContextName_and_nothing_is_written(string name)
        {
            var run = NewContext(name, "tcp://127.0.0.1:2376", certificatePath: Path.GetTempPath());

            run.AssertRefused("InvalidContextName", ErrorCategory.InvalidArgument, name);
            Assert.False(Directory.Exists(_dockerConfig));
        }

        [DockerCliTheory]
        [InlineData("-bad")]
        [InlineData("a b")]
        [InlineData("default")]
        [InlineData("x")]
        public void The_docker_CLI_refuses_those_names_too(string name)
        {
            var run = DockerCli.Run(_dockerConfig, "context", "create", "--docker", "host=tcp://127.0.0.1:2376", "--", name);

            Assert.NotEqual(0, run.ExitCode);
        }

        [Theory]
        [InlineData("http://127.0.0.1:2376", "InvalidEndpoint")]
        [InlineData("unix:///var/run/docker.sock", "InvalidEndpoint")]
        [InlineData("tcp://", "InvalidEndpoint")]
        [InlineData("tcp://127.0.0.1:0", "InvalidPort")]
        [InlineData("tcp://127.0.0.1:70000", "InvalidPort")]
        public void A_bad_endpoint_is_an_InvalidArgument_error_and_nothing_is_written(string endpoint, string errorId)
        {
            var run = NewContext("azvm-endpoint", endpoint, certificatePath: Path.GetTempPath());

            run.AssertRefused(errorId, ErrorCategory.InvalidArgument, endpoint);
            Assert.False(Directory.Exists(_dockerConfig));
        }

        [DockerCliFact]
        public void A_PEM_file_with_a_byte_order_mark_is_refused_and_nothing_is_written()
        {
            var run = NewContext("azvm-bom", "tcp://127.0.0.1:2376", certificatePath: _tls.ClientCertWithBom);

            run.AssertRefused("PemHasByteOrderMark", ErrorCategory.InvalidData, Path.Combine(_tls.ClientCertWithBom, "cert.pem"));
            Assert.False(Directory.Exists(_dockerConfig));
        }

        [DockerCliFact]
        public void A_folder_without_the_TLS_files_is_FileNotFound_and_nothing_is_written()
        {
            string empty = _tls.NewScratchFolder("empty");

            var run = NewContext("azvm-missing", "tcp://127.0.0.1:2376", certificatePath: empty);

            run.AssertRefused("FileNotFound", ErrorCategory.ObjectNotFound, Path.Combine(empty, "ca.pem"));
            Assert.False(Directory.Exists(_dockerConfig));
        }

        [DockerCliFact]
        public void WhatIf_names_the_context_and_DOCKER_CONFIG_shows_no_key_material_and_writes_nothing()
        {
            var run = NewContext("azvm-whatif", "tcp://127.0.0.1:2376", "-WhatIf -Use").ThrowIfFailed();

            Assert.Empty(run.Output);
            Assert.Contains("What if:", DockerSpecHelpers.WithoutAnsi(run.HostText));
            Assert.Contains("azvm-whatif", DockerSpecHelpers.WithoutAnsi(run.HostText));
            Assert.Contains(_dockerConfig, DockerSpecHelpers.WithoutAnsi(run.HostText));
            string key = File.ReadAllText(Path.Combine(_tls.Good, "key.pem"));
            string keyBody = key.Split('\n')[1];
            Assert.DoesNotContain("PRIVATE KEY", run.AllText());
            Assert.DoesNotContain(keyBody, run.AllText());
            Assert.False(Directory.Exists(_dockerConfig));
        }

        [DockerCliFact]
        public void A_certificate_set_from_the_pipeline_without_Endpoint_gives_its_first_DNS_name_on_port_2376()
        {
            var info = _ps.Run(
                "[AzDockerVm.Models.DockerTlsCertificateSet]@{ Path = $Good; CaCertificateFile = \"$Good/ca.pem\"; ClientCertificateFile = \"$Good/cert.pem\"; " +
                "ClientKeyFile = \"$Good/key.pem\"; DnsName = @('docker-test.example'); IPAddress = @('127.0.0.1') } | New-DockerContext -Name azvm-set -Verbose",
                new { Good = _tls.Good }).ThrowIfFailed();

            Assert.Equal("tcp://docker-test.example:2376", info.Single().Text("Endpoint"));
            Assert.Contains(info.Verbose, v => v.Contains("azvm-set") && v.Contains("tcp://docker-test.example:2376"));
            Assert.Contains(info.Verbose, v => v.Contains("meta.json"));
        }

        [Fact]
        public void A_certificate_set_without_client_files_is_FileNotFound()
        {
            var run = _ps.Run("[AzDockerVm.Models.DockerTlsCertificateSet]@{ Path = '/nowhere'; DnsName = @('h') } | New-DockerContext -Name azvm-empty");

            run.AssertRefused("FileNotFound", ErrorCategory.ObjectNotFound, "/nowhere");
            Assert.False(Directory.Exists(_dockerConfig));
        }

        [DockerCliFact]
        public void Without_DOCKER_CONFIG_the_context_goes_to_dot_docker_in_the_home_folder()
        {
            string home = _tls.NewScratchFolder("home");
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", null);
            Environment.SetEnvironmentVariable("HOME", home);

            var info = NewContext("azvm-home", "tcp://127.0.0.1:2376").ThrowIfFailed().Single();

            Assert.Equal(Path.Combine(home, ".docker"), info.Text("DockerConfig"));
            Assert.True(File.Exists(Path.Combine(home, ".docker", "contexts", "meta", DockerSpecHelpers.ContextHash("azvm-home"), "meta.json")));
        }

        [Fact]
        public void The_default_view_is_a_table_of_Name_Endpoint_Current_Description()
        {
            var run = _ps.Run("[AzDockerVm.Models.DockerContextInfo]@{ Name = 'azvm'; Endpoint = 'tcp://h:2376'; Current = $true; Description = 'd' } | Out-Default");

            run.ThrowIfFailed();
            Assert.Matches(@"Name\s+Endpoint\s+Current\s+Description", DockerSpecHelpers.WithoutAnsi(run.HostText));
            Assert.Matches(@"azvm\s+tcp://h:2376\s+True\s+d", DockerSpecHelpers.WithoutAnsi(run.HostText));
        }

        private PSRun NewContext(string name, string endpoint, string extra = "", string certificatePath = null)
            => _ps.Run($"New-DockerContext -Name $Name -Endpoint $Endpoint -CertificatePath $Certs {extra}",
                new { Name = name, Endpoint = endpoint, Certs = certificatePath ?? _tls.Good });

    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>
    /// Every bad value for Set-AzDockerExtension, Get- and Remove-AzDockerExtension is refused on the client, before
    /// any request: one error with a stable id, its category and the value as target; no request reaches the fake
    /// ARM and no local file appears or changes. Each class of input is tried with several members.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class SetAzDockerExtensionInputTests : IAsyncLifetime
    {
        private const string Credential = "$p = [System.Security.SecureString]::new(); 'pw-Registry-S3cret'.ToCharArray() | ForEach-Object { $p.AppendChar($_) }; " +
                                          "$cred = [pscredential]::new('deployer', $p); $empty = [pscredential]::new('deployer', [System.Security.SecureString]::new()); ";

        private AzureBench _bench;
        private string _scratch;

        public async Task InitializeAsync()
        {
            _bench = await AzureBench.StartAsync();
            _bench.AddVm();
            _scratch = Path.Combine(Path.GetDirectoryName(_bench.DockerConfig), "scratch");
            Directory.CreateDirectory(_scratch);
            File.WriteAllText(Path.Combine(_scratch, "compose.yml"), "services:\n  web:\n    image: nginx\n");
            _bench.Ps.SetVariable("Scratch", _scratch);
            _bench.Ps.SetVariable("Compose", Path.Combine(_scratch, "compose.yml"));
        }

        public async Task DisposeAsync() => await _bench.DisposeAsync();

        public static TheoryData<string, string, string, string> BadInputs => new TheoryData<string, string, string, string>
        {
            // script, error id, category, target ("<nl>" stands for a line feed)
            // Port: sshd's and Docker Swarm's ports.
            { "Set-AzDockerExtension rg1 vm1 -DockerPort 22", "DockerPortReserved", "InvalidArgument", "22" },
            { "Set-AzDockerExtension rg1 vm1 -DockerPort 2377", "DockerPortReserved", "InvalidArgument", "2377" },
            { "Set-AzDockerExtension rg1 vm1 -DockerPort 7946", "DockerPortReserved", "InvalidArgument", "7946" },
            // Values with a trailing newline or other characters that only looked anchored.
            { "Set-AzDockerExtension rg1 vm1 -DockerVersion \"24.0.7`n\"", "InvalidDockerVersion", "InvalidArgument", "24.0.7<nl>" },
            { "Set-AzDockerExtension rg1 vm1 -DockerVersion 'latest'", "InvalidDockerVersion", "InvalidArgument", "latest" },
            { "Set-AzDockerExtension rg1 vm1 -DockerVersion '$(reboot)'", "InvalidDockerVersion", "InvalidArgument", "$(reboot)" },
            { Credential + "Set-AzDockerExtension rg1 vm1 -RegistryCredential $cred -RegistryServer \"reg.example.com`n\"", "InvalidRegistryServer", "InvalidArgument", "reg.example.com<nl>" },
            { Credential + "Set-AzDockerExtension rg1 vm1 -RegistryCredential $cred -RegistryServer 'https://reg.example.com/v2'", "InvalidRegistryServer", "InvalidArgument", "https://reg.example.com/v2" },
            { Credential + "Set-AzDockerExtension rg1 vm1 -RegistryCredential $cred -RegistryServer 'reg example.com'", "InvalidRegistryServer", "InvalidArgument", "reg example.com" },
            // ARM's naming rules, locally.
            { "Set-AzDockerExtension rg1 vm1 -ExtensionName 'a/b'", "InvalidExtensionName", "InvalidArgument", "a/b" },
            { "Set-AzDockerExtension rg1 vm1 -ExtensionName 'a?b=c'", "InvalidExtensionName", "InvalidArgument", "a?b=c" },
            { "Set-AzDockerExtension rg1 vm1 -ExtensionName ('x' * 300)", "InvalidExtensionName", "InvalidArgument", new string('x', 300) },
            { "Set-AzDockerExtension rg1 vm1 -ExtensionName \"Docker`n\"", "InvalidExtensionName", "InvalidArgument", "Docker<nl>" },
            { "Set-AzDockerExtension rg1 vm1 -ExtensionName 'ends.'", "InvalidExtensionName", "InvalidArgument", "ends." },
            { "Set-AzDockerExtension rg1 vm1 -TypeHandlerVersion abc", "InvalidTypeHandlerVersion", "InvalidArgument", "abc" },
            { "Set-AzDockerExtension rg1 vm1 -TypeHandlerVersion '2.1 '", "InvalidTypeHandlerVersion", "InvalidArgument", "2.1 " },
            { "Set-AzDockerExtension rg1 'vm/1'", "InvalidVmName", "InvalidArgument", "vm/1" },
            { "Set-AzDockerExtension rg1 'vm1?api-version=1'", "InvalidVmName", "InvalidArgument", "vm1?api-version=1" },
            { "Set-AzDockerExtension rg1 \"vm1`n\"", "InvalidVmName", "InvalidArgument", "vm1<nl>" },
            { "Set-AzDockerExtension 'rg/1' vm1", "InvalidResourceGroupName", "InvalidArgument", "rg/1" },
            { "Set-AzDockerExtension 'rg1.' vm1", "InvalidResourceGroupName", "InvalidArgument", "rg1." },
            { "Get-AzDockerExtension rg1 'vm/1'", "InvalidVmName", "InvalidArgument", "vm/1" },
            { "Get-AzDockerExtension 'a#b' vm1", "InvalidResourceGroupName", "InvalidArgument", "a#b" },
            { "Remove-AzDockerExtension rg1 'vm 1' -Force", "InvalidVmName", "InvalidArgument", "vm 1" },
            { "Remove-AzDockerExtension 'rg/..' vm1 -Force", "InvalidResourceGroupName", "InvalidArgument", "rg/.." },
            { "Get-AzDockerExtension -ResourceId '/subscriptions/s/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1%2Fx'", "InvalidVmName", "InvalidArgument", "vm1%2Fx" },
            // daemon.json: managed, empty, padded, duplicate keys; values JSON cannot hold.
            { "Set-AzDockerExtension rg1 vm1 -DaemonConfig @{ '' = 1 }", "DaemonConfigKeyInvalid", "InvalidArgument", "" },
            { "Set-AzDockerExtension rg1 vm1 -DaemonConfig @{ 'hosts ' = @('tcp://0.0.0.0:2375') }", "DaemonConfigKeyInvalid", "InvalidArgument", "hosts " },
            { "Set-AzDockerExtension rg1 vm1 -DaemonConfig @{ \"debug`n\" = $true }", "DaemonConfigKeyInvalid", "InvalidArgument", "debug<nl>" },
            { "Set-AzDockerExtension rg1 vm1 -DaemonConfig @{ TLSVerify = $false }", "DaemonConfigConflict", "InvalidArgument", "TLSVerify" },
            { "Set-AzDockerExtension rg1 vm1 -DaemonConfig @{ tlskey = '/tmp/k.pem' }", "DaemonConfigConflict", "InvalidArgument", "tlskey" },
            { "Set-AzDockerExtension rg1 vm1 -DaemonConfig @{ x = [double]::NaN }", "DaemonConfigInvalidValue", "InvalidArgument", "x" },
            { "Set-AzDockerExtension rg1 vm1 -DaemonConfig @{ 'log-opts' = @{ size = [double]::PositiveInfinity } }", "DaemonConfigInvalidValue", "InvalidArgument", "log-opts.size" },
            { "Set-AzDockerExtension rg1 vm1 -DaemonConfig @{ x = [datetime]::Now }", "DaemonConfigInvalidValue", "InvalidArgument", "x" },
            // Docker options (the full rule is proven against the VM script in Docker_options_are_judged_alike...).
            { "Set-AzDockerExtension rg1 vm1 -DockerOption @($null)", "DockerOptionInvalid", "InvalidArgument", "(null)" },
            { "Set-AzDockerExtension rg1 vm1 -DockerOption '--debug -H tcp://0.0.0.0:2375'", "DockerOptionConflict", "InvalidArgument", "--debug -H tcp://0.0.0.0:2375" },
            { "Set-AzDockerExtension rg1 vm1 -DockerOption \"--debug`n--tlsverify=false\"", "DockerOptionConflict", "InvalidArgument", "--debug<nl>--tlsverify=false" },
            { "Set-AzDockerExtension rg1 vm1 -DockerOption '--label=\"a b\"'", "DockerOptionInvalid", "InvalidArgument", "--label=\"a b\"" },
            { "Set-AzDockerExtension rg1 vm1 -Hardened -DockerOption '--icc=false'", "DockerOptionConflict", "InvalidArgument", "--icc" },
            { "Set-AzDockerExtension rg1 vm1 -DaemonConfig @{ 'log-level' = 'warn' } -DockerOption '-l debug'", "DockerOptionConflict", "InvalidArgument", "-l" },
            // Compose: the .env file and what would silently be ignored.
            { "Set-AzDockerExtension rg1 vm1 -ComposeFile $Compose -ComposeEnvironment @{ 'A=B' = 1 }", "ComposeEnvironmentNameInvalid", "InvalidArgument", "A=B" },
            { "Set-AzDockerExtension rg1 vm1 -ComposeFile $Compose -ComposeEnvironment @{ '' = 1 }", "ComposeEnvironmentNameInvalid", "InvalidArgument", "" },
            { "Set-AzDockerExtension rg1 vm1 -ComposeFile $Compose -ComposeEnvironment @{ '1ST' = 1 }", "ComposeEnvironmentNameInvalid", "InvalidArgument", "1ST" },
            { "Set-AzDockerExtension rg1 vm1 -ComposeFile $Compose -ComposeEnvironment @{ 'MY VAR' = 1 }", "ComposeEnvironmentNameInvalid", "InvalidArgument", "MY VAR" },
            { "Set-AzDockerExtension rg1 vm1 -ComposeFile $Compose -ComposeEnvironment @{ X = \"x`nINJECTED=1\" }", "ComposeEnvironmentValueInvalid", "InvalidArgument", "X" },
            { "Set-AzDockerExtension rg1 vm1 -ComposeFile $Compose -ComposeEnvironment @{ X = \"x`r\" }", "ComposeEnvironmentValueInvalid", "InvalidArgument", "X" },
            { "Set-AzDockerExtension rg1 vm1 -ComposeFile $Compose -ComposeEnvironment @{ X = 'ends\\' }", "ComposeEnvironmentValueInvalid", "InvalidArgument", "X" },
            { "Set-AzDockerExtension rg1 vm1 -ComposeFile $Compose -ComposeEnvironment @{ X = @(1, 2) }", "ComposeEnvironmentValueInvalid", "InvalidArgument", "X" },
            { "Set-AzDockerExtension rg1 vm1 -ComposeEnvironment @{ A = 1 }", "ComposeFileRequired", "InvalidArgument", "ComposeEnvironment" },
            { "Set-AzDockerExtension rg1 vm1 -ComposeFile $Scratch", "ComposeFileNotFound", "ObjectNotFound", "<scratch>" },
            { "Set-AzDockerExtension rg1 vm1 -ComposeFile ([IO.Path]::Combine($Scratch, 'big.yml'))", "ExtensionSettingsTooLarge", "InvalidArgument", "<scratch>/big.yml" },
            { "Set-AzDockerExtension rg1 vm1 -ComposeFile ([IO.Path]::Combine($Scratch, 'dense.yml'))", "ExtensionSettingsTooLarge", "InvalidArgument", "CustomScript" },
            { "Set-AzDockerExtension rg1 vm1 -Handler DockerExtension -ComposeFile ([IO.Path]::Combine($Scratch, 'dense.json'))", "ExtensionSettingsTooLarge", "InvalidArgument", "DockerExtension" },
            // Registry: a server without a credential, a credential without a password.
            { "Set-AzDockerExtension rg1 vm1 -RegistryServer myreg.azurecr.io", "RegistryCredentialRequired", "InvalidArgument", "myreg.azurecr.io" },
            { Credential + "Set-AzDockerExtension rg1 vm1 -RegistryServer myreg.azurecr.io -RegistryCredential $empty", "RegistryCredentialIncomplete", "InvalidArgument", "myreg.azurecr.io" },
        };

        [Theory]
        [MemberData(nameof(BadInputs))]
        public void Refused_before_any_request_with_a_stable_id_category_and_target_and_nothing_written(string script, string errorId, string category, string target)
        {
            WriteSizeFixtures();
            string before = Snapshot();

            var run = _bench.Ps.Run(script);

            Assert.True(run.Error != null, "no error: " + run.Describe());
            Assert.StartsWith(errorId + ",", run.Error.FullyQualifiedErrorId);
            Assert.Equal(category, run.Error.CategoryInfo.Category.ToString());
            object actual = run.Error.TargetObject is PSObject o ? o.BaseObject : run.Error.TargetObject;
            Assert.Equal(target.Replace("<scratch>", _scratch).Replace("<nl>", "\n"), Convert.ToString(actual, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Empty(_bench.Arm.Requests);
            Assert.Equal(before, Snapshot());
            Assert.False(Directory.Exists(_bench.DockerConfig), "something was written to DOCKER_CONFIG");
        }

        /// <summary>
        /// The client and the VM judge -DockerOption by one table: each option is refused by Set-AzDockerExtension
        /// exactly when the provisioning script (as Set rendered it, with the option put in) refuses it in its
        /// --check-settings mode. The base is rendered with -Hardened, so daemon.json conflicts show too.
        /// </summary>
        [Theory]
        [InlineData("--debug", null)]
        [InlineData("-D", null)]
        [InlineData("--debug=false", null)]
        [InlineData("--log-level=warn", null)]
        [InlineData("--log-level warn", null)]
        [InlineData("-l warn", null)]
        [InlineData("-lwarn", null)]
        [InlineData("-Dl warn", null)]
        [InlineData("--host-gateway-ip=172.17.0.1", null)]
        [InlineData("--max-concurrent-downloads=5 --dns 8.8.8.8 --dns 1.1.1.1", null)]
        [InlineData("--debug\n--mtu=1400", null)]
        [InlineData("--debug\r\n--mtu 1400\r\n", null)]
        [InlineData("--default-ulimit nofile=1024:2048", null)]
        [InlineData("--tlsverify=false", "DockerOptionConflict")]
        [InlineData("--tls=false", "DockerOptionConflict")]
        [InlineData("--tlscacert=/tmp/ca.pem", "DockerOptionConflict")]
        [InlineData("--tlskey /tmp/key.pem", "DockerOptionConflict")]
        [InlineData("--config-file=/tmp/daemon.json", "DockerOptionConflict")]
        [InlineData("--debug -H tcp://0.0.0.0:2375", "DockerOptionConflict")]
        [InlineData("-Htcp://0.0.0.0:2375", "DockerOptionConflict")]
        [InlineData("-DH unix:///tmp/x.sock", "DockerOptionConflict")]
        [InlineData("--host=tcp://0.0.0.0:2375", "DockerOptionConflict")]
        [InlineData("--log-level debug -H tcp://0.0.0.0:2375", "DockerOptionConflict")]
        [InlineData("--log-driver=syslog", "DockerOptionConflict")]
        [InlineData("--icc=false", "DockerOptionConflict")]
        [InlineData("--log-opt max-size=1m", "DockerOptionConflict")]
        [InlineData("--userns-remap=default", "DockerOptionConflict")]
        [InlineData("--tlsverifyy", "DockerOptionInvalid")]
        [InlineData("--host-gateway", "DockerOptionInvalid")]
        [InlineData("-X", "DockerOptionInvalid")]
        [InlineData("--log-level", "DockerOptionInvalid")]
        [InlineData("-l", "DockerOptionInvalid")]
        [InlineData("debug", "DockerOptionInvalid")]
        [InlineData("--debug extra", "DockerOptionInvalid")]
        [InlineData("--", "DockerOptionInvalid")]
        [InlineData("-", "DockerOptionInvalid")]
        [InlineData("--version", "DockerOptionInvalid")]
        [InlineData("-v", "DockerOptionInvalid")]
        [InlineData("--help", "DockerOptionInvalid")]
        [InlineData("--validate", "DockerOptionInvalid")]
        [InlineData("--dns=8.8.8.8;reboot", "DockerOptionInvalid")]
        [InlineData("--label='x'", "DockerOptionInvalid")]
        [InlineData("--label=$(id)", "DockerOptionInvalid")]
        [InlineData("--debug\v--mtu=1400", "DockerOptionInvalid")]
        public void Docker_options_are_judged_alike_on_the_client_and_by_the_VM_script(string option, string expectedId)
        {
            var client = _bench.Ps.Run("Set-AzDockerExtension rg1 vm1 -Hardened -DockerOption $O -WhatIf", new { O = option });
            if (expectedId == null)
            {
                Assert.True(client.Error == null, client.Describe());
            }
            else
            {
                Assert.True(client.Error != null, "accepted on the client");
                Assert.StartsWith(expectedId + ",", client.Error.FullyQualifiedErrorId);
                // The target is the option, or the flag in it that conflicts.
                Assert.Contains(Convert.ToString(client.Error.TargetObject is PSObject o ? o.BaseObject : client.Error.TargetObject), option, StringComparison.Ordinal);
            }

            var vm = VmScript(option).CheckSettings();
            Assert.True((vm.ExitCode == 0) == (expectedId == null), $"the VM script {(vm.ExitCode == 0 ? "accepted" : "refused")} it: {vm.Text}");
            Assert.Matches(expectedId == null ? "AZDOCKERVM status=ok settings=valid" : "AZDOCKERVM status=failed reason=invalid-(setting|daemon-json)", vm.Text);
        }

        [Fact]
        public void Accepted_options_reach_the_script_word_for_word_and_it_accepts_them()
        {
            _bench.Ps.Run("Set-AzDockerExtension rg1 vm1 -DockerOption \"--debug`n--log-level warn\", '--mtu=1400' -ComposeFile $Compose -ComposeEnvironment @{ DB = 'x' }").ThrowIfFailed();

            var script = new RenderedScript(_bench.Arm.ExtensionPuts.Single().Script);

            // One line per -DockerOption element, its words as dockerd gets them.
            Assert.Equal("--debug --log-level warn\n--mtu=1400\n", script.Decoded("AZDV_DOCKER_OPTIONS_B64"));
            Assert.Equal(0, script.CheckSettings().ExitCode);
        }

        /// <summary>
        /// Compose's documented .env rules (single-quoted values literal, \' for a quote) read back every value the
        /// module writes, byte for byte, including the ones that broke the old concatenation.
        /// </summary>
        [Fact]
        public void Compose_reads_back_every_variable_byte_for_byte_by_its_documented_env_rules()
        {
            var values = new Dictionary<string, string>
            {
                ["PASSWORD"] = "pa$word #1",
                ["INTERP"] = "${HOME} $OTHER $$",
                ["QUOTES"] = "it's \"quoted\" and 'single'",
                ["HASH"] = "#not a comment",
                ["SPACES"] = "  padded  ",
                ["EQUALS"] = "a=b=c",
                ["BACKSLASH"] = "C:\\path\\to\\x",
                ["BACKTICK"] = "`whoami` $(id)",
                ["UNICODE"] = "Grüße, 世界",
                ["TAB"] = "a\tb",
                ["EMPTY"] = string.Empty,
                ["ONLYQUOTE"] = "'",
            };
            _bench.Ps.SetVariable("Values", new System.Collections.Hashtable(values));

            _bench.Ps.Run("Set-AzDockerExtension rg1 vm1 -ComposeFile $Compose -ComposeEnvironment $Values").ThrowIfFailed();

            string env = new RenderedScript(_bench.Arm.ExtensionPuts.Single().Script).Decoded("AZDV_COMPOSE_ENV_B64");
            var read = ComposeEnvRules.Read(env);
            Assert.Equal(values.OrderBy(p => p.Key, StringComparer.Ordinal), read.OrderBy(p => p.Key, StringComparer.Ordinal));
            Assert.Equal(values.Count, env.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }

        [Fact]
        public void The_compose_env_rules_reader_is_the_documented_one()
        {
            // Examples from Compose's .env syntax page.
            var read = ComposeEnvRules.Read("VAR='$OTHER'\nVAR2='Let\\'s go!'\nVAR3='some\\tvalue'\nVAR4='VAL # not a comment' # comment\n");

            Assert.Equal("$OTHER", read["VAR"]);
            Assert.Equal("Let's go!", read["VAR2"]);
            Assert.Equal("some\\tvalue", read["VAR3"]);
            Assert.Equal("VAL # not a comment", read["VAR4"]);
            Assert.Throws<FormatException>(() => ComposeEnvRules.Read("VAR=unquoted\n"));
        }

        [Fact]
        public void A_SecureString_variable_is_sent_as_its_text_and_only_in_protected_settings()
        {
            _bench.Ps.Run("$s = [System.Security.SecureString]::new(); 'db-S3cret'.ToCharArray() | ForEach-Object { $s.AppendChar($_) }; " +
                          "Set-AzDockerExtension rg1 vm1 -ComposeFile $Compose -ComposeEnvironment @{ DB_PASSWORD = $s }").ThrowIfFailed();

            var put = _bench.Arm.ExtensionPuts.Single();
            Assert.Equal("DB_PASSWORD='db-S3cret'\n", new RenderedScript(put.Script).Decoded("AZDV_COMPOSE_ENV_B64"));
            Assert.DoesNotContain("db-S3cret", put.Settings.ToJsonString(), StringComparison.Ordinal);
        }

        private void WriteSizeFixtures()
        {
            // Over the limit by its size alone; and small enough to read but too big once carried (random text barely compresses).
            File.WriteAllText(Path.Combine(_scratch, "big.yml"), "# " + new string('x', 300 * 1024) + "\n");
            File.WriteAllText(Path.Combine(_scratch, "dense.yml"), "# " + Noise(150 * 1024) + "\nservices: {}\n");
            File.WriteAllText(Path.Combine(_scratch, "dense.json"), "{\"x-noise\":\"" + Noise(187 * 1024) + "\",\"services\":{}}");
        }

        private static string Noise(int bytes)
        {
            var data = new byte[bytes];
            new Random(bytes).NextBytes(data);
            return Convert.ToBase64String(data);
        }

        /// <summary>Every file under the scratch folder and DOCKER_CONFIG's parent, with its content hash.</summary>
        private string Snapshot()
        {
            string root = Path.GetDirectoryName(_bench.DockerConfig);
            return string.Join("\n", Directory.GetFiles(root, "*", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => f + " " + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))));
        }

        /// <summary>The script as Set-AzDockerExtension renders it for a hardened host, with <paramref name="option"/> as its docker options.</summary>
        private RenderedScript VmScript(string option)
        {
            if (_base == null)
            {
                _bench.Ps.Run("Set-AzDockerExtension rg1 vm1 -Hardened").ThrowIfFailed();
                _base = _bench.Arm.ExtensionPuts.Last().Script;
            }

            return new RenderedScript(_base).With("AZDV_DOCKER_OPTIONS_B64", Convert.ToBase64String(Encoding.UTF8.GetBytes(option)));
        }

        private string _base;
    }

    /// <summary>A provisioning script as rendered (settings lines NAME='value'), to read or change a setting and run its checks.</summary>
    internal sealed class RenderedScript
    {
        private readonly string _text;

        public RenderedScript(string text) => _text = text;

        public string Decoded(string name) => Encoding.UTF8.GetString(Convert.FromBase64String(Value(name)));

        public RenderedScript With(string name, string value)
        {
            string line = name + "='" + Value(name) + "'\n";
            return new RenderedScript(_text.Replace(line, name + "='" + value + "'\n"));
        }

        /// <summary>bash SCRIPT --check-settings: judges the settings as the VM would, changes nothing.</summary>
        public (int ExitCode, string Text) CheckSettings()
        {
            string file = Path.Combine(Path.GetTempPath(), "azdv-check-" + Guid.NewGuid().ToString("N") + ".sh");
            File.WriteAllText(file, _text);
            try
            {
                var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
                start.ArgumentList.Add(file);
                start.ArgumentList.Add("--check-settings");
                using var process = Process.Start(start);
                Task<string> stderr = process.StandardError.ReadToEndAsync();
                string stdout = process.StandardOutput.ReadToEnd();
                process.WaitForExit(30000);
                return (process.ExitCode, stdout + stderr.Result);
            }
            finally
            {
                File.Delete(file);
            }
        }

        private string Value(string name)
        {
            string prefix = "\n" + name + "='";
            int start = _text.IndexOf(prefix, StringComparison.Ordinal);
            Assert.True(start >= 0, name + " is not in the script");
            start += prefix.Length;
            return _text.Substring(start, _text.IndexOf('\'', start) - start);
        }
    }

    /// <summary>
    /// Compose's documented .env rules for single-quoted values (docs.docker.com, "Syntax for environment files"):
    /// the value is used literally, a quote inside is escaped with a backslash, and a comment may follow the closing
    /// quote. Only the single-quoted form is accepted here, because it is the one the module writes.
    /// </summary>
    internal static class ComposeEnvRules
    {
        public static Dictionary<string, string> Read(string env)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string line in env.Split('\n'))
            {
                if (line.Length == 0 || line.StartsWith("#", StringComparison.Ordinal))
                {
                    continue;
                }

                int equals = line.IndexOf('=');
                if (equals <= 0 || line.Length < equals + 2 || line[equals + 1] != '\'')
                {
                    throw new FormatException("not KEY='value': " + line);
                }

                var value = new StringBuilder();
                int i = equals + 2;
                for (; i < line.Length; i++)
                {
                    if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] == '\'')
                    {
                        value.Append('\'');
                        i++;
                    }
                    else if (line[i] == '\'')
                    {
                        break;
                    }
                    else
                    {
                        value.Append(line[i]);
                    }
                }

                string rest = i < line.Length ? line.Substring(i + 1).Trim() : throw new FormatException("unterminated: " + line);
                if (rest.Length > 0 && !rest.StartsWith("#", StringComparison.Ordinal))
                {
                    throw new FormatException("text after the closing quote: " + line);
                }

                result[line.Substring(0, equals)] = value.ToString();
            }

            return result;
        }
    }
}

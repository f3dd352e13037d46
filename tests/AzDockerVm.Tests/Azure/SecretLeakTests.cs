using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>
    /// Every Azure cmdlet, with -Verbose -Debug and -WhatIf variations, successes and failures: no stream, WhatIf text,
    /// error record, default view of the output (Out-Default), output property, or public settings stored in ARM
    /// contains key material, the registry password or the protected script.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class SecretLeakTests : IAsyncLifetime
    {
        private const string Password = "pw-Registry-S3cret-7781";
        private const string ComposeSecret = "pw-Compose-Db-S3cret-4410";
        private const string Credential = "$p = [System.Security.SecureString]::new(); $Password.ToCharArray() | ForEach-Object { $p.AppendChar($_) }; $cred = [pscredential]::new('deployer', $p); ";

        private AzureBench _bench;
        private string _tls;

        public async Task InitializeAsync()
        {
            _bench = await AzureBench.StartAsync();
            _bench.AddVm();
            _bench.AddVm("vm2");
            _tls = Path.Combine(Path.GetDirectoryName(_bench.DockerConfig), "given");
            _bench.Ps.Run("$tls = New-DockerTlsCertificate -DnsName vm2.westeurope.cloudapp.azure.com -IPAddress 20.1.2.3 -Path $F", new { F = _tls }).ThrowIfFailed();
            _bench.Ps.SetVariable("Password", Password);
            _bench.Ps.SetVariable("ComposeSecret", ComposeSecret);
            string compose = Path.Combine(_tls, "compose.json");
            File.WriteAllText(compose, "{\"services\":{\"web\":{\"image\":\"nginx\"}}}");
            _bench.Ps.SetVariable("Compose", compose);
        }

        public async Task DisposeAsync() => await _bench.DisposeAsync();

        public static TheoryData<string, string> Scripts => new TheoryData<string, string>
        {
            { Credential + "Set-AzDockerExtension rg1 vm1 -RegistryServer reg.example.com -RegistryCredential $cred -Verbose -Debug | Out-Default", "ok" },
            { Credential + "Set-AzDockerExtension rg1 vm1 -RegistryServer reg.example.com -RegistryCredential $cred -WhatIf -Verbose -Debug", "ok" },
            { Credential + "$tls | Set-AzDockerExtension rg1 vm2 -RegistryServer reg.example.com -RegistryCredential $cred -Verbose -Debug -ForceRerun | Out-Default", "ok" },
            { Credential + "$tls | Set-AzDockerExtension rg1 vm2 -Handler DockerExtension -ComposeFile $Compose -RegistryServer reg.example.com -RegistryCredential $cred -Verbose -Debug | Out-Default", "ok" },
            { Credential + "$tls | Set-AzDockerExtension rg1 vm2 -Handler DockerExtension -ComposeFile $Compose -ComposeEnvironment @{ DB_PASSWORD = $ComposeSecret } -Verbose -Debug | Out-Default", "ok" },
            { Credential + "Set-AzDockerExtension rg1 vm1 -ComposeFile $Compose -ComposeEnvironment @{ DB_PASSWORD = $ComposeSecret } -Verbose -Debug | Out-Default", "ok" },
            { Credential + "Set-AzDockerExtension rg1 vm1 -ComposeFile $Compose -ComposeEnvironment @{ DB_PASSWORD = $ComposeSecret; 'BAD-NAME' = 1 } -Verbose -Debug", "error" },
            { Credential + "$tls | Set-AzDockerExtension rg1 vm2 -Handler DockerExtension -RegistryServer reg.example.com -RegistryCredential $cred -WhatIf -Verbose", "ok" },
            { Credential + "Set-AzDockerExtension rg1 vm1 -RegistryServer reg.example.com -RegistryCredential $cred -NoWait -Verbose -Debug | Out-Default", "ok" },
            { Credential + "Set-AzDockerExtension rg1 vm1 -RegistryServer 'bad server' -RegistryCredential $cred -Verbose -Debug", "error" },
            { Credential + "Set-AzDockerExtension rg1 vm1 -RegistryCredential $cred -Verbose -Debug", "error" },
            { Credential + "$tls | Set-AzDockerExtension rg1 vm1 -RegistryServer reg.example.com -RegistryCredential $cred -Verbose -Debug", "error" },
            { Credential + "$j = Set-AzDockerExtension rg1 vm1 -RegistryServer reg.example.com -RegistryCredential $cred -ForceRerun -AsJob -Verbose; $null = $j | Wait-Job -Timeout 60; Receive-Job $j -Keep | Out-Default; @($j) + @($j.ChildJobs) | ForEach-Object { $_.Verbose | ForEach-Object Message; $_.Progress | ForEach-Object StatusDescription }", "ok" },
            { "Get-AzDockerExtension rg1 vm1 -Status -Verbose -Debug | Out-Default", "ok" },
            { "$s = Get-AzDockerExtension rg1 vm1 -Status; $s; $s.Statuses; $s.SubStatuses; $s | Out-Default", "ok" },
            { "Remove-AzDockerExtension rg1 vm1 -WhatIf -Verbose -Debug", "ok" },
            { "Remove-AzDockerExtension rg1 vm1 -Force -Verbose -Debug | Out-Default", "ok" },
        };

        [Theory]
        [MemberData(nameof(Scripts))]
        public void Nothing_secret_shows_anywhere(string script, string outcome)
        {
            // Something of ours to Get/Remove, and a failing VM-side run whose report is read back.
            _bench.Ps.Run(Credential + "$tls | Set-AzDockerExtension rg1 vm2 -RegistryServer reg.example.com -RegistryCredential $cred").ThrowIfFailed();
            _bench.Ps.Run(Credential + "Set-AzDockerExtension rg1 vm1 -RegistryServer reg.example.com -RegistryCredential $cred").ThrowIfFailed();

            var run = _bench.Ps.Run(script);
            Assert.True((run.Error != null) == (outcome == "error"), run.Describe());

            var texts = new List<(string Where, string Text)> { ("run", run.AllText()) };
            foreach (var o in run.Output)
            {
                texts.AddRange(o.Properties.Select(p => ("output ." + p.Name, Describe(p.Value))));
            }

            foreach (var e in run.Errors.Append(run.Terminating).Where(e => e != null))
            {
                texts.Add(("error", Describe(e.TargetObject) + e.Exception + e.ErrorDetails?.Message + e.CategoryInfo));
            }

            foreach (var r in _bench.Arm.Requests.Where(r => r.Method == "GET"))
            {
                texts.Add(("ARM answer " + r, r.ResponseBody?.ToJsonString() ?? string.Empty));
            }

            // What anyone with Reader sees: the public settings, of both carriers, as sent.
            foreach (var put in _bench.Arm.ExtensionPuts)
            {
                texts.Add(($"public settings of {put.Type}", put.Settings?.ToJsonString() ?? string.Empty));
            }

            foreach (var (where, text) in texts)
            {
                foreach (var (name, secret) in Secrets())
                {
                    Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{name} found in {where}");
                }
            }
        }

        [Fact]
        public void A_failure_reported_by_the_VM_shows_no_secret_either()
        {
            _bench.Arm.SetExtensionHandler("rg1", "vm1", _ => ExtensionOutcome.ScriptFailed(1, "AZDOCKERVM status=failed reason=registry-login-failed\n", "Error response from daemon: unauthorized\n"));

            var run = _bench.Ps.Run(Credential + "Set-AzDockerExtension rg1 vm1 -RegistryServer reg.example.com -RegistryCredential $cred -Verbose -Debug");

            Assert.StartsWith("ExtensionProvisioningFailed,", run.Error.FullyQualifiedErrorId);
            string text = run.AllText() + run.Error.Exception;
            foreach (var (name, secret) in Secrets())
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), name);
            }
        }

        /// <summary>Recognisable pieces of every secret: key bodies, their base64 as the script carries them, the password, the protected payloads.</summary>
        private IEnumerable<(string Name, string Secret)> Secrets()
        {
            yield return ("registry password", Password);
            yield return ("registry password (base64)", Convert.ToBase64String(Encoding.UTF8.GetBytes(Password)));
            yield return ("compose variable", ComposeSecret);
            var keys = new List<string> { Path.Combine(_tls, "server-key.pem"), Path.Combine(_tls, "ca-key.pem"), Path.Combine(_tls, "key.pem") };
            keys.AddRange(Directory.Exists(Path.Combine(_bench.DockerConfig, "azdockervm"))
                ? Directory.GetFiles(Path.Combine(_bench.DockerConfig, "azdockervm"), "*key.pem", SearchOption.AllDirectories)
                : Array.Empty<string>());
            foreach (string file in keys)
            {
                string pem = File.ReadAllText(file);
                string body = pem.Split('\n')[1];
                yield return (file + " (PEM line)", body);
                yield return (file + " (base64 of the PEM)", Convert.ToBase64String(Encoding.UTF8.GetBytes(pem)).Substring(40, 40));
            }

            foreach (var put in _bench.Arm.ExtensionPuts)
            {
                foreach (var setting in put.ProtectedSettings ?? new System.Text.Json.Nodes.JsonObject())
                {
                    string value = setting.Value.ToJsonString();
                    yield return ("protected " + setting.Key, value.Length > 60 ? value.Substring(20, 40) : value);
                }
            }
        }

        private static string Describe(object value)
        {
            value = value is PSObject ps ? ps.BaseObject : value;
            return value switch
            {
                null => string.Empty,
                string s => s,
                System.Collections.IEnumerable list => string.Join("\n", list.Cast<object>().Select(Describe)),
                _ => value + "\n" + string.Join("\n", value.GetType().GetProperties().Where(p => p.GetIndexParameters().Length == 0).Select(p => p.Name + "=" + p.GetValue(value))),
            };
        }
    }
}

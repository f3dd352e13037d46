using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using AzDockerVm.Tests.Bench;
using AzDockerVm.Tests.Docker;
using Xunit;
using Xunit.Abstractions;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>
    /// The operations suite users copy (tests/Pester/Operations), run as they run it: a real pwsh, Pester 5 and the
    /// built module imported by name, signed in through a stand-in Az context (tests/Pester/TestHelpers/FakeAzContext.ps1)
    /// against the fake ARM, on a fleet the test made with New-AzDockerVm. The fake hands out loopback public IPs, and
    /// a real dockerd with the host's own server certificate listens on each, so Test-AzDockerHost succeeds for real
    /// and no public name is resolved. Then one host is broken per check and the suite must fail exactly those tests:
    /// a suite that passes for nothing would not.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class OperationsSuiteTests
    {
        private const string Group = "rg-ops";
        private static readonly string[] s_hosts = { "ops1", "ops2", "ops3", "ops4" };
        private static readonly string[] s_checks =
        {
            "is provisioned: Get-AzDockerVm reports Succeeded",
            "answers Test-AzDockerHost over mutual TLS",
            "serves a certificate that names the host and is valid for more than 30 days",
            "exposes the Docker port only to the allowed sources",
            "has certificates valid for more than 30 days",
        };

        private readonly ITestOutputHelper _output;

        public OperationsSuiteTests(ITestOutputHelper output) => _output = output;

        [OperationsSuiteFact]
        public async Task The_suite_passes_for_a_healthy_fleet_and_fails_exactly_the_checks_of_the_hosts_broken_for_them()
        {
            var clock = Stopwatch.StartNew();
            await using var arm = await FakeArmServer.StartAsync(new FakeArmOptions { LoopbackPublicAddresses = true });
            string work = Path.Combine(Path.GetTempPath(), "azdvm-ops-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            string dockerConfig = Path.Combine(work, "docker");
            var environment = new Dictionary<string, string>
            {
                ["DOCKER_CONFIG"] = dockerConfig,
                // Pester 5.7.1 (run-all.sh and the setup put it there) and the built module, found by name as users find it.
                ["PSModulePath"] = Path.Combine(RepoPaths.Root, "out", "test-modules") + Path.PathSeparator + Path.Combine(RepoPaths.Root, "out"),
                ["AZDOCKERVM_FAKEARM_URL"] = arm.BaseUri.ToString(),
                ["AZDOCKERVM_FAKEARM_SUBSCRIPTION"] = arm.SubscriptionId,
                ["AZDOCKERVM_FAKEARM_TENANT"] = arm.TenantId,
                ["AZDOCKERVM_FAKEARM_AUDIENCE"] = arm.Audience,
                ["AZDOCKERVM_OPS_RESOURCEGROUP"] = null,
                ["AZDOCKERVM_OPS_ALLOWEDSOURCE"] = null,
                ["AZDOCKERVM_OPS_CERTIFICATEDAYS"] = null,
                ["POWERSHELL_TELEMETRY_OPTOUT"] = "1",
                ["POWERSHELL_UPDATECHECK"] = "Off",
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                ["DOTNET_NOLOGO"] = "1",
            };
            var daemons = new Dictionary<string, Dockerd>();
            var transcript = new List<ToolRun>();
            try
            {
                // The fleet, made by the real New-AzDockerVm in pwsh; one free port for all (each host has its own address).
                int port = Dockerd.FreeLoopbackPort();
                var made = Pwsh(transcript, environment, "-Command",
                    "$ErrorActionPreference = 'Stop'; . ./tests/Pester/TestHelpers/FakeAzContext.ps1; Import-Module AzDockerVm; "
                    + $"{string.Join(", ", s_hosts.Select(h => "'" + h + "'"))} | New-AzDockerVm -ResourceGroupName {Group} -Location westeurope -AllowedSourceAddress 203.0.113.0/24 -DockerPort {port} | "
                    + "Select-Object Name, Fqdn, PublicIpAddress, PrivateIpAddress, CertificatePath, ProvisioningState | ConvertTo-Json -AsArray -Compress");
                var fleet = JsonNode.Parse(made.StdOut.Split('\n').Last(l => l.TrimStart().StartsWith("[", StringComparison.Ordinal))).AsArray()
                    .ToDictionary(h => (string)h["Name"], h => h.AsObject());
                Assert.Equal(s_hosts, fleet.Keys.OrderBy(k => k, StringComparer.Ordinal));
                Assert.All(fleet.Values, h => Assert.Equal("Succeeded", (string)h["ProvisioningState"]));
                Assert.Equal(new[] { "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5" }, fleet.Values.Select(h => (string)h["PublicIpAddress"]).OrderBy(a => a, StringComparer.Ordinal));

                // Each host's daemon behind its public address, with the server certificate New-AzDockerVm made for it
                // (started at once; every one that started is stopped at the end, also when another failed to).
                var starting = fleet.Values.Select(h => (Name: (string)h["Name"], Daemon: Task.Run(() => Dockerd.Start((string)h["CertificatePath"], port, (string)h["PublicIpAddress"])))).ToList();
                try
                {
                    await Task.WhenAll(starting.Select(s => s.Daemon));
                }
                finally
                {
                    foreach (var (name, daemon) in starting.Where(s => s.Daemon.Status == TaskStatus.RanToCompletion))
                    {
                        daemons[name] = daemon.Result;
                    }
                }

                // 1. Healthy, the group given as container data: every check of every host passes.
                var healthy = RunSuite(transcript, environment, work, "healthy", Group);
                Assert.True(healthy.Failed.Count == 0, "failed: " + string.Join("; ", healthy.Failed.Select(f => f.Name + ": " + f.Message)));
                Assert.Equal("Passed", healthy.Result);
                Assert.Equal(s_hosts.Length * s_checks.Length + 1, healthy.Passed.Count);
                Assert.Contains($"Docker hosts of resource group {Group} > has at least one Docker host", healthy.Passed);
                Assert.All(s_hosts.SelectMany(h => s_checks.Select(c => $"Docker host {h} > {c}")), name => Assert.Contains(name, healthy.Passed));

                // 2. One host broken for each check, the group now from the environment variable.
                // ops1: an admin's rule opens its Docker port to everyone (the shared NSG, to ops1's address only).
                arm.AddSecurityRule(Group, "azdockervm-nsg", "Admin-Open-ops1", new JsonObject
                {
                    ["protocol"] = "Tcp", ["sourcePortRange"] = "*", ["destinationPortRange"] = port.ToString(),
                    ["sourceAddressPrefix"] = "*", ["destinationAddressPrefix"] = (string)fleet["ops1"]["PrivateIpAddress"],
                    ["access"] = "Allow", ["priority"] = 500, ["direction"] = "Inbound",
                });
                // ops2: its daemon is down.
                daemons["ops2"].Dispose();
                daemons.Remove("ops2");
                // ops3: its client certificate (still from the group's CA, so the daemon accepts it) expires in 10 days,
                // and its daemon, restarted, serves a certificate of the group's CA for its names that expires in 10 days too.
                ReplaceClientCertificate(dockerConfig, arm.SubscriptionId, (string)fleet["ops3"]["CertificatePath"], work, validityDays: 10);
                daemons["ops3"].Dispose();
                daemons.Remove("ops3");
                daemons["ops3"] = Dockerd.Start(ShortLivedServerSet(dockerConfig, arm.SubscriptionId, fleet["ops3"], work, validityDays: 10), port, (string)fleet["ops3"]["PublicIpAddress"]);
                // ops4: the Docker extension reports a failure (so Test-AzDockerHost stops at ExtensionFailed too).
                string extension = arm.ExtensionPuts.Last(p => p.VmName == "ops4").ExtensionName;
                arm.SetExtensionOutcome(Group, "ops4", extension, ExtensionOutcome.ScriptFailed(1, "AZDOCKERVM status=error reason=docker-not-running", "dockerd exited"));
                environment["AZDOCKERVM_OPS_RESOURCEGROUP"] = Group;

                var broken = RunSuite(transcript, environment, work, "broken", null);

                var expected = new[]
                {
                    "Docker host ops1 > exposes the Docker port only to the allowed sources",
                    "Docker host ops2 > answers Test-AzDockerHost over mutual TLS",
                    "Docker host ops2 > serves a certificate that names the host and is valid for more than 30 days",
                    "Docker host ops3 > has certificates valid for more than 30 days",
                    "Docker host ops3 > serves a certificate that names the host and is valid for more than 30 days",
                    "Docker host ops4 > answers Test-AzDockerHost over mutual TLS",
                    "Docker host ops4 > is provisioned: Get-AzDockerVm reports Succeeded",
                    "Docker host ops4 > serves a certificate that names the host and is valid for more than 30 days",
                };
                Assert.Equal(expected, broken.Failed.Select(f => f.Name).OrderBy(n => n, StringComparer.Ordinal));
                Assert.Equal("Failed", broken.Result);
                Assert.Equal(s_hosts.Length * s_checks.Length + 1 - expected.Length, broken.Passed.Count);
                // Each failure says why, in the report an operator reads.
                Assert.Contains("*", broken.Message(expected[0]));
                Assert.Contains("ConnectionRefused", broken.Message(expected[1]));
                Assert.Contains("ConnectionRefused", broken.Message(expected[2]));
                Assert.Contains("cert.pem", broken.Message(expected[3]));
                Assert.Contains("but got 9", broken.Message(expected[4]));
                Assert.Contains("ExtensionFailed", broken.Message(expected[5]));
                Assert.Contains("Failed", broken.Message(expected[6]));
                Assert.Contains("ExtensionFailed", broken.Message(expected[7]));
            }
            finally
            {
                foreach (var daemon in daemons.Values)
                {
                    daemon.Dispose();
                }

                if (Directory.Exists(work))
                {
                    Directory.Delete(work, recursive: true);
                }
            }

            // Nothing secret in anything the runs printed: no key, no token.
            foreach (var run in transcript)
            {
                Assert.DoesNotContain("PRIVATE KEY", run.Text);
                Assert.DoesNotContain("fake-arm-token-", run.Text);
            }

            // About 30 s on an idle 2-core machine (three pwsh processes, four daemons); reported, not asserted.
            _output.WriteLine($"fleet of {s_hosts.Length}, two suite runs: {clock.Elapsed.TotalSeconds:0.0} s");
        }

        /// <summary>Runs the suite through tests/Pester/TestHelpers/Invoke-OperationsSuite.ps1 and reads its result file.</summary>
        private SuiteResult RunSuite(List<ToolRun> transcript, IDictionary<string, string> environment, string work, string name, string resourceGroup)
        {
            string resultFile = Path.Combine(work, name + ".json");
            var arguments = new List<string> { "-File", "./tests/Pester/TestHelpers/Invoke-OperationsSuite.ps1", "-ResultPath", resultFile };
            if (resourceGroup != null)
            {
                arguments.AddRange(new[] { "-ResourceGroupName", resourceGroup });
            }

            Pwsh(transcript, environment, arguments.ToArray());
            using var result = JsonDocument.Parse(File.ReadAllText(resultFile));
            var tests = result.RootElement.GetProperty("Tests").EnumerateArray()
                .Select(t => (Name: t.GetProperty("Name").GetString(), Result: t.GetProperty("Result").GetString(), Message: t.GetProperty("Message").GetString()))
                .ToList();
            Assert.Equal(0, result.RootElement.GetProperty("FailedContainers").GetInt32());
            Assert.Equal(0, result.RootElement.GetProperty("FailedBlocks").GetInt32());
            Assert.Equal(0, result.RootElement.GetProperty("NotRun").GetInt32());
            return new SuiteResult(result.RootElement.GetProperty("Result").GetString(), tests);
        }

        /// <summary>A real pwsh (the repository's pinned one), from the repository root; fails the test when it fails.</summary>
        private ToolRun Pwsh(List<ToolRun> transcript, IDictionary<string, string> environment, params string[] arguments)
        {
            var run = ExternalTool.Run("dotnet", new[] { "tool", "run", "pwsh", "--", "-NoProfile", "-NonInteractive" }.Concat(arguments), environment,
                workingDirectory: RepoPaths.Root, timeoutMs: 90_000);
            transcript.Add(run);
            _output.WriteLine($"pwsh {string.Join(' ', arguments.Take(2))}: exit {run.ExitCode} in {run.Elapsed.TotalSeconds:0.0} s");
            _output.WriteLine(run.Text);
            return run.ThrowIfFailed("pwsh " + string.Join(' ', arguments.Take(2)));
        }

        /// <summary>Swaps a host's client certificate for one of the group's CA that expires in <paramref name="validityDays"/> days.</summary>
        private static void ReplaceClientCertificate(string dockerConfig, string subscriptionId, string hostSet, string work, int validityDays)
        {
            string authority = Path.Combine(dockerConfig, "azdockervm", "ca", subscriptionId, Group);
            string shortLived = Path.Combine(work, "short-lived");
            using (var ps = new PowerShellSession())
            {
                ps.Run("$null = New-DockerTlsCertificate -IPAddress 127.0.0.250 -ValidityDays $Days -CertificateAuthorityPath $Ca -Path $F",
                    new { Days = validityDays, Ca = authority, F = shortLived }).ThrowIfFailed();
            }

            foreach (string file in new[] { "cert.pem", "key.pem" })
            {
                File.Copy(Path.Combine(shortLived, file), Path.Combine(hostSet, file), overwrite: true);
            }
        }

        /// <summary>A set for a host's daemon (the group's CA; the host's FQDN, public and private IP) whose server certificate expires in <paramref name="validityDays"/> days.</summary>
        private static string ShortLivedServerSet(string dockerConfig, string subscriptionId, JsonObject host, string work, int validityDays)
        {
            string authority = Path.Combine(dockerConfig, "azdockervm", "ca", subscriptionId, Group);
            string folder = Path.Combine(work, "short-lived-server-" + (string)host["Name"]);
            using var ps = new PowerShellSession();
            ps.Run("$null = New-DockerTlsCertificate -DnsName $Fqdn -IPAddress $Public, $Private -ValidityDays $Days -CertificateAuthorityPath $Ca -Path $F",
                new { Fqdn = (string)host["Fqdn"], Public = (string)host["PublicIpAddress"], Private = (string)host["PrivateIpAddress"], Days = validityDays, Ca = authority, F = folder }).ThrowIfFailed();
            return folder;
        }

        private sealed class SuiteResult
        {
            private readonly List<(string Name, string Result, string Message)> _tests;

            public SuiteResult(string result, List<(string Name, string Result, string Message)> tests)
            {
                Result = result;
                _tests = tests;
            }

            public string Result { get; }

            public List<string> Passed => _tests.Where(t => t.Result == "Passed").Select(t => t.Name).ToList();

            public List<(string Name, string Message)> Failed => _tests.Where(t => t.Result != "Passed").Select(t => (t.Name, t.Message)).ToList();

            public string Message(string name) => _tests.Single(t => t.Name == name).Message ?? string.Empty;
        }
    }

    /// <summary>
    /// Needs what the operations suite's CI run needs: a throw-away dockerd (root, dockerd, docker CLI, openssl) and
    /// Pester 5 in out/test-modules (tests/run-all.sh puts it there; so does the setup in the README). Evaluated at discovery.
    /// </summary>
    public sealed class OperationsSuiteFactAttribute : FactAttribute
    {
        public OperationsSuiteFactAttribute()
        {
            Skip = TestPrerequisites.SkipReason(() => TestPrerequisites.CannotStartDockerd() ?? PesterMissing());
        }

        private static string PesterMissing()
        {
            string folder = Path.Combine(RepoPaths.Root, "out", "test-modules", "Pester");
            return Directory.Exists(folder) && Directory.EnumerateFiles(folder, "Pester.psd1", SearchOption.AllDirectories).Any()
                ? null
                : "Pester 5 is not in out/test-modules (tests/run-all.sh copies Pester 5.7.1 from NuGet there)";
        }
    }
}

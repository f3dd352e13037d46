using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using AzDockerVm.Tests.Bench;
using AzDockerVm.Tests.Docker;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>
    /// What the tests of certificate rollouts to a VM (renewal, CA rotation) share: the fake ARM, a VM at 127.0.0.1 whose "/etc/docker/tls" is a folder
    /// here, an extension handler that does with a rollout PUT what the script does (the files in, dockerd restarted),
    /// and the checks a client makes (Test-AzDockerHost, the docker CLI through the VM's context).
    /// </summary>
    public abstract class EmulatedVmDockerdTests : IAsyncLifetime
    {
        protected List<ExtensionPut> Puts { get; } = new List<ExtensionPut>();

        protected AzureBench Bench { get; private set; }

        protected string VmTls { get; private set; }

        protected int Port { get; set; }

        public async Task InitializeAsync()
        {
            Bench = await AzureBench.StartAsync();
            VmTls = Path.Combine(Path.GetDirectoryName(Bench.DockerConfig), "vm-etc-docker-tls");
        }

        public async Task DisposeAsync() => await Bench.DisposeAsync();

        protected string Set => Path.Combine(Bench.DockerConfig, "azdockervm", "127.0.0.1");

        protected string Endpoint => "tcp://127.0.0.1:" + Port;

        /// <summary>What the script does with a rollout PUT: the files into /etc/docker/tls (ca.pem when sent), dockerd restarted (unless <paramref name="restart"/> is null: a VM that does not restart).</summary>
        protected Func<ExtensionPut, ExtensionOutcome> VmInstalls(Func<Dockerd> restart)
            => put =>
            {
                Puts.Add(put);
                string ca = put.ScriptSetting("AZDV_CA_B64");
                if (!string.IsNullOrEmpty(ca))
                {
                    File.WriteAllText(Path.Combine(VmTls, "ca.pem"), ca);
                }

                File.WriteAllText(Path.Combine(VmTls, "server-cert.pem"), put.ScriptSetting("AZDV_CERT_B64"));
                File.WriteAllText(Path.Combine(VmTls, "server-key.pem"), put.ScriptSetting("AZDV_KEY_B64"));
                restart?.Invoke();
                return ExtensionOutcome.Success($"AZDOCKERVM status=ok docker=20.10.24 port={Port} tls=on changed=true started=true live-restore=on served=-\n");
            };

        protected string Snapshot() => string.Join("\n", Directory.GetFiles(Bench.DockerConfig, "*", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => f + " " + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))));

        protected PSObject TestHost(string client)
            => Bench.Ps.Run("Test-AzDockerHost -Endpoint $e -CertificatePath $p -TimeoutSec 10", new { e = Endpoint, p = client }).ThrowIfFailed().Single();

        protected void AssertWorks(string client)
        {
            var result = TestHost(client);
            Assert.True((bool)result.Properties["Success"].Value, client + ": " + result.Properties["Reason"].Value + ": " + result.Properties["Message"].Value);
        }

        /// <summary>The docker CLI through the context named after the VM (made from the set by Set-AzDockerExtension).</summary>
        protected void AssertContextWorks(Dockerd daemon)
        {
            ToolRun run = DockerCli.Run(Bench.DockerConfig, "--context", "vm1", "version", "--format", "{{.Server.Version}}");
            Assert.True(run.ExitCode == 0 && run.StdOut.Trim().Length > 0, run.Text + "\n" + daemon.LogTail());
        }

        protected static int PemCount(string file) => File.ReadAllText(file).Split("BEGIN CERTIFICATE").Length - 1;

        protected string Copy(string from, string name)
        {
            string to = Path.Combine(Path.GetDirectoryName(Bench.DockerConfig), name);
            Directory.CreateDirectory(to);
            foreach (string file in new[] { "ca.pem", "cert.pem", "key.pem" })
            {
                File.Copy(Path.Combine(from, file), Path.Combine(to, file), overwrite: true);
            }

            return to;
        }
    }
}

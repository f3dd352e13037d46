using System;
using System.Collections.Concurrent;
using System.IO;
using System.Management.Automation;
using AzDockerVm.Tests.Bench;

namespace AzDockerVm.Tests.Tls
{
    /// <summary>One set per key algorithm, created once through the cmdlet and shared by the tests that inspect it.</summary>
    public sealed class GeneratedSets : IDisposable
    {
        public static readonly string[] DnsNames = { "docker.example.test", "*.apps.example.test" };
        public static readonly string[] IPAddresses = { "10.0.0.4", "2001:db8::4" };

        private readonly TempFolder _temp = new TempFolder();
        private readonly ConcurrentDictionary<string, Lazy<GeneratedSet>> _sets = new ConcurrentDictionary<string, Lazy<GeneratedSet>>();

        public GeneratedSet Get(string keyAlgorithm)
            => _sets.GetOrAdd(keyAlgorithm, a => new Lazy<GeneratedSet>(() => Create(a))).Value;

        public void Dispose() => _temp.Dispose();

        private GeneratedSet Create(string keyAlgorithm)
        {
            string folder = _temp.Combine(keyAlgorithm);
            using var ps = new PowerShellSession();
            var run = ps.Run(
                "$set = New-DockerTlsCertificate -DnsName $Dns -IPAddress $Ip -Path $Folder -KeyAlgorithm $Algorithm; $set; $set | Out-Default",
                new { Dns = DnsNames, Ip = IPAddresses, Folder = folder, Algorithm = keyAlgorithm }).ThrowIfFailed();
            return new GeneratedSet(folder, run.Single(), run.HostText, DateTime.UtcNow);
        }
    }

    public sealed class GeneratedSet
    {
        public GeneratedSet(string folder, PSObject output, string hostText, DateTime createdUtc)
        {
            Folder = folder;
            Output = output;
            HostText = hostText;
            CreatedUtc = createdUtc;
        }

        public string Folder { get; }

        /// <summary>The DockerTlsCertificateSet the cmdlet returned.</summary>
        public PSObject Output { get; }

        /// <summary>What `$set | Out-Default` showed on the host.</summary>
        public string HostText { get; }

        public DateTime CreatedUtc { get; }

        public string File(string name) => Path.Combine(Folder, name);

        public T Property<T>(string name) => (T)Output.Properties[name].Value;
    }
}

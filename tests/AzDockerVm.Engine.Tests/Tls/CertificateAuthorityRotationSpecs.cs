using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AzDockerVm.Engine.Tls;
using Xunit;

namespace AzDockerVm.Engine.Tests.Tls
{
    /// <summary>
    /// The engine's CA rotation as a VM's rollout uses it: Issue says what the daemon must get (server certificate,
    /// server key, trust bundle) and writes nothing; that part never holds a CA's key; Apply writes exactly those files
    /// into the set, and refuses when the set changed between the plan and the write.
    /// </summary>
    public sealed class CertificateAuthorityRotationSpecs : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "azdvm-rot-" + Guid.NewGuid().ToString("N").Substring(0, 10));
        private readonly string _set;

        public CertificateAuthorityRotationSpecs()
        {
            _set = Path.Combine(_root, "set");
            DockerTlsMaterial.Create(DockerTlsMaterial.Plan(new DockerTlsSetRequest
            {
                Path = _set,
                DnsNames = new List<string> { "host.example.test" },
                IPAddresses = new List<string> { "10.0.0.4" },
            }));
        }

        public void Dispose() => Directory.Delete(_root, recursive: true);

        [Fact]
        public void Start_gives_the_daemon_its_current_server_files_and_the_old_plus_new_CA_and_writes_nothing_until_Apply()
        {
            string oldCa = File.ReadAllText(Path.Combine(_set, "ca.pem"));
            string before = Snapshot();

            CertificateAuthorityRotationStep step = CertificateAuthorityRotation.Issue(CertificateAuthorityRotation.PlanStart(Request()));

            Assert.Equal(before, Snapshot());
            Assert.Equal(File.ReadAllText(Path.Combine(_set, "server-cert.pem")), step.Daemon.ServerCertificatePem);
            Assert.Equal(File.ReadAllText(Path.Combine(_set, "server-key.pem")), step.Daemon.ServerKeyPem);
            Assert.StartsWith(oldCa, step.Daemon.TrustBundlePem);
            Assert.Equal(new[] { Thumbprint(oldCa), step.NewCa.Thumbprint }, Certificates(step.Daemon.TrustBundlePem).Select(c => c.Thumbprint));
            Assert.Null(CertificateAuthorityRotation.ReadState(_set));

            CertificateAuthorityRotationResult result = CertificateAuthorityRotation.Apply(step);

            // What the daemon gets is what the set's files now are (what a local dockerd is started with).
            Assert.Equal(step.Daemon.TrustBundlePem, File.ReadAllText(Path.Combine(_set, "ca.pem")));
            Assert.Equal(step.Daemon.ServerCertificatePem, File.ReadAllText(Path.Combine(_set, "server-cert.pem")));
            Assert.Equal(step.Daemon.ServerKeyPem, File.ReadAllText(Path.Combine(_set, "server-key.pem")));
            Assert.Equal(CertificateAuthorityRotationState.InProgress, result.State.Status);
            Assert.Equal(Thumbprint(oldCa), result.State.OldCa.Thumbprint);
            Assert.Equal(step.NewCa.Thumbprint, result.State.NewCa.Thumbprint);
        }

        [Fact]
        public void Complete_gives_the_daemon_a_server_certificate_of_the_new_CA_and_the_new_CA_alone()
        {
            CertificateAuthorityRotationStep start = CertificateAuthorityRotation.Issue(CertificateAuthorityRotation.PlanStart(Request()));
            CertificateAuthorityRotation.Apply(start);
            string before = Snapshot();

            CertificateAuthorityRotationStep step = CertificateAuthorityRotation.Issue(CertificateAuthorityRotation.PlanComplete(Request()));

            Assert.Equal(before, Snapshot());
            Assert.Equal(new[] { start.NewCa.Thumbprint }, Certificates(step.Daemon.TrustBundlePem).Select(c => c.Thumbprint));
            using (var newCa = Certificates(step.Daemon.TrustBundlePem).Single())
            using (var server = X509Certificate2.CreateFromPem(step.Daemon.ServerCertificatePem, step.Daemon.ServerKeyPem))
            {
                Assert.True(server.HasPrivateKey);
                Assert.Equal(newCa.Subject, server.Issuer);
                Assert.True(Chains(server, newCa));
            }

            CertificateAuthorityRotation.Apply(step);
            Assert.Equal(step.Daemon.TrustBundlePem, File.ReadAllText(Path.Combine(_set, "ca.pem")));
            Assert.Equal(step.Daemon.ServerCertificatePem, File.ReadAllText(Path.Combine(_set, "server-cert.pem")));
            Assert.Equal(step.Daemon.ServerKeyPem, File.ReadAllText(Path.Combine(_set, "server-key.pem")));
            Assert.False(File.Exists(Path.Combine(_set, "ca-rotation", "old-ca-key.pem")));
            Assert.Equal(CertificateAuthorityRotationState.Completed, CertificateAuthorityRotation.ReadState(_set).Status);
        }

        [Fact]
        public void What_the_daemon_gets_in_either_phase_holds_no_CA_key_and_its_only_key_is_the_servers()
        {
            string oldCaKey = File.ReadAllText(Path.Combine(_set, "ca-key.pem"));
            CertificateAuthorityRotationStep start = CertificateAuthorityRotation.Issue(CertificateAuthorityRotation.PlanStart(Request()));
            CertificateAuthorityRotation.Apply(start);
            string newCaKey = File.ReadAllText(Path.Combine(_set, "ca-key.pem"));
            CertificateAuthorityRotationStep complete = CertificateAuthorityRotation.Issue(CertificateAuthorityRotation.PlanComplete(Request()));
            Assert.NotEqual(oldCaKey, newCaKey);

            foreach (DaemonTlsFiles daemon in new[] { start.Daemon, complete.Daemon })
            {
                string all = daemon.ServerCertificatePem + daemon.TrustBundlePem + daemon.ServerKeyPem;
                foreach (string caKey in new[] { oldCaKey, newCaKey })
                {
                    Assert.DoesNotContain(Body(caKey), all.Replace("\n", string.Empty));
                }

                Assert.DoesNotContain("PRIVATE KEY", daemon.ServerCertificatePem + daemon.TrustBundlePem);
                Assert.Equal(2, daemon.ServerKeyPem.Split("PRIVATE KEY-----").Length - 1); // one BEGIN and one END: a single key
                // CreateFromPem refuses a key that is not the certificate's: the one key there is the server's own.
                using var server = X509Certificate2.CreateFromPem(daemon.ServerCertificatePem, daemon.ServerKeyPem);
                Assert.True(server.HasPrivateKey);
                Assert.DoesNotContain(Certificates(daemon.TrustBundlePem), ca => ca.PublicKey.EncodedKeyValue.RawData.SequenceEqual(server.PublicKey.EncodedKeyValue.RawData));
            }

            // Neither does what a step shows of the local side: paths only.
            Assert.Contains(Path.Combine(_set, "ca-key.pem"), start.LocalFiles);
            Assert.All(start.LocalFiles, f => Assert.DoesNotContain("PRIVATE KEY", f));
        }

        [Fact]
        public void Apply_refuses_TlsSetChanged_when_a_target_changed_after_the_plan_and_writes_nothing()
        {
            CertificateAuthorityRotationStep step = CertificateAuthorityRotation.Issue(CertificateAuthorityRotation.PlanStart(Request()));
            File.AppendAllText(Path.Combine(_set, "ca.pem"), "\n");
            string before = Snapshot();

            var refused = Assert.Throws<AzDockerVmException>(() => CertificateAuthorityRotation.Apply(step));

            Assert.Equal("TlsSetChanged", refused.ErrorId);
            Assert.Equal(FailureKind.InvalidOperation, refused.Kind);
            Assert.Equal(Path.Combine(_set, "ca.pem"), refused.Target);
            Assert.Equal(before, Snapshot());
        }

        [Fact]
        public void A_step_applied_twice_is_refused_the_second_time()
        {
            CertificateAuthorityRotationStep step = CertificateAuthorityRotation.Issue(CertificateAuthorityRotation.PlanStart(Request()));
            CertificateAuthorityRotation.Apply(step);
            string before = Snapshot();

            Assert.Equal("TlsSetChanged", Assert.Throws<AzDockerVmException>(() => CertificateAuthorityRotation.Apply(step)).ErrorId);
            Assert.Equal(before, Snapshot());
        }

        private CertificateAuthorityRotationRequest Request() => new CertificateAuthorityRotationRequest { Path = _set };

        /// <summary>Relative path and SHA-256 of every file under the test's root.</summary>
        private string Snapshot()
            => string.Join("\n", Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => Path.GetRelativePath(_root, f) + " " + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))));

        private static List<X509Certificate2> Certificates(string pem)
        {
            var collection = new X509Certificate2Collection();
            collection.ImportFromPem(pem);
            return collection.Cast<X509Certificate2>().ToList();
        }

        private static string Thumbprint(string pem)
        {
            using var certificate = X509Certificate2.CreateFromPem(pem);
            return certificate.Thumbprint;
        }

        /// <summary>The base64 body of a PEM block, on one line.</summary>
        private static string Body(string pem)
            => string.Concat(pem.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal)));

        private static bool Chains(X509Certificate2 leaf, X509Certificate2 ca)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(leaf);
        }
    }
}

using System;
using System.IO;
using AzDockerVm.Engine.Tls;

namespace AzDockerVm.Benchmarks
{
    /// <summary>
    /// A full set (CA + server + client: keys and certificates written to a fresh temp folder) made by the engine and by
    /// the openssl recipe, same key type, interleaved so that both see the same machine noise; medians compared.
    /// </summary>
    internal static class TlsSetBenchmark
    {
        private const string Host = "docker.example.test";
        private const string Ip = "10.0.0.4";

        internal static void Run(int rsaSets, int ecSets)
        {
            Console.WriteLine("(1) Full TLS set: CA + server + client, keys and certificates written to a temp folder (ms)");
            Console.WriteLine("    ours = DockerTlsMaterial.Plan + Create in-process; openssl = Docker's documented recipe, one process per step");
            Compare("RSA-4096", "RSA4096", TlsKeyAlgorithm.Rsa4096, rsaSets, 1.0);
            Compare("ECDSA P-256", "ECDSA_P256", TlsKeyAlgorithm.EcdsaP256, ecSets, 0.5);
        }

        private static void Compare(string label, string recipeKey, TlsKeyAlgorithm algorithm, int sets, double target)
        {
            string root = Path.Combine(Path.GetTempPath(), "azdockervm-bench-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            try
            {
                // One warm-up each (JIT and BouncyCastle load for ours, disk cache for openssl), not counted.
                Ours(Path.Combine(root, "warm-ours"), algorithm);
                OpenSslRecipe.CreateSet(Path.Combine(root, "warm-openssl"), recipeKey, Host, Ip);
                var ours = new double[sets];
                var openssl = new double[sets];
                for (int i = 0; i < sets; i++)
                {
                    string oursFolder = Path.Combine(root, "ours-" + i), opensslFolder = Path.Combine(root, "openssl-" + i);
                    if (i % 2 == 0)
                    {
                        ours[i] = Program.Time(() => Ours(oursFolder, algorithm));
                        openssl[i] = Program.Time(() => OpenSslRecipe.CreateSet(opensslFolder, recipeKey, Host, Ip));
                    }
                    else
                    {
                        openssl[i] = Program.Time(() => OpenSslRecipe.CreateSet(opensslFolder, recipeKey, Host, Ip));
                        ours[i] = Program.Time(() => Ours(oursFolder, algorithm));
                    }
                }

                double ratio = Program.Median(ours) / Program.Median(openssl);
                Console.WriteLine($"    {label}, {sets} sets each:");
                Console.WriteLine($"      ours     median {Program.Median(ours),8:F1}  {Program.Samples(ours)}");
                Console.WriteLine($"      openssl  median {Program.Median(openssl),8:F1}  {Program.Samples(openssl)}");
                Console.WriteLine($"      ratio ours/openssl {ratio:F2}x  target <= {target:F1}x: {Program.Verdict(ratio <= target)}");
            }
            finally
            {
                if (Directory.Exists(root))
                {
                    Directory.Delete(root, recursive: true);
                }
            }
        }

        private static void Ours(string folder, TlsKeyAlgorithm algorithm)
        {
            var plan = DockerTlsMaterial.Plan(new DockerTlsSetRequest
            {
                DnsNames = { Host },
                IPAddresses = { Ip },
                Path = folder,
                KeyAlgorithm = algorithm,
            });
            DockerTlsMaterial.Create(plan);
        }
    }
}

using System;
using System.Diagnostics;
using System.IO;

namespace AzDockerVm.Benchmarks
{
    /// <summary>
    /// The recipe of Docker's documentation ("Protect the Docker daemon socket"), run as real openssl processes, without
    /// the passphrase (-aes256) so it runs unattended. EC sets use `openssl ecparam -name prime256v1 -genkey` instead of
    /// `openssl genrsa`. The extfile "echo" steps and the final chmod 0400 are done in-process (cheaper than a shell).
    /// </summary>
    internal static class OpenSslRecipe
    {
        internal static string Version() => Run(Path.GetTempPath(), "version").Trim();

        internal static void CreateSet(string folder, string keyAlgorithm, string host, string ip)
        {
            Directory.CreateDirectory(folder);
            GenerateKey(folder, keyAlgorithm, "ca-key.pem");
            Run(folder, "req", "-new", "-x509", "-days", "3650", "-key", "ca-key.pem", "-sha256", "-subj", "/CN=benchmark CA", "-out", "ca.pem");

            GenerateKey(folder, keyAlgorithm, "server-key.pem");
            Run(folder, "req", "-subj", "/CN=" + host, "-sha256", "-new", "-key", "server-key.pem", "-out", "server.csr");
            File.WriteAllText(Path.Combine(folder, "extfile.cnf"), $"subjectAltName = DNS:{host},IP:{ip}\nextendedKeyUsage = serverAuth\n");
            Run(folder, "x509", "-req", "-days", "825", "-sha256", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem",
                "-CAcreateserial", "-out", "server-cert.pem", "-extfile", "extfile.cnf");

            GenerateKey(folder, keyAlgorithm, "key.pem");
            Run(folder, "req", "-subj", "/CN=client", "-new", "-key", "key.pem", "-out", "client.csr");
            File.WriteAllText(Path.Combine(folder, "extfile-client.cnf"), "extendedKeyUsage = clientAuth\n");
            Run(folder, "x509", "-req", "-days", "825", "-sha256", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem",
                "-CAcreateserial", "-out", "cert.pem", "-extfile", "extfile-client.cnf");

            foreach (var key in new[] { "ca-key.pem", "server-key.pem", "key.pem" })
            {
                File.SetUnixFileMode(Path.Combine(folder, key), UnixFileMode.UserRead);
            }
        }

        private static void GenerateKey(string folder, string keyAlgorithm, string file)
        {
            if (keyAlgorithm == "ECDSA_P256")
            {
                Run(folder, "ecparam", "-name", "prime256v1", "-genkey", "-out", file);
            }
            else
            {
                Run(folder, "genrsa", "-out", file, keyAlgorithm.Substring("RSA".Length));
            }
        }

        private static string Run(string folder, params string[] args)
        {
            var psi = new ProcessStartInfo("openssl")
            {
                WorkingDirectory = folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in args) psi.ArgumentList.Add(arg);
            using var process = Process.Start(psi);
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"openssl {string.Join(" ", args)} failed ({process.ExitCode}): {stderr.Result}");
            }

            return stdout.Result;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Xunit;

namespace AzDockerVm.Tests.Tls
{
    /// <summary>A folder under the system temp folder, deleted with everything in it.</summary>
    public sealed class TempFolder : IDisposable
    {
        public TempFolder()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "azdockervm-tls-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string Combine(params string[] parts) => System.IO.Path.Combine(new[] { Path }.Concat(parts).ToArray());

        /// <summary>Every file below the folder with its bytes and write time: to prove that nothing changed.</summary>
        public IDictionary<string, (byte[] Bytes, DateTime Written)> Snapshot(string folder = null)
            => Directory.EnumerateFiles(folder ?? Path, "*", SearchOption.AllDirectories)
                .ToDictionary(f => f, f => (File.ReadAllBytes(f), File.GetLastWriteTimeUtc(f)));

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The real openssl CLI, to inspect what the module wrote the way a Docker administrator would.</summary>
    public static class OpenSsl
    {
        public static (int ExitCode, string StdOut, string StdErr) Run(string workingDirectory, params string[] args)
        {
            var psi = new ProcessStartInfo("openssl")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = workingDirectory ?? System.IO.Path.GetTempPath(),
            };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var process = Process.Start(psi);
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return (process.ExitCode, stdout.Result, stderr.Result);
        }

        /// <summary>Runs openssl and returns stdout; fails the test when openssl fails.</summary>
        public static string Ok(params string[] args)
        {
            var (exit, stdout, stderr) = Run(null, args);
            Assert.True(exit == 0, $"openssl {string.Join(" ", args)} failed ({exit}): {stderr}");
            return stdout;
        }

        public static string Text(string certificate) => Ok("x509", "-in", certificate, "-noout", "-text");

        /// <summary>One extension as `openssl x509 -ext` prints it: whether it is critical, and its value lines joined by ", ".</summary>
        public static (bool Present, bool Critical, string Value) Extension(string certificate, string name)
        {
            var lines = Ok("x509", "-in", certificate, "-noout", "-ext", name)
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (lines.Length == 0 || lines[0].StartsWith("No extensions", StringComparison.Ordinal))
            {
                return (false, false, null);
            }

            return (true, lines[0].EndsWith("critical", StringComparison.Ordinal), string.Join(", ", lines.Skip(1)));
        }

        /// <summary>The subjectAltName entries, e.g. "DNS:host.example", "IP:10.0.0.4" (IPv6 canonicalised).</summary>
        public static IReadOnlyList<string> SubjectAltNames(string certificate)
        {
            var (present, _, value) = Extension(certificate, "subjectAltName");
            if (!present) return Array.Empty<string>();
            return value.Split(", ", StringSplitOptions.RemoveEmptyEntries)
                .Select(e => e.StartsWith("IP Address:", StringComparison.Ordinal)
                    ? "IP:" + System.Net.IPAddress.Parse(e.Substring("IP Address:".Length))
                    : e)
                .ToList();
        }

        public static string Field(string certificate, string option, string prefix)
        {
            string line = Ok("x509", "-in", certificate, "-noout", option, "-dateopt", "iso_8601").Trim();
            Assert.StartsWith(prefix, line);
            return line.Substring(prefix.Length);
        }

        public static DateTime NotBefore(string certificate) => ParseDate(Field(certificate, "-startdate", "notBefore="));

        public static DateTime NotAfter(string certificate) => ParseDate(Field(certificate, "-enddate", "notAfter="));

        public static string Serial(string certificate) => Field(certificate, "-serial", "serial=");

        public static string Sha1Thumbprint(string certificate)
            => Field(certificate, "-fingerprint", "SHA1 Fingerprint=").Replace(":", string.Empty);

        /// <summary>`openssl verify -x509_strict` (RFC 5280 profile checks on top of the chain) against one CA file.</summary>
        public static (int ExitCode, string Output) Verify(string caFile, string purpose, params string[] certificates)
            => Verify(strict: true, caFile, purpose, certificates);

        public static (int ExitCode, string Output) Verify(bool strict, string caFile, string purpose, params string[] certificates)
        {
            var args = new List<string> { "verify", "-CAfile", caFile };
            if (strict) args.Add("-x509_strict");
            if (purpose != null) args.AddRange(new[] { "-purpose", purpose });
            args.AddRange(certificates);
            var (exit, stdout, stderr) = Run(null, args.ToArray());
            return (exit, stdout + stderr);
        }

        /// <summary>
        /// A self-signed certificate with any validity window (even one in the past): OpenSSL 3.0's req/x509 refuse
        /// -days 0 or negative, but `openssl ca -selfsign` takes -startdate/-enddate.
        /// </summary>
        public static void CreateSelfSignedCa(string folder, DateTime notBefore, DateTime notAfter, string keyAlgorithm = "ec", bool isCa = true)
        {
            Directory.CreateDirectory(folder);
            string work = System.IO.Path.Combine(folder, ".openssl-ca");
            Directory.CreateDirectory(work);
            File.WriteAllText(System.IO.Path.Combine(work, "ca.cnf"),
                "[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\ndefault_md = sha256\npolicy = p\n" +
                "x509_extensions = ext\n[p]\ncommonName = supplied\n[ext]\n" +
                (isCa ? "basicConstraints = critical,CA:true\nkeyUsage = critical,keyCertSign,cRLSign\n" : "basicConstraints = critical,CA:false\nkeyUsage = critical,digitalSignature\n") +
                "subjectKeyIdentifier = hash\n");
            File.WriteAllText(System.IO.Path.Combine(work, "index.txt"), string.Empty);
            File.WriteAllText(System.IO.Path.Combine(work, "serial"), "1000\n");
            string key = System.IO.Path.Combine(folder, "ca-key.pem");
            string[] newKey = keyAlgorithm == "rsa"
                ? new[] { "-newkey", "rsa:2048" }
                : new[] { "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256" };
            Check(Run(work, new[] { "req", "-new", "-nodes", "-keyout", key, "-out", "ca.csr", "-subj", "/CN=test ca" }.Concat(newKey).ToArray()));
            Check(Run(work, "ca", "-batch", "-config", "ca.cnf", "-selfsign", "-keyfile", key, "-in", "ca.csr", "-notext",
                "-out", System.IO.Path.Combine(folder, "ca.pem"),
                "-startdate", notBefore.ToString("yyyyMMddHHmmss'Z'", CultureInfo.InvariantCulture),
                "-enddate", notAfter.ToString("yyyyMMddHHmmss'Z'", CultureInfo.InvariantCulture)));
            Directory.Delete(work, recursive: true);
        }

        /// <summary>The CA of Docker's documentation recipe: `openssl genrsa` + `openssl req -new -x509 -days 365 -sha256`.</summary>
        public static void CreateDocsRecipeCa(string folder)
        {
            Directory.CreateDirectory(folder);
            string key = System.IO.Path.Combine(folder, "ca-key.pem");
            Ok("genrsa", "-traditional", "-out", key, "2048");
            Ok("req", "-new", "-x509", "-days", "365", "-key", key, "-sha256", "-subj", "/CN=docs recipe ca", "-out", System.IO.Path.Combine(folder, "ca.pem"));
        }

        private static void Check((int ExitCode, string StdOut, string StdErr) result)
            => Assert.True(result.ExitCode == 0, "openssl failed: " + result.StdErr);

        private static DateTime ParseDate(string iso) => DateTime.ParseExact(iso, "yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
    }
}

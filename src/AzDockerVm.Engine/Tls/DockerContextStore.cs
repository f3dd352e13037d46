using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using AzDockerVm.Engine.Docker;
using AzDockerVm.Engine.IO;
using AzDockerVm.Engine.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace AzDockerVm.Engine.Tls
{
    /// <summary>What New-DockerContext asks for. Paths are absolute; DockerConfig null means ~/.docker.</summary>
    public sealed class DockerContextRequest
    {
        public string Name { get; set; }

        public string Endpoint { get; set; }

        public string Description { get; set; }

        public string CaFile { get; set; }

        public string CertFile { get; set; }

        public string KeyFile { get; set; }

        public string DockerConfig { get; set; }

        public bool Use { get; set; }

        public bool Overwrite { get; set; }
    }

    /// <summary>A validated context, ready to write: every check that can fail on input has passed.</summary>
    public sealed class DockerContextPlan
    {
        internal DockerContextPlan()
        {
        }

        public string Name { get; internal set; }

        /// <summary>The canonical tcp://host:port endpoint.</summary>
        public string Endpoint { get; internal set; }

        public string Description { get; internal set; }

        public string DockerConfig { get; internal set; }

        public string MetaFile { get; internal set; }

        public string TlsPath { get; internal set; }

        public bool Use { get; internal set; }

        /// <summary>True when a context of that name exists and will be replaced.</summary>
        public bool ReplacesExisting { get; internal set; }

        internal string MetaJson { get; set; }

        internal IReadOnlyList<PlannedFile> Files { get; set; }

        internal JObject Config { get; set; }
    }

    /// <summary>The context as written.</summary>
    public sealed class DockerContextResult
    {
        public string Name { get; set; }

        public string Endpoint { get; set; }

        public string Description { get; set; }

        public bool Current { get; set; }

        public string DockerConfig { get; set; }

        public string MetaFile { get; set; }

        public string TlsPath { get; set; }
    }

    /// <summary>A docker context's copy of a set's client files: the context's name and its TLS folder.</summary>
    public sealed class DockerContextTlsCopy
    {
        internal DockerContextTlsCopy(string name, string tlsPath)
        {
            Name = name;
            TlsPath = tlsPath;
        }

        public string Name { get; }

        public string TlsPath { get; }
    }

    /// <summary>
    /// Writes docker CLI contexts in the CLI's own on-disk format:
    /// $DOCKER_CONFIG/contexts/meta/&lt;sha256(name)&gt;/meta.json (dir 0755, file 0644) and
    /// $DOCKER_CONFIG/contexts/tls/&lt;sha256(name)&gt;/docker/{ca,cert,key}.pem (dirs 0700, files 0600).
    /// </summary>
    public static class DockerContextStore
    {
        private static readonly Regex s_validName = TextRules.Whole("[a-zA-Z0-9][a-zA-Z0-9_.+-]+");

        /// <summary>~/.docker, the docker CLI's default when DOCKER_CONFIG is not set.</summary>
        public static string DefaultDockerConfig()
        {
            string home = Environment.GetEnvironmentVariable("HOME");
            if (string.IsNullOrEmpty(home))
            {
                home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            }

            return Path.Combine(home, ".docker");
        }

        /// <summary>The folder name the CLI uses for a context: lowercase hex SHA-256 of the UTF-8 name.</summary>
        public static string ContextDirectoryName(string name)
        {
            using (var sha = SHA256.Create())
            {
                byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(name));
                return string.Concat(hash.Select(b => b.ToString("x2")));
            }
        }

        /// <summary>Validates everything and reads the PEM files; writes nothing.</summary>
        public static DockerContextPlan Prepare(DockerContextRequest request)
        {
            ValidateName(request.Name);
            DockerEndpoint endpoint = DockerEndpoint.Parse(request.Endpoint);

            // Through PemFile, so a missing file, a BOM or a non-PEM file fails here with its stable error; then the
            // set must hold together (key of cert.pem, cert.pem issued by ca.pem), or the docker CLI would fail later.
            DockerClientCredentials.Require(request.CaFile, request.CertFile, request.KeyFile);

            string dockerConfig = string.IsNullOrEmpty(request.DockerConfig) ? DefaultDockerConfig() : request.DockerConfig;
            string hash = ContextDirectoryName(request.Name);
            string metaDirectory = Path.Combine(dockerConfig, "contexts", "meta", hash);
            string tlsContextDirectory = Path.Combine(dockerConfig, "contexts", "tls", hash);
            string tlsPath = Path.Combine(tlsContextDirectory, "docker");
            string metaFile = Path.Combine(metaDirectory, "meta.json");

            bool exists = File.Exists(metaFile) || Directory.Exists(tlsContextDirectory);
            if (exists && !request.Overwrite)
            {
                throw new AzDockerVmException("ContextExists", FailureKind.ResourceExists, request.Name,
                    $"A docker context named '{request.Name}' already exists in '{dockerConfig}'. Nothing was written.");
            }

            var plan = new DockerContextPlan
            {
                Name = request.Name,
                Endpoint = endpoint.ToString(),
                Description = request.Description,
                DockerConfig = dockerConfig,
                MetaFile = metaFile,
                TlsPath = tlsPath,
                Use = request.Use,
                ReplacesExisting = exists,
                Config = request.Use ? DockerConfigFile.Read(dockerConfig) : null,
            };
            // Every target checked before anything is written: a folder named key.pem, a file where a folder must be,
            // a folder that takes no files.
            StagedFileSet.Check(TargetFiles(dockerConfig, request.Name, request.Use), request.Name, WriteAdvice);
            plan.MetaJson = MetaJson(plan);
            plan.Files = new[]
            {
                new PlannedFile(Path.Combine(tlsPath, DockerTlsFileNames.CaCertificate), ReadText(request.CaFile), isPrivate: true),
                new PlannedFile(Path.Combine(tlsPath, DockerTlsFileNames.ClientCertificate), ReadText(request.CertFile), isPrivate: true),
                new PlannedFile(Path.Combine(tlsPath, DockerTlsFileNames.ClientKey), ReadText(request.KeyFile), isPrivate: true),
                new PlannedFile(metaFile, plan.MetaJson, isPrivate: false),
            };
            return plan;
        }

        /// <summary>Writes the context all-or-nothing, then (with Use) makes it the current context.</summary>
        public static DockerContextResult Write(DockerContextPlan plan)
        {
            // The CLI's modes: DOCKER_CONFIG private, contexts/ and meta/ 0755, tls/ and below 0700.
            string contexts = Path.Combine(plan.DockerConfig, "contexts");
            string tlsContextDirectory = Path.GetDirectoryName(plan.TlsPath);
            var folders = new[]
            {
                (plan.DockerConfig, false),
                (contexts, true),
                (Path.Combine(contexts, "meta"), true),
                (Path.GetDirectoryName(plan.MetaFile), true),
                (Path.Combine(contexts, "tls"), false),
                (tlsContextDirectory, false),
                (plan.TlsPath, false),
            };
            var created = new List<string>();
            try
            {
                foreach (var (folder, worldReadable) in folders)
                {
                    CreateDirectory(folder, worldReadable, created, plan.Name);
                }

                StagedFileSet.Write(plan.Files.ToList(), overwrite: true, plan.Name, WriteAdvice);
                created.Clear();
            }
            finally
            {
                // A failure leaves nothing behind: remove the (still empty) folders this call created, deepest first.
                foreach (string directory in Enumerable.Reverse(created))
                {
                    StagedFileSet.TryRemoveEmptyDirectory(directory);
                }
            }

            FilePermissions.AllowOthersToReadFile(plan.MetaFile);
            bool current;
            if (plan.Use)
            {
                plan.Config["currentContext"] = plan.Name;
                DockerConfigFile.Write(plan.DockerConfig, plan.Config, plan.Name);
                current = true;
            }
            else
            {
                current = string.Equals(DockerConfigFile.TryReadCurrentContext(plan.DockerConfig), plan.Name, StringComparison.Ordinal);
            }

            return new DockerContextResult
            {
                Name = plan.Name,
                Endpoint = plan.Endpoint,
                Description = plan.Description,
                Current = current,
                DockerConfig = plan.DockerConfig,
                MetaFile = plan.MetaFile,
                TlsPath = plan.TlsPath,
            };
        }

        private const string WriteAdvice = "Point $env:DOCKER_CONFIG at a folder you can write to.";

        /// <summary>The files writing context <paramref name="name"/> creates or replaces (config.json too with <paramref name="use"/>).</summary>
        internal static IReadOnlyList<string> TargetFiles(string dockerConfig, string name, bool use)
        {
            string hash = ContextDirectoryName(name);
            string tlsPath = Path.Combine(dockerConfig, "contexts", "tls", hash, "docker");
            var files = new List<string>
            {
                Path.Combine(tlsPath, DockerTlsFileNames.CaCertificate),
                Path.Combine(tlsPath, DockerTlsFileNames.ClientCertificate),
                Path.Combine(tlsPath, DockerTlsFileNames.ClientKey),
                Path.Combine(dockerConfig, "contexts", "meta", hash, "meta.json"),
            };
            if (use)
            {
                files.Add(Path.Combine(dockerConfig, "config.json"));
            }

            return files;
        }

        /// <summary>True when a context of that name exists in <paramref name="dockerConfig"/> (its meta.json or its TLS folder).</summary>
        internal static bool Exists(string dockerConfig, string name)
        {
            string hash = ContextDirectoryName(name);
            return File.Exists(Path.Combine(dockerConfig, "contexts", "meta", hash, "meta.json"))
                || Directory.Exists(Path.Combine(dockerConfig, "contexts", "tls", hash));
        }

        /// <summary>Deletes a context (its meta and TLS folders); when it was the current one, the CLI goes back to its default.</summary>
        internal static void Remove(string dockerConfig, string name)
        {
            string hash = ContextDirectoryName(name);
            foreach (string folder in new[] { Path.Combine(dockerConfig, "contexts", "meta", hash), Path.Combine(dockerConfig, "contexts", "tls", hash) }.Where(Directory.Exists))
            {
                Directory.Delete(folder, recursive: true);
            }

            if (string.Equals(DockerConfigFile.TryReadCurrentContext(dockerConfig), name, StringComparison.Ordinal))
            {
                JObject config = DockerConfigFile.Read(dockerConfig);
                config.Remove("currentContext");
                DockerConfigFile.Write(dockerConfig, config, name);
            }
        }

        /// <summary>The docker endpoint of an existing context, or null (no context, or one the CLI could not read either).</summary>
        internal static string ReadEndpoint(string dockerConfig, string name)
        {
            string meta = Path.Combine(dockerConfig, "contexts", "meta", ContextDirectoryName(name), "meta.json");
            try
            {
                return File.Exists(meta) ? (string)JObject.Parse(ReadText(meta))["Endpoints"]?["docker"]?["Host"] : null;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is JsonException)
            {
                return null;
            }
        }

        /// <summary>
        /// The contexts of <paramref name="dockerConfig"/> whose client certificate (contexts/tls/&lt;hash&gt;/docker/cert.pem)
        /// is byte for byte <paramref name="clientCertificate"/>: the contexts made from that set (New-DockerContext and
        /// New-AzDockerVm copy the files as they are). Unreadable contexts are passed over.
        /// </summary>
        internal static IReadOnlyList<DockerContextTlsCopy> FindByClientCertificate(string dockerConfig, byte[] clientCertificate)
        {
            string tlsRoot = Path.Combine(dockerConfig, "contexts", "tls");
            var found = new List<DockerContextTlsCopy>();
            if (!Directory.Exists(tlsRoot))
            {
                return found;
            }

            foreach (string contextFolder in Directory.EnumerateDirectories(tlsRoot).OrderBy(f => f, StringComparer.Ordinal))
            {
                string tlsPath = Path.Combine(contextFolder, "docker");
                string cert = Path.Combine(tlsPath, DockerTlsFileNames.ClientCertificate);
                try
                {
                    if (File.Exists(cert) && File.ReadAllBytes(cert).SequenceEqual(clientCertificate))
                    {
                        found.Add(new DockerContextTlsCopy(ReadName(dockerConfig, Path.GetFileName(contextFolder)), tlsPath));
                    }
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                }
            }

            return found;
        }

        /// <summary>Where a context keeps its client files: cert.pem, key.pem.</summary>
        internal static IReadOnlyList<string> ClientFilePaths(DockerContextTlsCopy context)
            => new[] { Path.Combine(context.TlsPath, DockerTlsFileNames.ClientCertificate), Path.Combine(context.TlsPath, DockerTlsFileNames.ClientKey) };

        /// <summary>The files that give a context new client files (owner-only, like all its TLS files).</summary>
        internal static IEnumerable<PlannedFile> ClientFiles(DockerContextTlsCopy context, string certificatePem, string keyPem)
        {
            IReadOnlyList<string> paths = ClientFilePaths(context);
            yield return new PlannedFile(paths[0], certificatePem, isPrivate: true);
            yield return new PlannedFile(paths[1], keyPem, isPrivate: true);
        }

        /// <summary>The name in a context's meta.json; its folder's hash when meta.json cannot tell.</summary>
        private static string ReadName(string dockerConfig, string hash)
        {
            string meta = Path.Combine(dockerConfig, "contexts", "meta", hash, "meta.json");
            try
            {
                return File.Exists(meta) ? (string)JObject.Parse(ReadText(meta))["Name"] ?? hash : hash;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is JsonException)
            {
                return hash;
            }
        }

        /// <summary>Refuses, writing nothing, a context that could not be written (see <see cref="StagedFileSet.Check"/>).</summary>
        internal static void RequireWritable(string dockerConfig, string name)
            => StagedFileSet.Check(TargetFiles(dockerConfig, name, use: false), name, WriteAdvice);

        public static void ValidateName(string name)
        {
            if (name == null || !s_validName.IsMatch(name) || name == "default")
            {
                throw new AzDockerVmException("InvalidContextName", FailureKind.InvalidArgument, name,
                    $"'{name}' is not a valid docker context name: the docker CLI requires ^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$ and reserves 'default'.",
                    "Use letters, digits, '_', '.', '+' and '-', starting with a letter or digit, e.g. 'azvm-westeurope'.");
            }
        }

        private static string MetaJson(DockerContextPlan plan)
        {
            var metadata = new JObject();
            if (!string.IsNullOrEmpty(plan.Description))
            {
                metadata["Description"] = plan.Description;
            }

            var meta = new JObject
            {
                ["Name"] = plan.Name,
                ["Metadata"] = metadata,
                ["Endpoints"] = new JObject
                {
                    ["docker"] = new JObject { ["Host"] = plan.Endpoint, ["SkipTLSVerify"] = false },
                },
            };
            return meta.ToString(Formatting.None);
        }

        private static string ReadText(string path) => File.ReadAllText(path, new UTF8Encoding(false));

        private static void CreateDirectory(string directory, bool worldReadable, List<string> created, object target)
        {
            if (Directory.Exists(directory))
            {
                return;
            }

            try
            {
                if (!Directory.Exists(Path.GetDirectoryName(directory)))
                {
                    // Only DOCKER_CONFIG's own parents can be missing here: they are the user's folders, made private.
                    StagedFileSet.EnsureDirectory(Path.GetDirectoryName(directory), target);
                }

                Directory.CreateDirectory(directory);
                created.Add(directory);
                if (worldReadable)
                {
                    FilePermissions.AllowOthersToReadDirectory(directory);
                }
                else
                {
                    FilePermissions.RestrictDirectoryToOwner(directory);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new AzDockerVmException("PathNotWritable", FailureKind.WriteError, target,
                    $"Cannot create '{directory}': {ex.Message} Nothing was written.", WriteAdvice, ex);
            }
        }

    }
}

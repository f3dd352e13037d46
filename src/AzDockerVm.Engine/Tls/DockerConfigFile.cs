using System;
using System.IO;
using System.Text;
using AzDockerVm.Engine.IO;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace AzDockerVm.Engine.Tls
{
    /// <summary>
    /// $DOCKER_CONFIG/config.json, read and rewritten so that every key we don't set survives unchanged
    /// (credentials helpers, auths, proxies...). Rewrites are atomic and keep the file's mode.
    /// </summary>
    internal static class DockerConfigFile
    {
        private static readonly Encoding s_utf8NoBom = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

        public static string PathIn(string dockerConfig) => Path.Combine(dockerConfig, "config.json");

        /// <summary>The parsed file, or an empty object when there is none; InvalidData when it isn't a JSON object.</summary>
        public static JObject Read(string dockerConfig)
        {
            string path = PathIn(dockerConfig);
            if (!File.Exists(path))
            {
                return new JObject();
            }

            string text = File.ReadAllText(path, s_utf8NoBom);
            if (text.Trim().Length == 0)
            {
                return new JObject();
            }

            try
            {
                // Strings stay strings (no date reinterpretation) and numbers keep their precision.
                using (var reader = new JsonTextReader(new StringReader(text)) { DateParseHandling = DateParseHandling.None, FloatParseHandling = FloatParseHandling.Decimal })
                {
                    return JObject.Load(reader);
                }
            }
            catch (JsonException ex)
            {
                throw new AzDockerVmException("DockerConfigInvalid", FailureKind.InvalidData, path,
                    $"'{path}' is not a valid docker CLI config file: {ex.Message} Nothing was written.",
                    "Fix or remove the file (the docker CLI cannot read it either), or leave out -Use.");
            }
        }

        public static string TryReadCurrentContext(string dockerConfig)
        {
            try
            {
                JToken current = Read(dockerConfig)["currentContext"];
                return current?.Type == JTokenType.String ? (string)current : null;
            }
            catch (AzDockerVmException)
            {
                return null;
            }
        }

        /// <summary>Replaces config.json atomically: a sibling temp file (a copy, so it has the file's mode) renamed over it.</summary>
        public static void Write(string dockerConfig, JObject config, object target)
        {
            string path = PathIn(dockerConfig);
            string temp = Path.Combine(dockerConfig, ".config.json." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            try
            {
                bool exists = File.Exists(path);
                if (exists)
                {
                    File.Copy(path, temp);
                }
                else
                {
                    using (new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
                    {
                    }

                    FilePermissions.RestrictFileToOwner(temp);
                }

                using (var stream = new FileStream(temp, FileMode.Truncate, FileAccess.Write))
                using (var writer = new StreamWriter(stream, s_utf8NoBom))
                using (var json = new JsonTextWriter(writer) { Formatting = Formatting.Indented, Indentation = 1, IndentChar = '\t' })
                {
                    config.WriteTo(json);
                    json.Flush();
                    writer.Flush();
                    stream.Flush(flushToDisk: true);
                }

                if (exists)
                {
                    File.Replace(temp, path, destinationBackupFileName: null);
                }
                else
                {
                    File.Move(temp, path);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new AzDockerVmException("PathNotWritable", FailureKind.WriteError, target,
                    $"The context was written, but '{path}' could not be updated to make it current: {ex.Message}",
                    "Run 'docker context use <name>'.", ex);
            }
            finally
            {
                if (File.Exists(temp))
                {
                    File.Delete(temp);
                }
            }
        }
    }
}

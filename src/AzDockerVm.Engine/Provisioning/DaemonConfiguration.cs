using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using AzDockerVm.Engine.Text;

namespace AzDockerVm.Engine.Provisioning
{
    /// <summary>
    /// Renders the daemon.json the VM gets: TLS always on and verified, the unix socket plus the TLS port,
    /// live-restore on, the hardening set on request, then the user's own settings merged in. Settings that would
    /// weaken or contradict TLS are refused rather than merged.
    /// </summary>
    /// <remarks>
    /// live-restore is on for every host, not only hardened ones: the daemon restarts of a certificate renewal, a
    /// package upgrade or a settings change then leave running containers running. Turning it on later costs a
    /// restart of its own (a daemon stopped without it stops its containers), so a host has it from the start; a
    /// renewal turns it on for hosts made before (by a reload, without a restart). -DaemonConfig can switch it off
    /// (Docker Swarm refuses to run with it), and a -DockerOption --live-restore flag takes its place.
    /// </remarks>
    public static class DaemonConfiguration
    {
        public const string TlsDirectory = "/etc/docker/tls";

        /// <summary>Running containers keep running while dockerd restarts.</summary>
        public const string LiveRestoreKey = "live-restore";

        private static readonly string[] s_reserved = { "tls", "tlsverify", "tlscacert", "tlscert", "tlskey", "hosts" };

        public static string Render(DockerHostSettings settings)
        {
            var root = new JsonObject
            {
                ["tls"] = true,
                ["tlsverify"] = true,
                ["tlscacert"] = TlsDirectory + "/ca.pem",
                ["tlscert"] = TlsDirectory + "/server-cert.pem",
                ["tlskey"] = TlsDirectory + "/server-key.pem",
                ["hosts"] = new JsonArray("unix:///var/run/docker.sock", "tcp://0.0.0.0:" + settings.Port.ToString(CultureInfo.InvariantCulture)),
            };

            // A flag in -DockerOption and the same key in daemon.json stop dockerd from starting: the flag wins.
            if (!DockerdFlags.Parse(settings.DockerOptions).Keys.Any(k => k.Key == LiveRestoreKey))
            {
                root[LiveRestoreKey] = true;
            }

            if (settings.Hardened)
            {
                root["userns-remap"] = "default";
                root["no-new-privileges"] = true;
                root["icc"] = false;
                root["log-driver"] = "json-file";
                root["log-opts"] = new JsonObject { ["max-size"] = "10m", ["max-file"] = "3" };
            }

            foreach (var pair in settings.DaemonConfig ?? new Dictionary<string, object>())
            {
                if (string.IsNullOrWhiteSpace(pair.Key) || pair.Key.Trim() != pair.Key || TextRules.HasControlCharacter(pair.Key))
                {
                    throw new AzDockerVmException("DaemonConfigKeyInvalid", FailureKind.InvalidArgument, pair.Key,
                        $"'{TextRules.Printable(pair.Key)}' is not a daemon.json key: keys are names such as 'log-level', without spaces around them or control characters.");
                }

                if (s_reserved.Contains(pair.Key, StringComparer.OrdinalIgnoreCase))
                {
                    throw new AzDockerVmException("DaemonConfigConflict", FailureKind.InvalidArgument, pair.Key,
                        $"daemon.json key '{pair.Key}' is managed by AzDockerVm (TLS is always on and verified; the port is -DockerPort).",
                        "Remove it from -DaemonConfig.");
                }

                root[pair.Key] = ToNode(pair.Value, pair.Key);
            }

            return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        }

        /// <summary>A PowerShell-ish value (hashtable, array, string, bool, number) as JSON.</summary>
        internal static JsonNode ToNode(object value, string path)
        {
            switch (value)
            {
                case null:
                    return null;
                case string s:
                    return JsonValue.Create(s);
                case bool b:
                    return JsonValue.Create(b);
                case int i:
                    return JsonValue.Create(i);
                case long l:
                    return JsonValue.Create(l);
                case double d when double.IsNaN(d) || double.IsInfinity(d):
                    throw new AzDockerVmException("DaemonConfigInvalidValue", FailureKind.InvalidArgument, path,
                        $"daemon.json value at '{path}' is {d}, which JSON cannot hold.", "Use a finite number.");
                case float f when float.IsNaN(f) || float.IsInfinity(f):
                    throw new AzDockerVmException("DaemonConfigInvalidValue", FailureKind.InvalidArgument, path,
                        $"daemon.json value at '{path}' is {f}, which JSON cannot hold.", "Use a finite number.");
                case double d:
                    return JsonValue.Create(d);
                case decimal m:
                    return JsonValue.Create(m);
                case IDictionary dictionary:
                    var obj = new JsonObject();
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        string key = Convert.ToString(entry.Key, CultureInfo.InvariantCulture);
                        obj[key] = ToNode(entry.Value, path + "." + key);
                    }

                    return obj;
                case IEnumerable list:
                    var array = new JsonArray();
                    foreach (object item in list)
                    {
                        array.Add(ToNode(item, path + "[]"));
                    }

                    return array;
                default:
                    if (value is IConvertible convertible && value.GetType().IsPrimitive)
                    {
                        return JsonValue.Create(convertible.ToDouble(CultureInfo.InvariantCulture));
                    }

                    throw new AzDockerVmException("DaemonConfigInvalidValue", FailureKind.InvalidArgument, path,
                        $"daemon.json value at '{path}' has type {value.GetType().Name}, which has no JSON form.",
                        "Use strings, numbers, booleans, arrays and hashtables.");
            }
        }
    }
}

using System;
using System.Globalization;
using System.IO;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace AzDockerVm.Engine.Tls
{
    /// <summary>
    /// What &lt;set&gt;/ca-rotation/rotation.json says: whether the set is mid-rotation (since when, from which CA to
    /// which) or which rotation it completed last. Public facts only (subjects, thumbprints, dates); never key material.
    /// </summary>
    public sealed class CertificateAuthorityRotationState
    {
        public const string InProgress = "InProgress";
        public const string Completed = "Completed";
        private const string TimeFormat = "yyyy-MM-ddTHH:mm:ssZ";

        internal CertificateAuthorityRotationState(string file, string status, DateTime startTime, DateTime? completionTime,
            CertificateAuthorityIdentity oldCa, CertificateAuthorityIdentity newCa)
        {
            File = file;
            Status = status;
            StartTime = startTime;
            CompletionTime = completionTime;
            OldCa = oldCa;
            NewCa = newCa;
        }

        /// <summary>The state file's full path.</summary>
        public string File { get; }

        /// <summary><see cref="InProgress"/> or <see cref="Completed"/>.</summary>
        public string Status { get; }

        public bool IsInProgress => Status == InProgress;

        /// <summary>UTC, when the rotation began.</summary>
        public DateTime StartTime { get; }

        /// <summary>UTC, when it was completed; null while it is in progress.</summary>
        public DateTime? CompletionTime { get; }

        /// <summary>The CA the rotation retires.</summary>
        public CertificateAuthorityIdentity OldCa { get; }

        /// <summary>The CA the rotation moves to.</summary>
        public CertificateAuthorityIdentity NewCa { get; }

        internal CertificateAuthorityRotationState CompletedAt(DateTime time)
            => new CertificateAuthorityRotationState(File, Completed, StartTime, time, OldCa, NewCa);

        /// <summary>The state of the set in <paramref name="setFolder"/>, or null when no rotation ever began there.</summary>
        internal static CertificateAuthorityRotationState Read(string setFolder)
        {
            string file = CertificateAuthorityRotation.StateFile(setFolder);
            if (!System.IO.File.Exists(file))
            {
                return null;
            }

            try
            {
                JObject json;
                using (var reader = new JsonTextReader(new StringReader(System.IO.File.ReadAllText(file))) { DateParseHandling = DateParseHandling.None })
                {
                    json = JObject.Load(reader);
                }

                string status = (string)json["status"];
                if (status != InProgress && status != Completed)
                {
                    throw new FormatException($"status '{status}' is neither {InProgress} nor {Completed}");
                }

                string completed = (string)json["completionTime"];
                return new CertificateAuthorityRotationState(file, status, Time((string)json["startTime"]), completed == null ? (DateTime?)null : Time(completed),
                    Identity(json["oldCertificateAuthority"]), Identity(json["newCertificateAuthority"]));
            }
            catch (Exception ex) when (ex is JsonException || ex is FormatException || ex is InvalidCastException || ex is ArgumentException || ex is NullReferenceException)
            {
                throw new AzDockerVmException("RotationStateInvalid", FailureKind.InvalidData, file,
                    $"'{file}' is not a CA rotation state AzDockerVm can read ({ex.Message}): whether the set is mid-rotation is unknown. Nothing was written.",
                    "Put the file back as the rotation wrote it; if no rotation is under way, remove the ca-rotation folder.", ex);
            }
            catch (IOException ex)
            {
                throw new AzDockerVmException("RotationStateInvalid", FailureKind.InvalidData, file,
                    $"'{file}' cannot be read ({ex.Message}): whether the set is mid-rotation is unknown. Nothing was written.", null, ex);
            }
        }

        internal string ToJson()
        {
            var json = new JObject
            {
                ["status"] = Status,
                ["startTime"] = StartTime.ToString(TimeFormat, CultureInfo.InvariantCulture),
                ["completionTime"] = CompletionTime?.ToString(TimeFormat, CultureInfo.InvariantCulture),
                ["oldCertificateAuthority"] = Json(OldCa),
                ["newCertificateAuthority"] = Json(NewCa),
            };
            return json.ToString(Formatting.Indented).Replace("\r\n", "\n") + "\n";
        }

        private static JObject Json(CertificateAuthorityIdentity ca) => new JObject
        {
            ["subject"] = ca.Subject,
            ["thumbprint"] = ca.Thumbprint,
            ["notAfter"] = ca.NotAfter.ToString(TimeFormat, CultureInfo.InvariantCulture),
        };

        private static CertificateAuthorityIdentity Identity(JToken token)
            => new CertificateAuthorityIdentity((string)token["subject"] ?? throw new FormatException("a CA without subject"),
                (string)token["thumbprint"] ?? throw new FormatException("a CA without thumbprint"), Time((string)token["notAfter"]));

        private static DateTime Time(string text)
            => DateTime.ParseExact(text ?? throw new FormatException("a missing time"), TimeFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
    }

    /// <summary>Which CA: its subject as Get-DockerTlsCertificate shows it, its thumbprint (SHA-1, upper-case hex) and its expiry (UTC).</summary>
    public sealed class CertificateAuthorityIdentity
    {
        internal CertificateAuthorityIdentity(string subject, string thumbprint, DateTime notAfter)
        {
            Subject = subject;
            Thumbprint = thumbprint;
            NotAfter = notAfter;
        }

        public string Subject { get; }

        public string Thumbprint { get; }

        public DateTime NotAfter { get; }
    }
}

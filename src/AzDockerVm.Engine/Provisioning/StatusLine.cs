using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace AzDockerVm.Engine.Provisioning
{
    /// <summary>
    /// The provisioning script's secret-free summary, its last stdout line:
    /// <c>AZDOCKERVM status=ok docker=&lt;v&gt; port=&lt;p&gt; tls=on changed=&lt;b&gt; started=&lt;b&gt;</c> (or status=failed reason=...).
    /// The CustomScript handler reports stdout as a StdOut substatus and, on Linux, inside its status message
    /// ("Enable succeeded: \n[stdout]\n...\n[stderr]\n..."); both forms are read, the last such line wins.
    /// </summary>
    public sealed class StatusLine
    {
        public const string Prefix = "AZDOCKERVM ";

        private StatusLine(string text, IDictionary<string, string> values)
        {
            Text = text;
            Values = values;
        }

        public string Text { get; }

        public IDictionary<string, string> Values { get; }

        public string DockerVersion => Get("docker");

        public int? Port => int.TryParse(Get("port"), NumberStyles.None, CultureInfo.InvariantCulture, out int port) ? port : (int?)null;

        public bool TlsOn => string.Equals(Get("tls"), "on", StringComparison.OrdinalIgnoreCase);

        /// <summary>The last summary line in the first text that has one (texts in order of preference), else null.</summary>
        public static StatusLine FindLast(IEnumerable<string> texts)
        {
            foreach (string text in texts.Where(t => !string.IsNullOrEmpty(t)))
            {
                string line = text.Replace("\r\n", "\n").Split('\n').Select(l => l.Trim())
                    .LastOrDefault(l => l.StartsWith(Prefix, StringComparison.Ordinal));
                if (line != null)
                {
                    return Parse(line);
                }
            }

            return null;
        }

        internal static StatusLine Parse(string line)
        {
            var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string pair in line.Substring(Prefix.Length).Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
            {
                int equals = pair.IndexOf('=');
                if (equals > 0)
                {
                    values[pair.Substring(0, equals)] = pair.Substring(equals + 1);
                }
            }

            return new StatusLine(line, values);
        }

        private string Get(string key) => Values.TryGetValue(key, out string value) ? value : null;
    }
}

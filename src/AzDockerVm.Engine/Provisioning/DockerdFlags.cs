using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using AzDockerVm.Engine.Text;

namespace AzDockerVm.Engine.Provisioning
{
    /// <summary>
    /// dockerd's command-line flags as AzDockerVm judges -DockerOption: the table (dockerd-flags.tsv, an embedded
    /// resource) is the one rule for both sides — this parser refuses on the client, and the provisioning script
    /// receives the same table and parses the same way on the VM. Parsing follows dockerd's (pflag): every word,
    /// <c>--flag=value</c> and <c>--flag value</c>, bool flags take no separate value, shorthands may be combined
    /// (<c>-Dl debug</c>); dockerd takes no positional arguments.
    /// </summary>
    public static class DockerdFlags
    {
        private const string ResourceName = "AzDockerVm.Engine.Provisioning.dockerd-flags.tsv";

        // What the systemd ExecStart line can carry without quoting; the script checks the same set.
        private static readonly Regex s_word = TextRules.Whole("[A-Za-z0-9._:/=,@+-]+");
        private static readonly char[] s_space = { ' ', '\t' };
        private static readonly Lazy<string> s_text = new Lazy<string>(Load);
        private static readonly Lazy<Dictionary<string, DockerdFlag>> s_byName = new Lazy<Dictionary<string, DockerdFlag>>(
            () => Rows().ToDictionary(f => f.Name, StringComparer.Ordinal));

        /// <summary>The table as the script receives it (tab-separated rows, # comments).</summary>
        public static string TableText => s_text.Value;

        /// <summary>
        /// The words of the given options (one list per -DockerOption element), checked: every word a flag dockerd
        /// knows (or its value), none AzDockerVm manages, none that makes dockerd exit. Refusals are
        /// DockerOptionInvalid or DockerOptionConflict with the option as target.
        /// </summary>
        public static DockerdArguments Parse(IEnumerable<string> options)
        {
            var arguments = new DockerdArguments();
            foreach (string option in options ?? Enumerable.Empty<string>())
            {
                if (option == null)
                {
                    throw Invalid("(null)", "A -DockerOption element is empty ($null); give dockerd flags such as --debug or --log-level=warn.");
                }

                // Words as the script reads them: lines (a CR before the line break dropped), then spaces and tabs.
                string[] words = option.Split('\n')
                    .SelectMany(line => (line.EndsWith("\r", StringComparison.Ordinal) ? line.Substring(0, line.Length - 1) : line).Split(s_space, StringSplitOptions.RemoveEmptyEntries))
                    .ToArray();
                foreach (string word in words)
                {
                    if (!s_word.IsMatch(word))
                    {
                        throw Invalid(option, $"Docker option '{TextRules.Printable(option)}': the word '{TextRules.Printable(word)}' has characters dockerd flags on the VM's service line cannot carry (allowed: letters, digits and . _ : / = , @ + -).");
                    }
                }

                ParseWords(option, words, arguments);
                if (words.Length > 0)
                {
                    arguments.Lines.Add(string.Join(" ", words));
                }
            }

            return arguments;
        }

        /// <summary>Refuses a flag whose daemon.json key daemon.json already sets: dockerd refuses to start with both.</summary>
        public static void RefuseConflicts(DockerdArguments arguments, ICollection<string> daemonJsonKeys)
        {
            foreach (var (flag, key) in arguments.Keys)
            {
                if (daemonJsonKeys.Contains(key))
                {
                    throw new AzDockerVmException("DockerOptionConflict", FailureKind.InvalidArgument, flag,
                        $"Docker option '{flag}' sets \"{key}\", which daemon.json already sets (from -DaemonConfig or -Hardened); dockerd refuses to start with both.",
                        $"Set \"{key}\" in one place only, preferably -DaemonConfig.");
                }
            }
        }

        private static void ParseWords(string option, string[] words, DockerdArguments arguments)
        {
            for (int i = 0; i < words.Length; i++)
            {
                string word = words[i];
                if (word.StartsWith("--", StringComparison.Ordinal) && word.Length > 2)
                {
                    string name = word.Substring(2);
                    int equals = name.IndexOf('=');
                    bool inline = equals >= 0;
                    name = inline ? name.Substring(0, equals) : name;
                    DockerdFlag flag = Known(option, "--" + name, Find(name));
                    arguments.Note("--" + name, flag.Key);
                    if (flag.TakesValue && !inline && ++i >= words.Length)
                    {
                        throw Invalid(option, $"Docker option '--{name}' needs a value (--{name}=<value> or --{name} <value>).");
                    }
                }
                else if (word.StartsWith("-", StringComparison.Ordinal) && word.Length > 1 && word[1] != '-')
                {
                    // Shorthands: bool ones may be followed by more; a value one takes the rest of the word or the next.
                    for (int c = 1; c < word.Length; c++)
                    {
                        string shorthand = "-" + word[c];
                        DockerdFlag flag = Known(option, shorthand, s_byName.Value.Values.FirstOrDefault(f => f.Shorthand == word[c].ToString()));
                        arguments.Note(shorthand, flag.Key);
                        if (flag.TakesValue)
                        {
                            if (c == word.Length - 1 && ++i >= words.Length)
                            {
                                throw Invalid(option, $"Docker option '{shorthand}' needs a value.");
                            }

                            break;
                        }

                        if (c + 1 < word.Length && word[c + 1] == '=')
                        {
                            break;
                        }
                    }
                }
                else
                {
                    throw Invalid(option, $"Docker option '{option}': '{word}' is not a flag, and dockerd takes no arguments.");
                }
            }
        }

        private static DockerdFlag Find(string name) => s_byName.Value.TryGetValue(name, out DockerdFlag flag) ? flag : null;

        private static DockerdFlag Known(string option, string spelled, DockerdFlag flag)
        {
            if (flag == null)
            {
                throw Invalid(option, $"Docker option '{spelled}' is not a dockerd flag (Docker 20.10 to 28); dockerd would refuse to start.",
                    "Check the spelling (dockerd --help), or set the option in daemon.json with -DaemonConfig.");
            }

            if (flag.Policy == "managed")
            {
                throw new AzDockerVmException("DockerOptionConflict", FailureKind.InvalidArgument, option,
                    $"Docker option '{spelled}' sets {(flag.Name == "host" ? "the daemon's listening addresses" : flag.Name == "config-file" ? "the daemon's configuration file" : "TLS")}, which AzDockerVm manages: the unix socket and the TLS port, always TLS-verified, from /etc/docker/daemon.json.",
                    "Remove it; the TLS port is -DockerPort, other daemon settings go in -DaemonConfig.");
            }

            if (flag.Policy == "exits")
            {
                throw Invalid(option, $"Docker option '{spelled}' makes dockerd print something and exit instead of serving.");
            }

            return flag;
        }

        private static AzDockerVmException Invalid(string option, string message, string advice = null)
            => new AzDockerVmException("DockerOptionInvalid", FailureKind.InvalidArgument, option, message, advice);

        private static IEnumerable<DockerdFlag> Rows()
        {
            foreach (string line in TableText.Split('\n'))
            {
                if (line.Length == 0 || line[0] == '#')
                {
                    continue;
                }

                string[] cells = line.Split('\t');
                yield return new DockerdFlag(cells[0], cells[1] == "-" ? null : cells[1], cells[2] == "value", cells[3] == "-" ? null : cells[3], cells[4]);
            }
        }

        private static string Load()
        {
            using var stream = typeof(DockerdFlags).Assembly.GetManifestResourceStream(ResourceName)
                ?? throw new InvalidOperationException("embedded resource " + ResourceName + " is missing");
            using var reader = new StreamReader(stream, new UTF8Encoding(false));
            return reader.ReadToEnd().Replace("\r\n", "\n");
        }

        private sealed class DockerdFlag
        {
            public DockerdFlag(string name, string shorthand, bool takesValue, string key, string policy)
            {
                Name = name;
                Shorthand = shorthand;
                TakesValue = takesValue;
                Key = key;
                Policy = policy;
            }

            public string Name { get; }

            public string Shorthand { get; }

            public bool TakesValue { get; }

            public string Key { get; }

            public string Policy { get; }
        }
    }

    /// <summary>Checked dockerd arguments: the words per option (for the VM's service line) and the daemon.json keys they set.</summary>
    public sealed class DockerdArguments
    {
        public IList<string> Lines { get; } = new List<string>();

        internal IList<(string Flag, string Key)> Keys { get; } = new List<(string, string)>();

        internal void Note(string flag, string key)
        {
            if (key != null)
            {
                Keys.Add((flag, key));
            }
        }
    }
}

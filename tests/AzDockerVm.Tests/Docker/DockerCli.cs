using System.Collections.Generic;
using System.Linq;

namespace AzDockerVm.Tests.Docker
{
    /// <summary>
    /// The real docker CLI, run with DOCKER_CONFIG pointed at a test folder and none of the machine's DOCKER_* settings.
    /// </summary>
    public static class DockerCli
    {
        private static readonly string[] s_dockerVariables = { "DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_TLS", "DOCKER_API_VERSION" };

        public static ToolRun Run(string dockerConfig, params string[] args) => Run(dockerConfig, null, args);

        public static ToolRun Run(string dockerConfig, IDictionary<string, string> environment, params string[] args)
        {
            var env = s_dockerVariables.ToDictionary(v => v, v => (string)null);
            env["DOCKER_CONFIG"] = dockerConfig;
            env["DOCKER_CLI_HINTS"] = "false";
            foreach (var pair in environment ?? new Dictionary<string, string>())
            {
                env[pair.Key] = pair.Value;
            }

            return ExternalTool.Run("docker", args, env, timeoutMs: 60_000);
        }

        /// <summary>`docker --tlsverify --tlscacert --tlscert --tlskey -H ENDPOINT args` with the client files of a folder.</summary>
        public static ToolRun WithTlsFlags(string dockerConfig, string clientFolder, string endpoint, params string[] args)
            => Run(dockerConfig, new[]
            {
                "--tlsverify", "--tlscacert", System.IO.Path.Combine(clientFolder, "ca.pem"),
                "--tlscert", System.IO.Path.Combine(clientFolder, "cert.pem"), "--tlskey", System.IO.Path.Combine(clientFolder, "key.pem"),
                "-H", endpoint,
            }.Concat(args).ToArray());
    }
}

using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading;

namespace AzDockerVm.Tests.Docker
{
    /// <summary>
    /// A real, throw-away dockerd listening only on a free loopback port (127.0.0.1 unless asked) with --tlsverify, in its own data and exec
    /// roots (no bridge, no iptables, vfs storage), as docker-tls.md describes. Stopped by its PID (SIGTERM, then
    /// SIGKILL), never by name; its folders are removed afterwards.
    /// </summary>
    public sealed class Dockerd : IDisposable
    {
        private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(30);
        private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(15);
        private readonly Process _process;
        private readonly string _root;
        private readonly StreamWriter _log;
        private readonly bool _ownsRoot;
        private bool _disposed;

        private Dockerd(Process process, string root, bool ownsRoot, IPAddress address, int port, StreamWriter log)
        {
            _process = process;
            _root = root;
            _ownsRoot = ownsRoot;
            _log = log;
            Address = address;
            Port = port;
        }

        /// <summary>The loopback address it listens on (127.0.0.1 unless another was asked for).</summary>
        public IPAddress Address { get; }

        public int Port { get; }

        /// <summary>tcp://ADDRESS:PORT</summary>
        public string Endpoint => "tcp://" + Address + ":" + Port;

        /// <summary>unix://ROOT/docker.sock: the same daemon without TLS, for positive controls.</summary>
        public string UnixEndpoint => "unix://" + Path.Combine(_root, "docker.sock");

        public int Pid => _process.Id;

        public string LogFile => Path.Combine(_root, "dockerd.log");

        /// <summary>
        /// Starts dockerd with the server half of a set (ca.pem, server-cert.pem, server-key.pem in <paramref name="tlsFolder"/>),
        /// on <paramref name="port"/> (0: a free one) of <paramref name="address"/>: a loopback address only (Linux routes
        /// all of 127/8 to lo, so each of several daemons can have its own, e.g. behind a fake VM's public IP).
        /// </summary>
        public static Dockerd Start(string tlsFolder, int port = 0, string address = "127.0.0.1") => Start(tlsFolder, port, address, null);

        /// <summary>
        /// As above, with the daemon's data, exec root and sockets in <paramref name="stateRoot"/> (a short path: unix
        /// socket paths are limited), kept when it stops: a daemon started again on the same root is the first one
        /// restarted, its containers still there. <paramref name="extraArguments"/>: more dockerd flags (--live-restore).
        /// </summary>
        public static Dockerd Start(string tlsFolder, int port, string address, string stateRoot, params string[] extraArguments)
        {
            IPAddress listen = IPAddress.Parse(address);
            if (!IPAddress.IsLoopback(listen) || listen.AddressFamily != AddressFamily.InterNetwork)
            {
                throw new ArgumentException($"The test dockerd listens on an IPv4 loopback address only, not {address}.", nameof(address));
            }

            string cannot = TestPrerequisites.CannotStartDockerd();
            if (cannot != null)
            {
                throw new InvalidOperationException("Cannot start the test dockerd: " + cannot + ".");
            }

            // Short root: containerd's socket lives under --exec-root and unix socket paths are limited to 108 bytes.
            string root = stateRoot ?? Path.Combine(Path.GetTempPath(), "azdvm-dd-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(root);
            if (!File.Exists(Path.Combine(root, "daemon.json")))
            {
                File.WriteAllText(Path.Combine(root, "daemon.json"), "{}\n"); // never read /etc/docker/daemon.json
            }

            port = port == 0 ? FreeLoopbackPort() : port;
            var psi = new ProcessStartInfo(ExternalTool.Find("dockerd"))
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = root,
            };
            foreach (var arg in new[]
            {
                "-H", $"tcp://{listen}:{port}", "-H", "unix://" + Path.Combine(root, "docker.sock"),
                "--tlsverify", "--tlscacert", Path.Combine(tlsFolder, "ca.pem"),
                "--tlscert", Path.Combine(tlsFolder, "server-cert.pem"), "--tlskey", Path.Combine(tlsFolder, "server-key.pem"),
                "--bridge=none", "--iptables=false", "--ip6tables=false", "--storage-driver=vfs",
                "--data-root", Path.Combine(root, "data"), "--exec-root", Path.Combine(root, "exec"),
                "--pidfile", Path.Combine(root, "docker.pid"), "--config-file", Path.Combine(root, "daemon.json"),
            })
            {
                psi.ArgumentList.Add(arg);
            }

            foreach (string arg in extraArguments ?? Array.Empty<string>())
            {
                psi.ArgumentList.Add(arg);
            }

            var process = Process.Start(psi);
            var log = new StreamWriter(Path.Combine(root, "dockerd.log")) { AutoFlush = true };
            process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (log) log.WriteLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (log) log.WriteLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var daemon = new Dockerd(process, root, stateRoot == null, listen, port, log);
            daemon.WaitUntilListening();
            return daemon;
        }

        /// <summary>A port on 127.0.0.1 that nothing listens on right now.</summary>
        public static int FreeLoopbackPort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }

        public string LogTail(int lines = 20)
        {
            try
            {
                using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var all = new StreamReader(stream).ReadToEnd().Split('\n');
                return string.Join("\n", all[Math.Max(0, all.Length - lines)..]);
            }
            catch (IOException ex)
            {
                return "(no log: " + ex.Message + ")";
            }
        }

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (!_process.HasExited)
            {
                kill(_process.Id, 15); // SIGTERM: dockerd shuts down its containerd and removes its sockets
                if (!_process.WaitForExit((int)s_stopTimeout.TotalMilliseconds))
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit();
                }
            }

            _process.WaitForExit(); // reap, and let the output readers finish
            _process.Dispose();
            lock (_log)
            {
                _log.Dispose();
            }

            if (!_ownsRoot)
            {
                return;
            }

            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        private void WaitUntilListening()
        {
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < s_readyTimeout)
            {
                if (_process.HasExited)
                {
                    string tail = LogTail();
                    int exitCode = _process.ExitCode;
                    Dispose();
                    throw new InvalidOperationException($"dockerd exited with code {exitCode} while starting:\n{tail}");
                }

                try
                {
                    using var client = new TcpClient();
                    client.Connect(Address, Port);
                    return;
                }
                catch (SocketException)
                {
                    Thread.Sleep(100);
                }
            }

            string log = LogTail();
            Dispose();
            throw new TimeoutException($"dockerd did not listen on {Address}:{Port} within {s_readyTimeout.TotalSeconds} s:\n{log}");
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int kill(int pid, int signal);
    }
}

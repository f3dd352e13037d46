# A throw-away dockerd for tests: loopback only, its own folders, TLS-verified with the given server files.
# Dot-source it in a BeforeAll. Stops only the process it started, by its PID.

function Get-FreeTcpPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Test-TcpPort([string] $Address, [int] $Port) {
    $client = [System.Net.Sockets.TcpClient]::new()
    try { $client.ConnectAsync($Address, $Port).Wait(500) -and $client.Connected } catch { $false } finally { $client.Dispose() }
}

# Why a real dockerd cannot run here, or $null when it can.
function Get-DockerdSkipReason {
    if (-not $IsLinux) { return 'dockerd runs on Linux only' }
    if ((id -u) -ne '0') { return 'starting dockerd needs root' }
    if ($null -eq (Get-Command dockerd -CommandType Application -ErrorAction SilentlyContinue)) { return 'dockerd is not installed' }
    $null
}

function Start-TestDockerd {
    param(
        [Parameter(Mandatory)] [string] $Root,
        [Parameter(Mandatory)] [string] $CaCertificateFile,
        [Parameter(Mandatory)] [string] $ServerCertificateFile,
        [Parameter(Mandatory)] [string] $ServerKeyFile,
        # More loopback addresses to listen on (the port is the same).
        [string[]] $ExtraAddress = @()
    )

    $port = Get-FreeTcpPort
    $null = New-Item -ItemType Directory -Path $Root -Force
    $hosts = @('127.0.0.1') + $ExtraAddress | ForEach-Object { '-H', "tcp://${_}:$port" }
    $arguments = @($hosts) + @(
        '-H', "unix://$Root/docker.sock",
        '--tlsverify', '--tlscacert', $CaCertificateFile, '--tlscert', $ServerCertificateFile, '--tlskey', $ServerKeyFile,
        '--bridge=none', '--iptables=false', '--ip6tables=false', '--storage-driver=vfs',
        '--data-root', "$Root/data", '--exec-root', "$Root/exec", '--pidfile', "$Root/docker.pid"
    )
    $process = Start-Process -FilePath dockerd -ArgumentList $arguments -PassThru `
        -RedirectStandardOutput "$Root/dockerd.out" -RedirectStandardError "$Root/dockerd.log"
    $daemon = [pscustomobject]@{ Process = $process; Port = $port; Endpoint = "tcp://127.0.0.1:$port"; Root = $Root }

    $deadline = [datetime]::UtcNow.AddSeconds(30)
    while (-not (Test-TcpPort 127.0.0.1 $port) -and -not $process.HasExited -and [datetime]::UtcNow -lt $deadline) {
        Start-Sleep -Milliseconds 200
    }
    if (-not (Test-TcpPort 127.0.0.1 $port)) {
        Stop-TestDockerd $daemon
        throw "dockerd did not start: $(Get-Content -LiteralPath "$Root/dockerd.log" -Tail 20 -ErrorAction SilentlyContinue)"
    }

    $daemon
}

function Stop-TestDockerd($Daemon) {
    if ($Daemon -and -not $Daemon.Process.HasExited) {
        # SIGTERM lets dockerd stop the containerd it started; Stop-Process would kill it outright.
        & /bin/kill -TERM $Daemon.Process.Id
        if (-not $Daemon.Process.WaitForExit(20000)) { $Daemon.Process.Kill() }
    }
}

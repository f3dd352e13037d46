# Pester 5 tests for Test-AzDockerHost, run against the built module (./build.ps1 -Task Test).
# The checks against a real Docker daemon run on Linux as root with dockerd installed (for example Debian's
# docker.io package); elsewhere they are skipped. The daemon listens on loopback only and is stopped afterwards.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot ../../out/AzDockerVm/AzDockerVm.psd1) -Force

    function Get-FreeTcpPort {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
    }

    function Test-TcpPort([string] $Address, [int] $Port) {
        $client = [System.Net.Sockets.TcpClient]::new()
        try { $client.ConnectAsync($Address, $Port).Wait(500) -and $client.Connected } catch { $false } finally { $client.Dispose() }
    }
}

Describe 'Test-AzDockerHost' {
    BeforeAll {
        $tls = New-DockerTlsCertificate -DnsName docker.test -IPAddress 127.0.0.1 -Path (Join-Path $TestDrive 'tls')
    }

    Context 'checks that need no Docker host' {
        It 'reports ConnectionRefused for a port nobody listens on' {
            $port = Get-FreeTcpPort
            $result = $tls | Test-AzDockerHost -Endpoint "tcp://127.0.0.1:$port" -TimeoutSec 5

            @($result).Count | Should -Be 1
            $result | Should -BeOfType 'AzDockerVm.Models.DockerHostTestResult'
            $result.Endpoint | Should -Be "tcp://127.0.0.1:$port"
            $result.Success | Should -BeFalse
            $result.Reason | Should -Be 'ConnectionRefused'
            $result.Message | Should -Not -BeNullOrEmpty
            $result.ServerVersion | Should -BeNullOrEmpty
        }

        It 'reports Timeout within -TimeoutSec when the port accepts but never answers' {
            $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
            $listener.Start()
            try {
                $watch = [System.Diagnostics.Stopwatch]::StartNew()
                $result = Test-AzDockerHost -Certificate $tls -Endpoint "tcp://127.0.0.1:$($listener.LocalEndpoint.Port)" -TimeoutSec 1
                $watch.Stop()

                $result.Success | Should -BeFalse
                $result.Reason | Should -Be 'Timeout'
                $watch.Elapsed.TotalSeconds | Should -BeLessThan 8
            }
            finally {
                $listener.Stop()
            }
        }

        It 'throws InvalidEndpoint for <_>' -ForEach @('ftp://127.0.0.1:2376', 'tcp://:2376', 'not an endpoint') {
            $err = { $tls | Test-AzDockerHost -Endpoint $_ } | Should -Throw -ErrorId 'InvalidEndpoint,*' -PassThru
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        }

        It 'throws InvalidPort for a port outside 1-65535' {
            { $tls | Test-AzDockerHost -Endpoint tcp://127.0.0.1:70000 } | Should -Throw -ErrorId 'InvalidPort,*'
        }

        It 'throws FileNotFound for a -CertificatePath folder without the files' {
            $empty = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'empty')
            { Test-AzDockerHost -Endpoint tcp://127.0.0.1:2376 -CertificatePath $empty.FullName } | Should -Throw -ErrorId 'FileNotFound,*'
        }

        It 'refuses -TimeoutSec <_> while binding parameters' -ForEach @(0, 301) {
            { $tls | Test-AzDockerHost -TimeoutSec $_ } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        }
    }

    Context 'against a real dockerd' {
        BeforeAll {
            # A DOCKER_CERT_PATH-style folder put together from files of different sets.
            function New-CertificateFolder([string] $Name, [string] $Ca, [string] $Certificate, [string] $Key) {
                $folder = (New-Item -ItemType Directory -Path (Join-Path $TestDrive $Name)).FullName
                Copy-Item -LiteralPath $Ca -Destination (Join-Path $folder 'ca.pem')
                Copy-Item -LiteralPath $Certificate -Destination (Join-Path $folder 'cert.pem')
                Copy-Item -LiteralPath $Key -Destination (Join-Path $folder 'key.pem')
                $folder
            }

            $skipBecause = if (-not $IsLinux) { 'dockerd runs on Linux only' }
                elseif ((id -u) -ne '0') { 'starting dockerd needs root' }
                elseif ($null -eq (Get-Command dockerd -CommandType Application -ErrorAction SilentlyContinue)) { 'dockerd is not installed' }

            $daemon = $null
            if (-not $skipBecause) {
                $port = Get-FreeTcpPort
                $root = Join-Path $TestDrive 'dockerd'
                $null = New-Item -ItemType Directory -Path $root
                # The daemon also listens on 127.0.0.2, an address that is not in the server certificate.
                $arguments = @(
                    '-H', "tcp://127.0.0.1:$port", '-H', "tcp://127.0.0.2:$port", '-H', "unix://$root/docker.sock",
                    '--tlsverify', '--tlscacert', $tls.CaCertificateFile, '--tlscert', $tls.ServerCertificateFile, '--tlskey', $tls.ServerKeyFile,
                    '--bridge=none', '--iptables=false', '--ip6tables=false', '--storage-driver=vfs',
                    '--data-root', "$root/data", '--exec-root', "$root/exec", '--pidfile', "$root/docker.pid"
                )
                $daemon = Start-Process -FilePath dockerd -ArgumentList $arguments -PassThru `
                    -RedirectStandardOutput "$root/dockerd.out" -RedirectStandardError "$root/dockerd.log"
                $deadline = [datetime]::UtcNow.AddSeconds(30)
                while (-not (Test-TcpPort 127.0.0.1 $port) -and -not $daemon.HasExited -and [datetime]::UtcNow -lt $deadline) {
                    Start-Sleep -Milliseconds 200
                }
                if (-not (Test-TcpPort 127.0.0.1 $port)) {
                    if (-not $daemon.HasExited) {
                        & /bin/kill -TERM $daemon.Id
                        $null = $daemon.WaitForExit(20000)
                    }
                    throw "dockerd did not start: $(Get-Content -LiteralPath "$root/dockerd.log" -Tail 20 -ErrorAction SilentlyContinue)"
                }
                $endpoint = "tcp://127.0.0.1:$port"

                # Another CA, for the certificates the daemon must not accept.
                $stranger = New-DockerTlsCertificate -DnsName docker.test -IPAddress 127.0.0.1 -Path (Join-Path $TestDrive 'stranger')
            }
        }

        AfterAll {
            if ($daemon -and -not $daemon.HasExited) {
                # SIGTERM lets dockerd stop the containerd it started; Stop-Process would kill it outright.
                & /bin/kill -TERM $daemon.Id
                if (-not $daemon.WaitForExit(20000)) { $daemon.Kill() }
            }
        }

        It 'succeeds with the set the daemon was started with' {
            if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
            $result = $tls | Test-AzDockerHost -Endpoint $endpoint

            $result.Success | Should -BeTrue -Because $result.Message
            $result.Reason | Should -BeNullOrEmpty
            $result.Endpoint | Should -Be $endpoint
            $result.ServerVersion | Should -Not -BeNullOrEmpty
            $result.ApiVersion | Should -Match '^\d+\.\d+$'
            $result.Os | Should -Be 'linux'
            $result.Architecture | Should -Not -BeNullOrEmpty
            $result.KernelVersion | Should -Not -BeNullOrEmpty
            $result.LatencyMs | Should -BeGreaterThan 0
        }

        It 'reports the same server version as the docker CLI' {
            if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
            if ($null -eq (Get-Command docker -CommandType Application -ErrorAction SilentlyContinue)) { Set-ItResult -Skipped -Because 'the docker CLI is not installed' }
            $version = & docker --tlsverify --tlscacert $tls.CaCertificateFile --tlscert $tls.ClientCertificateFile --tlskey $tls.ClientKeyFile -H $endpoint version --format '{{.Server.Version}}'
            $LASTEXITCODE | Should -Be 0
            ($tls | Test-AzDockerHost -Endpoint $endpoint).ServerVersion | Should -Be $version
        }

        It 'succeeds with -CertificatePath' {
            if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
            (Test-AzDockerHost -Endpoint $endpoint -CertificatePath $tls.Path).Success | Should -BeTrue
        }

        It 'lets the docker CLI reach the daemon through a context from New-DockerContext' {
            if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
            if ($null -eq (Get-Command docker -CommandType Application -ErrorAction SilentlyContinue)) { Set-ItResult -Skipped -Because 'the docker CLI is not installed' }
            $saved = $env:DOCKER_CONFIG
            try {
                $env:DOCKER_CONFIG = Join-Path $TestDrive 'docker-config'
                $null = $tls | New-DockerContext -Name pester -Endpoint $endpoint
                $output = & docker --context pester ps --format '{{.ID}}' 2>&1
                $LASTEXITCODE | Should -Be 0 -Because ($output -join ' ')
            }
            finally {
                $env:DOCKER_CONFIG = $saved
            }
        }

        It 'reports UnknownAuthority when ca.pem is another CA' {
            if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
            $result = $stranger | Test-AzDockerHost -Endpoint $endpoint
            $result.Success | Should -BeFalse
            $result.Reason | Should -Be 'UnknownAuthority' -Because $result.Message
        }

        It 'reports ClientCertificateRejected for a client certificate from another CA' {
            if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
            $folder = New-CertificateFolder 'foreign-client' -Ca $tls.CaCertificateFile -Certificate $stranger.ClientCertificateFile -Key $stranger.ClientKeyFile
            $result = Test-AzDockerHost -Endpoint $endpoint -CertificatePath $folder
            $result.Success | Should -BeFalse
            $result.Reason | Should -Be 'ClientCertificateRejected' -Because $result.Message
        }

        It 'reports ClientCertificateRejected for a server certificate used as client certificate' {
            if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
            $folder = New-CertificateFolder 'server-as-client' -Ca $tls.CaCertificateFile -Certificate $tls.ServerCertificateFile -Key $tls.ServerKeyFile
            $result = Test-AzDockerHost -Endpoint $endpoint -CertificatePath $folder
            $result.Reason | Should -Be 'ClientCertificateRejected' -Because $result.Message
        }

        It 'reports NameMismatch for an address that is not in the server certificate' {
            if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
            $result = $tls | Test-AzDockerHost -Endpoint ($endpoint -replace '127\.0\.0\.1', '127.0.0.2')
            $result.Success | Should -BeFalse
            $result.Reason | Should -Be 'NameMismatch' -Because $result.Message
        }

        It 'reports InvalidCertificateFile for a key.pem with a byte order mark' {
            if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
            $folder = New-CertificateFolder 'bom-key' -Ca $tls.CaCertificateFile -Certificate $tls.ClientCertificateFile -Key $tls.ClientKeyFile
            [System.IO.File]::WriteAllText((Join-Path $folder 'key.pem'), [System.IO.File]::ReadAllText($tls.ClientKeyFile), [System.Text.UTF8Encoding]::new($true))
            $result = Test-AzDockerHost -Endpoint $endpoint -CertificatePath $folder
            $result.Success | Should -BeFalse
            $result.Reason | Should -Be 'InvalidCertificateFile' -Because $result.Message
        }

        It 'reports InvalidCertificateFile for a key.pem that belongs to another certificate' {
            if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
            $folder = New-CertificateFolder 'wrong-key' -Ca $tls.CaCertificateFile -Certificate $tls.ClientCertificateFile -Key $stranger.ClientKeyFile
            $result = Test-AzDockerHost -Endpoint $endpoint -CertificatePath $folder
            $result.Reason | Should -Be 'InvalidCertificateFile' -Because $result.Message
        }
    }
}

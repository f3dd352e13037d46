# Pester 5 tests for Test-AzDockerHost, run against the built module (./build.ps1 -Task Test).
# The checks against a real Docker daemon run on Linux as root with dockerd installed (for example Debian's
# docker.io package); elsewhere they are skipped. The daemon listens on loopback only and is stopped afterwards.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot ../../out/AzDockerVm/AzDockerVm.psd1) -Force
    . (Join-Path $PSScriptRoot TestHelpers/Dockerd.ps1)
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
            $result.LatencyMs | Should -BeNullOrEmpty -Because 'nothing answered, so there is no latency to report'
        }

        It 'shows why a check failed in its default table and as a string' {
            $port = Get-FreeTcpPort
            $result = $tls | Test-AzDockerHost -Endpoint "tcp://127.0.0.1:$port" -TimeoutSec 5

            $table = ($result | Out-String -Width 400)
            $table | Should -Match 'Endpoint\s+Success\s+LatencyMs\s+CertDaysLeft\s+Result'
            $table | Should -Match ('ConnectionRefused: ' + [regex]::Escape($result.Message))
            "$result" | Should -Be "tcp://127.0.0.1:${port}: ConnectionRefused: $($result.Message)"
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

        It 'throws FileNotFound with a next step for a -CertificatePath folder without the files' {
            $empty = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'empty')
            $err = { Test-AzDockerHost -Endpoint tcp://127.0.0.1:2376 -CertificatePath $empty.FullName } | Should -Throw -ErrorId 'FileNotFound,*' -PassThru
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.TargetObject | Should -Be (Join-Path $empty.FullName 'ca.pem')
            $err.ErrorDetails.RecommendedAction | Should -Match 'New-DockerTlsCertificate'
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

            $skipBecause = Get-DockerdSkipReason
            $daemon = $null
            if (-not $skipBecause) {
                # The daemon also listens on 127.0.0.2, an address that is not in the server certificate.
                $daemon = Start-TestDockerd -Root (Join-Path $TestDrive 'dockerd') -ExtraAddress 127.0.0.2 `
                    -CaCertificateFile $tls.CaCertificateFile -ServerCertificateFile $tls.ServerCertificateFile -ServerKeyFile $tls.ServerKeyFile
                $endpoint = $daemon.Endpoint

                # Another CA, for the certificates the daemon must not accept.
                $stranger = New-DockerTlsCertificate -DnsName docker.test -IPAddress 127.0.0.1 -Path (Join-Path $TestDrive 'stranger')
            }
        }

        AfterAll {
            Stop-TestDockerd $daemon
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

        It 'takes a context from New-DockerContext on the pipeline (its Endpoint and TLS folder)' {
            if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
            $saved = $env:DOCKER_CONFIG
            try {
                $env:DOCKER_CONFIG = Join-Path $TestDrive 'docker-config-pipe'
                $result = $tls | New-DockerContext -Name pester-pipe -Endpoint $endpoint | Test-AzDockerHost
                $result.Success | Should -BeTrue -Because $result.Message
                $result.Endpoint | Should -Be $endpoint
                "$result" | Should -Match ('^' + [regex]::Escape($endpoint) + ': Docker ')
            }
            finally {
                $env:DOCKER_CONFIG = $saved
            }
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

        It 'reports UnknownAuthority for the wrong host''s whole set (ca.pem and client pair of another CA)' {
            if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
            $result = $stranger | Test-AzDockerHost -Endpoint $endpoint
            $result.Success | Should -BeFalse
            $result.Reason | Should -Be 'UnknownAuthority' -Because $result.Message
            $result.Message | Should -Match 'not signed by the CA in ca.pem'
        }

        It 'reports UnknownAuthority when only ca.pem is another CA' {
            if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
            $folder = New-CertificateFolder 'foreign-ca' -Ca $stranger.CaCertificateFile -Certificate $tls.ClientCertificateFile -Key $tls.ClientKeyFile
            $result = Test-AzDockerHost -Endpoint $endpoint -CertificatePath $folder
            $result.Success | Should -BeFalse
            $result.Reason | Should -Be 'UnknownAuthority' -Because $result.Message
        }

        It 'reports ClientCertificateRejected when only the client pair is of another CA' {
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
            $result = $tls | Test-AzDockerHost -Endpoint ($endpoint -replace '127\.0\.0\.1', '127.0.0.2') -WarningAction SilentlyContinue
            $result.Success | Should -BeFalse
            $result.Reason | Should -Be 'NameMismatch' -Because $result.Message
        }

        It 'reports the certificate the daemon serves: the set''s server-cert.pem, naming the host' {
            if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
            $file = Get-DockerTlsCertificate -Path $tls.Path | Where-Object Role -eq Server
            $result = $tls | Test-AzDockerHost -Endpoint $endpoint -WarningVariable warnings

            $result.ServerCertificateThumbprint | Should -Be $file.Thumbprint
            $result.ServerCertificateNotAfter | Should -Be $file.NotAfter
            $result.ServerCertificateDaysLeft | Should -Be $file.DaysLeft
            $result.ServerCertificateDaysLeft | Should -BeGreaterThan 30
            $result.ServerCertificateIPAddress | Should -Be @('127.0.0.1')
            $result.ServerCertificateCoversHost | Should -BeTrue
            $warnings | Should -BeNullOrEmpty
        }

        It 'still reports the served certificate when it does not name the address, and warns' {
            if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
            $other = $endpoint -replace '127\.0\.0\.1', '127.0.0.2'
            $result = $tls | Test-AzDockerHost -Endpoint $other -WarningVariable warnings -WarningAction SilentlyContinue

            $result.Reason | Should -Be 'NameMismatch'
            $result.ServerCertificateCoversHost | Should -BeFalse
            $result.ServerCertificateDnsName | Should -Be @('docker.test')
            $warnings | Should -HaveCount 1
            "$warnings" | Should -Match ([regex]::Escape("The certificate $other serves") + '.*does not name 127\.0\.0\.2')
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

    Context 'against a real dockerd whose certificate expires soon' {
        BeforeAll {
            $skipBecause = Get-DockerdSkipReason
            $daemon = $null
            if (-not $skipBecause) {
                $short = New-DockerTlsCertificate -DnsName docker.test -IPAddress 127.0.0.1 -Path (Join-Path $TestDrive 'short') -ValidityDays 10
                $daemon = Start-TestDockerd -Root (Join-Path $TestDrive 'dockerd-short') `
                    -CaCertificateFile $short.CaCertificateFile -ServerCertificateFile $short.ServerCertificateFile -ServerKeyFile $short.ServerKeyFile
            }
        }

        AfterAll {
            Stop-TestDockerd $daemon
        }

        It 'reports ServerCertificateDaysLeft 9 and warns, naming the endpoint and the date' {
            if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
            $result = $short | Test-AzDockerHost -Endpoint $daemon.Endpoint -WarningVariable warnings -WarningAction SilentlyContinue

            $result.Success | Should -BeTrue -Because $result.Message
            $result.ServerCertificateDaysLeft | Should -Be 9
            $warnings | Should -HaveCount 1
            "$warnings" | Should -BeLike "$($daemon.Endpoint) serves a certificate (CN=docker.test) that expires on $($result.ServerCertificateNotAfter.ToString('u')), in 9 day(s)*"
        }

        It 'finds the hosts to renew with Where-Object ServerCertificateDaysLeft, and -WarningDays 5 keeps quiet' {
            if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
            $due = $short | Test-AzDockerHost -Endpoint $daemon.Endpoint -WarningDays 5 -WarningVariable warnings | Where-Object ServerCertificateDaysLeft -lt 30

            $due.Endpoint | Should -Be $daemon.Endpoint
            $warnings | Should -BeNullOrEmpty
        }
    }
}

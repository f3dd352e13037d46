# Pester 5 tests for Get-DockerTlsCertificate and Update-DockerTlsCertificate, run against the built module
# (./build.ps1 -Task Test) in real pwsh, without Azure. Everything is written under $TestDrive and a temporary
# DOCKER_CONFIG, never to ~/.docker. openssl is used when it is installed.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot ../../out/AzDockerVm/AzDockerVm.psd1) -Force

    $script:onUnix = -not $IsWindows
    $script:hasOpenSsl = $null -ne (Get-Command openssl -CommandType Application -ErrorAction SilentlyContinue)
    $script:privateFile = [System.IO.UnixFileMode]'UserRead, UserWrite'
    $script:savedDockerConfig = $env:DOCKER_CONFIG
    $env:DOCKER_CONFIG = Join-Path $TestDrive 'docker-config'

    function Read-PemCertificate([string] $Path) {
        [System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPem([System.IO.File]::ReadAllText($Path))
    }

    # Every file below a folder with the SHA-256 of its bytes and its write time: "nothing changed" is an equal table.
    function Get-FolderState([string] $Path) {
        Get-ChildItem -LiteralPath $Path -Recurse -File -Force | Sort-Object FullName | ForEach-Object {
            '{0} {1} {2:o}' -f $_.FullName, (Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256).Hash, $_.LastWriteTimeUtc
        }
    }

    function New-TestSet([string] $Name, [int] $ValidityDays = 825) {
        $folder = Join-Path $TestDrive $Name
        $null = New-DockerTlsCertificate -DnsName "$Name.example.test" -IPAddress 10.0.0.4 -Path $folder -ValidityDays $ValidityDays
        $folder
    }
}

AfterAll {
    $env:DOCKER_CONFIG = $savedDockerConfig
}

Describe 'Get-DockerTlsCertificate' {
    Context 'a set made by New-DockerTlsCertificate' {
        BeforeAll {
            $tls = New-DockerTlsCertificate -DnsName myhost.example.test -IPAddress 20.1.2.3 -Path (Join-Path $TestDrive 'myhost')
            $certificates = Get-DockerTlsCertificate -Path $tls.Path
        }

        It 'returns one flat object per certificate, CA first' {
            $certificates | Should -HaveCount 3
            $certificates | Should -BeOfType 'AzDockerVm.Models.DockerTlsCertificate'
            $certificates.File | Should -Be @('ca.pem', 'server-cert.pem', 'cert.pem')
            $certificates.Role | Should -Be @('CA', 'Server', 'Client')
        }

        It 'is the kind of object a Pester expiry check needs' {
            (Get-DockerTlsCertificate -Path $tls.Path).DaysLeft | Should -BeGreaterThan 30
        }

        It 'reports what .NET reads from <File>' -ForEach @(
            @{ File = 'ca.pem'; Index = 0 }, @{ File = 'server-cert.pem'; Index = 1 }, @{ File = 'cert.pem'; Index = 2 }) {
            $certificate = $certificates[$Index]
            $dotnet = Read-PemCertificate (Join-Path $tls.Path $File)
            $certificate.Path | Should -Be $tls.Path
            $certificate.FullName | Should -Be (Join-Path $tls.Path $File)
            $certificate.Subject | Should -BeExactly $dotnet.Subject
            $certificate.Issuer | Should -BeExactly $dotnet.Issuer
            $certificate.Thumbprint | Should -BeExactly $dotnet.Thumbprint
            $certificate.SerialNumber | Should -BeExactly $dotnet.SerialNumber
            $certificate.NotAfter | Should -Be $dotnet.NotAfter.ToUniversalTime()
            $certificate.NotBefore | Should -Be $dotnet.NotBefore.ToUniversalTime()
            $certificate.Sha256Fingerprint | Should -BeExactly ([System.Convert]::ToHexString([System.Security.Cryptography.SHA256]::HashData($dotnet.RawData)))
            $certificate.KeyAlgorithm | Should -Be 'ECDSA_P256'
            $certificate.IssuedBySetCa | Should -BeTrue
            $certificate.KeyMatches | Should -BeTrue
        }

        It 'names the server certificate''s DNS names and IP addresses' {
            $certificates[1].DnsName | Should -Be @('myhost.example.test')
            $certificates[1].IPAddress | Should -Be @('20.1.2.3')
        }

        It 'agrees with the thumbprints New-DockerTlsCertificate reported' {
            $certificates.Thumbprint | Should -Be @($tls.CaThumbprint, $tls.ServerThumbprint, $tls.ClientThumbprint)
        }

        It 'has no property that holds key material' {
            $certificates[0].PSObject.Properties.Name | Where-Object { $_ -like '*Key*' } | Should -Be @('KeyAlgorithm', 'KeyMatches')
            ($certificates | Out-String) + ($certificates | Format-List * | Out-String) | Should -Not -Match 'PRIVATE KEY'
        }

        It 'takes the set from the pipeline' {
            $tls | Get-DockerTlsCertificate | Should -HaveCount 3
        }

        It 'shows File, Role, Subject, NotAfter and DaysLeft by default' {
            $header = ($certificates | Out-String -Width 250) -split "`n" | Where-Object { $_ -match '^File\s' }
            ($header -split '\s+' | Where-Object { $_ }) | Should -Be @('File', 'Role', 'Subject', 'NotAfter', 'DaysLeft')
        }
    }

    Context 'expiry' {
        It 'warns for a certificate within -WarningDays of expiry, and DaysLeft counts whole days' {
            $folder = New-TestSet 'short' -ValidityDays 10
            $certificates = Get-DockerTlsCertificate -Path $folder -WarningVariable warnings -WarningAction SilentlyContinue
            ($certificates | Where-Object Role -ne CA).DaysLeft | Should -Be @(9, 9)
            $warnings | Should -HaveCount 2
            "$($warnings[0])" | Should -Match 'expires on .* in 9 day\(s\)'
            $null = Get-DockerTlsCertificate -Path $folder -WarningDays 5 -WarningVariable none -WarningAction SilentlyContinue
            $none | Should -HaveCount 0
        }
    }

    Context 'a docker context and wildcards' {
        It 'reads the copies a docker context made from the set uses' {
            $folder = New-TestSet 'ctx'
            $context = New-DockerContext -Name pester-ctx -Endpoint tcp://10.0.0.4:2376 -CertificatePath $folder
            $read = $context | Get-DockerTlsCertificate
            $read.File | Should -Be @('ca.pem', 'cert.pem')
            $read[1].Path | Should -Be $context.TlsPath
        }

        It 'reads every set a wildcard matches and passes over other folders' {
            $parent = Join-Path $TestDrive 'wild'
            $null = New-DockerTlsCertificate -DnsName a.example.test -Path (Join-Path $parent 'a')
            $null = New-DockerTlsCertificate -DnsName b.example.test -Path (Join-Path $parent 'b')
            $null = New-Item -ItemType Directory -Path (Join-Path $parent 'empty')
            $read = Get-DockerTlsCertificate -Path (Join-Path $parent '*') -ErrorVariable errors
            $read | Should -HaveCount 6
            $errors | Should -HaveCount 0
        }
    }

    Context 'bad input' {
        It 'a folder that does not exist is PathNotFound with the folder as target' {
            $missing = Join-Path $TestDrive 'nosuch'
            $null = Get-DockerTlsCertificate -Path $missing -ErrorVariable failure -ErrorAction SilentlyContinue
            $failure[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
            $failure[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $failure[0].TargetObject | Should -Be $missing
        }

        It 'a folder without a certificate is NotATlsSet' {
            $empty = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'no-set')).FullName
            { Get-DockerTlsCertificate -Path $empty -ErrorAction Stop } | Should -Throw -ErrorId 'NotATlsSet,*'
        }

        It 'a certificate file that holds a key is PemNoCertificate, and the other certificates are still read' {
            $folder = New-TestSet 'bad-pem'
            Copy-Item (Join-Path $folder 'key.pem') (Join-Path $folder 'cert.pem') -Force
            $read = Get-DockerTlsCertificate -Path $folder -ErrorVariable failure -ErrorAction SilentlyContinue
            $read.File | Should -Be @('ca.pem', 'server-cert.pem')
            $failure[0].FullyQualifiedErrorId | Should -BeLike 'PemNoCertificate,*'
            $failure[0].TargetObject | Should -Be (Join-Path $folder 'cert.pem')
        }
    }
}

Describe 'Update-DockerTlsCertificate' {
    Context 'renewing a set from its own CA' {
        BeforeAll {
            $folder = New-TestSet 'renew' -ValidityDays 40
            $before = Get-DockerTlsCertificate -Path $folder
            $caState = Get-FolderState $folder | Where-Object { $_ -match '[\\/]ca(-key)?\.pem ' }
            $context = New-DockerContext -Name pester-renew -Endpoint tcp://10.0.0.4:2376 -CertificatePath $folder
            $renewed = Update-DockerTlsCertificate -Path $folder -IPAddress 10.0.0.5
            $after = Get-DockerTlsCertificate -Path $folder
        }

        It 'returns the renewed certificates' {
            $renewed.Role | Should -Be @('Server', 'Client')
            $renewed.Thumbprint | Should -Be @($after[1].Thumbprint, $after[2].Thumbprint)
        }

        It 'gives them new serials, the same issuer and the old lifetime from now' {
            $after[1].SerialNumber | Should -Not -Be $before[1].SerialNumber
            $after[2].SerialNumber | Should -Not -Be $before[2].SerialNumber
            $after[1].Issuer | Should -BeExactly $before[1].Issuer
            ($after[1].NotAfter - [datetime]::UtcNow).TotalDays | Should -BeGreaterThan 39.9
            ($after[1].NotAfter - [datetime]::UtcNow).TotalDays | Should -BeLessOrEqual 40.01
            $after[1].NotAfter | Should -BeGreaterOrEqual $before[1].NotAfter
        }

        It 'replaces the IP addresses and keeps the DNS names' {
            $after[1].DnsName | Should -Be @('renew.example.test')
            $after[1].IPAddress | Should -Be @('10.0.0.5')
        }

        It 'never rewrites ca.pem and ca-key.pem' {
            Get-FolderState $folder | Where-Object { $_ -match '[\\/]ca(-key)?\.pem ' } | Should -Be $caState
            $after[0].Thumbprint | Should -Be $before[0].Thumbprint
        }

        It 'writes <_> readable by the owner only' -ForEach @('server-key.pem', 'key.pem') {
            if (-not $onUnix) { Set-ItResult -Skipped -Because 'file modes exist on Linux and macOS only' }
            (Get-Item -LiteralPath (Join-Path $folder $_)).UnixFileMode | Should -Be $privateFile
        }

        It 'writes PEM without a byte order mark' {
            foreach ($name in 'server-cert.pem', 'server-key.pem', 'cert.pem', 'key.pem') {
                [System.Text.Encoding]::ASCII.GetString([System.IO.File]::ReadAllBytes((Join-Path $folder $name)), 0, 11) | Should -BeExactly '-----BEGIN '
            }
        }

        It 'refreshes the docker context made from the set' {
            $inContext = Get-DockerTlsCertificate -LiteralPath $context.TlsPath | Where-Object Role -eq Client
            $inContext.Thumbprint | Should -Be $after[2].Thumbprint
            $inContext.KeyMatches | Should -BeTrue
        }

        It 'issues certificates openssl verifies against the unchanged ca.pem' {
            if (-not $hasOpenSsl) { Set-ItResult -Skipped -Because 'openssl is not installed' }
            $output = & openssl verify -CAfile (Join-Path $folder 'ca.pem') (Join-Path $folder 'server-cert.pem') (Join-Path $folder 'cert.pem') 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        }
    }

    Context '-WhatIf and refusals change nothing' {
        It '-WhatIf writes nothing' {
            $folder = New-TestSet 'whatif'
            $state = Get-FolderState $folder
            Update-DockerTlsCertificate -Path $folder -WhatIf | Should -BeNullOrEmpty
            Get-FolderState $folder | Should -Be $state
        }

        It '<Case> is <Id>' -ForEach @(
            @{ Case = 'a set without ca-key.pem'; Id = 'CertificateAuthorityKeyNotFound'; Category = 'ObjectNotFound'; Prepare = { param($f) Remove-Item (Join-Path $f 'ca-key.pem') }; Extra = @{} }
            @{ Case = 'a CA key of another set'; Id = 'CertificateAuthorityKeyMismatch'; Category = 'InvalidData'; Prepare = { param($f) Copy-Item (Join-Path (New-TestSet 'other-key') 'ca-key.pem') (Join-Path $f 'ca-key.pem') -Force }; Extra = @{} }
            @{ Case = 'a folder with only its CA'; Id = 'NotATlsSet'; Category = 'InvalidArgument'; Prepare = { param($f) Remove-Item (Join-Path $f '*') -Include 'server-*', 'cert.pem', 'key.pem' }; Extra = @{} }
            @{ Case = '-Client with -DnsName'; Id = 'SubjectAlternativeNameWithoutServer'; Category = 'InvalidArgument'; Prepare = { param($f) }; Extra = @{ Client = $true; DnsName = 'x.example.test' } }
        ) {
            $folder = New-TestSet ('refused-' + $Id)
            & $Prepare $folder
            $state = Get-FolderState $folder
            # A refusal of the set is its non-terminating error; a refusal of the parameters stops the command.
            try { $null = Update-DockerTlsCertificate -Path $folder @Extra -ErrorVariable failure -ErrorAction SilentlyContinue }
            catch { $failure = @($_) }
            $failure[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
            "$($failure[0].CategoryInfo.Category)" | Should -Be $Category
            Get-FolderState $folder | Should -Be $state
        }

        It 'a CA that is not the set''s is CertificateAuthorityMismatch' {
            $folder = New-TestSet 'mismatch'
            $other = New-TestSet 'mismatch-other'
            $state = Get-FolderState $folder
            { Update-DockerTlsCertificate -Path $folder -CertificateAuthorityPath $other -ErrorAction Stop } | Should -Throw -ErrorId 'CertificateAuthorityMismatch,*'
            Get-FolderState $folder | Should -Be $state
        }
    }
}

Describe 'Start- and Complete-DockerTlsCertificateAuthorityRotation' {
    BeforeAll {
        function Get-CaThumbprint([string] $Path) {
            (Get-DockerTlsCertificate -Path $Path | Where-Object Role -eq CA).Thumbprint
        }

        function Copy-ClientFiles([string] $From, [string] $To) {
            $null = New-Item -ItemType Directory -Path $To -Force
            foreach ($name in 'ca.pem', 'cert.pem', 'key.pem') { Copy-Item (Join-Path $From $name) (Join-Path $To $name) }
            $To
        }

        function Test-OpenSslVerify([string] $CaFile, [string] $Certificate) {
            $null = & openssl verify -CAfile $CaFile $Certificate 2>&1
            $LASTEXITCODE -eq 0
        }
    }

    Context 'a rotation with an overlap' {
        BeforeAll {
            $folder = New-TestSet 'rotate'
            $oldCa = Get-CaThumbprint $folder
            $oldServer = (Get-DockerTlsCertificate -Path $folder | Where-Object Role -eq Server).Thumbprint
            $clientA = Copy-ClientFiles $folder (Join-Path $TestDrive 'client-a')
            $context = New-DockerContext -Name pester-rotate -Endpoint tcp://10.0.0.4:2376 -CertificatePath $folder

            $started = Start-DockerTlsCertificateAuthorityRotation -Path $folder
            $mid = Get-DockerTlsCertificate -Path $folder
            $midState = Get-Content -Raw (Join-Path $folder 'ca-rotation/rotation.json') | ConvertFrom-Json
            $midRotationFiles = (Get-ChildItem -LiteralPath (Join-Path $folder 'ca-rotation') -Force).Name | Sort-Object
            $oldKeyMode = (Get-Item -LiteralPath (Join-Path $folder 'ca-rotation/old-ca-key.pem')).UnixFileMode
            $clientB = Join-Path $TestDrive 'client-b'
            $null = New-DockerTlsCertificate -DnsName client-b.example.test -Path $clientB -CertificateAuthorityPath $folder
            $midVerifies = if ($hasOpenSsl) {
                @{ ServerOld = Test-OpenSslVerify (Join-Path $folder 'ca.pem') (Join-Path $folder 'server-cert.pem')
                   ClientA = Test-OpenSslVerify (Join-Path $folder 'ca.pem') (Join-Path $clientA 'cert.pem')
                   ClientB = Test-OpenSslVerify (Join-Path $folder 'ca.pem') (Join-Path $clientB 'cert.pem') }
            }

            $completed = $started | Complete-DockerTlsCertificateAuthorityRotation
            $after = Get-DockerTlsCertificate -Path $folder
        }

        It 'starts: ca.pem trusts the old and the new CA, the server certificate stays the old CA''s' {
            $started | Should -BeOfType 'AzDockerVm.Models.DockerTlsCertificateAuthorityRotation'
            $started.Status | Should -Be 'InProgress'
            $started.OldCaThumbprint | Should -Be $oldCa
            ($mid | Where-Object Role -eq CA).Thumbprint | Should -Be @($oldCa, $started.NewCaThumbprint)
            ($mid | Where-Object Role -eq Server).Thumbprint | Should -Be $oldServer
        }

        It 'starts: the set''s own client is the new CA''s, and a set issued now is the new CA''s with the two-CA ca.pem' {
            ($mid | Where-Object Role -eq Client).Issuer | Should -BeExactly $started.NewCaSubject
            $started.ReissuedCertificate | Should -Be @((Join-Path $folder 'cert.pem'))
            (Get-DockerTlsCertificate -Path $clientB | Where-Object Role -eq Client).Issuer | Should -BeExactly $started.NewCaSubject
            Get-CaThumbprint $clientB | Should -Be @($oldCa, $started.NewCaThumbprint)
        }

        It 'starts: the old CA and its key are kept aside with a state file that names both CAs' {
            $midRotationFiles | Should -Be @('old-ca-key.pem', 'old-ca.pem', 'rotation.json')
            if ($onUnix) { $oldKeyMode | Should -Be $privateFile }
            $midState.status | Should -Be 'InProgress'
            $midState.oldCertificateAuthority.thumbprint | Should -Be $oldCa
            $midState.newCertificateAuthority.thumbprint | Should -Be $started.NewCaThumbprint
        }

        It 'during the overlap ca.pem verifies the old server, the old client and the new client' {
            if (-not $hasOpenSsl) { Set-ItResult -Skipped -Because 'openssl is not installed' }
            $midVerifies.ServerOld | Should -BeTrue
            $midVerifies.ClientA | Should -BeTrue
            $midVerifies.ClientB | Should -BeTrue
        }

        It 'completes: the new CA alone, the server certificate re-issued by it, the old CA''s key deleted' {
            $completed.Status | Should -Be 'Completed'
            $completed.CompletionTime | Should -Not -BeNullOrEmpty
            ($after | Where-Object Role -eq CA).Thumbprint | Should -Be $started.NewCaThumbprint
            $server = $after | Where-Object Role -eq Server
            $server.Thumbprint | Should -Not -Be $oldServer
            $server.Issuer | Should -BeExactly $started.NewCaSubject
            $server.IPAddress | Should -Be @('10.0.0.4')
            (Get-ChildItem -LiteralPath (Join-Path $folder 'ca-rotation') -Force).Name | Sort-Object | Should -Be @('old-ca.pem', 'rotation.json')
        }

        It 'completes: the old client no longer verifies, the clients of the overlap still do' {
            if (-not $hasOpenSsl) { Set-ItResult -Skipped -Because 'openssl is not installed' }
            Test-OpenSslVerify (Join-Path $folder 'ca.pem') (Join-Path $clientA 'cert.pem') | Should -BeFalse
            Test-OpenSslVerify (Join-Path $folder 'ca.pem') (Join-Path $clientB 'cert.pem') | Should -BeTrue
            Test-OpenSslVerify (Join-Path $clientB 'ca.pem') (Join-Path $folder 'server-cert.pem') | Should -BeTrue
            Test-OpenSslVerify (Join-Path $clientA 'ca.pem') (Join-Path $folder 'server-cert.pem') | Should -BeFalse
        }

        It 'keeps the docker context made from the set in step' {
            $inContext = Get-DockerTlsCertificate -LiteralPath $context.TlsPath
            ($inContext | Where-Object Role -eq CA).Thumbprint | Should -Be $started.NewCaThumbprint
            ($inContext | Where-Object Role -eq Client).Thumbprint | Should -Be ($after | Where-Object Role -eq Client).Thumbprint
        }
    }

    Context 'locking out a lost client' {
        It 're-issues only the remaining client; the lost copy no longer verifies' {
            $folder = New-TestSet 'revoke'
            $lost = Copy-ClientFiles $folder (Join-Path $TestDrive 'lost')
            $remaining = Copy-ClientFiles $folder (Join-Path $TestDrive 'remaining')
            $result = Start-DockerTlsCertificateAuthorityRotation -Path $folder -ClientPath $remaining | Complete-DockerTlsCertificateAuthorityRotation
            $result.ClientPath | Should -Be @($remaining)
            Get-CaThumbprint $remaining | Should -Be (Get-CaThumbprint $folder)
            (Get-DockerTlsCertificate -Path $remaining | Where-Object Role -eq Client).IssuedBySetCa | Should -BeTrue
            (Get-DockerTlsCertificate -Path $lost | Where-Object Role -eq Client).Issuer | Should -Not -Be $result.NewCaSubject
            if ($hasOpenSsl) {
                Test-OpenSslVerify (Join-Path $folder 'ca.pem') (Join-Path $lost 'cert.pem') | Should -BeFalse
                Test-OpenSslVerify (Join-Path $folder 'ca.pem') (Join-Path $remaining 'cert.pem') | Should -BeTrue
            }
        }
    }

    Context 'refusals change nothing' {
        BeforeAll {
            # A CA that expired yesterday, made with .NET (openssl req cannot make one in the past).
            function Set-ExpiredCa([string] $Folder) {
                $key = [System.Security.Cryptography.ECDsa]::Create([System.Security.Cryptography.ECCurve+NamedCurves]::nistP256)
                $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=expired CA', $key, 'SHA256')
                $request.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension]::new($true, $false, 0, $true))
                $ca = $request.CreateSelfSigned([datetimeoffset]::UtcNow.AddDays(-30), [datetimeoffset]::UtcNow.AddDays(-1))
                [System.IO.File]::WriteAllText((Join-Path $Folder 'ca.pem'), $ca.ExportCertificatePem() + "`n")
                [System.IO.File]::WriteAllText((Join-Path $Folder 'ca-key.pem'), $key.ExportPkcs8PrivateKeyPem() + "`n")
            }
        }

        It '<Case> is <Id>' -ForEach @(
            @{ Case = 'a second start'; Id = 'RotationInProgress'; Category = 'InvalidOperation'; Command = 'Start'; Prepare = { param($f) $null = Start-DockerTlsCertificateAuthorityRotation -Path $f }; Extra = @{} }
            @{ Case = 'a completion without a start'; Id = 'NoRotationInProgress'; Category = 'InvalidOperation'; Command = 'Complete'; Prepare = { param($f) }; Extra = @{} }
            @{ Case = 'an expired CA'; Id = 'CertificateAuthorityExpired'; Category = 'InvalidData'; Command = 'Start'; Prepare = { param($f) Set-ExpiredCa $f }; Extra = @{} }
            @{ Case = 'a CA key of another set'; Id = 'CertificateAuthorityKeyMismatch'; Category = 'InvalidData'; Command = 'Start'; Prepare = { param($f) Copy-Item (Join-Path (New-TestSet 'rot-other-key') 'ca-key.pem') (Join-Path $f 'ca-key.pem') -Force }; Extra = @{} }
            @{ Case = 'a set without ca-key.pem'; Id = 'CertificateAuthorityKeyNotFound'; Category = 'ObjectNotFound'; Command = 'Start'; Prepare = { param($f) Remove-Item (Join-Path $f 'ca-key.pem') }; Extra = @{} }
            @{ Case = 'a folder of clients only'; Id = 'NotATlsSet'; Category = 'InvalidArgument'; Command = 'Start'; Prepare = { param($f) Remove-Item (Join-Path $f 'server-*') }; Extra = @{} }
            @{ Case = 'a client set of another CA'; Id = 'CertificateAuthorityMismatch'; Category = 'InvalidData'; Command = 'Start'; Prepare = { param($f) }; Extra = @{ ClientPath = 'rot-stranger' } }
        ) {
            $folder = New-TestSet ('rot-refused-' + $Id)
            if ($Extra.ContainsKey('ClientPath')) { $Extra = @{ ClientPath = New-TestSet $Extra.ClientPath } }
            & $Prepare $folder
            $state = Get-FolderState $TestDrive
            if ($Command -eq 'Start') {
                $null = Start-DockerTlsCertificateAuthorityRotation -Path $folder @Extra -ErrorVariable failure -ErrorAction SilentlyContinue
            } else {
                $null = Complete-DockerTlsCertificateAuthorityRotation -Path $folder @Extra -ErrorVariable failure -ErrorAction SilentlyContinue
            }
            $failure[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
            "$($failure[0].CategoryInfo.Category)" | Should -Be $Category
            $failure[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
            Get-FolderState $TestDrive | Should -Be $state
        }

        It '-WhatIf writes nothing in either phase' {
            $folder = New-TestSet 'rot-whatif'
            $state = Get-FolderState $folder
            Start-DockerTlsCertificateAuthorityRotation -Path $folder -WhatIf | Should -BeNullOrEmpty
            Get-FolderState $folder | Should -Be $state
            $null = Start-DockerTlsCertificateAuthorityRotation -Path $folder
            $state = Get-FolderState $folder
            Complete-DockerTlsCertificateAuthorityRotation -Path $folder -WhatIf | Should -BeNullOrEmpty
            Get-FolderState $folder | Should -Be $state
        }

        It 'a server renewal during the overlap is RotationInProgress' {
            $folder = New-TestSet 'rot-renew'
            $null = Start-DockerTlsCertificateAuthorityRotation -Path $folder
            $state = Get-FolderState $folder
            { Update-DockerTlsCertificate -Path $folder -Server -ErrorAction Stop } | Should -Throw -ErrorId 'RotationInProgress,*'
            Get-FolderState $folder | Should -Be $state
        }
    }
}

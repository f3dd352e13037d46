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

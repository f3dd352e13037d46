# Pester 5 tests for New-DockerTlsCertificate, run against the built module (./build.ps1 -Task Test).
# Needs PowerShell 7.4 or later; openssl is used when it is installed.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot ../../out/AzDockerVm/AzDockerVm.psd1) -Force

    $script:onUnix = -not $IsWindows
    $script:hasOpenSsl = $null -ne (Get-Command openssl -CommandType Application -ErrorAction SilentlyContinue)
    $script:privateFile = [System.IO.UnixFileMode]'UserRead, UserWrite'
    $script:privateFolder = [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute'

    function Read-PemCertificate([string] $Path) {
        [System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPem([System.IO.File]::ReadAllText($Path))
    }

    function Get-SubjectAlternativeName([string] $Path) {
        $certificate = Read-PemCertificate $Path
        $raw = $certificate.Extensions | Where-Object { $_.Oid.Value -eq '2.5.29.17' }
        if ($null -eq $raw) { return @{ Dns = @(); IP = @() } }
        $san = [System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension]::new($raw.RawData, $raw.Critical)
        @{
            Dns = @($san.EnumerateDnsNames())
            IP  = @($san.EnumerateIPAddresses() | ForEach-Object { $_.ToString() })
        }
    }

    function Get-ExtendedKeyUsage([string] $Path) {
        $eku = (Read-PemCertificate $Path).Extensions |
            Where-Object { $_ -is [System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension] }
        @($eku.EnhancedKeyUsages | ForEach-Object { $_.Value })
    }

    function Invoke-OpenSsl {
        $output = & openssl @args 2>&1
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output -join [Environment]::NewLine) }
    }
}

Describe 'New-DockerTlsCertificate' {
    Context 'a new set for an Azure VM' {
        BeforeAll {
            $dir = Join-Path $TestDrive 'myvm'
            $tls = New-DockerTlsCertificate -DnsName myvm.westeurope.cloudapp.azure.com -IPAddress 20.1.2.3 -Path $dir
            $files = 'ca.pem', 'ca-key.pem', 'server-cert.pem', 'server-key.pem', 'cert.pem', 'key.pem'
        }

        It 'returns one DockerTlsCertificateSet that describes the set' {
            @($tls).Count | Should -Be 1
            $tls | Should -BeOfType 'AzDockerVm.Models.DockerTlsCertificateSet'
            $tls.Path | Should -Be $dir
            $tls.DnsName | Should -Be @('myvm.westeurope.cloudapp.azure.com')
            $tls.IPAddress | Should -Be @('20.1.2.3')
            $tls.CommonName | Should -Be 'myvm.westeurope.cloudapp.azure.com'
            $tls.KeyAlgorithm | Should -Be 'ECDSA_P256'
            $tls.CaReused | Should -BeFalse
        }

        It 'reads as its folder in a string' {
            "$tls" | Should -Be $dir
        }

        It 'names each file in the folder' {
            $tls.CaCertificateFile | Should -Be (Join-Path $dir 'ca.pem')
            $tls.CaKeyFile | Should -Be (Join-Path $dir 'ca-key.pem')
            $tls.ServerCertificateFile | Should -Be (Join-Path $dir 'server-cert.pem')
            $tls.ServerKeyFile | Should -Be (Join-Path $dir 'server-key.pem')
            $tls.ClientCertificateFile | Should -Be (Join-Path $dir 'cert.pem')
            $tls.ClientKeyFile | Should -Be (Join-Path $dir 'key.pem')
        }

        It 'writes exactly the six files Docker expects' {
            $written = @(Get-ChildItem -LiteralPath $dir -Force | ForEach-Object Name | Sort-Object)
            $written | Should -Be @($files | Sort-Object)
        }

        It 'writes <_> as PEM without a byte order mark' -ForEach @('ca.pem', 'ca-key.pem', 'server-cert.pem', 'server-key.pem', 'cert.pem', 'key.pem') {
            $bytes = [System.IO.File]::ReadAllBytes((Join-Path $dir $_))
            [System.Text.Encoding]::ASCII.GetString($bytes, 0, 11) | Should -BeExactly '-----BEGIN '
        }

        It 'makes <_> readable by the owner only (0600)' -ForEach @('ca-key.pem', 'server-key.pem', 'key.pem') {
            if (-not $onUnix) { Set-ItResult -Skipped -Because 'file modes exist on Linux and macOS only' }
            (Get-Item -LiteralPath (Join-Path $dir $_)).UnixFileMode | Should -Be $privateFile
        }

        It 'creates the folder for the owner only (0700)' {
            if (-not $onUnix) { Set-ItResult -Skipped -Because 'file modes exist on Linux and macOS only' }
            (Get-Item -LiteralPath $dir).UnixFileMode | Should -Be $privateFolder
        }

        It 'puts exactly the given names into the server certificate, and no localhost' {
            $san = Get-SubjectAlternativeName $tls.ServerCertificateFile
            $san.Dns | Should -Be @('myvm.westeurope.cloudapp.azure.com')
            $san.IP | Should -Be @('20.1.2.3')
        }

        It 'makes the server certificate for server authentication and the client certificate for client authentication' {
            Get-ExtendedKeyUsage $tls.ServerCertificateFile | Should -Be @('1.3.6.1.5.5.7.3.1')
            Get-ExtendedKeyUsage $tls.ClientCertificateFile | Should -Be @('1.3.6.1.5.5.7.3.2')
        }

        It 'reports the thumbprints and expiry dates of the files' {
            $tls.CaThumbprint | Should -BeExactly (Read-PemCertificate $tls.CaCertificateFile).Thumbprint
            $tls.ServerThumbprint | Should -BeExactly (Read-PemCertificate $tls.ServerCertificateFile).Thumbprint
            $tls.ClientThumbprint | Should -BeExactly (Read-PemCertificate $tls.ClientCertificateFile).Thumbprint
            $tls.ServerThumbprint | Should -MatchExactly '^[0-9A-F]{40}$'
            $tls.ServerNotAfter | Should -Be (Read-PemCertificate $tls.ServerCertificateFile).NotAfter.ToUniversalTime()
        }

        It 'makes the certificates valid for 825 days and the CA for ten years' {
            ($tls.ServerNotAfter - [datetime]::UtcNow).TotalDays | Should -BeGreaterThan 824
            ($tls.ServerNotAfter - [datetime]::UtcNow).TotalDays | Should -BeLessOrEqual 825.1
            ($tls.ClientNotAfter - [datetime]::UtcNow).TotalDays | Should -BeGreaterThan 824
            ($tls.CaNotAfter - [datetime]::UtcNow).TotalDays | Should -BeGreaterThan 3649
        }

        It 'is accepted by openssl verify for the names it was made for' {
            if (-not $hasOpenSsl) { Set-ItResult -Skipped -Because 'openssl is not installed' }
            $result = Invoke-OpenSsl verify -CAfile $tls.CaCertificateFile -purpose sslserver -verify_hostname myvm.westeurope.cloudapp.azure.com $tls.ServerCertificateFile
            $result.ExitCode | Should -Be 0 -Because $result.Output
            $result = Invoke-OpenSsl verify -CAfile $tls.CaCertificateFile -purpose sslserver -verify_ip 20.1.2.3 $tls.ServerCertificateFile
            $result.ExitCode | Should -Be 0 -Because $result.Output
            $result = Invoke-OpenSsl verify -CAfile $tls.CaCertificateFile -purpose sslclient $tls.ClientCertificateFile
            $result.ExitCode | Should -Be 0 -Because $result.Output
        }

        It 'is rejected by openssl verify for localhost, which was not asked for' {
            if (-not $hasOpenSsl) { Set-ItResult -Skipped -Because 'openssl is not installed' }
            (Invoke-OpenSsl verify -CAfile $tls.CaCertificateFile -purpose sslserver -verify_hostname localhost $tls.ServerCertificateFile).ExitCode | Should -Not -Be 0
            (Invoke-OpenSsl verify -CAfile $tls.CaCertificateFile -purpose sslserver -verify_ip 127.0.0.1 $tls.ServerCertificateFile).ExitCode | Should -Not -Be 0
        }

        It 'writes keys that belong to their certificates' {
            if (-not $hasOpenSsl) { Set-ItResult -Skipped -Because 'openssl is not installed' }
            foreach ($pair in @(@('ca.pem', 'ca-key.pem'), @('server-cert.pem', 'server-key.pem'), @('cert.pem', 'key.pem'))) {
                $fromCertificate = Invoke-OpenSsl x509 -noout -pubkey -in (Join-Path $dir $pair[0])
                $fromKey = Invoke-OpenSsl pkey -pubout -in (Join-Path $dir $pair[1])
                $fromKey.ExitCode | Should -Be 0 -Because $fromKey.Output
                $fromKey.Output | Should -Be $fromCertificate.Output -Because "$($pair[1]) belongs to $($pair[0])"
            }
        }
    }

    Context 'one CA for many hosts' {
        BeforeAll {
            $first = New-DockerTlsCertificate -DnsName vm1.westeurope.cloudapp.azure.com -Path (Join-Path $TestDrive 'vm1')
            $caKeyBefore = [System.IO.File]::ReadAllBytes($first.CaKeyFile)
            $caKeyWrittenBefore = (Get-Item -LiteralPath $first.CaKeyFile).LastWriteTimeUtc
            $second = New-DockerTlsCertificate -DnsName vm2.westeurope.cloudapp.azure.com -Path (Join-Path $TestDrive 'vm2') -CertificateAuthorityPath $first.Path
        }

        It 'issues the second set from the first CA' {
            $second.CaReused | Should -BeTrue
            $second.CaThumbprint | Should -Be $first.CaThumbprint
            $second.CaKeyFile | Should -Be $first.CaKeyFile
        }

        It 'copies ca.pem but not ca-key.pem' {
            Join-Path $second.Path 'ca.pem' | Should -Exist
            Join-Path $second.Path 'ca-key.pem' | Should -Not -Exist
            [System.IO.File]::ReadAllText($second.CaCertificateFile) | Should -BeExactly ([System.IO.File]::ReadAllText($first.CaCertificateFile))
        }

        It 'leaves the CA key as it was' {
            [System.IO.File]::ReadAllBytes($first.CaKeyFile) | Should -Be $caKeyBefore
            (Get-Item -LiteralPath $first.CaKeyFile).LastWriteTimeUtc | Should -Be $caKeyWrittenBefore
        }

        It 'lets either client certificate verify against the shared CA' {
            if (-not $hasOpenSsl) { Set-ItResult -Skipped -Because 'openssl is not installed' }
            (Invoke-OpenSsl verify -CAfile $first.CaCertificateFile -purpose sslclient $second.ClientCertificateFile).ExitCode | Should -Be 0
            (Invoke-OpenSsl verify -CAfile $second.CaCertificateFile -purpose sslserver -verify_hostname vm2.westeurope.cloudapp.azure.com $second.ServerCertificateFile).ExitCode | Should -Be 0
        }
    }

    Context 'defaults and options' {
        It 'writes to $DOCKER_CONFIG/azdockervm/(the first DnsName) by default' {
            $saved = $env:DOCKER_CONFIG
            try {
                $env:DOCKER_CONFIG = Join-Path $TestDrive 'docker-config'
                $tls = New-DockerTlsCertificate -DnsName build01.contoso.com, build01
                $tls.Path | Should -Be ([System.IO.Path]::Combine($env:DOCKER_CONFIG, 'azdockervm', 'build01.contoso.com'))
                $tls.ServerCertificateFile | Should -Exist
            }
            finally {
                $env:DOCKER_CONFIG = $saved
            }
        }

        It 'names the folder and the server certificate after the first IP address when there is no DNS name' {
            $saved = $env:DOCKER_CONFIG
            try {
                $env:DOCKER_CONFIG = Join-Path $TestDrive 'docker-config-ip'
                $tls = New-DockerTlsCertificate -IPAddress 20.1.2.3
                $tls.CommonName | Should -Be '20.1.2.3'
                $tls.Path | Should -Be ([System.IO.Path]::Combine($env:DOCKER_CONFIG, 'azdockervm', '20.1.2.3'))
            }
            finally {
                $env:DOCKER_CONFIG = $saved
            }
        }

        It 'uses -CommonName for the subject of the server certificate only' {
            $tls = New-DockerTlsCertificate -DnsName cn.example.com -CommonName 'Build host' -Path (Join-Path $TestDrive 'cn')
            $tls.CommonName | Should -Be 'Build host'
            (Read-PemCertificate $tls.ServerCertificateFile).GetNameInfo('SimpleName', $false) | Should -Be 'Build host'
            (Get-SubjectAlternativeName $tls.ServerCertificateFile).Dns | Should -Be @('cn.example.com')
        }

        It 'includes localhost and loopback addresses when asked' {
            $tls = New-DockerTlsCertificate -DnsName localhost -IPAddress 127.0.0.1, '::1' -Path (Join-Path $TestDrive 'local')
            $san = Get-SubjectAlternativeName $tls.ServerCertificateFile
            $san.Dns | Should -Be @('localhost')
            $san.IP | Should -Be @('127.0.0.1', '::1')
        }

        It 'makes <Algorithm> keys' -ForEach @(
            @{ Algorithm = 'ECDSA_P384'; Oid = '1.2.840.10045.2.1'; Size = 384 }
            @{ Algorithm = 'RSA2048'; Oid = '1.2.840.113549.1.1.1'; Size = 2048 }
        ) {
            $tls = New-DockerTlsCertificate -DnsName keys.example.com -KeyAlgorithm $Algorithm -Path (Join-Path $TestDrive $Algorithm)
            $tls.KeyAlgorithm | Should -Be $Algorithm
            foreach ($file in $tls.ServerCertificateFile, $tls.ClientCertificateFile) {
                $certificate = Read-PemCertificate $file
                $certificate.PublicKey.Oid.Value | Should -Be $Oid
                # Extension methods, so called as static methods.
                $key = if ($Size -eq 384) {
                    [System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions]::GetECDsaPublicKey($certificate)
                }
                else {
                    [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPublicKey($certificate)
                }
                # KeySize is write-only on the Linux RSA type through PowerShell's adapter: measure the public key itself.
                $bits = if ($Size -eq 384) { $key.ExportParameters($false).Q.X.Length * 8 } else { $key.ExportParameters($false).Modulus.Length * 8 }
                $bits | Should -Be $Size
            }
        }

        It 'makes the certificates valid for -ValidityDays days' {
            $tls = New-DockerTlsCertificate -DnsName short.example.com -ValidityDays 30 -Path (Join-Path $TestDrive 'short')
            ($tls.ServerNotAfter - [datetime]::UtcNow).TotalDays | Should -BeGreaterThan 29
            ($tls.ServerNotAfter - [datetime]::UtcNow).TotalDays | Should -BeLessOrEqual 30.1
            ($tls.CaNotAfter - [datetime]::UtcNow).TotalDays | Should -BeGreaterThan 3649
        }

        It 'takes DnsName and Path from the pipeline by property name' {
            $dir = Join-Path $TestDrive 'piped'
            $tls = [pscustomobject]@{ DnsName = 'piped.example.com'; Path = $dir } | New-DockerTlsCertificate
            $tls.DnsName | Should -Be @('piped.example.com')
            $tls.Path | Should -Be $dir
        }
    }

    Context '-WhatIf and -Force' {
        It '-WhatIf writes nothing and returns nothing' {
            $dir = Join-Path $TestDrive 'whatif'
            $result = New-DockerTlsCertificate -DnsName whatif.example.com -Path $dir -WhatIf
            $result | Should -BeNullOrEmpty
            $dir | Should -Not -Exist
        }

        It 'refuses to overwrite an existing set without -Force and changes nothing' {
            $dir = Join-Path $TestDrive 'existing'
            $tls = New-DockerTlsCertificate -DnsName existing.example.com -Path $dir
            $before = [System.IO.File]::ReadAllText($tls.ServerCertificateFile)

            $err = { New-DockerTlsCertificate -DnsName existing.example.com -Path $dir } | Should -Throw -ErrorId 'FileExists,*' -PassThru

            $err.CategoryInfo.Category | Should -Be 'ResourceExists'
            [System.IO.File]::ReadAllText($tls.ServerCertificateFile) | Should -BeExactly $before
        }

        It 'overwrites an existing set with -Force' {
            $dir = Join-Path $TestDrive 'forced'
            $old = New-DockerTlsCertificate -DnsName forced.example.com -Path $dir
            $new = New-DockerTlsCertificate -DnsName forced.example.com -Path $dir -Force
            $new.ServerThumbprint | Should -Not -Be $old.ServerThumbprint
            (Read-PemCertificate $new.ServerCertificateFile).Thumbprint | Should -Be $new.ServerThumbprint
        }
    }

    Context 'bad input' {
        It 'needs a DNS name or an IP address' {
            $err = { New-DockerTlsCertificate -Path (Join-Path $TestDrive 'nothing') } | Should -Throw -ErrorId 'NoSubjectAlternativeName,*' -PassThru
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        }

        It 'rejects the IP address <_>' -ForEach @('300.1.2.3', 'myvm.example.com') {
            $err = { New-DockerTlsCertificate -IPAddress $_ -Path (Join-Path $TestDrive 'badip') } | Should -Throw -ErrorId 'InvalidIPAddress,*' -PassThru
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            Join-Path $TestDrive 'badip' | Should -Not -Exist
        }

        It 'rejects the DNS name <_>' -ForEach @('my vm.example.com', 'myvm..example.com', 'https://myvm.example.com') {
            { New-DockerTlsCertificate -DnsName $_ -Path (Join-Path $TestDrive 'baddns') } | Should -Throw -ErrorId 'InvalidDnsName,*'
        }

        It 'rejects -ValidityDays <_>' -ForEach @(0, -1, 3651) {
            { New-DockerTlsCertificate -DnsName days.example.com -ValidityDays $_ -Path (Join-Path $TestDrive 'baddays') } | Should -Throw -ErrorId 'InvalidValidityDays,*'
        }

        It 'refuses -Path <_>, a path of another provider, and writes nothing anywhere' -ForEach @('env:/AZDV_SET', 'variable:/azdvSet', 'function:/azdvSet') {
            $cwd = New-Item -ItemType Directory -Path (Join-Path $TestDrive "cwd-$([guid]::NewGuid().ToString('N'))")
            Push-Location -LiteralPath $cwd.FullName
            try {
                $err = { New-DockerTlsCertificate -DnsName h.example.com -Path $_ } | Should -Throw -ErrorId 'PathNotFileSystem,*' -PassThru
            }
            finally {
                Pop-Location
            }
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.TargetObject | Should -Be $_
            Get-ChildItem -LiteralPath $cwd.FullName -Force | Should -BeNullOrEmpty
            Test-Path -LiteralPath $_ | Should -BeFalse
        }

        It 'writes to a path on a FileSystem drive of PowerShell (TestDrive:)' {
            $set = New-DockerTlsCertificate -DnsName drive.example.com -Path 'TestDrive:/via-drive'
            $set.Path | Should -Be (Join-Path $TestDrive 'via-drive')
            Join-Path $TestDrive 'via-drive/server-cert.pem' | Should -Exist
        }

        It 'refuses a folder named <_> where the set goes, even with -Force, and writes nothing' -ForEach @('key.pem', 'server-key.pem') {
            $folder = Join-Path $TestDrive "blocked-$($_)"
            $null = New-Item -ItemType Directory -Path (Join-Path $folder $_) -Force
            $err = { New-DockerTlsCertificate -DnsName h.example.com -Path $folder -Force } | Should -Throw -ErrorId 'TargetIsAFolder,*' -PassThru
            $err.CategoryInfo.Category | Should -Be 'ResourceExists'
            $err.TargetObject | Should -Be (Join-Path $folder $_)
            (Get-ChildItem -LiteralPath $folder -Force).Name | Should -Be $_
        }

        It 'refuses a -CommonName with a line break, showing it escaped' {
            $err = { New-DockerTlsCertificate -DnsName h.example.com -CommonName "evil`nCN=admin" -Path (Join-Path $TestDrive 'badcn') } | Should -Throw -ErrorId 'InvalidCommonName,*' -PassThru
            $err.TargetObject | Should -Be 'evil\u000aCN=admin'
            Join-Path $TestDrive 'badcn' | Should -Not -Exist
        }

        It 'refuses an unknown -KeyAlgorithm while binding parameters' {
            { New-DockerTlsCertificate -DnsName alg.example.com -KeyAlgorithm DSA -Path (Join-Path $TestDrive 'badalg') } | Should -Throw -ErrorId 'CannotConvertArgument*'
        }

        Context 'a -CertificateAuthorityPath that cannot be used' {
            BeforeAll {
                $good = New-DockerTlsCertificate -DnsName ca.example.com -Path (Join-Path $TestDrive 'goodca')
                $other = New-DockerTlsCertificate -DnsName other.example.com -Path (Join-Path $TestDrive 'otherca')

                function New-CaFolder([string] $Name, [string] $Certificate, [string] $Key) {
                    $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive $Name)
                    if ($Certificate) { Copy-Item -LiteralPath $Certificate -Destination (Join-Path $folder 'ca.pem') }
                    if ($Key) { Copy-Item -LiteralPath $Key -Destination (Join-Path $folder 'ca-key.pem') }
                    $folder.FullName
                }
            }

            It 'reports a folder without ca.pem' {
                $ca = New-CaFolder 'ca-empty'
                $err = { New-DockerTlsCertificate -DnsName x.example.com -CertificateAuthorityPath $ca -Path (Join-Path $TestDrive 'x1') } | Should -Throw -ErrorId 'CertificateAuthorityNotFound,*' -PassThru
                $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
                Join-Path $TestDrive 'x1' | Should -Not -Exist
            }

            It 'reports a folder without ca-key.pem' {
                $ca = New-CaFolder 'ca-nokey' -Certificate $good.CaCertificateFile
                { New-DockerTlsCertificate -DnsName x.example.com -CertificateAuthorityPath $ca -Path (Join-Path $TestDrive 'x2') } | Should -Throw -ErrorId 'CertificateAuthorityKeyNotFound,*'
            }

            It 'reports a ca-key.pem that belongs to another CA' {
                $ca = New-CaFolder 'ca-mismatch' -Certificate $good.CaCertificateFile -Key $other.CaKeyFile
                $err = { New-DockerTlsCertificate -DnsName x.example.com -CertificateAuthorityPath $ca -Path (Join-Path $TestDrive 'x3') } | Should -Throw -ErrorId 'CertificateAuthorityKeyMismatch,*' -PassThru
                $err.CategoryInfo.Category | Should -Be 'InvalidData'
                Join-Path $TestDrive 'x3' | Should -Not -Exist
            }

            It 'reports a certificate that is not a CA' {
                $ca = New-CaFolder 'ca-notca' -Certificate $good.ServerCertificateFile -Key $good.ServerKeyFile
                { New-DockerTlsCertificate -DnsName x.example.com -CertificateAuthorityPath $ca -Path (Join-Path $TestDrive 'x4') } | Should -Throw -ErrorId 'CertificateAuthorityNotCA,*'
            }

            It 'reports a ca.pem that starts with a byte order mark, which Docker would reject' {
                $ca = New-CaFolder 'ca-bom' -Key $good.CaKeyFile
                [System.IO.File]::WriteAllText((Join-Path $ca 'ca.pem'), [System.IO.File]::ReadAllText($good.CaCertificateFile), [System.Text.UTF8Encoding]::new($true))
                { New-DockerTlsCertificate -DnsName x.example.com -CertificateAuthorityPath $ca -Path (Join-Path $TestDrive 'x5') } | Should -Throw -ErrorId 'PemHasByteOrderMark,*'
                Join-Path $TestDrive 'x5' | Should -Not -Exist
            }
        }
    }
}

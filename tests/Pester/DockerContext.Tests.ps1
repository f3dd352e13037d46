# Pester 5 tests for New-DockerContext, run against the built module (./build.ps1 -Task Test).
# Every test writes under a temporary DOCKER_CONFIG, never to ~/.docker. The docker CLI is used when installed.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot ../../out/AzDockerVm/AzDockerVm.psd1) -Force

    $script:onUnix = -not $IsWindows
    $script:hasDocker = $null -ne (Get-Command docker -CommandType Application -ErrorAction SilentlyContinue)

    # Docker stores a context under the lowercase hex SHA-256 of its UTF-8 name.
    function Get-ContextFolderName([string] $Name) {
        $sha = [System.Security.Cryptography.SHA256]::Create()
        try {
            -join ($sha.ComputeHash([System.Text.Encoding]::UTF8.GetBytes($Name)) | ForEach-Object { $_.ToString('x2') })
        }
        finally {
            $sha.Dispose()
        }
    }

    function Get-ContextMeta([string] $Name) {
        $file = [System.IO.Path]::Combine($env:DOCKER_CONFIG, 'contexts', 'meta', (Get-ContextFolderName $Name), 'meta.json')
        Get-Content -LiteralPath $file -Raw | ConvertFrom-Json
    }

    function Get-ContextTlsFolder([string] $Name) {
        [System.IO.Path]::Combine($env:DOCKER_CONFIG, 'contexts', 'tls', (Get-ContextFolderName $Name), 'docker')
    }

    # Runs the docker CLI; Output is its standard output, Errors its standard error.
    function Invoke-Docker {
        $all = & docker @args 2>&1
        [pscustomobject]@{
            ExitCode = $LASTEXITCODE
            Output   = ($all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] }) -join [Environment]::NewLine
            Errors   = ($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) -join [Environment]::NewLine
        }
    }
}

Describe 'New-DockerContext' {
    BeforeAll {
        $savedDockerConfig = $env:DOCKER_CONFIG
        $env:DOCKER_CONFIG = Join-Path $TestDrive 'docker-config'
        $tls = New-DockerTlsCertificate -DnsName myvm.westeurope.cloudapp.azure.com -IPAddress 20.1.2.3 -Path (Join-Path $TestDrive 'tls')
    }

    AfterAll {
        $env:DOCKER_CONFIG = $savedDockerConfig
    }

    Context 'from a certificate set on the pipeline' {
        BeforeAll {
            $context = $tls | New-DockerContext -Name myvm -Description 'Build host, West Europe'
        }

        It 'returns a DockerContextInfo' {
            @($context).Count | Should -Be 1
            $context | Should -BeOfType 'AzDockerVm.Models.DockerContextInfo'
            $context.Name | Should -Be 'myvm'
            $context.Endpoint | Should -Be 'tcp://myvm.westeurope.cloudapp.azure.com:2376'
            $context.Description | Should -Be 'Build host, West Europe'
            $context.Current | Should -BeFalse
            $context.DockerConfig | Should -Be $env:DOCKER_CONFIG
            "$context" | Should -Be 'myvm' -Because 'a context reads as its name, as docker --context takes it'
        }

        It 'writes meta.json where the docker CLI looks for it' {
            $expected = [System.IO.Path]::Combine($env:DOCKER_CONFIG, 'contexts', 'meta', (Get-ContextFolderName 'myvm'), 'meta.json')
            $context.MetaFile | Should -Be $expected
            $meta = Get-ContextMeta 'myvm'
            $meta.Name | Should -BeExactly 'myvm'
            $meta.Metadata.Description | Should -Be 'Build host, West Europe'
            $meta.Endpoints.docker.Host | Should -Be 'tcp://myvm.westeurope.cloudapp.azure.com:2376'
            $meta.Endpoints.docker.SkipTLSVerify | Should -BeFalse
        }

        It 'copies ca.pem, cert.pem and key.pem of the set into the context' {
            $folder = Get-ContextTlsFolder 'myvm'
            $context.TlsPath | Should -BeLike "$([System.IO.Path]::Combine($env:DOCKER_CONFIG, 'contexts', 'tls', (Get-ContextFolderName 'myvm')))*"
            foreach ($pair in @(@('ca.pem', $tls.CaCertificateFile), @('cert.pem', $tls.ClientCertificateFile), @('key.pem', $tls.ClientKeyFile))) {
                $copy = Join-Path $folder $pair[0]
                $copy | Should -Exist
                [System.IO.File]::ReadAllBytes($copy) | Should -Be ([System.IO.File]::ReadAllBytes($pair[1])) -Because "$($pair[0]) is a copy"
            }
        }

        It 'does not copy the server key or the CA key' {
            @(Get-ChildItem -LiteralPath (Get-ContextTlsFolder 'myvm') -Force | ForEach-Object Name | Sort-Object) | Should -Be @('ca.pem', 'cert.pem', 'key.pem')
        }

        It 'makes the copied key readable by the owner only (0600)' {
            if (-not $onUnix) { Set-ItResult -Skipped -Because 'file modes exist on Linux and macOS only' }
            (Get-Item -LiteralPath (Join-Path (Get-ContextTlsFolder 'myvm') 'key.pem')).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
        }

        It 'is read by docker context inspect' {
            if (-not $hasDocker) { Set-ItResult -Skipped -Because 'the docker CLI is not installed' }
            $result = Invoke-Docker context inspect myvm
            $result.ExitCode | Should -Be 0 -Because $result.Errors
            $inspected = @($result.Output | ConvertFrom-Json)[0]
            $inspected.Name | Should -Be 'myvm'
            $inspected.Endpoints.docker.Host | Should -Be 'tcp://myvm.westeurope.cloudapp.azure.com:2376'
            $inspected.Endpoints.docker.SkipTLSVerify | Should -BeFalse
            @($inspected.TLSMaterial.docker | Sort-Object) | Should -Be @('ca.pem', 'cert.pem', 'key.pem')
        }
    }

    Context 'options' {
        It 'uses -Endpoint instead of the default' {
            $context = $tls | New-DockerContext -Name myvm-ip -Endpoint tcp://20.1.2.3:2376
            $context.Endpoint | Should -Be 'tcp://20.1.2.3:2376'
            (Get-ContextMeta 'myvm-ip').Endpoints.docker.Host | Should -Be 'tcp://20.1.2.3:2376'
        }

        It 'takes the certificates from a DOCKER_CERT_PATH folder with -CertificatePath' {
            $context = New-DockerContext -Name frompath -Endpoint tcp://myvm.westeurope.cloudapp.azure.com:2376 -CertificatePath $tls.Path
            $context.Endpoint | Should -Be 'tcp://myvm.westeurope.cloudapp.azure.com:2376'
            [System.IO.File]::ReadAllBytes((Join-Path (Get-ContextTlsFolder 'frompath') 'key.pem')) | Should -Be ([System.IO.File]::ReadAllBytes($tls.ClientKeyFile))
        }

        It '-Use makes the context current and keeps the rest of config.json' {
            $null = New-Item -ItemType Directory -Path $env:DOCKER_CONFIG -Force
            $config = Join-Path $env:DOCKER_CONFIG 'config.json'
            '{ "auths": { "myregistry.azurecr.io": {} }, "detachKeys": "ctrl-e,e" }' | Set-Content -LiteralPath $config -Encoding ascii

            $context = $tls | New-DockerContext -Name current -Use

            $context.Current | Should -BeTrue
            $json = Get-Content -LiteralPath $config -Raw | ConvertFrom-Json
            $json.currentContext | Should -Be 'current'
            $json.detachKeys | Should -Be 'ctrl-e,e'
            $json.auths.PSObject.Properties.Name | Should -Be @('myregistry.azurecr.io')
        }

        It '-Use is what docker context inspect sees as current' {
            if (-not $hasDocker) { Set-ItResult -Skipped -Because 'the docker CLI is not installed' }
            $tls | New-DockerContext -Name current2 -Use
            $result = Invoke-Docker context inspect
            $result.ExitCode | Should -Be 0 -Because $result.Errors
            @($result.Output | ConvertFrom-Json)[0].Name | Should -Be 'current2'
        }

        It '-WhatIf writes nothing' {
            $result = $tls | New-DockerContext -Name whatif -WhatIf
            $result | Should -BeNullOrEmpty
            [System.IO.Path]::Combine($env:DOCKER_CONFIG, 'contexts', 'meta', (Get-ContextFolderName 'whatif')) | Should -Not -Exist
            Get-ContextTlsFolder 'whatif' | Should -Not -Exist
        }

        It 'refuses to replace an existing context without -Force' {
            $tls | New-DockerContext -Name existing
            $err = { $tls | New-DockerContext -Name existing -Endpoint tcp://20.1.2.3:2376 } | Should -Throw -ErrorId 'ContextExists,*' -PassThru
            $err.CategoryInfo.Category | Should -Be 'ResourceExists'
            (Get-ContextMeta 'existing').Endpoints.docker.Host | Should -Be 'tcp://myvm.westeurope.cloudapp.azure.com:2376'
        }

        It 'replaces an existing context with -Force' {
            $tls | New-DockerContext -Name replaced
            $context = $tls | New-DockerContext -Name replaced -Endpoint tcp://20.1.2.3:2376 -Force
            $context.Endpoint | Should -Be 'tcp://20.1.2.3:2376'
            (Get-ContextMeta 'replaced').Endpoints.docker.Host | Should -Be 'tcp://20.1.2.3:2376'
        }
    }

    Context 'bad input' {
        It 'rejects the context name <_>' -ForEach @('default', 'my context', '-leading', 'a/b') {
            $err = { $tls | New-DockerContext -Name $_ } | Should -Throw -ErrorId 'InvalidContextName,*' -PassThru
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        }

        It 'rejects the endpoint <_>' -ForEach @('ftp://myvm.example.com:2376', 'unix:///var/run/docker.sock', 'tcp://:2376') {
            { $tls | New-DockerContext -Name badendpoint -Endpoint $_ } | Should -Throw -ErrorId 'InvalidEndpoint,*'
        }

        It 'rejects the port in <_>' -ForEach @('tcp://myvm.example.com:70000', 'tcp://myvm.example.com:0') {
            { $tls | New-DockerContext -Name badport -Endpoint $_ } | Should -Throw -ErrorId 'InvalidPort,*'
        }

        It 'reports a -CertificatePath folder without the client files' {
            $empty = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'empty-certs')
            { New-DockerContext -Name nofiles -Endpoint tcp://myvm.example.com:2376 -CertificatePath $empty.FullName } | Should -Throw -ErrorId 'FileNotFound,*'
            [System.IO.Path]::Combine($env:DOCKER_CONFIG, 'contexts', 'meta', (Get-ContextFolderName 'nofiles')) | Should -Not -Exist
        }

        It 'refuses a key.pem that starts with a byte order mark, which Docker would reject' {
            $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'bom-certs')
            Copy-Item -LiteralPath $tls.CaCertificateFile, $tls.ClientCertificateFile -Destination $folder.FullName
            [System.IO.File]::WriteAllText((Join-Path $folder.FullName 'key.pem'), [System.IO.File]::ReadAllText($tls.ClientKeyFile), [System.Text.UTF8Encoding]::new($true))
            { New-DockerContext -Name bom -Endpoint tcp://myvm.example.com:2376 -CertificatePath $folder.FullName } | Should -Throw -ErrorId 'PemHasByteOrderMark,*'
        }

        Context 'a set whose files do not belong together (the docker CLI would fail later)' {
            BeforeAll {
                $other = New-DockerTlsCertificate -DnsName other.example.com -Path (Join-Path $TestDrive 'other-tls')
                function New-MixedFolder([string] $Name, [string] $Ca, [string] $Cert, [string] $Key) {
                    $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive $Name)
                    Copy-Item -LiteralPath $Ca -Destination (Join-Path $folder 'ca.pem')
                    Copy-Item -LiteralPath $Cert -Destination (Join-Path $folder 'cert.pem')
                    Copy-Item -LiteralPath $Key -Destination (Join-Path $folder 'key.pem')
                    $folder.FullName
                }
            }

            It 'refuses a key.pem that is not the key of cert.pem' {
                $folder = New-MixedFolder 'mixed-key' $tls.CaCertificateFile $tls.ClientCertificateFile $other.ClientKeyFile
                $err = { New-DockerContext -Name mixedkey -Endpoint tcp://myvm.example.com:2376 -CertificatePath $folder } | Should -Throw -ErrorId 'ClientKeyMismatch,*' -PassThru
                $err.CategoryInfo.Category | Should -Be 'InvalidData'
                $err.TargetObject | Should -Be (Join-Path $folder 'key.pem')
                Get-ContextTlsFolder 'mixedkey' | Should -Not -Exist
            }

            It 'refuses ca.pem and cert.pem swapped, naming the swap' {
                $folder = New-MixedFolder 'swapped' $tls.ClientCertificateFile $tls.CaCertificateFile $tls.ClientKeyFile
                $err = { New-DockerContext -Name swapped -Endpoint tcp://myvm.example.com:2376 -CertificatePath $folder } | Should -Throw -ErrorId 'CertificateNotIssuedByCa,*' -PassThru
                $err.Exception.Message | Should -Match 'swapped'
                Get-ContextTlsFolder 'swapped' | Should -Not -Exist
            }

            It 'refuses a client pair of another CA' {
                $folder = New-MixedFolder 'foreign-pair' $tls.CaCertificateFile $other.ClientCertificateFile $other.ClientKeyFile
                $err = { New-DockerContext -Name foreign -Endpoint tcp://myvm.example.com:2376 -CertificatePath $folder } | Should -Throw -ErrorId 'CertificateNotIssuedByCa,*' -PassThru
                $err.TargetObject | Should -Be (Join-Path $folder 'cert.pem')
            }
        }

        It 'refuses -CertificatePath <_>, a path of another provider' -ForEach @('env:/AZDV_TLS', 'variable:/tls', 'function:/prompt') {
            $err = { New-DockerContext -Name otherprovider -Endpoint tcp://myvm.example.com:2376 -CertificatePath $_ } | Should -Throw -ErrorId 'PathNotFileSystem,*' -PassThru
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.TargetObject | Should -Be $_
        }

        It 'refuses the endpoint <_>, whose host no certificate can name' -ForEach @("tcp://b`u{00fc}cher.example:2376", 'tcp://*.example.com:2376') {
            { $tls | New-DockerContext -Name nonascii -Endpoint $_ } | Should -Throw -ErrorId 'InvalidEndpoint,*'
        }

        It 'refuses a context whose key.pem would land on a folder, even with -Force, and writes nothing' {
            $target = Join-Path (Get-ContextTlsFolder 'blocked') 'key.pem'
            $null = New-Item -ItemType Directory -Path $target -Force
            $err = { $tls | New-DockerContext -Name blocked -Force } | Should -Throw -ErrorId 'TargetIsAFolder,*' -PassThru
            $err.TargetObject | Should -Be $target
            Get-ChildItem -LiteralPath (Get-ContextTlsFolder 'blocked') -File | Should -BeNullOrEmpty
            [System.IO.Path]::Combine($env:DOCKER_CONFIG, 'contexts', 'meta', (Get-ContextFolderName 'blocked')) | Should -Not -Exist
        }
    }
}

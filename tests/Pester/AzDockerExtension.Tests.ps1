# Pester 5 tests for Set-, Get- and Remove-AzDockerExtension, run against the built module (./build.ps1 -Task Test).
#
# 'without Azure' always runs: Az.Accounts is replaced by plain mocks (Mock Get-AzContext ...), and no test there
# needs an Azure request. When Az.Accounts is not installed, stand-in functions of the same names are defined for the
# mocks and removed afterwards. The mocked context points Azure Resource Manager at a closed local port, so a check
# that wrongly sent a request first fails with ArmConnectionFailed instead of passing.
#
# 'against a real VM' runs only when both variables are set and you are signed in (Connect-AzAccount):
#   $env:AZDOCKERVM_TEST_RESOURCE_GROUP = 'rg-docker-test'
#   $env:AZDOCKERVM_TEST_VM             = 'vm1'      # a running Linux VM these tests may reconfigure
#   $env:AZDOCKERVM_TEST_DOCKER_REACHABLE = '1'      # optional: the NSG allows TCP 2376 from this machine
# Those tests install Docker on the VM with the CustomScript carrier (the VM must not carry another CustomScript
# extension), check it, and remove the extension at the end; Docker stays installed. They take several minutes.
# Certificate sets and docker contexts are written under a temporary DOCKER_CONFIG, never to ~/.docker.
# The Get-AzVM pipeline tests also need Az.Compute.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot ../../out/AzDockerVm/AzDockerVm.psd1) -Force

    $script:azAccountsInstalled = $null -ne (Get-Command Get-AzContext -ErrorAction SilentlyContinue)

    # Shaped like Az.Accounts' context; ARM is a local port where nothing listens.
    function New-FakeAzContext {
        [pscustomobject]@{
            Name         = 'Pester (fake)'
            Account      = [pscustomobject]@{ Id = 'pester@contoso.com'; Type = 'User' }
            Subscription = [pscustomobject]@{ Id = '00000000-0000-0000-0000-000000000001'; Name = 'Pester'; TenantId = '00000000-0000-0000-0000-000000000002' }
            Tenant       = [pscustomobject]@{ Id = '00000000-0000-0000-0000-000000000002' }
            Environment  = [pscustomobject]@{
                Name                                     = 'AzureCloud'
                ResourceManagerUrl                       = 'https://127.0.0.1:1/'
                ActiveDirectoryServiceEndpointResourceId = 'https://management.core.windows.net/'
            }
        }
    }

    function New-FakeAzAccessToken {
        [pscustomobject]@{
            Token     = 'pester-not-a-real-token'
            ExpiresOn = [DateTimeOffset]::UtcNow.AddHours(1)
            TenantId  = '00000000-0000-0000-0000-000000000002'
            UserId    = 'pester@contoso.com'
            Type      = 'Bearer'
        }
    }

    $script:fakeVmId = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1'
}

Describe 'Azure cmdlets without Azure' {
    BeforeAll {
        $savedDockerConfig = $env:DOCKER_CONFIG
        $env:DOCKER_CONFIG = Join-Path $TestDrive 'docker-config'
        $tls = New-DockerTlsCertificate -DnsName vm1.westeurope.cloudapp.azure.com -IPAddress 20.1.2.3 -Path (Join-Path $TestDrive 'tls')
    }

    AfterAll {
        $env:DOCKER_CONFIG = $savedDockerConfig
    }

    Context 'when Az.Accounts is not installed' {
        It 'reports AzAccountsNotFound, naming the module' {
            if ($azAccountsInstalled) { Set-ItResult -Skipped -Because 'Az.Accounts is installed' }
            $err = { Get-AzDockerExtension rg vm1 } | Should -Throw -ErrorId 'AzAccountsNotFound,*' -PassThru
            $err.CategoryInfo.Category | Should -Be 'NotInstalled'
            $err.Exception.Message | Should -Match 'Az\.Accounts'
        }
    }

    Context 'with Az.Accounts mocked' {
        BeforeAll {
            $standIns = -not $azAccountsInstalled
            if ($standIns) {
                function global:Get-AzContext { [CmdletBinding()] param([string] $Name, [object] $DefaultProfile, [switch] $ListAvailable) }
                function global:Get-AzAccessToken { [CmdletBinding()] param([string] $ResourceUrl, [string] $TenantId, [object] $DefaultProfile, [switch] $AsSecureString) }
            }
        }

        AfterAll {
            if ($standIns) {
                Remove-Item -Path function:global:Get-AzContext, function:global:Get-AzAccessToken -ErrorAction SilentlyContinue
            }
        }

        Context 'no Az context (Connect-AzAccount not run)' {
            BeforeEach {
                Mock Get-AzContext { $null }
                Mock Get-AzAccessToken { New-FakeAzAccessToken }
            }

            It 'Set-AzDockerExtension throws AzContextNotFound and recommends Connect-AzAccount' {
                $err = { Set-AzDockerExtension rg vm1 -Certificate $tls } | Should -Throw -ErrorId 'AzContextNotFound,*' -PassThru
                $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
                $err.ErrorDetails.RecommendedAction | Should -Match 'Connect-AzAccount'
                Should -Invoke Get-AzContext
            }

            It 'completes -ResourceGroupName and -VMName with nothing, and raises nothing, when there is no context' {
                $Error.Clear()
                foreach ($line in 'Set-AzDockerExtension -ResourceGroupName ', 'Get-AzDockerExtension -ResourceGroupName rg -VMName ') {
                    [System.Management.Automation.CommandCompletion]::CompleteInput($line, $line.Length, $null).CompletionMatches | Should -BeNullOrEmpty
                }
                $Error.Count | Should -Be 0
            }

            It 'Set-AzDockerExtension writes no certificate set or context when there is no context' {
                { Set-AzDockerExtension rg vm1 } | Should -Throw -ErrorId 'AzContextNotFound,*'
                Join-Path $env:DOCKER_CONFIG 'azdockervm' | Should -Not -Exist
                Join-Path $env:DOCKER_CONFIG 'contexts' | Should -Not -Exist
            }

            It 'Set-AzDockerExtension -WhatIf still needs the context (the preview reads the VM)' {
                { Set-AzDockerExtension rg vm1 -Certificate $tls -WhatIf } | Should -Throw -ErrorId 'AzContextNotFound,*'
            }

            It 'Get-AzDockerExtension throws AzContextNotFound' {
                { Get-AzDockerExtension rg vm1 } | Should -Throw -ErrorId 'AzContextNotFound,*'
            }

            It 'Remove-AzDockerExtension throws AzContextNotFound' {
                { Remove-AzDockerExtension rg vm1 -Force } | Should -Throw -ErrorId 'AzContextNotFound,*'
            }

            It 'Remove-AzDockerExtension -WhatIf still needs the context' {
                { Remove-AzDockerExtension -ResourceGroupName rg -VMName vm1 -WhatIf } | Should -Throw -ErrorId 'AzContextNotFound,*'
            }

            It 'binds Get-AzVM-shaped objects (ResourceGroupName, Name) from the pipeline' {
                $vm = [pscustomobject]@{ ResourceGroupName = 'rg'; Name = 'vm1'; Id = $fakeVmId }
                { $vm | Set-AzDockerExtension -Certificate $tls } | Should -Throw -ErrorId 'AzContextNotFound,*'
                { $vm | Get-AzDockerExtension } | Should -Throw -ErrorId 'AzContextNotFound,*'
            }

            It 'binds its own status objects (ResourceGroupName, VMName) from the pipeline' {
                $status = [pscustomobject]@{ ResourceGroupName = 'rg'; VMName = 'vm1' }
                { $status | Remove-AzDockerExtension -Force } | Should -Throw -ErrorId 'AzContextNotFound,*'
            }

            It 'Update-AzDockerTlsCertificate throws AzContextNotFound, binds Get-AzDockerVm-shaped objects and writes nothing' {
                $hostObject = [pscustomobject]@{ ResourceGroupName = 'rg'; Name = 'vm1'; VMName = 'vm1'; Id = $fakeVmId }
                { $hostObject | Update-AzDockerTlsCertificate } | Should -Throw -ErrorId 'AzContextNotFound,*'
                { Update-AzDockerTlsCertificate -ResourceId $fakeVmId -WhatIf } | Should -Throw -ErrorId 'AzContextNotFound,*'
                Join-Path $env:DOCKER_CONFIG 'azdockervm' | Should -Not -Exist
            }

            It 'binds objects with a ResourceId property from the pipeline' {
                $resource = [pscustomobject]@{ ResourceId = $fakeVmId }
                { $resource | Get-AzDockerExtension -Status } | Should -Throw -ErrorId 'AzContextNotFound,*'
                { Set-AzDockerExtension -ResourceId $fakeVmId -Certificate $tls -NoWait } | Should -Throw -ErrorId 'AzContextNotFound,*'
            }
        }

        Context 'bad input is refused before any request to Azure' {
            BeforeEach {
                Mock Get-AzContext { New-FakeAzContext }
                Mock Get-AzAccessToken { New-FakeAzAccessToken }
            }

            It 'refuses -Certificate together with -CertificatePath (CertificateParameterConflict), also with -WhatIf' {
                $err = { Set-AzDockerExtension rg vm1 -Certificate $tls -CertificatePath $tls.Path } |
                    Should -Throw -ErrorId 'CertificateParameterConflict,*' -PassThru
                $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
                { Set-AzDockerExtension rg vm1 -Certificate $tls -CertificatePath $tls.Path -WhatIf } | Should -Throw -ErrorId 'CertificateParameterConflict,*'
            }

            It 'refuses the daemon.json key <_> that AzDockerVm sets itself (DaemonConfigConflict)' -ForEach @('tls', 'tlsverify', 'tlscacert', 'tlscert', 'tlskey', 'hosts') {
                $config = @{ $_ = 'tcp://0.0.0.0:2375' }
                $err = { Set-AzDockerExtension rg vm1 -Certificate $tls -DaemonConfig $config } | Should -Throw -ErrorId 'DaemonConfigConflict,*' -PassThru
                $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            }

            It 'refuses dockerd options that open a listening address: <_>' -ForEach @('-H=tcp://0.0.0.0:2375', '--host=tcp://0.0.0.0:2375') {
                { Set-AzDockerExtension rg vm1 -Certificate $tls -DockerOption '--dns=10.0.0.4', $_ } | Should -Throw -ErrorId 'DockerOptionConflict,*'
            }

            It 'refuses a compose file that does not exist (ComposeFileNotFound)' {
                $err = { Set-AzDockerExtension rg vm1 -Certificate $tls -ComposeFile (Join-Path $TestDrive 'missing.yaml') } |
                    Should -Throw -ErrorId 'ComposeFileNotFound,*' -PassThru
                $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            }

            It 'refuses a -CertificatePath folder without the files (FileNotFound)' {
                $empty = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'empty')
                { Set-AzDockerExtension rg vm1 -CertificatePath $empty.FullName } | Should -Throw -ErrorId 'FileNotFound,*'
            }

            It 'refuses a PEM file with a byte order mark (PemHasByteOrderMark)' {
                $folder = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'bom')).FullName
                Copy-Item -Path (Join-Path $tls.Path '*.pem') -Destination $folder
                $ca = Join-Path $folder 'ca.pem'
                [System.IO.File]::WriteAllText($ca, [System.IO.File]::ReadAllText($ca), [System.Text.UTF8Encoding]::new($true))
                { Set-AzDockerExtension rg vm1 -CertificatePath $folder } | Should -Throw -ErrorId 'PemHasByteOrderMark,*'
            }

            It 'refuses a registry credential without -RegistryServer and shows the password nowhere' {
                $password = ConvertTo-SecureString 'Pester-S3cret-Registry-Password' -AsPlainText -Force
                $credential = [pscredential]::new('pester', $password)
                $verboseFile = Join-Path $TestDrive 'verbose.txt'

                $err = { Set-AzDockerExtension rg vm1 -Certificate $tls -RegistryCredential $credential -Verbose 4> $verboseFile } |
                    Should -Throw -ErrorId 'RegistryServerRequired,*' -PassThru
                $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
                $text = ($err | Out-String) + (Get-Content -LiteralPath $verboseFile -Raw -ErrorAction SilentlyContinue)
                $text | Should -Not -Match 'Pester-S3cret'
                $text | Should -Not -Match 'PRIVATE KEY'
            }

            It 'refuses <Case> before asking for a token (<Id>)' -ForEach @(
                @{ Case = 'sshd''s port'; Id = 'DockerPortReserved'; Arguments = @{ DockerPort = 22 } }
                @{ Case = 'a host flag after another flag'; Id = 'DockerOptionConflict'; Arguments = @{ DockerOption = '--debug -H tcp://0.0.0.0:2375' } }
                @{ Case = 'switching TLS verification off'; Id = 'DockerOptionConflict'; Arguments = @{ DockerOption = '--tlsverify=false' } }
                @{ Case = 'a flag dockerd does not know'; Id = 'DockerOptionInvalid'; Arguments = @{ DockerOption = '--tlsverifyy' } }
                @{ Case = 'a padded daemon.json key'; Id = 'DaemonConfigKeyInvalid'; Arguments = @{ DaemonConfig = @{ 'hosts ' = 'tcp://0.0.0.0:2375' } } }
                @{ Case = 'a version with a line break'; Id = 'InvalidDockerVersion'; Arguments = @{ DockerVersion = "24.0.7`n" } }
                @{ Case = 'compose variables without a compose file'; Id = 'ComposeFileRequired'; Arguments = @{ ComposeEnvironment = @{ TAG = '1' } } }
                @{ Case = 'a registry without a credential'; Id = 'RegistryCredentialRequired'; Arguments = @{ RegistryServer = 'myreg.azurecr.io' } }
                @{ Case = 'an extension name with a slash'; Id = 'InvalidExtensionName'; Arguments = @{ ExtensionName = 'a/b' } }
                @{ Case = 'a compose file on the env: drive'; Id = 'PathNotFileSystem'; Arguments = @{ ComposeFile = 'env:/PATH' } }
                @{ Case = 'a compose file on a drive that does not exist'; Id = 'InvalidPath'; Arguments = @{ ComposeFile = 'nosuchdrive:/compose.yaml' } }
            ) {
                $err = { Set-AzDockerExtension rg vm1 -Certificate $tls @Arguments } | Should -Throw -ErrorId "$Id,*" -PassThru
                $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
                $err.TargetObject | Should -Not -BeNullOrEmpty
                Should -Invoke Get-AzAccessToken -Times 0 -Exactly
            }

            It 'refuses a VM name Azure would refuse (InvalidVmName) in Set, Get and Remove' {
                { Set-AzDockerExtension rg 'vm/1' -Certificate $tls } | Should -Throw -ErrorId 'InvalidVmName,*'
                { Get-AzDockerExtension rg 'vm?1' } | Should -Throw -ErrorId 'InvalidVmName,*'
                { Remove-AzDockerExtension rg 'vm 1' -Force } | Should -Throw -ErrorId 'InvalidVmName,*'
                Should -Invoke Get-AzAccessToken -Times 0 -Exactly
            }

            It 'Update-AzDockerTlsCertificate refuses <Case> before asking for a token (<Id>)' -ForEach @(
                @{ Case = 'a validity of 0 days'; Id = 'InvalidValidityDays'; Arguments = @{ ValidityDays = 0 } }
                @{ Case = 'a set folder on the env: drive'; Id = 'PathNotFileSystem'; Arguments = @{ CertificatePath = 'env:/PATH' } }
                @{ Case = 'a CA folder on a drive that does not exist'; Id = 'InvalidPath'; Arguments = @{ CertificateAuthorityPath = 'nosuchdrive:/ca' } }
                @{ Case = 'a CA rotation with a validity'; Id = 'RotationParameterConflict'; Arguments = @{ RotateCertificateAuthority = 'Start'; ValidityDays = 30 } }
                @{ Case = 'a CA rotation with a CA folder'; Id = 'RotationParameterConflict'; Arguments = @{ RotateCertificateAuthority = 'Complete'; CertificateAuthorityPath = './ca' } }
            ) {
                $err = { Update-AzDockerTlsCertificate rg vm1 @Arguments } | Should -Throw -ErrorId "$Id,*" -PassThru
                $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
                { Update-AzDockerTlsCertificate rg 'vm/1' } | Should -Throw -ErrorId 'InvalidVmName,*'
                Should -Invoke Get-AzAccessToken -Times 0 -Exactly
            }

            It 'Update-AzDockerTlsCertificate reaches no Azure here (ArmConnectionFailed) and changes no local file' {
                $state = Get-ChildItem -LiteralPath $tls.Path -File | Get-FileHash | Select-Object -ExpandProperty Hash
                $err = { Update-AzDockerTlsCertificate rg vm1 -CertificatePath $tls.Path } | Should -Throw -ErrorId 'ArmConnectionFailed,*' -PassThru
                $err.CategoryInfo.Category | Should -Be 'ConnectionError'
                Get-ChildItem -LiteralPath $tls.Path -File | Get-FileHash | Select-Object -ExpandProperty Hash | Should -Be $state
            }

            It 'refuses an azure-environment the DockerExtension handler does not know (UnsupportedAzureEnvironment)' {
                $err = { Set-AzDockerExtension rg vm1 -Certificate $tls -Handler DockerExtension -AzureEnvironment AzureUSGovernment -WarningAction SilentlyContinue } |
                    Should -Throw -ErrorId 'UnsupportedAzureEnvironment,*' -PassThru
                $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            }
        }
    }

    Context 'parameter binding' {
        It 'refuses -DockerPort <_> while binding parameters' -ForEach @(0, 65536) {
            { Set-AzDockerExtension rg vm1 -DockerPort $_ } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        }

        It 'refuses a -Handler that is not CustomScript or DockerExtension' {
            { Set-AzDockerExtension rg vm1 -Handler Bogus } | Should -Throw -ExceptionType ([System.Management.Automation.ParameterBindingException])
        }

        It 'does not mix -ResourceId with -ResourceGroupName' {
            { Get-AzDockerExtension -ResourceGroupName rg -ResourceId $fakeVmId } | Should -Throw -ErrorId 'AmbiguousParameterSet,*'
        }

        It '<_> takes the resource group and VM name at positions 0 and 1, VMName alias Name' -ForEach @('Set-AzDockerExtension', 'Get-AzDockerExtension', 'Remove-AzDockerExtension') {
            $command = Get-Command -Name $_ -Module AzDockerVm
            $command.DefaultParameterSet | Should -Be 'ByName'
            $command.Parameters['ResourceGroupName'].ParameterSets['ByName'].Position | Should -Be 0
            $command.Parameters['VMName'].ParameterSets['ByName'].Position | Should -Be 1
            $command.Parameters['VMName'].Aliases | Should -Contain 'Name'
            $command.Parameters['ResourceId'].ParameterSets.Keys | Should -Be 'ByResourceId'
        }

        It '<_> has -DefaultProfile with the Az aliases' -ForEach @('Set-AzDockerExtension', 'Get-AzDockerExtension', 'Remove-AzDockerExtension') {
            $parameter = (Get-Command -Name $_ -Module AzDockerVm).Parameters['DefaultProfile']
            $parameter.ParameterType | Should -Be ([psobject])
            foreach ($alias in 'AzContext', 'AzureRmContext', 'AzureCredential') { $parameter.Aliases | Should -Contain $alias }
        }

        It 'Remove-AzDockerExtension asks before it removes (ConfirmImpact High), Set-AzDockerExtension supports -WhatIf' {
            $remove = (Get-Command Remove-AzDockerExtension).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
            $remove.ConfirmImpact | Should -Be 'High'
            $remove.SupportsShouldProcess | Should -BeTrue
            (Get-Command Set-AzDockerExtension).Parameters.Keys | Should -Contain 'WhatIf'
        }
    }
}

Describe 'Azure cmdlets against a real VM' {
    BeforeAll {
        $rg = $env:AZDOCKERVM_TEST_RESOURCE_GROUP
        $vmName = $env:AZDOCKERVM_TEST_VM
        $skipBecause = if (-not $rg -or -not $vmName) { 'AZDOCKERVM_TEST_RESOURCE_GROUP and AZDOCKERVM_TEST_VM are not set' }
            elseif ($null -eq (Get-Command Get-AzContext -ErrorAction SilentlyContinue)) { 'Az.Accounts is not installed' }
            elseif ($null -eq (Get-AzContext)) { 'not signed in to Azure: run Connect-AzAccount' }
        $noAzCompute = $null -eq (Get-Command Get-AzVM -ErrorAction SilentlyContinue)
        $unreachable = $env:AZDOCKERVM_TEST_DOCKER_REACHABLE -ne '1'

        $savedDockerConfig = $env:DOCKER_CONFIG
        $env:DOCKER_CONFIG = Join-Path $TestDrive 'docker-config'
        $script:created = $null

        # Waits until the extension is no longer being created or updated (for -NoWait).
        function Wait-DockerExtension([int] $TimeoutMinutes = 20) {
            $deadline = [datetime]::UtcNow.AddMinutes($TimeoutMinutes)
            do {
                Start-Sleep -Seconds 15
                $status = Get-AzDockerExtension $rg $vmName
            } while ($status.ProvisioningState -in 'Creating', 'Updating' -and [datetime]::UtcNow -lt $deadline)
            $status
        }
    }

    AfterAll {
        if (-not $skipBecause) {
            # Safety net when a test failed before the removal test; Docker itself stays on the VM.
            try { Remove-AzDockerExtension $rg $vmName -Force } catch { Write-Warning "Could not remove the Docker extension: $_" }
        }
        $env:DOCKER_CONFIG = $savedDockerConfig
    }

    It 'reports VmNotFound for a VM that does not exist' {
        if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
        $err = { Get-AzDockerExtension $rg "azdockervm-missing-$([guid]::NewGuid().ToString('n').Substring(0, 8))" -ErrorAction Stop } | Should -Throw -ErrorId 'VmNotFound,*' -PassThru
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'reports ResourceGroupNotFound for a resource group that does not exist' {
        if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
        { Get-AzDockerExtension "azdockervm-missing-$([guid]::NewGuid().ToString('n'))" $vmName -ErrorAction Stop } | Should -Throw -ErrorId 'ResourceGroupNotFound,*'
    }

    It 'refuses a certificate set that does not name the VM (CertificateDoesNotCoverVm)' {
        if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
        $other = New-DockerTlsCertificate -DnsName other.example.com -Path (Join-Path $TestDrive 'other')
        $err = { Set-AzDockerExtension $rg $vmName -Certificate $other -ErrorAction Stop } | Should -Throw -ErrorId 'CertificateDoesNotCoverVm,*' -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It '-WhatIf changes nothing on the VM and writes no files' {
        if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
        $before = Get-AzDockerExtension $rg $vmName

        $output = Set-AzDockerExtension $rg $vmName -DockerPort 2377 -WhatIf

        $output | Should -BeNullOrEmpty
        Join-Path $env:DOCKER_CONFIG 'azdockervm' | Should -Not -Exist
        $after = Get-AzDockerExtension $rg $vmName
        $after.DockerPort | Should -Be $before.DockerPort
        $after.ProvisioningState | Should -Be $before.ProvisioningState
    }

    It 'provisions Docker with a new certificate set and a docker context' {
        if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
        $status = Set-AzDockerExtension $rg $vmName
        $script:created = $status

        @($status).Count | Should -Be 1
        $status | Should -BeOfType 'AzDockerVm.Models.AzDockerExtensionStatus'
        $status.ProvisioningState | Should -Be 'Succeeded' -Because $status.StatusMessage
        $status.ResourceGroupName | Should -Be $rg
        $status.VMName | Should -Be $vmName
        $status.Name | Should -Be 'AzDockerVm'
        $status.Handler | Should -Be 'CustomScript'
        $status.Publisher | Should -Be 'Microsoft.Azure.Extensions'
        $status.ExtensionType | Should -Be 'CustomScript'
        $status.DockerPort | Should -Be 2376
        $status.TlsEnabled | Should -BeTrue
        $status.DockerVersion | Should -Not -BeNullOrEmpty
        $status.StatusMessage | Should -Match '^AZDOCKERVM status=ok docker=\S+ port=2376 tls=on changed=(true|false) started=true$'
        $status.Endpoint | Should -Match '^tcp://[^/]+:2376$'

        $status.CertificatePath | Should -BeLike (Join-Path $env:DOCKER_CONFIG 'azdockervm*')
        foreach ($file in 'ca.pem', 'server-cert.pem', 'server-key.pem', 'cert.pem', 'key.pem') {
            Join-Path $status.CertificatePath $file | Should -Exist
        }
        $status.DockerContext | Should -Be $vmName
    }

    It 'Get-AzDockerExtension reports the provisioned extension' {
        if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
        (Get-AzDockerExtension $rg $vmName).ProvisioningState | Should -Be 'Succeeded'

        $status = Get-AzDockerExtension -ResourceGroupName $rg -VMName $vmName
        @($status).Count | Should -Be 1
        $status.Handler | Should -Be 'CustomScript'
        $status.DockerVersion | Should -Be $created.DockerVersion
        $status.Endpoint | Should -Be $created.Endpoint
        $status.Statuses | Should -BeNullOrEmpty
        $status.SubStatuses | Should -BeNullOrEmpty
    }

    It 'Get-AzDockerExtension -Status includes the instance view, without secrets' {
        if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
        $status = Get-AzDockerExtension $rg $vmName -Status

        $status.Statuses | Should -Not -BeNullOrEmpty
        $status.SubStatuses.Code | Should -Contain 'ComponentStatus/StdOut/succeeded'
        ($status.SubStatuses.Message -join "`n") | Should -Match 'AZDOCKERVM status=ok'
        ($status | Format-List * | Out-String) | Should -Not -Match 'PRIVATE KEY'
    }

    It 'takes the VM from Get-AzVM on the pipeline and by -ResourceId' {
        if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
        if ($noAzCompute) { Set-ItResult -Skipped -Because 'Az.Compute is not installed' }
        $vm = Get-AzVM -ResourceGroupName $rg -Name $vmName

        ($vm | Get-AzDockerExtension).VMName | Should -Be $vmName
        (Get-AzDockerExtension -ResourceId $vm.Id).Endpoint | Should -Be $created.Endpoint
    }

    It 'answers over mutual TLS with the client certificate of the new set' {
        if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
        if ($unreachable) { Set-ItResult -Skipped -Because 'AZDOCKERVM_TEST_DOCKER_REACHABLE is not 1 (the NSG must allow TCP 2376 from here)' }
        $result = Test-AzDockerHost -Endpoint $created.Endpoint -CertificatePath $created.CertificatePath -TimeoutSec 30
        $result.Success | Should -BeTrue -Because $result.Message
        $result.ServerVersion | Should -Be $created.DockerVersion
    }

    It 'changes nothing on the VM when run again with the same set (-ForceRerun)' {
        if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
        $status = Set-AzDockerExtension $rg $vmName -CertificatePath $created.CertificatePath -NoDockerContext -ForceRerun

        $status.ProvisioningState | Should -Be 'Succeeded' -Because $status.StatusMessage
        $status.StatusMessage | Should -Match 'changed=false'
        $status.DockerVersion | Should -Be $created.DockerVersion
    }

    It '-NoWait returns an operation object and the extension finishes later' {
        if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
        $operation = Set-AzDockerExtension $rg $vmName -CertificatePath $created.CertificatePath -NoDockerContext -ForceRerun -NoWait

        $operation | Should -BeOfType 'AzDockerVm.Models.AzDockerExtensionOperation'
        $operation.Operation | Should -Be 'Set'
        $operation.Status | Should -BeIn 'InProgress', 'Accepted'
        $operation.VMName | Should -Be $vmName
        (Wait-DockerExtension).ProvisioningState | Should -Be 'Succeeded'
    }

    It 'removes the extension (as a job)' {
        if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
        $job = Remove-AzDockerExtension $rg $vmName -Force -AsJob
        $job | Should -BeOfType 'System.Management.Automation.Job'
        $null = $job | Wait-Job -Timeout 1800
        $job.State | Should -Be 'Completed'
        $job | Receive-Job | Should -BeNullOrEmpty

        Get-AzDockerExtension $rg $vmName | Should -BeNullOrEmpty
    }

    It 'removing it again does nothing and raises no error' {
        if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
        Remove-AzDockerExtension $rg $vmName -Force | Should -BeNullOrEmpty
    }
}

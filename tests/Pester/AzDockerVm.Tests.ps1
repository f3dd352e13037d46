# Pester 5 tests for New-, Get- and Remove-AzDockerVm that need no Azure, run against the built module (./build.ps1 -Task Test).
# Az.Accounts is replaced by mocks (stand-in functions of its names when it is not installed) whose context points
# Azure Resource Manager at a closed local port: a refusal that wrongly sent a request first would fail with
# ArmConnectionFailed instead of the id the test expects. Nothing is written outside $TestDrive.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot ../../out/AzDockerVm/AzDockerVm.psd1) -Force
    $script:standIns = $null -eq (Get-Command Get-AzContext -ErrorAction SilentlyContinue)
    if ($standIns) {
        function global:Get-AzContext { [CmdletBinding()] param([string] $Name, [object] $DefaultProfile, [switch] $ListAvailable) }
        function global:Get-AzAccessToken { [CmdletBinding()] param([string] $ResourceUrl, [string] $TenantId, [object] $DefaultProfile, [switch] $AsSecureString) }
    }

    $script:savedDockerConfig = $env:DOCKER_CONFIG
    $env:DOCKER_CONFIG = Join-Path $TestDrive 'docker-config'
    $script:closedArmContext = [pscustomobject]@{
        Name         = 'Pester (fake)'
        Account      = [pscustomobject]@{ Id = 'pester@contoso.com'; Type = 'User' }
        Subscription = [pscustomobject]@{ Id = '00000000-0000-0000-0000-000000000001'; Name = 'Pester'; TenantId = '00000000-0000-0000-0000-000000000002' }
        Tenant       = [pscustomobject]@{ Id = '00000000-0000-0000-0000-000000000002' }
        Environment  = [pscustomobject]@{
            Name = 'AzureCloud'; ResourceManagerUrl = 'https://127.0.0.1:1/'
            ActiveDirectoryServiceEndpointResourceId = 'https://management.core.windows.net/'
        }
    }
}

AfterAll {
    $env:DOCKER_CONFIG = $savedDockerConfig
    if ($standIns) {
        Remove-Item -Path function:global:Get-AzContext, function:global:Get-AzAccessToken -ErrorAction SilentlyContinue
    }
}

Describe 'New-AzDockerVm without Azure' {
    BeforeEach {
        Mock Get-AzContext { $closedArmContext }
        Mock Get-AzAccessToken { [pscustomobject]@{ Token = 'pester-token'; ExpiresOn = [DateTimeOffset]::UtcNow.AddHours(1); TenantId = '00000000-0000-0000-0000-000000000002'; Type = 'Bearer' } }
    }

    It 'refuses <Case> with <Id> before any request' -ForEach @(
        @{ Case = 'a Windows image'; Extra = @{ Image = 'MicrosoftWindowsServer:WindowsServer:2022-datacenter-azure-edition:latest' }; Id = 'WindowsImageNotSupported' }
        @{ Case = 'an unknown alias'; Extra = @{ Image = 'Ubuntu1804' }; Id = 'UnknownImage' }
        @{ Case = 'a bad URN'; Extra = @{ Image = 'Canonical:ubuntu-24_04-lts' }; Id = 'InvalidImageUrn' }
        @{ Case = 'a size Azure would reject'; Extra = @{ Size = 'D2s v5' }; Id = 'InvalidVmSize' }
        @{ Case = 'a location Azure would reject'; Extra = @{ Location = 'west/europe' }; Id = 'InvalidLocation' }
        @{ Case = 'a CIDR with host bits'; Extra = @{ AllowedSourceAddress = '203.0.113.9/24' }; Id = 'InvalidSourceAddress' }
        @{ Case = 'a subnet outside the network'; Extra = @{ AddressPrefix = '10.0.0.0/16'; SubnetAddressPrefix = '10.9.0.0/24' }; Id = 'SubnetOutsideAddressPrefix' }
        @{ Case = '-NoPublicIp with -DomainNameLabel'; Extra = @{ NoPublicIp = $true; DomainNameLabel = 'dock1-label' }; Id = 'PublicIpParameterConflict' }
        @{ Case = 'a private key as -SshPublicKey'; Extra = @{ SshPublicKey = "-----BEGIN OPENSSH PRIVATE KEY-----`nAAAA`n-----END OPENSSH PRIVATE KEY-----" }; Id = 'InvalidSshPublicKey' }
    ) {
        $splat = @{ ResourceGroupName = 'rg-docker'; Name = 'dock1'; Location = 'westeurope' }
        foreach ($key in $Extra.Keys) { $splat[$key] = $Extra[$key] }
        $err = { New-AzDockerVm @splat -ErrorAction Stop } | Should -Throw -ErrorId "$Id,*" -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.TargetObject | Should -Not -BeNullOrEmpty
        Should -Invoke Get-AzContext -Times 0 -Exactly
        Join-Path $env:DOCKER_CONFIG 'azdockervm' | Should -Not -Exist
    }

    It 'refuses a weak password without showing it' {
        $credential = [pscredential]::new('dockeradmin', (ConvertTo-SecureString 'weakpass' -AsPlainText -Force))
        $err = { New-AzDockerVm rg-docker dock1 -Location westeurope -Credential $credential -ErrorAction Stop } | Should -Throw -ErrorId 'PasswordTooWeak,*' -PassThru
        $err.TargetObject | Should -Be 'dockeradmin'
        ($err | Out-String) | Should -Not -Match 'weakpass'
    }

    It 'takes host names from the pipeline' {
        $name = (Get-Command New-AzDockerVm).Parameters['Name']
        $name.Attributes.Where({ $_ -is [System.Management.Automation.ParameterAttribute] }).ValueFromPipeline | Should -Contain $true
        $name.Aliases | Should -Contain 'VMName'
    }

    It 'completes -Image with the friendly names' {
        $line = 'New-AzDockerVm -Image Ub'
        $found = [System.Management.Automation.CommandCompletion]::CompleteInput($line, $line.Length, $null).CompletionMatches.CompletionText
        $found | Should -Be @('Ubuntu2404', 'Ubuntu2204')
    }

    It 'has help with a synopsis and examples' {
        $help = Get-Help New-AzDockerVm -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterThan 2
    }
}

Describe 'Get-AzDockerVm and Remove-AzDockerVm without Azure' {
    BeforeEach {
        Mock Get-AzContext { $closedArmContext }
        Mock Get-AzAccessToken { [pscustomobject]@{ Token = 'pester-token'; ExpiresOn = [DateTimeOffset]::UtcNow.AddHours(1); TenantId = '00000000-0000-0000-0000-000000000002'; Type = 'Bearer' } }
    }

    It 'Get-AzDockerVm reports an unreachable Resource Manager as ArmConnectionFailed for the group' {
        $err = { Get-AzDockerVm -ResourceGroupName rg-docker -ErrorAction Stop } | Should -Throw -ErrorId 'ArmConnectionFailed,*' -PassThru
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
    }

    It 'Get-AzDockerVm refuses a resource group name Azure would refuse, before any request' {
        { Get-AzDockerVm -ResourceGroupName 'rg/1' } | Should -Throw -ErrorId 'InvalidResourceGroupName,*'
        Should -Invoke Get-AzContext -Times 0 -Exactly
    }

    It 'Remove-AzDockerVm refuses a name Azure would refuse, before any request' {
        { Remove-AzDockerVm -ResourceGroupName rg-docker -Name 'dock/1' -Force } | Should -Throw -ErrorId 'InvalidVmName,*'
        Should -Invoke Get-AzContext -Times 0 -Exactly
    }

    It 'Remove-AzDockerVm asks for confirmation (ConfirmImpact High) and binds Get-AzDockerVm output by property name' {
        $command = Get-Command Remove-AzDockerVm
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact | Should -Be 'High'
        foreach ($name in 'ResourceGroupName', 'Name') {
            $command.Parameters[$name].Attributes.Where({ $_ -is [System.Management.Automation.ParameterAttribute] }).ValueFromPipelineByPropertyName | Should -Contain $true
        }
    }
}

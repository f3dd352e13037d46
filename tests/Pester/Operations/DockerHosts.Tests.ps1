# Operations checks for the Docker hosts of one resource group (operation-validation style): copy this file, point it
# at your group, run it on a schedule. For every Docker host Get-AzDockerVm finds there (made by New-AzDockerVm, or a
# VM with AzDockerVm's Docker extension):
#   - Get-AzDockerVm reports its Docker extension Succeeded;
#   - Test-AzDockerHost succeeds: the VM runs, the extension succeeded, the NSGs let the Docker port through, this
#     machine holds the client set, and the daemon answers over mutual TLS;
#   - the network security groups expose the Docker port only to the allowed sources;
#   - the certificate the daemon serves names the host's current FQDN and addresses and is valid for more than 30 days;
#   - the host's certificates on this machine are valid for more than 30 days.
# See README.md in this folder for how to run it (Connect-AzAccount first; in Azure Automation with a managed identity).
#
# The one variable: the resource group, as Pester container data or in the environment:
#   Invoke-Pester -Container (New-PesterContainer -Path ./DockerHosts.Tests.ps1 -Data @{ ResourceGroupName = 'rg-ci' })
#   $env:AZDOCKERVM_OPS_RESOURCEGROUP = 'rg-ci'; Invoke-Pester ./DockerHosts.Tests.ps1
# The rest have defaults (data key, or environment variable):
#   AllowedSource           AZDOCKERVM_OPS_ALLOWEDSOURCE (comma-separated)   the exact sources the Docker port may be
#                           open to, e.g. '203.0.113.0/24'. Default: each host's own AllowedSourceAddress (what
#                           New-AzDockerVm -AllowedSourceAddress opened), which must not be empty (that is the
#                           Internet) nor contain '*', 'Internet', 'Any' or '0.0.0.0/0'.
#   CertificateMinimumDays  AZDOCKERVM_OPS_CERTIFICATEDAYS                   30
#   TimeoutSec              AZDOCKERVM_OPS_TIMEOUTSEC                        10 (Test-AzDockerHost's, per host)
#
# It reads and changes nothing but what Get-AzDockerVm and Test-AzDockerHost read (Azure Resource Manager, and the
# host's TLS set under $env:DOCKER_CONFIG or ~/.docker on this machine). It needs Az.Accounts signed in and the
# AzDockerVm module; both are the caller's.

param(
    [string] $ResourceGroupName = $env:AZDOCKERVM_OPS_RESOURCEGROUP,
    [string[]] $AllowedSource = $(if ($env:AZDOCKERVM_OPS_ALLOWEDSOURCE) { $env:AZDOCKERVM_OPS_ALLOWEDSOURCE -split '\s*,\s*' | Where-Object { $_ } }),
    [int] $CertificateMinimumDays = $(if ($env:AZDOCKERVM_OPS_CERTIFICATEDAYS) { [int] $env:AZDOCKERVM_OPS_CERTIFICATEDAYS } else { 30 }),
    [int] $TimeoutSec = $(if ($env:AZDOCKERVM_OPS_TIMEOUTSEC) { [int] $env:AZDOCKERVM_OPS_TIMEOUTSEC } else { 10 })
)

BeforeDiscovery {
    if (-not $ResourceGroupName) {
        throw 'No resource group to check: pass -Data @{ ResourceGroupName = ''<group>'' } to New-PesterContainer, or set $env:AZDOCKERVM_OPS_RESOURCEGROUP.'
    }

    if (-not (Get-Module -Name AzDockerVm)) {
        Import-Module -Name AzDockerVm -ErrorAction Stop
    }

    # One read of the group; each host becomes one Describe below, with the settings (the run phase sees only what
    # -ForEach hands it). A group Azure does not know is an error here.
    $settings = @{ AllowedSource = $AllowedSource; CertificateMinimumDays = $CertificateMinimumDays; TimeoutSec = $TimeoutSec }
    $dockerHosts = @(Get-AzDockerVm -ResourceGroupName $ResourceGroupName -ErrorAction Stop | ForEach-Object { @{ Name = $_.Name; DockerVm = $_ } + $settings })
}

Describe 'Docker hosts of resource group <ResourceGroupName>' -ForEach @(@{ ResourceGroupName = $ResourceGroupName; Count = $dockerHosts.Count }) {
    It 'has at least one Docker host' {
        # An empty group is a wrong name or lost hosts: the checks below would pass for nothing.
        $Count | Should -BeGreaterThan 0 -Because "Get-AzDockerVm -ResourceGroupName $ResourceGroupName found no Docker host"
    }
}

Describe 'Docker host <Name>' -ForEach $dockerHosts {
    BeforeAll {
        # Shapes the sources for comparison: sorted, distinct, case as written.
        function Get-SortedSource([string[]] $Source) { @($Source | Where-Object { $_ } | Sort-Object -Unique) }

        # One check of the host over mutual TLS, for the tests of what answers and of what it serves. Its warnings
        # (an expiring or no longer matching certificate) are the tests' messages here.
        $test = $DockerVm | Test-AzDockerHost -TimeoutSec $TimeoutSec -WarningAction SilentlyContinue
    }

    It 'is provisioned: Get-AzDockerVm reports Succeeded' {
        $DockerVm.ProvisioningState | Should -Be 'Succeeded' -Because "the Docker extension of '$Name' is $($DockerVm.ProvisioningState) (VM: $($DockerVm.VmProvisioningState)); Get-AzDockerExtension -ResourceGroupName $($DockerVm.ResourceGroupName) -VMName $Name -Status shows the script's words"
    }

    It 'answers Test-AzDockerHost over mutual TLS' {
        $test.Success | Should -BeTrue -Because "$($test.Endpoint): $($test.Reason): $($test.Message)"
        $test.ServerVersion | Should -Not -BeNullOrEmpty
    }

    It 'serves a certificate that names the host and is valid for more than <CertificateMinimumDays> days' {
        # What the daemon presents in the handshake, not the local copy: a certificate that was never deployed, or one
        # that no longer names an address Azure gave the VM since, shows here.
        $test.ServerCertificateNotAfter | Should -Not -BeNullOrEmpty -Because "no TLS handshake with '$Name' got as far as its certificate ($($test.Reason): $($test.Message))"
        $names = (@($test.ServerCertificateDnsName) + @($test.ServerCertificateIPAddress)) -join ', '
        $test.ServerCertificateCoversHost | Should -BeTrue -Because "the certificate '$Name' serves names $names, not all of its FQDN ($($DockerVm.Fqdn)), public ($($DockerVm.PublicIpAddress)) and private IP ($($DockerVm.PrivateIpAddress)) as Azure reports them now: Update-AzDockerTlsCertificate -ResourceGroupName $($DockerVm.ResourceGroupName) -VMName $Name renews it"
        $test.ServerCertificateDaysLeft | Should -BeGreaterOrEqual $CertificateMinimumDays -Because "the certificate '$Name' serves ($($test.ServerCertificateSubject)) expires $('{0:yyyy-MM-dd}' -f $test.ServerCertificateNotAfter)"
    }

    It 'exposes the Docker port only to the allowed sources' {
        # DockerPortOpenTo: every source any inbound Allow rule of the NIC's and subnet's NSGs lets reach the port,
        # whoever wrote the rule (not only the host's own, which AllowedSourceAddress shows).
        $openTo = Get-SortedSource $DockerVm.DockerPortOpenTo
        if ($AllowedSource) {
            $expected = Get-SortedSource $AllowedSource
        }
        else {
            $expected = Get-SortedSource $DockerVm.AllowedSourceAddress
            $expected | Should -Not -BeNullOrEmpty -Because "'$Name' has no AllowedSourceAddress: its own rule opens the Docker port $($DockerVm.DockerPort) to the Internet"
            $expected | Where-Object { $_ -in '*', 'Internet', 'Any', '0.0.0.0/0' } | Should -BeNullOrEmpty -Because "'$Name' allows the whole Internet ($($expected -join ', '))"
        }

        ($openTo -join ', ') | Should -Be ($expected -join ', ') -Because "the network security groups of '$Name' open the Docker port $($DockerVm.DockerPort) to $($openTo -join ', ')"
    }

    It 'has certificates valid for more than <CertificateMinimumDays> days' {
        # The host's TLS set on this machine: the CA and the client certificate this machine uses, and the server
        # certificate the host was given when it was made here, as Get-DockerTlsCertificate reads them (every
        # certificate of ca.pem counts). The served certificate is the test above.
        $DockerVm.CertificatePath | Should -Not -BeNullOrEmpty -Because "this machine holds no TLS set for '$Name' (under `$env:DOCKER_CONFIG or ~/.docker)"
        $certificates = @(Get-DockerTlsCertificate -LiteralPath $DockerVm.CertificatePath -WarningAction SilentlyContinue)
        $certificates.File | Should -Contain 'cert.pem' -Because "the client certificate of '$Name' is missing"
        $expiring = $certificates | Where-Object DaysLeft -lt $CertificateMinimumDays |
            ForEach-Object { '{0} ({1}) expires {2:yyyy-MM-dd}' -f $_.File, $_.Subject, $_.NotAfter }

        $expiring | Should -BeNullOrEmpty -Because "certificates of '$Name' expire within $CertificateMinimumDays days"
    }
}

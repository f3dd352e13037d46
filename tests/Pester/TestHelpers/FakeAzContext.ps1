# A stand-in for Az.Accounts' sign-in, for runs against the local fake of Azure Resource Manager
# (tests/AzDockerVm.FakeArm) in a real pwsh: global functions Get-AzContext and Get-AzAccessToken that return objects
# shaped like Az.Accounts' PSAzureContext and PSAccessToken (Az.Accounts 5: the token as a SecureString), pointing at
# the fake. AzDockerVm only ever calls "whatever Get-AzContext resolves to", so the module under test runs unchanged.
#
# Dot-source it BEFORE anything calls an Azure cmdlet of AzDockerVm. It reads the fake from the environment (the
# xunit driver tests/AzDockerVm.Tests/Azure/OperationsSuiteTests.cs sets these):
#   AZDOCKERVM_FAKEARM_URL           https://127.0.0.1:<port>/ (loopback only: anything else is refused)
#   AZDOCKERVM_FAKEARM_SUBSCRIPTION  the fake's subscription id
#   AZDOCKERVM_FAKEARM_TENANT        the fake's tenant id
#   AZDOCKERVM_FAKEARM_AUDIENCE      the token audience (ArmEnvironment's), e.g. https://management.core.fake/
# The process must trust the fake's CA (SSL_CERT_FILE, inherited from the xunit process: TestTrust.cs).
#
# Never for real subscriptions: users have Az.Accounts (Connect-AzAccount). The suite in tests/Pester/Operations holds
# no stand-in; this file is only the CI's way in.

$script:fakeArmUrl = $env:AZDOCKERVM_FAKEARM_URL
if (-not $fakeArmUrl -or -not $env:AZDOCKERVM_FAKEARM_SUBSCRIPTION -or -not $env:AZDOCKERVM_FAKEARM_TENANT) {
    throw 'FakeAzContext.ps1: set AZDOCKERVM_FAKEARM_URL, AZDOCKERVM_FAKEARM_SUBSCRIPTION and AZDOCKERVM_FAKEARM_TENANT (the fake ARM the run talks to).'
}

$fakeArmUri = [uri] $fakeArmUrl
if ($fakeArmUri.Scheme -ne 'https' -or -not ($fakeArmUri.IsLoopback -and $fakeArmUri.Host -match '^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$')) {
    # A stand-in token must never reach anything but the local fake.
    throw "FakeAzContext.ps1: '$fakeArmUrl' is not an https address on loopback; the stand-in talks to the local fake ARM only."
}

$global:AzDockerVmFakeContext = [pscustomobject]@{
    Name             = "Fake subscription ($env:AZDOCKERVM_FAKEARM_SUBSCRIPTION) - ops@contoso.example"
    Account          = [pscustomobject]@{ Id = 'ops@contoso.example'; Type = 'User'; Tenants = @($env:AZDOCKERVM_FAKEARM_TENANT); ExtendedProperties = @{} }
    Subscription     = [pscustomobject]@{
        Id = $env:AZDOCKERVM_FAKEARM_SUBSCRIPTION; Name = 'Fake subscription'; TenantId = $env:AZDOCKERVM_FAKEARM_TENANT
        State = 'Enabled'; HomeTenantId = $env:AZDOCKERVM_FAKEARM_TENANT
    }
    Tenant           = [pscustomobject]@{ Id = $env:AZDOCKERVM_FAKEARM_TENANT; TenantId = $env:AZDOCKERVM_FAKEARM_TENANT; Directory = $null }
    Environment      = [pscustomobject]@{
        Name = 'AzDockerVmFake'; Type = 'User-defined'; OnPremise = $false
        ResourceManagerUrl = $fakeArmUri.AbsoluteUri; ActiveDirectoryAuthority = 'https://login.fake.invalid/'
        ActiveDirectoryServiceEndpointResourceId = $(if ($env:AZDOCKERVM_FAKEARM_AUDIENCE) { $env:AZDOCKERVM_FAKEARM_AUDIENCE } else { $fakeArmUri.AbsoluteUri })
        ManagementPortalUrl = 'https://portal.fake.invalid/'; GalleryUrl = $null; StorageEndpointSuffix = 'core.fake.invalid'
    }
    TokenCache       = $null
    VersionProfile   = $null
    ExtendedProperties = @{}
}

function global:Get-AzContext {
    [CmdletBinding()]
    param([switch] $ListAvailable, [Alias('AzContext', 'AzureRmContext', 'AzureCredential')] $DefaultProfile)
    if ($null -ne $DefaultProfile) { return $DefaultProfile }
    $global:AzDockerVmFakeContext
}

function global:Get-AzAccessToken {
    [CmdletBinding()]
    param([string] $ResourceUrl, [string] $ResourceTypeName, [string] $TenantId, [switch] $AsSecureString,
          [Alias('AzContext', 'AzureRmContext', 'AzureCredential')] $DefaultProfile)
    # Any non-empty token is accepted by the fake; a fresh one each call, as a SecureString (Az.Accounts 5).
    $token = [System.Security.SecureString]::new()
    foreach ($character in ('fake-arm-token-' + [guid]::NewGuid().ToString('N')).ToCharArray()) { $token.AppendChar($character) }
    $token.MakeReadOnly()
    [pscustomobject]@{
        Token = $token; ExpiresOn = [DateTimeOffset]::UtcNow.AddHours(1)
        Type = 'Bearer'; TenantId = $(if ($TenantId) { $TenantId } else { $env:AZDOCKERVM_FAKEARM_TENANT }); UserId = 'ops@contoso.example'
    }
}

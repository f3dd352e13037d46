using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using AzDockerVm.Tests.Bench;
using AzDockerVm.Tests.Docker;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>How the stand-in Get-AzAccessToken returns .Token: Az.Accounts 5+ (SecureString) or older (string).</summary>
    public enum TokenShape
    {
        SecureString,
        String,
    }

    /// <summary>
    /// A fake ARM plus a PowerShell session whose Az login is a stand-in for Az.Accounts: global functions
    /// Get-AzContext and Get-AzAccessToken returning objects shaped exactly like PSAzureContext and PSAccessToken,
    /// pointing at the fake. The product only ever sees "whatever Get-AzContext returns". DOCKER_CONFIG is a
    /// fresh temporary folder (tests using this join <see cref="ProcessEnvironmentCollection"/>).
    /// </summary>
    public sealed class AzureBench : IAsyncDisposable
    {
        // Each token call returns a new token, so the fake's TokensSeen counts token fetches.
        private const string StandIns = @"
$global:AzdvTokenCalls = [System.Collections.Generic.List[object]]::new()
$global:AzdvContextCalls = [System.Collections.Generic.List[object]]::new()
$global:AzdvContext = [pscustomobject]@{
    Name = ""Fake subscription ($SubscriptionId) - admin@contoso.example""
    Account = [pscustomobject]@{ Id = 'admin@contoso.example'; Type = 'User'; Tenants = @($TenantId); ExtendedProperties = @{} }
    Subscription = [pscustomobject]@{ Id = $SubscriptionId; Name = 'Fake subscription'; TenantId = $TenantId; State = 'Enabled'; HomeTenantId = $TenantId }
    Tenant = [pscustomobject]@{ Id = $TenantId; TenantId = $TenantId; Directory = $null }
    Environment = [pscustomobject]@{
        Name = 'AzDockerVmFake'; Type = 'User-defined'; OnPremise = $false
        ResourceManagerUrl = $ArmUrl; ActiveDirectoryAuthority = 'https://login.fake.invalid/'
        ActiveDirectoryServiceEndpointResourceId = $Audience; ManagementPortalUrl = 'https://portal.fake.invalid/'
        GalleryUrl = $null; StorageEndpointSuffix = 'core.fake.invalid'; AzureKeyVaultDnsSuffix = 'vault.fake.invalid'
        AzureKeyVaultServiceEndpointResourceId = 'https://vault.fake.invalid'; GraphUrl = 'https://graph.fake.invalid/'
    }
    TokenCache = $null; VersionProfile = $null; ExtendedProperties = @{}
}
$global:AzdvTokenMinutes = 60
$global:AzdvSecureToken = $SecureToken

function global:Get-AzContext {
    [CmdletBinding()]
    param([switch] $ListAvailable, [Alias('AzContext', 'AzureRmContext', 'AzureCredential')] $DefaultProfile)
    $global:AzdvContextCalls.Add($DefaultProfile)
    if ($null -ne $DefaultProfile) { return $DefaultProfile }
    $global:AzdvContext
}

function global:Get-AzAccessToken {
    [CmdletBinding()]
    param([string] $ResourceUrl, [string] $ResourceTypeName, [string] $TenantId, [switch] $AsSecureString,
          [Alias('AzContext', 'AzureRmContext', 'AzureCredential')] $DefaultProfile)
    $global:AzdvTokenCalls.Add([pscustomobject]@{ ResourceUrl = $ResourceUrl; TenantId = $TenantId; DefaultProfile = $DefaultProfile })
    $raw = 'standin-token-' + $global:AzdvTokenCalls.Count + '-' + [guid]::NewGuid().ToString('N')
    if ($global:AzdvSecureToken) {
        $token = [System.Security.SecureString]::new()
        foreach ($ch in $raw.ToCharArray()) { $token.AppendChar($ch) }
        $token.MakeReadOnly()
    } else {
        $token = $raw
    }
    [pscustomobject]@{
        Token = $token; ExpiresOn = [DateTimeOffset]::UtcNow.AddMinutes($global:AzdvTokenMinutes)
        Type = 'Bearer'; TenantId = $TenantId; UserId = 'admin@contoso.example'
    }
}
";

        private readonly EnvironmentScope _environment = new EnvironmentScope();

        private AzureBench(FakeArmServer arm, TokenShape shape)
        {
            Arm = arm;
            DockerConfig = Path.Combine(Path.GetTempPath(), "azdvm-az-" + Guid.NewGuid().ToString("N").Substring(0, 8), "docker");
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", DockerConfig);
            Ps = new PowerShellSession();
            Ps.Run(StandIns, new
            {
                SubscriptionId = arm.SubscriptionId,
                TenantId = arm.TenantId,
                ArmUrl = arm.BaseUri.ToString(),
                Audience = arm.Audience,
                SecureToken = shape == TokenShape.SecureString,
            }).ThrowIfFailed();
        }

        public FakeArmServer Arm { get; }

        public PowerShellSession Ps { get; }

        /// <summary>The DOCKER_CONFIG of this bench (does not exist until something writes to it).</summary>
        public string DockerConfig { get; }

        public static async Task<AzureBench> StartAsync(TokenShape shape = TokenShape.SecureString)
            => new AzureBench(await FakeArmServer.StartAsync(), shape);

        /// <summary>A Linux VM with a public IP and an FQDN, running.</summary>
        public SeededVm AddVm(string name = "vm1", string resourceGroup = "rg1")
            => Arm.AddLinuxVm(resourceGroup, name, publicIp: "20.1.2.3", fqdn: name + ".westeurope.cloudapp.azure.com", privateIp: "10.0.0.4");

        /// <summary>Requests that change something (PUT, PATCH, POST, DELETE).</summary>
        public string[] Writes() => Arm.Requests.Where(r => r.Method != "GET" && r.Method != "HEAD").Select(r => r.ToString()).ToArray();

        public async ValueTask DisposeAsync()
        {
            Ps.Dispose();
            await Arm.DisposeAsync();
            _environment.Dispose();
            string parent = Path.GetDirectoryName(DockerConfig);
            if (Directory.Exists(parent))
            {
                Directory.Delete(parent, recursive: true);
            }
        }
    }
}

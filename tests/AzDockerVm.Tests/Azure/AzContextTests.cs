using System;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>
    /// The Az login as the product sees it: whatever Get-AzContext and Get-AzAccessToken answer in the caller's
    /// runspace (here a stand-in for Az.Accounts, shaped exactly like it). Endpoints come from the context, tokens are
    /// cached per tenant + audience and refreshed before they expire, both token shapes work.
    /// </summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class AzContextTests
    {
        [Fact]
        public async Task No_context_is_AzContextNotFound_recommending_Connect_AzAccount_and_nothing_is_sent()
        {
            await using var bench = await AzureBench.StartAsync();
            bench.AddVm();

            var run = bench.Ps.Run("$global:AzdvContext = $null; Get-AzDockerExtension rg1 vm1");

            Assert.StartsWith("AzContextNotFound,", run.Error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.AuthenticationError, run.Error.CategoryInfo.Category);
            Assert.Contains("Connect-AzAccount", run.Error.ErrorDetails.RecommendedAction);
            Assert.Empty(bench.Arm.Requests);
        }

        [Fact]
        public void Without_Az_Accounts_the_error_is_AzAccountsNotFound_naming_the_module()
        {
            using var ps = new PowerShellSession();

            var run = ps.Run("Set-AzDockerExtension rg1 vm1 -NoDockerContext");

            Assert.StartsWith("AzAccountsNotFound,", run.Error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.NotInstalled, run.Error.CategoryInfo.Category);
            Assert.Contains("Az.Accounts", run.Error.Exception.Message);
            Assert.Contains("Install-Module Az.Accounts", run.Error.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public async Task DefaultProfile_and_its_aliases_are_passed_to_Get_AzContext_and_Get_AzAccessToken()
        {
            await using var bench = await AzureBench.StartAsync();
            bench.AddVm();
            // The current context names another subscription: only the passed profile leads to the fake's VM.
            bench.Ps.Run("$global:Right = $global:AzdvContext; $global:AzdvContext = [pscustomobject]@{ Subscription = [pscustomobject]@{ Id = [guid]::NewGuid().ToString() }; " +
                         "Tenant = $Right.Tenant; Environment = $Right.Environment; Account = $Right.Account }").ThrowIfFailed();

            var viaCurrent = bench.Ps.Run("Get-AzDockerExtension rg1 vm1");
            Assert.NotNull(viaCurrent.Error);

            foreach (string parameter in new[] { "-DefaultProfile", "-AzContext", "-AzureRmContext", "-AzureCredential" })
            {
                var run = bench.Ps.Run($"Set-AzDockerExtension rg1 vm1 -NoDockerContext {parameter} $Right -ForceRerun");
                Assert.True(run.Error == null, parameter + ": " + run.Describe());
            }

            var passed = bench.Ps.Run("@($global:AzdvTokenCalls | Where-Object { [object]::ReferenceEquals($_.DefaultProfile, $Right) }).Count; " +
                                      "@($global:AzdvContextCalls | Where-Object { [object]::ReferenceEquals($_, $Right) }).Count").ThrowIfFailed();
            Assert.True((int)passed.Output[0].BaseObject >= 4, "token calls with the profile: " + passed.Output[0]);
            Assert.Equal(4, (int)passed.Output[1].BaseObject);
        }

        [Theory]
        [InlineData(TokenShape.SecureString)]
        [InlineData(TokenShape.String)]
        public async Task Both_token_shapes_work_and_one_token_serves_a_whole_Set(TokenShape shape)
        {
            await using var bench = await AzureBench.StartAsync(shape);
            bench.AddVm();

            bench.Ps.Run("Set-AzDockerExtension rg1 vm1").ThrowIfFailed();

            var token = Assert.Single(bench.Arm.TokensSeen);
            Assert.StartsWith("standin-token-1-", token);
            var call = bench.Ps.Run("$global:AzdvTokenCalls[0]").ThrowIfFailed().Single();
            Assert.Equal(bench.Arm.Audience.TrimEnd('/'), call.Properties["ResourceUrl"].Value);
            Assert.Equal(bench.Arm.TenantId, call.Properties["TenantId"].Value);
            Assert.Equal(8, bench.Arm.Requests.Count);
        }

        [Fact]
        public async Task A_token_that_expires_within_five_minutes_is_refreshed_before_the_next_request()
        {
            await using var bench = await AzureBench.StartAsync();
            bench.AddVm();

            bench.Ps.Run("$global:AzdvTokenMinutes = 4; Set-AzDockerExtension rg1 vm1").ThrowIfFailed();

            // Each fetch answers a new token (60-minute tokens: one for the whole Set, see above). Azure.Core also keeps
            // the token it holds until a refresh has arrived, so not every request triggers a fetch.
            int calls = (int)bench.Ps.Run("$global:AzdvTokenCalls.Count").ThrowIfFailed().Single().BaseObject;
            Assert.True(bench.Arm.TokensSeen.Count >= 2, "tokens seen: " + bench.Arm.TokensSeen.Count);
            Assert.True(calls >= bench.Arm.TokensSeen.Count);
            Assert.NotEqual(bench.Arm.Requests.First().BearerToken, bench.Arm.Requests.Last().BearerToken);
        }
    }
}

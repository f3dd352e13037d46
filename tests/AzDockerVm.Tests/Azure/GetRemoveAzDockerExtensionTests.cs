using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Azure
{
    /// <summary>Get-AzDockerExtension and Remove-AzDockerExtension see and touch only AzDockerVm's extension.</summary>
    [Collection(ProcessEnvironmentCollection.Name)]
    public sealed class GetRemoveAzDockerExtensionTests : IAsyncLifetime
    {
        private AzureBench _bench;

        public async Task InitializeAsync() => _bench = await AzureBench.StartAsync();

        public async Task DisposeAsync() => await _bench.DisposeAsync();

        [Fact]
        public void An_IPv6_address_in_the_reported_endpoint_is_in_brackets_as_everywhere_else()
        {
            _bench.Arm.AddLinuxVm("rg1", "v6vm", publicIp: "2001:db8::5", privateIp: "10.0.0.5");
            _bench.Arm.AddExtension("rg1", "v6vm", "DockerExtension", type: "DockerExtension", typeHandlerVersion: "1.2");

            var status = _bench.Ps.Run("Get-AzDockerExtension rg1 v6vm").ThrowIfFailed().Single();

            Assert.Equal("tcp://[2001:db8::5]:2376", status.Properties["Endpoint"].Value);
        }

        [Fact]
        public void Get_returns_ours_with_the_reported_status_and_with_Status_the_instance_view()
        {
            _bench.AddVm();
            _bench.Arm.AddExtension("rg1", "vm1", "monitor", publisher: "Microsoft.Azure.Monitor", type: "AzureMonitorLinuxAgent", typeHandlerVersion: "1.0");
            _bench.Ps.Run("Set-AzDockerExtension rg1 vm1").ThrowIfFailed();

            var plain = _bench.Ps.Run("Get-AzDockerExtension -ResourceGroupName rg1 -VMName vm1").ThrowIfFailed().Single();
            var full = _bench.Ps.Run("[pscustomobject]@{ ResourceGroupName = 'rg1'; Name = 'vm1' } | Get-AzDockerExtension -Status").ThrowIfFailed().Single();

            Assert.Equal("AzDockerVm", plain.Properties["Name"].Value);
            Assert.Equal("Succeeded", plain.Properties["ProvisioningState"].Value);
            Assert.Equal("20.10.24", plain.Properties["DockerVersion"].Value);
            Assert.Equal("tcp://vm1.westeurope.cloudapp.azure.com:2376", plain.Properties["Endpoint"].Value);
            Assert.Null(plain.Properties["SubStatuses"].Value);
            var substatuses = (object[])full.Properties["SubStatuses"].Value;
            Assert.Contains(substatuses, s => ((dynamic)s).Code == "ComponentStatus/StdOut/succeeded");
            Assert.NotEmpty((object[])full.Properties["Statuses"].Value);
        }

        [Fact]
        public void Get_returns_nothing_and_no_error_for_a_VM_without_ours_even_with_a_foreign_CustomScript()
        {
            _bench.AddVm();
            _bench.Arm.AddExtension("rg1", "vm1", "theirs", settings: new JsonObject { ["commandToExecute"] = "echo hi" });

            int before = _bench.Arm.Requests.Count;
            var run = _bench.Ps.Run("Get-AzDockerExtension rg1 vm1");

            Assert.True(run.Error == null, run.Describe());
            Assert.Empty(run.Output);
            // Nothing of ours: the VM and its extension list are read, its network (NIC, public IP) is not.
            var reads = _bench.Arm.Requests.Skip(before).Select(r => r.Method + " " + r.Path.ToLowerInvariant()).ToArray();
            Assert.Equal(2, reads.Length);
            Assert.DoesNotContain(reads, r => r.Contains("microsoft.network"));
        }

        [Fact]
        public void Get_by_ResourceId_and_the_status_of_our_own_object_pipes_back_in()
        {
            var vm = _bench.AddVm();
            _bench.Ps.Run("Set-AzDockerExtension -ResourceId $Id", new { Id = vm.Id }).ThrowIfFailed();

            var again = _bench.Ps.Run("Get-AzDockerExtension -ResourceId $Id | Get-AzDockerExtension", new { Id = vm.Id }).ThrowIfFailed().Single();

            Assert.Equal("vm1", again.Properties["VMName"].Value);
        }

        [Fact]
        public void Remove_Force_deletes_only_ours()
        {
            _bench.AddVm();
            string monitor = _bench.Arm.AddExtension("rg1", "vm1", "monitor", publisher: "Microsoft.Azure.Monitor", type: "AzureMonitorLinuxAgent", typeHandlerVersion: "1.0");
            _bench.Ps.Run("Set-AzDockerExtension rg1 vm1").ThrowIfFailed();

            var run = _bench.Ps.Run("Get-AzDockerExtension rg1 vm1 | Remove-AzDockerExtension -Force");

            Assert.True(run.Error == null, run.Describe());
            Assert.Empty(run.Output);
            var deletes = _bench.Arm.Requests.Where(r => r.Method == "DELETE").Select(r => r.Path.ToLowerInvariant()).ToArray();
            Assert.Equal(new[] { "/subscriptions/" + _bench.Arm.SubscriptionId + "/resourcegroups/rg1/providers/microsoft.compute/virtualmachines/vm1/extensions/azdockervm" }, deletes);
            Assert.Empty(_bench.Ps.Run("Get-AzDockerExtension rg1 vm1").ThrowIfFailed().Output);
            Assert.True(_bench.Arm.Exists(monitor));
        }

        [Fact]
        public void Remove_never_deletes_a_foreign_CustomScript_and_says_there_is_nothing_to_do()
        {
            _bench.AddVm();
            string theirs = _bench.Arm.AddExtension("rg1", "vm1", "theirs", settings: new JsonObject { ["commandToExecute"] = "echo hi" });

            var run = _bench.Ps.Run("Remove-AzDockerExtension rg1 vm1 -Force -Verbose");

            Assert.True(run.Error == null, run.Describe());
            Assert.Empty(_bench.Writes());
            Assert.True(_bench.Arm.Exists(theirs));
            Assert.Contains(run.Verbose, v => v.Contains("nothing to remove"));
        }

        [Fact]
        public void Remove_is_high_impact_and_Confirm_false_removes_without_Force()
        {
            _bench.AddVm();
            _bench.Ps.Run("Set-AzDockerExtension rg1 vm1").ThrowIfFailed();

            var command = _bench.Ps.Run("(Get-Command Remove-AzDockerExtension).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact.ToString()").ThrowIfFailed().Single();
            var run = _bench.Ps.Run("Remove-AzDockerExtension rg1 vm1 -Confirm:$false");

            Assert.Equal("High", command.BaseObject);
            Assert.True(run.Error == null, run.Describe());
            Assert.Single(_bench.Arm.Requests, r => r.Method == "DELETE");
        }

        [Fact]
        public void Set_under_another_name_replaces_our_earlier_CustomScript_extension()
        {
            _bench.AddVm();
            _bench.Ps.Run("Set-AzDockerExtension rg1 vm1").ThrowIfFailed();

            var whatIf = _bench.Ps.Run("Set-AzDockerExtension rg1 vm1 -ExtensionName docker -WhatIf").ThrowIfFailed();
            var status = _bench.Ps.Run("Set-AzDockerExtension rg1 vm1 -ExtensionName docker").ThrowIfFailed().Single();

            Assert.Contains("replace AzDockerVm's extension 'AzDockerVm'", whatIf.HostText);
            Assert.Equal("docker", status.Properties["Name"].Value);
            Assert.Equal(new[] { "PUT azdockervm", "DELETE azdockervm", "PUT docker" },
                _bench.Arm.Requests.Where(r => r.Method is "PUT" or "DELETE").Select(r => r.Method + " " + r.Path.Split('/').Last().ToLowerInvariant()).ToArray());
            Assert.Equal("docker", _bench.Ps.Run("Get-AzDockerExtension rg1 vm1").ThrowIfFailed().Single().Properties["Name"].Value);
        }

        [Fact]
        public void Remove_WhatIf_with_Force_still_deletes_nothing()
        {
            _bench.AddVm();
            _bench.Ps.Run("Set-AzDockerExtension rg1 vm1").ThrowIfFailed();
            int writes = _bench.Writes().Length;

            var run = _bench.Ps.Run("Remove-AzDockerExtension rg1 vm1 -Force -WhatIf");

            Assert.True(run.Error == null, run.Describe());
            Assert.Equal(writes, _bench.Writes().Length);
            Assert.Contains("Remove the Docker extension 'AzDockerVm'", run.HostText);
        }
    }
}

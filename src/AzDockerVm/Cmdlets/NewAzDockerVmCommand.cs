using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using AzDockerVm.Azure;
using AzDockerVm.Completion;
using AzDockerVm.Engine;
using AzDockerVm.Engine.Azure;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// From nothing to a verified, locked-down Docker host in one command: the group's network and NSG (shared by its
    /// hosts), the host's public IP, NIC and VM, its TLS set from the group's CA, Docker through the carrier, and a
    /// docker context. Reads what exists first and makes only what is missing, independent resources at once.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "AzDockerVm", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(Models.PSAzDockerVm))]
    public sealed class NewAzDockerVmCommand : DockerHostCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ResourceGroupCompleter))]
        public string ResourceGroupName { get; set; }

        [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("VMName")]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(LocationCompleter))]
        public string Location { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Size { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ImageCompleter))]
        public string Image { get; set; }

        [Parameter]
        [Credential]
        public PSCredential Credential { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string SshPublicKey { get; set; }

        [Parameter]
        public SwitchParameter GenerateSshKey { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string VirtualNetworkName { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string SubnetName { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string AddressPrefix { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string SubnetAddressPrefix { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string SecurityGroupName { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string PublicIpAddressName { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string DomainNameLabel { get; set; }

        [Parameter]
        public SwitchParameter NoPublicIp { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Zone { get; set; }

        [Parameter]
        public Hashtable Tag { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] AllowedSourceAddress { get; set; }

        [Parameter]
        public SwitchParameter OpenSsh { get; set; }

        [Parameter]
        [ValidateRange(1, 65535)]
        public int[] OpenPorts { get; set; }

        /// <summary>
        /// How many hosts of the pipeline are worked on at once: at most ThrottleLimit x 3 resource changes (each one
        /// request at a time, with its polls) or reads in flight, 3 being a host's widest stage. 10: ten hosts take about
        /// the time of one, while fifty do not send a storm of requests that ARM would throttle for the subscription.
        /// </summary>
        [Parameter]
        [ValidateRange(1, 100)]
        public int ThrottleLimit { get; set; } = 10;

        protected override void ProcessRecordCore() => New();

        protected override string RecommendedActionFor(AzDockerVmException ex)
        {
            switch (ex.ErrorId)
            {
                case "FileExists":
                    return "Use -Force to replace the host's TLS set with a new one, or give a set of your own with -Certificate or -CertificatePath.";
                default:
                    return base.RecommendedActionFor(ex);
            }
        }

        // The checked records (engine DockerVmPlans, held as object so loading this type loads no engine).
        private readonly List<object> _hosts = new List<object>();

        /// <summary>Checks the record's input (a refusal is this host's error; the other records go on) and keeps it for the walk.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void New()
        {
            try
            {
                Check();
            }
            catch (AzDockerVmException ex)
            {
                // Bad input for one host is refused for that host; the rest of the pipeline proceeds.
                throw new RecordFailedException(ex);
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Check()
        {
            SetDockerExtensionRequest docker = DockerHostRequestBuilder.Build(this, new VmReference(ResourceGroupName, Name), DockerConfigDirectory());
            docker.Force = Force;
            var request = new NewDockerVmRequest
            {
                ResourceGroupName = ResourceGroupName,
                Name = Name,
                Location = Location,
                Size = Size,
                Image = Image,
                AdminUserName = Credential?.UserName,
                AdminPassword = Credential?.GetNetworkCredential().Password,
                SshPublicKey = SshPublicKey == null ? null : ReadKey(SshPublicKey),
                GenerateSshKey = GenerateSshKey,
                VirtualNetworkName = VirtualNetworkName,
                SubnetName = SubnetName,
                AddressPrefix = AddressPrefix,
                SubnetAddressPrefix = SubnetAddressPrefix,
                SecurityGroupName = SecurityGroupName,
                PublicIpAddressName = PublicIpAddressName,
                DomainNameLabel = DomainNameLabel,
                NoPublicIp = NoPublicIp,
                Zone = Zone,
                Tags = (Tag ?? new Hashtable()).Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString(), e => e.Value?.ToString() ?? string.Empty),
                AllowedSourceAddresses = (AllowedSourceAddress ?? new string[0]).ToList(),
                OpenSsh = OpenSsh,
                OpenPorts = (OpenPorts ?? new int[0]).ToList(),
                Docker = docker,
            };
            DockerVmPlan plan = DockerVmService.CheckInput(request);

            if (request.AllowedSourceAddresses.Count == 0)
            {
                WriteWarning($"No -AllowedSourceAddress: the Docker port {docker.Settings.Port} of '{Name}' will be open to the whole Internet (clients still need a certificate of the group's CA: mutual TLS). Narrow it with -AllowedSourceAddress <your address or CIDR>.");
            }

            _hosts.Add(plan);
        }

        private int InFlight => ThrottleLimit * DockerVmService.ChangesPerHost;

        protected override void EndProcessingCore()
        {
            if (_hosts.Count > 0)
            {
                Walk();
            }
        }

        /// <summary>Every host of the pipeline in one walk: read at once, asked about one by one, made together (ThrottleLimit changes at a time).</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Walk()
        {
            var checkedHosts = _hosts.Cast<DockerVmPlan>().ToList();
            IReadOnlyList<DockerVmOutcome> planned = RunArm((arm, ct) => DockerVmService.PlanFleetAsync(arm, checkedHosts, InFlight, ct));
            WarnAboutCarrier();
            var approved = new List<DockerVmPlan>();
            foreach (DockerVmOutcome outcome in planned)
            {
                if (outcome.Failure != null)
                {
                    WriteError(ErrorRecords.From(outcome.Failure, RecommendedActionFor(outcome.Failure)));
                    continue;
                }

                DockerVmPlan plan = outcome.Plan;
                string target = $"Docker host '{plan.Name}' in resource group '{plan.ResourceGroupName}' ({plan.Location})";
                var lines = new List<string>();
                lines.AddRange(plan.ToCreate.Select(r => "create " + r));
                lines.AddRange(plan.ToReplace.Select(r => "replace " + r));
                lines.AddRange(plan.ToReuse.Select(r => "reuse " + r));
                if (ShouldProcess(target, lines.Count == 0 ? "Nothing to do" : string.Join("; ", lines)))
                {
                    approved.Add(plan);
                }
            }

            if (approved.Count == 0)
            {
                return;
            }

            if (AsJob)
            {
                // One job for the fleet, a child job per host with its object or error (the walk's progress on the parent).
                StartFleetJob(approved.Count == 1 ? $"New-AzDockerVm {approved[0].Name}" : $"New-AzDockerVm ({approved.Count} hosts)", approved.Select(p => p.Name).ToList(),
                    (arm, children, ct) =>
                    {
                        foreach (var child in children)
                        {
                            child.Begin();
                        }

                        return DockerVmService.ApplyFleetAsync(arm, approved, ThrottleLimit, ct, done =>
                        {
                            children[approved.IndexOf(done.Plan)].End(Result(done));
                            return System.Threading.Tasks.Task.CompletedTask;
                        });
                    });
                return;
            }

            // Each host is written as soon as it is done (its object, or its error), while the others go on.
            RunFleet($"{approved.Count} Docker hosts", approved.Count,
                (arm, writer, ct) => DockerVmService.ApplyFleetAsync(arm, approved, ThrottleLimit, ct, done => writer.HostDone(done.Failure != null, () => Write(done))));
        }

        private void Write(DockerVmOutcome outcome)
        {
            if (outcome.Failure != null)
            {
                WriteHostFailure(outcome.Failure, outcome.Plan.Name);
            }
            else
            {
                WriteObject(ModelConverter.ToModel(outcome.Host));
            }
        }

        /// <summary>A host's object, or its error (with the host as target).</summary>
        private object Result(DockerVmOutcome outcome)
            => outcome.Failure == null ? (object)ModelConverter.ToModel(outcome.Host) : ErrorRecords.From(outcome.Failure, RecommendedActionFor(outcome.Failure));

        /// <summary>-SshPublicKey takes the key itself or the path of a .pub file.</summary>
        private string ReadKey(string value)
        {
            if (value.TrimStart().StartsWith("ssh-", System.StringComparison.Ordinal) || value.TrimStart().StartsWith("ecdsa-", System.StringComparison.Ordinal) || value.Contains("PRIVATE KEY"))
            {
                return value;
            }

            try
            {
                string path = ResolveFileSystemPath(value, "-SshPublicKey");
                return System.IO.File.Exists(path) ? System.IO.File.ReadAllText(path) : value;
            }
            catch (AzDockerVmException)
            {
                // Neither a key nor a path: the key check says what is wrong with it.
                return value;
            }
        }
    }
}

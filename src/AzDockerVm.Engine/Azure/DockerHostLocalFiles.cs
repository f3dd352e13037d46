using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.Engine.Docker;
using AzDockerVm.Engine.Provisioning;
using AzDockerVm.Engine.Tls;

namespace AzDockerVm.Engine.Azure
{
    /// <summary>
    /// What Set keeps on the admin's machine: the VM's TLS set (when it makes one) and the docker context named after
    /// the VM, written before the change on Azure, each all-or-nothing; and the exact words for what a failure leaves.
    /// </summary>
    internal static class DockerHostLocalFiles
    {
        /// <summary>Writes the planned TLS set, then the planned context; a context failure says the set was kept.</summary>
        internal static void Write(ArmConnection arm, SetDockerExtensionPlan plan)
        {
            if (plan.CreatesCertificate)
            {
                arm.Host.WriteVerbose($"Creating a TLS set for '{plan.VmName}' in '{plan.CertificateFolder}'.");
            }

            plan.Certificate.CreateIfPlanned();
            if (plan.WritesDockerContext)
            {
                try
                {
                    WriteContext(arm, plan);
                }
                catch (AzDockerVmException ex)
                {
                    throw LocalWriteFailed(ex, plan);
                }
            }
        }

        /// <summary>Azure failed after the local files were written: they stay (the re-run reuses them), and the message says so.</summary>
        internal static AzDockerVmException KeptAfter(AzDockerVmException ex, SetDockerExtensionPlan plan)
        {
            string written = plan.CreatesCertificate && plan.WritesDockerContext
                ? $"the TLS set in '{plan.CertificateFolder}' and the docker context '{plan.DockerContext}' written before the change on Azure are kept"
                : plan.CreatesCertificate
                    ? $"the TLS set in '{plan.CertificateFolder}' written before the change on Azure is kept"
                    : $"the docker context '{plan.DockerContext}' written before the change on Azure is kept";
            return new AzDockerVmException(ex.ErrorId, ex.Kind, ex.Target,
                ex.Message.TrimEnd() + " Locally, " + written + "; running the same command again reuses them.", ex.RecommendedAction, ex.InnerException ?? ex);
        }

        /// <summary>Plans the context named after the VM (for a set Set creates): refused now if it exists without Force or cannot be written.</summary>
        internal static void PlanContext(SetDockerExtensionPlan plan)
        {
            if (!plan.Request.CreateDockerContext)
            {
                return;
            }

            string name = plan.Vm.Name;
            DockerContextStore.ValidateName(name);
            string dockerConfig = plan.Request.DockerConfig;
            bool exists = DockerContextStore.Exists(dockerConfig, name);
            plan.DockerContext = name;
            if (exists && !plan.Request.Force)
            {
                if (plan.CreatesCertificate)
                {
                    throw new AzDockerVmException("ContextExists", FailureKind.ResourceExists, name,
                        $"A docker context named '{name}' already exists in '{dockerConfig}' and the VM gets a new TLS set. Nothing was changed.");
                }

                return;
            }

            DockerContextStore.RequireWritable(dockerConfig, name);
            plan.WritesDockerContext = true;
        }

        /// <summary>The context's failure, told with what this Set had already written and that Azure was not changed.</summary>
        internal static AzDockerVmException LocalWriteFailed(AzDockerVmException ex, SetDockerExtensionPlan plan)
        {
            string reason = ex.Message.Replace(" Nothing was written.", string.Empty).TrimEnd();
            string kept = plan.CreatesCertificate
                ? $" The docker context '{plan.DockerContext}' was not written; the TLS set written to '{plan.CertificateFolder}' a moment before is kept, and running the same command again reuses it."
                : $" The docker context '{plan.DockerContext}' was not written; nothing else was.";
            return new AzDockerVmException(ex.ErrorId, ex.Kind, ex.Target,
                reason + kept + $" The VM '{plan.VmName}' was not changed.", ex.RecommendedAction, ex);
        }

        internal static void WriteContext(ArmConnection arm, SetDockerExtensionPlan plan)
        {
            DockerContextPlan context = DockerContextStore.Prepare(new DockerContextRequest
            {
                Name = plan.DockerContext,
                Endpoint = plan.Endpoint,
                Description = $"Azure VM {plan.ResourceGroupName}/{plan.VmName} (AzDockerVm)",
                CaFile = plan.Certificate.CaFile,
                CertFile = plan.Certificate.ClientCertificateFile,
                KeyFile = plan.Certificate.ClientKeyFile,
                DockerConfig = plan.Request.DockerConfig,
                Overwrite = true,
            });
            DockerContextStore.Write(context);
            arm.Host.WriteVerbose($"Docker context '{context.Name}' points at {context.Endpoint}.");
        }
    }
}

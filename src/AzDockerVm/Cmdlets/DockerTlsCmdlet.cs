using System;
using System.IO;
using System.Management.Automation;
using AzDockerVm.Engine.Docker;
using AzDockerVm.Engine.Tls;
using AzDockerVm.Models;

namespace AzDockerVm.Cmdlets
{
    /// <summary>
    /// The parameters New-DockerContext and Test-AzDockerHost share: the client's TLS files, given either as a
    /// certificate set (-Certificate, e.g. from New-DockerTlsCertificate) or as a folder (-CertificatePath) holding
    /// ca.pem, cert.pem and key.pem, the names the docker CLI uses with DOCKER_CERT_PATH.
    /// </summary>
    public abstract class DockerTlsCmdlet : AzDockerVmCmdlet
    {
        protected const string CertificateSet = "Certificate";
        protected const string CertificatePathSet = "CertificatePath";

        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = CertificateSet)]
        [ValidateNotNull]
        public DockerTlsCertificateSet Certificate { get; set; }

        /// <summary>By property name also as TlsPath, so a DockerContextInfo from New-DockerContext pipes in. (Virtual: a cmdlet with a parameter set of its own may declare it for that set too.)</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = CertificatePathSet)]
        [Alias("TlsPath")]
        [ValidateNotNullOrEmpty]
        public virtual string CertificatePath { get; set; }

        /// <summary>Absolute paths of the CA certificate, the client certificate and the client key.</summary>
        protected (string Ca, string Cert, string Key) ClientTlsFiles()
        {
            if (ParameterSetName == CertificateSet)
            {
                return (SetFile(Certificate.CaCertificateFile, nameof(Certificate.CaCertificateFile)),
                        SetFile(Certificate.ClientCertificateFile, nameof(Certificate.ClientCertificateFile)),
                        SetFile(Certificate.ClientKeyFile, nameof(Certificate.ClientKeyFile)));
            }

            string folder = ResolveFileSystemPath(CertificatePath, "-CertificatePath");
            return (Path.Combine(folder, DockerTlsFileNames.CaCertificate), Path.Combine(folder, DockerTlsFileNames.ClientCertificate), Path.Combine(folder, DockerTlsFileNames.ClientKey));
        }

        /// <summary>
        /// -Endpoint as given; in the Certificate set without -Endpoint, the set's first DNS name (else first IP
        /// address) on Docker's TLS port: tcp://host:2376.
        /// </summary>
        protected string EndpointOrDefault(string endpoint)
        {
            if (!string.IsNullOrWhiteSpace(endpoint) || ParameterSetName != CertificateSet)
            {
                return endpoint;
            }

            string host = FirstOrNull(Certificate.DnsName) ?? FirstOrNull(Certificate.IPAddress);
            if (host == null)
            {
                ThrowInvalidArgument("InvalidEndpoint", Certificate.Path,
                    "The certificate set names no DNS name or IP address to connect to; give -Endpoint tcp://host:2376.");
            }

            return DockerEndpoint.Format(host, DockerEndpoint.DefaultTlsPort);
        }

        private string SetFile(string path, string property)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"The certificate set has no {property}."),
                    "FileNotFound", ErrorCategory.ObjectNotFound, Certificate.Path));
            }

            return ResolveFileSystemPath(path, "the -Certificate set's " + property);
        }

        private static string FirstOrNull(string[] values)
        {
            if (values == null)
            {
                return null;
            }

            foreach (string value in values)
            {
                if (!string.IsNullOrWhiteSpace(value))
                {
                    return value.Trim();
                }
            }

            return null;
        }
    }
}

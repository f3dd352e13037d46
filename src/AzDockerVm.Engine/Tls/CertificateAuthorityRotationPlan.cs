using System;
using System.Collections.Generic;
using System.Linq;
using AzDockerVm.Engine.IO;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;

namespace AzDockerVm.Engine.Tls
{
    /// <summary>A phase of a CA rotation of a local set. Paths are absolute.</summary>
    public sealed class CertificateAuthorityRotationRequest
    {
        /// <summary>The set's folder: ca.pem, ca-key.pem, server-cert.pem, server-key.pem and usually cert.pem, key.pem.</summary>
        public string Path { get; set; }

        /// <summary>
        /// Other client sets (folders with ca.pem, cert.pem, key.pem) brought along: at the start each gets a client
        /// certificate of the new CA and the old+new trust; at the completion the new CA's trust (and a new certificate
        /// if it still has one of the old CA). A client not named here, and not the set's own, is locked out at the completion.
        /// </summary>
        public IList<string> ClientPaths { get; set; }

        /// <summary>The new CA's key algorithm (a name of <see cref="TlsKeyAlgorithmNames"/>; start only); null: the old CA's.</summary>
        public string KeyAlgorithm { get; set; }

        /// <summary>The docker CLI's configuration folder: the contexts made from the set and the client sets are refreshed with them.</summary>
        public string DockerConfigDirectory { get; set; }

        /// <summary>The DNS names of the server certificate the completion issues (a VM's current FQDN); null keeps the old ones.</summary>
        public IList<string> ServerDnsNames { get; set; }

        /// <summary>The IP addresses of the server certificate the completion issues (a VM's current addresses); null keeps the old ones.</summary>
        public IList<string> ServerIPAddresses { get; set; }
    }

    public enum CertificateAuthorityRotationPhase
    {
        /// <summary>A new CA next to the old: the daemon trusts both, the server certificate stays the old CA's, clients move.</summary>
        Start,

        /// <summary>The server certificate from the new CA, the daemon trusts it alone, the old CA's key is deleted.</summary>
        Complete,
    }

    /// <summary>
    /// A checked phase of a rotation: which CA retires, which takes over, the certificates to issue and every file to
    /// write or remove. Nothing has been generated or written yet: what -WhatIf describes and what
    /// <see cref="CertificateAuthorityRotation.Issue"/> carries out.
    /// </summary>
    public sealed class CertificateAuthorityRotationPlan
    {
        internal CertificateAuthorityRotationPlan(CertificateAuthorityRotationPhase phase, string path)
        {
            Phase = phase;
            Path = path;
        }

        public CertificateAuthorityRotationPhase Phase { get; }

        /// <summary>The set's folder.</summary>
        public string Path { get; }

        /// <summary>The CA that retires.</summary>
        public CertificateAuthorityIdentity OldCa { get; internal set; }

        /// <summary>The CA that takes over. At the start its subject and expiry as planned and no thumbprint yet (it is made by Issue).</summary>
        public CertificateAuthorityIdentity NewCa { get; internal set; }

        /// <summary>The new CA's key algorithm: ECDSA_P256, RSA3072, ... (the names -KeyAlgorithm takes).</summary>
        public string NewCaKeyAlgorithm { get; internal set; }

        /// <summary>UTC: when the rotation began (at the start: now).</summary>
        public DateTime StartTime { get; internal set; }

        /// <summary>The client certificates the new CA issues (full paths of the cert.pem files).</summary>
        public IReadOnlyList<string> ReissuedClientCertificates => Clients.Where(c => c.Item != null).Select(c => c.CertificateFile).ToList();

        /// <summary>The client sets brought along, besides the set's own client (-ClientPath).</summary>
        public IReadOnlyList<string> ClientPaths => Clients.Where(c => !c.IsSetItself).Select(c => c.Folder).ToList();

        /// <summary>The docker contexts made from the set or a client set, refreshed with them.</summary>
        public IReadOnlyList<DockerContextTlsCopy> Contexts => Clients.SelectMany(c => c.Contexts).ToList();

        /// <summary>Full paths of every file that will be written, in the set, the client sets and the contexts.</summary>
        public IReadOnlyList<string> FilesToWrite { get; internal set; }

        /// <summary>Full paths of the files that will be removed (at the completion: the old CA's key).</summary>
        public IReadOnlyList<string> FilesToRemove { get; internal set; }

        /// <summary>Things the user should know that do not stop the phase.</summary>
        public IReadOnlyList<string> Warnings { get; internal set; }

        // ---- what Issue needs ----

        /// <summary>Start: the CA that retires (it issues nothing more). Complete: the new CA, from the set's ca-key.pem.</summary>
        internal ExistingCertificateAuthority Authority { get; set; }

        internal X509Name NewCaSubject { get; set; }

        internal TlsKeyAlgorithm NewCaAlgorithm { get; set; }

        internal int NewCaValidityDays { get; set; }

        /// <summary>Complete: the server certificate to re-issue from the new CA.</summary>
        internal CertificateRenewalItem Server { get; set; }

        internal IReadOnlyList<RotatedClient> Clients { get; set; }

        internal CertificateAuthorityRotationState State { get; set; }

        /// <summary>SHA-256 (or null: absent) of every target as planned: Apply refuses to write over a change made since.</summary>
        internal IReadOnlyDictionary<string, string> Fingerprints { get; set; }
    }

    /// <summary>A client set of a rotation: the set's own client or a -ClientPath folder, with the contexts made from it.</summary>
    internal sealed class RotatedClient
    {
        internal string Folder { get; set; }

        internal bool IsSetItself { get; set; }

        internal string CertificateFile => System.IO.Path.Combine(Folder, DockerTlsFileNames.ClientCertificate);

        /// <summary>Null: the certificate is the new CA's already; only the trust changes.</summary>
        internal CertificateRenewalItem Item { get; set; }

        internal IReadOnlyList<DockerContextTlsCopy> Contexts { get; set; }
    }

    /// <summary>
    /// What a Docker daemon must get for a phase: what --tlscert, --tlskey and --tlscacert point at. Never a CA's key:
    /// the CA keys stay in the admin's local set.
    /// </summary>
    public sealed class DaemonTlsFiles
    {
        internal DaemonTlsFiles(string serverCertificatePem, string serverKeyPem, string trustBundlePem)
        {
            ServerCertificatePem = serverCertificatePem;
            ServerKeyPem = serverKeyPem;
            TrustBundlePem = trustBundlePem;
        }

        /// <summary>server-cert.pem: at the start the one it serves now (the old CA's), at the completion a new one from the new CA.</summary>
        public string ServerCertificatePem { get; }

        /// <summary>server-key.pem, belonging to <see cref="ServerCertificatePem"/>.</summary>
        public string ServerKeyPem { get; }

        /// <summary>ca.pem, the CAs whose clients it accepts: at the start the old and the new CA, at the completion the new CA alone.</summary>
        public string TrustBundlePem { get; }
    }

    /// <summary>
    /// A phase issued and not yet written: what the daemon must get, and the local files that change (paths only; the
    /// contents, CA keys among them, stay inside the engine until <see cref="CertificateAuthorityRotation.Apply"/>
    /// writes them). A VM's carrier can push <see cref="Daemon"/> first and switch the local files after the served check.
    /// </summary>
    public sealed class CertificateAuthorityRotationStep
    {
        internal CertificateAuthorityRotationStep(CertificateAuthorityRotationPlan plan, DaemonTlsFiles daemon, CertificateAuthorityIdentity newCa,
            IReadOnlyList<PlannedFile> files, CertificateAuthorityRotationState state)
        {
            Plan = plan;
            Daemon = daemon;
            NewCa = newCa;
            Files = files;
            State = state;
        }

        public CertificateAuthorityRotationPlan Plan { get; }

        public DaemonTlsFiles Daemon { get; }

        /// <summary>The CA that takes over, as issued (with its thumbprint).</summary>
        public CertificateAuthorityIdentity NewCa { get; }

        /// <summary>Full paths of the local files Apply writes.</summary>
        public IReadOnlyList<string> LocalFiles => Files.Select(f => f.Path).ToList();

        internal IReadOnlyList<PlannedFile> Files { get; }

        internal CertificateAuthorityRotationState State { get; }
    }

    /// <summary>What a phase wrote: the state it left, the client sets and contexts it refreshed.</summary>
    public sealed class CertificateAuthorityRotationResult
    {
        internal CertificateAuthorityRotationResult(string path, CertificateAuthorityRotationState state, IReadOnlyList<string> reissued,
            IReadOnlyList<string> clientPaths, IReadOnlyList<DockerContextTlsCopy> contexts)
        {
            Path = path;
            State = state;
            ReissuedClientCertificates = reissued;
            ClientPaths = clientPaths;
            Contexts = contexts;
        }

        public string Path { get; }

        public CertificateAuthorityRotationState State { get; }

        public IReadOnlyList<string> ReissuedClientCertificates { get; }

        public IReadOnlyList<string> ClientPaths { get; }

        public IReadOnlyList<DockerContextTlsCopy> Contexts { get; }
    }
}

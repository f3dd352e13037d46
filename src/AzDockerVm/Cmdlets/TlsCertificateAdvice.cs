namespace AzDockerVm.Cmdlets
{
    /// <summary>The next step after a refusal of the local certificate cmdlets (Get-/Update-DockerTlsCertificate, the CA rotation), in their parameters' words (null: the engine's own advice).</summary>
    internal static class TlsCertificateAdvice
    {
        /// <summary>Reading a set: a folder that is none, a certificate file Docker could not read either.</summary>
        internal static string ForReading(string errorId)
        {
            switch (errorId)
            {
                case "PathNotFound":
                case "NotATlsSet":
                    return "Give -Path the folder of a TLS set (ca.pem and server-cert.pem and/or cert.pem), as New-DockerTlsCertificate or New-AzDockerVm wrote it, e.g. ~/.docker/azdockervm/<host>; a docker context pipes in with its TlsPath.";
                case "PemNoCertificate":
                case "PemInvalid":
                case "PemHasByteOrderMark":
                    return "Put the certificate back as PEM without a byte order mark (as New-DockerTlsCertificate wrote it), or make the set again with New-DockerTlsCertificate.";
                case "FileNotReadable":
                    return "Run as the user who owns the set, or give that user read access to the file.";
                default:
                    return null;
            }
        }

        /// <summary>Renewing a set from its CA.</summary>
        internal static string ForRenewal(string errorId)
        {
            switch (errorId)
            {
                case "NotATlsSet":
                    return "Give -Path the folder of a TLS set that holds ca.pem and the server-cert.pem or cert.pem to renew.";
                case "FileNotFound":
                    return "Leave out -Server or -Client for a certificate the set does not have.";
                case "CertificateAuthorityKeyNotFound":
                    return "Give -CertificateAuthorityPath the folder holding the set's CA (ca.pem and ca-key.pem; the message names it when this machine keeps it), or make a new set with New-DockerTlsCertificate.";
                case "CertificateAuthorityNotFound":
                case "CertificateAuthorityNotCA":
                    return "Point -CertificateAuthorityPath at the folder holding the set's CA: its ca.pem and ca-key.pem.";
                case "CertificateAuthorityKeyMismatch":
                    return "Use the ca-key.pem created together with the set's ca.pem (-CertificateAuthorityPath for a CA kept in another folder).";
                case "CertificateAuthorityMismatch":
                    return "Give -CertificateAuthorityPath the folder of the CA that issued the set (its ca.pem is in the set's ca.pem).";
                case "CertificateAuthorityExpired":
                    return "An expired CA cannot renew: make a new set with New-DockerTlsCertificate and give its ca.pem to the Docker host and its clients.";
                case "UnsupportedKeyAlgorithm":
                    return "Choose the new keys' algorithm with -KeyAlgorithm.";
                case "RotationInProgress":
                    return "During a CA rotation renew -Client only; Complete-DockerTlsCertificateAuthorityRotation re-issues the server certificate from the new CA.";
                case "SubjectAlternativeNameWithoutServer":
                    return "Add -Server to renew the server certificate with those names, or leave -DnsName and -IPAddress out.";
                case "NoSubjectAlternativeName":
                    return "Give the server certificate at least one name with -DnsName or -IPAddress.";
                case "InvalidValidityDays":
                    return "Use a -ValidityDays from 1 to 3650, or leave it out to keep the old certificate's lifetime.";
                case "PathNotWritable":
                case "TargetIsAFolder":
                    return "Make sure the set's folder and the docker contexts' TLS folders can be written; nothing was changed.";
                default:
                    return null;
            }
        }

        /// <summary>Starting or completing a CA rotation of a set.</summary>
        internal static string ForRotation(string errorId)
        {
            switch (errorId)
            {
                case "NotATlsSet":
                    return "Give -Path the folder of a Docker host's set (ca.pem, ca-key.pem, server-cert.pem, server-key.pem), as New-DockerTlsCertificate wrote it, and -ClientPath folders that hold a cert.pem.";
                case "FileNotFound":
                    return "Put the set's server-key.pem back (the daemon keeps serving server-cert.pem with it during the overlap).";
                case "RotationInProgress":
                    return "Complete the rotation under way first (Complete-DockerTlsCertificateAuthorityRotation -Path <set>); Get-DockerTlsCertificate -Path <set> shows the CAs ca.pem trusts.";
                case "NoRotationInProgress":
                    return "Start a rotation with Start-DockerTlsCertificateAuthorityRotation -Path <set> first.";
                case "CertificateAuthorityKeyNotFound":
                    return "A rotation needs the set's own ca-key.pem: give -Path a set New-DockerTlsCertificate made with its own CA.";
                case "CertificateAuthorityKeyMismatch":
                    return "Put back the ca-key.pem that belongs to the set's ca.pem (mid-rotation: the new CA's key, which the start wrote).";
                case "CertificateAuthorityNotCA":
                    return "Put back the set's ca.pem as New-DockerTlsCertificate wrote it.";
                case "CertificateAuthorityExpired":
                    return "An expired CA cannot hand over: its clients are refused already. Make a new set with New-DockerTlsCertificate and give its files to the daemon and its clients.";
                case "CertificateAuthorityMismatch":
                    return "Give -ClientPath only client sets of this set's CA (Get-DockerTlsCertificate -Path <client set> shows each certificate's Issuer).";
                case "UnsupportedKeyAlgorithm":
                    return "Choose the new CA's key algorithm with -KeyAlgorithm.";
                case "PathNotWritable":
                case "TargetIsAFolder":
                    return "Make sure the set's folder, the client sets' and the docker contexts' TLS folders can be written; nothing was changed.";
                default:
                    return null;
            }
        }
    }
}

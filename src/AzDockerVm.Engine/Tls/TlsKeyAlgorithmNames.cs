using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;

namespace AzDockerVm.Engine.Tls
{
    /// <summary>
    /// The one naming of key algorithms users see: the names of the cmdlets' -KeyAlgorithm (ECDSA_P256, ECDSA_P384,
    /// RSA2048, RSA3072, RSA4096) for the keys AzDockerVm makes, and names in the same style for keys it only reads
    /// (RSA1024, ECDSA_P521, ECDSA_secp256k1, Ed25519).
    /// </summary>
    public static class TlsKeyAlgorithmNames
    {
        public static string Name(TlsKeyAlgorithm algorithm)
        {
            switch (algorithm)
            {
                case TlsKeyAlgorithm.EcdsaP256: return "ECDSA_P256";
                case TlsKeyAlgorithm.EcdsaP384: return "ECDSA_P384";
                case TlsKeyAlgorithm.Rsa2048: return "RSA2048";
                case TlsKeyAlgorithm.Rsa3072: return "RSA3072";
                default: return "RSA4096";
            }
        }

        /// <summary>The algorithm of a name <see cref="Name(TlsKeyAlgorithm)"/> gives; false for any other name (a key AzDockerVm cannot make).</summary>
        public static bool TryParse(string name, out TlsKeyAlgorithm algorithm)
        {
            foreach (TlsKeyAlgorithm candidate in new[] { TlsKeyAlgorithm.EcdsaP256, TlsKeyAlgorithm.EcdsaP384, TlsKeyAlgorithm.Rsa2048, TlsKeyAlgorithm.Rsa3072, TlsKeyAlgorithm.Rsa4096 })
            {
                if (Name(candidate) == name)
                {
                    algorithm = candidate;
                    return true;
                }
            }

            algorithm = default;
            return false;
        }

        /// <summary>The name of a certificate's public key.</summary>
        internal static string Of(AsymmetricKeyParameter publicKey)
        {
            switch (publicKey)
            {
                case RsaKeyParameters rsa:
                    return "RSA" + rsa.Modulus.BitLength;
                case ECPublicKeyParameters ec when ec.PublicKeyParamSet != null:
                    if (ec.PublicKeyParamSet.Equals(SecObjectIdentifiers.SecP256r1)) return "ECDSA_P256";
                    if (ec.PublicKeyParamSet.Equals(SecObjectIdentifiers.SecP384r1)) return "ECDSA_P384";
                    if (ec.PublicKeyParamSet.Equals(SecObjectIdentifiers.SecP521r1)) return "ECDSA_P521";
                    return "ECDSA_" + (ECNamedCurveTable.GetName(ec.PublicKeyParamSet) ?? ec.PublicKeyParamSet.Id);
                case ECPublicKeyParameters ec:
                    return "ECDSA_" + ec.Parameters.Curve.FieldSize + "bit";
                case Ed25519PublicKeyParameters _:
                    return "Ed25519";
                case Ed448PublicKeyParameters _:
                    return "Ed448";
                default:
                    return publicKey.GetType().Name.Replace("PublicKeyParameters", string.Empty).Replace("KeyParameters", string.Empty);
            }
        }
    }
}

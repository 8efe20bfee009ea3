// X.509 for TLS 1.3: PEM, keys, certificate parsing, RFC 6125 names, chain verification, test PKI.

export { base64Decode, base64Encode, pemBlocks, pemDecode, pemEncode, type PemBlock } from './pem.js';
export {
  CurveOid,
  KeyFormatError,
  KeyOid,
  encodePkcs8PrivateKey,
  encodeSpki,
  parsePkcs8PrivateKey,
  parsePrivateKeyPem,
  parseSpki,
  parseSpkiDetailed,
  privateKeyToPem,
  publicKeyFromPrivate,
  type EcCurve,
} from './keys.js';
export {
  EkuOid,
  ExtensionOid,
  KeyUsage,
  CertificateCache,
  commonName,
  parseCertificate,
  type CertificateExtension,
  type DistinguishedName,
  type NameAttribute,
  type OtherAltNames,
  type ParsedCertificate,
  type SignatureAlgorithm,
  type SubjectAltNames,
} from './certificate.js';
export { matchesHostname, parseIpAddress, parseIpv4, parseIpv6 } from './hostname.js';
export {
  ChainValidator,
  InsecureSkipVerification,
  WebPkiServerVerifier,
  checkValidity,
  keyAllowsScheme,
  type CertificateVerifierInput,
  type PathChecker,
  type ServerCertificateVerifier,
  type ValidateOptions,
  type VerifiedChain,
  type WebPkiVerifierOptions,
} from './verify.js';
export {
  WebPkiClientVerifier,
  type ClientCertificateVerifier,
  type ClientCertificateVerifierInput,
} from './client-verify.js';
export {
  NameConstraintsChecker,
  checkNameConstraints,
  parseNameConstraints,
  type NameConstraint,
  type NameConstraints,
} from './name-constraints.js';
export {
  checkCrls,
  checkOcsp,
  parseCrl,
  parseOcspResponse,
  type OcspCertStatus,
  type OcspSingleResponse,
  type ParsedCrl,
  type ParsedOcspResponse,
  type RevokedEntry,
  type SignedObject,
} from './revocation.js';
export { formatPin, ipToText, isSpiffeId, parsePin, peerIdentity, spiffeIdOf, spkiSha256, type PeerIdentity } from './identity.js';
export { ComposedVerifier, requireSpiffeId, withPolicy, type AnyVerifierInput, type ChainPolicy } from './policy.js';
export {
  RotatingVerifier,
  ServerIdentityStore,
  identityFromPem,
  type CertificateStoreOptions,
  type ServerIdentity,
} from './rotation.js';
export { WebCryptoClientVerifier, WebCryptoServerVerifier, type WebCryptoVerifierOptions } from './webcrypto.js';

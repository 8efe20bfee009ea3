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
  privateKeyToPem,
  publicKeyFromPrivate,
  type EcCurve,
} from './keys.js';
export {
  EkuOid,
  ExtensionOid,
  KeyUsage,
  clearCertificateCache,
  commonName,
  parseCertificate,
  type CertificateExtension,
  type DistinguishedName,
  type NameAttribute,
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
  type CertificateVerifierInput,
  type PathChecker,
  type ServerCertificateVerifier,
  type VerifiedChain,
  type WebPkiVerifierOptions,
} from './verify.js';
export {
  chainPem,
  generateKey,
  mintCertificate,
  mintTestPki,
  type EkuName,
  type ExtraExtension,
  type KeyType,
  type KeyUsageName,
  type MintCertificateOptions,
  type MintTestPkiOptions,
  type MintedCertificate,
  type NameSpec,
  type TestPki,
} from './mint.js';

// The public crypto API: provider interfaces, the default @noble provider, suites, groups, signing.
export type {
  RandomSource,
  IncrementalHash,
  HashAlgorithm,
  AeadKey,
  AeadAlgorithm,
  CipherSuiteImpl,
  KeyExchange,
  KeyExchangeGroup,
  SyncKeyExchange,
  SyncKeyExchangeGroup,
  HandshakeSignatureVerifier,
  PublicKey,
  SignatureVerifier,
  Signer,
  SigningKey,
  CryptoProvider,
  PrivateKeyMaterial,
} from './provider.js';
export {
  createNobleProvider,
  nobleProvider,
  SHA256,
  SHA384,
  SHA512,
  hashByName,
  AES_128_GCM,
  AES_256_GCM,
  CHACHA20_POLY1305,
  x25519Group,
  x448Group,
  secp256r1Group,
  secp384r1Group,
  secp521r1Group,
  ALL_GROUPS,
  groupById,
  nobleVerifier,
  signingKeyFromMaterial,
  publicKeyOfMaterial,
  defaultRandom,
} from './noble/index.js';
export type { NobleProviderOptions, SigningKeyOptions, HashName } from './noble/index.js';
export { setDefaultProvider, defaultProvider, configuredDefaultProvider } from './default.js';
export {
  TLS_AES_128_GCM_SHA256,
  TLS_AES_256_GCM_SHA384,
  TLS_CHACHA20_POLY1305_SHA256,
  ALL_CIPHER_SUITES,
  cipherSuiteById,
} from './suites.js';
export {
  rsaPssVerify,
  rsaPkcs1v15Verify,
  rsaPssSign,
  createRsaSigningKey,
} from './rsa/index.js';
export type { RsaPublicKey, RsaPrivateKey, RsaSigningKeyOptions } from './rsa/index.js';

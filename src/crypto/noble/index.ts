// The default CryptoProvider: pure JavaScript over @noble (hashes, ciphers, curves) and ../rsa.
import type { CryptoProvider, HashAlgorithm, PrivateKeyMaterial, RandomSource, SigningKey } from '../provider.js';
import { ALL_CIPHER_SUITES } from '../suites.js';
import { ALL_GROUPS } from './groups.js';
import { FFDHE_GROUPS } from './ffdhe.js';
import { hashByName } from './hash.js';
import { defaultRandom } from './random.js';
import { nobleVerifier } from './verify.js';
import { signingKeyFromMaterial } from './signing.js';

export interface NobleProviderOptions {
  /** Randomness for everything the engine draws. Default: globalThis.crypto.getRandomValues. */
  random?: RandomSource;
}

/**
 * A provider with suites ChaCha20-Poly1305, AES-128-GCM, AES-256-GCM and groups x25519,
 * secp256r1, secp384r1, secp521r1, x448, in that preference order; ffdhe2048 … ffdhe8192
 * (RFC 7919) as `optionalGroups`, used when a config names them.
 */
export function createNobleProvider(opts?: NobleProviderOptions): CryptoProvider {
  return Object.freeze({
    name: 'noble',
    cipherSuites: ALL_CIPHER_SUITES,
    groups: ALL_GROUPS,
    optionalGroups: FFDHE_GROUPS,
    verifier: nobleVerifier,
    random: opts?.random ?? defaultRandom,
    hash: (name: HashAlgorithm['name']): HashAlgorithm => hashByName(name),
    signingKey: (material: PrivateKeyMaterial): SigningKey => signingKeyFromMaterial(material, opts?.random ? { random: opts.random } : undefined),
  });
}

export const nobleProvider: CryptoProvider = createNobleProvider();

export { SHA256, SHA384, SHA512, hashByName } from './hash.js';
export type { HashName, DigestAlgorithm } from './hash.js';
export { AES_128_GCM, AES_256_GCM, CHACHA20_POLY1305 } from './aead.js';
export { x25519Group, x448Group, secp256r1Group, secp384r1Group, secp521r1Group, ALL_GROUPS, groupById } from './groups.js';
export { ffdhe2048Group, ffdhe3072Group, ffdhe4096Group, ffdhe6144Group, ffdhe8192Group, FFDHE_GROUPS } from './ffdhe.js';
export { nobleVerifier } from './verify.js';
export { signingKeyFromMaterial, publicKeyOfMaterial } from './signing.js';
export type { SigningKeyOptions } from './signing.js';
export { defaultRandom } from './random.js';

// The node:crypto provider: native and synchronous (Node, and runtimes with a node:crypto
// compatible module: Bun, Deno). Import it from 'tls13-engine/crypto/node'; the core never
// imports node:crypto. Same interfaces, same key-share draws and the same verification policy
// as the noble provider; only the speed differs.
import { Buffer } from 'node:buffer';
import { randomFillSync } from 'node:crypto';
import { cipherSuite } from '../suites.js';
import { configuredDefaultProvider } from '../default.js';
import type { CipherSuiteImpl, CryptoProvider, HashAlgorithm, PrivateKeyMaterial, RandomSource, SigningKey } from '../provider.js';
import { NODE_AES_128_GCM, NODE_AES_256_GCM, NODE_CHACHA20_POLY1305 } from './aead.js';
import { NODE_GROUPS } from './groups.js';
import { NODE_FFDHE_GROUPS } from './ffdhe.js';
import { NODE_SHA256, NODE_SHA384, nodeHashByName } from './hash.js';
import { nodeSigningKeyFromMaterial } from './signing.js';
import { nodeVerifier } from './verify.js';
import { view } from './buffer.js';

/**
 * OpenSSL's CSPRNG. Small requests (a handshake makes a dozen of 4 to 66 bytes) are served from
 * a pool refilled 4 KiB at a time, since each randomFillSync call costs about 2 µs whatever its
 * size; bytes handed out are zeroed in the pool, so none is ever given twice.
 */
const POOL_SIZE = 4096;
const POOLED_MAX = 256;
const pool = new Uint8Array(POOL_SIZE);
let poolPos = POOL_SIZE;

export const nodeRandom: RandomSource = (out: Uint8Array): void => {
  const n = out.length;
  if (n > POOLED_MAX) {
    randomFillSync(out);
    return;
  }
  if (poolPos + n > POOL_SIZE) {
    randomFillSync(pool);
    poolPos = 0;
  }
  out.set(pool.subarray(poolPos, poolPos + n));
  pool.fill(0, poolPos, poolPos + n);
  poolPos += n;
};

export const NODE_TLS_AES_128_GCM_SHA256 = cipherSuite('TLS_AES_128_GCM_SHA256', NODE_AES_128_GCM, NODE_SHA256);
export const NODE_TLS_AES_256_GCM_SHA384 = cipherSuite('TLS_AES_256_GCM_SHA384', NODE_AES_256_GCM, NODE_SHA384);
export const NODE_TLS_CHACHA20_POLY1305_SHA256 = cipherSuite('TLS_CHACHA20_POLY1305_SHA256', NODE_CHACHA20_POLY1305, NODE_SHA256);

/** AES-GCM first: with AES instructions it is the fastest suite natively (ChaCha20 first is noble's order). */
export const NODE_CIPHER_SUITES: readonly CipherSuiteImpl[] = Object.freeze([
  NODE_TLS_AES_128_GCM_SHA256,
  NODE_TLS_AES_256_GCM_SHA384,
  NODE_TLS_CHACHA20_POLY1305_SHA256,
]);

export interface NodeProviderOptions {
  /**
   * Randomness for everything the engine draws (randoms, key shares, ticket keys). Default:
   * OpenSSL's generator. ECDSA nonces and RSA-PSS salts always come from OpenSSL.
   */
  random?: RandomSource;
}

/** Unzeroed memory (its own ArrayBuffer, not Node's shared pool), as a plain Uint8Array. */
export function nodeAllocate(length: number): Uint8Array {
  return view(Buffer.allocUnsafeSlow(length));
}

/**
 * A provider over node:crypto with suites AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305 and
 * groups x25519, secp256r1, secp384r1, secp521r1, x448, in that preference order; ffdhe2048 …
 * ffdhe8192 (RFC 7919, node's DiffieHellman) as `optionalGroups`, used when a config names them.
 */
export function createNodeProvider(opts?: NodeProviderOptions): CryptoProvider {
  return Object.freeze({
    name: 'node',
    cipherSuites: NODE_CIPHER_SUITES,
    groups: NODE_GROUPS,
    optionalGroups: NODE_FFDHE_GROUPS,
    verifier: nodeVerifier,
    random: opts?.random ?? nodeRandom,
    hash: (name: HashAlgorithm['name']): HashAlgorithm => nodeHashByName(name),
    signingKey: (material: PrivateKeyMaterial): SigningKey => nodeSigningKeyFromMaterial(material),
    allocate: nodeAllocate,
  });
}

export const nodeProvider: CryptoProvider = createNodeProvider();

export { NODE_AES_128_GCM, NODE_AES_256_GCM, NODE_CHACHA20_POLY1305 } from './aead.js';
export { NODE_GROUPS, nodeX25519Group, nodeX448Group, nodeSecp256r1Group, nodeSecp384r1Group, nodeSecp521r1Group } from './groups.js';
export { NODE_FFDHE_GROUPS } from './ffdhe.js';
export { NODE_SHA256, NODE_SHA384, NODE_SHA512, nodeHashByName } from './hash.js';
export { nodeVerifier } from './verify.js';
export { nodeSigningKeyFromMaterial } from './signing.js';

/**
 * The provider of the Node entry points when the config names none: the one given to
 * setDefaultProvider(), else node:crypto.
 */
export function nodeDefaultProvider(): CryptoProvider {
  return configuredDefaultProvider() ?? nodeProvider;
}

// TLS 1.3 cipher suites as data (RFC 8446 §B.4): an AEAD plus the HKDF/transcript hash.
import { CipherSuite } from '../wire/codepoints.js';
import { AES_128_GCM, AES_256_GCM, CHACHA20_POLY1305 } from './noble/aead.js';
import { SHA256, SHA384 } from './noble/hash.js';
import type { AeadAlgorithm, CipherSuiteImpl, HashAlgorithm } from './provider.js';

/** A suite by its RFC 8446 §B.4 name, over one provider's AEAD and hash. */
export function cipherSuite(name: keyof typeof CipherSuite, aead: AeadAlgorithm, hash: HashAlgorithm): CipherSuiteImpl {
  return Object.freeze({ id: CipherSuite[name], name, aead, hash });
}

export const TLS_AES_128_GCM_SHA256 = cipherSuite('TLS_AES_128_GCM_SHA256', AES_128_GCM, SHA256);
export const TLS_AES_256_GCM_SHA384 = cipherSuite('TLS_AES_256_GCM_SHA384', AES_256_GCM, SHA384);
export const TLS_CHACHA20_POLY1305_SHA256 = cipherSuite('TLS_CHACHA20_POLY1305_SHA256', CHACHA20_POLY1305, SHA256);

/** Every suite implemented, in default preference order (ChaCha20 is ~3x faster than AES-GCM in pure JS). */
export const ALL_CIPHER_SUITES: readonly CipherSuiteImpl[] = Object.freeze([
  TLS_CHACHA20_POLY1305_SHA256,
  TLS_AES_128_GCM_SHA256,
  TLS_AES_256_GCM_SHA384,
]);

export function cipherSuiteById(id: number): CipherSuiteImpl | undefined {
  return ALL_CIPHER_SUITES.find((s) => s.id === id);
}

// Test-only HashAlgorithm / CipherSuiteImpl over @noble, so the key schedule tests do not
// depend on the noble provider (written in parallel).

import { extract, expand } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha384 } from '@noble/hashes/sha2.js';
import { gcm } from '@noble/ciphers/aes.js';
import type { AeadAlgorithm, CipherSuiteImpl, HashAlgorithm, IncrementalHash } from '../../src/crypto/provider.js';

type NobleHash = typeof sha256 | typeof sha384;

interface NobleState {
  update(data: Uint8Array): unknown;
  digest(): Uint8Array;
  clone(): NobleState;
}

function wrap(state: NobleState): IncrementalHash {
  const h: IncrementalHash = {
    update(data) {
      state.update(data);
      return h;
    },
    digest: () => state.digest(),
    clone: () => wrap(state.clone()),
  };
  return h;
}

function hashAlgorithm(name: 'SHA-256' | 'SHA-384', fn: NobleHash): HashAlgorithm {
  return {
    name,
    outputLen: fn.outputLen,
    digest: (data) => fn(data),
    create: () => wrap(fn.create()),
    hmac: (key, data) => hmac(fn, key, data),
    hkdfExtract: (salt, ikm) => extract(fn, ikm, salt),
    hkdfExpand: (prk, info, length) => expand(fn, prk, info, length),
  };
}

export const SHA256: HashAlgorithm = hashAlgorithm('SHA-256', sha256);
export const SHA384: HashAlgorithm = hashAlgorithm('SHA-384', sha384);

function aesGcm(keyLen: number): AeadAlgorithm {
  return {
    name: `AES-${keyLen * 8}-GCM`,
    keyLen,
    nonceLen: 12,
    tagLen: 16,
    recordLimit: 2 ** 24.5,
    create: (key) => ({
      seal: (nonce, aad, plaintext) => gcm(key, nonce, aad).encrypt(plaintext),
      open: (nonce, aad, ct) => {
        try {
          return gcm(key, nonce, aad).decrypt(ct);
        } catch {
          return null;
        }
      },
    }),
  };
}

/** RFC 8446 §B.4 */
export const TLS_AES_128_GCM_SHA256: CipherSuiteImpl = {
  id: 0x1301,
  name: 'TLS_AES_128_GCM_SHA256',
  aead: aesGcm(16),
  hash: SHA256,
};

export const TLS_AES_256_GCM_SHA384: CipherSuiteImpl = {
  id: 0x1302,
  name: 'TLS_AES_256_GCM_SHA384',
  aead: aesGcm(32),
  hash: SHA384,
};

export function suiteById(id: number): CipherSuiteImpl {
  if (id === 0x1301) return TLS_AES_128_GCM_SHA256;
  if (id === 0x1302) return TLS_AES_256_GCM_SHA384;
  throw new Error(`test suite 0x${id.toString(16)} not available`);
}

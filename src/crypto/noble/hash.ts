// SHA-2 hashes, HMAC (RFC 2104) and HKDF (RFC 5869) over @noble/hashes.
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { hmac } from '@noble/hashes/hmac.js';
import { extract, expand } from '@noble/hashes/hkdf.js';
import type { CHash } from '@noble/hashes/utils.js';
import type { HashAlgorithm, IncrementalHash } from '../provider.js';

export type HashName = HashAlgorithm['name'];

/** The digest-only view of a hash, which also admits SHA-1 (legacy certificate signatures only). */
export interface DigestAlgorithm {
  readonly name: HashName | 'SHA-1';
  readonly outputLen: number;
  digest(data: Uint8Array): Uint8Array;
}

/** The slice of a noble hash instance we use. */
interface NobleHashState {
  update(buf: Uint8Array): unknown;
  digest(): Uint8Array;
  clone(): NobleHashState;
}

class NobleIncrementalHash implements IncrementalHash {
  constructor(private readonly state: NobleHashState) {}
  update(data: Uint8Array): IncrementalHash {
    this.state.update(data);
    return this;
  }
  digest(): Uint8Array {
    return this.state.digest();
  }
  clone(): IncrementalHash {
    return new NobleIncrementalHash(this.state.clone());
  }
}

function makeHash(name: HashName, h: CHash): HashAlgorithm {
  return Object.freeze({
    name,
    outputLen: h.outputLen,
    digest: (data: Uint8Array): Uint8Array => h(data),
    create: (): IncrementalHash => new NobleIncrementalHash(h.create()),
    hmac: (key: Uint8Array, data: Uint8Array): Uint8Array => hmac(h, key, data),
    // RFC 5869 §2.2; noble's argument order is (hash, ikm, salt).
    hkdfExtract: (salt: Uint8Array, ikm: Uint8Array): Uint8Array => extract(h, ikm, salt),
    // RFC 5869 §2.3; throws when length > 255 * HashLen (a caller bug, never peer input).
    hkdfExpand: (prk: Uint8Array, info: Uint8Array, length: number): Uint8Array => expand(h, prk, info, length),
  });
}

export const SHA256: HashAlgorithm = makeHash('SHA-256', sha256);
export const SHA384: HashAlgorithm = makeHash('SHA-384', sha384);
export const SHA512: HashAlgorithm = makeHash('SHA-512', sha512);

/** SHA-1: only for verifying legacy certificate signatures (RFC 8446 §4.2.3). */
export const SHA1_DIGEST: DigestAlgorithm = Object.freeze({
  name: 'SHA-1',
  outputLen: 20,
  digest: (data: Uint8Array): Uint8Array => sha1(data),
});

export function hashByName(name: HashName): HashAlgorithm {
  switch (name) {
    case 'SHA-256':
      return SHA256;
    case 'SHA-384':
      return SHA384;
    case 'SHA-512':
      return SHA512;
  }
}

/**
 * SHA-1 digest, for what X.509 still names with it (RFC 6960 §4.1.1 CertID, §4.2.1 ResponderID
 * byKey). Not a TLS 1.3 hash, so not offered through CryptoProvider.hash.
 */
export function sha1Digest(data: Uint8Array): Uint8Array {
  return sha1(data);
}

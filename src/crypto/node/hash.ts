// SHA-2, HMAC (RFC 2104) and HKDF (RFC 5869) over node:crypto.
import { createHash, createHmac, type Hash } from 'node:crypto';
import type { HashAlgorithm, IncrementalHash } from '../provider.js';
import { view } from './buffer.js';

type HashName = HashAlgorithm['name'];

const NODE_NAME: Record<HashName, 'sha256' | 'sha384' | 'sha512'> = {
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

class NodeIncrementalHash implements IncrementalHash {
  constructor(private readonly state: Hash) {}
  update(data: Uint8Array): IncrementalHash {
    this.state.update(data);
    return this;
  }
  digest(): Uint8Array {
    return view(this.state.digest());
  }
  clone(): IncrementalHash {
    return new NodeIncrementalHash(this.state.copy());
  }
}

function makeHash(name: HashName, outputLen: number): HashAlgorithm {
  const alg = NODE_NAME[name];
  const hmac = (key: Uint8Array, data: Uint8Array): Uint8Array => view(createHmac(alg, key).update(data).digest());
  return Object.freeze({
    name,
    outputLen,
    digest: (data: Uint8Array): Uint8Array => view(createHash(alg).update(data).digest()),
    create: (): IncrementalHash => new NodeIncrementalHash(createHash(alg)),
    hmac,
    // RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM); an empty salt is HashLen zeros, which HMAC
    // treats the same as an empty key (RFC 2104 §2: keys are zero-padded to the block size).
    hkdfExtract: (salt: Uint8Array, ikm: Uint8Array): Uint8Array => hmac(salt, ikm),
    // RFC 5869 §2.3: T(i) = HMAC-Hash(PRK, T(i-1) | info | i). node's hkdfSync always extracts
    // first, so the expansion is done here.
    hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
      if (!Number.isSafeInteger(length) || length < 0 || length > 255 * outputLen)
        throw new RangeError(`HKDF-Expand: length ${length} outside 0..${255 * outputLen}`);
      const out = new Uint8Array(length);
      // T(i-1) | info | i in one buffer (one update per block; T(0) is empty).
      const block = new Uint8Array(outputLen + info.length + 1);
      block.set(info, outputLen);
      for (let off = 0, i = 1; off < length; i++) {
        block[block.length - 1] = i;
        const t = createHmac(alg, prk).update(i === 1 ? block.subarray(outputLen) : block).digest();
        const take = Math.min(t.length, length - off);
        out.set(t.subarray(0, take), off);
        off += take;
        block.set(t);
      }
      block.fill(0, 0, outputLen);
      return out;
    },
  });
}

export const NODE_SHA256: HashAlgorithm = makeHash('SHA-256', 32);
export const NODE_SHA384: HashAlgorithm = makeHash('SHA-384', 48);
export const NODE_SHA512: HashAlgorithm = makeHash('SHA-512', 64);

export function nodeHashByName(name: HashName): HashAlgorithm {
  switch (name) {
    case 'SHA-256':
      return NODE_SHA256;
    case 'SHA-384':
      return NODE_SHA384;
    case 'SHA-512':
      return NODE_SHA512;
  }
}

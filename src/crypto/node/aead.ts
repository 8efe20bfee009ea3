// AEADs for TLS 1.3 records (RFC 8446 §5.2) over node:crypto: AES-GCM (RFC 5116) and
// ChaCha20-Poly1305 (RFC 8439), native and synchronous.
//
// node:crypto binds the nonce when a Cipheriv is created and offers no way to re-arm one with
// a new nonce, so every record needs a fresh Cipheriv. What can be kept across records is
// kept: the key lives in a KeyObject (native memory, imported once per traffic key), and
// sealInto() writes straight into the record writer's buffer.
import { createCipheriv, createDecipheriv, createSecretKey, type CipherGCMTypes, type KeyObject } from 'node:crypto';
import { AES_GCM_RECORD_LIMIT, aeadAlgorithm, CHACHA20_POLY1305_RECORD_LIMIT, NONCE_LEN, TAG_LEN } from '../noble/aead.js';
import type { AeadAlgorithm, AeadKey } from '../provider.js';
import { view } from './buffer.js';

type NodeAeadName = CipherGCMTypes | 'chacha20-poly1305';

// No options object: 16-byte tags are the default for GCM and ChaCha20-Poly1305 alike, and
// setAAD needs no plaintextLength outside CCM (each option costs a validation per record).
function cipher(alg: NodeAeadName, key: KeyObject, nonce: Uint8Array) {
  return createCipheriv(alg as CipherGCMTypes, key, nonce);
}

function decipher(alg: NodeAeadName, key: KeyObject, nonce: Uint8Array) {
  return createDecipheriv(alg as CipherGCMTypes, key, nonce);
}

function makeNodeAead(name: string, alg: NodeAeadName, keyLen: number, recordLimit: number): AeadAlgorithm {
  return aeadAlgorithm(name, keyLen, recordLimit, (key: Uint8Array): AeadKey => {
    const k = createSecretKey(key);
    const sealInto = (nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, out: Uint8Array): void => {
      if (nonce.length !== NONCE_LEN) throw new RangeError(`${name}: nonce must be ${NONCE_LEN} bytes`);
      const n = plaintext.length;
      if (out.length !== n + TAG_LEN) throw new RangeError(`${name}: output must be ${n + TAG_LEN} bytes, got ${out.length}`);
      const c = cipher(alg, k, nonce);
      c.setAAD(aad);
      // update() has read all of `plaintext` before anything is written to `out` (which may alias it).
      const body = c.update(plaintext);
      const tail = c.final(); // empty for GCM and ChaCha20-Poly1305
      if (body.length + tail.length !== n) throw new Error(`${name}: cipher produced ${body.length + tail.length} bytes for ${n}`);
      out.set(body, 0);
      if (tail.length > 0) out.set(tail, body.length);
      out.set(c.getAuthTag(), n);
    };
    return {
      seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
        const out = new Uint8Array(plaintext.length + TAG_LEN);
        sealInto(nonce, aad, plaintext, out);
        return out;
      },
      sealInto,
      open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array | null {
        const n = ciphertextAndTag.length - TAG_LEN;
        if (nonce.length !== NONCE_LEN || n < 0) return null;
        try {
          const d = decipher(alg, k, nonce);
          d.setAAD(aad);
          d.setAuthTag(ciphertextAndTag.subarray(n));
          const body = d.update(ciphertextAndTag.subarray(0, n));
          const tail = d.final(); // throws when the tag does not verify
          if (tail.length === 0) return view(body);
          const pt = new Uint8Array(n);
          pt.set(body);
          pt.set(tail, body.length);
          return pt;
        } catch {
          return null; // authentication failure
        }
      },
    };
  });
}

export const NODE_AES_128_GCM: AeadAlgorithm = makeNodeAead('AES-128-GCM', 'aes-128-gcm', 16, AES_GCM_RECORD_LIMIT);
export const NODE_AES_256_GCM: AeadAlgorithm = makeNodeAead('AES-256-GCM', 'aes-256-gcm', 32, AES_GCM_RECORD_LIMIT);
export const NODE_CHACHA20_POLY1305: AeadAlgorithm = makeNodeAead('ChaCha20-Poly1305', 'chacha20-poly1305', 32, CHACHA20_POLY1305_RECORD_LIMIT);

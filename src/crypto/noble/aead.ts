// AEADs for TLS 1.3 records (RFC 8446 §5.2): AES-GCM (RFC 5116) and ChaCha20-Poly1305 (RFC 8439).
//
// @noble/ciphers binds (key, nonce, aad) into a single-use cipher object and offers no
// key-only state: AES-GCM re-expands the key schedule and H on every call, ChaCha20 has
// no schedule to keep. So an AeadKey holds a private copy of the key bytes. ChaCha20-Poly1305
// can encrypt into caller memory, so it also offers sealInto (in-place record sealing).
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import type { AeadAlgorithm, AeadKey } from '../provider.js';

export const TAG_LEN = 16;
export const NONCE_LEN = 12;

/** RFC 8446 §5.5: AES-GCM may protect up to 2^24.5 full-size records under one key. */
export const AES_GCM_RECORD_LIMIT = Math.floor(2 ** 24.5);
/** RFC 8446 §5.5: the ChaCha20-Poly1305 limit exceeds 2^64 records, i.e. the sequence number space. */
export const CHACHA20_POLY1305_RECORD_LIMIT = Number.MAX_SAFE_INTEGER;

/** An AEAD with TLS 1.3's nonce and tag lengths whose `create` refuses a key of the wrong length. */
export function aeadAlgorithm(name: string, keyLen: number, recordLimit: number, create: (key: Uint8Array) => AeadKey): AeadAlgorithm {
  return Object.freeze({
    name,
    keyLen,
    nonceLen: NONCE_LEN,
    tagLen: TAG_LEN,
    recordLimit,
    create(key: Uint8Array): AeadKey {
      if (key.length !== keyLen) throw new RangeError(`${name}: key must be ${keyLen} bytes, got ${key.length}`);
      return create(key);
    },
  });
}

interface NobleCipher {
  encrypt(plaintext: Uint8Array, output?: Uint8Array): Uint8Array;
  decrypt(ciphertext: Uint8Array): Uint8Array;
}
type NobleAead = (key: Uint8Array, nonce: Uint8Array, aad?: Uint8Array) => NobleCipher;

/** `withOutput`: the cipher's encrypt() takes an output buffer, which may alias the input. */
function makeAead(name: string, keyLen: number, recordLimit: number, cipher: NobleAead, withOutput: boolean): AeadAlgorithm {
  return aeadAlgorithm(name, keyLen, recordLimit, (key: Uint8Array): AeadKey => {
    const k = key.slice();
    const aeadKey: AeadKey = {
      seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
        if (nonce.length !== NONCE_LEN) throw new RangeError(`${name}: nonce must be ${NONCE_LEN} bytes`);
        return cipher(k, nonce, aad).encrypt(plaintext);
      },
      open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array | null {
        if (nonce.length !== NONCE_LEN || ciphertextAndTag.length < TAG_LEN) return null;
        try {
          return cipher(k, nonce, aad).decrypt(ciphertextAndTag);
        } catch {
          return null; // authentication failure
        }
      },
      dispose(): void {
        k.fill(0);
      },
    };
    if (withOutput) {
      aeadKey.sealInto = (nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, out: Uint8Array): void => {
        if (nonce.length !== NONCE_LEN) throw new RangeError(`${name}: nonce must be ${NONCE_LEN} bytes`);
        if (out.length !== plaintext.length + TAG_LEN) throw new RangeError(`${name}: output must be ${plaintext.length + TAG_LEN} bytes`);
        // encrypt() first copies the plaintext to the front of `out` (TypedArray.set copes with
        // overlap, and is a no-op when it is already there), then encrypts there and appends the tag.
        // On unaligned memory noble's ChaCha20 is ~15% slower than sealing into a fresh array and
        // copying, so only aligned output is sealed in place.
        if (out.byteOffset % 4 === 0) cipher(k, nonce, aad).encrypt(plaintext, out);
        else out.set(cipher(k, nonce, aad).encrypt(plaintext));
      };
    }
    return aeadKey;
  });
}

export const AES_128_GCM: AeadAlgorithm = makeAead('AES-128-GCM', 16, AES_GCM_RECORD_LIMIT, gcm, false);
export const AES_256_GCM: AeadAlgorithm = makeAead('AES-256-GCM', 32, AES_GCM_RECORD_LIMIT, gcm, false);
export const CHACHA20_POLY1305: AeadAlgorithm = makeAead('ChaCha20-Poly1305', 32, CHACHA20_POLY1305_RECORD_LIMIT, chacha20poly1305, true);

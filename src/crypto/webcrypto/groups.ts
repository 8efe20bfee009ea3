// (EC)DHE through SubtleCrypto (RFC 8446 §4.2.8, §7.4): X25519 and ECDH on P-256, P-384, P-521.
// The private key is drawn from the engine's RandomSource as noble draws it (so injected randomness
// gives the same shares), imported as PKCS#8, and its public key read back from a JWK export.
// start() and complete() answer with Promises; the handshake waits on them as pending steps.
// A runtime that refuses the algorithm (no X25519 in its SubtleCrypto) gets noble, with the same
// key, from then on. x448 stays on noble (SubtleCrypto rarely has it).
import { p256, p384, p521 } from '@noble/curves/nist.js';
import type { ECDSA } from '@noble/curves/abstract/weierstrass.js';
import { tlsError } from '../../errors.js';
import { isAllZero } from '../../util/bytes.js';
import { randomScalar, secp256r1Group, secp384r1Group, secp521r1Group, x25519Group, x448Group } from '../noble/groups.js';
import type { KeyExchange, KeyExchangeGroup, RandomSource, SyncKeyExchangeGroup } from '../provider.js';
import { fromB64url, own } from './subtle.js';

interface GroupSpec {
  readonly noble: SyncKeyExchangeGroup;
  /** Length of a valid key_exchange field (RFC 8446 §4.2.8.1, §4.2.8.2). */
  readonly shareLen: number;
  readonly algorithm: Algorithm | EcKeyImportParams;
  /** deriveBits length: the whole X25519 output, or the x-coordinate (RFC 8446 §7.4.2). */
  readonly bits: number;
  draw(random: RandomSource): Uint8Array;
  pkcs8(sk: Uint8Array): Uint8Array<ArrayBuffer>;
  publicKey(jwk: JsonWebKey): Uint8Array | undefined;
  /** RFC 8446 §4.2.8.2: only 0x04 || X || Y for the NIST curves. */
  wellFormed(share: Uint8Array): boolean;
}

function der(tag: number, ...parts: (readonly number[] | Uint8Array)[]): number[] {
  const body = parts.flatMap((p) => [...p]);
  const len = body.length < 0x80 ? [body.length] : [0x81, body.length];
  return [tag, ...len, ...body];
}

/** A DER encoding whose only variable part is the private key at its end, of a fixed length. */
function withKey(prefix: readonly number[]): (sk: Uint8Array) => Uint8Array<ArrayBuffer> {
  return (sk) => {
    const out = new Uint8Array(prefix.length + sk.length);
    out.set(prefix);
    out.set(sk, prefix.length);
    return out;
  };
}

/** RFC 8410 §7: PKCS#8 for an X25519 private key. */
const X25519_PKCS8_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20];

const x25519Spec: GroupSpec = {
  noble: x25519Group,
  shareLen: 32,
  algorithm: { name: 'X25519' },
  bits: 256,
  // RFC 7748 §5: 32 random bytes are the private key as is.
  draw(random) {
    const sk = new Uint8Array(32);
    random(sk);
    return sk;
  },
  pkcs8: withKey(X25519_PKCS8_PREFIX),
  publicKey(jwk) {
    const x = jwk.x === undefined ? undefined : fromB64url(jwk.x);
    return x?.length === 32 ? x : undefined;
  },
  wellFormed: (share) => share.length === 32,
};

const ID_EC_PUBLIC_KEY = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]; // RFC 5480 §2.1.1

function nistSpec(noble: SyncKeyExchangeGroup, curve: ECDSA, namedCurve: 'P-256' | 'P-384' | 'P-521', curveOid: readonly number[]): GroupSpec {
  const len = curve.Point.Fp.BYTES;
  return {
    noble,
    shareLen: 1 + 2 * len,
    algorithm: { name: 'ECDH', namedCurve },
    bits: 8 * len,
    draw: (random) => randomScalar(curve, random),
    // RFC 5208 PrivateKeyInfo holding an RFC 5915 ECPrivateKey (the curve named in the algorithm).
    pkcs8: withKey(
      der(0x30, [0x02, 0x01, 0x00], der(0x30, ID_EC_PUBLIC_KEY, curveOid), der(0x04, der(0x30, [0x02, 0x01, 0x01], der(0x04, new Uint8Array(len))))).slice(0, -len),
    ),
    publicKey(jwk) {
      const x = jwk.x === undefined ? undefined : fromB64url(jwk.x);
      const y = jwk.y === undefined ? undefined : fromB64url(jwk.y);
      if (x?.length !== len || y?.length !== len) return undefined;
      const point = new Uint8Array(1 + 2 * len);
      point[0] = 0x04;
      point.set(x, 1);
      point.set(y, 1 + len);
      return point;
    },
    wellFormed: (share) => share.length === 1 + 2 * len && share[0] === 0x04,
  };
}

/** Fills a draw with the bytes already drawn (noble then takes exactly this key). */
const replaying =
  (sk: Uint8Array): RandomSource =>
  (out) => {
    if (out.length !== sk.length) throw new Error('webcrypto: fallback draw of an unexpected length');
    out.set(sk);
  };

function subtleGroup(subtle: SubtleCrypto, spec: GroupSpec): KeyExchangeGroup {
  const { noble } = spec;
  let refused = false;

  async function begin(sk: Uint8Array): Promise<KeyExchange> {
    let privateKey: CryptoKey | undefined;
    let publicKey: Uint8Array | undefined;
    try {
      // Extractable only to read the public key back (the private key is ours anyway).
      privateKey = await subtle.importKey('pkcs8', spec.pkcs8(sk), spec.algorithm, true, ['deriveBits']);
      publicKey = spec.publicKey(await subtle.exportKey('jwk', privateKey));
    } catch {
      publicKey = undefined;
    }
    if (privateKey === undefined || publicKey === undefined) {
      refused = true;
      const kx = noble.start(replaying(sk));
      sk.fill(0);
      return kx;
    }
    sk.fill(0);
    const key = privateKey;
    return { group: noble.id, publicKey, complete: (peer) => agree(key, peer) };
  }

  async function agree(privateKey: CryptoKey, peer: Uint8Array): Promise<Uint8Array> {
    if (!spec.wellFormed(peer)) throw tlsError('illegal_parameter', `${noble.name}: malformed key share`);
    let shared: Uint8Array;
    try {
      // importKey checks the point (on the curve, coordinates below p); deriveBits refuses small-order X25519 shares.
      const pub = await subtle.importKey('raw', own(peer), spec.algorithm, false, []);
      shared = new Uint8Array(await subtle.deriveBits({ name: spec.algorithm.name, public: pub }, privateKey, spec.bits));
    } catch {
      throw tlsError('illegal_parameter', `${noble.name}: key share is not a valid public key`);
    }
    // RFC 8446 §7.4.2 (X25519: RFC 7748 §6.1): an all-zero shared secret MUST be rejected.
    if (shared.length !== spec.bits / 8 || isAllZero(shared)) throw tlsError('illegal_parameter', `${noble.name}: invalid shared secret`);
    return shared;
  }

  return Object.freeze({
    id: noble.id,
    name: noble.name,
    start(random: RandomSource): KeyExchange | Promise<KeyExchange> {
      if (refused) return noble.start(random);
      // The draw happens now, in order with the engine's other draws (RFC 8448 replays).
      return begin(spec.draw(random));
    },
  });
}

/** noble's groups, in noble's order, with those SubtleCrypto can do done there. */
export function webCryptoGroups(subtle: SubtleCrypto): readonly KeyExchangeGroup[] {
  return Object.freeze([
    subtleGroup(subtle, x25519Spec),
    subtleGroup(subtle, nistSpec(secp256r1Group, p256, 'P-256', [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07])),
    subtleGroup(subtle, nistSpec(secp384r1Group, p384, 'P-384', [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22])),
    subtleGroup(subtle, nistSpec(secp521r1Group, p521, 'P-521', [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23])),
    x448Group,
  ]);
}

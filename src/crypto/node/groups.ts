// (EC)DHE key exchange groups (RFC 8446 §4.2.7, §4.2.8, §7.4) over node:crypto.
//
// Private keys are drawn from the RandomSource the engine passes (as the noble groups draw
// them, byte for byte), so an injected source gives the same key shares with either provider.
// NIST curves use node's ECDH class (raw scalars in, uncompressed points and the x-coordinate
// out); X25519 and X448 use KeyObjects imported as JWK (raw keys; node's DER import is slower).
import { createECDH, createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import { illegalParameter } from '../../errors.js';
import { NamedGroup } from '../../wire/codepoints.js';
import type { KeyExchange, KeyExchangeGroup, RandomSource } from '../provider.js';

const b64url = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');
const fromB64url = (s: string): Uint8Array => {
  const b = Buffer.from(s, 'base64url');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice();
};

interface NistCurve {
  /** node's curve name for createECDH. */
  nodeName: string;
  /** Scalar bytes and bits (FIPS 186-5: the order's). */
  bytes: number;
  bits: number;
  order: bigint;
}

const P256: NistCurve = {
  nodeName: 'prime256v1',
  bytes: 32,
  bits: 256,
  order: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
};
const P384: NistCurve = {
  nodeName: 'secp384r1',
  bytes: 48,
  bits: 384,
  order: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
};
const P521: NistCurve = {
  nodeName: 'secp521r1',
  bytes: 66,
  bits: 521,
  order:
    0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
};

function toBigint(b: Uint8Array): bigint {
  let x = 0n;
  for (let i = 0; i < b.length; i++) x = (x << 8n) | BigInt(b[i]!);
  return x;
}

/** Draws d with 1 <= d < n exactly as the noble groups do: random bytes, excess top bits masked, retried. */
function randomScalar(c: NistCurve, random: RandomSource): Uint8Array {
  const excess = c.bytes * 8 - c.bits;
  const out = new Uint8Array(c.bytes);
  for (let i = 0; i < 1024; i++) {
    random(out);
    out[0] = out[0]! & (0xff >> excess);
    const d = toBigint(out);
    if (d >= 1n && d < c.order) return out;
  }
  throw new Error('random source keeps producing invalid scalars');
}

function nistGroup(id: number, name: string, c: NistCurve): KeyExchangeGroup {
  const coordLen = c.bytes; // field and order have the same byte length on these curves
  return Object.freeze({
    id,
    name,
    start(random: RandomSource): KeyExchange {
      const ecdh = createECDH(c.nodeName);
      const sk = randomScalar(c, random);
      ecdh.setPrivateKey(sk);
      sk.fill(0);
      const pub = ecdh.getPublicKey(); // uncompressed: 0x04 || X || Y
      return {
        group: id,
        publicKey: new Uint8Array(pub.buffer, pub.byteOffset, pub.byteLength).slice(),
        complete(peer: Uint8Array): Uint8Array {
          // RFC 8446 §4.2.8.2: only the uncompressed form 0x04 || X || Y is allowed.
          if (peer.length !== 1 + 2 * coordLen || peer[0] !== 0x04) {
            throw illegalParameter(`${name}: key share must be an uncompressed point`);
          }
          let shared: Buffer;
          try {
            // OpenSSL decodes the point and checks that it is on the curve (and not the identity).
            shared = ecdh.computeSecret(peer);
          } catch {
            throw illegalParameter(`${name}: key share is not a valid point`);
          }
          // RFC 8446 §7.4.2: the shared secret is the x-coordinate, which is what ECDH yields.
          if (shared.length !== coordLen) throw illegalParameter(`${name}: invalid shared secret`);
          return new Uint8Array(shared.buffer, shared.byteOffset, shared.byteLength).slice();
        },
      };
    },
  });
}

function montgomeryGroup(id: number, name: string, crv: 'X25519' | 'X448', len: number): KeyExchangeGroup {
  return Object.freeze({
    id,
    name,
    start(random: RandomSource): KeyExchange {
      // RFC 7748 §5: the random bytes are the private key as is (clamped by the function).
      const sk = new Uint8Array(len);
      random(sk);
      // node reads only `d` of a private OKP JWK; `x` must be a string but is not used.
      const privateKey: KeyObject = createPrivateKey({ key: { kty: 'OKP', crv, d: b64url(sk), x: '' }, format: 'jwk' });
      sk.fill(0);
      const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
      const publicKey = fromB64url(jwk.x ?? '');
      if (publicKey.length !== len) throw new Error(`${name}: unexpected public key length ${publicKey.length}`);
      return {
        group: id,
        publicKey,
        complete(peer: Uint8Array): Uint8Array {
          if (peer.length !== len) throw illegalParameter(`${name}: key share must be ${len} bytes`);
          let shared: Buffer;
          try {
            const publicKey = createPublicKey({ key: { kty: 'OKP', crv, x: b64url(peer) }, format: 'jwk' });
            // OpenSSL fails the derivation when the result is all zeros (a low-order share).
            shared = diffieHellman({ privateKey, publicKey });
          } catch {
            throw illegalParameter(`${name}: key share yields an all-zero shared secret`);
          }
          // RFC 8446 §7.4.2: an all-zero result MUST be rejected (checked here too).
          let acc = 0;
          for (let i = 0; i < shared.length; i++) acc |= shared[i]!;
          if (acc === 0 || shared.length !== len) throw illegalParameter(`${name}: all-zero shared secret`);
          return new Uint8Array(shared.buffer, shared.byteOffset, shared.byteLength).slice();
        },
      };
    },
  });
}

export const nodeX25519Group: KeyExchangeGroup = montgomeryGroup(NamedGroup.x25519, 'x25519', 'X25519', 32);
export const nodeX448Group: KeyExchangeGroup = montgomeryGroup(NamedGroup.x448, 'x448', 'X448', 56);
export const nodeSecp256r1Group: KeyExchangeGroup = nistGroup(NamedGroup.secp256r1, 'secp256r1', P256);
export const nodeSecp384r1Group: KeyExchangeGroup = nistGroup(NamedGroup.secp384r1, 'secp384r1', P384);
export const nodeSecp521r1Group: KeyExchangeGroup = nistGroup(NamedGroup.secp521r1, 'secp521r1', P521);

/** Every group, in the same default preference order as the noble provider. */
export const NODE_GROUPS: readonly KeyExchangeGroup[] = Object.freeze([
  nodeX25519Group,
  nodeSecp256r1Group,
  nodeSecp384r1Group,
  nodeSecp521r1Group,
  nodeX448Group,
]);

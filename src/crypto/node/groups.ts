// (EC)DHE key exchange groups (RFC 8446 §4.2.7, §4.2.8, §7.4) over node:crypto.
//
// Private keys are drawn from the RandomSource the engine passes (as the noble groups draw
// them, byte for byte), so an injected source gives the same key shares with either provider.
// NIST curves use node's ECDH class (raw scalars in, uncompressed points and the x-coordinate
// out); X25519 and X448 use KeyObjects imported as JWK (raw keys; node's DER import is slower).
import { createECDH, createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import { tlsError } from '../../errors.js';
import { NamedGroup } from '../../wire/codepoints.js';
import type { KeyExchange, KeyExchangeGroup, RandomSource } from '../provider.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import type { ECDSA } from '@noble/curves/abstract/weierstrass.js';
import { randomScalar } from '../noble/groups.js';
import { isAllZero } from '../../util/bytes.js';
import { b64url, view } from './buffer.js';

const fromB64url = (s: string): Uint8Array => view(Buffer.from(s, 'base64url')).slice();

/** node's curve name for createECDH, and noble's curve for its parameters and scalar drawing. */
interface NistCurve {
  nodeName: string;
  curve: ECDSA;
}

const P256: NistCurve = { nodeName: 'prime256v1', curve: p256 };
const P384: NistCurve = { nodeName: 'secp384r1', curve: p384 };
const P521: NistCurve = { nodeName: 'secp521r1', curve: p521 };

function nistGroup(id: number, name: string, c: NistCurve): KeyExchangeGroup {
  const coordLen = c.curve.Point.Fp.BYTES;
  return Object.freeze({
    id,
    name,
    start(random: RandomSource): KeyExchange {
      const ecdh = createECDH(c.nodeName);
      // The same draw as the noble provider, so injected randomness gives the same key.
      const sk = randomScalar(c.curve, random);
      ecdh.setPrivateKey(sk);
      sk.fill(0);
      const pub = ecdh.getPublicKey(); // uncompressed: 0x04 || X || Y
      return {
        group: id,
        publicKey: view(pub).slice(),
        complete(peer: Uint8Array): Uint8Array {
          // RFC 8446 §4.2.8.2: only the uncompressed form 0x04 || X || Y is allowed.
          if (peer.length !== 1 + 2 * coordLen || peer[0] !== 0x04) {
            throw tlsError('illegal_parameter', `${name}: key share must be an uncompressed point`);
          }
          let shared: Buffer;
          try {
            // OpenSSL decodes the point and checks that it is on the curve (and not the identity).
            shared = ecdh.computeSecret(peer);
          } catch {
            throw tlsError('illegal_parameter', `${name}: key share is not a valid point`);
          }
          // RFC 8446 §7.4.2: the shared secret is the x-coordinate, which is what ECDH yields.
          if (shared.length !== coordLen) throw tlsError('illegal_parameter', `${name}: invalid shared secret`);
          return view(shared).slice();
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
          if (peer.length !== len) throw tlsError('illegal_parameter', `${name}: key share must be ${len} bytes`);
          let shared: Buffer;
          try {
            const publicKey = createPublicKey({ key: { kty: 'OKP', crv, x: b64url(peer) }, format: 'jwk' });
            // OpenSSL fails the derivation when the result is all zeros (a low-order share).
            shared = diffieHellman({ privateKey, publicKey });
          } catch {
            throw tlsError('illegal_parameter', `${name}: key share yields an all-zero shared secret`);
          }
          // RFC 8446 §7.4.2: an all-zero result MUST be rejected (checked here too).
          if (shared.length !== len || isAllZero(shared)) throw tlsError('illegal_parameter', `${name}: all-zero shared secret`);
          return view(shared).slice();
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

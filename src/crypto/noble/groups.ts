// (EC)DHE key exchange groups (RFC 8446 §4.2.7, §4.2.8, §7.4) over @noble/curves.
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { x448 } from '@noble/curves/ed448.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import type { ECDSA } from '@noble/curves/abstract/weierstrass.js';
import { tlsError } from '../../errors.js';
import { NamedGroup } from '../../wire/codepoints.js';
import type { RandomSource, SyncKeyExchange, SyncKeyExchangeGroup } from '../provider.js';
import { isAllZero } from '../../util/bytes.js';

/**
 * Draws a scalar d with 1 <= d < n: random bytes, excess top bits masked, retried on failure.
 * Every provider draws this way, so that injected randomness gives the same keys (RFC 8448 replays).
 */
export function randomScalar(curve: ECDSA, random: RandomSource): Uint8Array {
  const { ORDER, BYTES, BITS } = curve.Point.Fn;
  const excess = BYTES * 8 - BITS;
  const out = new Uint8Array(BYTES);
  for (let i = 0; i < 1024; i++) {
    random(out);
    out[0] = out[0]! & (0xff >> excess);
    const d = bytesToNumberBE(out);
    if (d >= 1n && d < ORDER) return out;
  }
  throw new Error('random source keeps producing invalid scalars');
}

function nistGroup(id: number, name: string, curve: ECDSA): SyncKeyExchangeGroup {
  const coordLen = curve.Point.Fp.BYTES;
  return Object.freeze({
    id,
    name,
    start(random: RandomSource): SyncKeyExchange {
      const sk = randomScalar(curve, random);
      const publicKey = curve.getPublicKey(sk, false);
      return {
        group: id,
        publicKey,
        complete(peer: Uint8Array): Uint8Array {
          // RFC 8446 §4.2.8.2: only the uncompressed form 0x04 || X || Y is allowed.
          if (peer.length !== 1 + 2 * coordLen || peer[0] !== 0x04) {
            throw tlsError('illegal_parameter', `${name}: key share must be an uncompressed point`);
          }
          let shared: Uint8Array;
          try {
            // noble decodes and validates the point (on the curve, not the identity).
            shared = curve.getSharedSecret(sk, peer, false);
          } catch {
            throw tlsError('illegal_parameter', `${name}: key share is not a valid point`);
          }
          if (shared.length !== 1 + 2 * coordLen) throw tlsError('illegal_parameter', `${name}: invalid shared point`);
          // RFC 8446 §7.4.2: the shared secret is the x-coordinate only.
          return shared.slice(1, 1 + coordLen);
        },
      };
    },
  });
}

interface Montgomery {
  getPublicKey(secretKey: Uint8Array): Uint8Array;
  getSharedSecret(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array;
}

function montgomeryGroup(id: number, name: string, curve: Montgomery, len: number): SyncKeyExchangeGroup {
  return Object.freeze({
    id,
    name,
    start(random: RandomSource): SyncKeyExchange {
      // RFC 7748 §5: the random bytes are the private key as is (clamped by the function).
      const sk = new Uint8Array(len);
      random(sk);
      const publicKey = curve.getPublicKey(sk);
      return {
        group: id,
        publicKey,
        complete(peer: Uint8Array): Uint8Array {
          if (peer.length !== len) throw tlsError('illegal_parameter', `${name}: key share must be ${len} bytes`);
          let shared: Uint8Array;
          try {
            // noble rejects low-order inputs up front (those that yield the all-zero secret).
            shared = curve.getSharedSecret(sk, peer);
          } catch {
            throw tlsError('illegal_parameter', `${name}: key share yields an all-zero shared secret`);
          }
          // RFC 8446 §7.4.2: an all-zero result MUST be rejected.
          if (isAllZero(shared)) throw tlsError('illegal_parameter', `${name}: all-zero shared secret`);
          return shared;
        },
      };
    },
  });
}

export const x25519Group: SyncKeyExchangeGroup = montgomeryGroup(NamedGroup.x25519, 'x25519', x25519, 32);
export const x448Group: SyncKeyExchangeGroup = montgomeryGroup(NamedGroup.x448, 'x448', x448, 56);
export const secp256r1Group: SyncKeyExchangeGroup = nistGroup(NamedGroup.secp256r1, 'secp256r1', p256);
export const secp384r1Group: SyncKeyExchangeGroup = nistGroup(NamedGroup.secp384r1, 'secp384r1', p384);
export const secp521r1Group: SyncKeyExchangeGroup = nistGroup(NamedGroup.secp521r1, 'secp521r1', p521);

/** Every group implemented, in default preference order. */
export const ALL_GROUPS: readonly SyncKeyExchangeGroup[] = Object.freeze([
  x25519Group,
  secp256r1Group,
  secp384r1Group,
  secp521r1Group,
  x448Group,
]);

export function groupById(id: number): SyncKeyExchangeGroup | undefined {
  return ALL_GROUPS.find((g) => g.id === id);
}

// FFDHE key exchange groups (RFC 7919; RFC 8446 §4.2.8.1, §7.4.1) over bigint, with
// @noble/curves' modular exponentiation. Not constant time (see SECURITY.md).
import { pow } from '@noble/curves/abstract/modular.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { checkShare, drawExponent, FFDHE_PARAMS, padSecret, type FfdheParams } from '../ffdhe.js';
import type { RandomSource, SyncKeyExchange, SyncKeyExchangeGroup } from '../provider.js';

function ffdheGroup(p: FfdheParams): SyncKeyExchangeGroup {
  return Object.freeze({
    id: p.id,
    name: p.name,
    start(random: RandomSource): SyncKeyExchange {
      const xBytes = drawExponent(p, random);
      const x = bytesToNumberBE(xBytes);
      xBytes.fill(0);
      // RFC 8446 §4.2.8.1: Y = g^x mod p, left-padded to the prime's length.
      const publicKey = numberToBytesBE(pow(p.generator, x, p.prime), p.byteLength);
      return {
        group: p.id,
        publicKey,
        complete(peer: Uint8Array): Uint8Array {
          const y = checkShare(p, peer);
          // RFC 8446 §7.4.1: Z = Y^x mod p, leading zero bytes kept.
          return padSecret(p, numberToBytesBE(pow(y, x, p.prime), p.byteLength));
        },
      };
    },
  });
}

export const ffdhe2048Group: SyncKeyExchangeGroup = ffdheGroup(FFDHE_PARAMS[0]!);
export const ffdhe3072Group: SyncKeyExchangeGroup = ffdheGroup(FFDHE_PARAMS[1]!);
export const ffdhe4096Group: SyncKeyExchangeGroup = ffdheGroup(FFDHE_PARAMS[2]!);
export const ffdhe6144Group: SyncKeyExchangeGroup = ffdheGroup(FFDHE_PARAMS[3]!);
export const ffdhe8192Group: SyncKeyExchangeGroup = ffdheGroup(FFDHE_PARAMS[4]!);

/** The FFDHE groups, smallest first; a provider's `optionalGroups`: offered only when named in `groups`. */
export const FFDHE_GROUPS: readonly SyncKeyExchangeGroup[] = Object.freeze([
  ffdhe2048Group,
  ffdhe3072Group,
  ffdhe4096Group,
  ffdhe6144Group,
  ffdhe8192Group,
]);

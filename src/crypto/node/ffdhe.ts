// FFDHE key exchange groups (RFC 7919; RFC 8446 §4.2.8.1, §7.4.1) over node:crypto's DiffieHellman.
//
// The private exponent is drawn from the engine's RandomSource as the noble groups draw it, so an
// injected source gives the same key shares with either provider.
import { createDiffieHellman } from 'node:crypto';
import { tlsError } from '../../errors.js';
import { checkShare, drawExponent, FFDHE_PARAMS, padSecret, type FfdheParams } from '../ffdhe.js';
import type { KeyExchange, KeyExchangeGroup, RandomSource } from '../provider.js';
import { view } from './buffer.js';

function ffdheGroup(p: FfdheParams): KeyExchangeGroup {
  return Object.freeze({
    id: p.id,
    name: p.name,
    start(random: RandomSource): KeyExchange {
      const dh = createDiffieHellman(p.primeBytes, 2);
      const x = drawExponent(p, random);
      dh.setPrivateKey(x);
      x.fill(0);
      // After setPrivateKey, generateKeys derives Y = g^x mod p from it (node docs).
      dh.generateKeys();
      // RFC 8446 §4.2.8.1: Y left-padded to the prime's length.
      const publicKey = padSecret(p, view(dh.getPublicKey()));
      return {
        group: p.id,
        publicKey,
        complete(peer: Uint8Array): Uint8Array {
          checkShare(p, peer);
          let shared: Buffer;
          try {
            shared = dh.computeSecret(peer);
          } catch {
            throw tlsError('illegal_parameter', `${p.name}: key share rejected`);
          }
          // RFC 8446 §7.4.1: Z left-padded with zeros to the prime's length.
          return padSecret(p, view(shared));
        },
      };
    },
  });
}

/** The FFDHE groups, smallest first; a provider's `optionalGroups`: offered only when named in `groups`. */
export const NODE_FFDHE_GROUPS: readonly KeyExchangeGroup[] = Object.freeze(FFDHE_PARAMS.map(ffdheGroup));

// Server: choosing a PSK from the ClientHello. RFC 8446 §4.2.11.

import type { CipherSuiteImpl, HashAlgorithm } from '../../crypto/provider.js';
import { EarlySecretStage, pskBinder } from '../../keyschedule/index.js';
import type { ServerSessionState } from '../../resumption/types.js';
import { bindersEncodedLength } from '../../wire/extensions.js';
import type { OfferedPsks } from '../../wire/types.js';
import { bytesEqual, constantTimeEqual } from '../../util/bytes.js';
import type { VerifiedChain } from '../../x509/verify.js';
import type { ClientCertificateVerifier } from '../../x509/client-verify.js';
import type { ServerBase } from './data.js';
import type { AcceptedPsk } from './types.js';

export type { AcceptedPsk } from './types.js';
import { clientAuthSchemes } from './client-auth.js';
import { tlsError } from '../../errors.js';

type Selected = AcceptedPsk | undefined;

/**
 * RFC 8446 §4.2.11: the first identity we can use (an external PSK or a ticket we can redeem
 * and that still fits the client-auth policy) whose hash has a suite the client offers; its
 * binder must verify (else decrypt_error). `prefixHash(hash, truncated)` is the transcript hash
 * up to the binders. The client verifier may answer later: the result may be a Promise.
 */
export function selectPsk(
  hs: ServerBase,
  offered: OfferedPsks,
  rawClientHello: Uint8Array,
  suitesInCommon: CipherSuiteImpl[],
  prefixHash: (hash: HashAlgorithm, truncated: Uint8Array) => Uint8Array | undefined,
): Selected | Promise<Selected> {
  const now = hs.ctx.now().getTime();
  const from = (start: number): Selected | Promise<Selected> => {
    for (let index = start; index < offered.identities.length; index++) {
      const id = offered.identities[index]!;
      let candidate: { psk: Uint8Array; hash: HashAlgorithm; external: boolean; state?: ServerSessionState } | undefined;
      const external = hs.config.externalPsks.find((e) => bytesEqual(e.identity, id.identity));
      if (external) {
        candidate = { psk: external.key, hash: hs.ctx.provider.hash(external.hash ?? 'SHA-256'), external: true };
      } else {
        const state = hs.config.ticketIssuer.redeem(id.identity, now);
        const suite = state && suitesInCommon.find((s) => s.id === state.cipherSuite);
        if (state && suite) candidate = { psk: state.psk, hash: suite.hash, external: false, state };
        else if (state) {
          const sameHash = hs.config.cipherSuites.find((s) => s.id === state.cipherSuite)?.hash.name;
          const alt = suitesInCommon.find((s) => s.hash.name === sameHash);
          if (alt) candidate = { psk: state.psk, hash: alt.hash, external: false, state };
        }
      }
      if (!candidate || !suitesInCommon.some((s) => s.hash.name === candidate.hash.name)) continue;
      const state = candidate.state;
      // RFC 8446 §4.2.11: "the server MUST ensure that it selects a compatible PSK": a ticket the
      // current client-auth policy would not have issued is skipped (a full handshake follows).
      if (state && !ticketFitsPolicy(hs, state, now)) continue;
      const prefix = prefixHash(candidate.hash, rawClientHello.subarray(0, rawClientHello.length - bindersEncodedLength(offered.binders)));
      if (!prefix) continue;
      // RFC 8446 §4.2.11.2: the binder of the chosen PSK must verify, compared in constant time.
      const stage = new EarlySecretStage(candidate.hash, candidate.psk);
      const expected = pskBinder(candidate.hash, stage.binderKey(candidate.external), prefix);
      stage.wipe();
      const binder = offered.binders[index];
      if (!binder || !constantTimeEqual(expected, binder)) throw tlsError('decrypt_error', 'PSK binder does not verify');
      const accepted: AcceptedPsk = { index, ...candidate, identity: id.identity, obfuscatedTicketAge: id.obfuscatedTicketAge, binder };
      if (!state || state.peerCertificates.length === 0) return accepted;
      // RFC 8446 §4.6.1: the stored client chain must still pass the current verifier (anchors,
      // revocation) at the current time; checked after the binder, so only a PSK holder costs a verification.
      const goOn = (notAfter: number | undefined): Selected | Promise<Selected> => {
        return notAfter !== undefined ? { ...accepted, peerNotAfter: notAfter } : from(index + 1);
      };
      // ticketFitsPolicy passed: a ticket with a client chain comes with a clientAuth verifier here.
      const verifier = hs.config.clientAuth?.verifier;
      if (!verifier) return from(index + 1);
      const verified = verifyStoredChain(hs, verifier, state.peerCertificates, now);
      return verified instanceof Promise ? verified.then(goOn) : goOn(verified);
    }
    return undefined;
  };
  return from(0);
}

/**
 * The cheap checks on a redeemed ticket: the session is younger than maxSessionAge; under
 * `required` it carries a client chain; a client chain needs a verifier here to vouch for it.
 */
function ticketFitsPolicy(hs: ServerBase, state: ServerSessionState, now: number): boolean {
  if (!(now - state.authenticatedAt < hs.config.maxSessionAgeMs)) return false;
  const auth = hs.config.clientAuth;
  if (state.peerCertificates.length === 0) return auth?.mode !== 'required';
  return auth !== undefined;
}

/** The verified chain's validity: [latest notBefore, earliest notAfter] in ms. */
export function chainValidity(verified: VerifiedChain): { from: number; until: number } {
  let from = verified.leaf.notBefore.getTime();
  let until = verified.leaf.notAfter.getTime();
  for (const c of verified.chain) {
    from = Math.max(from, c.notBefore.getTime());
    until = Math.min(until, c.notAfter.getTime());
  }
  return { from, until };
}

/**
 * Runs the current client verifier over a ticket's stored chain at `now`; the chain's earliest
 * notAfter when it passes and is within its validity (RFC 5280 §4.1.2.5, whatever the verifier
 * checks), undefined when it fails.
 */
function verifyStoredChain(
  hs: ServerBase,
  verifier: ClientCertificateVerifier,
  chain: Uint8Array[],
  now: number,
): number | undefined | Promise<number | undefined> {
  const valid = (verified: VerifiedChain): number | undefined => {
    const { from, until } = chainValidity(verified);
    return from <= now && now <= until ? until : undefined;
  };
  let result: VerifiedChain | Promise<VerifiedChain>;
  try {
    result = verifier.verify({ chain, now: new Date(now), signatureAlgorithmsCert: clientAuthSchemes(hs).certSchemes });
  } catch {
    return undefined;
  }
  return result instanceof Promise ? result.then(valid, () => undefined) : valid(result);
}

// Moved to tickets.ts (RFC 8446 §4.6.1); re-exported for the states that import it from here.
export { sendTickets } from './tickets.js';

// Server: choosing a PSK from the ClientHello, and 0-RTT acceptance. RFC 8446 §4.2.11, §4.2.10, §8.

import type { CipherSuiteImpl, HashAlgorithm } from '../../crypto/provider.js';
import { EarlySecretStage, pskBinder } from '../../keyschedule/index.js';
import { checkTicketAge } from '../../resumption/anti-replay.js';
import type { ServerSessionState } from '../../resumption/types.js';
import { bindersEncodedLength } from '../../wire/extensions.js';
import type { OfferedPsks } from '../../wire/types.js';
import { bytesEqual, constantTimeEqual } from '../../util/bytes.js';
import type { VerifiedChain } from '../../x509/verify.js';
import type { ServerHandshake } from './data.js';
import { clientAuthSchemes } from './client-auth.js';
import { tlsError } from '../../errors.js';

/** The PSK the server goes on with. */
export interface AcceptedPsk {
  index: number;
  psk: Uint8Array;
  hash: HashAlgorithm;
  external: boolean;
  identity: Uint8Array;
  obfuscatedTicketAge: number;
  binder: Uint8Array;
  /** For a resumption ticket: what the ticket carried. */
  state?: ServerSessionState;
  /** For a ticket with a client chain: the chain's earliest notAfter (ms), as verified again now. */
  peerNotAfter?: number;
}

type Selected = AcceptedPsk | undefined;

/**
 * RFC 8446 §4.2.11: the first identity we can use (an external PSK or a ticket we can redeem
 * and that still fits the client-auth policy) whose hash has a suite the client offers; its
 * binder must verify (else decrypt_error). `prefixHash(hash, truncated)` is the transcript hash
 * up to the binders. The client verifier may answer later: the result may be a Promise.
 */
export function selectPsk(
  hs: ServerHandshake,
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
      const verified = verifyStoredChain(hs, state.peerCertificates, now);
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
function ticketFitsPolicy(hs: ServerHandshake, state: ServerSessionState, now: number): boolean {
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
function verifyStoredChain(hs: ServerHandshake, chain: Uint8Array[], now: number): number | undefined | Promise<number | undefined> {
  const verifier = hs.config.clientAuth!.verifier;
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

/**
 * RFC 8446 §4.2.10, §8: accept 0-RTT only when the ClientHello offers it (§4.2: no response to
 * an extension not sent), for the first PSK, a ticket that allows it, the same suite and ALPN,
 * a fresh ticket age (§8.3), and a ticket not seen before in the window (§8.1, §8.2). The
 * ticket identity is recorded once: every ClientHello that could replay this 0-RTT carries it,
 * and ClientHellos repeating a ticket add nothing to the store. The replay store may answer
 * later (a shared store): the result may be a Promise.
 */
export function decideEarlyData(
  hs: ServerHandshake,
  offered: boolean,
  psk: AcceptedPsk | undefined,
  suite: CipherSuiteImpl,
  alpn: string | undefined,
  helloRetry: boolean,
): boolean | Promise<boolean> {
  const policy = hs.config.earlyData;
  const state = psk?.state;
  if (!offered || !policy || !psk || !state || psk.index !== 0 || helloRetry) return false;
  if (state.maxEarlyDataSize === 0 || state.cipherSuite !== suite.id || state.alpn !== alpn) return false;
  const now = hs.ctx.now().getTime();
  const fresh = checkTicketAge({
    obfuscatedTicketAge: psk.obfuscatedTicketAge,
    ticketAgeAdd: state.ageAdd,
    issuedAtMs: state.issuedAt,
    nowMs: now,
    toleranceMs: policy.toleranceMs,
  });
  if (!fresh) return false;
  // A ClientHello that passes the age check can arrive during 2 × tolerance: record for that long.
  const verdict = policy.antiReplay.checkAndRecord(psk.identity, now, 2 * policy.toleranceMs);
  return verdict instanceof Promise ? verdict.then((v) => v === 'fresh') : verdict === 'fresh';
}

// Moved to tickets.ts (RFC 8446 §4.6.1); re-exported for the states that import it from here.
export { sendTickets } from './tickets.js';

// Server: choosing a PSK from the ClientHello, 0-RTT acceptance, and issuing tickets.
// RFC 8446 §4.2.11, §4.2.10, §4.6.1, §8.

import type { CipherSuiteImpl, HashAlgorithm } from '../../crypto/provider.js';
import { EarlySecretStage, pskBinder, resumptionPsk } from '../../keyschedule/index.js';
import { checkTicketAge } from '../../resumption/anti-replay.js';
import type { ReplayVerdict, ServerSessionState } from '../../resumption/types.js';
import { ExtensionType, HandshakeType } from '../../wire/codepoints.js';
import { bindersEncodedLength, encodeEarlyDataTicket } from '../../wire/extensions.js';
import type { OfferedPsks } from '../../wire/types.js';
import { bytesEqual, constantTimeEqual } from '../../util/bytes.js';
import { fail } from '../common.js';
import type { ServerHandshake } from './data.js';

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
}

/**
 * RFC 8446 §4.2.11: the first identity we can use (an external PSK or a ticket we can redeem)
 * whose hash has a suite the client offers; its binder must verify (else decrypt_error).
 * `prefixHash(hash, truncated)` is the transcript hash up to the binders.
 */
export function selectPsk(
  hs: ServerHandshake,
  offered: OfferedPsks,
  rawClientHello: Uint8Array,
  suitesInCommon: CipherSuiteImpl[],
  prefixHash: (hash: HashAlgorithm, truncated: Uint8Array) => Uint8Array | undefined,
): AcceptedPsk | undefined {
  const now = hs.ctx.now().getTime();
  for (let index = 0; index < offered.identities.length; index++) {
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
    const prefix = prefixHash(candidate.hash, rawClientHello.subarray(0, rawClientHello.length - bindersEncodedLength(offered.binders)));
    if (!prefix) continue;
    // RFC 8446 §4.2.11.2: the binder of the chosen PSK must verify, compared in constant time.
    const stage = new EarlySecretStage(candidate.hash, candidate.psk);
    const expected = pskBinder(candidate.hash, stage.binderKey(candidate.external), prefix);
    stage.wipe();
    const binder = offered.binders[index];
    if (!binder || !constantTimeEqual(expected, binder)) fail('decrypt_error', 'PSK binder does not verify');
    return { index, ...candidate, identity: id.identity, obfuscatedTicketAge: id.obfuscatedTicketAge, binder };
  }
  return undefined;
}

/**
 * RFC 8446 §4.2.10, §8: accept 0-RTT only for the first PSK, a ticket that allows it, the same
 * suite and ALPN, a fresh ticket age (§8.3), and a ticket and ClientHello not seen before in the
 * window (§8.1, §8.2). The replay store may answer later (a shared store): the result may be a Promise.
 */
export function decideEarlyData(
  hs: ServerHandshake,
  psk: AcceptedPsk | undefined,
  suite: CipherSuiteImpl,
  alpn: string | undefined,
  helloRetry: boolean,
): boolean | Promise<boolean> {
  const policy = hs.config.earlyData;
  const state = psk?.state;
  if (!policy || !psk || !state || psk.index !== 0 || helloRetry) return false;
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
  const windowMs = 2 * policy.toleranceMs;
  const ticketVerdict = policy.antiReplay.checkAndRecord(psk.identity, now, windowMs);
  const helloVerdict = policy.antiReplay.checkAndRecord(psk.binder, now, windowMs);
  const both = (a: ReplayVerdict, b: ReplayVerdict): boolean => a === 'fresh' && b === 'fresh';
  if (ticketVerdict instanceof Promise || helloVerdict instanceof Promise) {
    return Promise.all([ticketVerdict, helloVerdict]).then(([a, b]) => both(a, b));
  }
  return both(ticketVerdict, helloVerdict);
}

/** RFC 8446 §4.6.1: the NewSessionTickets sent after the client's Finished. */
export function sendTickets(hs: ServerHandshake, resumptionMasterSecret: Uint8Array): void {
  const suite = hs.suite!;
  const now = hs.ctx.now().getTime();
  for (let i = 0; i < hs.config.ticketCount; i++) {
    // Unique per ticket on this connection (RFC 8446 §4.6.1): i in minimal big-endian bytes.
    const nonce = i < 256 ? new Uint8Array([i]) : new Uint8Array([i >> 8, i & 0xff]);
    const ageAdd = new DataView(hs.ctx.random(4).buffer).getUint32(0);
    const maxEarlyDataSize = hs.config.earlyData?.maxEarlyDataSize ?? 0;
    const state: ServerSessionState = {
      cipherSuite: suite.id,
      psk: resumptionPsk(suite.hash, resumptionMasterSecret, nonce),
      issuedAt: now,
      lifetimeSeconds: hs.config.ticketLifetimeSeconds,
      ageAdd,
      maxEarlyDataSize,
      peerCertificates: hs.peerCertificates ?? [],
      ...(hs.alpn !== undefined ? { alpn: hs.alpn } : {}),
      ...(hs.serverName !== undefined ? { serverName: hs.serverName } : {}),
    };
    let ticket: Uint8Array;
    try {
      ticket = hs.config.ticketIssuer.issue(state);
    } catch {
      return; // e.g. a client chain too large for a ticket: no resumption rather than a broken one
    }
    hs.ctx.send({
      msgType: HandshakeType.new_session_ticket,
      ticketLifetime: hs.config.ticketLifetimeSeconds,
      ticketAgeAdd: ageAdd,
      ticketNonce: nonce,
      ticket,
      extensions: maxEarlyDataSize > 0 ? [{ type: ExtensionType.early_data, data: encodeEarlyDataTicket(maxEarlyDataSize) }] : [],
    });
  }
}

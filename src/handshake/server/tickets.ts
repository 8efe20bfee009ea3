// Server: issuing NewSessionTickets after the client's Finished. RFC 8446 §4.6.1.

import { resumptionPsk } from '../../keyschedule/index.js';
import type { ServerSessionState } from '../../resumption/types.js';
import { ExtensionType, HandshakeType } from '../../wire/codepoints.js';
import { encodeEarlyDataTicket } from '../../wire/extensions.js';
import type { ServerBase, ServerSession } from './data.js';

/** RFC 8446 §4.6.1: the NewSessionTickets sent after the client's Finished. */
export function sendTickets(hs: Pick<ServerBase, 'ctx' | 'config'> & ServerSession, resumptionMasterSecret: Uint8Array): void {
  const suite = hs.suite;
  const now = hs.ctx.now().getTime();
  // RFC 8446 §4.6.1: a renewed ticket carries the original authentication's time and ends with
  // the session (maxSessionAge after it) and with the client chain's validity.
  const authenticatedAt = hs.psk?.state?.authenticatedAt ?? now;
  const sessionEnds = Math.min(authenticatedAt + hs.config.maxSessionAgeMs, hs.peerNotAfter ?? Infinity);
  const lifetimeSeconds = Math.min(hs.config.ticketLifetimeSeconds, Math.floor((sessionEnds - now) / 1000));
  if (!(lifetimeSeconds > 0)) return;
  for (let i = 0; i < hs.config.ticketCount; i++) {
    // Unique per ticket on this connection (RFC 8446 §4.6.1): i in minimal big-endian bytes.
    const nonce = i < 256 ? new Uint8Array([i]) : new Uint8Array([i >> 8, i & 0xff]);
    const ageAdd = new DataView(hs.ctx.random(4).buffer).getUint32(0);
    const maxEarlyDataSize = hs.config.earlyData?.maxEarlyDataSize ?? 0;
    const state: ServerSessionState = {
      cipherSuite: suite.id,
      psk: resumptionPsk(suite.hash, resumptionMasterSecret, nonce),
      issuedAt: now,
      authenticatedAt,
      lifetimeSeconds,
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
      ticketLifetime: lifetimeSeconds,
      ticketAgeAdd: ageAdd,
      ticketNonce: nonce,
      ticket,
      extensions: maxEarlyDataSize > 0 ? [{ type: ExtensionType.early_data, data: encodeEarlyDataTicket(maxEarlyDataSize) }] : [],
    });
  }
}

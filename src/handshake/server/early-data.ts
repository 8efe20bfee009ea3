// Server: 0-RTT. Whether to accept it, how much rejected early data to skip, and EndOfEarlyData.
// RFC 8446 §4.2.10, §4.5, §8.

import type { CipherSuiteImpl } from '../../crypto/provider.js';
import { checkTicketAge } from '../../resumption/anti-replay.js';
import { ExtensionType, HandshakeType } from '../../wire/codepoints.js';
import { findExtension } from '../../wire/extensions.js';
import { TypedState, type Handlers, type Step } from '../state.js';
import { ExpectClientFinished } from './client-finished.js';
import type { AfterServerFinished, HelloRetrySent, ServerBase } from './data.js';
import type { AcceptedPsk } from './types.js';

/**
 * RFC 8446 §4.2.10, §8: accept 0-RTT only when the ClientHello offers it (§4.2: no response to
 * an extension not sent), for the first PSK, a ticket that allows it, the same suite and ALPN,
 * a fresh ticket age (§8.3), and a ticket not seen before in the window (§8.1, §8.2). The
 * ticket identity is recorded once: every ClientHello that could replay this 0-RTT carries it,
 * and ClientHellos repeating a ticket add nothing to the store. The replay store may answer
 * later (a shared store): the result may be a Promise.
 */
export function decideEarlyData(
  hs: ServerBase,
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

/** How much rejected 0-RTT data to skip (RFC 8446 §4.2.10): our advertised limit, or one record's worth. */
export function earlyDataSkipLimit(hs: Pick<ServerBase, 'config'>): number {
  return Math.max(hs.config.earlyData?.maxEarlyDataSize ?? 0, 16384);
}

/** 0-RTT was offered with ClientHello1 and skipped because of the HelloRetryRequest. */
export function earlyDataInFirstHello(retry: HelloRetrySent | undefined): boolean {
  const first = retry?.clientHello1;
  return first !== undefined && findExtension(first.extensions, ExtensionType.early_data) !== undefined;
}

/** RFC 8446 §4.5: 0-RTT data ends with EndOfEarlyData under the early key. */
export class ExpectEndOfEarlyData extends TypedState<typeof HandshakeType.end_of_early_data> {
  readonly name = 'ExpectEndOfEarlyData';
  protected readonly handlers: Handlers<typeof HandshakeType.end_of_early_data> = {
    [HandshakeType.end_of_early_data]: (_msg, raw) => this.endOfEarlyData(raw),
  };
  constructor(private readonly hs: AfterServerFinished) {
    super();
  }

  private endOfEarlyData(raw: Uint8Array): Step {
    const hs = this.hs;
    hs.transcript.add(raw);
    hs.ctx.setReadKeys('handshake', hs.clientHandshakeSecret, hs.suite);
    return new ExpectClientFinished(hs);
  }
}

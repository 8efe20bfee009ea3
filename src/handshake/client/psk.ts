// Client: offering PSKs (resumption tickets, external PSKs) and their binders. RFC 8446 §4.2.11.

import type { HashAlgorithm } from '../../crypto/provider.js';
import { EarlySecretStage, pskBinder } from '../../keyschedule/index.js';
import type { ClientSession, ExternalPsk } from '../../resumption/types.js';
import { MAX_TICKET_LIFETIME_SECONDS } from '../../resumption/state.js';
import { ExtensionType, HandshakeType } from '../../wire/codepoints.js';
import { bindersEncodedLength, encodePreSharedKeyClient } from '../../wire/extensions.js';
import { encodeHandshake } from '../../wire/messages.js';
import type { ClientHello } from '../../wire/types.js';
import { findSuite } from '../secrets.js';
import type { ClientBase } from './data.js';
import type { OfferedPsk } from './types.js';

export type { OfferedPsk } from './types.js';

/** The PSKs to offer in the first ClientHello: a usable resumption ticket first, then external PSKs. */
export function choosePsks(hs: ClientBase, session: ClientSession | undefined, externals: ExternalPsk[]): OfferedPsk[] {
  const provider = hs.ctx.provider;
  const offeredHashes = new Set(
    hs.config.cipherSuites.map((id) => findSuite(provider, id)?.hash.name).filter((n): n is NonNullable<typeof n> => n !== undefined),
  );
  const out: OfferedPsk[] = [];
  if (session) {
    const suite = findSuite(provider, session.cipherSuite);
    const ageMs = hs.ctx.now().getTime() - session.receivedAt;
    const lifetimeMs = Math.min(session.lifetimeSeconds, MAX_TICKET_LIFETIME_SECONDS) * 1000;
    // RFC 8446 §4.2.11: only with a suite of the ticket's hash; never past the ticket's lifetime.
    if (suite && offeredHashes.has(suite.hash.name) && ageMs >= 0 && ageMs <= lifetimeMs) {
      out.push({
        identity: session.ticket,
        // RFC 8446 §4.2.11.1: the age in ms plus ticket_age_add, modulo 2^32.
        obfuscatedTicketAge: (ageMs + session.ticketAgeAdd) >>> 0,
        psk: session.psk,
        hash: suite.hash,
        external: false,
        session,
      });
    }
  }
  for (const e of externals) {
    const hash = provider.hash(e.hash ?? 'SHA-256');
    if (!offeredHashes.has(hash.name)) continue;
    // RFC 8446 §4.2.11: external identities carry an obfuscated_ticket_age of 0.
    out.push({ identity: e.identity, obfuscatedTicketAge: 0, psk: e.key, hash, external: true });
  }
  return out;
}

/**
 * Append pre_shared_key (last, RFC 8446 §4.2.11) with binders over the truncated ClientHello
 * (§4.2.11.2). `prefixHash(truncated)` hashes what precedes it in the transcript (nothing for
 * ClientHello1; message_hash and the HelloRetryRequest for ClientHello2).
 * Returns the message as it will be sent (research hooks applied before the binders).
 */
export function withPskBinders(
  hs: ClientBase,
  ch: ClientHello,
  psks: readonly OfferedPsk[],
  prefixHash: (hash: HashAlgorithm, truncated: Uint8Array) => Uint8Array,
): ClientHello {
  const placeholder = psks.map((p) => new Uint8Array(p.hash.outputLen));
  const identities = psks.map((p) => ({ identity: p.identity, obfuscatedTicketAge: p.obfuscatedTicketAge }));
  const draft = hs.ctx.prepare({
    ...ch,
    extensions: [
      ...ch.extensions.filter((e) => e.type !== ExtensionType.pre_shared_key),
      { type: ExtensionType.pre_shared_key, data: encodePreSharedKeyClient({ identities, binders: placeholder }) },
    ],
  });
  if (draft.msgType !== HandshakeType.client_hello) return ch;
  const encoded = encodeHandshake(draft);
  const truncated = encoded.subarray(0, encoded.length - bindersEncodedLength(placeholder));
  const binders = psks.map((p) => {
    const stage = new EarlySecretStage(p.hash, p.psk);
    const binder = pskBinder(p.hash, stage.binderKey(p.external), prefixHash(p.hash, truncated));
    stage.wipe();
    return binder;
  });
  return {
    ...draft,
    extensions: draft.extensions.map((e) =>
      e.type === ExtensionType.pre_shared_key ? { type: e.type, data: encodePreSharedKeyClient({ identities, binders }) } : e,
    ),
  };
}

// Resumption PSKs and PSK binders (RFC 8446 §4.6.1, §4.2.11.2).

import type { HashAlgorithm } from '../crypto/provider.js';
import { finishedVerifyData } from './finished.js';
import { hkdfExpandLabel } from './hkdf.js';

/**
 * RFC 8446 §4.6.1: the PSK for a ticket =
 *   HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length)
 */
export function resumptionPsk(hash: HashAlgorithm, resumptionMasterSecret: Uint8Array, ticketNonce: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, resumptionMasterSecret, 'resumption', ticketNonce, hash.outputLen);
}

/**
 * RFC 8446 §4.2.11.2: a PSK binder is computed as a Finished with BaseKey = binder_key
 * over the transcript up to and including the truncated ClientHello.
 */
export function pskBinder(hash: HashAlgorithm, binderKey: Uint8Array, truncatedTranscriptHash: Uint8Array): Uint8Array {
  return finishedVerifyData(hash, binderKey, truncatedTranscriptHash);
}

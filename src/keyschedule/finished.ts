// Finished MACs (RFC 8446 §4.4.4); PSK binders are computed the same way (psk.ts).

import type { HashAlgorithm } from '../crypto/provider.js';
import { tlsError } from '../errors.js';
import { wipe } from '../util/bytes.js';
import { hkdfExpandLabel } from './hkdf.js';

/** RFC 8446 §4.4.4: finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length). */
export function finishedKey(hash: HashAlgorithm, baseKey: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, baseKey, 'finished', new Uint8Array(0), hash.outputLen);
}

/**
 * RFC 8446 §4.4.4: verify_data = HMAC(finished_key, Transcript-Hash(Handshake Context,
 * Certificate*, CertificateVerify*)). `baseKey` is the sender's handshake (or, after the
 * handshake, application) traffic secret.
 */
export function finishedVerifyData(hash: HashAlgorithm, baseKey: Uint8Array, transcriptHash: Uint8Array): Uint8Array {
  if (transcriptHash.length !== hash.outputLen) {
    throw tlsError('internal_error', `Finished: transcript hash is ${transcriptHash.length} bytes, want ${hash.outputLen}`);
  }
  const key = finishedKey(hash, baseKey);
  try {
    return hash.hmac(key, transcriptHash);
  } finally {
    wipe(key);
  }
}

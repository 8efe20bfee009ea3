// Traffic keys and key updates (RFC 8446 §7.2, §7.3).

import type { CipherSuiteImpl, HashAlgorithm } from '../crypto/provider.js';
import type { TrafficKeys } from '../record/keys.js';
import { hkdfExpandLabel } from './hkdf.js';

export type { TrafficKeys };

/**
 * RFC 8446 §7.3:
 *   [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length)
 *   [sender]_write_iv  = HKDF-Expand-Label(Secret, "iv", "", iv_length)
 */
export function trafficKeys(suite: CipherSuiteImpl, secret: Uint8Array): TrafficKeys {
  const empty = new Uint8Array(0);
  return {
    aead: suite.aead,
    key: hkdfExpandLabel(suite.hash, secret, 'key', empty, suite.aead.keyLen),
    iv: hkdfExpandLabel(suite.hash, secret, 'iv', empty, suite.aead.nonceLen),
  };
}

/**
 * RFC 8446 §7.2: application_traffic_secret_N+1 =
 *   HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length)
 */
export function nextTrafficSecret(hash: HashAlgorithm, secret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, secret, 'traffic upd', new Uint8Array(0), hash.outputLen);
}

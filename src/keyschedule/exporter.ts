// Exported keying material (RFC 8446 §7.5), from the exporter or early exporter master secret.

import type { HashAlgorithm } from '../crypto/provider.js';
import { TlsUsageError } from '../errors.js';
import { utf8, wipe } from '../util/bytes.js';
import { deriveSecret, emptyHash, hkdfExpandLabel } from './hkdf.js';

/**
 * RFC 8446 §7.5:
 *   TLS-Exporter(label, context_value, key_length) =
 *     HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter", Hash(context_value), key_length)
 * `secret` is the exporter_master_secret (or early_exporter_master_secret for 0-RTT).
 * No context is the same as an empty context (RFC 8446 §7.5).
 */
export function exportKeyingMaterial(
  hash: HashAlgorithm,
  exporterMasterSecret: Uint8Array,
  label: string,
  context: Uint8Array | undefined,
  length: number,
): Uint8Array {
  // The label comes from the application: check it here rather than as an internal error.
  // RFC 8446 §7.1: "tls13 " + label fits in label<7..255>.
  if (utf8(label).length > 255 - 'tls13 '.length) throw new TlsUsageError('exporter label too long');
  if (!Number.isInteger(length) || length < 0 || length > Math.min(0xffff, 255 * hash.outputLen)) {
    throw new TlsUsageError(`exporter length ${length} out of range`);
  }
  const inner = deriveSecret(hash, exporterMasterSecret, label, emptyHash(hash));
  try {
    return hkdfExpandLabel(hash, inner, 'exporter', hash.digest(context ?? new Uint8Array(0)), length);
  } finally {
    wipe(inner);
  }
}

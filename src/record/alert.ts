// Alert messages. RFC 8446 §6, RFC 9846 §6.

import { tlsError } from '../errors.js';

export interface Alert {
  level: number;
  description: number;
}

/** struct { AlertLevel level; AlertDescription description; } Alert; (RFC 8446 §6) */
export function encodeAlert(level: number, description: number): Uint8Array {
  for (const v of [level, description])
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw tlsError('internal_error', `alert field ${v} is not a uint8`);
  return Uint8Array.of(level, description);
}

/**
 * Exactly two bytes (RFC 8446 §5.1: one alert per record, never fragmented or coalesced).
 * Level and description are returned as received: both are open sets (RFC 8446 §6).
 */
export function decodeAlert(data: Uint8Array): Alert {
  if (data.length !== 2) throw tlsError('decode_error', `alert record of ${data.length} bytes, want 2`);
  return { level: data[0]!, description: data[1]! };
}

// The server's resumption state as bytes, sealed into a self-encrypted ticket (RFC 8446 §4.6.1,
// RFC 9846 §4.7.1). Our own versioned format, in the presentation language of RFC 8446 §3:
//
//   struct {
//     uint8  version = 2;
//     uint16 cipher_suite;
//     opaque psk<1..255>;
//     uint32 issued_at_high;          /* issuedAt (ms since the epoch) = high * 2^32 + low, */
//     uint32 issued_at_low;           /* at most 2^53 - 1 */
//     uint32 authenticated_at_high;   /* authenticatedAt: the full handshake's time, likewise */
//     uint32 authenticated_at_low;
//     uint32 lifetime_seconds;
//     uint32 age_add;
//     uint32 max_early_data_size;
//     uint8  flags;                   /* bit 0: alpn present, bit 1: server_name present; others 0 */
//     opaque alpn<1..2^16-1>;         /* UTF-8; only when flag bit 0 */
//     opaque server_name<1..2^16-1>;  /* UTF-8; only when flag bit 1 */
//     ASN1Cert peer_certificates<0..2^24-1>;  /* each opaque<1..2^24-1>, leaf first */
//   } ServerSessionStateV2;
//
// Version 1 (without authenticated_at) is no longer read: such a ticket gets a full handshake.

import { Reader } from '../wire/reader.js';
import { Writer } from '../wire/writer.js';
import { fromUtf8, utf8 } from '../util/bytes.js';
import type { ServerSessionState } from './types.js';

const VERSION = 2;
const FLAG_ALPN = 1;
const FLAG_SERVER_NAME = 2;

/** RFC 8446 §4.6.1: ticket_lifetime is at most 604800 seconds (7 days), for servers and clients alike. */
export const MAX_TICKET_LIFETIME_SECONDS = 604_800;

/**
 * True when something that started at `startMs` with `lifetimeSeconds` (capped at 7 days,
 * RFC 8446 §4.6.1) is no longer usable at `nowMs`. Lifetime 0 means "discard immediately".
 */
export function lifetimeExpired(startMs: number, lifetimeSeconds: number, nowMs: number): boolean {
  const life = Math.min(Math.max(lifetimeSeconds, 0), MAX_TICKET_LIFETIME_SECONDS) * 1000;
  return !(nowMs - startMs < life);
}

const isUint = (v: number, max: number): boolean => Number.isInteger(v) && v >= 0 && v <= max;

/** Encodes a state; throws RangeError when a field is out of range (a caller bug, not peer input). */
export function encodeServerSessionState(s: ServerSessionState): Uint8Array {
  if (!isUint(s.cipherSuite, 0xffff)) throw new RangeError('session state: cipherSuite is not a uint16');
  if (s.psk.length < 1 || s.psk.length > 255) throw new RangeError('session state: psk must be 1..255 bytes');
  if (!isUint(s.issuedAt, Number.MAX_SAFE_INTEGER)) throw new RangeError('session state: issuedAt is not a safe non-negative integer');
  if (!isUint(s.authenticatedAt, Number.MAX_SAFE_INTEGER)) throw new RangeError('session state: authenticatedAt is not a safe non-negative integer');
  for (const [name, v] of [
    ['lifetimeSeconds', s.lifetimeSeconds],
    ['ageAdd', s.ageAdd],
    ['maxEarlyDataSize', s.maxEarlyDataSize],
  ] as const) {
    if (!isUint(v, 0xffffffff)) throw new RangeError(`session state: ${name} is not a uint32`);
  }
  const alpn = s.alpn === undefined ? undefined : utf8(s.alpn);
  const serverName = s.serverName === undefined ? undefined : utf8(s.serverName);
  if (alpn?.length === 0 || serverName?.length === 0) throw new RangeError('session state: empty alpn or serverName');
  const w = new Writer(128 + s.peerCertificates.reduce((n, c) => n + c.length + 3, 0));
  w.u8(VERSION).u16(s.cipherSuite).vector(1, s.psk);
  w.u32(Math.floor(s.issuedAt / 2 ** 32)).u32(s.issuedAt % 2 ** 32);
  w.u32(Math.floor(s.authenticatedAt / 2 ** 32)).u32(s.authenticatedAt % 2 ** 32);
  w.u32(s.lifetimeSeconds).u32(s.ageAdd).u32(s.maxEarlyDataSize);
  w.u8((alpn ? FLAG_ALPN : 0) | (serverName ? FLAG_SERVER_NAME : 0));
  if (alpn) w.vector(2, alpn);
  if (serverName) w.vector(2, serverName);
  w.nested(3, (cw) => {
    for (const c of s.peerCertificates) {
      if (c.length === 0) throw new RangeError('session state: empty peer certificate');
      cw.vector(3, c);
    }
  });
  return w.finish();
}

/** Decodes a state; undefined on any malformation (wrong version, truncation, trailing bytes, bad UTF-8). Never throws. */
export function decodeServerSessionState(b: Uint8Array): ServerSessionState | undefined {
  try {
    const r = new Reader(b);
    if (r.u8() !== VERSION) return undefined;
    const cipherSuite = r.u16();
    const psk = r.vector(1, 'psk', 1).slice();
    const issuedAt = readTime(r);
    const authenticatedAt = readTime(r);
    if (issuedAt === undefined || authenticatedAt === undefined) return undefined;
    const lifetimeSeconds = r.u32();
    const ageAdd = r.u32();
    const maxEarlyDataSize = r.u32();
    const flags = r.u8();
    if ((flags & ~(FLAG_ALPN | FLAG_SERVER_NAME)) !== 0) return undefined;
    const alpn = flags & FLAG_ALPN ? fromUtf8(r.vector(2, 'alpn', 1)) : undefined;
    const serverName = flags & FLAG_SERVER_NAME ? fromUtf8(r.vector(2, 'server_name', 1)) : undefined;
    const certs = r.sub(3, 'peer_certificates');
    const peerCertificates: Uint8Array[] = [];
    while (!certs.isEmpty()) peerCertificates.push(certs.vector(3, 'certificate', 1).slice());
    r.done('session state');
    const s: ServerSessionState = { cipherSuite, psk, issuedAt, authenticatedAt, lifetimeSeconds, ageAdd, maxEarlyDataSize, peerCertificates };
    if (alpn !== undefined) s.alpn = alpn;
    if (serverName !== undefined) s.serverName = serverName;
    return s;
  } catch {
    return undefined;
  }
}

/** A time as two uint32 (high, low) ms since the epoch; undefined beyond 2^53 - 1. */
function readTime(r: Reader): number | undefined {
  const hi = r.u32();
  const lo = r.u32();
  return hi > 0x1fffff ? undefined : hi * 2 ** 32 + lo;
}

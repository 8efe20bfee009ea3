// The session file of the CLI's --sess-out / --sess-in: one ClientSession (RFC 8446 §4.6.1) as JSON.
//
// Format "tls13-engine-session/2": a UTF-8 JSON object with exactly these members (any order; no
// others; whitespace free). Byte strings are hex (upper or lower case, even length, no spaces);
// integers are plain JSON numbers. Version 1 is version 2 without "serverAuth"; it is still read
// (the server authentication is then unknown: a verifying client checks the chain again).
//
//   "format"            "tls13-engine-session/2" (or /1)              required
//   "serverName"        string: the SNI the session was made with     required (may be "")
//   "alpn"              string: the negotiated ALPN protocol, non-empty   omitted when none
//   "cipherSuite"       integer 0..65535, e.g. 4865 = 0x1301 TLS_AES_128_GCM_SHA256
//   "ticket"            hex, 1..65535 bytes: NewSessionTicket.ticket
//   "psk"               hex, 1..255 bytes: the resumption PSK (a secret: keep the file private)
//   "ticketAgeAdd"      integer 0..2^32-1: NewSessionTicket.ticket_age_add
//   "lifetimeSeconds"   integer 0..2^32-1: NewSessionTicket.ticket_lifetime
//   "receivedAt"        integer 0..2^53-1: client clock when the ticket arrived, ms since the epoch
//   "maxEarlyDataSize"  integer 0..2^32-1: early_data.max_early_data_size (0: no 0-RTT)
//   "peerCertificates"  array of hex strings, each 1+ bytes: the server's chain, DER, leaf first
//   "serverAuth"        "certificate" | "insecure" | "psk": how the original handshake
//                       authenticated the server                       omitted when unknown
//
// Example:
//   {"format":"tls13-engine-session/2","serverName":"example.test","alpn":"h2","cipherSuite":4865,
//    "ticket":"0a0b0c","psk":"00112233...","ticketAgeAdd":305419896,"lifetimeSeconds":7200,
//    "receivedAt":1700000000000,"maxEarlyDataSize":0,"peerCertificates":["3082..."],
//    "serverAuth":"certificate"}

import { fromHex, toHex } from '../util/bytes.js';
import type { ClientSession, ServerAuthentication } from './types.js';

export const SESSION_FILE_FORMAT = 'tls13-engine-session/2';
/** Still read: no "serverAuth". */
const SESSION_FILE_FORMAT_V1 = 'tls13-engine-session/1';
const SERVER_AUTH: readonly ServerAuthentication[] = ['certificate', 'insecure', 'psk'];

const FIELDS = new Set([
  'format',
  'serverName',
  'alpn',
  'cipherSuite',
  'ticket',
  'psk',
  'ticketAgeAdd',
  'lifetimeSeconds',
  'receivedAt',
  'maxEarlyDataSize',
  'peerCertificates',
  'serverAuth',
]);

/** The file's text (pretty-printed JSON, ending in a newline). */
export function encodeSessionFile(s: ClientSession): string {
  const obj: Record<string, unknown> = { format: SESSION_FILE_FORMAT, serverName: s.serverName };
  if (s.alpn !== undefined) obj.alpn = s.alpn;
  Object.assign(obj, {
    cipherSuite: s.cipherSuite,
    ticket: toHex(s.ticket),
    psk: toHex(s.psk),
    ticketAgeAdd: s.ticketAgeAdd,
    lifetimeSeconds: s.lifetimeSeconds,
    receivedAt: s.receivedAt,
    maxEarlyDataSize: s.maxEarlyDataSize,
    peerCertificates: s.peerCertificates.map(toHex),
  });
  if (s.serverAuth !== undefined) obj.serverAuth = s.serverAuth;
  return JSON.stringify(obj, null, 2) + '\n';
}

const fail = (msg: string): never => {
  throw new Error(`invalid session file: ${msg}`);
};

function int(o: Record<string, unknown>, name: string, max: number): number {
  const v = o[name];
  if (v === undefined) fail(`missing "${name}"`);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) fail(`"${name}" must be an integer in 0..${max}`);
  return v as number;
}

function hex(v: unknown, name: string, min: number, max: number): Uint8Array {
  if (v === undefined) fail(`missing "${name}"`);
  if (typeof v !== 'string' || v.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(v)) fail(`"${name}" must be an even-length hex string`);
  const b = fromHex(v as string);
  if (b.length < min || b.length > max) fail(`"${name}" must be ${min}..${max} bytes, got ${b.length}`);
  return b;
}

/** Parses a session file; throws an Error naming the problem on anything malformed. */
export function decodeSessionFile(text: string): ClientSession {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`invalid session file: not JSON (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail('not a JSON object');
  const o = parsed as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!FIELDS.has(k)) fail(`unknown member "${k}"`);
  if (o.format !== SESSION_FILE_FORMAT && o.format !== SESSION_FILE_FORMAT_V1) {
    fail(`"format" must be "${SESSION_FILE_FORMAT}" (or "${SESSION_FILE_FORMAT_V1}"), got ${JSON.stringify(o.format)}`);
  }
  if (o.serverAuth !== undefined) {
    if (o.format === SESSION_FILE_FORMAT_V1) fail(`unknown member "serverAuth" in a "${SESSION_FILE_FORMAT_V1}" file`);
    if (!SERVER_AUTH.includes(o.serverAuth as ServerAuthentication)) fail(`"serverAuth" must be one of ${SERVER_AUTH.map((a) => `"${a}"`).join(', ')}`);
  }
  if (typeof o.serverName !== 'string') fail('"serverName" must be a string');
  if (o.alpn !== undefined && (typeof o.alpn !== 'string' || o.alpn.length === 0)) fail('"alpn" must be a non-empty string when present');
  const certs = o.peerCertificates;
  if (!Array.isArray(certs)) fail('"peerCertificates" must be an array of hex strings');
  const session: ClientSession = {
    serverName: o.serverName as string,
    cipherSuite: int(o, 'cipherSuite', 0xffff),
    ticket: hex(o.ticket, 'ticket', 1, 0xffff),
    psk: hex(o.psk, 'psk', 1, 255),
    ticketAgeAdd: int(o, 'ticketAgeAdd', 0xffffffff),
    lifetimeSeconds: int(o, 'lifetimeSeconds', 0xffffffff),
    receivedAt: int(o, 'receivedAt', Number.MAX_SAFE_INTEGER),
    maxEarlyDataSize: int(o, 'maxEarlyDataSize', 0xffffffff),
    peerCertificates: (certs as unknown[]).map((c, i) => hex(c, `peerCertificates[${i}]`, 1, 0xffffff)),
  };
  if (o.alpn !== undefined) session.alpn = o.alpn as string;
  if (o.serverAuth !== undefined) session.serverAuth = o.serverAuth as ServerAuthentication;
  return session;
}

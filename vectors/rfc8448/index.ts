// Typed loaders for the RFC 8448 traces (extracted by ./extract.mjs). Test data, not shipped:
// node:fs is fine here.

import { readFileSync } from 'node:fs';
import { fromHex } from '../../src/util/bytes.js';

export type TraceName = 'simple-1rtt' | 'resumed-0rtt' | 'hello-retry-request' | 'client-auth' | 'compat-mode';
export const TRACE_NAMES: readonly TraceName[] = [
  'simple-1rtt',
  'resumed-0rtt',
  'hello-retry-request',
  'client-auth',
  'compat-mode',
];

export type Side = 'client' | 'server';

/** One printed value, in RFC order. Actions printed without values ("(same as server)") have label ''. */
export interface TraceStep {
  /** Ordinal of the action within the trace (steps of one action share it). */
  seq: number;
  side: Side;
  /** As the RFC prints it, without the trailing colon or "(same as …)": e.g. 'derive secret "tls13 c hs traffic"'. */
  action: string;
  /** E.g. 'PRK', 'hash', 'info', 'expanded', 'payload', 'complete record', 'private key'. */
  label: string;
  /** Lowercase hex without spaces; '' when the RFC prints no bytes (see `text`). */
  hex: string;
  /** The announced length, "(N octets)". */
  octets?: number;
  /** The RFC's words when the value is not hex: '(empty)', '0 (all zero octets)'. */
  text?: string;
  /** From "(same as …)". */
  sameAs?: string;
}

/** A handshake message as sent (from the handshake record payloads), header included. */
export interface TraceMessage {
  side: Side;
  /** RFC 8446 §4 name; a ServerHello with the special random is 'HelloRetryRequest'. */
  type: string;
  hex: string;
}

/** A record on the wire: plaintext payload and the complete (possibly protected) record. */
export interface TraceRecord {
  side: Side;
  type: 'handshake' | 'application_data' | 'alert' | 'change_cipher_spec';
  payload: string;
  record: string;
}

/** The JSON of one trace file. */
export interface TraceData {
  rfc: 8448;
  section: number;
  title: string;
  name: TraceName;
  description: string;
  /** The negotiated CipherSuite code point. */
  cipherSuite: number;
  steps: TraceStep[];
  messages: TraceMessage[];
  records: TraceRecord[];
  /**
   * Values by name: messages ('ClientHello', 'server_Finished', 'ClientHello1', 'HelloRetryRequest'),
   * randoms, ephemeral keys ('client_x25519_private_key'), secrets ('early_secret', 'c_hs_traffic',
   * 'res_master', 'binder_key'), transcript hashes ('hash_for_c_hs_traffic'), keys
   * ('server_handshake_key', 'client_early_iv'), 'client_verify_data', 'ticket_nonce', 'resumption_psk',
   * 'psk', 'ecdhe_shared_secret'. Hex.
   */
  index: Record<string, string>;
}

export interface Trace extends TraceData {
  /** The `occurrence`-th (0-based) value printed by `side` under `action` with `label`; throws when absent. */
  get(side: Side, action: string, label: string, occurrence?: number): Uint8Array;
  /** Same as get(), as hex. */
  getHex(side: Side, action: string, label: string, occurrence?: number): string;
  /** An index value; throws when absent. */
  value(name: string): Uint8Array;
  /** The handshake messages of the trace in order, as bytes. */
  messageBytes(): Uint8Array[];
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(new URL(`./${file}.json`, import.meta.url), 'utf8'));
}

const cache = new Map<TraceName, TraceData>();

export function loadTrace(name: TraceName): Trace {
  let data = cache.get(name);
  if (data === undefined) {
    data = readJson(name) as TraceData;
    if (data.rfc !== 8448 || data.name !== name || !Array.isArray(data.steps)) throw new Error(`${name}.json: not an RFC 8448 trace`);
    cache.set(name, data);
  }
  const d = data;
  const getHex = (side: Side, action: string, label: string, occurrence = 0): string => {
    const hits = d.steps.filter((s) => s.side === side && s.action === action && s.label === label);
    const hit = hits[occurrence];
    if (hit === undefined) throw new Error(`${name}: no ${side} ${action} / ${label} #${occurrence}`);
    return hit.hex;
  };
  return {
    ...d,
    getHex,
    get: (side, action, label, occurrence) => fromHex(getHex(side, action, label, occurrence)),
    value: (key) => {
      const hex = d.index[key];
      if (hex === undefined) throw new Error(`${name}: no index value ${key}`);
      return fromHex(hex);
    },
    messageBytes: () => d.messages.map((m) => fromHex(m.hex)),
  };
}

/** RFC 8448 §2: the server's RSA key. */
export interface PrivateKeysData {
  rfc: 8448;
  section: 2;
  title: string;
  name: 'private-keys';
  description: string;
  items: { label: string; hex: string }[];
  /** Hex, big-endian: modulus, exponents, primes, CRT values (names as in PrivateKeyMaterial). */
  rsa: { n: string; e: string; d: string; p: string; q: string; dp: string; dq: string; qi: string };
}

export function loadPrivateKeys(): PrivateKeysData {
  return readJson('private-keys') as PrivateKeysData;
}

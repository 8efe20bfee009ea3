// Fixture for the connection-loop tests (RFC 8446 §5, §6, §4.6.3): a real client or server held
// at a chosen handshake state, with the secrets it logged, so that tests can feed it hand-built
// or re-framed records (sealed as its peer would) and read back what it put on the wire.

import { expect } from 'vitest';
import { createClientConnection, createServerConnection } from '../../../src/connection/index.js';
import type { ClientConfig, ServerConfig } from '../../../src/connection/config.js';
import type { Connection, ConnectionEvent } from '../../../src/connection/types.js';
import { AlertDescription, PeerAlertError, TlsError, type AlertName } from '../../../src/errors.js';
import { nobleProvider } from '../../../src/crypto/noble/index.js';
import type { CipherSuiteImpl } from '../../../src/crypto/provider.js';
import { CipherState } from '../../../src/record/keys.js';
import { nextTrafficSecret, trafficKeys } from '../../../src/keyschedule/index.js';
import { ContentType, HandshakeType, KeyUpdateRequest } from '../../../src/wire/codepoints.js';
import { encodeHandshake } from '../../../src/wire/messages.js';
import type { HandshakeMessage } from '../../../src/wire/types.js';
import { concatBytes } from '../../../src/util/bytes.js';
import { splitRecords } from '../../../src/testing/trace.js';
import { record, testClientConfig, testServerConfig } from '../../helpers/scripted.js';

export const CT = ContentType;
export const HT = HandshakeType;
export { record };

/** Every handshake message type of RFC 8446 §4 (and message_hash, §4.4.1). */
export const ALL_HANDSHAKE_TYPES: readonly number[] = Object.values(HandshakeType);

/** A well-formed message of `type` (so that only the legality gate can refuse it). */
export function sampleMessage(type: number): Uint8Array {
  const z = (n: number): Uint8Array => new Uint8Array(n).fill(0x42);
  const msgs: Record<number, HandshakeMessage> = {
    [HT.client_hello]: {
      msgType: HT.client_hello,
      legacyVersion: 0x0303,
      random: z(32),
      legacySessionId: new Uint8Array(0),
      cipherSuites: [0x1301],
      legacyCompressionMethods: Uint8Array.of(0),
      extensions: [],
    },
    [HT.server_hello]: {
      msgType: HT.server_hello,
      legacyVersion: 0x0303,
      random: z(32),
      legacySessionIdEcho: new Uint8Array(0),
      cipherSuite: 0x1301,
      legacyCompressionMethod: 0,
      extensions: [],
      isHelloRetryRequest: false,
    },
    [HT.new_session_ticket]: { msgType: HT.new_session_ticket, ticketLifetime: 60, ticketAgeAdd: 1, ticketNonce: z(1), ticket: z(16), extensions: [] },
    [HT.end_of_early_data]: { msgType: HT.end_of_early_data },
    [HT.encrypted_extensions]: { msgType: HT.encrypted_extensions, extensions: [] },
    [HT.certificate]: { msgType: HT.certificate, certificateRequestContext: new Uint8Array(0), certificateList: [] },
    [HT.certificate_request]: { msgType: HT.certificate_request, certificateRequestContext: new Uint8Array(0), extensions: [] },
    [HT.certificate_verify]: { msgType: HT.certificate_verify, algorithm: 0x0804, signature: z(64) },
    [HT.finished]: { msgType: HT.finished, verifyData: z(32) },
    [HT.key_update]: { msgType: HT.key_update, requestUpdate: KeyUpdateRequest.update_not_requested },
    [HT.message_hash]: { msgType: HT.message_hash, hash: z(32) },
  };
  const m = msgs[type];
  if (!m) throw new Error(`no sample for handshake type ${type}`);
  return encodeHandshake(m);
}

export const keyUpdate = (requestUpdate: number): Uint8Array => encodeHandshake({ msgType: HT.key_update, requestUpdate });

// ---- Sealing and opening records under a logged traffic secret ----

export function suiteOf(conn: Connection): CipherSuiteImpl {
  const suite = nobleProvider.cipherSuites.find((s) => s.id === conn.parameters.cipherSuite);
  if (!suite) throw new Error('no suite negotiated yet');
  return suite;
}

/** One direction's record protection as the peer runs it (RFC 8446 §5.2), from sequence number 0. */
export class Protection {
  private readonly state: CipherState;
  constructor(
    readonly suite: CipherSuiteImpl,
    readonly secret: Uint8Array,
  ) {
    this.state = new CipherState(trafficKeys(suite, secret));
  }
  /** The protection under the next traffic secret (RFC 8446 §7.2). */
  next(): Protection {
    return new Protection(this.suite, nextTrafficSecret(this.suite.hash, this.secret));
  }
  /** One TLSCiphertext: content ‖ inner type ‖ `padding` zeros (RFC 8446 §5.2, §5.4). */
  seal(innerType: number, content: Uint8Array, padding = 0): Uint8Array {
    return this.sealInner(concatBytes(content, Uint8Array.of(innerType), new Uint8Array(padding)));
  }
  /** A TLSCiphertext around `inner` as given (TLSInnerPlaintext, or not even that). */
  sealInner(inner: Uint8Array): Uint8Array {
    const len = inner.length + this.state.aead.tagLen;
    const header = Uint8Array.of(CT.application_data, 3, 3, len >> 8, len & 0xff);
    return concatBytes(header, this.state.seal(header, inner));
  }
  handshake(...msgs: Uint8Array[]): Uint8Array {
    return this.seal(CT.handshake, concatBytes(...msgs));
  }
  /** Opens one whole record; null if it does not authenticate under this key at its sequence number. */
  open(rec: Uint8Array): { type: number; content: Uint8Array } | null {
    const plain = this.state.open(rec.subarray(0, 5), rec.subarray(5));
    if (plain === null) return null;
    let end = plain.length;
    while (end > 0 && plain[end - 1] === 0) end--;
    return { type: plain[end - 1]!, content: plain.subarray(0, end - 1) };
  }
}

// ---- Connections with their key log and events ----

export interface Logged {
  conn: Connection;
  secrets: Map<string, Uint8Array>;
  events: ConnectionEvent[];
  /** Raw handshake messages sent, in order. */
  sent: Uint8Array[];
}

function logging(): Pick<Logged, 'secrets' | 'events' | 'sent'> & Partial<ClientConfig & ServerConfig> {
  const secrets = new Map<string, Uint8Array>();
  const events: ConnectionEvent[] = [];
  const sent: Uint8Array[] = [];
  return {
    secrets,
    events,
    sent,
    keyLog: (label, _random, secret) => void secrets.set(label, secret.slice()),
    onEvent: (e) => {
      events.push(e);
      if (e.type === 'handshake' && e.direction === 'sent') sent.push(e.raw);
    },
  };
}

export function loggedClient(extra: Partial<ClientConfig> = {}): Logged {
  const { secrets, events, sent, keyLog, onEvent } = logging();
  const conn = createClientConnection(testClientConfig({ keyLog, onEvent, ...extra }));
  return { conn, secrets, events, sent };
}

export function loggedServer(extra: Partial<ServerConfig> = {}): Logged {
  const { secrets, events, sent, keyLog, onEvent } = logging();
  const conn = createServerConnection(testServerConfig({ keyLog, onEvent, ...extra }));
  return { conn, secrets, events, sent };
}

/** A fresh Protection under the secret `l` logged as `label`. */
export function protection(l: Logged, label: string): Protection {
  const secret = l.secrets.get(label);
  if (!secret) throw new Error(`no ${label} logged`);
  return new Protection(suiteOf(l.conn), secret);
}

/** All of a connection's pending output, joined. */
export function output(conn: Connection): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let o = conn.takeOutput(); o !== undefined; o = conn.takeOutput()) parts.push(o);
  return concatBytes(...parts);
}

/** Whole records of a byte stream (header + body). */
export const records = (bytes: Uint8Array): Uint8Array[] => splitRecords(bytes).records;

/** The handshake body bytes of the plaintext handshake records of a flight, joined. */
export function plaintextHandshake(bytes: Uint8Array): Uint8Array {
  return concatBytes(...records(bytes).filter((r) => r[0] === CT.handshake).map((r) => r.subarray(5)));
}

/** The protected records of a flight. */
export const protectedRecords = (bytes: Uint8Array): Uint8Array[] => records(bytes).filter((r) => r[0] === CT.application_data);

/** `data` cut into plaintext handshake records of at most `size` bytes each. */
export function fragment(type: number, data: Uint8Array, size: number): Uint8Array {
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.length; off += size) out.push(record(type, data.subarray(off, off + size)));
  return concatBytes(...out);
}

/**
 * The alerts in `bytes`: plaintext ones as they are, protected ones opened under whichever of
 * `secrets` (tried from sequence number 0 to 7) authenticates them.
 */
export function alertsIn(bytes: Uint8Array, suite: CipherSuiteImpl | undefined, secrets: Uint8Array[] = []): { level: number; description: number }[] {
  const out: { level: number; description: number }[] = [];
  for (const r of records(bytes)) {
    if (r[0] === CT.alert) out.push({ level: r[5]!, description: r[6]! });
    if (r[0] !== CT.application_data || !suite) continue;
    for (const secret of secrets) {
      const opened = openAt(suite, secret, r);
      if (opened?.type === CT.alert) out.push({ level: opened.content[0]!, description: opened.content[1]! });
      if (opened) break;
    }
  }
  return out;
}

function openAt(suite: CipherSuiteImpl, secret: Uint8Array, r: Uint8Array): { type: number; content: Uint8Array } | null {
  for (let seq = 0; seq < 8; seq++) {
    const state = new CipherState(trafficKeys(suite, secret), seq);
    const plain = state.open(r.subarray(0, 5), r.subarray(5));
    if (plain === null) continue;
    let end = plain.length;
    while (end > 0 && plain[end - 1] === 0) end--;
    return { type: plain[end - 1]!, content: plain.subarray(0, end - 1) };
  }
  return null;
}

/**
 * `f` fails with the alert `name` raised by `l` itself (not a peer's alert); the connection keeps
 * that error, and its output carries the alert (in the clear, or under one of its logged secrets).
 */
export function expectLocalAlert(l: Logged, f: () => void, name: AlertName): TlsError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'a TlsError was thrown').toBeInstanceOf(TlsError);
  const err = caught as TlsError;
  expect(err).not.toBeInstanceOf(PeerAlertError);
  expect(err.alertName, err.message).toBe(name);
  expect(l.conn.error).toBe(err);
  const suite = l.conn.parameters.cipherSuite === undefined ? undefined : suiteOf(l.conn);
  const alerts = alertsIn(output(l.conn), suite, [...l.secrets.values()]);
  expect(alerts, 'the alert went on the wire').toContainEqual({ level: 2, description: AlertDescription[name] });
  return err;
}

// ---- Connections held at a state ----

/** A client that sent its ClientHello (state ExpectServerHello), and a real server. */
export function clientAtServerHello(extra: Partial<ClientConfig> = {}): { client: Logged; server: Logged; clientHello: Uint8Array } {
  const client = loggedClient(extra);
  const server = loggedServer();
  return { client, server, clientHello: output(client.conn) };
}

/**
 * A client that took the real server's ServerHello (state ExpectEncryptedExtensions); `flight`
 * is the rest of the server's first flight (EncryptedExtensions … Finished) as raw messages,
 * and `sealer` seals as the server under its handshake key, from sequence number 0.
 */
export function clientAtEncryptedExtensions(extra: Partial<ClientConfig> = {}): {
  client: Logged;
  server: Logged;
  flight: Uint8Array[];
  sealer: Protection;
} {
  const { client, server, clientHello } = clientAtServerHello(extra);
  server.conn.receive(clientHello);
  const serverFlight = output(server.conn);
  client.conn.receive(record(CT.handshake, plaintextHandshake(serverFlight)));
  expect(client.conn.error).toBeUndefined();
  return { client, server, flight: server.sent.slice(1), sealer: protection(client, 'SERVER_HANDSHAKE_TRAFFIC_SECRET') };
}

/**
 * Both handshakes complete, the client's Finished delivered; the server's tickets are held back
 * (`heldBack`), so `toClient` seals as the server under its first application key from sequence
 * number 0, and `toServer` as the client (which has sent nothing under it yet).
 */
export function trafficPair(opts: { client?: Partial<ClientConfig>; server?: Partial<ServerConfig> } = {}): {
  client: Logged;
  server: Logged;
  toClient: Protection;
  toServer: Protection;
  heldBack: Uint8Array;
} {
  const client = loggedClient(opts.client);
  const server = loggedServer(opts.server);
  server.conn.receive(output(client.conn));
  client.conn.receive(output(server.conn));
  server.conn.receive(output(client.conn));
  expect(client.conn.handshakeComplete && server.conn.handshakeComplete).toBe(true);
  return {
    client,
    server,
    toClient: protection(client, 'SERVER_TRAFFIC_SECRET_0'),
    toServer: protection(server, 'CLIENT_TRAFFIC_SECRET_0'),
    heldBack: output(server.conn),
  };
}

/** Delivers everything each side has to the other until both are quiet. */
export function shuttle(a: Connection, b: Connection): void {
  for (let moved = true; moved; ) {
    moved = false;
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const o = output(from);
      if (o.length > 0) {
        to.receive(o);
        moved = true;
      }
    }
  }
}

/** The 'keys' events of one direction at the application epoch: their generations, in order. */
export function generations(l: Logged, direction: 'read' | 'write'): number[] {
  return l.events.flatMap((e) => (e.type === 'keys' && e.direction === direction && e.epoch === 'application' ? [e.generation] : []));
}

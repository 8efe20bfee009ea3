// The negative catalogue's harness: a case is one violation by a scripted peer, the RFC
// section that forbids it, the side that must detect it and the alert it must answer with.
// Every case runs through the in-memory pair (test/helpers/scripted.ts runPair), with
// application data ("canaries") queued on both sides before the handshake so that a case
// also shows that nothing reached the application that should not have.

import { expect } from 'vitest';
import { createClientConnection, createServerConnection } from '../../../src/connection/index.js';
import type { ClientConfig, ServerConfig } from '../../../src/connection/config.js';
import type { Connection, ConnectionEvent } from '../../../src/connection/types.js';
import { AlertDescription, alertName, PeerAlertError, TlsError, type AlertName } from '../../../src/errors.js';
import { nobleProvider } from '../../../src/crypto/noble/index.js';
import type { CipherSuiteImpl } from '../../../src/crypto/provider.js';
import { CipherState } from '../../../src/record/keys.js';
import { trafficKeys } from '../../../src/keyschedule/index.js';
import { ContentType, HandshakeType } from '../../../src/wire/codepoints.js';
import { encodeHandshake } from '../../../src/wire/messages.js';
import type { ClientHello, Extension, HandshakeMessage, ServerHello } from '../../../src/wire/types.js';
import { concatBytes, utf8 } from '../../../src/util/bytes.js';
import { plaintextAlert, runPair, splitRecords, testClientConfig, testServerConfig, type PairOptions, type PairOutcome } from '../../helpers/scripted.js';

export type Side = 'client' | 'server';

export interface Case {
  /** What the misbehaving peer does. */
  title: string;
  /** Where the RFCs forbid it (RFC 9846 first where it differs from RFC 8446). */
  rfc: string;
  /** The side that must detect the violation. */
  detector: Side;
  /** The alert the detector sends, or 'accept' for what the RFC allows (the case checks it). */
  alert: AlertName | 'accept';
  /** The alert goes on the wire in the clear (no keys yet): check its bytes too. */
  plaintext?: boolean;
  /** The misbehaving peer reads the alert back as a PeerAlertError (default true). */
  peerReads?: boolean;
  run(): PairOutcome;
  /** Further checks. */
  check?(o: PairOutcome): void;
}

export const CLIENT_CANARY = utf8('application data from the client');
export const SERVER_CANARY = utf8('application data from the server');

/**
 * runPair with canaries: each side writes application data before the handshake (sent once
 * its handshake completes), so a side that failed must show none of the other's.
 */
export function pair(opts: PairOptions & { canaries?: boolean } = {}): PairOutcome {
  const client = opts.clientConn ?? createClientConnection(testClientConfig(opts.client));
  const server = opts.serverConn ?? createServerConnection(testServerConfig(opts.server));
  if (opts.canaries !== false) {
    client.write(CLIENT_CANARY);
    server.write(SERVER_CANARY);
  }
  return runPair({ clientConn: client, serverConn: server, toServer: opts.toServer, toClient: opts.toClient });
}

/** Run one case and check its outcome. */
export function runCase(c: Case): void {
  const o = c.run();
  if (c.alert === 'accept') {
    expect(o.clientError, 'client error').toBeUndefined();
    expect(o.serverError, 'server error').toBeUndefined();
  } else {
    expectAlert(o, c.detector, AlertDescription[c.alert], { plaintext: c.plaintext, peerReads: c.peerReads });
  }
  c.check?.(o);
}

/**
 * The detector raised `alert` itself (not the peer's), no application data reached it, it keeps
 * failing with the same error, and the peer read the same alert off the wire (or its bytes are
 * on the wire in the clear).
 */
function expectAlert(o: PairOutcome, detector: Side, alert: number, opts: { peerReads?: boolean; plaintext?: boolean } = {}): void {
  const err = detector === 'client' ? o.clientError : o.serverError;
  const want = alertName(alert);
  expect(err, `${detector} error`).toBeInstanceOf(TlsError);
  expect(err, `${detector} raised it (not the peer)`).not.toBeInstanceOf(PeerAlertError);
  expect(err!.alertName, err!.message).toBe(want);
  const conn = detector === 'client' ? o.client : o.server;
  expect(conn.error).toBe(err);
  expect(conn.read(), 'no application data delivered').toBeUndefined();
  expect(conn.readEarlyData(), 'no early data delivered').toBeUndefined();
  if (opts.plaintext) {
    const wire = detector === 'client' ? o.clientWire : o.serverWire;
    expect(plaintextAlert(wire[wire.length - 1]!), 'plaintext alert on the wire').toBe(alert);
  }
  if (opts.peerReads !== false) {
    const peerErr = detector === 'client' ? o.serverError : o.clientError;
    expect(peerErr, `peer of ${detector} reads the alert`).toBeInstanceOf(PeerAlertError);
    expect(peerErr!.alertName).toBe(want);
    const peer = detector === 'client' ? o.server : o.client;
    // The misbehaving peer got no application data from the detector either.
    expect(peer.read()).toBeUndefined();
  }
  expect(() => conn.receive(new Uint8Array([23, 3, 3, 0, 0]))).toThrow(err!);
}

// ---- Rewriting messages (research.beforeSend) ----

export type Hook = (m: HandshakeMessage) => HandshakeMessage | void;

/** A config fragment that rewrites handshake messages before they are sent. */
export const sends = (f: Hook): { research: { beforeSend: Hook } } => ({ research: { beforeSend: f } });

export const isCH = (m: HandshakeMessage): m is ClientHello => m.msgType === HandshakeType.client_hello;
export const isSH = (m: HandshakeMessage): m is ServerHello => m.msgType === HandshakeType.server_hello && !m.isHelloRetryRequest;
export const isHRR = (m: HandshakeMessage): m is ServerHello => m.msgType === HandshakeType.server_hello && m.isHelloRetryRequest;

/** Rewrite the first ClientHello only. */
export function firstHello(f: (m: ClientHello) => HandshakeMessage): Hook {
  let n = 0;
  return (m) => (isCH(m) && n++ === 0 ? f(m) : m);
}

/** Rewrite the ClientHello sent after a HelloRetryRequest only. */
export function secondHello(f: (m: ClientHello) => HandshakeMessage): Hook {
  let n = 0;
  return (m) => (isCH(m) && n++ === 1 ? f(m) : m);
}

/** The handshake message of type `T`. */
export type MessageOf<T extends HandshakeMessage['msgType']> = Extract<HandshakeMessage, { msgType: T }>;

/** Replace the first message of `type` the side sends. */
export function replaceFirst<T extends HandshakeMessage['msgType']>(type: T, f: (m: MessageOf<T>) => HandshakeMessage): Hook {
  let done = false;
  return (m) => {
    if (m.msgType !== type || done) return m;
    done = true;
    return f(m as MessageOf<T>);
  };
}

/** A copy of `b` with the top bit of byte `i` flipped. */
export const flip = (b: Uint8Array, i: number): Uint8Array => {
  const c = b.slice();
  c[i] = c[i]! ^ 0x80;
  return c;
};

export const dropExt = (exts: Extension[], type: number): Extension[] => exts.filter((e) => e.type !== type);
export const setExt = (exts: Extension[], type: number, data: Uint8Array): Extension[] =>
  exts.some((e) => e.type === type) ? exts.map((e) => (e.type === type ? { type, data } : e)) : [...exts, { type, data }];

// ---- Crafting protected records with the keys the engine logged ----

/** What one side logged and sent: its secrets (key log) and the raw handshake messages. */
export interface Capture {
  secrets: Map<string, Uint8Array>;
  sent: Uint8Array[];
}

/** Config fragment that records secrets and sent handshake messages into `cap`. */
export function capture(cap: Capture): Partial<ClientConfig & ServerConfig> {
  return {
    keyLog: (label, _random, secret) => void cap.secrets.set(label, secret.slice()),
    onEvent: (e: ConnectionEvent) => void (e.type === 'handshake' && e.direction === 'sent' && cap.sent.push(e.raw)),
  };
}
export const newCapture = (): Capture => ({ secrets: new Map(), sent: [] });

function suiteOf(conn: Connection): CipherSuiteImpl {
  const id = conn.parameters.cipherSuite;
  const suite = nobleProvider.cipherSuites.find((s) => s.id === id);
  if (!suite) throw new Error('no suite negotiated yet');
  return suite;
}

/** Seals records under one traffic secret from sequence number 0, like a peer would. */
export class Sealer {
  private readonly state: CipherState;
  constructor(suite: CipherSuiteImpl, secret: Uint8Array) {
    this.state = new CipherState(trafficKeys(suite, secret));
  }
  static of(conn: Connection, cap: Capture, label: string): Sealer {
    const secret = cap.secrets.get(label);
    if (!secret) throw new Error(`no ${label} logged`);
    return new Sealer(suiteOf(conn), secret);
  }
  /**
   * One TLSCiphertext: content, then the inner type (omitted when undefined: an all-zero
   * plaintext), then `padding` zeros (RFC 8446 §5.2, §5.4).
   */
  record(innerType: number | undefined, content: Uint8Array, padding = 0): Uint8Array {
    const inner = concatBytes(content, innerType === undefined ? new Uint8Array(0) : Uint8Array.of(innerType), new Uint8Array(padding));
    const len = inner.length + this.state.aead.tagLen;
    const header = Uint8Array.of(ContentType.application_data, 3, 3, len >> 8, len & 0xff);
    return concatBytes(header, this.state.seal(header, inner));
  }
  handshake(...msgs: Uint8Array[]): Uint8Array {
    return this.record(ContentType.handshake, concatBytes(...msgs));
  }
}

/** The plaintext records at the start of a flight (ServerHello, CCS), before the first protected one. */
export function plaintextPrefix(bytes: Uint8Array): Uint8Array {
  const out: Uint8Array[] = [];
  for (const r of splitRecords(bytes)) {
    if (r[0] === ContentType.application_data) break;
    out.push(r);
  }
  return concatBytes(...out);
}

export const hs = (m: HandshakeMessage): Uint8Array => encodeHandshake(m);

// RFC 8448 replayed through the engine in both roles, byte for byte, with injected randomness.
// §3 simple 1-RTT, §5 HelloRetryRequest, §7 compatibility mode — once per crypto provider.

import { describe, expect, it } from 'vitest';
import { loadTrace, type Trace, type TraceName } from '../../vectors/rfc8448/index.js';
import { createClientConnection, createServerConnection } from '../../src/connection/index.js';
import type { ClientConfig, ServerConfig } from '../../src/connection/config.js';
import { createNobleProvider } from '../../src/crypto/noble/index.js';
import { createNodeProvider } from '../../src/crypto/node/index.js';
import { createWebCryptoProvider } from '../../src/crypto/webcrypto/index.js';
import type { CryptoProvider, RandomSource, SigningKey } from '../../src/crypto/provider.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { decodeHandshake } from '../../src/wire/messages.js';
import { ExtensionType, HandshakeType } from '../../src/wire/codepoints.js';
import type { Extension, HandshakeMessage } from '../../src/wire/types.js';
import { fromHex, toHex } from '../../src/util/bytes.js';
import type { ServerCertificateVerifier } from '../../src/x509/verify.js';
import { decodeEarlyDataTicket, decodePreSharedKeyClient } from '../../src/wire/extensions.js';
import { MemoryAntiReplay } from '../../src/resumption/anti-replay.js';

/** Every provider replays the same traces; each takes the scripted randomness. */
type MakeProvider = (opts: { random: RandomSource }) => CryptoProvider;
const PROVIDERS: [string, MakeProvider][] = [
  ['noble', createNobleProvider],
  ['node', createNodeProvider],
  ['webcrypto', createWebCryptoProvider],
];

/** Randomness that hands out exactly the scripted values, in order. */
function scriptedRandom(values: Uint8Array[]): RandomSource & { remaining(): number } {
  const queue = [...values];
  const fn = (out: Uint8Array): void => {
    const next = queue.shift();
    if (!next) throw new Error(`scripted random exhausted (asked for ${out.length} bytes)`);
    if (next.length !== out.length) throw new Error(`scripted random: asked for ${out.length} bytes, next value has ${next.length}`);
    out.set(next);
  };
  return Object.assign(fn, { remaining: () => queue.length });
}

// What NSS (which made the traces) offers, beyond our defaults.
const NSS_SCHEMES = [0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201, 0x0402, 0x0502, 0x0602, 0x0202];
const NSS_SUITES = [0x1301, 0x1303, 0x1302];
const NSS_GROUPS = [0x1d, 0x17, 0x18, 0x19, 0x100, 0x101, 0x102, 0x103, 0x104];

/** Insert `ext` right after the extension of type `after`. */
function insertAfter(exts: Extension[], after: number, ext: Extension): Extension[] {
  const i = exts.findIndex((e) => e.type === after);
  if (i < 0) throw new Error(`no extension ${after} to insert after`);
  return [...exts.slice(0, i + 1), ext, ...exts.slice(i + 1)];
}

const RENEGOTIATION_INFO: Extension = { type: 0xff01, data: new Uint8Array([0]) };
const SESSION_TICKET: Extension = { type: 0x0023, data: new Uint8Array(0) };

/** NSS's renegotiation_info, right after server_name in a ClientHello. */
function withRenegotiationInfo(msg: HandshakeMessage): HandshakeMessage {
  if (msg.msgType !== HandshakeType.client_hello) return msg;
  return { ...msg, extensions: insertAfter(msg.extensions, ExtensionType.server_name, RENEGOTIATION_INFO) };
}

const hex = (b: Uint8Array | undefined): string => (b ? toHex(b) : '');


/** The trace's NewSessionTicket (NSS's ticket is opaque to us), if the trace has one. */
function traceTicketMessage(t: Trace): Extract<HandshakeMessage, { msgType: 4 }> | undefined {
  const m = t.messages.find((x) => x.side === 'server' && x.type === 'NewSessionTicket');
  const msg = m && decodeHandshake(fromHex(m.hex));
  return msg?.msgType === HandshakeType.new_session_ticket ? msg : undefined;
}

/** Our server's ticket becomes the trace's: same lifetime, age_add and nonce; NSS's opaque ticket. */
function traceTicket(msg: HandshakeMessage, t: Trace): HandshakeMessage {
  if (msg.msgType !== HandshakeType.new_session_ticket) return msg;
  const theirs = traceTicketMessage(t)!;
  expect(msg.ticketAgeAdd).toBe(theirs.ticketAgeAdd);
  return theirs;
}


function message(t: Trace, side: 'client' | 'server', type: string, occurrence = 0): HandshakeMessage {
  const m = t.messages.filter((x) => x.side === side && x.type === type)[occurrence];
  if (!m) throw new Error(`no ${side} ${type}`);
  return decodeHandshake(fromHex(m.hex));
}

/** Accept the trace's certificate (its chain is a self-signed test certificate; PKI is tested elsewhere). */
const acceptTraceCertificate: ServerCertificateVerifier = {
  verify: ({ chain }) => {
    const leaf = parseCertificate(chain[0]!);
    return { chain: [leaf], leaf };
  },
};

interface Case {
  name: TraceName;
  clientRandom: (t: Trace) => Uint8Array[];
  serverRandom: (t: Trace) => Uint8Array[];
  client: Partial<ClientConfig>;
  server: Partial<ServerConfig>;
  clientHello: (msg: HandshakeMessage, t: Trace) => HandshakeMessage;
  serverHook?: (msg: HandshakeMessage, t: Trace) => HandshakeMessage;
  /** Config that needs the trace (client certificates, client authentication). */
  clientExtra?: (t: Trace) => Partial<ClientConfig>;
  serverExtra?: (t: Trace) => Partial<ServerConfig>;
}

/** The server's supported_groups in EncryptedExtensions, as NSS sends it. */
function serverGroupsInEe(msg: HandshakeMessage, t: Trace): HandshakeMessage {
  if (msg.msgType !== HandshakeType.encrypted_extensions) return msg;
  const traceEe = message(t, 'server', 'EncryptedExtensions');
  if (traceEe.msgType !== HandshakeType.encrypted_extensions) throw new Error('bad trace');
  const groups = traceEe.extensions.find((e) => e.type === ExtensionType.supported_groups);
  return groups ? { ...msg, extensions: [groups, ...msg.extensions] } : msg;
}

const cases: Case[] = [
  {
    name: 'simple-1rtt',
    clientRandom: (t) => [t.value('client_x25519_private_key'), t.value('client_random')],
    serverRandom: (t) => [t.value('server_x25519_private_key'), t.value('server_random')],
    client: { groups: NSS_GROUPS, keyShareGroups: [0x1d] },
    server: {},
    clientHello: (msg) => {
      if (msg.msgType !== HandshakeType.client_hello) return msg;
      let exts = insertAfter(msg.extensions, ExtensionType.server_name, RENEGOTIATION_INFO);
      exts = insertAfter(exts, ExtensionType.supported_groups, SESSION_TICKET);
      return { ...msg, extensions: exts };
    },
    serverHook: serverGroupsInEe,
  },
  {
    name: 'compat-mode',
    clientRandom: (t) => [
      t.get('client', 'create an ephemeral x25519 key pair', 'private key'),
      fromHex(t.messages[0]!.hex).subarray(6, 38),
      fromHex(t.messages[0]!.hex).subarray(39, 71),
    ],
    serverRandom: (t) => [
      t.get('server', 'create an ephemeral x25519 key pair', 'private key'),
      fromHex(t.messages.find((m) => m.type === 'ServerHello')!.hex).subarray(6, 38),
    ],
    client: { groups: NSS_GROUPS, keyShareGroups: [0x1d], middleboxCompat: true },
    server: {},
    clientHello: withRenegotiationInfo,
    serverHook: serverGroupsInEe,
  },
  {
    name: 'hello-retry-request',
    clientRandom: (t) => [t.value('client_x25519_private_key'), t.value('client_random'), t.value('client_p256_private_key')],
    // A placeholder for our cookie (the hook puts the trace's cookie in its place), then the P-256 key, then the random.
    serverRandom: (t) => [new Uint8Array(32), t.value('server_p256_private_key'), t.value('server_random')],
    client: { groups: [0x1d, 0x17, 0x18], keyShareGroups: [0x1d] },
    server: { groups: [0x17], requireCookie: true },
    clientHello: (msg, t) => {
      if (msg.msgType !== HandshakeType.client_hello) return msg;
      const exts = insertAfter(msg.extensions, ExtensionType.server_name, RENEGOTIATION_INFO);
      // NSS pads the second ClientHello (RFC 7685) as the trace shows.
      const ch2 = message(t, 'client', 'ClientHello', 1);
      const padding = ch2.msgType === HandshakeType.client_hello ? ch2.extensions.find((e) => e.type === ExtensionType.padding) : undefined;
      const isSecond = msg.extensions.some((e) => e.type === ExtensionType.cookie);
      return { ...msg, extensions: isSecond && padding ? [...exts, padding] : exts };
    },
    serverHook: (msg, t) => {
      if (msg.msgType === HandshakeType.server_hello && msg.isHelloRetryRequest) {
        const hrr = message(t, 'server', 'HelloRetryRequest');
        if (hrr.msgType !== HandshakeType.server_hello) throw new Error('bad trace');
        const cookie = hrr.extensions.find((e) => e.type === ExtensionType.cookie)!;
        return { ...msg, extensions: msg.extensions.map((e) => (e.type === ExtensionType.cookie ? cookie : e)) };
      }
      return serverGroupsInEe(msg, t);
    },
  },
  {
    name: 'client-auth',
    clientRandom: (t) => [t.value('client_x25519_private_key'), t.value('client_random')],
    serverRandom: (t) => [t.value('server_x25519_private_key'), t.value('server_random')],
    client: { groups: NSS_GROUPS, keyShareGroups: [0x1d] },
    server: {},
    clientHello: withRenegotiationInfo,
    // NSS's CertificateRequest lists its own schemes and no certificate_authorities.
    serverHook: (msg, t) =>
      msg.msgType === HandshakeType.certificate_request ? message(t, 'server', 'CertificateRequest') : serverGroupsInEe(msg, t),
    clientExtra: (t) => {
      const cert = message(t, 'client', 'Certificate');
      const cv = message(t, 'client', 'CertificateVerify');
      if (cert.msgType !== HandshakeType.certificate || cv.msgType !== HandshakeType.certificate_verify) throw new Error('bad trace');
      // The client's RSA-PSS salt is random too: inject its signature.
      return {
        clientCertificates: [
          { chain: cert.certificateList.map((e) => e.data), key: { schemes: [cv.algorithm], signer: (scheme) => ({ scheme, sign: () => cv.signature }) } },
        ],
      };
    },
    serverExtra: () => ({
      clientAuth: { mode: 'required', sendAuthorities: false, verifier: { verify: ({ chain }) => acceptTraceCertificate.verify({ chain, now: new Date() }) } },
    }),
  },
];

function clientConfig(c: Case, t: Trace, make: MakeProvider, random: RandomSource, keyLog: Map<string, string>): ClientConfig {
  return {
    provider: make({ random }),
    serverName: 'server',
    cipherSuites: NSS_SUITES,
    signatureSchemes: NSS_SCHEMES,
    recordSizeLimit: 0x4001,
    verifier: acceptTraceCertificate,
    keyLog: (label, _cr, secret) => keyLog.set(label, toHex(secret)),
    research: { beforeSend: (m) => c.clientHello(m, t) },
    ...c.client,
    ...c.clientExtra?.(t),
  };
}

function traceSigningKey(t: Trace): { chain: Uint8Array[]; key: SigningKey } {
  const cert = message(t, 'server', 'Certificate');
  const cv = message(t, 'server', 'CertificateVerify');
  if (cert.msgType !== HandshakeType.certificate || cv.msgType !== HandshakeType.certificate_verify) throw new Error('bad trace');
  // The RSA-PSS salt is random: inject the trace's signature (RFC 8448 §3 says so too).
  const key: SigningKey = {
    schemes: [cv.algorithm],
    signer: (scheme) => ({ scheme, sign: () => cv.signature }),
  };
  return { chain: cert.certificateList.map((e) => e.data), key };
}

/** Every secret the key log reports equals the trace's (RFC 8448 prints them all). */
function expectSecrets(keyLog: Map<string, string>, t: Trace, early: boolean): void {
  const want: [string, string][] = [
    ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'c_hs_traffic'],
    ['SERVER_HANDSHAKE_TRAFFIC_SECRET', 's_hs_traffic'],
    ['CLIENT_TRAFFIC_SECRET_0', 'c_ap_traffic'],
    ['SERVER_TRAFFIC_SECRET_0', 's_ap_traffic'],
    ['EXPORTER_SECRET', 'exp_master'],
    ...(early ? ([['CLIENT_EARLY_TRAFFIC_SECRET', 'c_e_traffic'], ['EARLY_EXPORTER_SECRET', 'e_exp_master']] as [string, string][]) : []),
  ];
  for (const [label, name] of want) expect(keyLog.get(label), label).toBe(toHex(t.value(name)));
}

interface Replayable {
  readonly handshakeComplete: boolean;
  readonly pending: Promise<void> | undefined;
  process(): void;
  readEarlyData(): Uint8Array | undefined;
  receive(data: Uint8Array): void;
  takeOutput(): Uint8Array | undefined;
  write(data: Uint8Array): void;
  read(): Uint8Array | undefined;
  close(): void;
}

/**
 * Walk the trace's records in order: our side's records must come out of the engine byte for
 * byte (consecutive ones compared together), the peer's are fed in, and data must arrive intact.
 * A synchronous provider (noble, node) must never leave a pending step; an async one (webcrypto:
 * SubtleCrypto key exchange and CertificateVerify) is awaited after every input.
 */
async function replay(conn: Replayable, t: Trace, side: 'client' | 'server', mayWait: boolean): Promise<void> {
  const settle = async (): Promise<void> => {
    while (conn.pending) {
      if (!mayWait) throw new Error('a synchronous provider left a pending step');
      await conn.pending;
      conn.process();
    }
  };
  await settle();
  let expected: string[] = [];
  const flush = (): void => {
    expect(hex(conn.takeOutput())).toBe(expected.join(''));
    expected = [];
  };
  for (const r of t.records) {
    if (r.side === side) {
      // 0-RTT data is given to the client up front (ClientConfig.earlyData); later data is written.
      if (r.type === 'application_data' && conn.handshakeComplete) conn.write(fromHex(r.payload));
      else if (r.type === 'application_data' && side === 'server') conn.write(fromHex(r.payload));
      if (r.type === 'alert') conn.close();
      expected.push(r.record);
    } else {
      if (expected.length > 0) flush();
      const early = r.type === 'application_data' && !conn.handshakeComplete;
      conn.receive(fromHex(r.record));
      await settle();
      if (early) expect(hex(conn.readEarlyData())).toBe(r.payload);
      else if (r.type === 'application_data') expect(hex(conn.read())).toBe(r.payload);
    }
  }
  if (expected.length > 0) flush();
}

describe.each(PROVIDERS)('%s provider', (name, make) => {
  const mayWait = name === 'webcrypto';
  describe.each(cases)('RFC 8448 $name', (c) => {
    const t = loadTrace(c.name);

    it('client role: every record byte for byte, every secret', async () => {
      const random = scriptedRandom(c.clientRandom(t));
      const keyLog = new Map<string, string>();
      const client = createClientConnection(clientConfig(c, t, make, random, keyLog));
      await replay(client, t, 'client', mayWait);
      expect(random.remaining()).toBe(0);
      expect(client.handshakeComplete).toBe(true);
      expect(client.peerClosed).toBe(true);
      expectSecrets(keyLog, t, false);
    });

    it('server role: every record byte for byte, every secret', async () => {
      const ticket = traceTicketMessage(t);
      // The ticket's ticket_age_add is drawn from the random source after the handshake.
      const ageAdd = ticket ? new Uint8Array(new Uint32Array([0]).buffer).fill(0) : undefined;
      if (ticket && ageAdd) new DataView(ageAdd.buffer).setUint32(0, ticket.ticketAgeAdd);
      const random = scriptedRandom([...c.serverRandom(t), ...(ageAdd ? [ageAdd] : [])]);
      const keyLog = new Map<string, string>();
      const { chain, key } = traceSigningKey(t);
      const server = createServerConnection({
        provider: make({ random }),
        certificateChain: chain,
        signingKey: key,
        cipherSuites: NSS_SUITES,
        recordSizeLimit: 0x4001,
        keyLog: (label, _cr, secret) => keyLog.set(label, toHex(secret)),
        research: { beforeSend: (m) => traceTicket(c.serverHook ? c.serverHook(m, t) : m, t) },
        tickets: { count: ticket ? 1 : 0, issuer: { issue: () => new Uint8Array(1), redeem: () => undefined } },
        ...c.server,
        ...c.serverExtra?.(t),
      });
      await replay(server, t, 'server', mayWait);
      expect(random.remaining()).toBe(0);
      expect(server.handshakeComplete).toBe(true);
      if (c.name === 'client-auth') {
        // The server verified the client's RSA-PSS CertificateVerify and knows its certificate.
        const clientCert = message(t, 'client', 'Certificate');
        if (clientCert.msgType !== HandshakeType.certificate) throw new Error('bad trace');
        expect(server.parameters.peerCertificates).toEqual([clientCert.certificateList[0]!.data]);
      }
      expect(server.peerClosed).toBe(true);
      expectSecrets(keyLog, t, false);
    });
  });

  // ---- RFC 8448 §4: resumption with 0-RTT, using §3's ticket ----

  describe('RFC 8448 resumed-0rtt', () => {
    const t3 = loadTrace('simple-1rtt');
    const t = loadTrace('resumed-0rtt');
    const ticket = traceTicketMessage(t3)!;
    const ch = decodeHandshake(t.value('ClientHello'));
    if (ch.msgType !== HandshakeType.client_hello) throw new Error('bad trace');
    const offered = decodePreSharedKeyClient(ch.extensions.find((e) => e.type === ExtensionType.pre_shared_key)!.data);
    const obfuscatedAge = offered.identities[0]!.obfuscatedTicketAge;
    const ageMs = (obfuscatedAge - ticket.ticketAgeAdd) >>> 0;
    const maxEarly = decodeEarlyDataTicket(ticket.extensions.find((e) => e.type === ExtensionType.early_data)!.data);
    const receivedAt = Date.UTC(2019, 0, 1);
    const now = new Date(receivedAt + ageMs);
    const earlyRecord = t.records.find((r) => r.side === 'client' && r.type === 'application_data')!;
    const padding = ch.extensions.find((e) => e.type === ExtensionType.padding)!;
    const nssHello = (m: HandshakeMessage): HandshakeMessage => {
      if (m.msgType !== HandshakeType.client_hello) return m;
      let exts = insertAfter(m.extensions, ExtensionType.server_name, RENEGOTIATION_INFO);
      const i = exts.findIndex((e) => e.type === ExtensionType.pre_shared_key);
      exts = [...exts.slice(0, i), padding, ...exts.slice(i)];
      return { ...m, extensions: exts };
    };

    it('t3 resumption PSK is the PSK of §4', () => {
      expect(toHex(t3.value('resumption_psk'))).toBe(toHex(t.value('psk')));
    });

    it('client role: exact ClientHello with binder, 0-RTT data, EndOfEarlyData, every secret', async () => {
      const keyLog = new Map<string, string>();
      const random = scriptedRandom([t.value('client_x25519_private_key'), t.value('client_random')]);
      const client = createClientConnection({
        provider: make({ random }),
        serverName: 'server',
        cipherSuites: NSS_SUITES,
        groups: NSS_GROUPS,
        signatureSchemes: NSS_SCHEMES,
        recordSizeLimit: 0x4001,
        verifier: acceptTraceCertificate,
        now: () => now,
        session: {
          serverName: 'server',
          cipherSuite: 0x1301,
          ticket: ticket.ticket,
          psk: t3.value('resumption_psk'),
          ticketAgeAdd: ticket.ticketAgeAdd,
          lifetimeSeconds: ticket.ticketLifetime,
          receivedAt,
          maxEarlyDataSize: maxEarly,
          // §3's server certificate: a verifying client offers a session only for a chain it accepts.
          peerCertificates: traceSigningKey(t3).chain,
        },
        earlyData: fromHex(earlyRecord.payload),
        keyLog: (label, _cr, secret) => keyLog.set(label, toHex(secret)),
        research: { beforeSend: nssHello },
      });
      await replay(client, t, 'client', mayWait);
      expect(random.remaining()).toBe(0);
      expect(client.parameters.resumed).toBe(true);
      expect(client.parameters.earlyData).toBe('accepted');
      expectSecrets(keyLog, t, true);
    });

    it('server role: binder verified, 0-RTT accepted and read as early data, exact flight, every secret', async () => {
      const keyLog = new Map<string, string>();
      const random = scriptedRandom([t.value('server_x25519_private_key'), t.value('server_random')]);
      const { chain, key } = traceSigningKey(t3);
      const server = createServerConnection({
        provider: make({ random }),
        certificateChain: chain,
        signingKey: key,
        cipherSuites: NSS_SUITES,
        recordSizeLimit: 0x4001,
        now: () => now,
        tickets: {
          count: 0,
          // NSS's ticket is opaque: this issuer knows it and what it stands for.
          issuer: {
            issue: () => new Uint8Array(1),
            redeem: (id) =>
              toHex(id) === toHex(ticket.ticket)
                ? {
                    cipherSuite: 0x1301,
                    psk: t3.value('resumption_psk'),
                    issuedAt: receivedAt,
                    authenticatedAt: receivedAt,
                    lifetimeSeconds: ticket.ticketLifetime,
                    ageAdd: ticket.ticketAgeAdd,
                    maxEarlyDataSize: maxEarly,
                    peerCertificates: [],
                  }
                : undefined,
          },
        },
        earlyData: { maxEarlyDataSize: maxEarly, antiReplay: new MemoryAntiReplay() },
        keyLog: (label, _cr, secret) => keyLog.set(label, toHex(secret)),
        research: { beforeSend: (m) => serverGroupsInEe(m, t) },
      });
      await replay(server, t, 'server', mayWait);
      expect(random.remaining()).toBe(0);
      expect(server.parameters.resumed).toBe(true);
      expect(server.parameters.earlyData).toBe('accepted');
      expectSecrets(keyLog, t, true);
    });
  });
});

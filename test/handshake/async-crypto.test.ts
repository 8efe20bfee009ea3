// Key exchange and the CertificateVerify check as pending steps: an in-memory pair whose
// providers answer KeyExchangeGroup.start, KeyExchange.complete and handshakeVerifier.verify
// with Promises (settled on a later macrotask), in both roles, with HelloRetryRequest, client
// authentication, and the alerts for a bad key share (illegal_parameter, RFC 8446 §4.2.8) and a
// bad CertificateVerify signature (decrypt_error, RFC 8446 §4.4.3). Synchronous providers
// never leave a pending step.

import { beforeAll, describe, expect, it } from 'vitest';
import { createClientConnection, createServerConnection } from '../../src/connection/index.js';
import type { ClientConfig, ServerConfig } from '../../src/connection/config.js';
import type { Connection } from '../../src/connection/types.js';
import { nobleProvider, signingKeyFromMaterial } from '../../src/crypto/noble/index.js';
import type { CryptoProvider, KeyExchange, KeyExchangeGroup, PublicKey } from '../../src/crypto/provider.js';
import { AlertDescription as A, PeerAlertError, TlsError } from '../../src/errors.js';
import { encodeKeyShareClient, encodeKeyShareServer } from '../../src/wire/extensions.js';
import { ExtensionType, HandshakeType, NamedGroup } from '../../src/wire/codepoints.js';
import type { HandshakeMessage } from '../../src/wire/types.js';
import { mintTestPki, type TestPki } from '../../src/testing/mint.js';
import { WebPkiServerVerifier } from '../../src/x509/verify.js';
import { WebPkiClientVerifier } from '../../src/x509/client-verify.js';
import { utf8 } from '../../src/util/bytes.js';
import { settlePair } from '../helpers/scripted.js';
import { connectPair } from '../../src/testing/memory.js';

/** Settles on a later macrotask, as SubtleCrypto may. */
function later<T>(f: () => T | Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) =>
    setTimeout(() => {
      try {
        resolve(f());
      } catch (e) {
        reject(e);
      }
    }, 1),
  );
}

interface Calls {
  start: number;
  complete: number;
  verify: number;
}

/** noble, with key exchange and CertificateVerify checks answered by Promises. */
function asyncProvider(calls: Calls, tweak: { verify?: () => Promise<boolean>; start?: () => Promise<KeyExchange> } = {}): CryptoProvider {
  const wrap = (kx: KeyExchange): KeyExchange => ({
    group: kx.group,
    publicKey: kx.publicKey,
    complete: (peer) => {
      calls.complete++;
      return later(() => kx.complete(peer));
    },
  });
  const groups: KeyExchangeGroup[] = nobleProvider.groups.map((g) => ({
    id: g.id,
    name: g.name,
    start(random) {
      calls.start++;
      if (tweak.start) return tweak.start();
      const started = g.start(random); // the draw happens now
      return later(async () => wrap(await started));
    },
  }));
  return {
    ...nobleProvider,
    name: 'async-noble',
    groups,
    handshakeVerifier: {
      schemes: nobleProvider.verifier.schemes,
      verify(scheme: number, key: PublicKey, message: Uint8Array, signature: Uint8Array) {
        calls.verify++;
        return tweak.verify ? tweak.verify() : later(() => nobleProvider.verifier.verify(scheme, key, message, signature));
      },
    },
  };
}

const newCalls = (): Calls => ({ start: 0, complete: 0, verify: 0 });

interface Outcome {
  clientError?: TlsError;
  serverError?: TlsError;
  /** Alerts each side put on the wire (plaintext or not: read from the events). */
  clientAlerts: number[];
  serverAlerts: number[];
}

async function pair(clientConfig: ClientConfig, serverConfig: ServerConfig): Promise<Outcome & { client: Connection; server: Connection }> {
  const clientAlerts: number[] = [];
  const serverAlerts: number[] = [];
  const client = createClientConnection({
    ...clientConfig,
    onEvent: (e) => {
      if (e.type === 'alert' && e.direction === 'sent') clientAlerts.push(e.description);
    },
  });
  const server = createServerConnection({
    ...serverConfig,
    onEvent: (e) => {
      if (e.type === 'alert' && e.direction === 'sent') serverAlerts.push(e.description);
    },
  });
  const o = await settlePair(client, server);
  return { ...o, clientAlerts, serverAlerts, client, server };
}

let pki: TestPki;
beforeAll(async () => {
  pki = await mintTestPki({ keyType: 'p256', serverNames: ['localhost'] });
}, 60_000);

function clientConfig(provider: CryptoProvider, extra: Partial<ClientConfig> = {}): ClientConfig {
  return {
    provider,
    serverName: 'localhost',
    verifier: new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }),
    ...extra,
  };
}

function serverConfig(provider: CryptoProvider, extra: Partial<ServerConfig> = {}): ServerConfig {
  return {
    provider,
    certificateChain: [pki.server.certDer, pki.intermediate.certDer],
    signingKey: signingKeyFromMaterial(pki.server.key),
    tickets: { count: 0 },
    ...extra,
  };
}

const mutual = (): Partial<ServerConfig> => ({
  clientAuth: { mode: 'required', verifier: new WebPkiClientVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }) },
});

const clientCertificates = (): ClientConfig['clientCertificates'] => [
  { chain: [pki.client.certDer, pki.intermediate.certDer], key: signingKeyFromMaterial(pki.client.key) },
];

/** Replace the key_share of a ServerHello (not a HelloRetryRequest) or of a ClientHello. */
function badShare(share: Uint8Array): (m: HandshakeMessage) => HandshakeMessage {
  return (m) => {
    if (m.msgType === HandshakeType.server_hello && !m.isHelloRetryRequest) {
      return { ...m, extensions: m.extensions.map((e) => (e.type === ExtensionType.key_share ? { type: e.type, data: encodeKeyShareServer({ group: NamedGroup.x25519, keyExchange: share }) } : e)) };
    }
    if (m.msgType === HandshakeType.client_hello) {
      return { ...m, extensions: m.extensions.map((e) => (e.type === ExtensionType.key_share ? { type: e.type, data: encodeKeyShareClient([{ group: NamedGroup.x25519, keyExchange: share }]) } : e)) };
    }
    return m;
  };
}

/** Flip a bit of the CertificateVerify signature. */
const forgeCertificateVerify = (m: HandshakeMessage): HandshakeMessage => {
  if (m.msgType !== HandshakeType.certificate_verify) return m;
  const signature = m.signature.slice();
  signature[signature.length - 3]! ^= 0x01;
  return { ...m, signature };
};

describe('async key exchange and CertificateVerify checks', () => {
  for (const group of [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.x448]) {
    it(`both roles async, group 0x${group.toString(16)}: each step is a pending step, the handshake completes`, async () => {
      const cc = newCalls();
      const sc = newCalls();
      const client = createClientConnection(clientConfig(asyncProvider(cc), { groups: [group] }));
      // The ClientHello waits for the key share.
      expect(client.pending).toBeDefined();
      expect(client.takeOutput()).toBeUndefined();
      const server = createServerConnection(serverConfig(asyncProvider(sc)));
      const o = await settlePair(client, server);
      expect(o.clientError ?? o.serverError).toBeUndefined();
      expect(client.handshakeComplete && server.handshakeComplete).toBe(true);
      expect(client.parameters.group).toBe(group);
      expect(cc).toEqual({ start: 1, complete: 1, verify: 1 });
      expect(sc).toEqual({ start: 1, complete: 1, verify: 0 });
      client.write(utf8('ping'));
      server.receive(client.takeOutput()!);
      expect(server.read()).toEqual(utf8('ping'));
    });
  }

  it('one side async, the other synchronous: both ways', async () => {
    for (const [cp, sp] of [
      [asyncProvider(newCalls()), nobleProvider],
      [nobleProvider, asyncProvider(newCalls())],
    ] as const) {
      const o = await pair(clientConfig(cp), serverConfig(sp));
      expect(o.clientError ?? o.serverError).toBeUndefined();
      expect(o.client.handshakeComplete && o.server.handshakeComplete).toBe(true);
    }
  });

  it('HelloRetryRequest: the second key share is a pending step too (with a cookie, compatibility mode)', async () => {
    const cc = newCalls();
    const sc = newCalls();
    const o = await pair(
      clientConfig(asyncProvider(cc), { groups: [NamedGroup.x25519, NamedGroup.secp384r1], keyShareGroups: [NamedGroup.x25519], middleboxCompat: true }),
      serverConfig(asyncProvider(sc), { groups: [NamedGroup.secp384r1], requireCookie: true }),
    );
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.client.parameters.helloRetryRequest).toBe(true);
    expect(o.client.parameters.group).toBe(NamedGroup.secp384r1);
    expect(cc.start).toBe(2);
    expect(cc.complete).toBe(1);
    expect(sc.complete).toBe(1);
  });

  it('client authentication: the server checks the client CertificateVerify asynchronously', async () => {
    const cc = newCalls();
    const sc = newCalls();
    const o = await pair(clientConfig(asyncProvider(cc), { clientCertificates: clientCertificates() }), serverConfig(asyncProvider(sc), mutual()));
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.server.parameters.peerCertificates).toHaveLength(2);
    expect(sc.verify).toBe(1);
    expect(cc.verify).toBe(1);
  });

  it('a bad server key share → the client sends illegal_parameter', async () => {
    const o = await pair(clientConfig(asyncProvider(newCalls())), serverConfig(nobleProvider, { research: { beforeSend: badShare(new Uint8Array(32)) } }));
    expect(o.clientError).toBeInstanceOf(TlsError);
    expect(o.clientError).not.toBeInstanceOf(PeerAlertError);
    expect(o.clientError!.alert).toBe(A.illegal_parameter);
    expect(o.clientAlerts).toEqual([A.illegal_parameter]);
    expect(o.serverError).toBeInstanceOf(PeerAlertError);
    expect(o.client.handshakeComplete).toBe(false);
  });

  it('a bad client key share → the server sends illegal_parameter', async () => {
    const o = await pair(clientConfig(nobleProvider, { research: { beforeSend: badShare(new Uint8Array(32)) } }), serverConfig(asyncProvider(newCalls())));
    expect(o.serverError).not.toBeInstanceOf(PeerAlertError);
    expect(o.serverError!.alert).toBe(A.illegal_parameter);
    expect(o.serverAlerts).toEqual([A.illegal_parameter]);
    expect(o.clientError).toBeInstanceOf(PeerAlertError);
  });

  it('a forged server CertificateVerify → the client sends decrypt_error', async () => {
    const o = await pair(clientConfig(asyncProvider(newCalls())), serverConfig(nobleProvider, { research: { beforeSend: forgeCertificateVerify } }));
    expect(o.clientError).not.toBeInstanceOf(PeerAlertError);
    expect(o.clientError!.alert).toBe(A.decrypt_error);
    expect(o.clientAlerts).toEqual([A.decrypt_error]);
    expect(o.serverError).toBeInstanceOf(PeerAlertError);
  });

  it('a forged client CertificateVerify → the server sends decrypt_error', async () => {
    const sc = newCalls();
    const o = await pair(
      clientConfig(nobleProvider, { clientCertificates: clientCertificates(), research: { beforeSend: forgeCertificateVerify } }),
      serverConfig(asyncProvider(sc), mutual()),
    );
    expect(o.serverError).not.toBeInstanceOf(PeerAlertError);
    expect(o.serverError!.alert).toBe(A.decrypt_error);
    expect(o.serverAlerts).toEqual([A.decrypt_error]);
    expect(o.server.handshakeComplete).toBe(false);
  });

  it('a verifier that rejects is decrypt_error too; a key exchange that fails to start is internal_error; nothing escapes', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const v = await pair(clientConfig(asyncProvider(newCalls(), { verify: () => later(() => Promise.reject(new Error('subtle broke'))) })), serverConfig(nobleProvider));
      expect(v.clientError!.alert).toBe(A.decrypt_error);
      expect(v.clientAlerts).toEqual([A.decrypt_error]);
      const s = await pair(clientConfig(asyncProvider(newCalls(), { start: () => later(() => Promise.reject(new Error('no keys today'))) })), serverConfig(nobleProvider));
      expect(s.clientError!.alert).toBe(A.internal_error);
      expect(s.clientAlerts).toEqual([A.internal_error]);
      await new Promise((r) => setTimeout(r, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('synchronous providers never leave a pending step (the handshake runs within receive())', () => {
    const client = createClientConnection(clientConfig(nobleProvider, { clientCertificates: clientCertificates() }));
    const server = createServerConnection(serverConfig(nobleProvider, mutual()));
    const pair = connectPair(client, server);
    for (let i = 0; i < 10 && !(client.handshakeComplete && server.handshakeComplete); i++) {
      expect(client.pending).toBeUndefined();
      pair.transfer('client');
      expect(server.pending).toBeUndefined();
      pair.transfer('server');
    }
    expect(client.pending).toBeUndefined();
    expect(client.handshakeComplete && server.handshakeComplete).toBe(true);
  });
});

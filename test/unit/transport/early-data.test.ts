// The driver's 0-RTT surface with real connections over an in-memory channel pair:
// TlsStream.readEarly()/earlyData() on the server, earlyData through the client config.

import { beforeAll, describe, expect, it } from 'vitest';
import { createClientConnection, createServerConnection } from '../../../src/connection/index.js';
import type { ClientConfig, ServerConfig } from '../../../src/connection/config.js';
import { nobleProvider, signingKeyFromMaterial } from '../../../src/crypto/noble/index.js';
import type { ClientSession } from '../../../src/resumption/types.js';
import { connectPair, streamPair } from '../../../src/testing/memory.js';
import { fromUtf8, utf8 } from '../../../src/util/bytes.js';
import { mintTestPki, type TestPki } from '../../../src/testing/mint.js';
import { WebPkiServerVerifier } from '../../../src/x509/verify.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await mintTestPki({ keyType: 'p256' });
}, 60_000);

const serverConfig = (extra: Partial<ServerConfig> = {}): ServerConfig => ({
  certificateChain: [pki.server.certDer, pki.intermediate.certDer],
  signingKey: signingKeyFromMaterial(pki.server.key),
  ...extra,
});
const clientConfig = (extra: Partial<ClientConfig> = {}): ClientConfig => ({
  serverName: 'localhost',
  verifier: new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }),
  ...extra,
});

/** A full handshake against `config`; returns the last ticket received. */
async function ticket(config: ServerConfig): Promise<ClientSession> {
  const sessions: ClientSession[] = [];
  const pair = connectPair(createClientConnection(clientConfig({ onSession: (s) => sessions.push(s) })), createServerConnection(config));
  await pair.handshake();
  expect(sessions.length).toBeGreaterThan(0);
  return sessions.at(-1)!;
}

describe('TlsStream and 0-RTT', () => {
  it('server: early data via readEarly(), then null; 1-RTT data via read(); the client learns "accepted"', async () => {
    const config = serverConfig({ earlyData: { maxEarlyDataSize: 1024 } });
    const session = await ticket(config);
    const { client, server } = streamPair(
      createClientConnection(clientConfig({ session, earlyData: utf8('GET /early') })),
      createServerConnection(config),
    );
    const early = await server.readEarly(); // usable before the handshake completed
    expect(fromUtf8(early!)).toBe('GET /early');
    const [cp, sp] = await Promise.all([client.handshake(), server.handshake()]);
    expect(cp).toMatchObject({ resumed: true, earlyData: 'accepted' });
    expect(sp).toMatchObject({ resumed: true, earlyData: 'accepted' });
    expect(await server.readEarly()).toBeNull();
    await client.write(utf8('after'));
    expect(fromUtf8((await server.read())!)).toBe('after'); // early bytes never show up in read()
    expect(await client.readEarly()).toBeNull(); // nothing early on the client side
    await Promise.all([client.close(), server.close()]);
  });

  it('earlyData() iterates the early chunks and ends with the handshake', async () => {
    const config = serverConfig({ earlyData: { maxEarlyDataSize: 64 } });
    const session = await ticket(config);
    const { client, server } = streamPair(
      createClientConnection(clientConfig({ session, earlyData: utf8('x'.repeat(64)) })),
      createServerConnection(config),
      { chunkSize: 7 },
    );
    let text = '';
    for await (const c of server.earlyData()) text += fromUtf8(c);
    expect(text).toBe('x'.repeat(64));
    expect(server.connection.handshakeComplete).toBe(true);
    await client.handshake();
    await Promise.all([client.close(), server.close()]);
  });

  it('rejected 0-RTT: the client sees "rejected", nothing reaches readEarly() or read(), a resend arrives once', async () => {
    const session = await ticket(serverConfig({ earlyData: { maxEarlyDataSize: 1024 } }));
    // Another server (other ticket keys, no 0-RTT): a full handshake, the early records skipped.
    const { client, server } = streamPair(
      createClientConnection(clientConfig({ session, earlyData: utf8('lost?') })),
      createServerConnection(serverConfig()),
    );
    expect(await server.readEarly()).toBeNull();
    const cp = await client.handshake();
    expect(cp).toMatchObject({ resumed: false, earlyData: 'rejected' });
    await client.write(utf8('lost?'));
    expect(fromUtf8((await server.read())!)).toBe('lost?');
    await Promise.all([client.close(), server.close()]);
  });

  it('a failure before the handshake completes rejects a pending readEarly()', async () => {
    const { client, server, channels } = streamPair(
      createClientConnection(clientConfig()),
      createServerConnection(serverConfig()),
    );
    const pending = server.readEarly();
    await channels[0].close(); // the client's side goes away before any byte
    await expect(pending).rejects.toThrow();
    await expect(client.handshake()).rejects.toThrow();
  });
});

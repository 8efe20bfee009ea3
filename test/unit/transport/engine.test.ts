// The memory transports and the driver with the real engine.
import { beforeAll, describe, expect, it } from 'vitest';
import { createClientConnection, createServerConnection } from '../../../src/connection/index.js';
import type { ClientConfig, ServerConfig } from '../../../src/connection/config.js';
import { signingKeyFromMaterial } from '../../../src/crypto/index.js';
import { nobleProvider } from '../../../src/crypto/noble/index.js';
import { PeerAlertError, TlsError } from '../../../src/errors.js';
import { connectPair, handshakePair, streamPair } from '../../../src/testing/memory.js';
import { fromUtf8, utf8 } from '../../../src/util/bytes.js';
import { mintTestPki } from '../../../src/testing/mint.js';
import { WebPkiServerVerifier } from '../../../src/x509/verify.js';

let serverConfig: ServerConfig;
let clientConfig: ClientConfig;
let untrusting: ClientConfig;

beforeAll(async () => {
  const pki = await mintTestPki();
  const other = await mintTestPki();
  serverConfig = {
    certificateChain: [pki.server.certDer, pki.intermediate.certDer],
    signingKey: signingKeyFromMaterial(pki.server.key),
    alpn: ['h2'],
  };
  clientConfig = {
    serverName: 'localhost',
    alpn: ['h2'],
    verifier: new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }),
  };
  untrusting = {
    ...clientConfig,
    verifier: new WebPkiServerVerifier({ trustAnchors: [other.root.certDer], verifier: nobleProvider.verifier }),
  };
});

describe('memory pair with the engine', () => {
  it('handshakePair completes (rustls do_handshake style)', async () => {
    const { clientToServer, serverToClient, pair } = await handshakePair(createClientConnection(clientConfig), createServerConnection(serverConfig));
    expect(clientToServer).toBeGreaterThan(0);
    expect(serverToClient).toBeGreaterThan(clientToServer);
    expect(pair.client.parameters).toMatchObject({ version: 'TLSv1.3', alpn: 'h2', serverName: 'localhost' });
    expect(pair.log[0]!.from).toBe('client');
    expect(fromUtf8(await pair.send('client', utf8('abc')))).toBe('abc');
    expect(fromUtf8(await pair.send('server', utf8('def')))).toBe('def');
    await pair.close('client');
    expect(pair.server.peerClosed).toBe(true);
  });

  it('a flipped bit in the server flight: bad_record_mac, and the alert reaches the server', async () => {
    let n = 0;
    const pair = connectPair(createClientConnection(clientConfig), createServerConnection(serverConfig), {
      intercept: (from, b) => {
        if (from !== 'server' || n++ > 0) return b;
        const t = b.slice();
        t[t.length - 1]! ^= 1; // inside the last protected record
        return t;
      },
    });
    const err = await pair.handshake().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TlsError);
    expect((err as TlsError).alertName).toBe('bad_record_mac');
    expect(() => pair.transfer('client')).toThrow(PeerAlertError);
    expect(pair.server.error?.alertName).toBe('bad_record_mac');
  });
});

describe('driver over a memory channel pair with the engine', () => {
  it('handshake, data, key update, half-close, with 7-byte channel chunks', async () => {
    const { client, server } = streamPair(createClientConnection(clientConfig), createServerConnection(serverConfig), { chunkSize: 7 });
    const [cp] = await Promise.all([client.handshake(), server.handshake()]);
    expect(cp.signatureSchemeName).toBe('ecdsa_secp256r1_sha256');
    await client.write(utf8('before update'));
    expect(fromUtf8((await server.read())!)).toBe('before update');
    await client.updateKeys(true);
    await client.write(utf8('after update'));
    expect(fromUtf8((await server.read())!)).toBe('after update');
    await server.write(utf8('server after update'));
    expect(fromUtf8((await client.read())!)).toBe('server after update');
    const closing = client.close();
    expect(await server.read()).toBeNull();
    await server.write(utf8('half-closed reply'));
    expect(fromUtf8((await client.read())!)).toBe('half-closed reply');
    await server.close();
    await closing;
    expect(await client.read()).toBeNull();
  });

  it('verification failure: the client flushes its alert, the server sees it, both channels close', async () => {
    const { client, server, channels } = streamPair(createClientConnection(untrusting), createServerConnection(serverConfig));
    const [ce, se] = await Promise.all([client.handshake().catch((e: unknown) => e), server.handshake().catch((e: unknown) => e)]);
    expect(ce).toBeInstanceOf(TlsError);
    expect(se).toBeInstanceOf(PeerAlertError);
    expect((se as TlsError).alert).toBe((ce as TlsError).alert);
    expect(channels[0].closed && channels[1].closed).toBe(true);
  });
});

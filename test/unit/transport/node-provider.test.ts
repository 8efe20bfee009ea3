// The Node entry points use node:crypto unless told otherwise (config.provider, or
// setDefaultProvider()); server configs keep their identity (tickets resume across connections).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../../src/connection/config.js';
import { setDefaultProvider } from '../../../src/crypto/default.js';
import { nobleProvider } from '../../../src/crypto/noble/index.js';
import { nodeProvider } from '../../../src/crypto/node/index.js';
import type { CryptoProvider } from '../../../src/crypto/provider.js';
import { webCryptoProvider } from '../../../src/crypto/webcrypto/index.js';
import { MemorySessionCache } from '../../../src/resumption/cache.js';
import { connect, createServer, type TlsServer } from '../../../src/node/net.js';
import { connect as tlsConnect, createServer as tlsCreateServer, type TLSSocket } from '../../../src/node/tls/index.js';
import { withNodeProvider } from '../../../src/node/provider.js';
import { chainPem, mintTestPki, type TestPki } from '../../../src/testing/mint.js';
import type { Connection } from '../../../src/connection/types.js';
import { BaseConnection, connectionEngine } from '../../../src/connection/connection.js';
import { WebPkiServerVerifier } from '../../../src/x509/verify.js';

// The provider sits in the connection's private engine.
const providerOf = (s: { connection: Connection }): string => engineProvider(s.connection).name;
function engineProvider(c: Connection): CryptoProvider {
  if (!(c instanceof BaseConnection)) throw new Error('not an engine connection');
  return connectionEngine(c).provider;
}

describe('provider choice in the Node entry points', () => {
  let pki: TestPki;
  let serverConfig: ServerConfig;
  let verifier: WebPkiServerVerifier;
  const servers: TlsServer[] = [];
  beforeAll(async () => {
    pki = await mintTestPki();
    serverConfig = {
      certificateChain: [pki.server.certDer, pki.intermediate.certDer],
      signingKey: nodeProvider.signingKey!(pki.server.key),
    };
    verifier = new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nodeProvider.verifier });
  });
  afterEach(async () => {
    setDefaultProvider(undefined);
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function serve(config: ServerConfig): Promise<{ port: number; seen: string[] }> {
    const seen: string[] = [];
    const server = createServer(config, async (s) => {
      seen.push(providerOf(s));
      await s.close();
    });
    servers.push(server);
    const { port } = await server.listen();
    return { port, seen };
  }

  it('node:crypto by default on both sides; one ticketing per server config, so tickets resume', async () => {
    const { port, seen } = await serve(serverConfig);
    const sessionCache = new MemorySessionCache();
    const first = await connect({ host: '127.0.0.1', port, serverName: 'localhost', verifier, sessionCache });
    expect(providerOf(first)).toBe('node');
    await first.read(); // tickets arrive after the handshake
    await first.close();
    const second = await connect({ host: '127.0.0.1', port, serverName: 'localhost', verifier, sessionCache });
    expect(second.parameters.resumed).toBe(true);
    await second.close();
    expect(seen).toEqual(['node', 'node']);
    // The config's ticketing (made on first use) is what the derived configs share.
    expect(serverConfig.ticketing).toBeDefined();
    expect(withNodeProvider(serverConfig).ticketing).toBe(serverConfig.ticketing);
    expect(withNodeProvider(serverConfig).certificateChain).toBe(serverConfig.certificateChain);
  });

  it('setDefaultProvider() and config.provider take precedence', async () => {
    setDefaultProvider(nobleProvider);
    const { port, seen } = await serve({ ...serverConfig });
    const c1 = await connect({ host: '127.0.0.1', port, serverName: 'localhost', verifier });
    expect(providerOf(c1)).toBe('noble');
    await c1.close();
    const c2 = await connect({ host: '127.0.0.1', port, serverName: 'localhost', verifier, provider: webCryptoProvider });
    expect(providerOf(c2)).toBe('webcrypto');
    await c2.close();
    expect(seen).toEqual(['noble', 'noble']);
    const explicit = await serve({ ...serverConfig, provider: webCryptoProvider });
    const c3 = await connect({ host: '127.0.0.1', port: explicit.port, serverName: 'localhost', verifier });
    await c3.close();
    expect(explicit.seen).toEqual(['webcrypto']);
  });

  it('node:tls-shaped API: node:crypto by default, engine.provider otherwise', async () => {
    const seen: string[] = [];
    let accepted: () => void = () => {};
    const server = tlsCreateServer({ cert: chainPem(pki.server, pki.intermediate), key: pki.server.keyPem }, (s) => {
      seen.push(providerOf(s));
      s.on('error', () => {});
      s.resume();
      accepted();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      for (const provider of [undefined, nobleProvider]) {
        const serverSide = new Promise<void>((r) => (accepted = r));
        const client: TLSSocket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.root.certPem, ...(provider ? { engine: { provider } } : {}) });
        client.on('error', () => {});
        await new Promise<void>((resolve) => client.once('secureConnect', resolve));
        await serverSide;
        expect(providerOf(client)).toBe(provider?.name ?? 'node');
        client.destroy();
      }
      expect(seen).toEqual(['node', 'node']);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

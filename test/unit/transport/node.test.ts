// node.ts end to end with the real engine over loopback TCP.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../../src/connection/config.js';
import { signingKeyFromMaterial } from '../../../src/crypto/index.js';
import { nobleProvider } from '../../../src/crypto/noble/index.js';
import { TlsError } from '../../../src/errors.js';
import { connect, createServer, type TlsServer } from '../../../src/node/net.js';
import { fromUtf8, utf8 } from '../../../src/util/bytes.js';
import { mintTestPki } from '../../../src/testing/mint.js';
import { WebPkiServerVerifier } from '../../../src/x509/verify.js';

describe('node transport (real engine, loopback TCP)', () => {
  let serverConfig: ServerConfig;
  let verifier: WebPkiServerVerifier;
  const servers: TlsServer[] = [];
  beforeAll(async () => {
    const pki = await mintTestPki();
    serverConfig = {
      certificateChain: [pki.server.certDer, pki.intermediate.certDer],
      signingKey: signingKeyFromMaterial(pki.server.key),
      alpn: ['h2', 'http/1.1'],
    };
    verifier = new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier });
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('connect verifies the server (serverName defaults to host, here an IP literal)', async () => {
    const server = createServer(serverConfig, async (s) => {
      await s.write(utf8(s.parameters.serverName ?? 'no sni'));
      await s.close();
    });
    servers.push(server);
    const { port } = await server.listen();
    const client = await connect({ host: '127.0.0.1', port, verifier });
    expect(fromUtf8((await client.read())!)).toBe('no sni');
    expect(await client.read()).toBeNull();
    await client.close();
  });

  it('connect ↔ createServer: handshake, echo, clean close', async () => {
    const errors: unknown[] = [];
    const server = createServer(
      serverConfig,
      async (stream) => {
        for await (const chunk of stream) await stream.write(chunk);
        await stream.close();
      },
      { onError: (e) => errors.push(e) },
    );
    servers.push(server);
    const { port } = await server.listen(0, '127.0.0.1');
    const client = await connect({ host: '127.0.0.1', port, insecureSkipVerify: true, alpn: ['h2'] });
    expect(client.parameters).toMatchObject({ version: 'TLSv1.3', alpn: 'h2', signatureSchemeName: 'ecdsa_secp256r1_sha256' });
    await client.write(utf8('hello over tcp'));
    expect(fromUtf8((await client.read())!)).toBe('hello over tcp');
    const big = new Uint8Array(200_000).map((_, i) => i & 0xff);
    const echoed: Uint8Array[] = [];
    const reading = (async () => {
      let n = 0;
      while (n < big.length) {
        const c = await client.read();
        if (c === null) break;
        echoed.push(c);
        n += c.length;
      }
    })();
    await client.write(big);
    await reading;
    const all = new Uint8Array(echoed.reduce((a, c) => a + c.length, 0));
    let off = 0;
    for (const c of echoed) {
      all.set(c, off);
      off += c.length;
    }
    expect(all).toEqual(big);
    await client.close();
    expect(await client.read()).toBeNull();
    expect(errors).toEqual([]);
  });

  it('a handshake failure reaches both sides as a TlsError', async () => {
    const errors: unknown[] = [];
    const server = createServer({ ...serverConfig, alpn: ['http/1.1'] }, () => {}, { onError: (e) => errors.push(e) });
    servers.push(server);
    const { port } = await server.listen();
    const err = await connect({ host: '127.0.0.1', port, insecureSkipVerify: true, alpn: ['h2'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TlsError);
    expect((err as TlsError).alertName).toBe('no_application_protocol');
    await expect.poll(() => errors.length).toBe(1);
    expect((errors[0] as TlsError).alertName).toBe('no_application_protocol');
  });

  it('connect to a closed port rejects', async () => {
    const server = createServer(serverConfig, () => {});
    const { port } = await server.listen();
    await server.close();
    await expect(connect({ host: '127.0.0.1', port, insecureSkipVerify: true })).rejects.toThrow(/ECONNREFUSED/);
  });
});

// WebSocket transport and the WebSocket ↔ TCP bridge, in Node: the engine over our RFC 6455
// implementation, the bridge in both modes against openssl (s_server, s_client) on 127.0.0.1.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../../src/connection/config.js';
import { signingKeyFromMaterial } from '../../../src/crypto/index.js';
import { nobleProvider } from '../../../src/crypto/noble/index.js';
import { isLoopback, startBridge, type Bridge } from '../../../tools/bridge/bridge.js';
import { acceptWebSocketUpgrade, connectNodeWebSocket, type NodeWebSocket } from '../../../tools/bridge/websocket.js';
import { acceptWebSocket, connectWebSocket } from '../../../src/io/websocket.js';
import { concatBytes, fromUtf8, utf8 } from '../../../src/util/bytes.js';
import { chainPem, mintTestPki } from '../../../src/testing/mint.js';
import { WebPkiServerVerifier } from '../../../src/x509/verify.js';
import { hasOpenssl, killAll, runOpensslClient, startOpensslServer } from '../../helpers/openssl.js';

let serverConfig: ServerConfig;
let clientConfig: ClientConfig;
let files: { dir: string; ca: string; leaf: string; key: string; intermediate: string };
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  const pki = await mintTestPki({ serverNames: ['localhost', '127.0.0.1'] });
  serverConfig = {
    certificateChain: [pki.server.certDer, pki.intermediate.certDer],
    signingKey: signingKeyFromMaterial(pki.server.key),
  };
  clientConfig = {
    serverName: 'localhost',
    verifier: new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }),
  };
  const dir = mkdtempSync(join(tmpdir(), 'tls13-ws-'));
  const f = (n: string, t: string): string => {
    writeFileSync(join(dir, n), t);
    return join(dir, n);
  };
  files = {
    dir,
    ca: f('root.pem', pki.root.certPem),
    leaf: f('leaf.pem', pki.server.certPem),
    intermediate: f('intermediate.pem', chainPem(pki.intermediate)),
    key: f('key.pem', pki.server.keyPem),
  };
  return () => rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await killAll();
});

/** An HTTP server that upgrades every request to a NodeWebSocket. */
async function wsServer(onSocket: (ws: NodeWebSocket) => void, maxMessageBytes?: number): Promise<number> {
  const http = createHttpServer((_q, r) => r.writeHead(426).end());
  http.on('upgrade', (req, socket, head) => {
    const ws = acceptWebSocketUpgrade(req, socket, head, { maxMessageBytes });
    if (ws) onSocket(ws);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  cleanups.push(() => {
    http.closeAllConnections();
    return new Promise<void>((r) => http.close(() => r()));
  });
  return (http.address() as net.AddressInfo).port;
}

describe('RFC 6455 (node-websocket)', () => {
  it('binary and text messages, large frames (64-bit length), fragmentation, close handshake', async () => {
    const got: unknown[] = [];
    let serverWs: NodeWebSocket | undefined;
    const closed = new Promise<number | undefined>((resolve) => {
      void wsServer((ws) => {
        serverWs = ws;
        ws.addEventListener('message', (e) => {
          got.push(e.data);
          ws.send(typeof e.data === 'string' ? e.data.toUpperCase() : new Uint8Array(e.data as ArrayBuffer).reverse());
        });
        ws.addEventListener('close', (e) => resolve((e as { code?: number }).code));
      }).then(async (port) => {
        const ws = await connectNodeWebSocket(`ws://127.0.0.1:${port}/x`);
        const replies: unknown[] = [];
        ws.addEventListener('message', (e) => replies.push(e.data));
        ws.send('hi');
        const big = new Uint8Array(70_000).map((_, i) => i & 0xff);
        ws.send(big);
        // A fragmented message, written by hand: "ab" + "cd" as binary, masked.
        const frame = (first: number, payload: number[]): Buffer => Buffer.from([first, 0x80 | payload.length, 0, 0, 0, 0, ...payload]);
        ws.socket.write(Buffer.concat([frame(0x02, [0x61, 0x62]), frame(0x89, []), frame(0x80, [0x63, 0x64])]));
        await new Promise((r) => setTimeout(r, 100));
        expect(replies[0]).toBe('HI');
        expect(new Uint8Array(replies[1] as ArrayBuffer)).toEqual(big.slice().reverse());
        expect(fromUtf8(new Uint8Array(replies[2] as ArrayBuffer))).toBe('dcba');
        ws.close(1000);
      });
    });
    expect(await closed).toBe(1000);
    expect(got[0]).toBe('hi');
    expect(serverWs!.readyState).toBe(3);
  });

  it('refuses a bad upgrade, an oversized message, and an unmasked client frame', async () => {
    const errors: string[] = [];
    const port = await wsServer((ws) => ws.addEventListener('error', (e) => errors.push(String((e.data as Error).message))), 1000);
    const raw = net.connect({ host: '127.0.0.1', port });
    const reply = await new Promise<string>((r) => {
      raw.on('data', (d: Buffer) => r(d.toString()));
      raw.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\n\r\n');
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    raw.destroy();
    const ws = await connectNodeWebSocket(`ws://127.0.0.1:${port}/`);
    const closeCode = new Promise<number | undefined>((r) => ws.addEventListener('close', (e) => r((e as { code?: number }).code)));
    ws.send(new Uint8Array(2000));
    expect(await closeCode).toBe(1009);
    const ws2 = await connectNodeWebSocket(`ws://127.0.0.1:${port}/`);
    const close2 = new Promise<number | undefined>((r) => ws2.addEventListener('close', (e) => r((e as { code?: number }).code)));
    ws2.socket.write(Buffer.from([0x82, 0x01, 0x41]));
    expect(await close2).toBe(1002);
    expect(errors.join()).toMatch(/message too big.*unmasked client frame/);
  });
});

describe('WebSocket transport (engine on both ends)', () => {
  it('connectWebSocket ↔ acceptWebSocket: handshake, 300 kB echo in 4 KiB messages, clean close', async () => {
    const serverDone = new Promise<void>((resolve, reject) => {
      void wsServer((ws) => {
        void (async () => {
          const tls = await acceptWebSocket(ws, serverConfig);
          for await (const c of tls) await tls.write(c);
          await tls.close();
          resolve();
        })().catch(reject);
      }).then(async (port) => {
        const ws = await connectNodeWebSocket(`ws://127.0.0.1:${port}/`);
        const tls = await connectWebSocket(ws, clientConfig, { maxMessageBytes: 4096 });
        expect(tls.parameters.version).toBe('TLSv1.3');
        const big = new Uint8Array(300_000).map((_, i) => (i * 13) & 0xff);
        const reading = (async () => {
          const parts: Uint8Array[] = [];
          let n = 0;
          while (n < big.length) {
            const c = (await tls.read())!;
            parts.push(c);
            n += c.length;
          }
          return concatBytes(...parts);
        })();
        await tls.write(big);
        expect(await reading).toEqual(big);
        await tls.close();
      }, reject);
    });
    await serverDone;
  });
});

describe('bridge', () => {
  it('isLoopback', () => {
    expect(['127.0.0.1', '127.9.9.9', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'].every(isLoopback)).toBe(true);
    expect(['10.0.0.1', '192.168.1.1', '8.8.8.8', 'example.com', '::'].some(isLoopback)).toBe(false);
  });

  it('refuses non-loopback targets unless allowed, and needs exactly one mode', async () => {
    await expect(startBridge({ listen: { port: 0 }, to: { host: '10.0.0.1', port: 443 } })).rejects.toThrow(/not loopback/);
    await expect(startBridge({ listen: { port: 0, host: '0.0.0.0' }, to: { host: '127.0.0.1', port: 1 } })).rejects.toThrow(/not loopback/);
    await expect(startBridge({ listen: { port: 0 } })).rejects.toThrow(/exactly one/);
  });

  it.runIf(hasOpenssl())('forward: our client over WebSocket → bridge → openssl s_server', async () => {
    const s = await startOpensslServer({ cert: files.leaf, key: files.key, args: ['-cert_chain', files.intermediate, '-naccept', '1', '-rev'] });
    const bridge = await startBridge({ listen: { port: 0 }, to: { host: '127.0.0.1', port: s.port } });
    cleanups.push(() => bridge.close());
    const tls = await connectWebSocket(await connectNodeWebSocket(`ws://127.0.0.1:${bridge.port}/`), clientConfig);
    await tls.write(utf8('hello bridge\n'));
    let got = '';
    while (!got.includes('\n')) got += fromUtf8((await tls.read())!);
    expect(got).toBe('egdirb olleh\n');
    await tls.close();
    expect(bridge.stats.bridged).toBe(1);
  });

  it.runIf(hasOpenssl())('reverse: openssl s_client → bridge → our server on a waiting WebSocket', async () => {
    const bridge: Bridge = await startBridge({ listen: { port: 0 }, accept: { port: 0 } });
    cleanups.push(() => bridge.close());
    const serving = (async () => {
      const tls = await acceptWebSocket(await connectNodeWebSocket(`ws://127.0.0.1:${bridge.port}/`), serverConfig);
      const line = fromUtf8((await tls.read())!);
      await tls.write(utf8(`echo: ${line}`));
      await tls.close();
    })();
    await new Promise((r) => setTimeout(r, 50)); // the WebSocket is waiting
    const r = await runOpensslClient({
      port: bridge.acceptPort!,
      args: ['-CAfile', files.ca, '-servername', 'localhost', '-verify_return_error', '-quiet', '-no_ign_eof'],
      stdin: 'ping\n',
      waitFor: /echo: ping/,
    });
    await serving;
    expect(r.stdout).toContain('echo: ping');
  });

  it('caps connections', async () => {
    const bridge = await startBridge({ listen: { port: 0 }, accept: { port: 0 }, maxConnections: 1 });
    cleanups.push(() => bridge.close());
    const first = await connectNodeWebSocket(`ws://127.0.0.1:${bridge.port}/`);
    await expect(connectNodeWebSocket(`ws://127.0.0.1:${bridge.port}/`)).rejects.toThrow(/503/);
    first.close();
    expect(bridge.stats.refused).toBe(1);
  });
});

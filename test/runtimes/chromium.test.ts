// The engine in headless Chromium (Debian's chromium, driven by playwright-core): bundled by
// esbuild, loaded by a page served on 127.0.0.1, reaching `openssl s_server` over WebSocket
// through the bridge; then our server inside the page, reached by `openssl s_client` through a
// reverse bridge. Exporter and key log are checked against OpenSSL's own.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge } from '../../tools/bridge/bridge.js';
import { killAll, runOpensslClient } from '../helpers/openssl.js';
import { bundleEngine, findChromium, hasOpenssl, pkiOnDisk, reversingServer, type PkiOnDisk } from '../helpers/runtimes.js';

type Engine = typeof import('./entry.js');
type PageWindow = { tls13: Engine };

const chromium = findChromium();
const skipReason = 'missing' in chromium ? chromium.missing : !hasOpenssl() ? 'openssl is not on PATH' : undefined;

let files: PkiOnDisk;
let http: Server;
let browser: Browser | undefined;
let page: Page;
let origin: string;

beforeAll(async () => {
  if (skipReason) return;
  files = await pkiOnDisk('tls13-chromium-');
  const engine = readFileSync(await bundleEngine(files.dir));
  http = createServer((req, res) => {
    if (req.url === '/engine.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(engine);
    else if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(
        '<!doctype html><title>tls13-engine</title><script type="module">import * as e from "./engine.js"; window.tls13 = e;</script>',
      );
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const { chromium: pw } = await import('playwright-core');
  browser = await pw.launch({
    executablePath: 'path' in chromium ? chromium.path : undefined,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage();
  page.on('pageerror', (e) => console.error('[page]', e));
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => 'tls13' in window, undefined, { timeout: 10_000 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  http?.close();
  await killAll();
  files?.cleanup();
});

describe('Chromium', () => {
  it('our client in the page → WebSocket → bridge → openssl s_server (echo; the key log matches OpenSSL)', async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const keylog = join(files.dir, 'openssl-keylog.txt');
    const s = await reversingServer(files, ['-keylogfile', keylog]);
    const bridge = await startBridge({ listen: { port: 0 }, to: { host: '127.0.0.1', port: s.port }, allowedOrigins: [origin] });
    try {
      const result = await page.evaluate(
        async ({ wsUrl, caPem }) => {
          const e = (window as unknown as PageWindow).tls13;
          const keyLog: string[] = [];
          const verifier = new e.WebPkiServerVerifier({ trustAnchors: e.pemDecode(caPem), verifier: e.nobleProvider.verifier });
          const tls = await e.connectWebSocket(wsUrl, { serverName: 'localhost', verifier, keyLog: e.keyLogTo((l) => keyLog.push(l)) });
          await tls.write(new TextEncoder().encode('hello from chromium\n'));
          let got = '';
          while (!got.includes('\n')) got += new TextDecoder().decode((await tls.read()) ?? new Uint8Array());
          const p = tls.parameters;
          await tls.close();
          return { got, keyLog, suite: p.cipherSuiteName, group: p.groupName, ua: navigator.userAgent };
        },
        { wsUrl: `ws://127.0.0.1:${bridge.port}/`, caPem: files.pki.root.certPem },
      );
      expect(result.ua).toMatch(/Chrome\/\d+/);
      expect(result.got).toBe('muimorhc morf olleh\n');
      const ours = result.keyLog.find((l) => l.startsWith('CLIENT_TRAFFIC_SECRET_0 '))!;
      expect(readFileSync(keylog, 'utf8')).toContain(ours.trim());
      expect(bridge.stats.bridged).toBe(1);
    } finally {
      await bridge.close();
      await s.stop();
    }
  });

  it('the webcrypto provider in the page: SubtleCrypto X25519, then P-256 after a HelloRetryRequest, and the CertificateVerify check, against openssl s_server', async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const s = await reversingServer(files, ['-groups', 'P-256']);
    const bridge = await startBridge({ listen: { port: 0 }, to: { host: '127.0.0.1', port: s.port }, allowedOrigins: [origin] });
    try {
      const result = await page.evaluate(
        async ({ wsUrl, caPem }) => {
          const e = (window as unknown as PageWindow).tls13;
          const calls: Record<string, number> = {};
          const real = globalThis.crypto.subtle;
          // Count what the provider asks SubtleCrypto for.
          const subtle = new Proxy(real, {
            get(target, prop) {
              const v: unknown = Reflect.get(target, prop, target);
              if (typeof v !== 'function') return v;
              return (...args: unknown[]): unknown => {
                const alg = args[0] !== null && typeof args[0] === 'object' && 'name' in args[0] ? `:${String(args[0].name)}` : '';
                const k = `${String(prop)}${prop === 'deriveBits' || prop === 'verify' ? alg : ''}`;
                calls[k] = (calls[k] ?? 0) + 1;
                return (v as (...a: unknown[]) => unknown).apply(target, args);
              };
            },
          });
          const provider = e.createWebCryptoProvider({ subtle });
          const verifier = new e.WebCryptoServerVerifier({ trustAnchors: e.pemDecode(caPem), subtle });
          const tls = await e.connectWebSocket(wsUrl, { provider, serverName: 'localhost', verifier });
          await tls.write(new TextEncoder().encode('webcrypto\n'));
          let got = '';
          while (!got.includes('\n')) got += new TextDecoder().decode((await tls.read()) ?? new Uint8Array());
          const p = tls.parameters;
          await tls.close();
          return { got, calls, group: p.groupName, hrr: p.helloRetryRequest, scheme: p.signatureSchemeName };
        },
        { wsUrl: `ws://127.0.0.1:${bridge.port}/`, caPem: files.pki.root.certPem },
      );
      expect(result.got).toBe('otpyrcbew\n');
      expect(result).toMatchObject({ group: 'secp256r1', hrr: true, scheme: 'ecdsa_secp256r1_sha256' });
      // Two key shares imported (X25519, P-256) and read back; one P-256 agreement; the
      // CertificateVerify and the two chain signatures verified, all by SubtleCrypto.
      expect(result.calls).toMatchObject({ exportKey: 2, 'deriveBits:ECDH': 1, 'verify:ECDSA': 3 });
      expect(result.calls['deriveBits:X25519']).toBeUndefined();
    } finally {
      await bridge.close();
      await s.stop();
    }
  });

  it('our server in the page ← WebSocket ← reverse bridge ← openssl s_client (echo; the exporter matches OpenSSL)', async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const bridge = await startBridge({ listen: { port: 0 }, accept: { port: 0 }, allowedOrigins: [origin] });
    try {
      const serving = page.evaluate(
        async ({ wsUrl, chainPem, keyPem }) => {
          const e = (window as unknown as PageWindow).tls13;
          const signingKey = e.signingKeyFromMaterial(e.parsePrivateKeyPem(keyPem));
          const tls = await e.acceptWebSocket(wsUrl, { certificateChain: e.pemDecode(chainPem), signingKey, tickets: { count: 0 } });
          let line = '';
          while (!line.includes('\n')) line += new TextDecoder().decode((await tls.read()) ?? new Uint8Array());
          await tls.write(new TextEncoder().encode(`page echo: ${line}`));
          const p = tls.parameters;
          const exported = Array.from(tls.connection.exportKeyingMaterial('EXPORTER-tls13-test', undefined, 20), (b) => b.toString(16).padStart(2, '0')).join('');
          await tls.close();
          return { line, sni: p.serverName, suite: p.cipherSuiteName, exported };
        },
        { wsUrl: `ws://127.0.0.1:${bridge.port}/`, chainPem: readFileSync(files.chain, 'utf8'), keyPem: files.pki.server.keyPem },
      );
      for (let i = 0; bridge.stats.waiting === 0; i++) {
        if (i > 200) throw new Error('the page never connected to the bridge');
        await new Promise((r) => setTimeout(r, 25));
      }
      const r = await runOpensslClient({
        port: bridge.acceptPort!,
        args: ['-CAfile', files.ca, '-servername', 'localhost', '-verify_return_error', '-no_ign_eof', '-keymatexport', 'EXPORTER-tls13-test', '-keymatexportlen', '20'],
        stdin: 'hello page\n',
        waitFor: /page echo: hello page/,
      });
      const result = await serving;
      expect(r.stdout).toContain('page echo: hello page');
      expect(r.stdout.match(/Keying material: ([0-9A-Fa-f]+)/)?.[1]?.toLowerCase()).toBe(result.exported);
      expect(result).toMatchObject({ line: 'hello page\n', sni: 'localhost', suite: expect.stringMatching(/^TLS_/) });
    } finally {
      await bridge.close();
    }
  });
});

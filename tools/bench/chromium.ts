// `tls13 bench --chromium`: the webcrypto provider against noble in headless Chromium, full
// client handshakes in one page (./chromium-page.ts). Needs the dev dependencies esbuild (to
// bundle the page) and playwright-core (to drive Chromium), and a Chromium binary
// (CHROMIUM_PATH, else /usr/bin/chromium).
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { toHex } from '../../src/util/bytes.js';
import { mintTestPki } from '../../src/testing/mint.js';
import type { PageInput, PageRow } from './chromium-page.js';

export interface ChromiumResult {
  browser: string;
  rows: PageRow[];
  primitives: { nobleMs: number; subtleMs: number };
  /** noble client ms / webcrypto client ms, verifier kept and new. */
  speedup: { kept: number; new: number };
}

const PAGE = fileURLToPath(new URL('./chromium-page.js', import.meta.url));

function chromiumPath(): string {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) if (p && existsSync(p)) return p;
  throw new Error('bench --chromium: no Chromium binary (set CHROMIUM_PATH)');
}

async function optional<T>(name: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch {
    throw new Error(`bench --chromium needs the dev dependency ${name} (npm install)`);
  }
}

export async function runChromium(ms: number): Promise<ChromiumResult> {
  const esbuild = await optional<typeof import('esbuild')>('esbuild');
  const { chromium } = await optional<typeof import('playwright-core')>('playwright-core');
  const bundle = await esbuild.build({ entryPoints: [PAGE], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent' });
  const code = bundle.outputFiles[0]!.text;
  const http = createServer((req, res) => {
    if (req.url === '/page.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(code);
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module">import * as p from "./page.js"; window.bench = p;</script>');
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(http.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => 'bench' in window, undefined, { timeout: 10_000 });
    const pki = await mintTestPki({ keyType: 'p256', serverNames: ['localhost'] });
    if (pki.server.key.kind !== 'ec') throw new Error('bench: expected an EC key');
    const input: PageInput = {
      rootHex: toHex(pki.root.certDer),
      chainHex: [toHex(pki.server.certDer), toHex(pki.intermediate.certDer)],
      key: { kind: 'ec', curve: pki.server.key.curve, d: toHex(pki.server.key.d) },
      ms,
    };
    type PageApi = { bench: typeof import('./chromium-page.js') };
    const rows = await page.evaluate((i) => (window as unknown as PageApi).bench.runPage(i), input);
    const primitives = await page.evaluate((t) => (window as unknown as PageApi).bench.runPrimitives(t), ms);
    const ms_ = (p: string, v: string): number => rows.find((r) => r.provider === p && r.verifier === v)?.clientMs ?? NaN;
    return {
      browser: browser.version(),
      rows,
      primitives,
      speedup: { kept: ms_('noble', 'kept') / ms_('webcrypto', 'kept'), new: ms_('noble', 'new') / ms_('webcrypto', 'new') },
    };
  } finally {
    await browser.close();
    http.close();
  }
}

export function formatChromium(r: ChromiumResult): string {
  const lines = [`Full client handshakes in headless Chromium ${r.browser} (client work only; the server is noble, in the same page)`];
  lines.push('provider    verifier  handshakes  client ms');
  for (const row of r.rows) lines.push(`${row.provider.padEnd(10)}  ${row.verifier.padEnd(8)}  ${String(row.handshakes).padStart(10)}  ${row.clientMs.toFixed(2).padStart(9)}`);
  lines.push(`webcrypto vs noble: ${r.speedup.kept.toFixed(2)}× faster with a kept verifier (chain verified once), ${r.speedup.new.toFixed(2)}× with a new verifier per handshake (target 3×)`);
  lines.push(
    `the client's primitives (x25519 keygen + agreement, 3 ECDSA P-256 verifications): noble ${r.primitives.nobleMs.toFixed(2)} ms, SubtleCrypto ${r.primitives.subtleMs.toFixed(2)} ms (${(r.primitives.nobleMs / r.primitives.subtleMs).toFixed(1)}×)`,
  );
  return lines.join('\n');
}

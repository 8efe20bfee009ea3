// Package hygiene: the browser-safe entry points bundle for the browser with every Node built-in
// refused; `npm pack` gives a package that installs in a scratch project, type-checks through its
// exports map, and completes a handshake there.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chainPem, mintTestPki } from '../../src/testing/mint.js';
import { PROJECT_ROOT } from '../helpers/openssl.js';
import { refuseNodeBuiltins } from '../helpers/runtimes.js';

const dist = (f: string): string => resolve(PROJECT_ROOT, 'dist/src', f);
const TSC = resolve(PROJECT_ROOT, 'node_modules/typescript/bin/tsc');
const scratch = mkdtempSync(join(tmpdir(), 'tls13-package-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function bundleForBrowser(entry: string): Promise<{ ok: boolean; builtins: string[]; errors: string[] }> {
  const { build } = await import('esbuild');
  const builtins: string[] = [];
  try {
    await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
      plugins: [refuseNodeBuiltins(builtins)],
    });
    return { ok: true, builtins, errors: [] };
  } catch (err) {
    return { ok: false, builtins, errors: ((err as { errors?: { text: string }[] }).errors ?? []).map((e) => e.text) };
  }
}

describe('browser hygiene (esbuild, platform browser, Node built-ins refused)', () => {
  it.each([
    'index.js',
    'io/index.js',
    'testing/index.js',
    'crypto/webcrypto/index.js',
    // the deprecated subpaths, kept for this release
    'deprecated/memory.js',
    'deprecated/web-streams.js',
    'deprecated/websocket.js',
    'deprecated/push.js',
    'deprecated/keylog.js',
    'deprecated/trace.js',
  ])(
    'dist/src/%s reaches no Node built-in',
    async (entry) => {
      expect(existsSync(dist(entry)), 'npm test builds dist first').toBe(true);
      const r = await bundleForBrowser(dist(entry));
      expect(r.builtins, r.errors.join('\n')).toEqual([]);
      expect(r.ok).toBe(true);
    },
  );

  it('the check has teeth: the Node transports and the node:crypto provider are refused', async () => {
    for (const entry of ['node/tls/index.js', 'node/index.js']) {
      const r = await bundleForBrowser(dist(entry));
      expect(r.ok, entry).toBe(false);
      expect(r.builtins.join(), entry).toMatch(/node:net/);
    }
    const c = await bundleForBrowser(dist('crypto/node/index.js'));
    expect(c.ok).toBe(false);
    expect(c.builtins.join()).toMatch(/node:crypto/);
  });
});

/** The files `npm pack` would ship, relative to the package root. */
function packedFiles(): string[] {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
}

/** Bare module specifiers a compiled ES module imports (static and dynamic). */
function bareImports(js: string): string[] {
  const specs = [...js.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
  return specs.filter((s) => !s.startsWith('.') && !s.startsWith('node:'));
}

describe('what the package ships', () => {
  it('ships no benchmark, and no shipped module imports a devDependency (esbuild, playwright-core, …)', () => {
    const files = packedFiles();
    expect(files).toContain('dist/src/index.js');
    expect(files).toContain('dist/tools/cli/main.js');
    expect(files).toContain('bin/tls13.js');
    expect(files.filter((f) => f.startsWith('dist/tools/bench/'))).toEqual([]);
    const pkg = JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const dev = new Set(Object.keys(pkg.devDependencies));
    const deps = new Set(Object.keys(pkg.dependencies));
    const packageOf = (spec: string): string => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
    const offenders: string[] = [];
    for (const f of files.filter((f) => f.endsWith('.js'))) {
      for (const spec of bareImports(readFileSync(resolve(PROJECT_ROOT, f), 'utf8'))) {
        const name = packageOf(spec);
        if (dev.has(name) || (!deps.has(name) && name !== pkg.name)) offenders.push(`${f} imports ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe('npm pack → install in a scratch project → use', () => {
  it('installs from the tarball, type-checks (and the README transport examples) against the exports map, and completes a handshake', async () => {
    const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', scratch], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(pack.status, pack.stderr).toBe(0);
    const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const app = join(scratch, 'app');
    rmSync(app, { recursive: true, force: true });
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
    // Dependencies come from npm's cache (npm ci filled it); the registry only if something is missing.
    const install = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', join(scratch, tarball!)], {
      cwd: app,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(install.status, install.stderr).toBe(0);

    const pki = await mintTestPki();
    writeFileSync(join(app, 'pki.json'), JSON.stringify({ root: pki.root.certPem, chain: chainPem(pki.server, pki.intermediate), key: pki.server.keyPem }));
    const program = `
import { readFileSync } from 'node:fs';
import { createClientConnection, createServerConnection, nobleProvider, parsePrivateKeyPem, pemDecode, WebPkiServerVerifier } from 'tls13-engine';
import { nodeProvider } from 'tls13-engine/crypto/node';
import { webCryptoProvider } from 'tls13-engine/crypto/webcrypto';
import * as root from 'tls13-engine';
import { keyLogTo, TlsStream, connectStreams, connectWebSocket, pushChannel } from 'tls13-engine/io';
import { connect, createServer, socketChannel } from 'tls13-engine/node';
import * as nodeTls from 'tls13-engine/node/tls';
import { mintTestPki, streamPair, tracingChannel } from 'tls13-engine/testing';
// The deprecated subpaths still give the same objects.
import * as oldMemory from 'tls13-engine/memory';
import * as oldWebStreams from 'tls13-engine/web-streams';
import * as oldWebSocket from 'tls13-engine/websocket';
import * as oldPush from 'tls13-engine/push';
import * as oldKeyLog from 'tls13-engine/keylog';
import * as oldTrace from 'tls13-engine/trace';
import * as oldTls from 'tls13-engine/tls';
const same: [string, unknown, unknown][] = [
  ['memory', oldMemory.streamPair, streamPair],
  ['web-streams', oldWebStreams.connectStreams, connectStreams],
  ['web-streams TlsStream', oldWebStreams.TlsStream, TlsStream],
  ['websocket', oldWebSocket.connectWebSocket, connectWebSocket],
  ['push', oldPush.pushChannel, pushChannel],
  ['keylog', oldKeyLog.keyLogTo, keyLogTo],
  ['trace', oldTrace.tracingChannel, tracingChannel],
  ['trace TlsStream', oldTrace.TlsStream, TlsStream],
  ['tls', oldTls.createServer, nodeTls.createServer],
];
for (const [what, a, b] of same) if (a !== b || a === undefined) throw new Error('deprecated subpath ' + what);
if (typeof connect !== 'function' || typeof createServer !== 'function' || typeof socketChannel !== 'function' || typeof mintTestPki !== 'function') throw new Error('tls13-engine/node, /testing');
// "." has no transports and no test pairs any more.
for (const name of ['connectPair', 'handshakePair', 'streamPair', 'connectStreams', 'acceptStreams', 'startTls', 'connectWebSocket', 'acceptWebSocket', 'TlsStream', 'openTlsStream'])
  if (name in root) throw new Error('tls13-engine exports ' + name);
// tls13-engine/bridge is a command now: importing it fails and says where it went.
const bridge = await import('tls13-engine/bridge').then(() => 'imported', (e: Error) => e.message);
if (!/tls13 bridge/.test(bridge)) throw new Error('tls13-engine/bridge: ' + bridge);
const pki: { root: string; chain: string; key: string } = JSON.parse(readFileSync('pki.json', 'utf8'));
const lines: string[] = [];
const client = createClientConnection({
  serverName: 'localhost',
  verifier: new WebPkiServerVerifier({ trustAnchors: pemDecode(pki.root), verifier: nobleProvider.verifier }),
  keyLog: keyLogTo((l) => lines.push(l)),
});
const server = createServerConnection({ provider: nodeProvider, certificateChain: pemDecode(pki.chain), signingKey: nodeProvider.signingKey!(parsePrivateKeyPem(pki.key)) });
if (webCryptoProvider.name !== 'webcrypto') throw new Error('tls13-engine/crypto/webcrypto');
const pair = streamPair(client, server);
const [params] = await Promise.all([pair.client.handshake(), pair.server.handshake()]);
await pair.client.write(new TextEncoder().encode('from the packed package'));
const got = new TextDecoder().decode((await pair.server.read())!);
await Promise.all([pair.client.close(), pair.server.close()]);
console.log(JSON.stringify({ version: params.version, got, keyLogLines: lines.length }));
`;
    writeFileSync(join(app, 'main.ts'), program);
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, outDir: 'out', types: ['node'], typeRoots: [resolve(PROJECT_ROOT, 'node_modules/@types')], skipLibCheck: false }, files: ['main.ts'] }),
    );
    // The README's "Transports and runtimes" examples, each a module, type-checked against the
    // package as installed (runtime globals of Deno, Bun and workerd declared in a small shim).
    const readme = readFileSync(resolve(PROJECT_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Transports and runtimes'), readme.indexOf('\n## ', readme.indexOf('## Transports and runtimes') + 5));
    const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    const [common, ...examples] = blocks;
    const commonImports = common!.split('\n').filter((l) => l.startsWith('import '));
    const commonBody = common!.split('\n').filter((l) => !l.startsWith('import '));
    const exampleFiles = examples.map((code, i) => {
      const imports = code.split('\n').filter((l) => l.startsWith('import '));
      const body = code.split('\n').filter((l) => !l.startsWith('import '));
      const name = `readme-${i}.ts`;
      writeFileSync(join(app, name), [...new Set([...commonImports, ...imports])].join('\n') + '\n' + [...commonBody, ...body].join('\n') + '\nexport {};\n');
      return name;
    });
    writeFileSync(
      join(app, 'shims.d.ts'),
      `declare namespace Deno { function connect(o: { hostname: string; port: number }): Promise<{ readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }>; }
declare const Bun: { connect(o: { hostname: string; port: number; socket: { data(s: unknown, b: Uint8Array): void; drain(s: unknown): void; end(s: unknown): void; close(s: unknown): void; error(s: unknown, e: Error): void } }): Promise<{ write(b: Uint8Array): number; end(): void }> };
declare module 'cloudflare:sockets' { export function connect(a: { hostname: string; port: number }): { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }; }
/** STARTTLS fragment: the plaintext phase's reader and writer, and the bytes read past the command. */
declare const reader: ReadableStreamDefaultReader<Uint8Array>;
declare const writer: WritableStreamDefaultWriter<Uint8Array>;
declare const rest: Uint8Array;
`,
    );
    writeFileSync(
      join(app, 'tsconfig.readme.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'DOM', 'DOM.AsyncIterable'], strict: true, noEmit: true, types: ['node'], typeRoots: [resolve(PROJECT_ROOT, 'node_modules/@types')] }, files: ['shims.d.ts', ...exampleFiles] }),
    );
    const tscReadme = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.readme.json'], { cwd: app, encoding: 'utf8', timeout: 60_000 });
    expect(tscReadme.status, `README examples:\n${tscReadme.stdout}\n${tscReadme.stderr}`).toBe(0);
    // The self-contained ones (no server port, no other runtime) also run, with the PKI in the cwd.
    writeFileSync(join(app, 'root.pem'), pki.root.certPem);
    writeFileSync(join(app, 'chain.pem'), chainPem(pki.server, pki.intermediate));
    writeFileSync(join(app, 'key.pem'), pki.server.keyPem);
    const runnable = exampleFiles.filter((_, i) => !/\b(4433|8443|8080)\b|Deno|Bun|cloudflare|startTls/.test(examples[i]!));
    expect(runnable.length).toBeGreaterThanOrEqual(3);
    const emit = spawnSync(
      process.execPath,
      [TSC, '-p', 'tsconfig.readme.json', '--noEmit', 'false', '--outDir', 'out-readme'],
      { cwd: app, encoding: 'utf8', timeout: 60_000 },
    );
    expect(emit.status, emit.stdout).toBe(0);
    for (const f of runnable) {
      const r = spawnSync(process.execPath, [join('out-readme', f.replace(/\.ts$/, '.js'))], { cwd: app, encoding: 'utf8', timeout: 20_000 });
      expect(r.status, `${f}:\n${readFileSync(join(app, f), 'utf8')}\n${r.stdout}\n${r.stderr}`).toBe(0);
    }

    const tsc = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8', timeout: 60_000 });
    expect(tsc.status, `${tsc.stdout}\n${tsc.stderr}`).toBe(0);
    const run = spawnSync(process.execPath, ['out/main.js'], { cwd: app, encoding: 'utf8', timeout: 30_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ version: 'TLSv1.3', got: 'from the packed package', keyLogLines: 5 });

    // The tls13 bin of the installed package: help, a loopback demo handshake, and bench (not shipped) says so.
    const bin = join(app, 'node_modules/.bin/tls13');
    const help = spawnSync(bin, ['--help'], { cwd: app, encoding: 'utf8', timeout: 20_000 });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/Usage/);
    const demo = spawnSync(bin, ['demo'], { cwd: app, encoding: 'utf8', timeout: 30_000 });
    expect(demo.status, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/Done: handshake verified/);
    const bench = spawnSync(bin, ['bench', '--quick'], { cwd: app, encoding: 'utf8', timeout: 20_000 });
    expect(bench.status).toBe(1);
    expect(bench.stderr).toMatch(/not part of the published package.*npm run bench/);
  });
});

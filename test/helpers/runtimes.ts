// Shared by the runtime tests (and test/package, test/cli/bridge): the engine bundled into one
// ES module (esbuild, browser platform, Node built-ins refused), a minted PKI on disk, `openssl
// s_server -rev` on 127.0.0.1, a free loopback port, and how to find each runtime's binary (with
// the reason when it is missing).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Plugin } from 'esbuild';
import { chainPem, mintTestPki, type TestPki } from '../../src/testing/mint.js';
import { PROJECT_ROOT, hasOpenssl, startOpensslServer, type OpensslServer } from './openssl.js';

export { hasOpenssl };

/** esbuild plugin: any import of a Node built-in fails the build, naming the importer. */
export function refuseNodeBuiltins(seen: string[] = []): Plugin {
  const names = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  return {
    name: 'refuse-node-builtins',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (!names.has(args.path) && !args.path.startsWith('node:')) return undefined;
        seen.push(`${args.path} (imported by ${args.importer})`);
        return { errors: [{ text: `Node built-in "${args.path}" imported by ${args.importer}` }] };
      });
    },
  };
}

/** Bundles `entry` (default: test/runtimes/entry.ts) into `dir/engine.js` for the browser. */
export async function bundleEngine(dir: string, entry = resolve(PROJECT_ROOT, 'test/runtimes/entry.ts')): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(dir, 'engine.js');
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile,
    logLevel: 'silent',
    plugins: [refuseNodeBuiltins()],
  });
  return outfile;
}

export interface PkiOnDisk {
  dir: string;
  pki: TestPki;
  ca: string;
  leaf: string;
  intermediate: string;
  chain: string;
  key: string;
  cleanup(): void;
}

/** A fresh temp dir with a minted P-256 PKI (server names localhost and 127.0.0.1). */
export async function pkiOnDisk(prefix: string): Promise<PkiOnDisk> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const pki = await mintTestPki({ serverNames: ['localhost', '127.0.0.1'] });
  const f = (n: string, t: string): string => {
    writeFileSync(join(dir, n), t);
    return join(dir, n);
  };
  return {
    dir,
    pki,
    ca: f('root.pem', pki.root.certPem),
    leaf: f('leaf.pem', pki.server.certPem),
    intermediate: f('intermediate.pem', pki.intermediate.certPem),
    chain: f('chain.pem', chainPem(pki.server, pki.intermediate)),
    key: f('key.pem', pki.server.keyPem),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** `openssl s_server -rev` (each line sent back reversed), one connection, our minted chain. */
export function reversingServer(p: PkiOnDisk, extra: string[] = []): Promise<OpensslServer> {
  return startOpensslServer({ cert: p.leaf, key: p.key, args: ['-cert_chain', p.intermediate, '-naccept', '1', '-rev', ...extra] });
}

/** A loopback port that was free a moment ago (for programs that cannot report the one they bound). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => res(port));
    });
  });
}

/** A runtime binary, or why it is not there. */
export type Found = { path: string } | { missing: string };

function runs(path: string, args: string[]): boolean {
  return spawnSync(path, args, { timeout: 20_000, stdio: 'ignore' }).status === 0;
}

export function findChromium(): Found {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'])
    if (p && existsSync(p)) return { path: p };
  return { missing: 'no Chromium binary (apt-get install chromium; .ci/run installs it)' };
}

/** A binary shipped inside an npm package under node_modules (the first candidate that runs). */
function npmBinary(pkg: string, candidates: string[], versionArgs: string[]): Found {
  const paths = candidates.map((c) => resolve(PROJECT_ROOT, 'node_modules', c));
  const present = paths.filter((p) => existsSync(p));
  if (present.length === 0) return { missing: `npm package ${pkg} is not installed (none of ${candidates.join(', ')} under node_modules)` };
  const ok = present.find((p) => runs(p, versionArgs));
  return ok ? { path: ok } : { missing: `${present.join(', ')} does not run on this machine` };
}

export const findDeno = (): Found => npmBinary('@deno/linux-x64-glibc', ['@deno/linux-x64-glibc/deno'], ['--version']);
// The packages' postinstall links the platform binary; the platform package itself is the fallback.
export const findBun = (): Found => npmBinary('bun', ['@oven/bun-linux-x64/bin/bun', 'bun/bin/bun.exe'], ['--version']);
export const findWorkerd = (): Found => npmBinary('workerd', ['@cloudflare/workerd-linux-64/bin/workerd', 'workerd/bin/workerd'], ['--version']);

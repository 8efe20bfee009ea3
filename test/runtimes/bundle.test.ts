// The browser half of the rings, from source: ".", "./io" and "./testing" bundle with esbuild for
// the browser platform with every Node built-in refused, and their bundles reach no Node adapter
// and no tool; "./node" and "./node/tls" are refused (the check has teeth).
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/openssl.js';
import { refuseNodeBuiltins } from '../helpers/runtimes.js';

async function bundle(entry: string): Promise<{ ok: boolean; builtins: string[]; inputs: string[]; text: string }> {
  const { build } = await import('esbuild');
  const builtins: string[] = [];
  try {
    const r = await build({
      entryPoints: [resolve(PROJECT_ROOT, entry)],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      metafile: true,
      logLevel: 'silent',
      plugins: [refuseNodeBuiltins(builtins)],
    });
    return { ok: true, builtins, inputs: Object.keys(r.metafile.inputs), text: r.outputFiles[0]!.text };
  } catch {
    return { ok: false, builtins, inputs: [], text: '' };
  }
}

describe('browser bundles of the entry points (esbuild, platform browser, Node built-ins refused)', () => {
  it.each([
    ['.', 'src/index.ts'],
    ['./io', 'src/io/index.ts'],
    ['./testing', 'src/testing/index.ts'],
  ])('%s (%s) bundles with no Node built-in, no Node adapter and no tool', async (_name, entry) => {
    const r = await bundle(entry);
    expect(r.builtins).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.inputs.filter((f) => /^(src\/node|tools)\//.test(f))).toEqual([]);
  });

  it('"." and "./io" have no Node import in their bundle, and "." holds no adapter or test code', async () => {
    for (const entry of ['src/index.ts', 'src/io/index.ts']) {
      const r = await bundle(entry);
      expect(r.ok, entry).toBe(true);
      expect(r.text, entry).not.toMatch(/\bfrom\s*["']node:|\bimport\(\s*["']node:|\brequire\(\s*["']node:/);
    }
    const core = await bundle('src/index.ts');
    expect(core.inputs.filter((f) => /^src\/(io|node|testing|deprecated)\//.test(f))).toEqual([]);
  });

  it('the check has teeth: "./node" and "./node/tls" are refused', async () => {
    for (const entry of ['src/node/index.ts', 'src/node/tls/index.ts']) {
      const r = await bundle(entry);
      expect(r.ok, entry).toBe(false);
      expect(r.builtins.join(), entry).toMatch(/node:net/);
    }
  });
});

// `tls13 bench`: arguments, and that a quick run exits 0 with complete JSON. No timing assertions.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../src/cli/args.js';
import { HANDSHAKE_KEYS, THROUGHPUT_KEYS } from '../../src/cli/bench.js';
import { hasBuiltCli, killAll, runCli } from '../helpers/openssl.js';

describe('tls13 bench arguments', () => {
  it('parses --quick and --json', () => {
    expect(parseArgs(['bench'])).toEqual({ kind: 'bench', quick: false });
    expect(parseArgs(['bench', '--quick', '--json', 'out.json'])).toEqual({ kind: 'bench', quick: true, json: 'out.json' });
    expect(() => parseArgs(['bench', '--json'])).toThrow(UsageError);
    expect(() => parseArgs(['bench', 'extra'])).toThrow(UsageError);
    expect(() => parseArgs(['bench', '--port', '1'])).toThrow(UsageError);
  });
});

const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

describe.skipIf(!hasBuiltCli())('tls13 bench --quick', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tls13-bench-'));
  afterAll(async () => {
    await killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0, prints both tables and writes JSON with every row', async () => {
    const file = join(dir, 'bench.json');
    // Time-budgeted (~17 s whatever the load); the timeout only guards against a hang.
    const r = await runCli({ args: ['bench', '--quick', '--json', file], timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Handshakes per second/m);
    expect(r.stdout).toMatch(/^Record throughput/m);

    const res = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & {
      handshakes: Record<string, { rate: number; samples: number[] }>;
      throughput: Record<string, Record<string, { rate: number }>>;
      ratios: { handshakes: Record<string, number>; throughput: Record<string, Record<string, number>> };
      machine: Record<string, unknown>;
    };
    expect(res).toMatchObject({ version: 1, mode: 'quick' });
    expect(Object.keys(res.machine)).toEqual(expect.arrayContaining(['cpu', 'cores', 'node', 'openssl']));
    expect(Object.keys(res.handshakes).sort()).toEqual([...HANDSHAKE_KEYS].sort());
    for (const m of Object.values(res.handshakes)) expect(m.rate).toBeGreaterThan(0);
    expect(Object.keys(res.throughput).sort()).toEqual([...SUITES].sort());
    for (const suite of SUITES) {
      expect(Object.keys(res.throughput[suite]!).sort()).toEqual([...THROUGHPUT_KEYS].sort());
      for (const m of Object.values(res.throughput[suite]!)) expect(m.rate).toBeGreaterThan(0);
      for (const x of Object.values(res.ratios.throughput[suite]!)) expect(Number.isFinite(x)).toBe(true);
    }
    for (const x of Object.values(res.ratios.handshakes)) expect(Number.isFinite(x)).toBe(true);
  }, 120_000);
});

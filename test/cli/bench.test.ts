// `tls13 bench`: arguments, and that a (shrunk) quick run exits 0 and writes the JSON
// shape, the Markdown report and its chart. No timing assertions: benchmarks are not tests.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../tools/cli/args.js';
import { CASES, RECORD_SIZES, SUITES, type BenchJson } from '../../tools/bench/index.js';
import { hasBuiltCli, killAll, runCli } from '../helpers/openssl.js';

describe('tls13 bench arguments', () => {
  it('parses --quick, --json, --report, --providers and --chromium', () => {
    expect(parseArgs(['bench'])).toEqual({ kind: 'bench', quick: false });
    expect(parseArgs(['bench', '--quick', '--json', 'out.json'])).toEqual({ kind: 'bench', quick: true, json: 'out.json' });
    expect(parseArgs(['bench', '--report', 'r.md', '--providers', 'node'])).toEqual({ kind: 'bench', quick: false, report: 'r.md', providers: ['node'] });
    expect(parseArgs(['bench', '--chromium'])).toEqual({ kind: 'bench', quick: false, chromium: true });
    expect(() => parseArgs(['bench', '--providers', 'openssl'])).toThrow(UsageError);
    expect(() => parseArgs(['bench', '--json'])).toThrow(UsageError);
    expect(() => parseArgs(['bench', 'extra'])).toThrow(UsageError);
    expect(() => parseArgs(['bench', '--port', '1'])).toThrow(UsageError);
  });
});

describe.skipIf(!hasBuiltCli())('tls13 bench --quick', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tls13-bench-'));
  afterAll(async () => {
    await killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0, prints every section and writes the JSON of the issue, the report and its SVG chart', async () => {
    const file = join(dir, 'bench.json');
    const report = join(dir, 'report.md');
    // TLS13_BENCH_SCALE shrinks the time budgets and the idle connections (a smoke run of the plumbing).
    process.env.TLS13_BENCH_SCALE = '0.05';
    let r;
    try {
      r = await runCli({ args: ['bench', '--quick', '--json', file, '--report', report], timeoutMs: 150_000 });
    } finally {
      delete process.env.TLS13_BENCH_SCALE;
    }
    expect(r.code, r.stderr).toBe(0);
    for (const heading of [/^Handshakes per second, sequential/m, /^Handshakes per second, 8 concurrent/m, /^Record throughput/m, /^Memory per idle connection/m, /^Handshake CPU time/m, /^Targets/m])
      expect(r.stdout).toMatch(heading);

    const res = JSON.parse(readFileSync(file, 'utf8')) as BenchJson;
    expect(Object.keys(res)).toEqual(['handshake', 'throughput', 'memory']);
    const providers = ['noble', 'node'];
    // Every case, sequential and @8, both roles (0-RTT: ours on both ends), per provider.
    expect(res.handshake).toHaveLength(2 * providers.length * (2 * (CASES.length - 1) + 1));
    for (const h of res.handshake) {
      expect(Object.keys(h)).toEqual(['case', 'role', 'provider', 'ours_per_s', 'node_tls_per_s', 'ratio']);
      expect(h.ours_per_s).toBeGreaterThan(0);
      expect(h.node_tls_per_s).toBeGreaterThan(0);
      expect(Number.isFinite(h.ratio)).toBe(true);
    }
    expect(new Set(res.handshake.map((h) => h.case))).toEqual(new Set([...CASES, ...CASES.map((c) => `${c}@8`)]));
    expect(res.throughput).toHaveLength(SUITES.length * RECORD_SIZES.length * providers.length);
    for (const t of res.throughput) {
      expect(Object.keys(t)).toEqual(['suite', 'record_size', 'provider', 'ours_mb_s', 'node_tls_mb_s', 'raw_aead_mb_s', 'ratio_vs_node_tls', 'ratio_vs_raw']);
      for (const x of [t.ours_mb_s, t.node_tls_mb_s, t.raw_aead_mb_s, t.ratio_vs_node_tls, t.ratio_vs_raw]) expect(x).toBeGreaterThan(0);
    }
    expect(Object.keys(res.memory)).toEqual(['ours_bytes_per_conn', 'node_tls_bytes_per_conn']);
    for (const x of Object.values(res.memory)) expect(Number.isFinite(x)).toBe(true);

    const md = readFileSync(report, 'utf8');
    expect(md).toMatch(/^# tls13 bench report/);
    expect(md).toContain('![ratios against node:tls](report.svg)');
    expect(existsSync(join(dir, 'report.svg'))).toBe(true);
    expect(readFileSync(join(dir, 'report.svg'), 'utf8')).toMatch(/^<svg[^>]*>[\s\S]*<\/svg>\n$/);
  }, 180_000);
});

// Results as the issue's JSON, a text table, a Markdown report and an SVG chart.
import type { CpuResult } from './cpu.js';
import { CASE_LABELS, CASES, CONCURRENCY, NODE_BASELINE, nodeKey, oursKey, rolesOf, type CaseName } from './handshakes.js';
import type { Budget, Measurement } from './measure.js';
import type { MemoryResult } from './memory.js';
import { RECORD_SIZES, SUITES, tpKey } from './throughput.js';

/** The JSON of `tls13 bench --json FILE`, exactly as the issue specifies it. */
export interface BenchJson {
  handshake: { case: string; role: string; provider: string; ours_per_s: number; node_tls_per_s: number; ratio: number }[];
  throughput: {
    suite: string;
    record_size: number;
    provider: string;
    ours_mb_s: number;
    node_tls_mb_s: number;
    raw_aead_mb_s: number;
    ratio_vs_node_tls: number;
    ratio_vs_raw: number;
  }[];
  memory: { ours_bytes_per_conn: number; node_tls_bytes_per_conn: number };
}

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  openssl: string;
  platform: string;
  arch: string;
  loadavgBefore: number[];
  loadavgAfter: number[];
}

export interface BenchResults {
  mode: 'quick' | 'full';
  date: string;
  machine: Machine;
  budget: Budget;
  providers: string[];
  handshakes: Record<string, Measurement>;
  throughput: Record<string, Measurement>;
  memory: { ours: MemoryResult; node: MemoryResult };
  cpu: CpuResult[];
  seconds: number;
}

/** `full` sequential, `full@8` with 8 concurrent connections. */
export const caseId = (c: CaseName, conc: number): string => (conc === 1 ? c : `${c}@${conc}`);

const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const r1 = (x: number): number => Math.round(x * 10) / 10;

export function toJson(res: BenchResults): BenchJson {
  const handshake: BenchJson['handshake'] = [];
  for (const conc of CONCURRENCY)
    for (const c of CASES)
      for (const provider of res.providers)
        for (const role of rolesOf(c)) {
          const ours = res.handshakes[oursKey(c, conc, role, provider)]?.rate ?? NaN;
          const node = res.handshakes[nodeKey(NODE_BASELINE[c], conc)]?.rate ?? NaN;
          handshake.push({ case: caseId(c, conc), role, provider, ours_per_s: r1(ours), node_tls_per_s: r1(node), ratio: r3(ours / node) });
        }
  const throughput: BenchJson['throughput'] = [];
  for (const suite of SUITES)
    for (const size of RECORD_SIZES)
      for (const provider of res.providers) {
        const ours = res.throughput[tpKey(suite, size, 'ours', provider)]?.rate ?? NaN;
        const node = res.throughput[tpKey(suite, size, 'node')]?.rate ?? NaN;
        const raw = res.throughput[tpKey(suite, size, 'raw', provider)]?.rate ?? NaN;
        throughput.push({
          suite,
          record_size: size,
          provider,
          ours_mb_s: r1(ours),
          node_tls_mb_s: r1(node),
          raw_aead_mb_s: r1(raw),
          ratio_vs_node_tls: r3(ours / node),
          ratio_vs_raw: r3(ours / raw),
        });
      }
  return {
    handshake,
    throughput,
    memory: { ours_bytes_per_conn: Math.round(res.memory.ours.rssPerConn), node_tls_bytes_per_conn: Math.round(res.memory.node.rssPerConn) },
  };
}

// ---------------------------------------------------------------- targets

export interface Target {
  name: string;
  measured: string;
  met: boolean | undefined;
}

export function targets(res: BenchResults, json: BenchJson): Target[] {
  const out: Target[] = [];
  const hs = (role: string, provider: string) => json.handshake.find((h) => h.case === 'full' && h.role === role && h.provider === provider);
  const tp = (suite: string, provider: string) => json.throughput.find((t) => t.suite === suite && t.record_size === 16384 && t.provider === provider);
  // Three decimals: a ratio rounded to two could read as meeting a target it misses.
  const fmt = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? 'n/a' : `${x.toFixed(3)}×`);
  if (res.providers.includes('node')) {
    const s = hs('server', 'node');
    out.push({ name: 'node provider, server, full handshakes/s ≥ 1.0 × node:tls', measured: fmt(s?.ratio), met: s ? s.ratio >= 1.0 : undefined });
    const c = hs('client', 'node');
    out.push({ name: 'node provider, client, full handshakes/s ≥ 0.8 × node:tls', measured: fmt(c?.ratio), met: c ? c.ratio >= 0.8 : undefined });
    for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256']) {
      const t = tp(suite, 'node');
      out.push({ name: `node provider, ${suite} at 16 KiB ≥ 0.8 × node:tls`, measured: fmt(t?.ratio_vs_node_tls), met: t ? t.ratio_vs_node_tls >= 0.8 : undefined });
    }
  }
  if (res.providers.includes('noble')) {
    for (const suite of SUITES) {
      const t = tp(suite, 'noble');
      const mem = res.throughput[tpKey(suite, 16384, 'memory', 'noble')];
      const memRatio = mem && t ? mem.rate / t.raw_aead_mb_s : NaN;
      out.push({ name: `noble provider, ${suite} at 16 KiB ≥ 0.9 × raw AEAD (over TCP)`, measured: fmt(t?.ratio_vs_raw), met: t ? t.ratio_vs_raw >= 0.9 : undefined });
      out.push({ name: `  … the record layer alone (in memory, no sockets)`, measured: fmt(memRatio), met: Number.isFinite(memRatio) ? memRatio >= 0.9 : undefined });
    }
    const cpu = res.cpu.find((x) => x.provider === 'noble');
    out.push({ name: 'noble provider, handshake CPU (main thread) ≤ 1.15 × its primitives', measured: fmt(cpu?.ratio), met: cpu ? cpu.ratio <= 1.15 : undefined });
  }
  const m = json.memory;
  out.push({
    name: 'memory per idle connection ≤ node:tls',
    measured: `${(m.ours_bytes_per_conn / 1024).toFixed(1)} KiB vs ${(m.node_tls_bytes_per_conn / 1024).toFixed(1)} KiB`,
    met: m.ours_bytes_per_conn <= m.node_tls_bytes_per_conn,
  });
  out.push({ name: 'webcrypto provider in headless Chromium: full client handshake ≥ 3 × noble', measured: 'tls13 bench --chromium', met: undefined });
  return out;
}

// ---------------------------------------------------------------- text

function table(rows: string[][], align: ('l' | 'r')[]): string {
  const widths = align.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => {
          const pad = ' '.repeat(widths[i]! - [...cell].length);
          return align[i] === 'r' ? pad + cell : cell + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function markdownTable(rows: string[][], align: ('l' | 'r')[]): string {
  const [head, ...body] = rows;
  const line = (r: string[]): string => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(head!), `|${align.map((a) => (a === 'r' ? '---:' : ':---')).join('|')}|`, ...body.map(line)].join('\n');
}

const fmtRate = (x: number): string => (!Number.isFinite(x) ? '-' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const fmtRatio = (x: number): string => (!Number.isFinite(x) ? '-' : x >= 10 ? `${x.toFixed(1)}×` : `${x.toFixed(2)}×`);
const spread = (m: Measurement | undefined): string => (!m || m.samples.length < 2 || m.rate === 0 ? '' : `±${(((m.max - m.min) / 2 / m.rate) * 100).toFixed(0)}%`);
const kib = (b: number): string => `${(b / 1024).toFixed(1)} KiB`;

interface Tables {
  handshakes: Map<number, string[][]>;
  throughput: string[][];
  memory: string[][];
  cpu: string[][];
  targets: string[][];
}

function tables(res: BenchResults, json: BenchJson): Tables {
  const handshakes = new Map<number, string[][]>();
  for (const conc of CONCURRENCY) {
    const rows = [['case', 'role', 'provider', 'ours/s', '', 'node:tls/s', '', 'ratio']];
    for (const h of json.handshake.filter((x) => x.case.includes('@') === (conc !== 1))) {
      const c = h.case.split('@')[0] as CaseName;
      const ours = res.handshakes[oursKey(c, conc, h.role as 'client', h.provider)];
      const node = res.handshakes[nodeKey(NODE_BASELINE[c], conc)];
      const role = h.role === 'client' ? 'our client → node:tls' : h.role === 'server' ? 'node:tls → our server' : 'ours ↔ ours';
      const label = CASE_LABELS[c] + (NODE_BASELINE[c] !== c ? ' †' : '');
      rows.push([label, role, h.provider, fmtRate(h.ours_per_s), spread(ours), fmtRate(h.node_tls_per_s), spread(node), fmtRatio(h.ratio)]);
    }
    handshakes.set(conc, rows);
  }
  const throughput = [['suite', 'record', 'provider', 'ours MB/s', 'node:tls MB/s', 'raw AEAD MB/s', 'ours in memory', 'vs node:tls', 'vs raw']];
  for (const t of json.throughput) {
    const mem = res.throughput[tpKey(t.suite, t.record_size, 'memory', t.provider)];
    throughput.push([
      t.suite,
      `${t.record_size / 1024} KiB`,
      t.provider,
      `${fmtRate(t.ours_mb_s)} ${spread(res.throughput[tpKey(t.suite, t.record_size, 'ours', t.provider)])}`.trim(),
      fmtRate(t.node_tls_mb_s),
      fmtRate(t.raw_aead_mb_s),
      mem ? fmtRate(mem.rate) : '-',
      fmtRatio(t.ratio_vs_node_tls),
      fmtRatio(t.ratio_vs_raw),
    ]);
  }
  const memory = memoryTable(res.memory);
  const cpu = [['provider', 'handshakes', 'main thread ms', 'primitives ms', 'ratio', 'process CPU ms', 'kx', 'sign', 'verify', 'aead', 'hash', 'random']];
  for (const c of res.cpu) {
    const b = c.byPrimitive;
    cpu.push([
      c.provider,
      String(c.handshakes),
      c.mainMs.toFixed(3),
      c.primitivesMs.toFixed(3),
      fmtRatio(c.ratio),
      c.processMs.toFixed(3),
      ...[b.kx, b.sign, b.verify, b.aead, b.hash, b.random].map((x) => x.toFixed(3)),
    ]);
  }
  const tg = [['target', 'measured', 'met']];
  for (const t of targets(res, json)) tg.push([t.name, t.measured, t.met === undefined ? '-' : t.met ? 'yes' : 'no']);
  return { handshakes, throughput, memory, cpu, targets: tg };
}

function memoryTable(m: { ours: MemoryResult; node: MemoryResult }): string[][] {
  return [
    ['server', 'connections', 'RSS / conn (idle)', 'RSS / conn (after gc() only)', 'JS heap + external / conn'],
    ['ours (node provider)', String(m.ours.connections), kib(m.ours.rssPerConn), kib(m.ours.rssAfterGcPerConn), kib(m.ours.heapPerConn)],
    ['node:tls', String(m.node.connections), kib(m.node.rssPerConn), kib(m.node.rssAfterGcPerConn), kib(m.node.heapPerConn)],
  ];
}

/** `tls13 bench --only memory`: the memory table alone. */
export function formatMemory(m: { ours: MemoryResult; node: MemoryResult }): string {
  return ['Memory per idle connection (server process)', table(memoryTable(m), MEM_ALIGN), '', `${MEMORY_NOTE}\n`].join('\n');
}

const HS_ALIGN: ('l' | 'r')[] = ['l', 'l', 'l', 'r', 'l', 'r', 'l', 'r'];
const TP_ALIGN: ('l' | 'r')[] = ['l', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r'];
const MEM_ALIGN: ('l' | 'r')[] = ['l', 'r', 'r', 'r', 'r'];
const CPU_ALIGN: ('l' | 'r')[] = ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'];

function header(res: BenchResults): string[] {
  const m = res.machine;
  const b = res.budget;
  return [
    `tls13 bench (${res.mode}, ${res.seconds.toFixed(0)} s): ${m.cpu}, ${m.cores} cores, node ${m.node} (OpenSSL ${m.openssl}), ${m.platform}/${m.arch}`,
    `load average before/after: ${m.loadavgBefore.map((x) => x.toFixed(2)).join(' ')} / ${m.loadavgAfter.map((x) => x.toFixed(2)).join(' ')}`,
    `${b.samples} sample(s) × ${b.sampleMs} ms per row after ${b.warmupMs} ms warm-up, rows interleaved; median shown, ± is half the sample range.`,
    'Everything runs in one process on one thread (the memory servers in their own): both ends of every connection count.',
  ];
}

const MEMORY_NOTE =
  'Memory: a server alone in its process holds N idle connections (node:tls clients in the bench process); RSS after minus before, over N, both read after the low-memory GC that V8 runs in an idle process (asked for, not waited for: it also returns the young generation that a burst of handshakes grew, which is not per-connection memory; left alone, V8 returns it after some seconds idle). The column “after gc() only” is read before that collection, with the young generation as the burst left it. Ours runs the node provider.';

const NOTES = [
  'One handshake: TCP connect until the client holds the server\'s first application byte (sent once the server completed, after its tickets); suite TLS_AES_128_GCM_SHA256, chains leaf + intermediate verified to the root by the client.',
  '† node:tls cannot do this case on both ends (no 0-RTT; with OpenSSL 3.0 a node:tls client always offers psk_dhe_ke as well and the server prefers it): the node:tls figure is its psk_dhe_ke resumption.',
  'Throughput: one direction, one record per write; ours = our client → our server over TCP (we seal and open), node:tls likewise; raw = the provider\'s AeadKey seal + open of the same buffers; ours in memory = the engine without sockets.',
  MEMORY_NOTE,
  'CPU: full handshakes in memory, both ends ours; every primitive timed where it is called. In memory the handshake is synchronous, so its elapsed time is its main-thread CPU; process CPU also counts V8\'s GC threads.',
];

export function formatText(res: BenchResults): string {
  const json = toJson(res);
  const t = tables(res, json);
  const out = [...header(res), ''];
  for (const conc of CONCURRENCY) {
    out.push(`Handshakes per second, ${conc === 1 ? 'sequential' : `${conc} concurrent connections`}`);
    out.push(table(t.handshakes.get(conc)!, HS_ALIGN), '');
  }
  out.push('Record throughput, MB/s (10^6 bytes/s)', table(t.throughput, TP_ALIGN), '');
  out.push('Memory per idle connection (server process)', table(t.memory, MEM_ALIGN), '');
  out.push('Handshake CPU time vs its crypto primitives (full handshake, both ends ours, in memory; ms per handshake; ratio = main thread / primitives)', table(t.cpu, CPU_ALIGN), '');
  out.push('Targets (issue 6)', table(t.targets, ['l', 'r', 'l']), '', ...NOTES);
  return out.join('\n');
}

export function formatMarkdown(res: BenchResults, svgFile: string): string {
  const json = toJson(res);
  const t = tables(res, json);
  const out = ['# tls13 bench report', '', ...header(res).map((l) => `${l}  `), '', `![ratios against node:tls](${svgFile})`, ''];
  out.push('## Targets', '', markdownTable(t.targets, ['l', 'r', 'l']), '');
  for (const conc of CONCURRENCY) {
    out.push(`## Handshakes per second, ${conc === 1 ? 'sequential' : `${conc} concurrent connections`}`, '', markdownTable(t.handshakes.get(conc)!, HS_ALIGN), '');
  }
  out.push('## Record throughput (MB/s)', '', markdownTable(t.throughput, TP_ALIGN), '');
  out.push('## Memory per idle connection', '', markdownTable(t.memory, MEM_ALIGN), '');
  out.push('## Handshake CPU vs its primitives (ms per handshake, both ends; ratio = main thread / primitives)', '', markdownTable(t.cpu, CPU_ALIGN), '');
  out.push('## Notes', '', ...NOTES.map((n) => `- ${n}`), '');
  return out.join('\n');
}

// ---------------------------------------------------------------- chart

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Horizontal bars of ours / node:tls (log scale, 0.01× … 4×): sequential handshakes per case and role, and 16 KiB throughput per suite. */
export function formatSvg(res: BenchResults): string {
  const json = toJson(res);
  const bars: { label: string; value: number; provider: string }[] = [];
  for (const h of json.handshake) if (!h.case.includes('@')) bars.push({ label: `${h.case} ${h.role}`, value: h.ratio, provider: h.provider });
  for (const t of json.throughput) if (t.record_size === 16384) bars.push({ label: `${t.suite.replace('TLS_', '').replace(/_SHA\d+$/, '')} 16K`, value: t.ratio_vs_node_tls, provider: t.provider });
  const colors: Record<string, string> = { node: '#2b7bb9', noble: '#e0a030', webcrypto: '#6aa84f' };
  const left = 230;
  const width = 760;
  const plot = width - left - 70;
  const rowH = 16;
  const top = 40;
  const height = top + bars.length * rowH + 40;
  const lo = Math.log10(0.01);
  const hi = Math.log10(4);
  const x = (v: number): number => left + ((Math.log10(Math.min(4, Math.max(0.01, v))) - lo) / (hi - lo)) * plot;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="16" font-size="13" font-weight="bold">ours / node:tls (log scale; 1× = parity)</text>`,
  ];
  for (const tick of [0.01, 0.03, 0.1, 0.3, 1, 2, 4]) {
    parts.push(`<line x1="${x(tick)}" y1="${top - 6}" x2="${x(tick)}" y2="${top + bars.length * rowH}" stroke="${tick === 1 ? '#333' : '#ddd'}"/>`);
    parts.push(`<text x="${x(tick)}" y="${top - 9}" text-anchor="middle" fill="#555">${tick}×</text>`);
  }
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    const v = Number.isFinite(b.value) ? b.value : 0.01;
    parts.push(`<text x="${left - 6}" y="${y + 11}" text-anchor="end">${esc(b.label)} (${esc(b.provider)})</text>`);
    parts.push(`<rect x="${x(0.01)}" y="${y + 2}" width="${Math.max(1, x(v) - x(0.01))}" height="${rowH - 4}" fill="${colors[b.provider] ?? '#888'}"/>`);
    parts.push(`<text x="${x(v) + 4}" y="${y + 11}" fill="#333">${Number.isFinite(b.value) ? `${b.value.toFixed(2)}×` : '-'}</text>`);
  });
  let lx = left;
  const ly = top + bars.length * rowH + 24;
  for (const p of res.providers) {
    parts.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${colors[p] ?? '#888'}"/><text x="${lx + 14}" y="${ly}">${esc(p)} provider</text>`);
    lx += 120;
  }
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

// `tls13 bench`: our engine per crypto provider against node:tls, measured side by side in one
// run: handshakes per second (seven cases, both roles, sequential and 8 concurrent), record
// throughput per suite at 1 KiB and 16 KiB (with the provider's raw AEAD), memory per idle
// connection, and the handshake's CPU time against its crypto primitives. Only ratios from one
// run are meaningful; see bench/README.md. The pieces are in this folder.
import { writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import type { BenchCommand } from '../cli/args.js';
import { measureCpu } from './cpu.js';
import { fixtures, PROVIDERS } from './fixtures.js';
import { handshakeScenarios, type Cleanup } from './handshakes.js';
import { FULL, measureAll, now, QUICK, scaled } from './measure.js';
import { measureMemory } from './memory.js';
import { formatMarkdown, formatMemory, formatSvg, formatText, toJson, type BenchResults } from './report.js';
import { throughputScenarios } from './throughput.js';

export { toJson, targets, type BenchJson, type BenchResults } from './report.js';
export { CASES } from './handshakes.js';
export { SUITES, RECORD_SIZES } from './throughput.js';

export async function runBench(io: { stdout: Writable; stderr: Writable }, options: BenchCommand): Promise<number> {
  const t0 = now();
  const budget = scaled(options.quick ? QUICK : FULL, Number(process.env.TLS13_BENCH_SCALE ?? '1'));
  const providers = (options.providers ?? ['noble', 'node']).map((n) => PROVIDERS[n]);
  const log = (line: string): void => void io.stderr.write(`bench: ${line}\n`);
  if (options.chromium) {
    const { formatChromium, runChromium } = await import('./chromium.js');
    log('webcrypto vs noble in headless Chromium');
    const r = await runChromium(options.quick ? 1500 : 5000);
    io.stdout.write(`${formatChromium(r)}\n`);
    if (options.json !== undefined) writeFileSync(options.json, `${JSON.stringify(r, null, 2)}\n`);
    return 0;
  }
  if (options.only === 'memory') {
    const f = await fixtures();
    log(`memory (${budget.connections} idle connections per server)`);
    const memory = { ours: await measureMemory(f, 'ours', budget.connections), node: await measureMemory(f, 'node', budget.connections) };
    io.stdout.write(`${formatMemory(memory)}\n`);
    if (options.json !== undefined) writeFileSync(options.json, `${JSON.stringify(memory, null, 2)}\n`);
    return 0;
  }
  const loadavgBefore = os.loadavg();
  const cleanups: Cleanup[] = [];
  try {
    const f = await fixtures();
    const hs = await handshakeScenarios(f, providers, cleanups);
    log(`handshakes (${hs.length} rows)`);
    const handshakes = await measureAll(hs, budget, 1, (p) => log(`handshakes: ${p}`));
    const tp = await throughputScenarios(f, providers, cleanups);
    log(`throughput (${tp.length} rows)`);
    const throughput = await measureAll(tp, budget, 1e6, (p) => log(`throughput: ${p}`));
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
    log(`memory (${budget.connections} idle connections per server)`);
    const memory = { ours: await measureMemory(f, 'ours', budget.connections), node: await measureMemory(f, 'node', budget.connections) };
    log('handshake CPU vs primitives');
    const cpu = [];
    for (const p of providers) cpu.push(await measureCpu(f, p, budget.cpuMs));
    const cpus = os.cpus();
    const res: BenchResults = {
      mode: options.quick ? 'quick' : 'full',
      date: new Date().toISOString(),
      machine: {
        cpu: cpus[0]?.model.trim() ?? 'unknown',
        cores: cpus.length,
        node: process.version,
        openssl: process.versions.openssl ?? 'unknown',
        platform: process.platform,
        arch: process.arch,
        loadavgBefore,
        loadavgAfter: os.loadavg(),
      },
      budget,
      providers: providers.map((p) => p.name),
      handshakes,
      throughput,
      memory,
      cpu,
      seconds: (now() - t0) / 1000,
    };
    io.stdout.write(`${formatText(res)}\n`);
    const report = options.report ?? 'bench-report.md';
    const svg = join(dirname(report), `${basename(report).replace(/\.md$/, '')}.svg`);
    writeFileSync(svg, formatSvg(res));
    writeFileSync(report, formatMarkdown(res, basename(svg)));
    log(`report written to ${report} (chart ${svg})`);
    if (options.json !== undefined) {
      writeFileSync(options.json, `${JSON.stringify(toJson(res), null, 2)}\n`);
      log(`results written to ${options.json}`);
    }
    return 0;
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  }
}

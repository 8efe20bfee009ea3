// Runs the Jazzer.js fuzz targets (test/fuzz/targets/*.mjs) one after another, each for a bounded
// time, and reports executions and findings. Needs the engine built (dist/src/).
//
//   node test/fuzz/run.mjs [--seconds N] [--targets a,b] [--scratch] [--seed]
//
//   --seconds N  per target (default 60)
//   --scratch    new corpus entries go to a temporary directory: test/fuzz/corpus/ is only read
//                (what `npm test` does); without it they are added to test/fuzz/corpus/<target>/
//   --seed       (re)write the seed inputs in test/fuzz/corpus/<target>/seed-* first
//
// A finding (any exception other than TlsError, or a round-trip mismatch) stops that target; its
// input is saved as test/fuzz/findings/<target>-crash-<sha1> and the run exits 1. Turn each one
// into a regression: copy it to test/fuzz/regressions/<target>/, fix the engine, and
// test/fuzz/regressions.test.ts replays it in `npm test` from then on.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureJazzerLoads } from './jazzer-compat.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const ALL = ['record', 'messages', 'engine-server', 'engine-client'];

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const seconds = Number(opt('--seconds') ?? 60);
const targets = (opt('--targets') ?? ALL.join(',')).split(',');
const scratch = args.includes('--scratch');

if (args.includes('--seed')) {
  const { writeSeeds } = await import('./seeds.mjs');
  console.log(`seeds: ${await writeSeeds(join(here, 'corpus'))} files`);
}
console.log(ensureJazzerLoads());

const cli = join(root, 'node_modules/@jazzer.js/core/dist/cli.js');
const findings = join(here, 'findings');
const results = [];
for (const target of targets) {
  const corpus = join(here, 'corpus', target);
  mkdirSync(corpus, { recursive: true });
  const work = scratch ? mkdtempSync(join(tmpdir(), `fuzz-${target}-`)) : corpus;
  const dirs = scratch ? [work, corpus] : [corpus];
  const artifacts = mkdtempSync(join(tmpdir(), `fuzz-${target}-artifacts-`));
  const argv = [
    cli,
    join(here, 'targets', `${target}.mjs`),
    ...dirs,
    '-i', join(root, 'dist/src/'),
    '--sync',
    '--',
    `-max_total_time=${seconds}`,
    `-artifact_prefix=${artifacts}/`,
    '-rss_limit_mb=4096',
    '-max_len=4096',
    '-print_final_stats=1',
  ];
  const started = Date.now();
  const out = await new Promise((resolvePromise) => {
    const child = spawn(process.execPath, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    // Bounded: libFuzzer stops itself at max_total_time; this is the backstop.
    const kill = setTimeout(() => child.kill('SIGKILL'), (seconds + 60) * 1000);
    child.on('close', (code) => {
      clearTimeout(kill);
      resolvePromise({ code, text });
    });
  });
  const execs = Number(/Done (\d+) runs/.exec(out.text)?.[1] ?? /stat::number_of_executed_units:\s*(\d+)/.exec(out.text)?.[1] ?? 0);
  const cov = /DONE\s+cov: (\d+)/.exec(out.text)?.[1] ?? /cov: (\d+)/.exec(out.text)?.[1] ?? '?';
  const crashes = readdirSync(artifacts).filter((f) => /^(crash|timeout|oom|leak)-/.test(f));
  for (const c of crashes) {
    mkdirSync(findings, { recursive: true });
    const { readFileSync } = await import('node:fs');
    writeFileSync(join(findings, `${target}-${c}`), readFileSync(join(artifacts, c)));
  }
  rmSync(artifacts, { recursive: true, force: true });
  if (scratch) rmSync(work, { recursive: true, force: true });
  const ok = out.code === 0 && crashes.length === 0;
  results.push({ target, execs, cov, seconds: Math.round((Date.now() - started) / 1000), ok, crashes });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${target}: ${execs} executions in ${Math.round((Date.now() - started) / 1000)} s, coverage ${cov}${crashes.length ? `, findings: ${crashes.join(' ')}` : ''}`);
  if (!ok) console.log(out.text.split('\n').filter((l) => !/^#\d+|^INFO/.test(l)).slice(-40).join('\n'));
}
const total = results.reduce((n, r) => n + r.execs, 0);
console.log(`fuzzing: ${total} executions over ${results.length} targets, ${results.filter((r) => !r.ok).length} failed`);
writeFileSync(join(tmpdir(), 'tls13-fuzz-summary.json'), JSON.stringify({ total, results }, null, 2));
process.exit(results.every((r) => r.ok) ? 0 : 1);

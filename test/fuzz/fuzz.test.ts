// The short coverage-guided run in `npm test`: every Jazzer.js target for a few seconds
// (about a minute in all), with test/fuzz/corpus/ as seeds and new inputs kept in a scratch
// directory. Any exception other than TlsError, or a decode/re-encode mismatch, fails it.
// The long run is `npm run fuzz` (README, "Fuzzing").

import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';

const SECONDS = Number(process.env.FUZZ_SECONDS ?? 9);

it(`Jazzer.js: record, messages, engine-server, engine-client for ${SECONDS} s each find nothing`, async () => {
  const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, ['test/fuzz/run.mjs', '--seconds', String(SECONDS), '--scratch'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (c) => resolve({ code: c, out }));
  });
  console.log(out.split('\n').filter((l) => /^(ok|FAIL|fuzzing|jazzer)/.test(l)).join('\n'));
  expect(code, out).toBe(0);
  const total = Number(/fuzzing: (\d+) executions/.exec(out)?.[1] ?? 0);
  // Each target really ran (the engine targets do a few hundred executions per second).
  expect(total).toBeGreaterThan(10_000);
}, 240_000);

// Every input the fuzzers ever flagged (test/fuzz/regressions/<target>/) and the corpus
// (test/fuzz/corpus/<target>/) replayed through the same targets, without Jazzer: a finding
// stays fixed, and the targets themselves keep working.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const TARGETS = ['record', 'messages', 'engine-server', 'engine-client'];
const here = join(process.cwd(), 'test', 'fuzz');
/** The corpus grows with `npm run fuzz`; replay a bounded sample of it. */
const MAX_CORPUS = 400;

function files(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => !f.startsWith('.')).sort().map((f) => join(dir, f)) : [];
}

describe.each(TARGETS)('%s', (target) => {
  it('replays its regressions and corpus with no exception but TlsError', async () => {
    const mod = (await import(join(here, 'targets', `${target}.mjs`))) as { fuzz(b: Buffer): void };
    const regressions = files(join(here, 'regressions', target));
    const corpus = files(join(here, 'corpus', target)).slice(0, MAX_CORPUS);
    for (const f of [...regressions, ...corpus]) {
      expect(() => mod.fuzz(readFileSync(f)), f).not.toThrow();
    }
    expect(corpus.length).toBeGreaterThan(0);
  }, 120_000);
});

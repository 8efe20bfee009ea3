// `tls13 bench`: loads the benchmarks (tools/bench/) on demand. They run from a checkout only
// (`npm run bench`): the published package does not ship them, nor their dev dependencies.

import type { Writable } from 'node:stream';
import type { BenchCommand } from './args.js';

/** Runs the benchmarks; from an installed package, explains where they live and returns 1. */
export async function runBench(io: { stdout: Writable; stderr: Writable }, options: BenchCommand): Promise<number> {
  let bench: typeof import('../bench/index.js');
  try {
    bench = await import('../bench/index.js');
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    io.stderr.write('tls13 bench: the benchmarks are not part of the published package; run them from a checkout of the repository with `npm run bench`.\n');
    return 1;
  }
  return bench.runBench(io, options);
}

// Measuring: time-budgeted scenarios, interleaved sample rounds, medians.
import { performance } from 'node:perf_hooks';

export interface Budget {
  warmupMs: number;
  sampleMs: number;
  samples: number;
  /** Idle connections for the memory measurement. */
  connections: number;
  /** Time for the CPU-vs-primitives measurement, per provider. */
  cpuMs: number;
}

export const QUICK: Budget = { warmupMs: 40, sampleMs: 120, samples: 2, connections: 1000, cpuMs: 800 };
export const FULL: Budget = { warmupMs: 300, sampleMs: 700, samples: 3, connections: 1000, cpuMs: 3000 };

/** TLS13_BENCH_SCALE (0 < s <= 1) shrinks every budget: the test suite's smoke run, not a measurement. */
export function scaled(b: Budget, scale: number): Budget {
  if (!(scale > 0 && scale < 1)) return b;
  return {
    warmupMs: Math.max(1, Math.round(b.warmupMs * scale)),
    sampleMs: Math.max(1, Math.round(b.sampleMs * scale)),
    samples: b.samples,
    connections: Math.max(10, Math.round(b.connections * scale)),
    cpuMs: Math.max(20, Math.round(b.cpuMs * scale)),
  };
}

export interface Sample {
  /** Handshakes or bytes. */
  units: number;
  seconds: number;
}

export interface Scenario {
  key: string;
  /** Runs for at least `ms` (and at least one unit of work). */
  run(ms: number): Promise<Sample>;
}

export interface Measurement {
  /** Median of the samples, per second (handshakes/s, or MB/s = 10^6 bytes/s). */
  rate: number;
  min: number;
  max: number;
  samples: number[];
}

export const now = (): number => performance.now();

export function timedSync(ms: number, op: () => number): Sample {
  const t0 = now();
  let units = 0;
  do units += op();
  while (now() - t0 < ms);
  return { units, seconds: (now() - t0) / 1000 };
}

/** One loop of `op` per state, side by side, until `ms` passed; each worker finishes its current unit. */
export async function concurrently<S>(ms: number, states: readonly S[], op: (state: S) => Promise<void>): Promise<Sample> {
  const t0 = now();
  let units = 0;
  await Promise.all(
    states.map(async (s) => {
      do {
        await op(s);
        units++;
      } while (now() - t0 < ms);
    }),
  );
  return { units, seconds: (now() - t0) / 1000 };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Warm-up (every scenario once), then `samples` rounds in which every scenario runs once, in
 * turn: machine noise hits every row alike. `scale` divides units/s (1e6 for MB/s).
 */
export async function measureAll(scenarios: Scenario[], budget: Budget, scale: number, progress: (s: string) => void): Promise<Record<string, Measurement>> {
  for (const s of scenarios) await s.run(budget.warmupMs);
  const rates = new Map<string, number[]>(scenarios.map((s) => [s.key, []]));
  for (let i = 0; i < budget.samples; i++) {
    progress(`sample ${i + 1}/${budget.samples}`);
    for (const s of scenarios) {
      const r = await s.run(budget.sampleMs);
      rates.get(s.key)!.push(r.units / r.seconds / scale);
    }
  }
  const out: Record<string, Measurement> = {};
  for (const [key, xs] of rates) out[key] = { rate: median(xs), min: Math.min(...xs), max: Math.max(...xs), samples: xs };
  return out;
}

// 0-RTT anti-replay (RFC 8446 §8, RFC 9846 §8): ClientHello recording inside a freshness window
// (§8.2) and the ticket age check that bounds the window (§8.3).

import { defaultProvider } from '../crypto/default.js';
import type { CryptoProvider, HashAlgorithm } from '../crypto/provider.js';
import type { AntiReplayStore, ReplayVerdict } from './types.js';

/** RFC 8446 §8.3: "windows on the order of ten seconds" for clients on the Internet. */
export const DEFAULT_TICKET_AGE_TOLERANCE_MS = 10_000;

export interface TicketAgeCheck {
  /** PskIdentity.obfuscated_ticket_age (uint32). */
  obfuscatedTicketAge: number;
  /** The ticket's ticket_age_add (uint32). */
  ticketAgeAdd: number;
  /** Server clock when the ticket was issued (plus an RTT estimate, if any: §8.3 adjusted_creation_time). */
  issuedAtMs: number;
  nowMs: number;
  /** Default 10 000 ms. */
  toleranceMs?: number;
}

/**
 * RFC 8446 §8.3 freshness: the client's ticket age is (obfuscated_ticket_age - ticket_age_add)
 * mod 2^32; expected_arrival_time = issuedAt + that age; fresh when within ±tolerance of now.
 * A ClientHello that passes is accepted during at most 2 × tolerance, so record ids for a window
 * of at least 2 × toleranceMs.
 */
export function checkTicketAge(opts: TicketAgeCheck): boolean {
  const tolerance = opts.toleranceMs ?? DEFAULT_TICKET_AGE_TOLERANCE_MS;
  const clientAge = (opts.obfuscatedTicketAge - opts.ticketAgeAdd) >>> 0;
  const expectedArrival = opts.issuedAtMs + clientAge;
  return Math.abs(expectedArrival - opts.nowMs) <= tolerance;
}

export interface MemoryAntiReplayOptions {
  /** Ids recorded at most (over all live buckets); beyond it the verdict is 'full'. Default 100 000. */
  capacity?: number;
  /** Width of a time bucket. Default 1000 ms. */
  bucketMs?: number;
  /** Default: defaultProvider(); its SHA-256 hashes the ids. */
  provider?: CryptoProvider;
  /** Hash for the stored id prefix. Default: the provider's SHA-256. */
  hash?: HashAlgorithm;
  /**
   * Server start time, ms. When set, 'full' is answered (0-RTT refused) until one window has
   * passed since then: ids recorded before a restart are gone (RFC 8446 §8.2). Default: unset.
   */
  startedAtMs?: number;
}

/** Bytes of the id's hash kept per entry. */
const PREFIX_LEN = 16;

/**
 * In-memory ClientHello recording (RFC 8446 §8.2) in time buckets.
 *
 * An id recorded at time t goes into bucket floor(t / bucketMs); a bucket is dropped once it lies
 * wholly before now - windowMs, so an id is remembered for at least windowMs and at most
 * windowMs + bucketMs. Callers should pass the same windowMs on every call.
 *
 * Only the first 16 bytes of SHA-256(id) are kept. Two distinct ids collide with probability
 * 2^-128; with n ids live, a fresh id is wrongly taken for a replay with probability at most
 * n / 2^128 (about 3 × 10^-34 at n = 100 000). Such a false positive only refuses 0-RTT, which
 * §8.2 allows for stores with false positives (the server must then not abort the handshake).
 *
 * At capacity the answer is 'full' and nothing is recorded: the server refuses 0-RTT (fail
 * closed) and the 1-RTT handshake goes on; room returns as buckets age out of the window.
 */
export class MemoryAntiReplay implements AntiReplayStore {
  private readonly capacity: number;
  private readonly bucketMs: number;
  private readonly hash: HashAlgorithm;
  private readonly startedAtMs: number | undefined;
  /** id prefix → its bucket. */
  private readonly ids = new Map<string, number>();
  /** bucket index → ids; insertion order is bucket order (indices never go backwards). */
  private readonly buckets = new Map<number, string[]>();
  private lastBucket = -Infinity;

  constructor(opts: MemoryAntiReplayOptions = {}) {
    this.capacity = opts.capacity ?? 100_000;
    this.bucketMs = opts.bucketMs ?? 1000;
    if (!Number.isInteger(this.capacity) || this.capacity < 1) throw new RangeError('MemoryAntiReplay: capacity must be a positive integer');
    if (!(this.bucketMs > 0)) throw new RangeError('MemoryAntiReplay: bucketMs must be positive');
    this.hash = opts.hash ?? (opts.provider ?? defaultProvider()).hash('SHA-256');
    this.startedAtMs = opts.startedAtMs;
  }

  /** Ids currently recorded. */
  get size(): number {
    return this.ids.size;
  }

  checkAndRecord(id: Uint8Array, nowMs: number, windowMs: number): ReplayVerdict {
    this.expire(nowMs, windowMs);
    if (this.startedAtMs !== undefined && nowMs - windowMs < this.startedAtMs) return 'full';
    const digest = this.hash.digest(id);
    const key = String.fromCharCode(...digest.subarray(0, PREFIX_LEN));
    if (this.ids.has(key)) return 'replayed';
    if (this.ids.size >= this.capacity) return 'full';
    // A clock that steps back records into the latest bucket (kept longer, never shorter).
    const bucket = Math.max(Math.floor(nowMs / this.bucketMs), this.lastBucket);
    this.lastBucket = bucket;
    let list = this.buckets.get(bucket);
    if (list === undefined) this.buckets.set(bucket, (list = []));
    list.push(key);
    this.ids.set(key, bucket);
    return 'fresh';
  }

  /** Drops buckets that end at or before now - windowMs. */
  private expire(nowMs: number, windowMs: number): void {
    const cutoff = nowMs - windowMs;
    for (const [bucket, list] of this.buckets) {
      if ((bucket + 1) * this.bucketMs > cutoff) break;
      for (const key of list) this.ids.delete(key);
      this.buckets.delete(bucket);
    }
  }
}

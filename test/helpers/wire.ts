// Shared helpers for the wire codec tests.

import { expect } from 'vitest';
import { TlsError } from '../../src/errors.js';

/** Run fn and return the TlsError it throws; fails the test on success or on any other error type. */
export function catchTls(fn: () => unknown): TlsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TlsError) return e;
    throw new Error(`expected a TlsError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected a TlsError, but the call succeeded');
}

/** Assert that fn throws a TlsError carrying `alert`. */
export function expectAlert(fn: () => unknown, alert: number): void {
  const err = catchTls(fn);
  expect(err.alert, err.message).toBe(alert);
}

/** Deterministic PRNG (xorshift32), so fuzz failures reproduce. */
export function prng(seed: number): { next(): number; int(n: number): number; bytes(n: number): Uint8Array } {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  return {
    next,
    int: (n) => next() % n,
    bytes: (n) => {
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) b[i] = next() & 0xff;
      return b;
    },
  };
}

/** Wrap a body in a handshake header with the right length. */
export function withHeader(msgType: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  out[0] = msgType;
  out[1] = (body.length >>> 16) & 0xff;
  out[2] = (body.length >>> 8) & 0xff;
  out[3] = body.length & 0xff;
  out.set(body, 4);
  return out;
}

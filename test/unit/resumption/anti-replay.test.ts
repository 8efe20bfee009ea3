import { describe, expect, it } from 'vitest';
import { MemoryAntiReplay, checkTicketAge } from '../../../src/resumption/anti-replay.js';
import { utf8 } from '../../../src/util/bytes.js';

const T0 = 1_700_000_000_000;
const WINDOW = 20_000;
const id = (n: number): Uint8Array => utf8(`binder-${n}`);

describe('MemoryAntiReplay', () => {
  it('answers fresh, then replayed', () => {
    const s = new MemoryAntiReplay();
    expect(s.checkAndRecord(id(1), T0, WINDOW)).toBe('fresh');
    expect(s.checkAndRecord(id(2), T0, WINDOW)).toBe('fresh');
    expect(s.checkAndRecord(id(1), T0 + 1, WINDOW)).toBe('replayed');
    expect(s.checkAndRecord(id(1), T0 + WINDOW - 1, WINDOW)).toBe('replayed');
    expect(s.size).toBe(2);
  });

  it('forgets ids once their bucket leaves the window (at least windowMs, at most windowMs + bucketMs)', () => {
    const s = new MemoryAntiReplay({ bucketMs: 1000 });
    const t = T0 + 500; // mid-bucket
    expect(s.checkAndRecord(id(1), t, WINDOW)).toBe('fresh');
    expect(s.checkAndRecord(id(1), t + WINDOW, WINDOW)).toBe('replayed');
    expect(s.checkAndRecord(id(1), t + WINDOW + 499, WINDOW)).toBe('replayed');
    expect(s.checkAndRecord(id(1), t + WINDOW + 500, WINDOW)).toBe('fresh');
    expect(s.size).toBe(1);
  });

  it('answers full at capacity without recording, and recovers as buckets expire', () => {
    const s = new MemoryAntiReplay({ capacity: 3 });
    for (let i = 0; i < 3; i++) expect(s.checkAndRecord(id(i), T0 + i * 1000, WINDOW)).toBe('fresh');
    expect(s.checkAndRecord(id(9), T0 + 3000, WINDOW)).toBe('full');
    expect(s.checkAndRecord(id(9), T0 + 3000, WINDOW)).toBe('full'); // not recorded
    expect(s.checkAndRecord(id(0), T0 + 3000, WINDOW)).toBe('replayed'); // replays still detected
    expect(s.size).toBe(3);
    // the bucket of id(0) ends at T0 + 1000: it expires at T0 + 1000 + WINDOW
    expect(s.checkAndRecord(id(9), T0 + WINDOW + 999, WINDOW)).toBe('full');
    expect(s.checkAndRecord(id(9), T0 + WINDOW + 1000, WINDOW)).toBe('fresh');
    expect(s.checkAndRecord(id(10), T0 + WINDOW + 1000, WINDOW)).toBe('full');
    expect(s.checkAndRecord(id(1), T0 + WINDOW + 1000, WINDOW)).toBe('replayed');
    expect(s.checkAndRecord(id(10), T0 + 10 * WINDOW, WINDOW)).toBe('fresh');
    expect(s.size).toBe(1);
  });

  it('keeps ids at least a window when the clock steps back', () => {
    const s = new MemoryAntiReplay();
    expect(s.checkAndRecord(id(1), T0 + 10_000, WINDOW)).toBe('fresh');
    expect(s.checkAndRecord(id(2), T0, WINDOW)).toBe('fresh'); // recorded in the later bucket
    expect(s.checkAndRecord(id(2), T0 + 10_000 + WINDOW, WINDOW)).toBe('replayed');
    expect(s.checkAndRecord(id(1), T0 + 10_000 + WINDOW, WINDOW)).toBe('replayed');
  });

  it('refuses 0-RTT for one window after startup when told the start time', () => {
    const s = new MemoryAntiReplay({ startedAtMs: T0 });
    expect(s.checkAndRecord(id(1), T0, WINDOW)).toBe('full');
    expect(s.checkAndRecord(id(1), T0 + WINDOW - 1, WINDOW)).toBe('full');
    expect(s.checkAndRecord(id(1), T0 + WINDOW, WINDOW)).toBe('fresh');
  });

  it('handles empty and long ids, and validates options', () => {
    const s = new MemoryAntiReplay();
    expect(s.checkAndRecord(new Uint8Array(0), T0, WINDOW)).toBe('fresh');
    expect(s.checkAndRecord(new Uint8Array(0), T0, WINDOW)).toBe('replayed');
    expect(s.checkAndRecord(new Uint8Array(100_000).fill(1), T0, WINDOW)).toBe('fresh');
    expect(() => new MemoryAntiReplay({ capacity: 0 })).toThrow(RangeError);
    expect(() => new MemoryAntiReplay({ bucketMs: 0 })).toThrow(RangeError);
  });

  it('stays bounded under a flood', () => {
    const s = new MemoryAntiReplay({ capacity: 1000 });
    let full = 0;
    for (let i = 0; i < 5000; i++) if (s.checkAndRecord(id(i), T0 + i, WINDOW) === 'full') full++;
    expect(s.size).toBe(1000);
    expect(full).toBe(4000);
  });
});

describe('checkTicketAge (RFC 8446 §8.3)', () => {
  const issuedAtMs = T0;
  const ageAdd = 0x10000000;
  const at = (clientAgeMs: number, nowMs: number, add = ageAdd, toleranceMs?: number) =>
    checkTicketAge({
      obfuscatedTicketAge: (clientAgeMs + add) >>> 0,
      ticketAgeAdd: add,
      issuedAtMs,
      nowMs,
      ...(toleranceMs === undefined ? {} : { toleranceMs }),
    });

  it('accepts a client age that matches the server clock within the tolerance', () => {
    expect(at(5000, T0 + 5000)).toBe(true);
    expect(at(5000, T0 + 15_000)).toBe(true); // default tolerance 10 s
    expect(at(5000, T0 - 5000)).toBe(true);
    expect(at(5000, T0 + 15_001)).toBe(false);
    expect(at(5000, T0 - 5001)).toBe(false);
    expect(at(60_000, T0 + 5000)).toBe(false);
  });

  it('takes a custom tolerance', () => {
    expect(at(5000, T0 + 6000, ageAdd, 1000)).toBe(true);
    expect(at(5000, T0 + 6001, ageAdd, 1000)).toBe(false);
    expect(at(5000, T0 + 5000, ageAdd, 0)).toBe(true);
  });

  it('undoes the obfuscation modulo 2^32', () => {
    // ageAdd close to 2^32: obfuscated = age + add wraps around
    const add = 0xfffffff0;
    const obfuscated = (3000 + add) >>> 0;
    expect(obfuscated).toBe(3000 - 16);
    expect(checkTicketAge({ obfuscatedTicketAge: obfuscated, ticketAgeAdd: add, issuedAtMs, nowMs: T0 + 3000 })).toBe(true);
    expect(checkTicketAge({ obfuscatedTicketAge: obfuscated, ticketAgeAdd: add, issuedAtMs, nowMs: T0 + 3000 + 2 ** 32 })).toBe(false);
    expect(at(2 ** 32 - 1, T0 + 2 ** 32 - 1, 0xffffffff)).toBe(true);
    // a wrong ageAdd yields a huge age, never a negative one
    expect(checkTicketAge({ obfuscatedTicketAge: 0, ticketAgeAdd: 1, issuedAtMs, nowMs: T0 - 1 })).toBe(false);
  });
});

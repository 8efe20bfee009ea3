import { describe, expect, it } from 'vitest';
import { MemorySessionCache, sessionCacheKey } from '../../../src/resumption/cache.js';
import { MAX_TICKET_LIFETIME_SECONDS } from '../../../src/resumption/state.js';
import { sampleSession } from './helpers.js';

const T0 = 1_700_000_000_000;

describe('sessionCacheKey', () => {
  it('separates server names and ALPN offers', () => {
    expect(sessionCacheKey('a.test')).toBe(sessionCacheKey('A.TEST', []));
    expect(sessionCacheKey('a.test', ['h2'])).not.toBe(sessionCacheKey('a.test'));
    expect(sessionCacheKey('a.test', ['h2', 'http/1.1'])).not.toBe(sessionCacheKey('a.test', ['http/1.1', 'h2']));
    expect(sessionCacheKey('a.test', ['h2'])).not.toBe(sessionCacheKey('b.test', ['h2']));
    // no ambiguity from separators inside names
    expect(sessionCacheKey('a', ['b,c'])).not.toBe(sessionCacheKey('a', ['b', 'c']));
    expect(sessionCacheKey('a|b')).not.toBe(sessionCacheKey('a', ['b']));
  });

  it('audit #6: separates verification policies (a verifying client never finds an insecure session)', () => {
    const keys = (['certificate', 'insecure', 'psk'] as const).map((p) => sessionCacheKey('a.test', ['h2'], p));
    expect(new Set(keys).size).toBe(3);
    expect(sessionCacheKey('a.test', ['h2'])).toBe(keys[0]);
  });
});

describe('MemorySessionCache', () => {
  it('keeps sessions per key', () => {
    const c = new MemorySessionCache();
    const ka = sessionCacheKey('a.test');
    const kb = sessionCacheKey('b.test');
    c.put(ka, sampleSession({ serverName: 'a.test' }));
    expect(c.take(kb, T0)).toBeUndefined();
    expect(c.take(ka, T0)?.serverName).toBe('a.test');
  });

  it('returns the newest first, each once', () => {
    const c = new MemorySessionCache();
    const k = sessionCacheKey('a.test');
    c.put(k, sampleSession({ receivedAt: T0, ticketAgeAdd: 1 }));
    c.put(k, sampleSession({ receivedAt: T0 + 10, ticketAgeAdd: 2 }));
    c.put(k, sampleSession({ receivedAt: T0 + 5, ticketAgeAdd: 3 }));
    c.put(k, sampleSession({ receivedAt: T0 + 10, ticketAgeAdd: 4 })); // tie: stored last wins
    expect([1, 2, 3, 4, 5].map(() => c.take(k, T0 + 20)?.ticketAgeAdd)).toEqual([4, 2, 3, 1, undefined]);
    expect(c.size).toBe(0);
  });

  it('drops expired sessions and honours the 7-day cap', () => {
    const c = new MemorySessionCache();
    const k = sessionCacheKey('a.test');
    c.put(k, sampleSession({ receivedAt: T0, lifetimeSeconds: 100, ticketAgeAdd: 1 }));
    c.put(k, sampleSession({ receivedAt: T0 + 1, lifetimeSeconds: 10, ticketAgeAdd: 2 }));
    // at T0 + 11 000 the newer one has expired: the older one is used, the expired one dropped
    expect(c.take(k, T0 + 11_000)?.ticketAgeAdd).toBe(1);
    expect(c.size).toBe(0);

    c.put(k, sampleSession({ receivedAt: T0, lifetimeSeconds: 100 }));
    expect(c.take(k, T0 + 100_000)).toBeUndefined();
    expect(c.size).toBe(0);

    c.put(k, sampleSession({ receivedAt: T0, lifetimeSeconds: 0xffffffff }));
    c.put(k, sampleSession({ receivedAt: T0, lifetimeSeconds: 0xffffffff }));
    const week = MAX_TICKET_LIFETIME_SECONDS * 1000;
    expect(c.take(k, T0 + week - 1)).toBeDefined();
    expect(c.take(k, T0 + week)).toBeUndefined();
  });

  it('does not keep a ticket with lifetime 0', () => {
    const c = new MemorySessionCache();
    c.put('k', sampleSession({ lifetimeSeconds: 0 }));
    expect(c.size).toBe(0);
    expect(c.take('k', T0)).toBeUndefined();
  });

  it('is bounded per key, dropping the oldest', () => {
    const c = new MemorySessionCache({ perKeyCapacity: 2 });
    for (let i = 1; i <= 3; i++) c.put('k', sampleSession({ receivedAt: T0 + i, ticketAgeAdd: i }));
    expect(c.size).toBe(2);
    expect([c.take('k', T0)?.ticketAgeAdd, c.take('k', T0)?.ticketAgeAdd, c.take('k', T0)]).toEqual([3, 2, undefined]);
  });

  it('is bounded in total, dropping from the least recently stored key', () => {
    const c = new MemorySessionCache({ capacity: 3 });
    c.put('a', sampleSession({ ticketAgeAdd: 1 }));
    c.put('a', sampleSession({ ticketAgeAdd: 2 }));
    c.put('b', sampleSession({ ticketAgeAdd: 3 }));
    c.put('c', sampleSession({ ticketAgeAdd: 4 }));
    expect(c.size).toBe(3);
    expect(c.take('a', T0)?.ticketAgeAdd).toBe(2);
    expect(c.take('a', T0)).toBeUndefined();
    c.put('d', sampleSession({ ticketAgeAdd: 5 }));
    c.put('e', sampleSession({ ticketAgeAdd: 6 }));
    expect(c.take('b', T0)).toBeUndefined();
    expect(c.take('c', T0)?.ticketAgeAdd).toBe(4);
  });

  it('validates its options', () => {
    expect(() => new MemorySessionCache({ capacity: 0 })).toThrow(RangeError);
    expect(() => new MemorySessionCache({ perKeyCapacity: 1.5 })).toThrow(RangeError);
  });
});

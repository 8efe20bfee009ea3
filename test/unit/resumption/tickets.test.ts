import { describe, expect, it } from 'vitest';
import { CHACHA20_POLY1305 } from '../../../src/crypto/noble/index.js';
import { MAX_TICKET_LIFETIME_SECONDS, encodeServerSessionState } from '../../../src/resumption/state.js';
import { SelfEncryptedTickets, StatefulTicketStore } from '../../../src/resumption/tickets.js';
import { counterRandom, fakeClock, sampleState } from './helpers.js';

const HOUR = 3600_000;

describe('SelfEncryptedTickets', () => {
  it('issues a ticket that redeems to the same state', () => {
    const clock = fakeClock();
    const t = new SelfEncryptedTickets({ random: counterRandom(), now: clock.now });
    const s = sampleState({ issuedAt: clock.now() });
    const ticket = t.issue(s);
    expect(ticket.length).toBe(4 + 12 + encodeServerSessionState(s).length + 16);
    expect(t.redeem(ticket, clock.now())).toEqual(s);
    // self-encrypted: redeemable more than once (single use is the anti-replay store's job)
    expect(t.redeem(ticket, clock.now())).toEqual(s);
  });

  it('does not reveal the state and uses a fresh nonce per ticket', () => {
    const t = new SelfEncryptedTickets({ random: counterRandom(), now: () => 1_700_000_000_000 });
    const s = sampleState();
    const a = t.issue(s);
    const b = t.issue(s);
    expect(a.subarray(0, 4)).toEqual(b.subarray(0, 4)); // same key id
    expect(a.subarray(4, 16)).not.toEqual(b.subarray(4, 16));
    const hasPsk = (x: Uint8Array) => x.some((_, i) => s.psk.every((v, j) => x[i + j] === v));
    expect(hasPsk(a)).toBe(false);
  });

  it('works with the default random source and clock, and with ChaCha20-Poly1305', () => {
    const s = sampleState({ issuedAt: Date.now() });
    expect(new SelfEncryptedTickets().redeem(new SelfEncryptedTickets().issue(s), Date.now())).toBeUndefined();
    const t = new SelfEncryptedTickets({ aead: CHACHA20_POLY1305 });
    expect(t.redeem(t.issue(s), Date.now())).toEqual(s);
  });

  it('rejects tampered, truncated and garbage tickets', () => {
    const clock = fakeClock();
    const t = new SelfEncryptedTickets({ random: counterRandom(), now: clock.now });
    const ticket = t.issue(sampleState({ issuedAt: clock.now() }));
    for (const i of [0, 3, 4, 15, 16, ticket.length - 1]) {
      const bad = ticket.slice();
      bad[i]! ^= 1;
      expect(t.redeem(bad, clock.now()), `byte ${i}`).toBeUndefined();
    }
    for (const n of [0, 1, 4, 16, 31, ticket.length - 1]) expect(t.redeem(ticket.subarray(0, n), clock.now())).toBeUndefined();
    expect(t.redeem(new Uint8Array([...ticket, 0]), clock.now())).toBeUndefined();
    expect(t.redeem(new Uint8Array(200).fill(0x41), clock.now())).toBeUndefined();
  });

  it('accepts the current and the previous key on rotate(), and retires the one before', () => {
    const clock = fakeClock();
    const t = new SelfEncryptedTickets({ random: counterRandom(), now: clock.now });
    const s = sampleState({ issuedAt: clock.now() });
    const k1 = t.issue(s);
    t.rotate();
    const k2 = t.issue(s);
    expect(k2.subarray(0, 4)).not.toEqual(k1.subarray(0, 4));
    expect(t.redeem(k1, clock.now())).toEqual(s);
    expect(t.redeem(k2, clock.now())).toEqual(s);
    t.rotate();
    expect(t.redeem(k1, clock.now())).toBeUndefined();
    expect(t.redeem(k2, clock.now())).toEqual(s);
    t.rotate();
    expect(t.redeem(k2, clock.now())).toBeUndefined();
  });

  it('rotates on its own with the injected clock', () => {
    const clock = fakeClock();
    const t = new SelfEncryptedTickets({ random: counterRandom(), now: clock.now, rotationIntervalMs: HOUR });
    const s = sampleState({ issuedAt: clock.now(), lifetimeSeconds: MAX_TICKET_LIFETIME_SECONDS });
    const k1 = t.issue(s);
    clock.advance(HOUR - 1);
    expect(t.issue(s).subarray(0, 4)).toEqual(k1.subarray(0, 4)); // not yet
    clock.advance(1);
    const k2 = t.issue(s); // rotated: k1 is now previous
    expect(k2.subarray(0, 4)).not.toEqual(k1.subarray(0, 4));
    expect(t.redeem(k1, clock.now())).toEqual(s);
    clock.advance(HOUR); // rotation on redeem: k2 previous, k1 retired
    expect(t.redeem(k1, clock.now())).toBeUndefined();
    expect(t.redeem(k2, clock.now())).toEqual(s);
  });

  it('retires both keys after two idle intervals', () => {
    const clock = fakeClock();
    const t = new SelfEncryptedTickets({ random: counterRandom(), now: clock.now, rotationIntervalMs: HOUR });
    const s = sampleState({ issuedAt: clock.now(), lifetimeSeconds: MAX_TICKET_LIFETIME_SECONDS });
    const k1 = t.issue(s);
    clock.advance(2 * HOUR);
    expect(t.redeem(k1, clock.now())).toBeUndefined();
  });

  it('keeps key ids distinct even when the random source repeats', () => {
    const clock = fakeClock();
    const t = new SelfEncryptedTickets({ random: (out) => out.fill(7), now: clock.now });
    const s = sampleState({ issuedAt: clock.now() });
    const k1 = t.issue(s);
    t.rotate();
    const k2 = t.issue(s);
    expect(k2.subarray(0, 4)).not.toEqual(k1.subarray(0, 4));
    expect(t.redeem(k1, clock.now())).toEqual(s);
    expect(t.redeem(k2, clock.now())).toEqual(s);
  });

  it('expires at issuedAt + lifetime', () => {
    const clock = fakeClock();
    const t = new SelfEncryptedTickets({ random: counterRandom(), now: clock.now });
    const s = sampleState({ issuedAt: clock.now(), lifetimeSeconds: 60 });
    const ticket = t.issue(s);
    expect(t.redeem(ticket, clock.now() + 59_999)).toEqual(s);
    expect(t.redeem(ticket, clock.now() + 60_000)).toBeUndefined();
    expect(t.redeem(t.issue(sampleState({ issuedAt: clock.now(), lifetimeSeconds: 0 })), clock.now())).toBeUndefined();
  });

  it('caps the lifetime at 7 days', () => {
    const clock = fakeClock();
    // Rotation slower than a week so that only the lifetime cap applies.
    const t = new SelfEncryptedTickets({ random: counterRandom(), now: clock.now, rotationIntervalMs: 30 * 24 * HOUR });
    const s = sampleState({ issuedAt: clock.now(), lifetimeSeconds: 30 * 24 * 3600 });
    const ticket = t.issue(s);
    const week = MAX_TICKET_LIFETIME_SECONDS * 1000;
    clock.advance(week - 1);
    expect(t.redeem(ticket, clock.now())).toEqual(s);
    clock.advance(1);
    expect(t.redeem(ticket, clock.now())).toBeUndefined();
  });

  it('refuses a state too large for a ticket', () => {
    const t = new SelfEncryptedTickets({ random: counterRandom(), now: () => 0 });
    expect(() => t.issue(sampleState({ peerCertificates: [new Uint8Array(70_000)] }))).toThrow(RangeError);
  });

  it('validates its options', () => {
    expect(() => new SelfEncryptedTickets({ rotationIntervalMs: 0 })).toThrow(RangeError);
  });
});

describe('StatefulTicketStore', () => {
  it('issues 16-byte ids and redeems each once', () => {
    const clock = fakeClock();
    const store = new StatefulTicketStore({ random: counterRandom(), now: clock.now });
    const s = sampleState({ issuedAt: clock.now() });
    const ticket = store.issue(s);
    expect(ticket.length).toBe(16);
    expect(store.size).toBe(1);
    expect(store.redeem(ticket, clock.now())).toEqual(s);
    expect(store.redeem(ticket, clock.now())).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('keeps its own copy of the state', () => {
    const store = new StatefulTicketStore({ random: counterRandom(), now: () => 0 });
    const s = sampleState({ issuedAt: 0 });
    const ticket = store.issue(s);
    s.psk.fill(0);
    expect(store.redeem(ticket, 0)?.psk[0]).toBe(0xab);
  });

  it('rejects unknown and malformed tickets', () => {
    const store = new StatefulTicketStore({ random: counterRandom(), now: () => 0 });
    const ticket = store.issue(sampleState({ issuedAt: 0 }));
    const other = ticket.slice();
    other[0]! ^= 1;
    expect(store.redeem(other, 0)).toBeUndefined();
    expect(store.redeem(ticket.subarray(0, 15), 0)).toBeUndefined();
    expect(store.redeem(new Uint8Array(0), 0)).toBeUndefined();
    expect(store.redeem(ticket, 0)).toBeDefined();
  });

  it('evicts the oldest state at capacity', () => {
    const store = new StatefulTicketStore({ random: counterRandom(), now: () => 0, capacity: 3 });
    const tickets = [0, 1, 2, 3].map((i) => store.issue(sampleState({ issuedAt: 0, ageAdd: i })));
    expect(store.size).toBe(3);
    expect(store.redeem(tickets[0]!, 0)).toBeUndefined();
    expect(tickets.slice(1).map((t) => store.redeem(t, 0)?.ageAdd)).toEqual([1, 2, 3]);
  });

  it('honours the lifetime and the 7-day cap, and purges expired states', () => {
    const clock = fakeClock();
    const store = new StatefulTicketStore({ random: counterRandom(), now: clock.now });
    const short = store.issue(sampleState({ issuedAt: clock.now(), lifetimeSeconds: 10 }));
    const long = store.issue(sampleState({ issuedAt: clock.now(), lifetimeSeconds: 0xffffffff }));
    expect(store.redeem(short, clock.now() + 10_000)).toBeUndefined();
    const week = MAX_TICKET_LIFETIME_SECONDS * 1000;
    expect(store.redeem(long, clock.now() + week)).toBeUndefined();

    const a = store.issue(sampleState({ issuedAt: clock.now(), lifetimeSeconds: 10 }));
    clock.advance(10_000);
    store.issue(sampleState({ issuedAt: clock.now() }));
    expect(store.size).toBe(1); // `a` purged on issue
    expect(store.redeem(a, clock.now() - 10_000)).toBeUndefined();
  });
});

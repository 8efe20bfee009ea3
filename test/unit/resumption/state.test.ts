import { describe, expect, it } from 'vitest';
import {
  MAX_TICKET_LIFETIME_SECONDS,
  decodeServerSessionState,
  encodeServerSessionState,
  lifetimeExpired,
} from '../../../src/resumption/state.js';
import { sampleState } from './helpers.js';

describe('server session state encoding', () => {
  it('round-trips every field', () => {
    const s = sampleState({ issuedAt: 2 ** 53 - 1, authenticatedAt: 2 ** 53 - 2, ageAdd: 0xffffffff, lifetimeSeconds: 0xffffffff });
    expect(decodeServerSessionState(encodeServerSessionState(s))).toEqual(s);
  });

  it('round-trips without optional fields and without certificates', () => {
    const { alpn: _a, serverName: _s, ...rest } = sampleState();
    const s = { ...rest, peerCertificates: [], psk: new Uint8Array(48).fill(7) };
    const d = decodeServerSessionState(encodeServerSessionState(s));
    expect(d).toEqual(s);
    expect(d && 'alpn' in d).toBe(false);
    expect(d && 'serverName' in d).toBe(false);
  });

  it('round-trips non-ASCII names', () => {
    const s = sampleState({ alpn: 'h\u00e9\u00ff', serverName: 'b\u00fccher.example' });
    expect(decodeServerSessionState(encodeServerSessionState(s))).toEqual(s);
  });

  it('starts with version 2 (version 1 had no authenticated_at)', () => {
    expect(encodeServerSessionState(sampleState())[0]).toBe(2);
  });

  it('returns copies, not views of the input', () => {
    const b = encodeServerSessionState(sampleState());
    const d = decodeServerSessionState(b)!;
    b.fill(0);
    expect(d.psk[0]).toBe(0xab);
    expect(d.peerCertificates[0]![0]).toBe(0x30);
  });

  it('rejects every truncation', () => {
    const b = encodeServerSessionState(sampleState());
    for (let n = 0; n < b.length; n++) expect(decodeServerSessionState(b.subarray(0, n)), `length ${n}`).toBeUndefined();
  });

  it('rejects trailing bytes, another version, reserved flags, bad UTF-8, empty psk or certificate', () => {
    const s = sampleState({ alpn: undefined, serverName: undefined, peerCertificates: [] });
    delete s.alpn;
    delete s.serverName;
    const b = encodeServerSessionState(s);
    expect(decodeServerSessionState(new Uint8Array([...b, 0]))).toBeUndefined();
    expect(decodeServerSessionState(new Uint8Array([1, ...b.subarray(1)]))).toBeUndefined();
    expect(decodeServerSessionState(new Uint8Array([3, ...b.subarray(1)]))).toBeUndefined();
    const flagsAt = 1 + 2 + 1 + 32 + 8 + 8 + 12;
    expect(b[flagsAt]).toBe(0);
    const reserved = b.slice();
    reserved[flagsAt] = 4;
    expect(decodeServerSessionState(reserved)).toBeUndefined();
    // alpn flag set, alpn = 0xff (invalid UTF-8), then an empty certificate list.
    const badUtf8 = new Uint8Array([...b.subarray(0, flagsAt), 1, 0, 1, 0xff, 0, 0, 0]);
    expect(decodeServerSessionState(badUtf8)).toBeUndefined();
    const goodUtf8 = new Uint8Array([...b.subarray(0, flagsAt), 1, 0, 1, 0x61, 0, 0, 0]);
    expect(decodeServerSessionState(goodUtf8)?.alpn).toBe('a');
    const emptyPsk = new Uint8Array([2, 0x13, 0x01, 0, ...b.subarray(4 + 32)]);
    expect(decodeServerSessionState(emptyPsk)).toBeUndefined();
    const emptyCert = new Uint8Array([...b.subarray(0, flagsAt + 1), 0, 0, 3, 0, 0, 0]);
    expect(decodeServerSessionState(emptyCert)).toBeUndefined();
    // issuedAt beyond 2^53 - 1
    const big = b.slice();
    big[4 + 32] = 0xff;
    expect(decodeServerSessionState(big)).toBeUndefined();
    // authenticatedAt beyond 2^53 - 1
    const bigAuth = b.slice();
    bigAuth[4 + 32 + 8] = 0xff;
    expect(decodeServerSessionState(bigAuth)).toBeUndefined();
  });

  it('never throws on garbage', () => {
    let x = 12345;
    for (let i = 0; i < 500; i++) {
      const b = new Uint8Array(i % 120);
      for (let j = 0; j < b.length; j++) b[j] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
      if (b.length > 0) b[0] = 1;
      expect(() => decodeServerSessionState(b)).not.toThrow();
    }
    expect(decodeServerSessionState(new Uint8Array(0))).toBeUndefined();
  });

  it('refuses to encode out-of-range fields', () => {
    expect(() => encodeServerSessionState(sampleState({ cipherSuite: 0x10000 }))).toThrow(RangeError);
    expect(() => encodeServerSessionState(sampleState({ psk: new Uint8Array(0) }))).toThrow(RangeError);
    expect(() => encodeServerSessionState(sampleState({ issuedAt: -1 }))).toThrow(RangeError);
    expect(() => encodeServerSessionState(sampleState({ authenticatedAt: -1 }))).toThrow(RangeError);
    expect(() => encodeServerSessionState(sampleState({ ageAdd: 2 ** 32 }))).toThrow(RangeError);
    expect(() => encodeServerSessionState(sampleState({ alpn: '' }))).toThrow(RangeError);
    expect(() => encodeServerSessionState(sampleState({ peerCertificates: [new Uint8Array(0)] }))).toThrow(RangeError);
  });
});

describe('lifetimeExpired', () => {
  it('expires at start + lifetime, and lifetime 0 immediately', () => {
    expect(lifetimeExpired(1000, 10, 1000)).toBe(false);
    expect(lifetimeExpired(1000, 10, 10_999)).toBe(false);
    expect(lifetimeExpired(1000, 10, 11_000)).toBe(true);
    expect(lifetimeExpired(1000, 0, 1000)).toBe(true);
  });

  it('caps the lifetime at 7 days', () => {
    const week = MAX_TICKET_LIFETIME_SECONDS * 1000;
    expect(lifetimeExpired(0, 0xffffffff, week - 1)).toBe(false);
    expect(lifetimeExpired(0, 0xffffffff, week)).toBe(true);
  });
});

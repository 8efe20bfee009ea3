import { describe, expect, it } from 'vitest';
import { AlertDescription } from '../../../src/errors.js';
import { CipherState, MAX_SEQUENCE_NUMBER, recordNonce } from '../../../src/record/keys.js';
import { fromHex, toHex } from '../../../src/util/bytes.js';
import { AES_128_GCM, CHACHA20_POLY1305, alertOf, testKeys } from '../../helpers/record.js';

describe('recordNonce (RFC 8446 §5.3)', () => {
  const iv = fromHex('5d313eb2671276ee13000b30'); // RFC 8448 §3 server handshake iv

  it('sequence 0 is the iv itself', () => {
    expect(toHex(recordNonce(iv, 0))).toBe('5d313eb2671276ee13000b30');
  });

  it('XORs the left-padded big-endian sequence number into the iv (hand-computed)', () => {
    expect(toHex(recordNonce(iv, 1))).toBe('5d313eb2671276ee13000b31');
    // 0x0102030405 padded to 12 bytes: 00000000 00000001 02030405
    expect(toHex(recordNonce(iv, 0x0102030405))).toBe('5d313eb2671276ef11030f35');
  });

  it('handles the high 32 bits and the 2^53 − 1 ceiling', () => {
    const zero = new Uint8Array(12);
    expect(toHex(recordNonce(zero, 2 ** 32))).toBe('000000000000000100000000');
    expect(toHex(recordNonce(zero, 2 ** 32 - 1))).toBe('0000000000000000ffffffff');
    expect(toHex(recordNonce(zero, MAX_SEQUENCE_NUMBER))).toBe('00000000001fffffffffffff');
  });

  it('does not modify the iv and returns a fresh array', () => {
    const copy = iv.slice();
    const n = recordNonce(iv, 12345);
    expect(iv).toEqual(copy);
    expect(n).not.toBe(iv);
  });

  it('rejects invalid sequence numbers and short IVs', () => {
    expect(alertOf(() => recordNonce(iv, -1))).toBe(AlertDescription.internal_error);
    expect(alertOf(() => recordNonce(iv, 1.5))).toBe(AlertDescription.internal_error);
    expect(alertOf(() => recordNonce(iv, 2 ** 53))).toBe(AlertDescription.internal_error);
    expect(alertOf(() => recordNonce(new Uint8Array(7), 0))).toBe(AlertDescription.internal_error);
  });
});

describe('CipherState', () => {
  it('advances the sequence number on seal and on successful open only', () => {
    const keys = testKeys(AES_128_GCM);
    const w = new CipherState(keys);
    const r = new CipherState(keys);
    const aad = fromHex('1703030011');
    const ct = w.seal(aad, fromHex('01'));
    expect(w.sequence).toBe(1);
    const bad = ct.slice();
    bad[0]! ^= 1;
    expect(r.open(aad, bad)).toBeNull();
    expect(r.sequence).toBe(0);
    expect(r.open(aad, ct)).toEqual(fromHex('01'));
    expect(r.sequence).toBe(1);
  });

  it('uses the §5.3 nonce: record n is the AEAD under recordNonce(iv, n)', () => {
    const keys = testKeys(CHACHA20_POLY1305, 9);
    const s = new CipherState(keys);
    const aad = fromHex('1703030013');
    s.seal(aad, fromHex('aa'));
    const second = s.seal(aad, fromHex('bb'));
    const direct = CHACHA20_POLY1305.create(keys.key).seal(recordNonce(keys.iv, 1), aad, fromHex('bb'));
    expect(second).toEqual(direct);
  });

  it('refuses to go past the last sequence number (never wraps)', () => {
    const s = new CipherState(testKeys(AES_128_GCM), MAX_SEQUENCE_NUMBER);
    const aad = new Uint8Array(5);
    s.seal(aad, fromHex('00'));
    expect(s.sequence).toBe(MAX_SEQUENCE_NUMBER + 1);
    expect(alertOf(() => s.seal(aad, fromHex('00')))).toBe(AlertDescription.internal_error);
  });

  it('validates key and iv lengths against the AEAD', () => {
    const k = testKeys(AES_128_GCM);
    expect(alertOf(() => new CipherState({ ...k, key: new Uint8Array(15) }))).toBe(AlertDescription.internal_error);
    expect(alertOf(() => new CipherState({ ...k, iv: new Uint8Array(8) }))).toBe(AlertDescription.internal_error);
  });

  it('keeps its own copy of the iv', () => {
    const k = testKeys(AES_128_GCM);
    const a = new CipherState(k);
    const ref = new CipherState(testKeys(AES_128_GCM));
    k.iv.fill(0);
    const aad = new Uint8Array(5);
    expect(a.seal(aad, fromHex('01'))).toEqual(ref.seal(aad, fromHex('01')));
  });
});

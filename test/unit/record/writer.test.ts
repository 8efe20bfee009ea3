import { describe, expect, it } from 'vitest';
import { AlertDescription } from '../../../src/errors.js';
import { MAX_INNER_PLAINTEXT_LENGTH, MAX_PLAINTEXT_LENGTH } from '../../../src/record/constants.js';
import { RecordReader } from '../../../src/record/reader.js';
import { type PaddingPolicy, RecordWriter, noPadding, padToBlock, padToMaximum } from '../../../src/record/writer.js';
import { concatBytes, toHex } from '../../../src/util/bytes.js';
import { ContentType } from '../../../src/wire/codepoints.js';
import { AES_128_GCM, CHACHA20_POLY1305, alertOf, expectBytes, pattern, testKeys, withRecordLimit } from '../../helpers/record.js';

const keys = testKeys(CHACHA20_POLY1305, 6);
const { handshake, alert, application_data, change_cipher_spec } = ContentType;

function lengths(wire: Uint8Array): number[] {
  const out = [];
  for (let p = 0; p < wire.length; p += 5 + ((wire[p + 3]! << 8) | wire[p + 4]!)) out.push((wire[p + 3]! << 8) | wire[p + 4]!);
  return out;
}

function keyedWriter(opts?: ConstructorParameters<typeof RecordWriter>[0]): RecordWriter {
  const w = new RecordWriter(opts);
  w.setKeys(keys);
  return w;
}

describe('RecordWriter: plaintext records', () => {
  it('writes the header with 0x0303, or 0x0301 on request (initial ClientHello)', () => {
    const w = new RecordWriter();
    w.write(handshake, Uint8Array.of(1, 2, 3));
    w.write(handshake, Uint8Array.of(4), { legacyVersion: 0x0301 });
    w.write(alert, Uint8Array.of(2, 40));
    w.write(change_cipher_spec, Uint8Array.of(1));
    expect(toHex(w.takeOutput()!)).toBe('1603030003010203' + '160301000104' + '15030300020228' + '140303000101');
  });

  it('fragments at 2^14 and ignores padding and the peer record_size_limit (RFC 8449 §4)', () => {
    const w = new RecordWriter({ padding: padToMaximum });
    w.setMaxFragmentLength(100);
    w.write(handshake, pattern(2 * MAX_PLAINTEXT_LENGTH + 5));
    expect(lengths(w.takeOutput()!)).toEqual([MAX_PLAINTEXT_LENGTH, MAX_PLAINTEXT_LENGTH, 5]);
  });

  it('refuses application data before keys, zero-length non-application writes and unknown types', () => {
    const w = new RecordWriter();
    expect(alertOf(() => w.write(application_data, pattern(3)))).toBe(AlertDescription.internal_error);
    expect(alertOf(() => w.write(application_data, new Uint8Array(0)))).toBe(AlertDescription.internal_error);
    for (const t of [handshake, alert, change_cipher_spec])
      expect(alertOf(() => w.write(t, new Uint8Array(0)))).toBe(AlertDescription.internal_error);
    for (const t of [0, 24, 99]) expect(alertOf(() => w.write(t, pattern(1)))).toBe(AlertDescription.internal_error);
    expect(alertOf(() => w.write(handshake, pattern(1), { legacyVersion: 0x0200 }))).toBe(AlertDescription.internal_error);
    expect(w.hasOutput).toBe(false);
  });
});

describe('RecordWriter: protected records', () => {
  it('uses outer type application_data and 0x0303; change_cipher_spec is never protected', () => {
    const w = keyedWriter();
    w.write(handshake, pattern(10));
    w.write(change_cipher_spec, Uint8Array.of(1));
    const wire = w.takeOutput()!;
    expect(toHex(wire.subarray(0, 5))).toBe('1703030' + (10 + 1 + 16).toString(16).padStart(3, '0'));
    expect(toHex(wire.subarray(wire.length - 6))).toBe('140303000101');
    expect(w.recordsUnderKey).toBe(1);
  });

  it('rejects a legacyVersion other than 0x0303 for a protected record', () => {
    const w = keyedWriter();
    expect(alertOf(() => w.write(handshake, pattern(1), { legacyVersion: 0x0301 }))).toBe(AlertDescription.internal_error);
    w.write(handshake, pattern(1), { legacyVersion: 0x0303 });
    expect(w.recordsUnderKey).toBe(1);
  });

  it('zero-length application data is one record; zero-length handshake and alert are refused', () => {
    const w = keyedWriter();
    w.write(application_data, new Uint8Array(0));
    expect(lengths(w.takeOutput()!)).toEqual([1 + 16]);
    expect(alertOf(() => w.write(handshake, new Uint8Array(0)))).toBe(AlertDescription.internal_error);
    expect(alertOf(() => w.write(alert, new Uint8Array(0)))).toBe(AlertDescription.internal_error);
  });

  it('the record_size_limit counts the inner type and padding: content ≤ limit − 1', () => {
    const w = keyedWriter({ padding: padToBlock(64) });
    w.setMaxFragmentLength(512);
    expect(w.maxFragmentLength).toBe(511);
    w.write(application_data, pattern(2000));
    const ls = lengths(w.takeOutput()!);
    expect(ls).toHaveLength(4); // ceil(2000 / 511)
    for (const l of ls) expect(l - 16).toBeLessThanOrEqual(512);
    expect(ls.slice(0, 3)).toEqual([512 + 16, 512 + 16, 512 + 16]); // 511 + type = 512, no room for more
    expect(ls[3]! - 16).toBe(512); // 467 + 1 padded to a multiple of 64, capped at the limit
  });

  it('record_size_limit is bounded to [64, 2^14 + 1]', () => {
    const w = keyedWriter();
    expect(alertOf(() => w.setMaxFragmentLength(63))).toBe(AlertDescription.internal_error);
    w.setMaxFragmentLength(64);
    expect(w.maxFragmentLength).toBe(63);
    w.setMaxFragmentLength(1 << 20);
    expect(w.maxFragmentLength).toBe(MAX_PLAINTEXT_LENGTH);
  });

  it('passes (type, length, maxPadding) to the policy and clamps its answer', () => {
    const calls: number[][] = [];
    const policy: PaddingPolicy = (t, n, max) => {
      calls.push([t, n, max]);
      return n === 5 ? 1e9 : n === 6 ? -3 : n === 7 ? Number.NaN : 2.7;
    };
    const w = keyedWriter({ padding: policy });
    for (const n of [5, 6, 7, 8]) w.write(handshake, pattern(n));
    expect(calls).toEqual([5, 6, 7, 8].map((n) => [handshake, n, MAX_INNER_PLAINTEXT_LENGTH - 1 - n]));
    expect(lengths(w.takeOutput()!).map((l) => l - 16)).toEqual([MAX_INNER_PLAINTEXT_LENGTH, 7, 8, 11]);
  });

  it('ready-made policies', () => {
    expect(noPadding(handshake, 10, 100)).toBe(0);
    expect(padToBlock(16)(handshake, 15, 100)).toBe(0); // 15 + 1 = 16 already
    expect(padToBlock(16)(handshake, 16, 100)).toBe(15);
    expect(padToBlock(16)(handshake, 16, 4)).toBe(4);
    expect(padToMaximum(handshake, 10, 77)).toBe(77);
    expect(alertOf(() => padToBlock(0))).toBe(AlertDescription.internal_error);
  });

  it('setPadding changes the policy for later records', () => {
    const w = keyedWriter();
    w.write(handshake, pattern(3));
    w.setPadding(padToBlock(32));
    w.write(handshake, pattern(3));
    w.setPadding(undefined);
    w.write(handshake, pattern(3));
    expect(lengths(w.takeOutput()!).map((l) => l - 16)).toEqual([4, 32, 4]);
  });

  it('counts records under the key and resets on setKeys', () => {
    const w = keyedWriter();
    w.write(application_data, pattern(3 * MAX_PLAINTEXT_LENGTH));
    expect(w.recordsUnderKey).toBe(3);
    w.setKeys(testKeys(AES_128_GCM));
    expect(w.recordsUnderKey).toBe(0);
    w.setKeys(undefined);
    expect(w.hasKeys).toBe(false);
    expect(w.recordsUnderKey).toBe(0);
  });

  it('never exceeds the AEAD record limit, refusing a write up front', () => {
    const w = new RecordWriter();
    w.setKeys({ ...testKeys(AES_128_GCM), aead: withRecordLimit(AES_128_GCM, 3) });
    w.write(handshake, pattern(2 * MAX_PLAINTEXT_LENGTH)); // 2 records
    const before = w.outputBytes;
    expect(alertOf(() => w.write(application_data, pattern(MAX_PLAINTEXT_LENGTH + 1)))).toBe(
      AlertDescription.internal_error,
    );
    expect(w.outputBytes).toBe(before); // nothing half-written
    w.write(application_data, pattern(1));
    expect(w.recordsUnderKey).toBe(3);
    expect(alertOf(() => w.write(application_data, pattern(1)))).toBe(AlertDescription.internal_error);
    w.write(change_cipher_spec, Uint8Array.of(1)); // unprotected: not counted
  });
});

describe('RecordWriter: output queue', () => {
  it('takeOutput returns everything queued once, then undefined', () => {
    const w = new RecordWriter();
    expect(w.takeOutput()).toBeUndefined();
    expect(w.hasOutput).toBe(false);
    w.write(handshake, pattern(3));
    w.write(handshake, pattern(4));
    expect(w.hasOutput).toBe(true);
    expect(w.outputBytes).toBe(17);
    const out = w.takeOutput()!;
    expect(out.length).toBe(17);
    expect(w.takeOutput()).toBeUndefined();
    expect(w.hasOutput).toBe(false);
  });

  it('returned output is not overwritten by later writes', () => {
    const w = keyedWriter();
    const r = new RecordReader();
    r.setKeys(keys);
    const taken: Uint8Array[] = [];
    const copies: Uint8Array[] = [];
    for (let i = 0; i < 20; i++) {
      w.write(application_data, pattern(i * 997, i));
      const out = w.takeOutput()!;
      taken.push(out);
      copies.push(out.slice());
    }
    taken.forEach((t, i) => expectBytes(t, copies[i]!));
    r.push(concatBytes(...taken));
    let n = 0;
    for (let rec = r.next(); rec !== undefined; rec = r.next()) n += rec.data.length;
    expect(n).toBe((997 * 19 * 20) / 2);
  });

  it('padding is zeros even when the output buffer is reused (RFC 8446 §5.4)', () => {
    const w = keyedWriter();
    const r = new RecordReader();
    r.setKeys(keys);
    for (let i = 0; i < 10; i++) {
      w.setPadding(i % 2 === 0 ? undefined : padToBlock(256));
      w.write(application_data, pattern(i % 2 === 0 ? 200 : 3, i)); // short padded record over stale bytes
      r.push(w.takeOutput()!);
      expect(r.next()?.data).toEqual(pattern(i % 2 === 0 ? 200 : 3, i));
    }
  });

  it('handles a large write (1 MiB) into one output buffer', () => {
    const w = keyedWriter();
    const data = pattern(1 << 20, 3);
    w.write(application_data, data);
    const wire = w.takeOutput()!;
    expect(wire.length).toBe(data.length + 64 * (5 + 1 + 16));
  });

  it('with an allocator that does not zero: the same records, and nothing else reachable through .buffer', () => {
    const dirty = (n: number): Uint8Array => new Uint8Array(n).fill(0xa5);
    const plain = keyedWriter();
    const fast = keyedWriter({ allocate: dirty });
    for (const [type, n] of [[handshake, 40], [application_data, 3000], [alert, 2], [application_data, 70_000]] as const) {
      plain.write(type, pattern(n, n & 0xff));
      fast.write(type, pattern(n, n & 0xff));
      const a = plain.takeOutput()!;
      const b = fast.takeOutput()!;
      expect(toHex(b)).toBe(toHex(a));
      const whole = new Uint8Array(b.buffer);
      expect(whole.subarray(0, b.byteOffset).every((x) => x === 0)).toBe(true);
      expect(whole.subarray(b.byteOffset + b.length).every((x) => x === 0)).toBe(true);
    }
  });
});

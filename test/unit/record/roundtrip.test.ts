// Writer → reader round trips: all AEADs, fragmentation at the 2^14 boundary, padding.
import { describe, expect, it } from 'vitest';
import { MAX_CIPHERTEXT_LENGTH, MAX_PLAINTEXT_LENGTH } from '../../../src/record/constants.js';
import type { InboundRecord } from '../../../src/record/reader.js';
import { RecordReader } from '../../../src/record/reader.js';
import { type PaddingPolicy, RecordWriter, padToBlock, padToMaximum } from '../../../src/record/writer.js';
import { concatBytes } from '../../../src/util/bytes.js';
import { ContentType } from '../../../src/wire/codepoints.js';
import { ALL_AEADS, AES_128_GCM, expectBytes, pattern, testKeys } from '../../helpers/record.js';

/** Splits a wire image into [header, body] pairs by the length fields. */
function frames(wire: Uint8Array): { type: number; version: number; length: number }[] {
  const out = [];
  for (let p = 0; p < wire.length; ) {
    const length = (wire[p + 3]! << 8) | wire[p + 4]!;
    out.push({ type: wire[p]!, version: (wire[p + 1]! << 8) | wire[p + 2]!, length });
    p += 5 + length;
    expect(p).toBeLessThanOrEqual(wire.length);
  }
  return out;
}

function drain(r: RecordReader): InboundRecord[] {
  const out: InboundRecord[] = [];
  for (let rec = r.next(); rec !== undefined; rec = r.next()) out.push(rec);
  return out;
}

const SIZES = [1, 100, MAX_PLAINTEXT_LENGTH - 1, MAX_PLAINTEXT_LENGTH, MAX_PLAINTEXT_LENGTH + 1, 100 * 1024];

describe.each(ALL_AEADS)('protected round trip with $name', (aead) => {
  const keys = testKeys(aead, 3);

  it.each(SIZES)('%i bytes of application data and of handshake', (size) => {
    for (const type of [ContentType.application_data, ContentType.handshake]) {
      const data = pattern(size, type);
      const w = new RecordWriter();
      w.setKeys(keys);
      w.write(type, data);
      const wire = w.takeOutput()!;
      const f = frames(wire);
      const expected = Math.ceil(size / MAX_PLAINTEXT_LENGTH);
      expect(f.length).toBe(expected);
      expect(w.recordsUnderKey).toBe(expected);
      for (const x of f) {
        expect(x.type).toBe(ContentType.application_data);
        expect(x.version).toBe(0x0303);
        expect(x.length).toBeLessThanOrEqual(MAX_PLAINTEXT_LENGTH + 1 + aead.tagLen);
      }
      // Unpadded: ciphertext = content + type byte + tag.
      expect(wire.length).toBe(size + expected * (5 + 1 + aead.tagLen));

      const r = new RecordReader();
      r.setKeys(keys);
      r.push(wire);
      const recs = drain(r);
      expect(recs.every((x) => x.type === type && x.protected)).toBe(true);
      expect(recs.every((x) => x.data.length <= MAX_PLAINTEXT_LENGTH)).toBe(true);
      expectBytes(concatBytes(...recs.map((x) => x.data)), data);
      expect(r.recordsUnderKey).toBe(expected);
      expect(r.bufferedBytes).toBe(0);
    }
  });

  it('zero-length application data is one zero-length record', () => {
    const w = new RecordWriter();
    w.setKeys(keys);
    w.write(ContentType.application_data, new Uint8Array(0));
    const wire = w.takeOutput()!;
    expect(frames(wire)).toEqual([{ type: 23, version: 0x0303, length: 1 + aead.tagLen }]);
    const r = new RecordReader();
    r.setKeys(keys);
    r.push(wire);
    expect(drain(r)).toEqual([{ type: ContentType.application_data, data: new Uint8Array(0), protected: true }]);
  });

  it.each([
    ['padToBlock(64)', padToBlock(64)],
    ['padToBlock(1000)', padToBlock(1000)],
    ['padToMaximum', padToMaximum],
  ] as [string, PaddingPolicy][])('with padding %s', (_name, policy) => {
    const data = pattern(40_000, 5);
    const w = new RecordWriter({ padding: policy });
    w.setKeys(keys);
    w.write(ContentType.application_data, data);
    w.write(ContentType.alert, Uint8Array.of(1, 0));
    const wire = w.takeOutput()!;
    for (const x of frames(wire)) {
      const inner = x.length - aead.tagLen;
      expect(inner).toBeLessThanOrEqual(MAX_PLAINTEXT_LENGTH + 1);
      expect(x.length).toBeLessThanOrEqual(MAX_CIPHERTEXT_LENGTH);
      if (policy === padToMaximum) expect(inner).toBe(MAX_PLAINTEXT_LENGTH + 1);
    }
    const r = new RecordReader();
    r.setKeys(keys);
    r.push(wire);
    const recs = drain(r);
    expect(recs.at(-1)).toEqual({ type: ContentType.alert, data: Uint8Array.of(1, 0), protected: true });
    expectBytes(concatBytes(...recs.slice(0, -1).map((x) => x.data)), data);
  });
});

describe('unprotected round trip', () => {
  it.each(SIZES)('%i bytes of handshake', (size) => {
    const data = pattern(size, 2);
    const w = new RecordWriter({ padding: padToMaximum }); // padding never applies to plaintext
    w.write(ContentType.handshake, data);
    const wire = w.takeOutput()!;
    const f = frames(wire);
    expect(f.length).toBe(Math.ceil(size / MAX_PLAINTEXT_LENGTH));
    expect(f.every((x) => x.type === ContentType.handshake && x.version === 0x0303)).toBe(true);
    expect(wire.length).toBe(size + f.length * 5);
    const r = new RecordReader();
    r.push(wire);
    const recs = drain(r);
    expect(recs.every((x) => x.type === ContentType.handshake && !x.protected)).toBe(true);
    expectBytes(concatBytes(...recs.map((x) => x.data)), data);
  });

  it('keys switched mid-stream: plaintext, then protected, then a new key', () => {
    const k1 = testKeys(AES_128_GCM, 1);
    const k2 = testKeys(AES_128_GCM, 2);
    const w = new RecordWriter();
    w.write(ContentType.handshake, pattern(10));
    w.write(ContentType.change_cipher_spec, Uint8Array.of(1));
    w.setKeys(k1);
    w.write(ContentType.handshake, pattern(20));
    w.write(ContentType.change_cipher_spec, Uint8Array.of(1)); // never protected
    w.setKeys(k2);
    w.write(ContentType.application_data, pattern(30));
    const r = new RecordReader();
    r.push(w.takeOutput()!);
    expect(r.next()).toEqual({ type: ContentType.handshake, data: pattern(10), protected: false });
    expect(r.next()).toEqual({ type: ContentType.change_cipher_spec, data: Uint8Array.of(1), protected: false });
    r.setKeys(k1);
    expect(r.next()).toEqual({ type: ContentType.handshake, data: pattern(20), protected: true });
    expect(r.next()).toEqual({ type: ContentType.change_cipher_spec, data: Uint8Array.of(1), protected: false });
    r.setKeys(k2);
    expect(r.recordsUnderKey).toBe(0);
    expect(r.next()).toEqual({ type: ContentType.application_data, data: pattern(30), protected: true });
    expect(r.next()).toBeUndefined();
  });
});

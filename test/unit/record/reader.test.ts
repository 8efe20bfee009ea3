import { describe, expect, it } from 'vitest';
import { AlertDescription } from '../../../src/errors.js';
import {
  MAX_CIPHERTEXT_LENGTH,
  MAX_INNER_PLAINTEXT_LENGTH,
  MAX_PLAINTEXT_LENGTH,
  MAX_RECORD_LENGTH,
} from '../../../src/record/constants.js';
import { type InboundRecord, RecordReader } from '../../../src/record/reader.js';
import { RecordWriter, padToBlock } from '../../../src/record/writer.js';
import { concatBytes, toHex, utf8 } from '../../../src/util/bytes.js';
import { ContentType } from '../../../src/wire/codepoints.js';
import { AES_128_GCM, AES_256_GCM, CHACHA20_POLY1305, alertOf, pattern, plainRecord, sealRaw, testKeys } from '../../helpers/record.js';

const keys = testKeys(AES_128_GCM, 4);
const { handshake, alert, application_data, change_cipher_spec } = ContentType;

function drain(r: RecordReader): InboundRecord[] {
  const out: InboundRecord[] = [];
  for (let rec = r.next(); rec !== undefined; rec = r.next()) out.push(rec);
  return out;
}

function keyed(k = keys): RecordReader {
  const r = new RecordReader();
  r.setKeys(k);
  return r;
}

/** Pushes `wire` and returns the alert that reading raises. */
function readAlert(r: RecordReader, wire: Uint8Array): number {
  return alertOf(() => {
    r.push(wire);
    drain(r);
  });
}

describe('RecordReader: framing', () => {
  it('returns undefined until a whole record is buffered', () => {
    const rec = plainRecord(handshake, pattern(10));
    const r = new RecordReader();
    for (let i = 0; i < rec.length - 1; i++) {
      r.push(rec.subarray(i, i + 1));
      expect(r.next()).toBeUndefined();
    }
    expect(r.bufferedBytes).toBe(rec.length - 1);
    r.push(rec.subarray(rec.length - 1));
    expect(r.next()).toEqual({ type: handshake, data: pattern(10), protected: false });
    expect(r.bufferedBytes).toBe(0);
  });

  it('ignores legacy_record_version apart from its high byte', () => {
    const r = new RecordReader();
    r.push(concatBytes(plainRecord(handshake, pattern(3), 0x0301), plainRecord(handshake, pattern(4), 0x0300)));
    r.push(plainRecord(handshake, pattern(5), 0x03ff));
    expect(drain(r).map((x) => x.data.length)).toEqual([3, 4, 5]);
  });

  it('returned data is a copy, unaffected by later pushes', () => {
    const r = new RecordReader({ maxBufferedBytes: MAX_RECORD_LENGTH });
    const first = plainRecord(handshake, pattern(100, 1));
    r.push(first);
    const rec = r.next()!;
    for (let i = 0; i < 5; i++) {
      r.push(plainRecord(handshake, pattern(MAX_PLAINTEXT_LENGTH, i)));
      drain(r);
    }
    expect(rec.data).toEqual(pattern(100, 1));
  });

  it('unprotected records pass through without keys, including application_data', () => {
    const r = new RecordReader();
    r.push(plainRecord(application_data, pattern(7)));
    r.push(plainRecord(alert, Uint8Array.of(2, 40)));
    expect(drain(r)).toEqual([
      { type: application_data, data: pattern(7), protected: false },
      { type: alert, data: Uint8Array.of(2, 40), protected: false },
    ]);
  });

  it('parses many records split at every byte boundary', () => {
    const w = new RecordWriter({ padding: padToBlock(32) });
    w.write(handshake, pattern(50, 1));
    w.write(change_cipher_spec, Uint8Array.of(1));
    w.setKeys(keys);
    w.write(handshake, pattern(300, 2));
    w.write(application_data, pattern(0));
    w.write(application_data, pattern(77, 3));
    w.write(change_cipher_spec, Uint8Array.of(1));
    w.write(alert, Uint8Array.of(1, 0));
    const wire = w.takeOutput()!;
    const expected = [
      { type: handshake, data: pattern(50, 1), protected: false },
      { type: change_cipher_spec, data: Uint8Array.of(1), protected: false },
      { type: handshake, data: pattern(300, 2), protected: true },
      { type: application_data, data: pattern(0), protected: true },
      { type: application_data, data: pattern(77, 3), protected: true },
      { type: change_cipher_spec, data: Uint8Array.of(1), protected: false },
      { type: alert, data: Uint8Array.of(1, 0), protected: true },
    ];
    // The connection installs keys after the second record, as it would after ServerHello.
    const readSplit = (cuts: number[]): InboundRecord[] => {
      const r = new RecordReader();
      const got: InboundRecord[] = [];
      let prev = 0;
      for (const cut of [...cuts, wire.length]) {
        r.push(wire.subarray(prev, cut));
        prev = cut;
        for (let rec = r.next(); rec !== undefined; rec = r.next()) {
          got.push(rec);
          if (got.length === 2) r.setKeys(keys);
        }
      }
      expect(r.bufferedBytes).toBe(0);
      return got;
    };
    const show = (recs: InboundRecord[]) => recs.map((x) => `${x.type}/${x.protected}/${toHex(x.data)}`).join(' ');
    for (let cut = 0; cut <= wire.length; cut++) expect(show(readSplit([cut]))).toBe(show(expected));
    expect(readSplit(Array.from({ length: wire.length }, (_, i) => i))).toEqual(expected); // byte by byte
  });
});

describe('RecordReader: errors', () => {
  it('garbage (an HTTP request) is decode_error, as soon as two bytes arrive', () => {
    expect(readAlert(new RecordReader(), utf8('GET / HTTP/1.1\r\n\r\n'))).toBe(AlertDescription.decode_error);
    const r = new RecordReader();
    r.push(utf8('G'));
    expect(r.next()).toBeUndefined();
    expect(readAlert(r, utf8('E'))).toBe(AlertDescription.decode_error);
    // An SSLv2-style header
    expect(readAlert(new RecordReader(), Uint8Array.of(0x80, 0x2e, 0x01, 0x00, 0x02))).toBe(AlertDescription.decode_error);
  });

  it('an unknown outer content type is unexpected_message', () => {
    for (const t of [0, 19, 24, 0xff])
      expect(readAlert(new RecordReader(), Uint8Array.of(t, 3, 3))).toBe(AlertDescription.unexpected_message);
  });

  it('TLSPlaintext longer than 2^14 is record_overflow from the header alone', () => {
    const ok = new RecordReader();
    ok.push(plainRecord(handshake, new Uint8Array(MAX_PLAINTEXT_LENGTH)));
    expect(ok.next()?.data.length).toBe(MAX_PLAINTEXT_LENGTH);
    const len = MAX_PLAINTEXT_LENGTH + 1;
    for (const t of [handshake, alert, change_cipher_spec])
      expect(readAlert(new RecordReader(), Uint8Array.of(t, 3, 3, len >> 8, len & 0xff))).toBe(
        AlertDescription.record_overflow,
      );
    // With keys installed, an unprotected record is still TLSPlaintext.
    expect(readAlert(keyed(), Uint8Array.of(change_cipher_spec, 3, 3, len >> 8, len & 0xff))).toBe(
      AlertDescription.record_overflow,
    );
  });

  it('TLSCiphertext longer than 2^14 + 256 is record_overflow from the header alone', () => {
    const len = MAX_CIPHERTEXT_LENGTH + 1;
    const hdr = Uint8Array.of(application_data, 3, 3, len >> 8, len & 0xff);
    expect(readAlert(keyed(), hdr)).toBe(AlertDescription.record_overflow);
    expect(readAlert(new RecordReader(), hdr)).toBe(AlertDescription.record_overflow);
    // Exactly 2^14 + 256 passes the length check (and then fails to authenticate).
    expect(readAlert(keyed(), plainRecord(application_data, new Uint8Array(MAX_CIPHERTEXT_LENGTH)))).toBe(
      AlertDescription.bad_record_mac,
    );
  });

  it('a bad tag, ciphertext or header (the AAD) is bad_record_mac', () => {
    const rec = sealRaw(keys, 0, Uint8Array.of(1, 2, 3, handshake));
    for (const at of [rec.length - 1, 5, 2]) {
      const bad = rec.slice();
      bad[at]! ^= 1; // at 2: legacy_record_version 0x0302 still parses, but it is in the AAD
      expect(readAlert(keyed(), bad)).toBe(AlertDescription.bad_record_mac);
    }
    expect(readAlert(keyed(testKeys(AES_128_GCM, 5)), rec)).toBe(AlertDescription.bad_record_mac);
    // The wrong sequence number
    expect(readAlert(keyed(), sealRaw(keys, 1, Uint8Array.of(1, handshake)))).toBe(AlertDescription.bad_record_mac);
    // Shorter than a tag
    expect(readAlert(keyed(), plainRecord(application_data, new Uint8Array(3)))).toBe(AlertDescription.bad_record_mac);
  });

  it('TLSInnerPlaintext longer than 2^14 + 1 is record_overflow', () => {
    const inner = new Uint8Array(MAX_INNER_PLAINTEXT_LENGTH + 1);
    inner[MAX_PLAINTEXT_LENGTH] = application_data; // content 2^14, type, one zero: 2^14 + 2
    expect(readAlert(keyed(), sealRaw(keys, 0, inner))).toBe(AlertDescription.record_overflow);
    const max = inner.subarray(0, MAX_INNER_PLAINTEXT_LENGTH);
    const r = keyed();
    r.push(sealRaw(keys, 0, max));
    expect(r.next()?.data.length).toBe(MAX_PLAINTEXT_LENGTH);
  });

  it('an all-zero TLSInnerPlaintext is unexpected_message', () => {
    for (const n of [1, 10, 1000])
      expect(readAlert(keyed(), sealRaw(keys, 0, new Uint8Array(n)))).toBe(AlertDescription.unexpected_message);
  });

  it('strips padding and finds the inner type; zero bytes inside the content stay', () => {
    const r = keyed();
    r.push(sealRaw(keys, 0, Uint8Array.of(0, 9, 0, 0, alert, 0, 0, 0, 0)));
    expect(r.next()).toEqual({ type: alert, data: Uint8Array.of(0, 9, 0, 0), protected: true });
  });

  it('protected zero-length handshake or alert, protected change_cipher_spec and unknown inner types are unexpected_message', () => {
    for (const inner of [
      Uint8Array.of(handshake),
      Uint8Array.of(alert, 0, 0),
      Uint8Array.of(1, change_cipher_spec),
      Uint8Array.of(1, 2, 0x42),
      Uint8Array.of(1, 24),
    ])
      expect(readAlert(keyed(), sealRaw(keys, 0, inner))).toBe(AlertDescription.unexpected_message);
  });

  it('an unprotected handshake record after keys are installed is unexpected_message', () => {
    expect(readAlert(keyed(), plainRecord(handshake, pattern(4)))).toBe(AlertDescription.unexpected_message);
    expect(readAlert(keyed(), plainRecord(application_data, pattern(4)))).toBe(AlertDescription.bad_record_mac);
  });

  it('a plaintext alert is accepted with keys until the first protected record deprotects', () => {
    const r = keyed();
    r.push(plainRecord(alert, Uint8Array.of(2, 40)));
    expect(r.next()).toEqual({ type: alert, data: Uint8Array.of(2, 40), protected: false });
    r.push(sealRaw(keys, 0, Uint8Array.of(1, handshake)));
    expect(r.next()?.protected).toBe(true);
    expect(readAlert(r, plainRecord(alert, Uint8Array.of(2, 10)))).toBe(AlertDescription.unexpected_message);
    expect(readAlert(keyed(), plainRecord(alert, new Uint8Array(0)))).toBe(AlertDescription.unexpected_message);
  });

  it('change_cipher_spec passes through unprotected with keys; any value but 0x01 is unexpected_message', () => {
    const r = keyed();
    r.push(plainRecord(change_cipher_spec, Uint8Array.of(1)));
    expect(r.next()).toEqual({ type: change_cipher_spec, data: Uint8Array.of(1), protected: false });
    expect(r.recordsUnderKey).toBe(0);
    for (const body of [Uint8Array.of(2), Uint8Array.of(1, 1), new Uint8Array(0)]) {
      expect(readAlert(new RecordReader(), plainRecord(change_cipher_spec, body))).toBe(AlertDescription.unexpected_message);
      expect(readAlert(keyed(), plainRecord(change_cipher_spec, body))).toBe(AlertDescription.unexpected_message);
    }
  });

  it('zero-length unprotected handshake and alert records are unexpected_message', () => {
    for (const t of [handshake, alert])
      expect(readAlert(new RecordReader(), plainRecord(t, new Uint8Array(0)))).toBe(AlertDescription.unexpected_message);
  });
});

describe('RecordReader: keys and limits', () => {
  it('counts records under the current key and resets on a key change', () => {
    const w = new RecordWriter();
    w.setKeys(keys);
    for (let i = 0; i < 5; i++) w.write(application_data, pattern(i + 1));
    const r = keyed();
    r.push(w.takeOutput()!);
    expect(drain(r)).toHaveLength(5);
    expect(r.recordsUnderKey).toBe(5);
    r.setKeys(testKeys(CHACHA20_POLY1305));
    expect(r.recordsUnderKey).toBe(0);
    expect(r.hasKeys).toBe(true);
    r.setKeys(undefined);
    expect(r.hasKeys).toBe(false);
  });

  it('works with AES-256-GCM and ChaCha20-Poly1305 keys', () => {
    for (const aead of [AES_256_GCM, CHACHA20_POLY1305]) {
      const k = testKeys(aead, 8);
      const r = keyed(k);
      r.push(sealRaw(k, 0, Uint8Array.of(5, 6, application_data)));
      r.push(sealRaw(k, 1, Uint8Array.of(7, handshake, 0)));
      expect(drain(r).map((x) => [x.type, ...x.data])).toEqual([
        [application_data, 5, 6],
        [handshake, 7],
      ]);
    }
  });

  it('enforces our record_size_limit on protected records only (RFC 8449)', () => {
    const r = keyed();
    r.setRecordSizeLimit(1000);
    r.push(sealRaw(keys, 0, concatBytes(pattern(999), Uint8Array.of(handshake))));
    expect(r.next()?.data.length).toBe(999);
    expect(readAlert(r, sealRaw(keys, 1, concatBytes(pattern(1000), Uint8Array.of(handshake))))).toBe(
      AlertDescription.record_overflow,
    );
    // The ciphertext bound follows: limit + 255.
    const len = 1000 + 256;
    const r2 = keyed();
    r2.setRecordSizeLimit(1000);
    expect(readAlert(r2, Uint8Array.of(application_data, 3, 3, len >> 8, len & 0xff))).toBe(AlertDescription.record_overflow);
    // Unprotected CCS and records before keys are unaffected.
    const r3 = new RecordReader();
    r3.setRecordSizeLimit(64);
    r3.push(plainRecord(handshake, pattern(5000)));
    expect(r3.next()?.data.length).toBe(5000);
    expect(alertOf(() => r3.setRecordSizeLimit(63))).toBe(AlertDescription.internal_error);
  });

  it('audit #8: a limit set once records were read under the current keys holds them to it too (the record that carried EncryptedExtensions)', () => {
    const r = keyed();
    r.push(concatBytes(sealRaw(keys, 0, concatBytes(pattern(99), Uint8Array.of(handshake)))));
    expect(r.next()?.data.length).toBe(99);
    r.setRecordSizeLimit(100); // exactly the largest inner plaintext read so far: fine
    const r2 = keyed();
    r2.push(concatBytes(sealRaw(keys, 0, concatBytes(pattern(100), Uint8Array.of(handshake)))));
    expect(r2.next()?.data.length).toBe(100);
    expect(alertOf(() => r2.setRecordSizeLimit(100))).toBe(AlertDescription.record_overflow);
    // New keys start afresh: what was read under the previous ones is not counted.
    const r3 = keyed();
    r3.push(concatBytes(sealRaw(keys, 0, concatBytes(pattern(500), Uint8Array.of(handshake)))));
    expect(r3.next()?.data.length).toBe(500);
    r3.setKeys(testKeys(AES_128_GCM, 9));
    r3.setRecordSizeLimit(100);
  });

  it('bounds leftover bytes: a push while maxBufferedBytes are still buffered is internal_error', () => {
    const w = new RecordWriter();
    w.setKeys(keys);
    w.write(application_data, pattern(MAX_PLAINTEXT_LENGTH * 3));
    const wire = w.takeOutput()!;
    const r = new RecordReader({ maxBufferedBytes: MAX_RECORD_LENGTH });
    r.setKeys(keys);
    r.push(wire); // one push may exceed the bound
    expect(r.bufferedBytes).toBe(wire.length);
    expect(alertOf(() => r.push(Uint8Array.of(23)))).toBe(AlertDescription.internal_error); // not drained
    const r2 = new RecordReader({ maxBufferedBytes: MAX_RECORD_LENGTH });
    r2.setKeys(keys);
    r2.push(wire.subarray(0, wire.length - 1));
    expect(drain(r2).map((x) => x.data.length)).toEqual([MAX_PLAINTEXT_LENGTH, MAX_PLAINTEXT_LENGTH]);
    expect(r2.bufferedBytes).toBe(MAX_RECORD_LENGTH - 256 + 16); // one partial record, under the bound
    r2.push(wire.subarray(wire.length - 1));
    expect(r2.next()?.data.length).toBe(MAX_PLAINTEXT_LENGTH);
    expect(alertOf(() => new RecordReader({ maxBufferedBytes: MAX_RECORD_LENGTH - 1 }))).toBe(
      AlertDescription.internal_error,
    );
  });

  it('reads a stream pushed in arbitrary pieces with the minimum bound', () => {
    const w = new RecordWriter();
    w.setKeys(keys);
    w.write(application_data, pattern(MAX_PLAINTEXT_LENGTH * 5 + 3));
    const wire = w.takeOutput()!;
    for (const piece of [1000, 7000, 16_000, 40_000]) {
      const r = new RecordReader({ maxBufferedBytes: MAX_RECORD_LENGTH });
      r.setKeys(keys);
      let total = 0;
      for (let off = 0; off < wire.length; off += piece) {
        r.push(wire.subarray(off, off + piece));
        for (const rec of drain(r)) total += rec.data.length;
      }
      expect(total).toBe(MAX_PLAINTEXT_LENGTH * 5 + 3);
      expect(r.bufferedBytes).toBe(0);
    }
  });
});

describe('RecordReader: skipping rejected early data (RFC 9846 §4.3.10)', () => {
  const early = testKeys(AES_128_GCM, 20);
  const hs = testKeys(AES_128_GCM, 21);
  /** Early data records: each carries 100 content bytes, so counts 100 (length − tag − 1). */
  const earlyRecords = (n: number) =>
    concatBytes(...Array.from({ length: n }, (_, i) => sealRaw(early, i, concatBytes(pattern(100, i), Uint8Array.of(application_data)))));

  it('drops undecryptable records; the first record that decrypts ends the mode', () => {
    const r = keyed(hs);
    r.skipUndecryptable(300);
    expect(r.skipping).toBe('undecryptable');
    r.push(earlyRecords(3));
    r.push(plainRecord(change_cipher_spec, Uint8Array.of(1))); // compatibility CCS may sit in between
    r.push(sealRaw(hs, 0, Uint8Array.of(20, 0, 0, 3, 1, 2, 3, handshake)));
    r.push(sealRaw(early, 3, Uint8Array.of(1, application_data)));
    expect(r.next()).toEqual({ type: change_cipher_spec, data: Uint8Array.of(1), protected: false });
    expect(r.skippedBytes).toBe(300);
    expect(r.next()).toEqual({ type: handshake, data: Uint8Array.of(20, 0, 0, 3, 1, 2, 3), protected: true });
    expect(r.skipping).toBeUndefined();
    expect(r.recordsUnderKey).toBe(1);
    // Skipping is over: another undecryptable record is fatal.
    expect(alertOf(() => r.next())).toBe(AlertDescription.bad_record_mac);
  });

  it('rejected early data is held to the protocol maximum, not our record_size_limit', () => {
    const r = keyed(hs);
    r.setRecordSizeLimit(1000);
    r.skipUndecryptable(100_000);
    r.push(sealRaw(early, 0, concatBytes(pattern(5000), Uint8Array.of(application_data))));
    r.push(sealRaw(hs, 0, Uint8Array.of(9, handshake)));
    expect(r.next()?.data).toEqual(Uint8Array.of(9));
    expect(r.skippedBytes).toBe(0); // reset when skipping ended
    expect(readAlert(r, Uint8Array.of(application_data, 3, 3, 0x04, 0xe8))).toBe(AlertDescription.record_overflow); // 1256
  });

  it('past max_early_data_size it is unexpected_message', () => {
    const r = keyed(hs);
    r.skipUndecryptable(299);
    expect(readAlert(r, earlyRecords(3))).toBe(AlertDescription.unexpected_message);
  });

  it('audit #9: a dropped record that could carry nothing still counts one byte: empty ones cannot flood', () => {
    const empties = (n: number, keys = early) => concatBytes(...Array.from({ length: n }, (_, i) => sealRaw(keys, i, Uint8Array.of(application_data))));
    const r = keyed(hs);
    r.skipUndecryptable(100);
    r.push(empties(100));
    expect(r.next()).toBeUndefined();
    expect(r.skippedBytes).toBe(100);
    expect(readAlert(r, empties(1))).toBe(AlertDescription.unexpected_message);
    // The same after a HelloRetryRequest (unprotected-path skipping).
    const r2 = new RecordReader();
    r2.skipApplicationData(100);
    expect(readAlert(r2, empties(20_000))).toBe(AlertDescription.unexpected_message);
  });

  it('the sequence number does not advance for dropped records', () => {
    const r = keyed(hs);
    r.skipUndecryptable(10_000);
    r.push(earlyRecords(5));
    expect(r.next()).toBeUndefined();
    expect(r.recordsUnderKey).toBe(0);
    r.push(sealRaw(hs, 0, Uint8Array.of(9, handshake)));
    expect(r.next()?.data).toEqual(Uint8Array.of(9));
  });

  it('after HelloRetryRequest: unprotected application_data is dropped until stopSkipping()', () => {
    const r = new RecordReader();
    r.skipApplicationData(200);
    expect(r.skipping).toBe('application_data');
    r.push(earlyRecords(2));
    r.push(plainRecord(handshake, pattern(40))); // the second ClientHello
    expect(r.next()).toEqual({ type: handshake, data: pattern(40), protected: false });
    expect(r.skippedBytes).toBe(200);
    r.stopSkipping();
    r.push(earlyRecords(1));
    expect(r.next()?.type).toBe(application_data); // passed through again: the connection decides
    expect(r.skipping).toBeUndefined();
  });

  it('after HelloRetryRequest: too much early data is unexpected_message', () => {
    const r = new RecordReader();
    r.skipApplicationData(150);
    expect(readAlert(r, earlyRecords(2))).toBe(AlertDescription.unexpected_message);
  });

  it('installing read keys ends application_data skipping', () => {
    const r = new RecordReader();
    r.skipApplicationData(1000);
    r.setKeys(hs);
    expect(r.skipping).toBeUndefined();
    expect(readAlert(r, earlyRecords(1))).toBe(AlertDescription.bad_record_mac);
  });
});

describe('RecordReader: reading pushed bytes in place', () => {
  const wireOf = (sizes: number[]): Uint8Array => {
    const w = new RecordWriter();
    w.setKeys(keys);
    for (const n of sizes) w.write(application_data, pattern(n, n & 0xff));
    return w.takeOutput()!;
  };

  it('after detach() the caller may overwrite its buffer: what is left was copied', () => {
    const sizes = [5000, 12_000, 300, 16_384];
    const wire = wireOf(sizes);
    for (const cut of [3, 5000, 5004, 5022, 17_100, wire.length - 20]) {
      const r = keyed();
      const first = wire.slice(0, cut);
      r.push(first);
      const got = drain(r);
      r.detach();
      first.fill(0xee); // the caller reuses its buffer
      r.push(wire.slice(cut));
      got.push(...drain(r));
      r.detach();
      expect(got.map((x) => x.data)).toEqual(sizes.map((n) => pattern(n, n & 0xff)));
      expect(r.bufferedBytes).toBe(0);
    }
  });

  it('a record that starts in the leftover is completed from the next push, later ones read in place', () => {
    const wire = wireOf([100, 200, 300]);
    const r = keyed();
    r.push(wire.subarray(0, 2)); // not even a header
    r.detach();
    r.push(wire.subarray(2, 7)); // header complete, body not
    expect(r.next()).toBeUndefined();
    r.detach();
    r.push(wire.subarray(7)); // the rest of the first record and two more
    expect(drain(r).map((x) => x.data.length)).toEqual([100, 200, 300]);
  });

  it('a second push before the first was read keeps both, in order', () => {
    const wire = wireOf([10, 20, 30]);
    const r = keyed();
    r.push(wire.subarray(0, 40));
    r.push(wire.subarray(40));
    expect(r.bufferedBytes).toBe(wire.length);
    expect(drain(r).map((x) => x.data.length)).toEqual([10, 20, 30]);
  });

  it('memory from an allocator that does not zero is never visible in what is returned', () => {
    const dirty = (n: number): Uint8Array => new Uint8Array(n).fill(0xa5);
    const wire = wireOf([700, 9000]);
    const r = new RecordReader({ allocate: dirty });
    r.setKeys(keys);
    for (let off = 0; off < wire.length; off += 333) {
      r.push(wire.subarray(off, off + 333));
      r.detach();
    }
    expect(drain(r).map((x) => x.data)).toEqual([pattern(700, 700 & 0xff), pattern(9000, 9000 & 0xff)]);
  });
});

import { describe, expect, it } from 'vitest';
import { AlertDescription } from '../../../src/errors.js';
import { HandshakeJoiner, type RawHandshakeMessage } from '../../../src/record/handshake-joiner.js';
import { concatBytes } from '../../../src/util/bytes.js';
import { HandshakeType } from '../../../src/wire/codepoints.js';
import { alertOf, expectBytes, pattern } from '../../helpers/record.js';

function msg(type: number, bodyLength: number, seed = 0): Uint8Array {
  const body = pattern(bodyLength, seed);
  return concatBytes(Uint8Array.of(type, bodyLength >> 16, (bodyLength >> 8) & 0xff, bodyLength & 0xff), body);
}

function drain(j: HandshakeJoiner): RawHandshakeMessage[] {
  const out: RawHandshakeMessage[] = [];
  for (let m = j.next(); m !== undefined; m = j.next()) out.push(m);
  return out;
}

describe('HandshakeJoiner (RFC 8446 §5.1)', () => {
  const ee = msg(HandshakeType.encrypted_extensions, 10, 1);
  const cert = msg(HandshakeType.certificate, 3000, 2);
  const fin = msg(HandshakeType.finished, 32, 3);
  const eoed = msg(HandshakeType.end_of_early_data, 0); // an empty body is a whole message

  it('splits coalesced messages, returning views of the record', () => {
    const j = new HandshakeJoiner();
    const record = concatBytes(ee, cert, fin, eoed);
    j.push(record);
    const got = drain(j);
    expect(got.map((m) => m.msgType)).toEqual([8, 11, 20, 5]);
    expect(got.map((m) => m.raw)).toEqual([ee, cert, fin, eoed]);
    expect(got[1]!.raw.buffer).toBe(record.buffer); // no copy
    expect(j.isEmpty()).toBe(true);
  });

  it('joins a message fragmented across records; isEmpty is false meanwhile', () => {
    const j = new HandshakeJoiner();
    j.push(cert.subarray(0, 2)); // not even a whole header
    expect(j.next()).toBeUndefined();
    expect(j.isEmpty()).toBe(false);
    j.push(cert.subarray(2, 1000));
    expect(j.next()).toBeUndefined();
    j.push(concatBytes(cert.subarray(1000), fin.subarray(0, 5)));
    const m = j.next()!;
    expect(m.msgType).toBe(HandshakeType.certificate);
    expectBytes(m.raw, cert);
    expect(j.next()).toBeUndefined();
    expect(j.isEmpty()).toBe(false); // part of Finished is buffered
    expect(j.bufferedBytes).toBe(5);
    j.push(fin.subarray(5));
    expect(j.next()?.raw).toEqual(fin);
    expect(j.isEmpty()).toBe(true);
  });

  it('complete messages not yet taken also make isEmpty false (key change must be on a record boundary)', () => {
    const j = new HandshakeJoiner();
    j.push(concatBytes(fin, ee));
    expect(j.next()?.msgType).toBe(HandshakeType.finished);
    expect(j.isEmpty()).toBe(false);
  });

  it('reassembles the same stream whatever the fragmentation', () => {
    const stream = concatBytes(ee, cert, eoed, fin, ee);
    for (const size of [1, 2, 3, 4, 5, 7, 64, 1000, stream.length]) {
      const j = new HandshakeJoiner();
      const got: Uint8Array[] = [];
      for (let off = 0; off < stream.length; off += size) {
        j.push(stream.slice(off, off + size));
        for (const m of drain(j)) got.push(m.raw);
      }
      expect(got.map((r) => r.length)).toEqual([ee.length, cert.length, eoed.length, fin.length, ee.length]);
      expectBytes(concatBytes(...got), stream);
      expect(j.isEmpty()).toBe(true);
    }
  });

  it('a copied message stays intact after later pushes', () => {
    const j = new HandshakeJoiner();
    j.push(cert.slice(0, 100));
    j.push(cert.slice(100));
    const m = j.next()!;
    j.push(msg(HandshakeType.certificate_verify, 3000, 9)); // (a Finished is 32 or 48 bytes)
    drain(j);
    expectBytes(m.raw, cert);
  });

  it('a zero-length fragment is unexpected_message', () => {
    expect(alertOf(() => new HandshakeJoiner().push(new Uint8Array(0)))).toBe(AlertDescription.unexpected_message);
  });

  it('an oversized message is illegal_parameter as soon as its header arrives', () => {
    const j = new HandshakeJoiner();
    const big = 64 * 1024 + 1;
    expect(alertOf(() => j.push(Uint8Array.of(HandshakeType.encrypted_extensions, big >> 16, (big >> 8) & 0xff, big & 0xff)))).toBe(
      AlertDescription.illegal_parameter,
    );
    // Header split across fragments
    const j2 = new HandshakeJoiner();
    j2.push(Uint8Array.of(HandshakeType.client_hello, 0xff));
    expect(alertOf(() => j2.push(Uint8Array.of(0xff, 0xff)))).toBe(AlertDescription.illegal_parameter);
  });

  it('limits are inclusive; Certificate has its own larger limit', () => {
    const j = new HandshakeJoiner();
    j.push(msg(HandshakeType.new_session_ticket, 64 * 1024));
    expect(j.next()?.raw.length).toBe(4 + 64 * 1024);
    const c = msg(HandshakeType.certificate, 256 * 1024);
    j.push(c);
    expect(j.next()?.raw.length).toBe(c.length);
    expect(alertOf(() => j.push(msg(HandshakeType.certificate, 256 * 1024 + 1)))).toBe(AlertDescription.illegal_parameter);
  });

  it('custom limits', () => {
    const j = new HandshakeJoiner({ maxMessageSize: 100, maxCertificateMessageSize: 200 });
    j.push(msg(HandshakeType.certificate_verify, 100));
    j.push(msg(HandshakeType.certificate, 200));
    expect(drain(j)).toHaveLength(2);
    expect(alertOf(() => j.push(msg(HandshakeType.certificate_verify, 101)))).toBe(AlertDescription.illegal_parameter);
    expect(alertOf(() => new HandshakeJoiner({ maxMessageSize: 1 << 24 }))).toBe(AlertDescription.internal_error);
  });

  it('stays linear with one-byte fragments of a large message', () => {
    const j = new HandshakeJoiner();
    const c = msg(HandshakeType.certificate, 200_000, 4);
    const t0 = performance.now();
    let early = 0;
    for (let i = 0; i < c.length; i++) {
      j.push(c.subarray(i, i + 1));
      if (i < c.length - 1 && j.next() !== undefined) early++;
    }
    const m = j.next()!;
    expect(performance.now() - t0).toBeLessThan(2000); // quadratic behaviour would take minutes
    expect(early).toBe(0);
    expectBytes(m.raw, c);
    expect(j.isEmpty()).toBe(true);
  });
});

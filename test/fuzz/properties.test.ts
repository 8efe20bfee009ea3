// fast-check property tests beside the Jazzer.js targets: structured messages round-trip,
// the record reader and the handshake joiner do not care how bytes are cut, the engine in both
// roles fails only with TlsError on arbitrary input, and application data is neither lost nor
// duplicated however the transport cuts and however the application writes it.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClientConnection, createServerConnection } from '../../src/connection/index.js';
import { TlsError } from '../../src/errors.js';
import { HandshakeJoiner } from '../../src/record/handshake-joiner.js';
import { RecordReader } from '../../src/record/reader.js';
import { concatBytes } from '../../src/util/bytes.js';
import { HandshakeType } from '../../src/wire/codepoints.js';
import { isRecognisedExtension } from '../../src/wire/extensions.js';
import { decodeHandshake, encodeHandshake, handshakeLengthAllowed } from '../../src/wire/messages.js';
import type { Extension, HandshakeMessage } from '../../src/wire/types.js';
import { record, runPair, testClientConfig, testServerConfig } from '../helpers/scripted.js';
import { connectPair } from '../../src/testing/memory.js';

const HT = HandshakeType;
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });

/** Unknown (unrecognised) extensions, distinct types; bodies of ≥ 4 bytes so that hello blocks meet their minimum. */
const unknownExtensions = (max: number): fc.Arbitrary<Extension[]> =>
  fc
    .uniqueArray(
      fc.record({ type: u16.filter((t) => !isRecognisedExtension(t)), data: bytes(4, 40) }),
      { maxLength: max, selector: (e) => e.type },
    );

const message: fc.Arbitrary<HandshakeMessage> = fc.oneof(
  fc.record({
    msgType: fc.constant(HT.client_hello),
    legacyVersion: u16,
    random: bytes(32, 32),
    legacySessionId: bytes(0, 32),
    cipherSuites: fc.array(u16, { minLength: 1, maxLength: 20 }),
    legacyCompressionMethods: bytes(1, 4),
    extensions: unknownExtensions(5),
  }),
  fc.record({
    msgType: fc.constant(HT.server_hello),
    legacyVersion: u16,
    random: bytes(32, 32).filter((r) => r[0] !== 0xcf), // not the HelloRetryRequest random
    legacySessionIdEcho: bytes(0, 32),
    cipherSuite: u16,
    legacyCompressionMethod: fc.integer({ min: 0, max: 255 }),
    extensions: unknownExtensions(5),
    isHelloRetryRequest: fc.constant(false),
  }),
  fc.record({ msgType: fc.constant(HT.encrypted_extensions), extensions: unknownExtensions(6) }),
  fc.record({ msgType: fc.constant(HT.certificate_request), certificateRequestContext: bytes(0, 20), extensions: unknownExtensions(4) }),
  fc.record({
    msgType: fc.constant(HT.certificate),
    certificateRequestContext: bytes(0, 20),
    certificateList: fc.array(fc.record({ data: bytes(1, 200), extensions: unknownExtensions(2) }), { maxLength: 4 }),
  }),
  fc.record({ msgType: fc.constant(HT.certificate_verify), algorithm: u16, signature: bytes(0, 300) }),
  fc.record({ msgType: fc.constant(HT.finished), verifyData: bytes(0, 64) }),
  fc.record({
    msgType: fc.constant(HT.new_session_ticket),
    ticketLifetime: u32,
    ticketAgeAdd: u32,
    ticketNonce: bytes(0, 255),
    ticket: bytes(1, 300),
    extensions: unknownExtensions(3),
  }),
  fc.record({ msgType: fc.constant(HT.key_update), requestUpdate: fc.integer({ min: 0, max: 1 }) }),
  fc.record({ msgType: fc.constant(HT.end_of_early_data) }),
) as fc.Arbitrary<HandshakeMessage>;

/** Cut `data` at the given (sorted, deduplicated) offsets. */
function cut(data: Uint8Array, points: number[]): Uint8Array[] {
  const at = [...new Set(points.map((p) => p % (data.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...at, data.length]) {
    if (p > prev) out.push(data.subarray(prev, p));
    prev = Math.max(prev, p);
  }
  return out;
}

function onlyTlsErrors(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof TlsError)) throw e;
  }
}

describe('codec properties', () => {
  it('every structured message encodes, decodes to the same value, and re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(message, (m) => {
        const raw = encodeHandshake(m);
        const back = decodeHandshake(raw);
        expect(back).toEqual(m);
        expect(encodeHandshake(back)).toEqual(raw);
      }),
      { numRuns: 1500 },
    );
  });

  it('arbitrary bytes behind a handshake header: TlsError, or an exact round trip', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), bytes(0, 200), (type, body) => {
        const raw = concatBytes(Uint8Array.of(type, 0, body.length >> 8, body.length & 0xff), body);
        let msg: HandshakeMessage | undefined;
        onlyTlsErrors(() => (msg = decodeHandshake(raw)));
        if (msg) expect(encodeHandshake(msg)).toEqual(raw);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('record layer properties', () => {
  it('the record reader returns the same records however the stream is cut', () => {
    const rec = fc.record({ type: fc.constantFrom(21, 22, 23), body: bytes(1, 600) });
    fc.assert(
      fc.property(fc.array(rec, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (recs, points) => {
        const stream = concatBytes(...recs.map((r) => record(r.type, r.body)));
        const reader = new RecordReader();
        const got: { type: number; body: Uint8Array }[] = [];
        for (const piece of cut(stream, points)) {
          reader.push(piece);
          for (let r = reader.next(); r; r = reader.next()) got.push({ type: r.type, body: r.data });
        }
        expect(got).toEqual(recs);
        expect(reader.bufferedBytes).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('pushed bytes read in place: the same records when every piece is overwritten after detach(), reads interleaved or not', () => {
    const rec = fc.record({ type: fc.constantFrom(21, 22, 23), body: bytes(1, 600) });
    fc.assert(
      fc.property(
        fc.array(rec, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.array(fc.boolean(), { maxLength: 12 }),
        (recs, points, readNow) => {
          const stream = concatBytes(...recs.map((r) => record(r.type, r.body)));
          const reader = new RecordReader({ allocate: (n) => new Uint8Array(n).fill(0x5a) });
          const got: { type: number; body: Uint8Array }[] = [];
          cut(stream, points).forEach((part, i) => {
            const piece = part.slice(); // the transport's own buffer
            reader.push(piece);
            if (readNow[i] !== false) for (let r = reader.next(); r; r = reader.next()) got.push({ type: r.type, body: r.data });
            reader.detach();
            piece.fill(0xee); // reused by the transport
          });
          for (let r = reader.next(); r; r = reader.next()) got.push({ type: r.type, body: r.data });
          expect(got).toEqual(recs);
          expect(reader.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('the handshake joiner returns the same messages however they are fragmented', () => {
    // Messages whose declared length their type's struct admits (others are refused at the header).
    const msg = fc
      .record({ type: fc.integer({ min: 1, max: 24 }), body: bytes(0, 400) })
      .filter((m) => handshakeLengthAllowed(m.type, m.body.length));
    fc.assert(
      fc.property(fc.array(msg, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 10 }), (msgs, points) => {
        const raws = msgs.map((m) => concatBytes(Uint8Array.of(m.type, 0, m.body.length >> 8, m.body.length & 0xff), m.body));
        const joiner = new HandshakeJoiner();
        const got: Uint8Array[] = [];
        for (const frag of cut(concatBytes(...raws), points)) {
          joiner.push(frag.slice());
          for (let m = joiner.next(); m; m = joiner.next()) got.push(m.raw.slice());
        }
        expect(got).toEqual(raws);
        expect(joiner.isEmpty()).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('engine properties', () => {
  it('a server fed arbitrary bytes fails only with TlsError, and then keeps failing with the same error', () => {
    fc.assert(
      fc.property(fc.oneof(bytes(0, 300), fc.tuple(fc.constantFrom(20, 21, 22, 23), bytes(0, 300)).map(([t, b]) => record(t, b))), (input) => {
        const server = createServerConnection(testServerConfig());
        onlyTlsErrors(() => server.receive(input));
        if (server.error) {
          expect(() => server.receive(Uint8Array.of(22, 3, 3, 0, 1, 1))).toThrow(server.error);
          expect(server.read()).toBeUndefined();
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('a client fed an arbitrary answer to its ClientHello fails only with TlsError', () => {
    fc.assert(
      fc.property(bytes(0, 400), (input) => {
        const client = createClientConnection(testClientConfig());
        client.takeOutput();
        onlyTlsErrors(() => client.receive(input));
        expect(client.read()).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('a mutated client flight (one byte changed) fails only with TlsError and never completes the handshake with it', () => {
    const first = runPair().clientWire[0]!; // a valid ClientHello
    fc.assert(
      fc.property(fc.nat({ max: first.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const server = createServerConnection(testServerConfig());
        const mutated = first.slice();
        mutated[at] = mutated[at]! ^ x;
        onlyTlsErrors(() => server.receive(mutated));
        expect(server.handshakeComplete).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('application data is neither lost nor duplicated, however the transport cuts it and however it is written', () => {
    const writes = fc.array(fc.integer({ min: 0, max: 40_000 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(writes, writes, fc.integer({ min: 1, max: 20_000 }), (clientWrites, serverWrites, chunk) => {
        // Low key usage limits on both sides (RFC 8446 §5.5): KeyUpdates go out mid-stream both ways.
        const client = createClientConnection(testClientConfig({ keyUpdateRecordLimit: 3 }));
        const server = createServerConnection(testServerConfig({ keyUpdateRecordLimit: 2 }));
        const fill = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);
        const cw = clientWrites.map((n, i) => fill(n, i));
        const sw = serverWrites.map((n, i) => fill(n, 100 + i));
        for (const w of cw) client.write(w);
        for (const w of sw) server.write(w);
        const got = { client: [] as Uint8Array[], server: [] as Uint8Array[] };
        const pair = connectPair(client, server, { chunkSize: chunk, record: false });
        for (let i = 0; i < 50; i++) {
          const moved = pair.transfer('client') + pair.transfer('server');
          for (let d = server.read(); d; d = server.read()) got.server.push(d);
          for (let d = client.read(); d; d = client.read()) got.client.push(d);
          if (moved === 0) break;
        }
        expect(concatBytes(...got.server)).toEqual(concatBytes(...cw));
        expect(concatBytes(...got.client)).toEqual(concatBytes(...sw));
      }),
      { numRuns: 15 },
    );
  });
});

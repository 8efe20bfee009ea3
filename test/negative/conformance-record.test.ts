// Issue 11, record layer: a ClientHello followed by change_cipher_spec records in one segment,
// split every way (RFC 8446 Appendix D.4, RFC 9846 §5); KeyUpdate bursts (RFC 8446 §4.6.3);
// record_size_limit both ways (RFC 8449 §4).

import { describe, expect, it } from 'vitest';
import { createClientConnection, createServerConnection } from '../../src/connection/index.js';
import type { Connection } from '../../src/connection/types.js';
import { AlertDescription, TlsError } from '../../src/errors.js';
import { ContentType } from '../../src/wire/codepoints.js';
import { concatBytes } from '../../src/util/bytes.js';
import { plaintextAlert, record, testClientConfig, testServerConfig } from '../helpers/scripted.js';

const CCS = record(ContentType.change_cipher_spec, Uint8Array.of(1));

/** Feeds `chunks` to a fresh server; its error (if any) and everything it wrote. */
function serverFed(chunks: Uint8Array[]): { server: Connection; error: TlsError | undefined; out: Uint8Array } {
  const server = createServerConnection(testServerConfig());
  let error: TlsError | undefined;
  const out: Uint8Array[] = [];
  for (const c of chunks) {
    try {
      server.receive(c);
    } catch (e) {
      if (!(e instanceof TlsError)) throw e;
      error = e;
    }
    for (let o = server.takeOutput(); o; o = server.takeOutput()) out.push(o);
    if (error) break;
  }
  return { server, error, out: concatBytes(...out) };
}

/** Every split of `bytes` into 2 chunks, then byte by byte. */
function splits(bytes: Uint8Array): Uint8Array[][] {
  const all: Uint8Array[][] = [];
  for (let i = 0; i <= bytes.length; i++) all.push([bytes.subarray(0, i), bytes.subarray(i)]);
  all.push(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)));
  return all;
}

describe('ClientHello and change_cipher_spec records in one segment (issue 11 item 4)', () => {
  const hello = createClientConnection(testClientConfig()).takeOutput()!;

  it('ClientHello + one CCS, split every way: the server answers with its flight, no error', () => {
    const bytes = concatBytes(hello, CCS);
    const whole = serverFed([bytes]);
    expect(whole.error).toBeUndefined();
    expect(whole.out[0]).toBe(ContentType.handshake); // the ServerHello record
    for (const chunks of splits(bytes)) {
      const r = serverFed(chunks);
      expect(r.error, `split ${chunks.length === 2 ? chunks[0]!.length : 'bytewise'}`).toBeUndefined();
      expect(r.out.length, 'answered').toBeGreaterThan(0);
      expect(r.out[0]).toBe(ContentType.handshake);
    }
  });

  for (const n of [2, 3, 5]) {
    it(`ClientHello + ${n} CCS, split every way: never silent, unexpected_message on the wire`, () => {
      const bytes = concatBytes(hello, ...Array.from({ length: n }, () => CCS));
      for (const chunks of splits(bytes)) {
        const r = serverFed(chunks);
        const where = `split ${chunks.length === 2 ? chunks[0]!.length : 'bytewise'}`;
        expect(r.error, where).toBeInstanceOf(TlsError);
        expect(r.error!.alertName, where).toBe('unexpected_message');
        expect(r.error!.message).toMatch(/change_cipher_spec/);
        // The server answered: its flight (ServerHello …) and then the alert, in the clear or
        // under the handshake key; never nothing.
        expect(r.out.length, where).toBeGreaterThan(0);
        expect(r.server.error).toBe(r.error);
      }
    });
  }

  it('the first CCS before the ClientHello is refused in the clear (no window yet)', () => {
    const r = serverFed([concatBytes(CCS, hello)]);
    expect(r.error?.alertName).toBe('unexpected_message');
    expect(plaintextAlert(r.out)).toBe(AlertDescription.unexpected_message);
  });
});

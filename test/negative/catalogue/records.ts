// The record layer in both roles: limits, empty records, change_cipher_spec, interleaving,
// key changes, and protected records crafted under the keys the engine logged.

import { expect } from 'vitest';
import { ContentType, HandshakeType } from '../../../src/wire/codepoints.js';
import { concatBytes, utf8 } from '../../../src/util/bytes.js';
import { createClientConnection, createServerConnection } from '../../../src/connection/index.js';
import type { Connection } from '../../../src/connection/types.js';
import { record, splitRecords, testClientConfig, testServerConfig, type PairOutcome, type Rewrite } from '../../helpers/scripted.js';
import { capture, CLIENT_CANARY, newCapture, pair, plaintextPrefix, Sealer, type Capture, type Case } from './harness.js';

const CT = ContentType;

/**
 * The server's encrypted flight replaced by `craft`, given a sealer under the server handshake
 * key and the messages the server meant to send (EncryptedExtensions … Finished).
 */
function serverFlight(craft: (sealer: Sealer, msgs: Uint8Array[]) => Uint8Array): () => PairOutcome {
  return () => {
    const cap = newCapture();
    return withConnections(cap, 'server', (conn) => ({
      toClient: (b: Uint8Array, n: number) => (n > 0 ? b : concatBytes(plaintextPrefix(b), craft(Sealer.of(conn, cap, 'SERVER_HANDSHAKE_TRAFFIC_SECRET'), cap.sent.slice(1)))),
    }));
  };
}

/** The client's second flight (Finished, then its canary under the application key) replaced by `craft`. */
function clientFlight(craft: (hs: Sealer, app: Sealer, msgs: Uint8Array[]) => Uint8Array): () => PairOutcome {
  return () => {
    const cap = newCapture();
    return withConnections(cap, 'client', (conn) => ({
      toServer: (b: Uint8Array, n: number) =>
        n !== 1 ? b : craft(Sealer.of(conn, cap, 'CLIENT_HANDSHAKE_TRAFFIC_SECRET'), Sealer.of(conn, cap, 'CLIENT_TRAFFIC_SECRET_0'), cap.sent.slice(1)),
    }));
  };
}


/** Create the pair with `cap` on one side, then let `rewrites` see that side's connection. */
export function withConnections(cap: Capture, side: 'client' | 'server', rewrites: (conn: Connection) => { toServer?: Rewrite; toClient?: Rewrite }): PairOutcome {
  const client = createClientConnection(testClientConfig(side === 'client' ? capture(cap) : {}));
  const server = createServerConnection(testServerConfig(side === 'server' ? capture(cap) : {}));
  const r = rewrites(side === 'client' ? client : server);
  return pair({ clientConn: client, serverConn: server, toServer: r.toServer, toClient: r.toClient });
}

/** Flip one bit in the body of the record at `index` of a flight. */
function flipRecord(bytes: Uint8Array, index: number): Uint8Array {
  const recs = splitRecords(bytes).map((r) => r.slice());
  const r = recs[index]!;
  r[r.length - 3] = r[r.length - 3]! ^ 1;
  return concatBytes(...recs);
}
/** Index of the first protected record in a flight. */
const firstProtected = (bytes: Uint8Array): number => splitRecords(bytes).findIndex((r) => r[0] === CT.application_data);

export const recordCases: Case[] = [
  // ---- plaintext records ----
  {
    title: 'a plaintext record longer than 2^14 (server → client)',
    rfc: 'RFC 9846 §5.1 (RFC 8446 §5.1)',
    detector: 'client',
    alert: 'record_overflow',
    plaintext: true,
    run: () => pair({ toClient: () => record(CT.handshake, new Uint8Array(2 ** 14 + 1)) }),
  },
  {
    title: 'a plaintext record longer than 2^14 (client → server)',
    rfc: 'RFC 9846 §5.1 (RFC 8446 §5.1)',
    detector: 'server',
    alert: 'record_overflow',
    plaintext: true,
    peerReads: false,
    run: () => pair({ toServer: (b, n) => (n > 0 ? b : record(CT.handshake, new Uint8Array(2 ** 14 + 1))) }),
  },
  {
    title: 'a zero-length handshake record (server → client)',
    rfc: 'RFC 9846 §5.1 (RFC 8446 §5.1)',
    detector: 'client',
    alert: 'unexpected_message',
    plaintext: true,
    run: () => pair({ toClient: () => record(CT.handshake, new Uint8Array(0)) }),
  },
  {
    title: 'a zero-length handshake record before the ClientHello (client → server)',
    rfc: 'RFC 9846 §5.1 (RFC 8446 §5.1)',
    detector: 'server',
    alert: 'unexpected_message',
    plaintext: true,
    peerReads: false,
    run: () => pair({ toServer: (b, n) => (n > 0 ? b : concatBytes(record(CT.handshake, new Uint8Array(0)), b)) }),
  },
  {
    title: 'a zero-length alert record',
    rfc: 'RFC 9846 §5.1, §5.4 (RFC 8446 §5.1)',
    detector: 'client',
    alert: 'unexpected_message',
    plaintext: true,
    run: () => pair({ toClient: () => record(CT.alert, new Uint8Array(0)) }),
  },
  {
    title: 'an alert with trailing bytes',
    rfc: 'RFC 9846 §6, §5.1 (RFC 8446 §5.1: one alert per record)',
    detector: 'client',
    alert: 'decode_error',
    plaintext: true,
    run: () => pair({ toClient: () => record(CT.alert, Uint8Array.of(2, 40, 0)) }),
  },
  {
    title: 'an unknown record content type',
    rfc: 'RFC 9846 §5 (RFC 8446 §5)',
    detector: 'client',
    alert: 'unexpected_message',
    plaintext: true,
    run: () => pair({ toClient: (b, n) => (n > 0 ? b : concatBytes(record(24, Uint8Array.of(1, 0, 0)), b)) }),
  },
  {
    title: 'change_cipher_spec with a value other than 1 (server → client)',
    rfc: 'RFC 9846 §5 (RFC 8446 §5)',
    detector: 'client',
    alert: 'unexpected_message',
    plaintext: true,
    run: () => pair({ toClient: (b, n) => (n > 0 ? b : concatBytes(record(CT.change_cipher_spec, Uint8Array.of(2)), b)) }),
  },
  {
    title: 'change_cipher_spec of two bytes (client → server, after the ClientHello)',
    rfc: 'RFC 9846 §5 (RFC 8446 §5)',
    detector: 'server',
    alert: 'unexpected_message',
    run: () => pair({ toServer: (b, n) => (n > 0 ? b : concatBytes(b, record(CT.change_cipher_spec, Uint8Array.of(1, 1)))) }),
  },
  {
    title: 'change_cipher_spec before the ClientHello',
    rfc: 'RFC 9846 §5 (RFC 8446 §5: an unexpected record type)',
    detector: 'server',
    alert: 'unexpected_message',
    plaintext: true,
    peerReads: false,
    run: () => pair({ toServer: (b, n) => (n > 0 ? b : concatBytes(record(CT.change_cipher_spec, Uint8Array.of(1)), b)) }),
  },
  {
    title: 'a handshake message interleaved with change_cipher_spec',
    rfc: 'RFC 9846 §5.1 (RFC 8446 §5.1)',
    detector: 'client',
    alert: 'unexpected_message',
    plaintext: true,
    run: () =>
      pair({
        toClient: (b, n) => {
          if (n > 0) return b;
          const body = splitRecords(b)[0]!.subarray(5);
          return concatBytes(record(CT.handshake, body.subarray(0, 10)), record(CT.change_cipher_spec, Uint8Array.of(1)), record(CT.handshake, body.subarray(10)));
        },
      }),
  },
  {
    title: 'a ServerHello sharing its record with the next message (spans the key change)',
    rfc: 'RFC 9846 §5.1 (RFC 8446 §5.1)',
    detector: 'client',
    alert: 'unexpected_message',
    plaintext: true,
    run: () => pair({ toClient: (b, n) => (n > 0 ? b : record(CT.handshake, concatBytes(splitRecords(b)[0]!.subarray(5), Uint8Array.of(HandshakeType.encrypted_extensions, 0, 0)))) }),
  },
  {
    title: 'a handshake header announcing 16 MiB (refused before buffering)',
    rfc: 'RFC 9846 §6 (illegal_parameter: well-formed but unacceptable)',
    detector: 'server',
    alert: 'illegal_parameter',
    plaintext: true,
    peerReads: false,
    run: () => pair({ toServer: () => record(CT.handshake, Uint8Array.of(1, 0xff, 0xff, 0xff, 3, 3)) }),
  },
  {
    title: 'a plaintext Finished after the handshake keys are in place',
    rfc: 'RFC 9846 §5.2 (RFC 8446 §5: records are protected once keys are installed)',
    detector: 'server',
    alert: 'unexpected_message',
    run: () => {
      const cap = newCapture();
      return withConnections(cap, 'client', () => ({ toServer: (b, n) => (n !== 1 ? b : record(CT.handshake, cap.sent[1]!)) }));
    },
  },
  // ---- protected records ----
  {
    title: 'a protected record longer than 2^14 + 256',
    rfc: 'RFC 9846 §5.2 (RFC 8446 §5.2)',
    detector: 'client',
    alert: 'record_overflow',
    run: () => pair({ toClient: (b, n) => (n > 0 ? b : concatBytes(plaintextPrefix(b), Uint8Array.of(23, 3, 3, 0x41, 0x01), new Uint8Array(2 ** 14 + 257))) }),
  },
  {
    title: 'a protected record that fails to deprotect (server flight)',
    rfc: 'RFC 9846 §5.2 (RFC 8446 §5.2)',
    detector: 'client',
    alert: 'bad_record_mac',
    run: () => pair({ toClient: (b, n) => (n > 0 ? b : flipRecord(b, firstProtected(b))) }),
  },
  {
    title: 'a protected record that fails to deprotect (client Finished)',
    rfc: 'RFC 9846 §5.2 (RFC 8446 §5.2)',
    detector: 'server',
    alert: 'bad_record_mac',
    run: () => pair({ toServer: (b, n) => (n !== 1 ? b : flipRecord(b, 0)) }),
  },
  {
    title: 'a protected TLSInnerPlaintext longer than 2^14 + 1',
    rfc: 'RFC 9846 §5.2 (RFC 8446 §5.2)',
    detector: 'client',
    alert: 'record_overflow',
    run: serverFlight((s, msgs) => s.record(CT.handshake, concatBytes(...msgs), 2 ** 14 + 1 - concatBytes(...msgs).length)),
  },
  {
    title: 'a zero-length protected handshake record',
    rfc: 'RFC 9846 §5.4 (RFC 8446 §5.4)',
    detector: 'client',
    alert: 'unexpected_message',
    run: serverFlight((s, msgs) => concatBytes(s.record(CT.handshake, new Uint8Array(0)), s.handshake(...msgs))),
  },
  {
    title: 'a zero-length protected alert record',
    rfc: 'RFC 9846 §5.4 (RFC 8446 §5.4)',
    detector: 'client',
    alert: 'unexpected_message',
    run: serverFlight((s) => s.record(CT.alert, new Uint8Array(0))),
  },
  {
    title: 'a protected record of zeros only (no content type)',
    rfc: 'RFC 9846 §5.4 (RFC 8446 §5.4)',
    detector: 'client',
    alert: 'unexpected_message',
    run: serverFlight((s) => s.record(undefined, new Uint8Array(0), 20)),
  },
  {
    title: 'a protected record with an unknown inner content type',
    rfc: 'RFC 9846 §5 (RFC 8446 §5)',
    detector: 'client',
    alert: 'unexpected_message',
    run: serverFlight((s, msgs) => s.record(24, concatBytes(...msgs))),
  },
  {
    title: 'a protected change_cipher_spec record',
    rfc: 'RFC 9846 §5 (RFC 8446 §5)',
    detector: 'client',
    alert: 'unexpected_message',
    run: serverFlight((s, msgs) => concatBytes(s.record(CT.change_cipher_spec, Uint8Array.of(1)), s.handshake(...msgs))),
  },
  {
    title: 'a protected alert with trailing bytes',
    rfc: 'RFC 9846 §6, §5.1',
    detector: 'client',
    alert: 'decode_error',
    run: serverFlight((s) => s.record(CT.alert, Uint8Array.of(2, 40, 0))),
  },
  {
    title: 'a fragmented handshake message interleaved with a protected alert',
    rfc: 'RFC 9846 §5.1 (RFC 8446 §5.1)',
    detector: 'client',
    alert: 'unexpected_message',
    run: serverFlight((s, msgs) => {
      const all = concatBytes(...msgs);
      return concatBytes(s.handshake(all.subarray(0, 3)), s.record(CT.alert, Uint8Array.of(1, 0)), s.handshake(all.subarray(3)));
    }),
  },
  {
    title: 'the server Finished sharing its record with the start of another message (spans the key change)',
    rfc: 'RFC 9846 §5.1 (RFC 8446 §5.1)',
    detector: 'client',
    alert: 'unexpected_message',
    run: serverFlight((s, msgs) => s.handshake(...msgs, Uint8Array.of(HandshakeType.new_session_ticket, 0))),
  },
  {
    title: 'the client Finished sharing its record with the start of another message (spans the key change)',
    rfc: 'RFC 9846 §5.1 (RFC 8446 §5.1)',
    detector: 'server',
    alert: 'unexpected_message',
    run: clientFlight((h, app, msgs) => concatBytes(h.handshake(...msgs, Uint8Array.of(HandshakeType.key_update, 0)), app.record(CT.application_data, CLIENT_CANARY))),
  },
  {
    title: 'the client Finished fragmented over two records (allowed), then application data',
    rfc: 'RFC 9846 §5.1 (RFC 8446 §5.1: messages may span records)',
    detector: 'server',
    alert: 'accept',
    run: clientFlight((h, app, msgs) => {
      const fin = concatBytes(...msgs);
      return concatBytes(h.handshake(fin.subarray(0, 5)), h.handshake(fin.subarray(5)), app.record(CT.application_data, CLIENT_CANARY), app.record(CT.application_data, new Uint8Array(0)));
    }),
    check: (o) => {
      expect(o.server.handshakeComplete).toBe(true);
      expect(o.server.read()).toEqual(CLIENT_CANARY);
    },
  },
  {
    title: 'zero-length application data records (allowed, and padded ones)',
    rfc: 'RFC 9846 §5.4 (RFC 8446 §5.4)',
    detector: 'server',
    alert: 'accept',
    run: clientFlight((h, app, msgs) =>
      concatBytes(h.handshake(...msgs), app.record(CT.application_data, new Uint8Array(0)), app.record(CT.application_data, new Uint8Array(0), 100), app.record(CT.application_data, utf8('after'))),
    ),
    check: (o) => expect(o.server.read()).toEqual(utf8('after')),
  },
];

// The record-level tracing channel: what it reports, and a misbehaving peer built with its hooks.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../../src/connection/config.js';
import { createClientConnection, createServerConnection } from '../../../src/connection/index.js';
import type { ConnectionEvent } from '../../../src/connection/types.js';
import { signingKeyFromMaterial } from '../../../src/crypto/index.js';
import { TlsError } from '../../../src/errors.js';
import { TlsStream } from '../../../src/io/index.js';
import { memoryChannelPair } from '../../../src/testing/memory.js';
import { formatRecordEvent, splitRecords, tracingChannel, type TracingOptions } from '../../../src/testing/trace.js';
import { fromUtf8, utf8 } from '../../../src/util/bytes.js';
import { mintTestPki } from '../../../src/testing/mint.js';

let serverConfig: ServerConfig;
const clientConfig: ClientConfig = { serverName: 'localhost', insecureSkipVerify: true };

beforeAll(async () => {
  const pki = await mintTestPki();
  serverConfig = { certificateChain: [pki.server.certDer], signingKey: signingKeyFromMaterial(pki.server.key), tickets: { count: 0 } };
});

function tracedPair(clientTrace: TracingOptions = {}, serverTrace: TracingOptions = {}, onEvent?: (e: ConnectionEvent) => void) {
  const [a, b] = memoryChannelPair({ chunkSize: 7 }); // records arrive in pieces: the tracer reframes them
  const ct = tracingChannel(a, clientTrace);
  const st = tracingChannel(b, serverTrace);
  return {
    ct,
    st,
    client: new TlsStream(createClientConnection({ ...clientConfig, onEvent }), ct),
    server: new TlsStream(createServerConnection(serverConfig), st),
  };
}

describe('tracingChannel', () => {
  it('reports every record both ways, with plaintext handshake types, alongside the engine events', async () => {
    const events: string[] = [];
    const { ct, client, server } = tracedPair({}, {}, (e) => {
      if (e.type === 'handshake') events.push(`${e.direction} ${e.message.msgType}`);
    });
    await Promise.all([client.handshake(), server.handshake()]);
    await client.write(utf8('ping'));
    expect(fromUtf8((await server.read())!)).toBe('ping');
    await Promise.all([client.close(), server.close()]);
    const lines = ct.records.map(formatRecordEvent);
    expect(lines[0]).toMatch(/^sent #0 handshake len=\d+ \[client_hello\]$/);
    expect(lines[1]).toMatch(/^received #0 handshake len=\d+ \[server_hello\]$/);
    // Everything after ServerHello is protected: opaque application_data records.
    expect(ct.records.slice(2).every((r) => r.contentTypeName.startsWith('application_data'))).toBe(true);
    expect(ct.records.filter((r) => r.direction === 'sent').length).toBeGreaterThanOrEqual(4); // CH, Finished, data, close_notify
    expect(events.length).toBeGreaterThan(5);
    for (const r of ct.records) expect(r.raw.length).toBe(r.length + 5);
  });

  it('beforeSend rewrites a protected record: the peer answers bad_record_mac', async () => {
    let flipped = false;
    const { client, server } = tracedPair(
      {},
      {
        beforeSend: (rec, e) => {
          if (flipped || e.contentType !== 23) return;
          flipped = true;
          const copy = rec.slice();
          copy[copy.length - 1]! ^= 1;
          return copy;
        },
      },
    );
    const results = await Promise.allSettled([client.handshake(), server.handshake()]);
    expect(results[0].status).toBe('rejected');
    const err = (results[0] as PromiseRejectedResult).reason as TlsError;
    expect(err).toBeInstanceOf(TlsError);
    expect(err.message).toMatch(/bad_record_mac|decrypt/);
  });

  it('afterReceive can drop a record (here the ServerHello): the client cannot place the protected flight', async () => {
    const { ct, client, server } = tracedPair({ afterReceive: (_r, e) => (e.handshakeTypes?.[0]?.startsWith('server_hello') ? null : undefined) });
    server.handshake().catch(() => {});
    await expect(client.handshake()).rejects.toThrow(/unexpected_message/);
    expect(ct.records.some((r) => r.direction === 'received' && r.handshakeTypes)).toBe(false);
  });

  it('inject() sends a hand-made record; injectIncoming() feeds one to our engine at once', async () => {
    const { ct, client, server } = tracedPair();
    await Promise.all([client.handshake(), server.handshake()]);
    // A plaintext alert after the handshake is not allowed (RFC 8446 §5): the server must fail.
    await ct.inject(Uint8Array.of(21, 3, 3, 0, 2, 2, 40));
    await expect(server.read()).rejects.toBeInstanceOf(TlsError);
    expect(ct.records.find((r) => r.injected)).toMatchObject({ direction: 'sent', alert: { name: 'handshake_failure' } });

    const second = tracedPair();
    await Promise.all([second.client.handshake(), second.server.handshake()]);
    second.ct.injectIncoming(Uint8Array.of(23, 3, 3, 0, 20, ...new Uint8Array(20)));
    await expect(second.client.read()).rejects.toBeInstanceOf(TlsError);
  });

  it('splitRecords keeps a partial record as the rest', () => {
    const r = splitRecords(Uint8Array.of(22, 3, 1, 0, 1, 9, 23, 3, 3, 0, 5, 1));
    expect(r.records.map((x) => x.length)).toEqual([6]);
    expect(r.rest.length).toBe(6);
  });
});

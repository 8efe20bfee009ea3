// Our client against our server, in memory: every suite and group, KeyUpdate both ways,
// exporters, large transfers, half-close, async signing, and the event stream.

import { describe, expect, it } from 'vitest';
import { createClientConnection, createServerConnection } from '../../src/connection/index.js';
import type { Connection, ConnectionEvent } from '../../src/connection/types.js';
import { CipherSuite, NamedGroup, HandshakeType } from '../../src/wire/codepoints.js';
import { TlsUsageError } from '../../src/errors.js';
import type { SigningKey } from '../../src/crypto/provider.js';
import { bytesEqual, concatBytes, utf8 } from '../../src/util/bytes.js';
import { runPair, testClientConfig, testServerConfig } from '../helpers/scripted.js';
import { connectPair } from '../../src/testing/memory.js';

/** Move bytes both ways until both sides are quiet; awaits pending async steps (the one in-memory shuttle). */
const pump = (client: Connection, server: Connection): Promise<number> => connectPair(client, server).run();

function drain(c: Connection): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let d = c.read(); d; d = c.read()) parts.push(d);
  return concatBytes(...parts);
}

describe('in-memory client ↔ server', () => {
  const suites = [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_CHACHA20_POLY1305_SHA256];
  const groups = [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.secp521r1, NamedGroup.x448];

  for (const suite of suites) {
    for (const group of groups) {
      it(`handshake and data with suite 0x${suite.toString(16)} and group 0x${group.toString(16)}`, () => {
        const o = runPair({ client: { cipherSuites: [suite], groups: [group] }, server: {} });
        expect(o.clientError).toBeUndefined();
        expect(o.serverError).toBeUndefined();
        expect(o.client.handshakeComplete && o.server.handshakeComplete).toBe(true);
        expect(o.client.parameters.cipherSuite).toBe(suite);
        expect(o.client.parameters.group).toBe(group);
        expect(o.server.parameters.group).toBe(group);
        o.client.write(utf8('ping'));
        o.server.receive(o.client.takeOutput()!);
        expect(o.server.read()).toEqual(utf8('ping'));
      });
    }
  }

  it('HelloRetryRequest when the client guessed the wrong group', () => {
    const o = runPair({ client: { groups: [NamedGroup.x25519, NamedGroup.secp384r1], keyShareGroups: [NamedGroup.x25519] }, server: { groups: [NamedGroup.secp384r1] } });
    expect(o.clientError).toBeUndefined();
    expect(o.client.handshakeComplete).toBe(true);
    expect(o.client.parameters.helloRetryRequest).toBe(true);
    expect(o.client.parameters.group).toBe(NamedGroup.secp384r1);
  });

  it('HelloRetryRequest with a cookie, in compatibility mode', () => {
    const events: ConnectionEvent[] = [];
    const o = runPair({ client: { middleboxCompat: true, onEvent: (e) => events.push(e) }, server: { requireCookie: true } });
    expect(o.clientError).toBeUndefined();
    expect(o.server.handshakeComplete).toBe(true);
    expect(o.server.parameters.helloRetryRequest).toBe(true);
    // One CCS each way at most, before the second ClientHello for the client.
    expect(events.filter((e) => e.type === 'change_cipher_spec' && e.direction === 'sent')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'change_cipher_spec' && e.direction === 'received')).toHaveLength(1);
  });

  it('ALPN and SNI are negotiated', () => {
    let seenName = '';
    const o = runPair({
      client: { alpn: ['h2', 'http/1.1'], serverName: 'example.test' },
      server: { alpn: ['http/1.1', 'h2'], acceptServerName: (n) => ((seenName = n), true) },
    });
    expect(o.client.parameters.alpn).toBe('http/1.1');
    expect(o.server.parameters.alpn).toBe('http/1.1');
    expect(o.server.parameters.serverName).toBe('example.test');
    expect(o.client.parameters.serverName).toBe('example.test');
    expect(seenName).toBe('example.test');
  });

  it('the event stream lists every handshake message in order', () => {
    const client: ConnectionEvent[] = [];
    runPair({ client: { onEvent: (e) => client.push(e) } });
    const msgs = client.filter((e) => e.type === 'handshake').map((e) => (e.type === 'handshake' ? `${e.direction}:${e.message.msgType}` : ''));
    expect(msgs).toEqual([
      `sent:${HandshakeType.client_hello}`,
      `received:${HandshakeType.server_hello}`,
      `received:${HandshakeType.encrypted_extensions}`,
      `received:${HandshakeType.certificate}`,
      `received:${HandshakeType.certificate_verify}`,
      `received:${HandshakeType.finished}`,
      `sent:${HandshakeType.finished}`,
      // RFC 8446 §4.6.1: two tickets by default, after the client's Finished.
      `received:${HandshakeType.new_session_ticket}`,
      `received:${HandshakeType.new_session_ticket}`,
    ]);
    expect(client.some((e) => e.type === 'handshake_complete')).toBe(true);
  });

  it('plaintext trace events carry bytes only with key logging on; afterReceive can alter a decoded message', () => {
    const quiet: ConnectionEvent[] = [];
    runPair({ client: { onEvent: (e) => quiet.push(e) } });
    const plain = quiet.filter((e) => e.type === 'plaintext');
    expect(plain.length).toBeGreaterThan(4);
    expect(plain.every((e) => e.type === 'plaintext' && e.data === undefined)).toBe(true);
    const logged: ConnectionEvent[] = [];
    runPair({ client: { onEvent: (e) => logged.push(e), keyLog: () => {} } });
    expect(logged.some((e) => e.type === 'plaintext' && e.data !== undefined && e.protected)).toBe(true);
    // A research peer that "forgets" the server's ALPN answer: the client sees none.
    const o = runPair({
      client: {
        alpn: ['h2'],
        research: {
          afterReceive: (m) => (m.msgType === HandshakeType.encrypted_extensions ? { ...m, extensions: [] } : m),
        },
      },
      server: { alpn: ['h2'] },
    });
    expect(o.server.parameters.alpn).toBe('h2');
    expect(o.client.parameters.alpn).toBeUndefined();
  });

  it('KeyUpdate from each side, with and without update_requested; data keeps flowing', () => {
    const { client, server } = runPair();
    const exchange = (from: Connection, to: Connection, text: string): void => {
      from.write(utf8(text));
      to.receive(from.takeOutput()!);
      expect(to.read()).toEqual(utf8(text));
    };
    for (let round = 0; round < 3; round++) {
      client.updateKeys(true);
      exchange(client, server, `c${round}`);
      // The server answered the request with its own KeyUpdate before its next data.
      exchange(server, client, `s${round}`);
      server.updateKeys(false);
      exchange(server, client, `s${round}b`);
      exchange(client, server, `c${round}b`);
    }
    expect(client.error ?? server.error).toBeUndefined();
  });

  it('key usage limit: a KeyUpdate goes out automatically before the limit; data intact both ways', () => {
    const updates: string[] = [];
    const { client, server } = runPair({
      client: { keyUpdateRecordLimit: 3, onEvent: (e) => void (e.type === 'keys' && e.direction === 'write' && updates.push(`c${e.generation}`)) },
      server: { keyUpdateRecordLimit: 4, onEvent: (e) => void (e.type === 'keys' && e.direction === 'write' && updates.push(`s${e.generation}`)) },
    });
    const big = new Uint8Array(10 * 16384 + 5).map((_, i) => i & 0xff);
    client.write(big);
    server.receive(client.takeOutput()!);
    expect(bytesEqual(drain(server), big)).toBe(true);
    server.write(big);
    client.receive(server.takeOutput()!);
    expect(bytesEqual(drain(client), big)).toBe(true);
    // 11 records at 3 per key: generations 1, 2, 3 (the server: 11 at 4 per key: 1, 2).
    expect(updates.filter((u) => u.startsWith('c') && u !== 'c0')).toEqual(['c1', 'c2', 'c3']);
    expect(updates.filter((u) => u.startsWith('s') && u !== 's0')).toEqual(['s1', 's2']);
  });

  it('several update_requested KeyUpdates in one flight get a single answer (RFC 9846 §4.6.3)', () => {
    let answers = 0;
    const countAnswers = (e: ConnectionEvent): void => void (e.type === 'handshake' && e.direction === 'sent' && e.message.msgType === HandshakeType.key_update && answers++);
    const { client, server } = runPair({ server: { onEvent: countAnswers } });
    expect(answers).toBe(0);
    // The client may not ask twice before an answer: its second and third go as update_not_requested.
    client.updateKeys(true);
    client.updateKeys(true);
    client.updateKeys(true);
    server.receive(client.takeOutput()!);
    expect(answers).toBe(1);
    client.receive(server.takeOutput()!);
    client.write(utf8('after'));
    server.receive(client.takeOutput()!);
    expect(server.read()).toEqual(utf8('after'));
  });

  it('exporters agree on both sides and differ by label and context', () => {
    const { client, server } = runPair();
    const a = client.exportKeyingMaterial('EXPERIMENTAL test', utf8('ctx'), 32);
    expect(bytesEqual(a, server.exportKeyingMaterial('EXPERIMENTAL test', utf8('ctx'), 32))).toBe(true);
    expect(bytesEqual(a, client.exportKeyingMaterial('EXPERIMENTAL other', utf8('ctx'), 32))).toBe(false);
    expect(bytesEqual(a, client.exportKeyingMaterial('EXPERIMENTAL test', undefined, 32))).toBe(false);
    // RFC 8446 §7.5: no context and an empty context are the same.
    expect(client.exportKeyingMaterial('x', undefined, 16)).toEqual(client.exportKeyingMaterial('x', new Uint8Array(0), 16));
  });

  it('1 MiB each way arrives intact (fragmented into 2^14-byte records)', () => {
    const { client, server } = runPair();
    const big = new Uint8Array(1 << 20);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
    client.write(big);
    server.receive(client.takeOutput()!);
    expect(bytesEqual(drain(server), big)).toBe(true);
    server.write(big);
    const wire = server.takeOutput()!;
    // Fed back in odd-sized pieces.
    for (let off = 0; off < wire.length; off += 7919) client.receive(wire.subarray(off, off + 7919));
    expect(bytesEqual(drain(client), big)).toBe(true);
  });

  it('data written before the handshake completes is sent after it, nothing lost', () => {
    const client = createClientConnection(testClientConfig());
    const server = createServerConnection(testServerConfig());
    client.write(utf8('queued early'));
    server.write(utf8('server queued'));
    return pump(client, server).then(() => {
      expect(drain(server)).toEqual(utf8('queued early'));
      expect(drain(client)).toEqual(utf8('server queued'));
    });
  });

  it('secrets are wiped once both sides closed; exporting then is a usage error', () => {
    const { client, server } = runPair();
    client.close();
    server.receive(client.takeOutput()!);
    server.close();
    client.receive(server.takeOutput()!);
    expect(() => client.exportKeyingMaterial('x', undefined, 8)).toThrow(TlsUsageError);
    expect(() => server.exportKeyingMaterial('x', undefined, 8)).toThrow(TlsUsageError);
  });

  it('half-close: after the client closes, the server can still send', () => {
    const { client, server } = runPair();
    client.close();
    server.receive(client.takeOutput()!);
    expect(server.peerClosed).toBe(true);
    expect(() => client.write(utf8('x'))).toThrow(TlsUsageError);
    server.write(utf8('still here'));
    server.close();
    client.receive(server.takeOutput()!);
    expect(client.read()).toEqual(utf8('still here'));
    expect(client.peerClosed).toBe(true);
  });

  it('an async signer is a pending step the driver resolves', async () => {
    const base = testServerConfig();
    const signingKey = base.signingKey!;
    let calls = 0;
    const asyncKey: SigningKey = {
      schemes: signingKey.schemes,
      signer: (scheme) => ({
        scheme,
        sign: async (m) => {
          calls++;
          await new Promise((r) => setTimeout(r, 5));
          return signingKey.signer(scheme).sign(m);
        },
      }),
    };
    const client = createClientConnection(testClientConfig());
    const server = createServerConnection({ ...base, signingKey: asyncKey });
    server.receive(client.takeOutput()!);
    expect(server.pending).toBeDefined();
    await pump(client, server);
    expect(calls).toBe(1);
    expect(client.handshakeComplete && server.handshakeComplete).toBe(true);
  });

  it('an async certificate verifier that rejects → bad_certificate on the wire', async () => {
    const client = createClientConnection(
      testClientConfig({
        verifier: {
          verify: async () => {
            await new Promise((r) => setTimeout(r, 2));
            throw new Error('policy says no');
          },
        },
      }),
    );
    const server = createServerConnection(testServerConfig());
    server.receive(client.takeOutput()!);
    client.receive(server.takeOutput()!);
    expect(client.pending).toBeDefined();
    await client.pending;
    expect(() => client.process()).toThrow(/bad_certificate/);
    expect(() => server.receive(client.takeOutput()!)).toThrow(/bad_certificate/);
  });

  it('usage errors are not TLS errors', () => {
    const client = createClientConnection(testClientConfig());
    expect(() => client.updateKeys()).toThrow(TlsUsageError);
    expect(() => client.exportKeyingMaterial('x', undefined, 8)).toThrow(TlsUsageError);
    expect(() => createClientConnection({ serverName: 'x' })).toThrow(TlsUsageError);
  });
});

describe('receive() and read(): no copies, no retained input', () => {
  it('read() hands over one chunk per record, in order, without joining them', () => {
    const o = runPair({ client: {}, server: {} });
    o.client.write(utf8('one'));
    o.client.write(utf8('two'));
    o.client.write(new Uint8Array(40_000).fill(7)); // three records
    o.server.receive(o.client.takeOutput()!);
    const chunks: Uint8Array[] = [];
    for (let d = o.server.read(); d !== undefined; d = o.server.read()) chunks.push(d);
    expect(chunks.map((c) => c.length)).toEqual([3, 3, 16384, 16384, 40_000 - 2 * 16384]);
    expect(chunks[0]).toEqual(utf8('one'));
    expect(chunks[1]).toEqual(utf8('two'));
  });

  it('the caller may overwrite what it passed to receive() as soon as receive() returns', () => {
    const o = runPair({ client: {}, server: {} });
    const data = new Uint8Array(50_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    o.client.write(data);
    const wire = o.client.takeOutput()!;
    // Cut inside the third record: the server keeps its first part across the two calls.
    const buf = new Uint8Array(40_000);
    buf.set(wire.subarray(0, 40_000));
    o.server.receive(buf);
    buf.fill(0xee); // a transport reusing its read buffer
    o.server.receive(wire.slice(40_000));
    expect(drain(o.server)).toEqual(data);
  });
});

// Web Streams transport with the real engine on both ends: in-memory TransformStreams, a Node TCP
// socket seen through Duplex.toWeb, STARTTLS after a plaintext phase (ours and openssl's SMTP).
import * as net from 'node:net';
import { Duplex } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../../src/connection/config.js';
import { signingKeyFromMaterial } from '../../../src/crypto/index.js';
import { nobleProvider } from '../../../src/crypto/noble/index.js';
import { keyLogTo } from '../../../src/io/keylog.js';
import { pushChannel } from '../../../src/io/push.js';
import {
  acceptStreams,
  connectStreams,
  startTls,
  type StreamPair,
  type WebTlsSocket,
} from '../../../src/io/web-streams.js';
import { concatBytes, fromUtf8, utf8 } from '../../../src/util/bytes.js';
import { mintTestPki } from '../../../src/testing/mint.js';
import { WebPkiServerVerifier } from '../../../src/x509/verify.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasOpenssl, killAll, runOpensslClient } from '../../helpers/openssl.js';

/** Two connected { readable, writable } pairs, like two ends of a socket. */
function webStreamPipe(): [StreamPair, StreamPair] {
  const a = new TransformStream<Uint8Array, Uint8Array>();
  const b = new TransformStream<Uint8Array, Uint8Array>();
  return [
    { readable: a.readable, writable: b.writable },
    { readable: b.readable, writable: a.writable },
  ];
}

async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of readable) parts.push(c);
  return concatBytes(...parts);
}

let serverConfig: ServerConfig;
let clientConfig: ClientConfig;
let pkiDir: string;
let caFile: string;

beforeAll(async () => {
  const pki = await mintTestPki();
  serverConfig = {
    certificateChain: [pki.server.certDer, pki.intermediate.certDer],
    signingKey: signingKeyFromMaterial(pki.server.key),
    alpn: ['smtp', 'h2'],
  };
  clientConfig = {
    serverName: 'localhost',
    alpn: ['h2'],
    verifier: new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }),
  };
  pkiDir = mkdtempSync(join(tmpdir(), 'tls13-webstreams-'));
  caFile = join(pkiDir, 'root.pem');
  writeFileSync(caFile, pki.root.certPem);
  return () => rmSync(pkiDir, { recursive: true, force: true });
});

afterEach(async () => {
  await killAll();
});

describe('Web Streams transport', () => {
  it('client and server over TransformStreams: handshake, echo both ways, exporters agree, half-close', async () => {
    const [a, b] = webStreamPipe();
    const keyLines: string[] = [];
    const [client, server] = await Promise.all([
      connectStreams(a, { ...clientConfig, keyLog: keyLogTo((l) => keyLines.push(l)) }),
      acceptStreams(b, serverConfig),
    ]);
    expect(client.parameters).toMatchObject({ version: 'TLSv1.3', alpn: 'h2' });
    expect(server.parameters.serverName).toBe('localhost');
    expect(client.exportKeyingMaterial('EXPORTER-test', utf8('ctx'), 32)).toEqual(server.exportKeyingMaterial('EXPORTER-test', utf8('ctx'), 32));
    expect(keyLines.map((l) => l.split(' ')[0])).toEqual(
      expect.arrayContaining(['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0', 'EXPORTER_SECRET']),
    );
    // The server echoes through a pipe: readable → writable.
    const echo = server.readable.pipeTo(server.writable);
    const w = client.writable.getWriter();
    const big = new Uint8Array(100_000).map((_, i) => (i * 7) & 0xff);
    await w.write(utf8('hello '));
    await w.write(big);
    await w.close(); // close_notify; the server's pipe closes its side in turn
    const echoed = await readAll(client.readable);
    expect(echoed).toEqual(concatBytes(utf8('hello '), big));
    await echo;
    await expect(client.closed).resolves.toBeUndefined();
  });

  it('read-side backpressure: an unread readable stops the pump at the high-water mark', async () => {
    const [a, b] = webStreamPipe();
    const [client, server] = await Promise.all([
      connectStreams(a, clientConfig, { highWaterMark: 16 * 1024 }),
      acceptStreams(b, serverConfig),
    ]);
    const w = server.writable.getWriter();
    const chunk = new Uint8Array(16 * 1024);
    let written = 0;
    const writing = (async () => {
      for (let i = 0; i < 64; i++) {
        await w.write(chunk);
        written += chunk.length;
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    // TransformStreams buffer one chunk each way; the rest waits for the reader.
    expect(written).toBeLessThan(64 * chunk.length);
    const got = await (async () => {
      let n = 0;
      const r = client.readable.getReader();
      while (n < 64 * chunk.length) {
        const { value } = await r.read();
        n += value!.length;
      }
      return n;
    })();
    await writing;
    expect(got).toBe(64 * chunk.length);
    await Promise.all([client.close(), server.close()]);
  });

  it('a failed handshake rejects and the readable side errors', async () => {
    const [a, b] = webStreamPipe();
    const wrongName = { ...clientConfig, serverName: 'not-the-server.test' };
    const results = await Promise.allSettled([connectStreams(a, wrongName), acceptStreams(b, serverConfig)]);
    expect(results[0].status).toBe('rejected');
    expect(results[1].status).toBe('rejected');
  });

  it('over a Node TCP socket seen as Web Streams (Duplex.toWeb)', async () => {
    let serverSide: Promise<WebTlsSocket> | undefined;
    const tcp = net.createServer((s) => {
      serverSide = acceptStreams(Duplex.toWeb(s) as StreamPair, serverConfig);
      void serverSide.then(async (t) => t.readable.pipeTo(t.writable)).catch(() => {});
    });
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    const port = (tcp.address() as net.AddressInfo).port;
    const sock = net.connect({ host: '127.0.0.1', port });
    await new Promise((r) => sock.once('connect', r));
    const client = await connectStreams(Duplex.toWeb(sock) as StreamPair, clientConfig);
    const w = client.writable.getWriter();
    await w.write(utf8('over tcp'));
    const r = client.readable.getReader();
    expect(fromUtf8((await r.read()).value!)).toBe('over tcp');
    r.releaseLock();
    await w.close();
    await client.closed;
    tcp.close();
  });

  it('STARTTLS: a plaintext exchange, then TLS on the same streams (ClientHello in the same chunk as the command)', async () => {
    const [a, b] = webStreamPipe();
    const serverTask = (async () => {
      const reader = b.readable.getReader();
      const writer = b.writable.getWriter();
      await writer.write(utf8('220 ready\r\n'));
      // Read until the command line; whatever follows it is already TLS.
      let buf: Uint8Array = new Uint8Array(0);
      let nl = -1;
      while (nl < 0) {
        const { value } = await reader.read();
        buf = concatBytes(buf, value!);
        nl = buf.indexOf(0x0a);
      }
      expect(fromUtf8(buf.subarray(0, nl + 1))).toBe('STARTTLS\r\n');
      return startTls({ reader, writer }, { server: serverConfig }, { initial: buf.subarray(nl + 1) });
    })();
    const reader = a.readable.getReader();
    const writer = a.writable.getWriter();
    expect(fromUtf8((await reader.read()).value!)).toBe('220 ready\r\n');
    // Hold the command back so that it travels with the ClientHello in one chunk.
    const tx = new TransformStream<Uint8Array, Uint8Array>();
    let first = true;
    void tx.readable.pipeTo(
      new WritableStream({
        write: async (chunk) => {
          await writer.write(first ? concatBytes(utf8('STARTTLS\r\n'), chunk) : chunk);
          first = false;
        },
        close: () => writer.close(),
      }),
    );
    const [client, server] = await Promise.all([
      startTls({ reader, writer: tx.writable.getWriter() }, { client: clientConfig }),
      serverTask,
    ]);
    expect(client.parameters.alpn).toBe('h2');
    await client.tls.write(utf8('secret'));
    expect(fromUtf8((await server.tls.read())!)).toBe('secret');
    await Promise.all([client.close(), server.close()]);
  });

  it.runIf(hasOpenssl())('STARTTLS against openssl s_client -starttls smtp (our SMTP-ish server over Web Streams)', async () => {
    const done = new Promise<string>((resolve, reject) => {
      const tcp = net.createServer((s) => {
        tcp.close();
        const { readable, writable } = Duplex.toWeb(s) as StreamPair;
        void (async () => {
          const reader = readable.getReader();
          const writer = writable.getWriter();
          let buf: Uint8Array = new Uint8Array(0);
          const line = async (): Promise<string> => {
            for (;;) {
              const nl = buf.indexOf(0x0a);
              if (nl >= 0) {
                const l = fromUtf8(buf.subarray(0, nl + 1));
                buf = buf.subarray(nl + 1);
                return l.trimEnd();
              }
              const { value, done } = await reader.read();
              if (done) throw new Error('eof in plaintext phase');
              buf = concatBytes(buf, value);
            }
          };
          await writer.write(utf8('220 localhost ESMTP tls13-engine test\r\n'));
          expect(await line()).toMatch(/^EHLO /);
          await writer.write(utf8('250-localhost\r\n250 STARTTLS\r\n'));
          expect(await line()).toBe('STARTTLS');
          await writer.write(utf8('220 go ahead\r\n'));
          const tls = await startTls({ reader, writer }, { server: serverConfig }, { initial: buf });
          const got = await tls.tls.read();
          await tls.tls.write(utf8(`250 got ${fromUtf8(got!).trim()}\r\n`));
          resolve(fromUtf8(got!));
          await tls.close();
        })().catch(reject);
      });
      tcp.listen(0, '127.0.0.1', () => {
        const port = (tcp.address() as net.AddressInfo).port;
        void runOpensslClient({
          port,
          args: ['-starttls', 'smtp', '-CAfile', caFile, '-servername', 'localhost', '-verify_return_error', '-quiet', '-no_ign_eof'],
          stdin: 'NOOP\r\n',
          waitFor: /250 got NOOP/,
          timeoutMs: 15_000,
        }).then((r) => {
          if (!/250 got NOOP/.test(r.stdout)) reject(new Error(`s_client: ${r.stdout}\n${r.stderr}`));
        });
      });
    });
    expect((await done).trim()).toBe('NOOP');
  });
});

describe('push channel (event-driven sockets)', () => {
  it('partial writes wait for drain; pushed bytes are read in order; end gives null', async () => {
    const written: Uint8Array[] = [];
    let accept = 3;
    const p = pushChannel({
      write: (b) => {
        const n = Math.min(accept, b.length);
        written.push(b.slice(0, n));
        accept = 0;
        return n;
      },
      close: () => {},
    });
    const writing = p.channel.write(utf8('abcdef'));
    await new Promise((r) => setTimeout(r, 5));
    expect(fromUtf8(concatBytes(...written))).toBe('abc');
    accept = 10;
    p.drain();
    await writing;
    expect(fromUtf8(concatBytes(...written))).toBe('abcdef');
    p.push(utf8('x'));
    p.push(utf8('y'));
    const reading = p.channel.read();
    expect(fromUtf8((await reading)!)).toBe('x');
    expect(fromUtf8((await p.channel.read())!)).toBe('y');
    p.end();
    expect(await p.channel.read()).toBeNull();
  });

  it('fail() rejects a pending read', async () => {
    const p = pushChannel({ write: () => {}, close: () => {} });
    const r = p.channel.read();
    p.fail(new Error('boom'));
    await expect(r).rejects.toThrow('boom');
  });
});

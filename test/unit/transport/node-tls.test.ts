// The node:tls-shaped API: our connect ↔ our createServer, Node's https.request over our connect
// against `openssl s_server -www`, and Node's http.Server fed by our server answering curl.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect as connectTcp, createServer as createTcpServer } from 'node:net';
import { connect, createServer, type Server, type TLSSocket } from '../../../src/node/tls/index.js';
import { TlsTimeoutError } from '../../../src/errors.js';
import { chainPem, mintTestPki, type TestPki } from '../../../src/testing/mint.js';
import { Child, hasOpenssl, killAll, startOpensslServer } from '../../helpers/openssl.js';

let pki: TestPki;
let other: TestPki;
let dir: string;
let files: { ca: string; leaf: string; intermediate: string; key: string };
const servers: Server[] = [];

beforeAll(async () => {
  [pki, other] = await Promise.all([mintTestPki({ serverNames: ['localhost', '127.0.0.1'] }), mintTestPki()]);
  dir = mkdtempSync(join(tmpdir(), 'tls13-nodetls-'));
  const f = (n: string, t: string): string => {
    writeFileSync(join(dir, n), t);
    return join(dir, n);
  };
  files = {
    ca: f('root.pem', pki.root.certPem),
    leaf: f('leaf.pem', pki.server.certPem),
    intermediate: f('intermediate.pem', pki.intermediate.certPem),
    key: f('key.pem', pki.server.keyPem),
  };
  return () => rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
  await killAll();
});

const serverOptions = () => ({ cert: chainPem(pki.server, pki.intermediate), key: pki.server.keyPem });

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

/** A TCP listener that accepts and never sends a byte. */
function createMuteListener(): { port: Promise<number>; close(): void } {
  const sockets: import('node:net').Socket[] = [];
  const server = createTcpServer((s) => sockets.push(s));
  const port = new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
  return {
    port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

async function collect(s: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const c of s) out += String(c);
  return out;
}

describe('node:tls-shaped API', () => {
  it('handshakeTimeout is the stream\'s: a silent TCP client gets close_notify, the server a TlsTimeoutError', async () => {
    const server = createServer({ ...serverOptions(), handshakeTimeout: 150 });
    const failed = new Promise<unknown>((resolve) => server.once('tlsClientError', (err: unknown) => resolve(err)));
    const port = await listen(server);
    const raw = connectTcp({ host: '127.0.0.1', port });
    const received: Buffer[] = [];
    raw.on('data', (b: Buffer) => received.push(b));
    const closed = once(raw, 'close');
    const err = await failed;
    expect(err).toBeInstanceOf(TlsTimeoutError);
    expect((err as TlsTimeoutError).phase).toBe('handshake');
    expect((err as TlsTimeoutError).timeoutMs).toBe(150);
    await closed;
    // RFC 8446 §6.1: close_notify (alert record: type 21, warning 1, description 0), then the close.
    expect([...Buffer.concat(received)]).toEqual([21, 3, 3, 0, 2, 1, 0]);

    // On the client side too: connect() to a listener that never answers.
    const mute = createMuteListener();
    const mutePort = await mute.port;
    const client = connect({ host: '127.0.0.1', port: mutePort, servername: 'localhost', ca: pki.root.certPem, handshakeTimeout: 150 });
    const [clientErr] = (await once(client, 'error')) as [unknown];
    expect(clientErr).toBeInstanceOf(TlsTimeoutError);
    mute.close();
  });

  it('connect ↔ createServer: the TLSSocket surface, echo, exporters, keylog, end → close_notify', async () => {
    const serverSide = new Promise<TLSSocket>((resolve) => {
      const server = createServer({ ...serverOptions(), ALPNProtocols: ['h2', 'http/1.1'] }, (s) => {
        resolve(s);
        s.pipe(s); // echo until the client's close_notify, then close_notify back
      });
      void listen(server).then((port) => clientTask(port));
    });
    let clientTask!: (port: number) => void;
    const client = await new Promise<TLSSocket>((resolve) => {
      clientTask = (port) => {
        const c = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.root.certPem, ALPNProtocols: ['http/1.1'] }, () => resolve(c));
        const lines: string[] = [];
        c.on('keylog', (l: Buffer) => lines.push(l.toString()));
        c.once('secureConnect', () => expect(lines.some((l) => l.startsWith('CLIENT_TRAFFIC_SECRET_0 '))).toBe(true));
      };
    });
    const server = await serverSide;
    expect(client.authorized).toBe(true);
    expect(client.authorizationError).toBeUndefined();
    expect(client.alpnProtocol).toBe('http/1.1');
    expect(server.alpnProtocol).toBe('http/1.1');
    expect(server.servername).toBe('localhost');
    expect(client.getProtocol()).toBe('TLSv1.3');
    expect(client.getCipher()).toMatchObject({ version: 'TLSv1.3', name: expect.stringMatching(/^TLS_/) });
    expect(client.getEphemeralKeyInfo()).toMatchObject({ type: 'ECDH', name: 'X25519' });
    const peer = client.getPeerCertificate(true);
    expect(peer.subject).toBeDefined();
    expect('subjectaltname' in peer && peer.subjectaltname).toContain('DNS:localhost');
    expect('issuerCertificate' in peer && peer.issuerCertificate?.ca).toBe(true);
    expect(server.getPeerCertificate()).toEqual({});
    expect(client.exportKeyingMaterial(32, 'EXPORTER-x', Buffer.from('c'))).toEqual(server.exportKeyingMaterial(32, 'EXPORTER-x', Buffer.from('c')));
    expect(client.remotePort).toBeGreaterThan(0);

    const big = Buffer.alloc(500_000, 'x');
    const echoed = collect(client);
    client.write('hello ');
    client.end(big); // our close_notify follows the data; the echo side answers with its own
    expect(await echoed).toBe(`hello ${big.toString()}`);
    await once(client, 'close');
    expect(client.destroyed).toBe(true);
  });

  it('backpressure: a paused reader stops the pump; the writer waits', async () => {
    let serverSocket: TLSSocket | undefined;
    const server = createServer({ ...serverOptions(), stream: { highWaterMark: 32 * 1024 } }, (s) => {
      serverSocket = s;
      s.on('error', () => {}); // the client destroys the connection at the end
      s.pause();
    });
    const port = await listen(server);
    const client = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.root.certPem });
    await once(client, 'secureConnect');
    const chunk = Buffer.alloc(64 * 1024);
    let writes = 0;
    for (let i = 0; i < 200; i++) if (client.write(chunk)) writes++;
    await new Promise((r) => setTimeout(r, 300));
    // 12.5 MB cannot have crossed: the server's pump stopped, TCP buffers filled, our writes wait.
    expect(client.writableLength).toBeGreaterThan(1 << 20);
    let got = 0;
    serverSocket!.on('data', (d: Buffer) => (got += d.length));
    serverSocket!.resume();
    await new Promise<void>((r) => client.write(Buffer.alloc(0), () => r()));
    while (got < 200 * chunk.length) await new Promise((r) => setTimeout(r, 20));
    expect(got).toBe(200 * chunk.length);
    client.destroy();
  });

  it('rejectUnauthorized: false lets the handshake finish, with authorizationError set; default refuses', async () => {
    const server = createServer(serverOptions(), (s) => s.end('hi'));
    server.on('tlsClientError', () => {});
    const port = await listen(server);
    const loose = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: other.root.certPem, rejectUnauthorized: false });
    await once(loose, 'secureConnect');
    expect(loose.authorized).toBe(false);
    expect(loose.authorizationError?.message).toMatch(/certificate/);
    expect(await collect(loose)).toBe('hi');
    const strict = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: other.root.certPem });
    const [err] = (await once(strict, 'error')) as [Error];
    expect(err.name).toBe('CertificateError');
  });

  it('client certificates (requestCert), getSession() and resumption', async () => {
    const server = createServer({ ...serverOptions(), requestCert: true, ca: pki.root.certPem }, (s) => {
      s.end(`authorized=${s.authorized} cn=${String(s.getPeerCertificate().subject?.CN)}`);
    });
    const port = await listen(server);
    const opts = { host: '127.0.0.1', port, servername: 'localhost', ca: pki.root.certPem, cert: chainPem(pki.client, pki.intermediate), key: pki.client.keyPem };
    const first = connect(opts);
    const sessions: Buffer[] = [];
    first.on('session', (s: Buffer) => sessions.push(s));
    expect(await collect(first)).toMatch(/^authorized=true cn=/);
    expect(first.isSessionReused()).toBe(false);
    expect(sessions.length).toBeGreaterThan(0);
    const session = first.getSession();
    expect(session).toBeDefined();
    const second = connect({ ...opts, session });
    expect(await collect(second)).toMatch(/^authorized=true/);
    expect(second.isSessionReused()).toBe(true);
  });

  it('destroy() drops the connection without close_notify (the peer sees a truncation error)', async () => {
    const serverErr = new Promise<Error>((resolve) => {
      const server = createServer(serverOptions(), (s) => {
        s.on('error', resolve);
        s.resume();
      });
      void listen(server).then((port) => {
        const c = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.root.certPem });
        c.once('secureConnect', () => c.destroy());
      });
    });
    expect((await serverErr).message).toMatch(/close_notify/);
  });
});

describe.runIf(hasOpenssl())('node:tls-shaped API with Node http(s) and real peers', () => {
  it("Node's https.request over our connect (createConnection) against openssl s_server -www", async () => {
    const s = await startOpensslServer({ cert: files.leaf, key: files.key, args: ['-cert_chain', files.intermediate, '-naccept', '1', '-www'] });
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: s.port,
          path: '/',
          createConnection: () => connect({ host: '127.0.0.1', port: s.port, servername: 'localhost', ca: pki.root.certPem }),
        },
        resolve,
      );
      req.on('error', reject);
      req.end();
    });
    expect(res.statusCode).toBe(200);
    const body = await collect(res);
    expect(body).toContain('Protocol  : TLSv1.3');
    expect(body).toMatch(/Cipher\s+: TLS_/);
  });

  it("Node's http.Server fed by our server answers curl --tlsv1.3", async (ctx) => {
    if (spawnSync('curl', ['--version']).status !== 0) return ctx.skip('curl is not on PATH (.ci/run installs it)');
    const http = createHttpServer((req, res) => {
      const sock = req.socket as unknown as TLSSocket;
      res.end(`hello ${req.url} over ${sock.getProtocol()} ${sock.getCipher()?.name} alpn=${String(sock.alpnProtocol)}\n`);
    });
    const server = createServer({ ...serverOptions(), ALPNProtocols: ['http/1.1'] }, (s) => http.emit('connection', s));
    const port = await listen(server);
    const curl = new Child('curl', ['-sS', '--tlsv1.3', '--http1.1', '--cacert', files.ca, '--resolve', `localhost:${port}:127.0.0.1`, `https://localhost:${port}/path?q=1`, `https://localhost:${port}/second`], 'curl');
    const status = await curl.wait(15_000);
    expect(status.code, curl.output()).toBe(0);
    expect(curl.stdout).toMatch(/^hello \/path\?q=1 over TLSv1\.3 TLS_\S+ alpn=http\/1\.1\nhello \/second over TLSv1\.3/);
    http.close();
  });
});

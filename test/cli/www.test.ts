// `tls13 server --www` (tools/cli/www.ts): the request-head reader, then the built CLI against openssl s_client, our client and the library.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../tools/cli/args.js';
import { HttpRequestReader, MAX_HEAD_BYTES, type HttpRequest, type HttpRefusal } from '../../tools/cli/www.js';
import { connect } from '../../src/node/net.js';
import { HandshakeType, KeyUpdateRequest } from '../../src/wire/codepoints.js';
import { utf8 } from '../../src/util/bytes.js';
import type { TlsStream } from '../../src/io/stream.js';
import {
  hasBuiltCli,
  hasOpenssl,
  killAll,
  opensslCaPki,
  runCli,
  runOpensslClient,
  startCliServer,
  type TestPkiFiles,
} from '../helpers/openssl.js';

const ascii = (s: string): Uint8Array => utf8(s);

function drain(r: HttpRequestReader): (HttpRequest | HttpRefusal)[] {
  const out: (HttpRequest | HttpRefusal)[] = [];
  for (let x = r.next(); x !== undefined; x = r.next()) out.push(x);
  return out;
}

describe('server --www arguments', () => {
  it('--www sets www; with --echo it is a usage error', () => {
    const base = ['server', '--port', '0', '--cert', 'c.pem', '--key', 'k.pem'];
    expect(parseArgs([...base, '--www'])).toMatchObject({ kind: 'server', www: true, echo: false });
    expect(() => parseArgs([...base, '--www', '--echo'])).toThrow(UsageError);
    expect(() => parseArgs([...base, '--www=yes'])).toThrow(/--www takes no value/);
  });
});

describe('HttpRequestReader (RFC 9112 framing, bounded)', () => {
  const two = 'GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /b?q HTTP/1.0\r\nConnection: keep-alive\r\n\r\n';

  it('pipelined requests, split at every byte, give the same two heads (bodies skipped)', () => {
    for (let cut = 0; cut <= two.length; cut++) {
      const r = new HttpRequestReader();
      const got: (HttpRequest | HttpRefusal)[] = [];
      r.push(ascii(two.slice(0, cut)));
      got.push(...drain(r));
      r.push(ascii(two.slice(cut)));
      got.push(...drain(r));
      expect(got.map((g) => (g.kind === 'request' ? `${g.method} ${g.target} 1.${g.minor}` : g.status)), `cut ${cut}`).toEqual([
        'GET /a 1.1',
        'GET /b?q 1.0',
      ]);
    }
  });

  it('bare LF line ends and leading empty lines are accepted (RFC 9112 §2.2)', () => {
    const r = new HttpRequestReader();
    r.push(ascii('\r\n\nGET / HTTP/1.0\nUser-Agent: t\n\n'));
    const [req] = drain(r);
    expect(req).toMatchObject({ kind: 'request', method: 'GET', target: '/', minor: 0 });
    expect((req as HttpRequest).headers.get('user-agent')).toBe('t');
  });

  it('a head over 16 KiB without its blank line: 431, and nothing after', () => {
    const r = new HttpRequestReader();
    r.push(ascii(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(MAX_HEAD_BYTES)}`));
    expect(drain(r)).toEqual([{ kind: 'refusal', status: 431, reason: 'request head over 16 KiB', minor: 1 }]);
    r.push(ascii('\r\n\r\nGET / HTTP/1.0\r\n\r\n'));
    expect(r.next()).toBeUndefined();
  });

  it('a head of exactly 16 KiB (blank line included) is a request; one byte more, 431', () => {
    const head = (n: number): string => `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(n)}\r\n\r\n`;
    const base = head(0).length;
    const under = new HttpRequestReader();
    under.push(ascii(head(MAX_HEAD_BYTES - base)));
    expect(drain(under)).toMatchObject([{ kind: 'request' }]);
    const over = new HttpRequestReader();
    over.push(ascii(head(MAX_HEAD_BYTES - base + 1)));
    expect(drain(over)).toMatchObject([{ kind: 'refusal', status: 431 }]);
  });

  it('refusals: malformed line 400, HTTP/2.0 505, 1.1 without Host 400, obs-fold 400, Transfer-Encoding 501, bad Content-Length 400', () => {
    const cases: [string, number][] = [
      ['GARBAGE\r\n\r\n', 400],
      ['GET / HTTP/2.0\r\n\r\n', 505],
      ['GET / HTTP/1.1\r\n\r\n', 400],
      ['GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400],
      ['GET / HTTP/1.0\r\nX: a\r\n b\r\n\r\n', 400],
      ['GET / HTTP/1.0\r\nX : a\r\n\r\n', 400],
      ['POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', 501],
      ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n', 400],
    ];
    for (const [text, status] of cases) {
      const r = new HttpRequestReader();
      r.push(ascii(text));
      expect(drain(r), JSON.stringify(text)).toMatchObject([{ kind: 'refusal', status }]);
    }
  });

  it('a request whose head began in 0-RTT data is marked early; the next is not', () => {
    const r = new HttpRequestReader();
    r.push(ascii('GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HT'), true);
    r.push(ascii('TP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(drain(r).map((q) => (q as HttpRequest).early)).toEqual([true, true, false]);
  });
});

/** One HTTP/1.x response off `text` from `at`: status line, fields, body by Content-Length. */
function parseResponse(text: string, at = 0): { status: number; fields: Map<string, string>; body: string; end: number } | undefined {
  const start = text.indexOf('HTTP/1.', at);
  if (start < 0) return undefined;
  const headEnd = text.indexOf('\r\n\r\n', start);
  if (headEnd < 0) return undefined;
  const [statusLine, ...lines] = text.slice(start, headEnd).split('\r\n');
  const fields = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as const));
  const length = Number(fields.get('content-length'));
  const body = text.slice(headEnd + 4, headEnd + 4 + length);
  return { status: Number(statusLine!.split(' ')[1]), fields, body, end: headEnd + 4 + length };
}

/** Every response in `text`, in order. */
function responses(text: string): NonNullable<ReturnType<typeof parseResponse>>[] {
  const out = [];
  for (let r = parseResponse(text); r !== undefined; r = parseResponse(text, r.end)) out.push(r);
  return out;
}

/** Reads from `s` until `enough(text)` or the peer's close_notify. */
async function readUntil(s: TlsStream, enough: (text: string) => boolean): Promise<string> {
  let text = '';
  const dec = new TextDecoder();
  while (!enough(text)) {
    const c = await s.read();
    if (c === null) break;
    text += dec.decode(c, { stream: true });
  }
  return text;
}

describe.skipIf(!hasBuiltCli() || !hasOpenssl())('tls13 server --www', () => {
  let dir: string;
  let pki: TestPkiFiles;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tls13-www-'));
    pki = opensslCaPki(dir);
  });
  afterEach(killAll);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('openssl s_client GET / HTTP/1.0: the parameters page with the forced suite, group, SNI and ALPN, then close', async () => {
    const server = await startCliServer({ args: ['--cert', pki.cert, '--key', pki.key, '--www', '--alpn', 'h2,http/1.1'] });
    const r = await runOpensslClient({
      port: server.port,
      args: ['-servername', 'localhost', '-alpn', 'http/1.1', '-ciphersuites', 'TLS_AES_256_GCM_SHA384', '-groups', 'secp384r1', '-quiet'],
      stdin: 'GET / HTTP/1.0\r\n\r\n',
    });
    expect(r.timedOut, r.stderr).toBe(false); // the server closed after the 1.0 response (RFC 9112 §9.3)
    const all = responses(r.stdout);
    expect(all.length, r.stdout).toBe(1);
    const res = all[0]!;
    expect(res.status).toBe(200);
    expect(res.fields.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.fields.get('connection')).toBe('close');
    expect(utf8(res.body).length).toBe(Number(res.fields.get('content-length')));
    for (const line of [
      'request: GET / HTTP/1.0',
      'request in early data: no',
      'version: TLSv1.3',
      'cipher suite: TLS_AES_256_GCM_SHA384',
      'group: secp384r1',
      'signature scheme: ecdsa_secp256r1_sha256',
      'alpn: http/1.1',
      'sni: localhost',
      'resumed: no',
      'early data: none',
      'client certificate: none',
    ])
      expect(res.body.split('\n'), res.body).toContain(line);
    await server.child.waitFor(/closed \(\d+ bytes received; 1 requests\)/, 'stderr');
  });

  it('two HTTP/1.1 requests on one connection get two responses; Connection: close ends it', async () => {
    const server = await startCliServer({ args: ['--cert', pki.cert, '--key', pki.key, '--www'] });
    const r = await runOpensslClient({
      port: server.port,
      args: ['-servername', 'localhost', '-quiet'],
      stdin: 'GET /one HTTP/1.1\r\nHost: localhost\r\n\r\nGET /two HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    });
    expect(r.timedOut, r.stderr).toBe(false);
    const all = responses(r.stdout);
    expect(all.map((x) => [x.status, x.fields.get('connection'), x.body.split('\n').find((l) => l.startsWith('request: '))])).toEqual([
      [200, 'keep-alive', 'request: GET /one HTTP/1.1'],
      [200, 'close', 'request: GET /two HTTP/1.1'],
    ]);
    await server.child.waitFor(/\] closed \(\d+ bytes received; 2 requests\)/, 'stderr');
  });

  it('GET /keyupdate: openssl s_client receives KeyUpdate(update_requested), then the response', async () => {
    const server = await startCliServer({ args: ['--cert', pki.cert, '--key', pki.key, '--www'] });
    const r = await runOpensslClient({ port: server.port, args: ['-quiet', '-trace'], stdin: 'GET /keyupdate HTTP/1.0\r\n\r\n' });
    expect(r.timedOut, r.stderr).toBe(false);
    // s_client writes the data unbuffered and the trace buffered: take the response out, then read the trace.
    const res = parseResponse(r.stdout);
    expect(res?.status, r.stdout).toBe(200);
    expect(res!.body).toMatch(/^key update: sent KeyUpdate\(update_requested\) before this response$/m);
    const trace = r.stdout.slice(0, r.stdout.indexOf('HTTP/1.0 200')) + r.stdout.slice(res!.end);
    const received = trace
      .split(/\n(?=Received Record|Sent Record)/)
      .filter((b) => b.startsWith('Received Record'))
      .map((b) => (/KeyUpdate, Length=1\s+update_requested \(1\)/.test(b) ? 'KeyUpdate(update_requested)' : /Inner Content Type = (\w+)/.exec(b)?.[1]))
      .filter((t) => t === 'KeyUpdate(update_requested)' || t === 'ApplicationData');
    expect(received, trace).toEqual(['KeyUpdate(update_requested)', 'ApplicationData']);
  });

  it('GET /keyupdate with the library client: KeyUpdate(update_requested) before the response; it answers and the next request works', async () => {
    const server = await startCliServer({ args: ['--cert', pki.cert, '--key', pki.key, '--www'] });
    const order: string[] = [];
    const s = await connect({
      host: '127.0.0.1',
      port: server.port,
      serverName: 'localhost',
      insecureSkipVerify: true,
      onEvent: (ev) => {
        if (ev.type === 'handshake' && ev.message.msgType === HandshakeType.key_update) {
          order.push(`${ev.direction} KeyUpdate(${ev.message.requestUpdate === KeyUpdateRequest.update_requested ? 'update_requested' : 'update_not_requested'})`);
        }
      },
    });
    try {
      await s.write(ascii('GET /keyupdate HTTP/1.1\r\nHost: localhost\r\n\r\n'));
      const first = await readUntil(s, (t) => parseResponse(t) !== undefined);
      order.push('response');
      expect(parseResponse(first)!.body).toMatch(/^key update: sent/m);
      await s.write(ascii('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'));
      const second = await readUntil(s, () => false); // to the server's close_notify
      expect(parseResponse(second)?.body).toMatch(/^request: GET \/ HTTP\/1\.1$/m);
    } finally {
      await s.close();
    }
    expect(order).toEqual(['received KeyUpdate(update_requested)', 'sent KeyUpdate(update_not_requested)', 'response']);
    await server.child.waitFor(/closed \(\d+ bytes received; 2 requests\)/, 'stderr');
  });

  it('oversize headers: 431 and close_notify; a head just under the bound is answered', async () => {
    const server = await startCliServer({ args: ['--cert', pki.cert, '--key', pki.key, '--www'] });
    const open = (): Promise<TlsStream> => connect({ host: '127.0.0.1', port: server.port, serverName: 'localhost', insecureSkipVerify: true });
    const big = await open();
    try {
      // No blank line ever: the server must not wait for one past 16 KiB.
      await big.write(ascii(`GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}`));
      const text = await readUntil(big, () => false);
      const res = parseResponse(text);
      expect(res?.status, text).toBe(431);
      expect(res!.fields.get('connection')).toBe('close');
    } finally {
      await big.close();
    }
    const ok = await open();
    try {
      await ok.write(ascii(`GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nX-Big: ${'a'.repeat(15_000)}\r\n\r\n`));
      expect(parseResponse(await readUntil(ok, () => false))?.status).toBe(200);
    } finally {
      await ok.close();
    }
    expect(server.child.stderr).toMatch(/www: 431 request head over 16 KiB/);
  });

  it('our tls13 client: a resumed connection whose request arrives as 0-RTT data is answered, marked early', async () => {
    const server = await startCliServer({ args: ['--cert', pki.cert, '--key', pki.key, '--www', '--early-data', '--tickets', '1'] });
    const sess = join(dir, 'www-sess.json');
    const first = await runCli({
      args: ['client', `localhost:${server.port}`, '--ca', pki.ca, '--sess-out', sess],
      stdin: 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      waitFor: 'client certificate: none',
    });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^request in early data: no$/m);
    const early = join(dir, 'www-early.txt');
    writeFileSync(early, 'GET /early HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    const second = await runCli({
      args: ['client', `localhost:${server.port}`, '--ca', pki.ca, '--sess-in', sess, '--early-data', early],
      stdin: '',
      waitFor: 'client certificate: none',
    });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/ resumed early=accepted/);
    const body = parseResponse(second.stdout)?.body ?? second.stdout;
    expect(body).toMatch(/^request: GET \/early HTTP\/1\.1$/m);
    expect(body).toMatch(/^request in early data: yes/m);
    expect(body).toMatch(/^resumed: yes$/m);
    expect(body).toMatch(/^early data: accepted$/m);
    await server.child.waitFor(/www: GET \/early HTTP\/1\.1 \(early data\)/, 'stderr');
  });
});

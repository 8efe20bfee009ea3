// `tls13 server --www`: HTTP/1.x requests answered with the negotiated parameters (like `openssl s_server -www`); RFC 9112 framing, RFC 8446 §4.6.3 KeyUpdate on GET /keyupdate, §2.3 0-RTT requests.

import type { NegotiatedParameters } from '../../src/connection/types.js';
import type { TlsStream } from '../../src/io/stream.js';
import { concatBytes as concat, utf8 } from '../../src/util/bytes.js';
import { peerIdentity } from '../../src/x509/identity.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { summaryLine } from './output.js';

/** Bound on a request head (request line, header fields and the blank line that ends them); beyond: 431 and close. */
export const MAX_HEAD_BYTES = 16 * 1024;

export interface HttpRequest {
  kind: 'request';
  method: string;
  target: string;
  /** Minor version: HTTP/1.0 or HTTP/1.1. */
  minor: 0 | 1;
  /** Field names lower-cased; repeated fields joined with ", " (RFC 9110 §5.3). */
  headers: Map<string, string>;
  /** The request head began in 0-RTT data (RFC 8446 §2.3: possibly a replay). */
  early: boolean;
}

/** A request that cannot be answered normally: the response's status, then the connection closes. */
export interface HttpRefusal {
  kind: 'refusal';
  status: 400 | 431 | 501 | 505;
  reason: string;
  minor: 0 | 1;
}

const REASONS: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  405: 'Method Not Allowed',
  431: 'Request Header Fields Too Large',
  501: 'Not Implemented',
  505: 'HTTP Version Not Supported',
};

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) ([\x21-\x7e]+) HTTP\/([0-9])\.([0-9])$/;

/**
 * Splits the byte stream into request heads (RFC 9112 §2.1) and skips Content-Length bodies without
 * buffering them. Holds at most MAX_HEAD_BYTES plus one pushed chunk.
 */
export class HttpRequestReader {
  private pending: Uint8Array = new Uint8Array(0);
  /** Stream offset of pending[0]. */
  private offset = 0;
  /** Bytes pushed as 0-RTT data: they are a prefix of the stream. */
  private earlyBytes = 0;
  /** Body bytes still to drop. */
  private discard = 0;
  private failed = false;

  push(chunk: Uint8Array, early = false): void {
    if (this.failed) return;
    if (early) this.earlyBytes += chunk.length;
    if (this.discard > 0) {
      const n = Math.min(this.discard, chunk.length);
      this.discard -= n;
      this.offset += n;
      chunk = chunk.subarray(n);
    }
    if (chunk.length > 0) this.pending = this.pending.length === 0 ? chunk.slice() : concat(this.pending, chunk);
  }

  /** The next complete request head, a refusal (then nothing more), or undefined (more bytes needed). */
  next(): HttpRequest | HttpRefusal | undefined {
    if (this.failed || this.discard > 0) return undefined;
    // RFC 9112 §2.2: empty lines before the request line are ignored.
    let start = 0;
    while (start < this.pending.length && (this.pending[start] === 0x0d || this.pending[start] === 0x0a)) start++;
    if (start > 0) this.drop(start);
    const end = headEnd(this.pending);
    if (end === undefined) {
      // The blank line can no longer end within the bound.
      if (this.pending.length >= MAX_HEAD_BYTES) return this.refuse(431, 'request head over 16 KiB', 1);
      return undefined;
    }
    if (end.total > MAX_HEAD_BYTES) return this.refuse(431, 'request head over 16 KiB', 1);
    const early = this.offset < this.earlyBytes;
    const text = latin1(this.pending.subarray(0, end.headLength));
    this.drop(end.total);
    const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    const m = REQUEST_LINE.exec(lines[0]!);
    if (!m) return this.refuse(400, 'malformed request line', 1);
    if (m[3] !== '1') return this.refuse(505, `HTTP/${m[3]!}.${m[4]!}`, 1);
    const minor: 0 | 1 = m[4] === '0' ? 0 : 1;
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const name = colon > 0 ? line.slice(0, colon) : '';
      // RFC 9112 §5.1: no whitespace before the colon; §5.2: obs-fold is rejected.
      if (!TOKEN.test(name)) return this.refuse(400, 'malformed header field', minor);
      const key = name.toLowerCase();
      const value = line.slice(colon + 1).trim();
      const prior = headers.get(key);
      headers.set(key, prior === undefined ? value : `${prior}, ${value}`);
    }
    // RFC 9112 §3.2: a 1.1 request without exactly one Host gets 400.
    if (minor === 1 && (headers.get('host') ?? ',').includes(',')) return this.refuse(400, 'Host missing or repeated', minor);
    if (headers.has('transfer-encoding')) return this.refuse(501, 'Transfer-Encoding not supported', minor);
    const length = headers.get('content-length');
    if (length !== undefined) {
      // RFC 9112 §6.3: an invalid Content-Length is unrecoverable.
      if (!/^[0-9]{1,15}$/.test(length)) return this.refuse(400, 'invalid Content-Length', minor);
      this.skip(Number(length));
    }
    return { kind: 'request', method: m[1]!, target: m[2]!, minor, headers, early };
  }

  private drop(n: number): void {
    this.pending = this.pending.subarray(n);
    this.offset += n;
  }

  private skip(n: number): void {
    const here = Math.min(n, this.pending.length);
    this.drop(here);
    this.discard = n - here;
  }

  private refuse(status: HttpRefusal['status'], reason: string, minor: 0 | 1): HttpRefusal {
    this.failed = true;
    this.pending = new Uint8Array(0);
    return { kind: 'refusal', status, reason, minor };
  }
}

/** Where the head ends: CRLFCRLF or (RFC 9112 §2.2) bare LFs. */
function headEnd(b: Uint8Array): { headLength: number; total: number } | undefined {
  for (let i = 0; i < b.length; i++) {
    if (b[i] !== 0x0a) continue;
    if (b[i + 1] === 0x0a) return { headLength: i, total: i + 2 };
    if (b[i + 1] === 0x0d && b[i + 2] === 0x0a) return { headLength: i, total: i + 3 };
  }
  return undefined;
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, i + 4096));
  return s;
}

/** RFC 9112 §9.3: 1.1 persists unless `Connection: close`; 1.0 only with `Connection: keep-alive`. */
export function persistent(req: HttpRequest): boolean {
  const tokens = (req.headers.get('connection') ?? '').toLowerCase().split(',').map((t) => t.trim());
  if (tokens.includes('close')) return false;
  return req.minor === 1 || tokens.includes('keep-alive');
}

function clientCertificate(chain: readonly Uint8Array[] | undefined): string {
  const der = chain?.[0];
  if (!der) return 'none';
  try {
    const id = peerIdentity(parseCertificate(der));
    return `${JSON.stringify(id.subject)}${id.spiffeId ? ` spiffe=${id.spiffeId}` : ''}`;
  } catch {
    return 'unparsable';
  }
}

/** The page: one `name: value` line per negotiated parameter. */
export function parametersPage(p: Partial<NegotiatedParameters>, req: HttpRequest, keyUpdate: boolean): string {
  const yesNo = (b: boolean | undefined): string => (b === true ? 'yes' : 'no');
  const lines: [string, string][] = [
    ['request', `${req.method} ${req.target} HTTP/1.${req.minor}`],
    ['request in early data', req.early ? 'yes (0-RTT: may be a replay, RFC 8446 §8)' : 'no'],
    ['version', p.version ?? 'none'],
    ['cipher suite', p.cipherSuiteName ?? 'none'],
    ['group', p.groupName ?? 'none'],
    ['signature scheme', p.signatureSchemeName ?? 'none'],
    ['alpn', p.alpn ?? 'none'],
    ['sni', p.serverName ?? 'none'],
    ['hello retry request', yesNo(p.helloRetryRequest)],
    ['resumed', yesNo(p.resumed)],
    ['early data', p.earlyData ?? 'none'],
    ['client certificate', clientCertificate(p.peerCertificates)],
  ];
  if (keyUpdate) lines.push(['key update', 'sent KeyUpdate(update_requested) before this response']);
  return `tls13-engine --www\n${summaryLine(p)}\n\n${lines.map(([k, v]) => `${k}: ${v}`).join('\n')}\n`;
}

function response(status: number, minor: 0 | 1, body: string, close: boolean, head: boolean, extra: string[] = []): Uint8Array {
  const bytes = utf8(body);
  const fields = [
    `HTTP/1.${minor} ${status} ${REASONS[status] ?? ''}`,
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${bytes.length}`,
    'Cache-Control: no-store',
    ...extra,
    `Connection: ${close ? 'close' : 'keep-alive'}`,
  ];
  const h = utf8(`${fields.join('\r\n')}\r\n\r\n`);
  return head ? h : concat(h, bytes);
}

/** What one connection saw. */
export interface WwwSummary {
  requests: number;
  earlyRequests: number;
  bytesIn: number;
  earlyIn: number;
}

/**
 * Serves HTTP/1.x on `stream` until the client closes or a response ends the connection; then
 * close_notify. 0-RTT requests are answered (after the handshake, marked as early on the page).
 */
export async function serveWww(stream: TlsStream, log: (line: string) => void): Promise<WwwSummary> {
  const reader = new HttpRequestReader();
  const seen: WwwSummary = { requests: 0, earlyRequests: 0, bytesIn: 0, earlyIn: 0 };
  /** Answers every complete request; false once the connection is to close. */
  const answer = async (): Promise<boolean> => {
    for (let r = reader.next(); r !== undefined; r = reader.next()) {
      if (r.kind === 'refusal') {
        log(`www: ${r.status} ${r.reason}`);
        await stream.write(response(r.status, r.minor, `${r.status} ${REASONS[r.status]!}: ${r.reason}\n`, true, false));
        return false;
      }
      seen.requests++;
      if (r.early) seen.earlyRequests++;
      const close = !persistent(r);
      const path = r.target.split('?')[0]!;
      log(`www: ${r.method} ${r.target} HTTP/1.${r.minor}${r.early ? ' (early data)' : ''}`);
      if (r.method !== 'GET' && r.method !== 'HEAD') {
        await stream.write(response(405, r.minor, `405 ${REASONS[405]!}\n`, close, false, ['Allow: GET, HEAD']));
      } else {
        const keyUpdate = r.method === 'GET' && path === '/keyupdate';
        // RFC 8446 §4.6.3: the KeyUpdate goes out before the response, which is then under the new keys.
        if (keyUpdate) await stream.updateKeys(true);
        await stream.write(response(200, r.minor, parametersPage(stream.parameters, r, keyUpdate), close, r.method === 'HEAD'));
      }
      if (close) return false;
    }
    return true;
  };
  let open = true;
  for await (const chunk of stream.earlyData()) {
    seen.earlyIn += chunk.length;
    // Once closing, early data is counted, not kept (max_early_data_size may be large).
    if (!open) continue;
    reader.push(chunk, true);
    open = await answer();
  }
  if (seen.earlyIn > 0) log(`early data: ${seen.earlyIn} bytes`);
  if (open) {
    for await (const chunk of stream) {
      seen.bytesIn += chunk.length;
      reader.push(chunk);
      if (!(await answer())) break;
    }
  }
  await stream.close();
  seen.bytesIn += seen.earlyIn;
  return seen;
}

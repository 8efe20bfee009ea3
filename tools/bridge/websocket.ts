// A minimal RFC 6455 WebSocket for Node (Node 20 has no WebSocket server and its client needs a
// flag): binary and text messages, fragmentation, ping/pong, the closing handshake, size limits.
// No extensions (permessage-deflate is never negotiated) and no subprotocol selection beyond
// echoing one the server accepts. Used by the bridge (`tls13 bridge`) and by Node tests of the
// WebSocket transport; the object has the WebSocketLike shape of ./websocket.ts.

import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocketLike } from '../../src/io/websocket.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'; // RFC 6455 §1.3

const Op = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface NodeWebSocketOptions {
  /** Largest message accepted (after reassembly); a larger one closes with 1009 (default 1 MiB). */
  maxMessageBytes?: number;
  /** How long close() waits for the peer's close frame before destroying the socket (default 2 s). */
  closeTimeoutMs?: number;
}

type Listener = (event: { data?: unknown; code?: number; reason?: string }) => void;

/** RFC 6455 §4.2.2: the Sec-WebSocket-Accept value for a Sec-WebSocket-Key. */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** One WebSocket over a connected socket, either role (clients mask their frames, §5.3). */
export class NodeWebSocket implements WebSocketLike {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;

  binaryType = 'arraybuffer';
  readyState = NodeWebSocket.OPEN;
  /** The negotiated subprotocol ('' when none). */
  protocol = '';
  private readonly listeners = new Map<string, Listener[]>();
  private buffer: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentOp = -1;
  private fragmentBytes = 0;
  private closeSent = false;
  private closeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly maxMessage: number;
  private readonly closeTimeoutMs: number;

  constructor(
    readonly socket: Duplex,
    private readonly role: 'client' | 'server',
    options: NodeWebSocketOptions = {},
    head?: Buffer,
  ) {
    this.maxMessage = options.maxMessageBytes ?? 1 << 20;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 2_000;
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (err: Error) => {
      this.emit('error', { data: err });
      socket.destroy();
    });
    socket.on('close', () => this.finish(1006, ''));
    socket.on('end', () => socket.end());
    if (head && head.length > 0) queueMicrotask(() => this.onData(head));
  }

  /** Bytes queued on the socket, not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  addEventListener(type: string, listener: Listener): void {
    const l = this.listeners.get(type) ?? [];
    l.push(listener);
    this.listeners.set(type, l);
  }

  removeEventListener(type: string, listener: Listener): void {
    const l = this.listeners.get(type);
    if (l) this.listeners.set(type, l.filter((x) => x !== listener));
  }

  /** Sends one binary message (a string goes as a text message). */
  send(data: Uint8Array | string): void {
    if (this.readyState !== NodeWebSocket.OPEN) throw new Error('WebSocket is not open');
    if (typeof data === 'string') this.sendFrame(Op.text, Buffer.from(data, 'utf8'));
    else this.sendFrame(Op.binary, data);
  }

  /** Starts the closing handshake (§7.1.2); the socket ends when the peer answers or after the timeout. */
  close(code = 1000, reason = ''): void {
    if (this.readyState >= NodeWebSocket.CLOSING) return;
    this.readyState = NodeWebSocket.CLOSING;
    this.sendClose(code, reason);
    this.closeTimer = setTimeout(() => this.socket.destroy(), this.closeTimeoutMs);
  }

  /** Drops the connection without a closing handshake. */
  terminate(): void {
    this.socket.destroy();
  }

  private emit(type: string, event: Parameters<Listener>[0]): void {
    for (const l of this.listeners.get(type) ?? []) l(event);
  }

  private finish(code: number, reason: string): void {
    if (this.readyState === NodeWebSocket.CLOSED) return;
    this.readyState = NodeWebSocket.CLOSED;
    clearTimeout(this.closeTimer);
    this.emit('close', { code, reason });
  }

  private fail(code: number, reason: string): void {
    if (this.readyState === NodeWebSocket.OPEN) this.readyState = NodeWebSocket.CLOSING;
    this.sendClose(code, reason);
    this.socket.end();
    this.closeTimer ??= setTimeout(() => this.socket.destroy(), this.closeTimeoutMs);
    this.emit('error', { data: new Error(`WebSocket protocol error: ${reason}`) });
  }

  private sendClose(code: number, reason: string): void {
    if (this.closeSent || this.socket.destroyed || this.socket.writableEnded) return;
    this.closeSent = true;
    const r = Buffer.from(reason, 'utf8').subarray(0, 123);
    const payload = Buffer.alloc(2 + r.length);
    payload.writeUInt16BE(code, 0);
    r.copy(payload, 2);
    this.sendFrame(Op.close, payload);
  }

  private sendFrame(opcode: number, payload: Uint8Array): void {
    const masked = this.role === 'client';
    const len = payload.length;
    const lenBytes = len < 126 ? 0 : len < 65536 ? 2 : 8;
    const headerBytes = 2 + lenBytes + (masked ? 4 : 0);
    // One buffer per frame, every byte written below; the payload is copied (masked) once.
    const frame = Buffer.allocUnsafe(headerBytes + len);
    frame[0] = 0x80 | opcode;
    frame[1] = (masked ? 0x80 : 0) | (len < 126 ? len : len < 65536 ? 126 : 127);
    if (lenBytes === 2) frame.writeUInt16BE(len, 2);
    else if (lenBytes === 8) frame.writeBigUInt64BE(BigInt(len), 2);
    if (masked) {
      const mask = randomBytes(4);
      mask.copy(frame, 2 + lenBytes);
      for (let i = 0; i < len; i++) frame[headerBytes + i] = payload[i]! ^ mask[i & 3]!;
    } else frame.set(payload, headerBytes);
    this.socket.write(frame);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.readyState !== NodeWebSocket.CLOSED) {
      const b = this.buffer;
      if (b.length < 2) return;
      const fin = (b[0]! & 0x80) !== 0;
      const rsv = b[0]! & 0x70;
      const opcode = b[0]! & 0x0f;
      const masked = (b[1]! & 0x80) !== 0;
      let len = b[1]! & 0x7f;
      let off = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        const big = b.readBigUInt64BE(2);
        if (big > BigInt(this.maxMessage)) return this.fail(1009, 'message too big');
        len = Number(big);
        off = 10;
      }
      if (rsv !== 0) return this.fail(1002, 'reserved bits set');
      // §5.1: a server must close on an unmasked client frame, a client on a masked server frame.
      if (masked !== (this.role === 'server')) return this.fail(1002, masked ? 'masked server frame' : 'unmasked client frame');
      if (len > this.maxMessage) return this.fail(1009, 'message too big');
      const maskOff = off;
      if (masked) off += 4;
      if (b.length < off + len) return;
      const body = b.subarray(off, off + len);
      let payload = body; // unmasked: a view, copied once when the message is emitted
      if (masked) {
        payload = Buffer.allocUnsafe(len);
        for (let i = 0; i < len; i++) payload[i] = body[i]! ^ b[maskOff + (i & 3)]!;
      }
      this.buffer = b.subarray(off + len);
      this.onFrame(fin, opcode, payload);
    }
  }

  private onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode >= 0x8) {
      if (!fin || payload.length > 125) return this.fail(1002, 'bad control frame');
      if (opcode === Op.ping) {
        if (this.readyState === NodeWebSocket.OPEN) this.sendFrame(Op.pong, payload);
      } else if (opcode === Op.close) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        const reason = payload.subarray(2).toString('utf8');
        this.sendClose(code === 1005 ? 1000 : code, '');
        this.socket.end();
        this.readyState = NodeWebSocket.CLOSING;
        this.closeTimer ??= setTimeout(() => this.socket.destroy(), this.closeTimeoutMs);
        this.finish(code, reason);
      } else if (opcode !== Op.pong) return this.fail(1002, `unknown control opcode ${opcode}`);
      return;
    }
    if (opcode === Op.continuation) {
      if (this.fragmentOp < 0) return this.fail(1002, 'continuation without a message');
    } else if (opcode === Op.text || opcode === Op.binary) {
      if (this.fragmentOp >= 0) return this.fail(1002, 'new message inside a fragmented one');
      this.fragmentOp = opcode;
    } else return this.fail(1002, `unknown opcode ${opcode}`);
    this.fragmentBytes += payload.length;
    if (this.fragmentBytes > this.maxMessage) return this.fail(1009, 'message too big');
    this.fragments.push(payload);
    if (!fin) return;
    const whole = this.fragments.length === 1 ? this.fragments[0]! : Buffer.concat(this.fragments);
    const op = this.fragmentOp;
    this.fragments = [];
    this.fragmentOp = -1;
    this.fragmentBytes = 0;
    if (this.readyState !== NodeWebSocket.OPEN) return;
    if (op === Op.text) this.emit('message', { data: whole.toString('utf8') });
    else this.emit('message', { data: whole.buffer.slice(whole.byteOffset, whole.byteOffset + whole.byteLength) });
  }
}

export interface UpgradeOptions extends NodeWebSocketOptions {
  /** Origins allowed to connect (the Origin header); when absent every origin is, even none. */
  allowedOrigins?: string[];
  /** Subprotocols we accept; the first the client offers is chosen. */
  protocols?: string[];
}

/**
 * Answers an HTTP upgrade request (`http.Server`'s 'upgrade' event) with the RFC 6455 handshake
 * (§4.2.2). Returns the WebSocket, or undefined after answering 400/403 and closing the socket.
 */
export function acceptWebSocketUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, options: UpgradeOptions = {}): NodeWebSocket | undefined {
  const key = req.headers['sec-websocket-key'];
  const refuse = (status: string): undefined => {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    return undefined;
  };
  if (
    req.method !== 'GET' ||
    (req.headers.upgrade ?? '').toLowerCase() !== 'websocket' ||
    !/\bupgrade\b/i.test(req.headers.connection ?? '') ||
    req.headers['sec-websocket-version'] !== '13' ||
    typeof key !== 'string' ||
    Buffer.from(key, 'base64').length !== 16
  )
    return refuse('400 Bad Request');
  const origin = req.headers.origin;
  if (options.allowedOrigins && (origin === undefined || !options.allowedOrigins.includes(origin))) return refuse('403 Forbidden');
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const protocol = offered.find((p) => options.protocols?.includes(p));
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${acceptKey(key)}\r\n` +
      (protocol ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : '') +
      '\r\n',
  );
  if (socket instanceof net.Socket) socket.setNoDelay(true);
  const ws = new NodeWebSocket(socket, 'server', options, head);
  if (protocol) ws.protocol = protocol;
  return ws;
}

/**
 * Opens a client WebSocket to a `ws://` URL (plain TCP only: for loopback bridges and tests).
 * Resolves once the server accepted the upgrade.
 */
export function connectNodeWebSocket(url: string | URL, options: NodeWebSocketOptions & { timeoutMs?: number; protocols?: string[] } = {}): Promise<NodeWebSocket> {
  const u = new URL(url);
  if (u.protocol !== 'ws:') return Promise.reject(new Error(`only ws:// URLs are supported, got ${u.protocol}`));
  const key = randomBytes(16).toString('base64');
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port: Number(u.port || 80), noDelay: true });
    const timer = setTimeout(() => fail(new Error('WebSocket handshake timed out')), options.timeoutMs ?? 15_000);
    let head = Buffer.alloc(0);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const onData = (d: Buffer): void => {
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > 16 * 1024) fail(new Error('WebSocket handshake response too large'));
        return;
      }
      socket.off('data', onData);
      socket.off('error', fail);
      clearTimeout(timer);
      const lines = head.subarray(0, end).toString('latin1').split('\r\n');
      const headers = new Map<string, string>();
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
      }
      if (!/^HTTP\/1\.1 101\b/.test(lines[0] ?? '') || headers.get('sec-websocket-accept') !== acceptKey(key)) {
        fail(new Error(`WebSocket upgrade refused: ${lines[0] ?? ''}`));
        return;
      }
      const ws = new NodeWebSocket(socket, 'client', options, head.subarray(end + 4));
      ws.protocol = headers.get('sec-websocket-protocol') ?? '';
      resolve(ws);
    };
    socket.on('data', onData);
    socket.on('error', fail);
    socket.once('connect', () => {
      socket.write(
        `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
          (options.protocols?.length ? `Sec-WebSocket-Protocol: ${options.protocols.join(', ')}\r\n` : '') +
          '\r\n',
      );
    });
  });
}

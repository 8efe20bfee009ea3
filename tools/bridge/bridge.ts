// A small WebSocket ↔ TCP bridge, so that a browser can reach a TCP TLS server (forward mode) or
// serve TLS to a TCP client (reverse mode). It forwards bytes only: TLS runs end to end between
// the page and the TCP peer, the bridge never sees plaintext.
//
// Forward (`to`): every WebSocket accepted on `listen` gets its own TCP connection to `to`.
// Reverse (`accept`): a page opens WebSockets to `listen` and waits; each TCP client accepted on
// `accept` is paired with the oldest waiting WebSocket.
//
// Bounded: loopback listeners and (unless allowed) loopback targets, web pages only from the
// Origins allowed (none by default), a connection cap, a message size limit, an idle timeout,
// and write backpressure both ways.

import { createServer as createHttpServer, type Server } from 'node:http';
import * as net from 'node:net';
import { acceptWebSocketUpgrade, type NodeWebSocket } from './websocket.js';

export interface BridgeOptions {
  /** Where WebSockets are accepted (host defaults to 127.0.0.1; port 0 = ephemeral). */
  listen: { port: number; host?: string };
  /** Forward mode: the TCP server each WebSocket is connected to. */
  to?: { host: string; port: number };
  /** Reverse mode: a TCP listener whose clients are paired with waiting WebSockets. */
  accept?: { port: number; host?: string };
  /** Let `to` name a non-loopback host, and listeners bind non-loopback addresses (default false). */
  allowNonLoopback?: boolean;
  /** At most this many bridged connections (plus waiting WebSockets) at once (default 32). */
  maxConnections?: number;
  /** Largest WebSocket message accepted (default 1 MiB). */
  maxMessageBytes?: number;
  /** Close a connection idle (no bytes either way) this long (default 120 s). */
  idleTimeoutMs?: number;
  /** Reverse mode: how long a TCP client waits for a WebSocket to pair with (default 10 s). */
  pairTimeoutMs?: number;
  /**
   * Origins (web pages) allowed to open WebSockets; requests without an Origin header (clients
   * that are not browsers) are then refused. Absent: every request with an Origin header is
   * refused (403), those without one are accepted, so that no page the user happens to visit
   * reaches the target through the bridge.
   */
  allowedOrigins?: string[];
  /** Accept WebSockets from any Origin, or none (explicit; not with `allowedOrigins`). */
  anyOrigin?: boolean;
  /** One line per connection event (default: none). */
  log?: (line: string) => void;
}

export interface Bridge {
  /** The WebSocket listener's port. */
  readonly port: number;
  /** Reverse mode: the TCP listener's port. */
  readonly acceptPort: number | undefined;
  /** Connections bridged so far. */
  readonly stats: { bridged: number; refused: number; active: number; waiting: number };
  close(): Promise<void>;
}

/** True for 127.0.0.0/8, ::1, ::ffff:127.x and 'localhost'. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return net.isIPv4(v4) && v4.startsWith('127.');
}

const WS_HIGH_WATER = 1 << 20;

/** Pipes one WebSocket and one TCP socket together until either ends. */
function splice(ws: NodeWebSocket, tcp: net.Socket, idleTimeoutMs: number, done: () => void): void {
  let finished = false;
  let wsPaused = false;
  let tcpPaused = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    if (ws.readyState <= 1) ws.close(1000);
    tcp.end();
    setTimeout(() => tcp.destroy(), 2_000).unref();
    done();
  };
  tcp.setNoDelay(true);
  tcp.setTimeout(idleTimeoutMs, () => {
    tcp.destroy();
    ws.terminate();
    finish();
  });
  ws.addEventListener('message', (e) => {
    const d = e.data;
    if (!(d instanceof ArrayBuffer)) {
      ws.close(1003, 'binary messages only');
      finish();
      return;
    }
    if (!tcp.write(new Uint8Array(d)) && !wsPaused) {
      wsPaused = true;
      ws.socket.pause();
      tcp.once('drain', () => {
        wsPaused = false;
        ws.socket.resume();
      });
    }
  });
  tcp.on('data', (d: Buffer) => {
    if (ws.readyState !== 1) return;
    ws.send(d);
    if (ws.bufferedAmount > WS_HIGH_WATER && !tcpPaused) {
      tcpPaused = true;
      tcp.pause();
      ws.socket.once('drain', () => {
        tcpPaused = false;
        tcp.resume();
      });
    }
  });
  ws.addEventListener('close', finish);
  ws.addEventListener('error', finish);
  tcp.on('end', finish);
  tcp.on('close', finish);
  tcp.on('error', finish);
}

function listen(server: net.Server | Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address();
      if (a === null || typeof a === 'string') reject(new Error('unexpected listener address'));
      else resolve(a.port);
    });
  });
}

/** Starts a bridge; resolves once its listeners are bound. */
export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const {
    to,
    accept,
    allowNonLoopback = false,
    maxConnections = 32,
    maxMessageBytes = 1 << 20,
    idleTimeoutMs = 120_000,
    pairTimeoutMs = 10_000,
    allowedOrigins,
    anyOrigin = false,
    log = () => {},
  } = options;
  if ((to === undefined) === (accept === undefined)) throw new Error('bridge: give exactly one of `to` (forward) or `accept` (reverse)');
  if (anyOrigin && allowedOrigins !== undefined) throw new Error('bridge: give `allowedOrigins` or `anyOrigin`, not both');
  const wsHost = options.listen.host ?? '127.0.0.1';
  const tcpHost = accept?.host ?? '127.0.0.1';
  if (!allowNonLoopback) {
    for (const [what, h] of [['listen', wsHost], ['accept', tcpHost], ['to', to?.host]] as const)
      if (h !== undefined && !isLoopback(h)) throw new Error(`bridge: ${what} host ${h} is not loopback (pass allowNonLoopback to allow it)`);
  }

  const stats = { bridged: 0, refused: 0, active: 0, waiting: 0 };
  const sockets = new Set<net.Socket>();
  const waiting: NodeWebSocket[] = [];
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };

  const http = createHttpServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain', connection: 'close' }).end('WebSocket upgrade required\n');
  });
  http.on('connection', track);
  http.on('upgrade', (req, socket, head) => {
    if (stats.active + waiting.length >= maxConnections) {
      stats.refused++;
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      log('refused: too many connections');
      return;
    }
    // Browsers send Origin on every WebSocket (RFC 6455 §4.1): without a list, no page is trusted.
    const origin = req.headers.origin;
    if (origin !== undefined && allowedOrigins === undefined && !anyOrigin) {
      stats.refused++;
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      log(`refused: Origin ${JSON.stringify(origin)} (allow it with --origin, or any with --any-origin)`);
      return;
    }
    const ws = acceptWebSocketUpgrade(req, socket, head, { maxMessageBytes, allowedOrigins });
    if (!ws) {
      stats.refused++;
      return;
    }
    if (to) {
      stats.active++;
      stats.bridged++;
      const tcp = net.connect({ host: to.host, port: to.port });
      track(tcp);
      log(`ws ${req.socket.remoteAddress ?? '?'} → tcp ${to.host}:${to.port}`);
      splice(ws, tcp, idleTimeoutMs, () => {
        stats.active--;
      });
    } else {
      waiting.push(ws);
      stats.waiting = waiting.length;
      const drop = (): void => {
        const i = waiting.indexOf(ws);
        if (i >= 0) waiting.splice(i, 1);
        stats.waiting = waiting.length;
      };
      ws.addEventListener('close', drop);
      ws.addEventListener('message', () => {
        // A waiting page must not talk before its TCP peer exists (the TLS server speaks second).
        if (waiting.includes(ws)) {
          drop();
          ws.close(1008, 'no peer yet');
        }
      });
      log('ws waiting for a tcp client');
    }
  });

  let tcpServer: net.Server | undefined;
  if (accept) {
    tcpServer = net.createServer((tcp) => {
      track(tcp);
      tcp.pause();
      const start = Date.now();
      const pair = (): void => {
        const ws = waiting.shift();
        stats.waiting = waiting.length;
        if (ws) {
          stats.active++;
          stats.bridged++;
          log(`tcp ${tcp.remoteAddress ?? '?'} → waiting ws`);
          splice(ws, tcp, idleTimeoutMs, () => {
            stats.active--;
          });
          tcp.resume();
        } else if (Date.now() - start > pairTimeoutMs || tcp.destroyed) {
          stats.refused++;
          tcp.destroy();
        } else setTimeout(pair, 25);
      };
      if (stats.active >= maxConnections) {
        stats.refused++;
        tcp.destroy();
      } else pair();
    });
  }

  const port = await listen(http, options.listen.port, wsHost);
  const acceptPort = tcpServer && accept ? await listen(tcpServer, accept.port, tcpHost) : undefined;

  return {
    port,
    acceptPort,
    stats,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(
        [http, tcpServer].map(
          (s) =>
            new Promise<void>((r) => {
              if (!s?.listening) r();
              else s.close(() => r());
            }),
        ),
      );
    },
  };
}
export { acceptWebSocketUpgrade, connectNodeWebSocket, NodeWebSocket, type NodeWebSocketOptions, type UpgradeOptions } from './websocket.js';

// The server half of the node:tls-shaped API: a net.Server running TLS 1.3 on every connection
// ('secureConnection', 'tlsClientError', 'keylog'), with node:tls's options (PEM `cert`/`key`,
// `requestCert`, `ca`, `ALPNProtocols`). RFC 8446 §4.3.2 (client certificates), §4.6.1 (tickets).

import * as net from 'node:net';
import type { ServerConfig } from '../../connection/config.js';
import { createServerConnection, createServerTicketing } from '../../connection/index.js';
import { nodeDefaultProvider } from '../../crypto/node/index.js';
import { WebPkiClientVerifier } from '../../x509/client-verify.js';
import type { TlsStreamOptions } from '../../io/stream.js';
import { combineKeyLoggers, keyLogTo } from '../../io/keylog.js';
import { pems, signingMaterial, type Pem } from './pem.js';
import { TLSSocket } from './socket.js';

export interface ServerOptions {
  /** Certificate chain (PEM, leaf first) and its key (PEM). */
  cert: Pem;
  key: Pem;
  ALPNProtocols?: string[];
  /** Ask clients for a certificate (verified against `ca`). */
  requestCert?: boolean;
  /** With requestCert: refuse clients without a valid certificate (default true, as node:tls). */
  rejectUnauthorized?: boolean;
  /** Roots for client certificates (PEM). */
  ca?: Pem | Pem[];
  /** Bound on the handshake (ms, default 30 s), the stream's: close_notify, then TlsTimeoutError('handshake'). */
  handshakeTimeout?: number;
  allowHalfOpen?: boolean;
  /** Anything else of the engine's server config (tickets, 0-RTT, keyLog, onEvent, research hooks, …). */
  engine?: Partial<ServerConfig>;
  stream?: TlsStreamOptions;
}

/**
 * A TCP server that runs TLS 1.3 on every connection, like node:tls's Server: 'secureConnection'
 * (socket) after each handshake, 'tlsClientError' (err, socket) on a failed one, 'keylog'
 * (line, socket). It is a net.Server, so listen()/close()/address() are net's.
 */
export class Server extends net.Server {
  private readonly tlsOptions: ServerOptions;
  private readonly base: ServerConfig;

  constructor(options: ServerOptions, secureConnectionListener?: (socket: TLSSocket) => void) {
    super({ allowHalfOpen: true });
    this.tlsOptions = options;
    const engine = options.engine ?? {};
    // Without engine.provider: node:crypto (or the provider given to setDefaultProvider()).
    const provider = engine.provider ?? nodeDefaultProvider();
    const material = signingMaterial(options.cert, options.key, provider)!;
    this.base = { ...engine, provider, certificateChain: material.chain, signingKey: material.key, alpn: options.ALPNProtocols ?? engine.alpn };
    // One ticketing (ticket keys, 0-RTT replay window) for every connection's config copy.
    this.base.ticketing = engine.ticketing ?? createServerTicketing({ provider });
    if (options.requestCert) {
      const verifier = new WebPkiClientVerifier({ trustAnchors: pems(options.ca), verifier: provider.verifier });
      this.base.clientAuth = engine.clientAuth ?? { mode: options.rejectUnauthorized === false ? 'optional' : 'required', verifier };
    }
    if (secureConnectionListener) this.on('secureConnection', secureConnectionListener);
    this.on('connection', (raw: net.Socket) => this.accept(raw));
  }

  private accept(raw: net.Socket): void {
    raw.setNoDelay(true);
    let socketRef: TLSSocket | undefined;
    const config: ServerConfig = {
      ...this.base,
      keyLog: combineKeyLoggers(
        this.base.keyLog,
        keyLogTo((line) => {
          if (socketRef) this.emit('keylog', Buffer.from(line), socketRef);
        }),
      ),
    };
    const socket = new TLSSocket(raw, {
      side: 'server',
      connection: createServerConnection(config),
      streamOptions: this.tlsOptions.stream ?? {},
      handshakeTimeoutMs: this.tlsOptions.handshakeTimeout ?? 30_000,
      allowHalfOpen: this.tlsOptions.allowHalfOpen ?? false,
      verifiesPeer: this.tlsOptions.requestCert === true,
    });
    socketRef = socket;
    const onError = (err: Error): void => {
      this.emit('tlsClientError', err, socket);
    };
    socket.once('error', onError);
    socket.once('secure', () => {
      socket.off('error', onError);
      this.emit('secureConnection', socket);
    });
  }
}

/** node:tls's createServer(): `listener` is called with every connection after its handshake. */
export function createServer(options: ServerOptions, secureConnectionListener?: (socket: TLSSocket) => void): Server {
  return new Server(options, secureConnectionListener);
}

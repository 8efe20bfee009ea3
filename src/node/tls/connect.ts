// The client half of the node:tls-shaped API: connect(options) with node:tls's options (PEM `ca`,
// `servername`, `ALPNProtocols`, `rejectUnauthorized`, `session`), verified against Node's bundled
// roots by default. RFC 8446 §4.2.11 (sessions), RFC 9525 (server name).

import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { rootCertificates } from 'node:tls';
import type { ClientConfig } from '../../connection/config.js';
import { createClientConnection } from '../../connection/index.js';
import { nodeDefaultProvider } from '../../crypto/node/index.js';
import { decodeSessionFile } from '../../resumption/index.js';
import { pemDecode } from '../../x509/pem.js';
import { WebPkiServerVerifier } from '../../x509/verify.js';
import type { TlsStreamOptions } from '../../io/stream.js';
import { combineKeyLoggers, keyLogTo } from '../../io/keylog.js';
import { pems, signingMaterial, type Pem } from './pem.js';
import { RecordingVerifier, TLSSocket } from './socket.js';

let systemRoots: Uint8Array[] | undefined;
/** Node's bundled Mozilla root store (node:tls rootCertificates), decoded once. */
function defaultRoots(): Uint8Array[] {
  systemRoots ??= rootCertificates.flatMap((p) => pemDecode(p, 'CERTIFICATE'));
  return systemRoots;
}

export interface ConnectOptions {
  host?: string;
  port?: number;
  /** An already-connected stream to run TLS over (e.g. after a STARTTLS exchange). */
  socket?: Duplex;
  /** SNI and the name the certificate must match (default: `host` unless it is an IP literal, as node:tls). */
  servername?: string;
  ALPNProtocols?: string[];
  /** Trusted roots (PEM); default: Node's bundled Mozilla roots. */
  ca?: Pem | Pem[];
  /** Default true: a certificate that fails verification fails the handshake. */
  rejectUnauthorized?: boolean;
  /** Client certificate chain and key (PEM), offered when the server asks. */
  cert?: Pem;
  key?: Pem;
  /** A session from getSession() or a 'session' event, to resume. */
  session?: Uint8Array;
  /** Bound on the handshake (ms, default 30 s), the stream's: close_notify, then TlsTimeoutError('handshake'). */
  handshakeTimeout?: number;
  allowHalfOpen?: boolean;
  /** Anything else of the engine's client config (groups, suites, keyLog, onEvent, research hooks, provider, …). */
  engine?: Partial<ClientConfig>;
  /** The driver's buffering (highWaterMark, closeTimeoutMs). */
  stream?: TlsStreamOptions;
}

/**
 * Opens a TLS 1.3 connection, like node:tls's connect(): returns the socket at once and emits
 * 'secureConnect' (and calls `callback`) when the handshake completed, 'error' on failure.
 * Usable as `https.request({ ..., createConnection: (opts) => connect(opts) })`.
 */
export function connect(options: ConnectOptions, callback?: () => void): TLSSocket {
  const host = options.host ?? 'localhost';
  const servername = options.servername ?? (net.isIP(host) ? undefined : host);
  const rejectUnauthorized = options.rejectUnauthorized !== false;
  // Without engine.provider: node:crypto (or the provider given to setDefaultProvider()).
  const provider = options.engine?.provider ?? nodeDefaultProvider();
  const webpki = new WebPkiServerVerifier({
    trustAnchors: options.ca !== undefined ? pems(options.ca) : defaultRoots(),
    verifier: provider.verifier,
  });
  const recording = new RecordingVerifier(webpki);
  let socketRef: TLSSocket | undefined;
  const clientCert = signingMaterial(options.cert, options.key, provider);
  const engine = options.engine ?? {};
  const config: ClientConfig = {
    ...engine,
    provider,
    serverName: servername ?? (net.isIP(host) ? host : undefined),
    alpn: options.ALPNProtocols ?? engine.alpn,
    verifier: engine.verifier ?? (rejectUnauthorized ? webpki : recording),
    keyLog: combineKeyLoggers(
      engine.keyLog,
      keyLogTo((line) => socketRef?.emit('keylog', Buffer.from(line))),
    ),
    onSession: (s) => {
      engine.onSession?.(s);
      socketRef?.onSession(s);
    },
  };
  if (clientCert) config.clientCertificates = [clientCert];
  if (options.session) config.session = decodeSessionFile(Buffer.from(options.session).toString('utf8'));
  const raw = options.socket ?? net.connect({ host, port: options.port ?? 443, allowHalfOpen: true, noDelay: true });
  const socket = new TLSSocket(raw, {
    side: 'client',
    connection: createClientConnection(config),
    streamOptions: options.stream ?? {},
    handshakeTimeoutMs: options.handshakeTimeout ?? 30_000,
    allowHalfOpen: options.allowHalfOpen ?? false,
    recording: engine.verifier || rejectUnauthorized ? undefined : recording,
    verifiesPeer: true,
  });
  socketRef = socket;
  if (raw instanceof net.Socket) raw.once('connect', () => socket.emit('connect'));
  if (callback) socket.once('secureConnect', callback);
  return socket;
}

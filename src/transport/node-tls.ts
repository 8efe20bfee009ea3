// A node:tls-shaped API over the engine: `connect(options)` and `createServer(options, listener)`
// whose sockets are Duplex streams shaped like node:tls's TLSSocket, so that code written for
// node:tls (https.request's `createConnection`, an http.Server fed with 'connection') runs on
// this engine. TLS 1.3 only. Options follow node:tls where they exist (PEM `ca`/`cert`/`key`,
// `servername`, `ALPNProtocols`, `rejectUnauthorized`, `requestCert`, `session`); everything
// else of the engine is reachable through `engine`.

import { X509Certificate } from 'node:crypto';
import * as net from 'node:net';
import { Duplex } from 'node:stream';
import { rootCertificates } from 'node:tls';
import type { ClientConfig, ServerConfig } from '../connection/config.js';
import { createClientConnection, createServerConnection, createServerTicketing } from '../connection/index.js';
import type { Connection, NegotiatedParameters } from '../connection/types.js';
import { signingKeyFromMaterial } from '../crypto/index.js';
import { nodeDefaultProvider } from '../crypto/node/index.js';
import type { CryptoProvider, SigningKey } from '../crypto/provider.js';
import { CertificateError } from '../errors.js';
import type { ClientSession } from '../resumption/types.js';
import { decodeSessionFile, encodeSessionFile } from '../resumption/index.js';
import { parseCertificate } from '../x509/certificate.js';
import { WebPkiClientVerifier } from '../x509/client-verify.js';
import { parsePrivateKeyPem } from '../x509/keys.js';
import { pemDecode } from '../x509/pem.js';
import { WebPkiServerVerifier, type CertificateVerifierInput, type ServerCertificateVerifier, type VerifiedChain } from '../x509/verify.js';
import { TlsStream, type TlsStreamOptions } from './driver.js';
import { combineKeyLoggers, keyLogTo } from './keylog.js';
import { socketChannel } from './node-socket.js';

type Pem = string | Uint8Array;
const pemText = (p: Pem): string => (typeof p === 'string' ? p : Buffer.from(p).toString('latin1'));
const pems = (v: Pem | Pem[] | undefined): Uint8Array[] =>
  (v === undefined ? [] : Array.isArray(v) ? v : [v]).flatMap((p) => pemDecode(pemText(p), 'CERTIFICATE'));

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

let systemRoots: Uint8Array[] | undefined;
/** Node's bundled Mozilla root store (node:tls rootCertificates), decoded once. */
function defaultRoots(): Uint8Array[] {
  systemRoots ??= rootCertificates.flatMap((p) => pemDecode(p, 'CERTIFICATE'));
  return systemRoots;
}

/**
 * Verifies like the inner verifier but never fails the handshake: node:tls's
 * `rejectUnauthorized: false`, where the result lands in `authorized` / `authorizationError`.
 * The CertificateVerify signature is still checked against the leaf's key.
 */
class RecordingVerifier implements ServerCertificateVerifier {
  error: Error | undefined;
  constructor(private readonly inner: ServerCertificateVerifier) {}
  async verify(input: CertificateVerifierInput): Promise<VerifiedChain> {
    try {
      return await this.inner.verify(input);
    } catch (err) {
      this.error = asError(err);
      const leaf = parseCertificate(input.chain[0]!);
      return { chain: [leaf], leaf };
    }
  }
}

/** node:tls's `cipher` object for a TLS 1.3 suite. */
export interface CipherNameAndProtocol {
  name: string;
  standardName: string;
  version: 'TLSv1.3';
}

/** The subset of node:tls's PeerCertificate this API fills in. */
export interface PeerCertificate {
  subject: Record<string, string | string[]>;
  issuer: Record<string, string | string[]>;
  subjectaltname?: string;
  valid_from: string;
  valid_to: string;
  serialNumber: string;
  fingerprint: string;
  fingerprint256: string;
  fingerprint512: string;
  ca: boolean;
  raw: Buffer;
  issuerCertificate?: PeerCertificate;
}

function nameObject(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i <= 0) continue;
    const k = line.slice(0, i);
    const v = line.slice(i + 1);
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function peerCertificate(der: Uint8Array): PeerCertificate {
  const x = new X509Certificate(der);
  const cert: PeerCertificate = {
    subject: nameObject(x.subject),
    issuer: nameObject(x.issuer),
    valid_from: x.validFrom,
    valid_to: x.validTo,
    serialNumber: x.serialNumber,
    fingerprint: x.fingerprint,
    fingerprint256: x.fingerprint256,
    fingerprint512: x.fingerprint512,
    ca: x.ca,
    raw: Buffer.from(der),
  };
  if (x.subjectAltName !== undefined) cert.subjectaltname = x.subjectAltName;
  return cert;
}

const bufferOf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

interface SocketSetup {
  side: 'client' | 'server';
  connection: Connection;
  streamOptions: TlsStreamOptions;
  handshakeTimeoutMs: number;
  allowHalfOpen: boolean;
  recording?: RecordingVerifier;
  /** Server: client certificates were requested and verified. */
  verifiesPeer: boolean;
}

/**
 * A TLS 1.3 connection as a Duplex, shaped like node:tls's TLSSocket. Writes before the
 * handshake wait for it; `end()` sends close_notify (reading goes on until the peer's);
 * `destroy()` drops the connection without close_notify. Backpressure runs both ways: a
 * reader that stops reading stops the pump, a slow socket delays write callbacks.
 */
export class TLSSocket extends Duplex {
  readonly encrypted = true;
  /** The peer's certificate chain verified (client: the server's; server: a client certificate). */
  authorized = false;
  /** Why the peer was not authorized, when it was not. */
  authorizationError: Error | undefined;
  /** The negotiated ALPN protocol; false when none, null before the handshake. */
  alpnProtocol: string | false | null = null;
  /** Client: the name sent as SNI; server: the name the client asked for. false when none. */
  servername: string | false | null = null;
  /** The transport underneath. */
  readonly socket: Duplex;
  /** The sans-I/O connection (events, parameters, exporters). */
  readonly connection: Connection;
  private tls: TlsStream | undefined;
  private readonly setup: SocketSetup;
  private reading = false;
  private session: ClientSession | undefined;
  private closing: Promise<void> | undefined;
  private handshakeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(socket: Duplex, setup: SocketSetup) {
    super({ allowHalfOpen: setup.allowHalfOpen });
    this.socket = socket;
    this.setup = setup;
    this.connection = setup.connection;
    if (socket instanceof net.Socket && socket.connecting) socket.once('connect', () => this.start());
    else queueMicrotask(() => this.start());
    socket.once('error', (err: Error) => {
      if (!this.tls) this.destroy(err);
    });
  }

  /** @internal Called by connect() with each ticket (NewSessionTicket), node:tls's 'session'. */
  onSession(session: ClientSession): void {
    this.session = session;
    this.emit('session', Buffer.from(encodeSessionFile(session)));
  }

  private start(): void {
    if (this.destroyed) return;
    const tls = new TlsStream(this.connection, socketChannel(this.socket as net.Socket), this.setup.streamOptions);
    this.tls = tls;
    this.handshakeTimer = setTimeout(
      () => this.destroy(new Error(`TLS handshake timed out after ${this.setup.handshakeTimeoutMs} ms`)),
      this.setup.handshakeTimeoutMs,
    );
    tls.handshake().then(
      (p) => this.onHandshake(p),
      (err: unknown) => this.destroy(asError(err)),
    );
    tls.finished.catch((err: unknown) => {
      if (!this.destroyed) this.destroy(asError(err));
    });
    this.emit('_tlsStarted');
  }

  private onHandshake(p: NegotiatedParameters): void {
    clearTimeout(this.handshakeTimer);
    this.alpnProtocol = p.alpn ?? false;
    this.servername = p.serverName ?? false;
    if (this.setup.side === 'client') {
      const err = this.setup.recording?.error;
      this.authorized = err === undefined;
      this.authorizationError = err;
      this.emit('secureConnect');
    } else {
      this.authorized = this.setup.verifiesPeer && p.peerCertificates.length > 0;
      if (this.setup.verifiesPeer && !this.authorized) this.authorizationError = new Error('peer did not return a certificate');
      this.emit('secure');
    }
  }

  private whenStarted(): Promise<TlsStream> {
    if (this.tls) return Promise.resolve(this.tls);
    return new Promise((resolve, reject) => {
      this.once('_tlsStarted', () => resolve(this.tls!));
      this.once('close', () => reject(new Error('socket closed before TLS started')));
    });
  }

  override _read(): void {
    const tls = this.tls;
    if (this.reading) return;
    if (!tls) {
      this.once('_tlsStarted', () => this._read());
      return;
    }
    this.reading = true;
    void (async () => {
      try {
        for (;;) {
          const d = await tls.read();
          if (d === null) {
            this.push(null);
            return;
          }
          if (!this.push(bufferOf(d))) return;
        }
      } catch (err) {
        this.destroy(asError(err));
      } finally {
        this.reading = false;
      }
    })();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.whenStarted()
      .then((tls) => tls.write(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)))
      .then(
        () => callback(),
        (err: unknown) => callback(asError(err)),
      );
  }

  override _final(callback: (error?: Error | null) => void): void {
    // close_notify goes out (half-close); reading goes on until the peer's.
    this.whenStarted()
      .then((tls) => tls.closeWrite())
      .then(
        () => callback(),
        (err: unknown) => callback(asError(err)),
      );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.handshakeTimer);
    const tls = this.tls;
    if (!tls) {
      this.socket.destroy();
      callback(error);
      return;
    }
    // Destroyed without an error after the peer's close_notify (both sides ended, or a for-await
    // loop that finished): answer with ours if not yet sent, and release the transport. Otherwise
    // drop the connection without close_notify.
    if (!error && this.connection.peerClosed) this.closing ??= tls.close();
    if (error || !this.closing) {
      void tls.abort(error ?? new Error('socket destroyed'));
      this.socket.destroy();
      callback(error);
      return;
    }
    void this.closing.finally(() => callback(error));
  }

  // ---- node:tls TLSSocket surface ----

  /** 'TLSv1.3' once the handshake completed, null before. */
  getProtocol(): string | null {
    return this.connection.handshakeComplete ? 'TLSv1.3' : null;
  }

  getCipher(): CipherNameAndProtocol | undefined {
    const name = this.connection.parameters.cipherSuiteName;
    return name === undefined ? undefined : { name, standardName: name, version: 'TLSv1.3' };
  }

  /** The key exchange group, as node:tls reports it (`{ type: 'ECDH', name: 'X25519', size }`). */
  getEphemeralKeyInfo(): { type: string; name: string; size: number } | Record<string, never> {
    const g = this.connection.parameters.groupName;
    if (g === undefined) return {};
    const sizes: Record<string, [string, number]> = {
      x25519: ['X25519', 253],
      x448: ['X448', 448],
      secp256r1: ['prime256v1', 256],
      secp384r1: ['secp384r1', 384],
      secp521r1: ['secp521r1', 521],
    };
    const [name, size] = sizes[g] ?? [g, 0];
    return { type: 'ECDH', name, size };
  }

  /** The peer's leaf certificate ({} when none); `detailed` links `issuerCertificate` up the chain sent. */
  getPeerCertificate(detailed = false): PeerCertificate | Record<string, never> {
    const chain = this.connection.parameters.peerCertificates ?? [];
    if (chain.length === 0) return {};
    const certs = (detailed ? chain : chain.slice(0, 1)).map(peerCertificate);
    for (let i = 0; i + 1 < certs.length; i++) certs[i]!.issuerCertificate = certs[i + 1]!;
    return certs[0]!;
  }

  getPeerX509Certificate(): X509Certificate | undefined {
    const leaf = this.connection.parameters.peerCertificates?.[0];
    return leaf ? new X509Certificate(leaf) : undefined;
  }

  /** RFC 8446 §7.5 exporter, with node:tls's argument order. */
  exportKeyingMaterial(length: number, label: string, context?: Uint8Array): Buffer {
    return bufferOf(this.connection.exportKeyingMaterial(label, context, length));
  }

  /** RFC 8446 §7.5 early exporter (0-RTT attempted by the client / accepted by the server). */
  exportEarlyKeyingMaterial(length: number, label: string, context?: Uint8Array): Buffer {
    return bufferOf(this.connection.exportEarlyKeyingMaterial(label, context, length));
  }

  /** Client: the latest session (ticket) the server sent, to pass as `session` to connect(); undefined when none. */
  getSession(): Buffer | undefined {
    return this.session ? Buffer.from(encodeSessionFile(this.session)) : undefined;
  }

  isSessionReused(): boolean {
    return this.connection.parameters.resumed === true;
  }

  /** RFC 8446 §4.6.3 KeyUpdate. */
  updateKeys(requestPeer?: boolean): Promise<void> {
    return this.whenStarted().then((tls) => tls.updateKeys(requestPeer));
  }

  get remoteAddress(): string | undefined {
    return (this.socket as Partial<net.Socket>).remoteAddress;
  }
  get remotePort(): number | undefined {
    return (this.socket as Partial<net.Socket>).remotePort;
  }
  get remoteFamily(): string | undefined {
    return (this.socket as Partial<net.Socket>).remoteFamily;
  }
  get localAddress(): string | undefined {
    return (this.socket as Partial<net.Socket>).localAddress;
  }
  get localPort(): number | undefined {
    return (this.socket as Partial<net.Socket>).localPort;
  }
  get connecting(): boolean {
    return !this.connection.handshakeComplete && !this.destroyed;
  }
  address(): net.AddressInfo | Record<string, never> {
    return this.socket instanceof net.Socket ? (this.socket.address() as net.AddressInfo) : {};
  }
  setNoDelay(noDelay = true): this {
    if (this.socket instanceof net.Socket) this.socket.setNoDelay(noDelay);
    return this;
  }
  setKeepAlive(enable = false, initialDelay = 0): this {
    if (this.socket instanceof net.Socket) this.socket.setKeepAlive(enable, initialDelay);
    return this;
  }
  /** Idle timeout on the transport; emits 'timeout' (as net.Socket does); 0 disables it. */
  setTimeout(ms: number, callback?: () => void): this {
    if (callback) this.once('timeout', callback);
    if (this.socket instanceof net.Socket) {
      this.socket.removeAllListeners('timeout');
      this.socket.setTimeout(ms, () => this.emit('timeout'));
    }
    return this;
  }
  ref(): this {
    if (this.socket instanceof net.Socket) this.socket.ref();
    return this;
  }
  unref(): this {
    if (this.socket instanceof net.Socket) this.socket.unref();
    return this;
  }
}

// ---- client ----

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
  /** Default 30 s. */
  handshakeTimeout?: number;
  allowHalfOpen?: boolean;
  /** Anything else of the engine's client config (groups, suites, keyLog, onEvent, research hooks, provider, …). */
  engine?: Partial<ClientConfig>;
  /** The driver's buffering (highWaterMark, closeTimeoutMs). */
  stream?: TlsStreamOptions;
}

/** The key as the provider's own SigningKey when it has one (node:crypto signs synchronously), else noble's. */
function signingMaterial(cert: Pem | undefined, key: Pem | undefined, provider: CryptoProvider): { chain: Uint8Array[]; key: SigningKey } | undefined {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) throw new TypeError('cert and key go together');
  const material = parsePrivateKeyPem(pemText(key));
  return { chain: pems(cert), key: provider.signingKey ? provider.signingKey(material) : signingKeyFromMaterial(material) };
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

// ---- server ----

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
  /** Default 30 s. */
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

export { CertificateError };

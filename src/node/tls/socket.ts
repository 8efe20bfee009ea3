// TLSSocket: a TLS 1.3 connection as a node:stream Duplex shaped like node:tls's TLSSocket, driven
// by a TlsStream over the socket underneath (whose timeout bounds the handshake). RFC 8446 §4.6.3
// (updateKeys), §7.5 (exporters), §6.1 (close_notify on end()).

import { X509Certificate } from 'node:crypto';
import * as net from 'node:net';
import { Duplex } from 'node:stream';
import type { Connection, NegotiatedParameters } from '../../connection/types.js';
import type { ClientSession } from '../../resumption/types.js';
import { encodeSessionFile } from '../../resumption/index.js';
import type { CertificateVerifierInput, ServerCertificateVerifier, VerifiedChain } from '../../x509/verify.js';
import { parseCertificate } from '../../x509/certificate.js';
import { TlsStream, type TlsStreamOptions } from '../../io/stream.js';
import { socketChannel } from '../socket.js';
import { peerCertificate, type PeerCertificate } from './peer-certificate.js';

export const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/**
 * Verifies like the inner verifier but never fails the handshake: node:tls's
 * `rejectUnauthorized: false`, where the result lands in `authorized` / `authorizationError`.
 * The CertificateVerify signature is still checked against the leaf's key.
 */
export class RecordingVerifier implements ServerCertificateVerifier {
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

const bufferOf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

export interface SocketSetup {
  side: 'client' | 'server';
  connection: Connection;
  streamOptions: TlsStreamOptions;
  /** node:tls's `handshakeTimeout`: enforced by the TlsStream (with stream.handshakeTimeoutMs, the shorter). */
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
    // One timeout mechanism, the stream's: past it, close_notify, then TlsTimeoutError('handshake').
    const { streamOptions, handshakeTimeoutMs } = this.setup;
    const own = streamOptions.handshakeTimeoutMs;
    const bound = own !== undefined && own > 0 ? Math.min(own, handshakeTimeoutMs) : handshakeTimeoutMs;
    const tls = new TlsStream(this.connection, socketChannel(this.socket as net.Socket), { ...streamOptions, handshakeTimeoutMs: bound });
    this.tls = tls;
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

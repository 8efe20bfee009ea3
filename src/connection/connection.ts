// The sans-I/O connection: record layer + handshake state + application data (RFC 8446 §5, §6).
// Bytes in (`receive`), bytes out (`takeOutput`), events out (`onEvent`). No socket, no timer.
// The public connection is a facade over a private engine: the engine is the HandshakeContext
// the states act through, and no member of it is reachable from the public object.

import { AlertDescription, AlertLevel, PeerAlertError, TlsError, TlsUsageError, alertName, tlsError } from '../errors.js';
import type { CipherSuiteImpl, CryptoProvider, HashAlgorithm } from '../crypto/provider.js';
import { defaultProvider } from '../crypto/default.js';
import { ContentType, HandshakeType, KeyUpdateRequest, handshakeTypeName } from '../wire/codepoints.js';
import { decodeHandshake, encodeHandshake, MAX_CLIENT_HELLO_LENGTH } from '../wire/messages.js';
import type { HandshakeMessage } from '../wire/types.js';
import { RecordReader } from '../record/reader.js';
import { RecordWriter } from '../record/writer.js';
import { HandshakeJoiner } from '../record/handshake-joiner.js';
import { decodeAlert, encodeAlert } from '../record/alert.js';
import { Secret, exportKeyingMaterial, trafficKeys } from '../keyschedule/index.js';
import type { ApplicationSecrets, Epoch, HandshakeContext, HandshakeState, Step } from '../handshake/common.js';
import { Pending, keyLogLabel } from '../handshake/common.js';
import type { TrafficHooks } from '../handshake/context.js';
import { KeyUpdates, type KeyUpdateChannel } from '../handshake/key-update.js';
import type { ClientTickets } from '../handshake/client/traffic.js';
import { concatBytes } from '../util/bytes.js';
import type { CommonConfig, Limits } from './config.js';
import type { Connection, ConnectionEvent, NegotiatedParameters, Side } from './types.js';

const CCS_PAYLOAD = new Uint8Array([1]);
const NO_RANDOM = new Uint8Array(0);
const DEFAULT_LIMITS: Readonly<Required<Limits>> = Object.freeze({
  maxHandshakeMessageSize: 64 * 1024,
  maxCertificateMessageSize: 256 * 1024,
  maxBufferedBytes: 1024 * 1024,
  // RFC 8446 §5 allows dummy CCS records; nothing legitimate needs many.
  maxConsecutiveChangeCipherSpec: 32,
  // Zero-length application data is legal (RFC 8446 §5.1), CCS and user_canceled are dropped,
  // but a flood of any of them is a CPU sink (audit #9, CVE-2016-8610).
  maxRecordsWithoutProgress: 32,
  maxConsecutiveEmptyRecords: 32,
  maxKeyUpdatesWithoutData: 32,
  maxTicketsPerConnection: 32,
  maxPostHandshakeCertificateRequests: 4,
});

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function resolveLimits(limits: Limits): Readonly<Required<Limits>> {
  const resolved = { ...DEFAULT_LIMITS, ...definedOnly(limits) };
  // The former name of the bound still sets it.
  resolved.maxRecordsWithoutProgress = limits.maxRecordsWithoutProgress ?? limits.maxConsecutiveEmptyRecords ?? DEFAULT_LIMITS.maxRecordsWithoutProgress;
  return resolved;
}

/** RFC 9846 §4.7.1: clients SHOULD NOT depend on much padding in 0-RTT; we allow max_early_data_size + 2^14 in all. */
const EARLY_DATA_PADDING_ALLOWANCE = 2 ** 14;

/**
 * The connection's engine: the processing loop, record dispatch and the HandshakeContext the
 * states act through. Held privately by a public connection (BaseConnection); never exported
 * from the package.
 */
export abstract class ConnectionEngine implements HandshakeContext, TrafficHooks {
  abstract readonly side: Side;
  readonly provider: CryptoProvider;
  clientRandom: Uint8Array = new Uint8Array(32);

  protected readonly reader: RecordReader;
  protected readonly writer: RecordWriter;
  protected readonly joiner: HandshakeJoiner;
  protected readonly limits: Readonly<Required<Limits>>;

  private state: HandshakeState | undefined;
  private pendingStep: Pending | undefined;
  private readonly appIn: Uint8Array[] = [];
  private readonly earlyIn: Uint8Array[] = [];
  /** 0-RTT bytes still allowed (server; RFC 8446 §4.2.10), while reading under the early key. */
  private earlyDataBudget = 0;
  private readEpoch: Epoch | undefined;
  /** RFC 8449 §4: our record_size_limit once negotiated; the reader applies it from the handshake keys on. */
  private ownRecordSizeLimit: number | undefined;
  private readonly appOutBeforeHandshake: Uint8Array[] = [];
  private closeAfterHandshake = false;
  /** RFC 8446 Appendix D.4: a peer sends at most one dummy change_cipher_spec. */
  private ccsReceived = false;
  /** The peer's Finished arrived: the end of the change_cipher_spec window (RFC 9846 §5). */
  private peerFinished = false;
  /** Records in a row without progress, of any type (audit #9). */
  private recordsWithoutProgress = 0;
  /** RFC 9846 §6.1: user_canceled must be followed by close_notify; a second one is refused. */
  private userCanceled = false;
  /** 0-RTT padding bytes still allowed (server, while reading under the early key). */
  private earlyPaddingBudget = 0;
  private readonly pendingHandshake: Uint8Array[] = [];
  private sentInitialHello = false;
  /** RFC 8446 §4.6.3, from the end of the handshake on. */
  #keyUpdates: KeyUpdates | undefined;
  /** Client: what turns NewSessionTickets into sessions (RFC 8446 §4.6.1). */
  tickets: ClientTickets | undefined;

  // Secrets sit in Secret holders: util.inspect and JSON.stringify of a connection print none (audit #12).
  private readSecret: Secret | undefined;
  private writeSuite: CipherSuiteImpl | undefined;
  private writeSecret: Secret | undefined;
  private appSuite: CipherSuiteImpl | undefined;
  private exporterSecret: Secret | undefined;
  private earlyExporter: { hash: HashAlgorithm; secret: Secret } | undefined;
  private secretsWiped = false;

  handshakeComplete = false;
  peerClosed = false;
  closed = false;
  error: TlsError | undefined;
  readonly parameters: Partial<NegotiatedParameters> = {
    version: 'TLSv1.3',
    helloRetryRequest: false,
    resumed: false,
    earlyData: 'none',
    peerCertificates: [],
  };

  protected constructor(protected readonly config: CommonConfig) {
    this.provider = config.provider ?? defaultProvider();
    this.limits = config.limits ? resolveLimits(config.limits) : DEFAULT_LIMITS;
    const allocate = this.provider.allocate?.bind(this.provider);
    this.reader = new RecordReader({ maxBufferedBytes: this.limits.maxBufferedBytes, ...(allocate ? { allocate } : {}) });
    this.joiner = new HandshakeJoiner({
      maxMessageSize: this.limits.maxHandshakeMessageSize,
      maxCertificateMessageSize: this.limits.maxCertificateMessageSize,
      // RFC 8446 §4.1.2: unless a limit is configured, admit the largest legal ClientHello.
      maxClientHelloSize: config.limits?.maxHandshakeMessageSize ?? MAX_CLIENT_HELLO_LENGTH,
    });
    this.writer = new RecordWriter({ ...(config.padding ? { padding: config.padding } : {}), ...(allocate ? { allocate } : {}) });
  }

  /** Subclasses call this once with the first state (the client has already queued its ClientHello). */
  protected begin(first: () => Step): void {
    this.guard(() => this.apply(first()));
  }

  // ---- Connection API ----

  /** Takes bytes from the transport. They are processed in place; none is referenced after this returns. */
  receive(data: Uint8Array): void {
    this.guard(() => {
      // Closed both ways, keys wiped: what still arrives is ignored (RFC 8446 §6.1).
      if (this.secretsWiped) return;
      if (data.length > 0) this.reader.push(data);
      try {
        this.run();
      } finally {
        this.reader.detach();
      }
    });
  }

  process(): void {
    this.guard(() => this.run());
  }

  get pending(): Promise<void> | undefined {
    return this.pendingStep?.promise;
  }

  takeOutput(): Uint8Array | undefined {
    this.flushHandshake();
    return this.writer.takeOutput();
  }

  write(data: Uint8Array): void {
    if (this.error) throw this.error;
    if (this.closed || this.closeAfterHandshake) throw new TlsUsageError('write after close()');
    if (!this.handshakeComplete) {
      this.appOutBeforeHandshake.push(data.slice());
      return;
    }
    this.writeApplicationData(data);
  }

  /**
   * RFC 8446 §5.5 / RFC 9846 §5.5: never exceed the AEAD's record limit under one key: a
   * KeyUpdate goes out first. A pending KeyUpdate answer (§4.6.3) goes before the data too.
   */
  private writeApplicationData(data: Uint8Array): void {
    this.flushHandshake();
    this.answerKeyUpdate();
    const keyUpdates = this.keyUpdates;
    const suite = this.writeSuite!;
    const limit = Math.min(this.config.keyUpdateRecordLimit ?? suite.aead.recordLimit, suite.aead.recordLimit);
    const fragment = this.writer.maxFragmentLength;
    let off = 0;
    do {
      if (this.writer.recordsUnderKey >= limit) keyUpdates.send(KeyUpdateRequest.update_not_requested);
      const room = (limit - this.writer.recordsUnderKey) * fragment;
      const chunk = data.subarray(off, Math.min(data.length, off + room));
      this.writeRecord(ContentType.application_data, chunk);
      off += chunk.length;
    } while (off < data.length);
    keyUpdates.dataSent();
  }

  /**
   * The next chunk of received application data (one record's worth, in order), or undefined.
   * Call until undefined: chunks are handed over as they are, never joined (no copy).
   */
  read(): Uint8Array | undefined {
    return this.appIn.shift();
  }

  /**
   * Server: 0-RTT data received (RFC 8446 §2.3), kept apart from `read()` so that the application
   * can refuse what is not safe to replay.
   */
  readEarlyData(): Uint8Array | undefined {
    return takeAll(this.earlyIn);
  }

  close(): void {
    if (this.closed || this.error) return;
    if (!this.handshakeComplete && this.appOutBeforeHandshake.length > 0) {
      this.closeAfterHandshake = true;
      return;
    }
    this.sendAlert(AlertLevel.warning, AlertDescription.close_notify);
    this.closed = true;
    if (this.peerClosed) this.wipeSecrets();
  }

  updateKeys(requestPeer = true): void {
    if (this.error) throw this.error;
    if (!this.handshakeComplete) throw new TlsUsageError('updateKeys() before the handshake completed');
    if (this.closed) throw new TlsUsageError('updateKeys() after close()');
    this.keyUpdates.send(requestPeer ? KeyUpdateRequest.update_requested : KeyUpdateRequest.update_not_requested);
  }

  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    if (!this.appSuite || !this.exporterSecret) throw new TlsUsageError('exportKeyingMaterial() before the handshake completed');
    if (this.secretsWiped) throw new TlsUsageError('exportKeyingMaterial() after the connection ended');
    return exportKeyingMaterial(this.appSuite.hash, this.exporterSecret.bytes, label, context, length);
  }

  exportEarlyKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    if (!this.earlyExporter) throw new TlsUsageError('exportEarlyKeyingMaterial() without 0-RTT');
    if (this.secretsWiped) throw new TlsUsageError('exportEarlyKeyingMaterial() after the connection ended');
    return exportKeyingMaterial(this.earlyExporter.hash, this.earlyExporter.secret.bytes, label, context, length);
  }

  setEarlyExporter(hash: HashAlgorithm, secret: Uint8Array): void {
    this.earlyExporter?.secret.wipe();
    this.earlyExporter = { hash, secret: new Secret(secret) };
    this.keyLog(keyLogLabel.earlyExporter, secret);
  }

  // ---- HandshakeContext (what states may do) ----

  random(length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.provider.random(out);
    return out;
  }

  now(): Date {
    return this.config.now ? this.config.now() : new Date();
  }

  prepare(msg: HandshakeMessage): HandshakeMessage {
    return this.config.research?.beforeSend?.(msg) ?? msg;
  }

  send(msg: HandshakeMessage, prepared = false): Uint8Array {
    const final = prepared ? msg : this.prepare(msg);
    const raw = encodeHandshake(final);
    this.emit({ type: 'handshake', direction: 'sent', message: final, raw });
    // Consecutive messages under one key share records (RFC 8446 §5.1 allows coalescing).
    this.pendingHandshake.push(raw);
    return raw;
  }

  /** Write coalesced handshake messages as records, before anything else goes out. */
  private flushHandshake(): void {
    if (this.pendingHandshake.length === 0) return;
    const data = this.pendingHandshake.length === 1 ? this.pendingHandshake[0]! : concatBytes(...this.pendingHandshake);
    const first = this.pendingHandshake[0]!;
    this.pendingHandshake.length = 0;
    // RFC 8446 §5.1: the initial ClientHello (not one after a HelloRetryRequest) may carry 0x0301.
    const initialHello = first[0] === HandshakeType.client_hello && !this.sentInitialHello;
    if (first[0] === HandshakeType.client_hello) this.sentInitialHello = true;
    this.writeRecord(ContentType.handshake, data, initialHello ? 0x0301 : undefined);
  }

  sendChangeCipherSpec(): void {
    this.emit({ type: 'change_cipher_spec', direction: 'sent' });
    // The dummy CCS always goes unprotected (RFC 8446 Appendix D.4).
    if (this.writeSuite) throw tlsError('internal_error', 'change_cipher_spec after write keys were installed');
    this.flushHandshake();
    this.writeRecord(ContentType.change_cipher_spec, CCS_PAYLOAD);
  }

  setReadKeys(epoch: Epoch, secret: Uint8Array, suite: CipherSuiteImpl): void {
    // RFC 8446 §5.1: a key change must fall on a record boundary with no partial handshake message buffered.
    if (!this.joiner.isEmpty()) throw tlsError('unexpected_message', 'handshake message spans a key change');
    this.reader.setKeys(trafficKeys(suite, secret));
    this.readEpoch = epoch;
    // RFC 8449 §4: 0-RTT records were sealed before the client could know our limit.
    if (this.ownRecordSizeLimit !== undefined && epoch !== 'early') this.reader.setRecordSizeLimit(this.ownRecordSizeLimit);
    this.readSecret = this.replaceSecret(this.readSecret, secret);
    this.emit({ type: 'keys', direction: 'read', epoch, generation: this.#keyUpdates?.readGeneration ?? 0 });
  }

  trafficSecret(direction: 'read' | 'write'): Uint8Array {
    const secret = direction === 'read' ? this.readSecret : this.writeSecret;
    if (!secret) throw tlsError('internal_error', `no ${direction} traffic secret`);
    return secret.bytes;
  }

  /** The holder for a direction's new traffic secret; the previous one is wiped (it protects nothing more). */
  private replaceSecret(previous: Secret | undefined, secret: Uint8Array): Secret {
    if (previous?.holds(secret)) return previous;
    previous?.wipe();
    return new Secret(secret);
  }

  /** The handshake state now (the traffic state once the handshake is done). */
  protected get currentState(): HandshakeState | undefined {
    return this.state;
  }

  acceptEarlyData(maxBytes: number): void {
    this.earlyDataBudget = maxBytes;
    this.earlyPaddingBudget = maxBytes + EARLY_DATA_PADDING_ALLOWANCE;
  }

  skipEarlyData(how: 'undecryptable' | 'application_data', maxBytes: number): void {
    if (how === 'undecryptable') this.reader.skipUndecryptable(maxBytes);
    else this.reader.skipApplicationData(maxBytes);
  }

  clearWriteKeys(): void {
    this.flushHandshake();
    this.writer.setKeys(undefined);
    this.writeSuite = undefined;
    this.writeSecret?.wipe();
    this.writeSecret = undefined;
  }

  writeEarlyData(data: Uint8Array): void {
    this.flushHandshake();
    this.writeRecord(ContentType.application_data, data);
  }

  setWriteKeys(epoch: Epoch, secret: Uint8Array, suite: CipherSuiteImpl): void {
    this.flushHandshake();
    this.writer.setKeys(trafficKeys(suite, secret));
    this.writeSecret = this.replaceSecret(this.writeSecret, secret);
    this.writeSuite = suite;
    this.emit({ type: 'keys', direction: 'write', epoch, generation: this.#keyUpdates?.writeGeneration ?? 0 });
  }

  keyLog(label: string, secret: Uint8Array): void {
    this.config.keyLog?.(label, this.clientRandom, secret);
  }

  emit(event: ConnectionEvent): void {
    this.config.onEvent?.(event);
  }

  negotiated(p: Partial<NegotiatedParameters>): void {
    Object.assign(this.parameters, p);
  }

  peerRecordSizeLimit(limit: number): void {
    // RFC 8449 §4: the limit counts the inner content type byte (the writer applies it).
    this.writer.setMaxFragmentLength(limit);
    // With one of ours the extension is negotiated: a server answers the client's with its own
    // whenever it has one; a client hears of the server's only if it sent one (an unsolicited
    // one is refused). From then on our limit binds the peer's protected records (RFC 8449 §4).
    const own = this.config.recordSizeLimit;
    if (own === undefined) return;
    this.ownRecordSizeLimit = own;
    if (this.readEpoch === 'handshake' || this.readEpoch === 'application') this.reader.setRecordSizeLimit(own);
  }

  handshakeDone(secrets: ApplicationSecrets): void {
    // Kept: what exporters (RFC 8446 §7.5) need. The traffic secrets live on as the read/write
    // secrets (KeyUpdate, §7.2); the resumption master secret is the role's (client tickets).
    this.appSuite = secrets.suite;
    this.exporterSecret = new Secret(secrets.exporterMasterSecret);
    this.#keyUpdates = new KeyUpdates(this.keyUpdateChannel(), secrets.suite, this.limits.maxKeyUpdatesWithoutData);
    // The client random only labels key log lines; received, it is a view into the ClientHello.
    this.clientRandom = this.config.keyLog ? this.clientRandom.slice() : NO_RANDOM;
    this.handshakeComplete = true;
    this.emit({ type: 'handshake_complete', parameters: this.parameters as NegotiatedParameters });
    this.flushHandshake();
    for (const chunk of this.appOutBeforeHandshake) this.writeApplicationData(chunk);
    this.appOutBeforeHandshake.length = 0;
    if (this.closeAfterHandshake) {
      this.closeAfterHandshake = false;
      this.close();
    }
  }

  /** What KeyUpdate acts on: this engine's application keys and handshake output. */
  private keyUpdateChannel(): KeyUpdateChannel {
    const engine = this;
    return {
      trafficSecret: (direction) => engine.trafficSecret(direction),
      setReadKeys: (epoch, secret, suite) => engine.setReadKeys(epoch, secret, suite),
      setWriteKeys: (epoch, secret, suite) => engine.setWriteKeys(epoch, secret, suite),
      send: (msg) => engine.send(msg),
      get sendingDone() {
        return engine.closed || engine.error !== undefined;
      },
    };
  }

  /** RFC 8446 §4.6.3: the KeyUpdate state (the traffic states hand it received KeyUpdates). */
  get keyUpdates(): KeyUpdates {
    if (!this.#keyUpdates) throw tlsError('internal_error', 'KeyUpdate before the handshake completed');
    return this.#keyUpdates;
  }

  /** Send the KeyUpdate we owe the peer, if any (RFC 9846 §4.6.3). */
  private answerKeyUpdate(): void {
    if (this.closed || this.error) return;
    this.#keyUpdates?.answerOwed();
  }

  // ---- The processing loop ----

  private guard(fn: () => void): void {
    if (this.error) throw this.error;
    try {
      fn();
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): never {
    const err = e instanceof TlsError ? e : tlsError('internal_error', e instanceof Error ? e.message : 'unexpected failure', e);
    this.error = err;
    this.state = undefined;
    this.pendingStep = undefined;
    // RFC 8446 §6.2: a fatal error is reported with its alert, then the connection is closed.
    // A peer's alert is not answered.
    if (!(err instanceof PeerAlertError) && !this.closed) {
      try {
        this.sendAlert(AlertLevel.fatal, err.alert);
      } catch {
        // Nothing more to do: the error itself is what the caller needs.
      }
    }
    this.closed = true;
    this.wipeSecrets();
    throw err;
  }

  /**
   * Once the connection can no longer use them (failed, or closed both ways), overwrite the
   * secrets we hold: both traffic secrets, the exporter, resumption and early exporter secrets,
   * and both cipher states (key, IV and nonce copies; the provider's key dropped). Best effort:
   * JavaScript gives no guarantee that no copy exists elsewhere.
   */
  private wipeSecrets(): void {
    if (this.secretsWiped) return;
    this.secretsWiped = true;
    for (const s of [this.readSecret, this.writeSecret, this.exporterSecret, this.earlyExporter?.secret]) s?.wipe();
    this.tickets?.wipe();
    // Handshake messages still queued (e.g. tickets when the peer's alert arrived) never go out.
    this.pendingHandshake.length = 0;
    this.reader.dispose();
    this.writer.dispose();
  }

  /** The 'plaintext' trace event; the bytes only when key logging is on. */
  private tracePlaintext(direction: 'sent' | 'received', contentType: number, data: Uint8Array, isProtected: boolean): void {
    this.emit({
      type: 'plaintext',
      direction,
      contentType,
      length: data.length,
      protected: isProtected,
      ...(this.config.keyLog ? { data: data.slice() } : {}),
    });
  }

  /** Every write to the record layer goes through here (so tracing sees it). */
  private writeRecord(type: number, data: Uint8Array, legacyVersion?: number): void {
    if (this.config.onEvent) this.tracePlaintext('sent', type, data, this.writer.hasKeys);
    this.writer.write(type, data, legacyVersion === undefined ? undefined : { legacyVersion });
  }

  private sendAlert(level: number, description: number): void {
    this.emit({ type: 'alert', direction: 'sent', level, description });
    this.flushHandshake();
    this.writeRecord(ContentType.alert, encodeAlert(level, description));
  }

  private apply(step: Step): void {
    if (step instanceof Pending) {
      this.pendingStep = step;
    } else {
      this.state = step;
    }
  }

  private run(): void {
    for (;;) {
      // Closed both ways within this input: the rest is ignored (RFC 8446 §6.1), the keys are gone.
      if (this.secretsWiped) return;
      if (this.pendingStep) {
        if (!this.pendingStep.isSettled) return;
        const p = this.pendingStep;
        this.pendingStep = undefined;
        this.apply(p.resume());
        continue;
      }
      // Finish every complete handshake message before reading the next record: a message
      // may change the read keys that the next record needs.
      const msg = this.joiner.next();
      if (msg) {
        this.handleHandshake(msg.raw);
        continue;
      }
      const record = this.reader.next();
      if (!record) {
        this.answerKeyUpdate();
        return;
      }
      this.handleRecord(record.type, record.data, record.protected);
    }
  }

  private handleRecord(type: number, data: Uint8Array, isProtected: boolean): void {
    if (this.config.onEvent) this.tracePlaintext('received', type, data, isProtected);
    // RFC 8446 §5.1: handshake messages must not be interleaved with other record types.
    if (type !== ContentType.handshake && !this.joiner.isEmpty()) {
      throw tlsError('unexpected_message', 'record interleaved with a fragmented handshake message');
    }
    switch (type) {
      case ContentType.handshake:
        // RFC 8446 §6.1: data after close_notify is ignored.
        if (this.peerClosed) return this.noProgress('ignored (after close_notify)');
        // Post-handshake messages (KeyUpdate, NewSessionTicket, …) have bounds of their own.
        if (!this.handshakeComplete) this.progress();
        this.joiner.push(data);
        return;
      case ContentType.change_cipher_spec:
        return this.handleChangeCipherSpec();
      case ContentType.alert:
        return this.handleAlert(data);
      case ContentType.application_data:
        if (this.peerClosed) return this.noProgress('ignored (after close_notify)');
        if (this.readEpoch === 'early' && !this.handshakeComplete) return this.receiveEarlyData(data);
        if (!this.handshakeComplete) throw tlsError('unexpected_message', 'application data before the handshake completed');
        if (data.length > 0) {
          this.appIn.push(data);
          this.progress();
          this.#keyUpdates?.dataReceived();
        } else {
          this.noProgress('empty application_data'); // with or without padding
        }
        return;
      default:
        throw tlsError('unexpected_message', `unexpected record content type ${type}`);
    }
  }

  /** RFC 8446 §4.2.10: 0-RTT data beyond max_early_data_size is unexpected_message (RFC 9846 §4.7.1). */
  private receiveEarlyData(data: Uint8Array): void {
    this.earlyDataBudget -= data.length;
    if (this.earlyDataBudget < 0) throw tlsError('unexpected_message', 'more 0-RTT data than max_early_data_size');
    // RFC 9846 §4.7.1: padding is not counted in max_early_data_size, and clients SHOULD NOT
    // depend on sending much of it: bounded apart.
    this.earlyPaddingBudget -= this.reader.lastPaddingLength;
    if (this.earlyPaddingBudget < 0) throw tlsError('unexpected_message', 'more 0-RTT padding than max_early_data_size + 2^14');
    if (data.length > 0) {
      this.earlyIn.push(data);
      this.progress();
    } else {
      this.noProgress('empty 0-RTT application_data');
    }
  }

  /** A record that moved the connection on: the bounds on records without progress start again. */
  private progress(): void {
    this.recordsWithoutProgress = 0;
  }

  /** A record that carried nothing; one bound whatever its type, not reset by another such record (audit #9). */
  private noProgress(kind: string): void {
    if (++this.recordsWithoutProgress > this.limits.maxRecordsWithoutProgress)
      throw tlsError('unexpected_message', `too many ${kind} records: ${this.recordsWithoutProgress} in a row without progress`);
  }

  /**
   * RFC 8446 §5, RFC 9846 §5: one dummy CCS is dropped between the first ClientHello and the
   * peer's Finished; a second one is unexpected_message (Appendix D.4: a peer sends at most one).
   * The consecutive-CCS bound stays as a backstop (a limit of 0 refuses even the first).
   * The reader has already rejected a protected one and any value but 0x01 (RFC 9846 §5).
   */
  private handleChangeCipherSpec(): void {
    if (this.handshakeComplete || this.peerFinished || !this.hasSeenClientHello())
      throw tlsError('unexpected_message', 'change_cipher_spec outside the handshake');
    // RFC 8446 Appendix D.4: one dummy CCS per peer (before its second flight or second ClientHello).
    if (this.ccsReceived) throw tlsError('unexpected_message', 'too many change_cipher_spec records: a second one (RFC 8446 Appendix D.4)');
    this.ccsReceived = true;
    // With one CCS per peer, the consecutive-CCS bound can only refuse the first (a limit of 0).
    if (this.limits.maxConsecutiveChangeCipherSpec < 1) throw tlsError('unexpected_message', 'too many change_cipher_spec records');
    this.noProgress('change_cipher_spec');
    this.emit({ type: 'change_cipher_spec', direction: 'received' });
  }

  /** True once a ClientHello was sent (client) or received (server). */
  protected abstract hasSeenClientHello(): boolean;

  private handleAlert(data: Uint8Array): void {
    const { level, description } = decodeAlert(data);
    this.emit({ type: 'alert', direction: 'received', level, description });
    if (description === AlertDescription.close_notify) {
      this.peerClosed = true;
      if (this.closed) this.wipeSecrets();
      return;
    }
    // RFC 9846 §6.1: user_canceled is ignored, but it MUST be followed by close_notify.
    if (description === AlertDescription.user_canceled) {
      if (this.userCanceled) throw tlsError('unexpected_message', 'a second user_canceled alert (RFC 9846 §6.1: close_notify must follow the first)');
      this.userCanceled = true;
      return this.noProgress('user_canceled alert');
    }
    // RFC 8446 §6.2: every other alert is an error alert, whatever its level.
    throw new PeerAlertError(description, `peer sent ${alertName(description)} alert`);
  }

  private handleHandshake(raw: Uint8Array): void {
    const decoded = decodeHandshake(raw);
    const msg = this.config.research?.afterReceive?.(decoded) ?? decoded;
    this.emit({ type: 'handshake', direction: 'received', message: msg, raw });
    if (msg.msgType === HandshakeType.finished) this.peerFinished = true;
    const state = this.state;
    if (!state) throw tlsError('internal_error', 'no handshake state');
    if (!state.expects.includes(msg.msgType)) {
      throw tlsError('unexpected_message', `${handshakeTypeName(msg.msgType)} not expected in state ${state.name}`);
    }
    this.apply(state.handle(msg, raw));
  }
}

let engineOf: (connection: BaseConnection) => ConnectionEngine;

/**
 * The public connection: the application API of `Connection` and nothing more. Everything the
 * handshake states use (keys, secrets, the state itself) stays in the private engine.
 */
export abstract class BaseConnection implements Connection {
  readonly #engine: ConnectionEngine;
  readonly side: Side;
  /** Parameters negotiated so far (the engine's own record, filled in as the handshake goes). */
  readonly parameters: Partial<NegotiatedParameters>;

  protected constructor(engine: ConnectionEngine) {
    this.#engine = engine;
    this.side = engine.side;
    this.parameters = engine.parameters;
  }

  static {
    engineOf = (connection) => connection.#engine;
  }

  receive(data: Uint8Array): void {
    this.#engine.receive(data);
  }

  process(): void {
    this.#engine.process();
  }

  get pending(): Promise<void> | undefined {
    return this.#engine.pending;
  }

  takeOutput(): Uint8Array | undefined {
    return this.#engine.takeOutput();
  }

  write(data: Uint8Array): void {
    this.#engine.write(data);
  }

  read(): Uint8Array | undefined {
    return this.#engine.read();
  }

  readEarlyData(): Uint8Array | undefined {
    return this.#engine.readEarlyData();
  }

  close(): void {
    this.#engine.close();
  }

  updateKeys(requestPeer = true): void {
    this.#engine.updateKeys(requestPeer);
  }

  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    return this.#engine.exportKeyingMaterial(label, context, length);
  }

  exportEarlyKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    return this.#engine.exportEarlyKeyingMaterial(label, context, length);
  }

  get handshakeComplete(): boolean {
    return this.#engine.handshakeComplete;
  }

  get peerClosed(): boolean {
    return this.#engine.peerClosed;
  }

  get closed(): boolean {
    return this.#engine.closed;
  }

  get error(): TlsError | undefined {
    return this.#engine.error;
  }
}

/**
 * The engine behind a public connection, for this package's own tests and tools. Not exported
 * from any entry point and not reachable from the connection object itself.
 */
export function connectionEngine(connection: BaseConnection): ConnectionEngine {
  return engineOf(connection);
}

function takeAll(queue: Uint8Array[]): Uint8Array | undefined {
  if (queue.length === 0) return undefined;
  if (queue.length === 1) return queue.pop();
  const all = concatBytes(...queue);
  queue.length = 0;
  return all;
}

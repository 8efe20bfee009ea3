// A toy Connection for driving transports without the engine. Frames: type(1) len(2) payload.
// 'H' hello, 'D' data, 'C' close_notify, 'A' alert(desc), 'K' key update, 'X' garbage (→ decode_error).

import { AlertDescription, PeerAlertError, TlsError, TlsUsageError } from '../../../src/errors.js';
import type { Connection, NegotiatedParameters, Side } from '../../../src/connection/types.js';
import { concatBytes } from '../../../src/util/bytes.js';

export interface FakeOptions {
  /** Make an async step after receiving the peer's hello; resolve it with the returned control. */
  pendingAfterHello?: boolean;
  /** The pending step rejects (the engine then fails in process()). */
  pendingFails?: boolean;
}

const frame = (t: string, payload: Uint8Array = new Uint8Array(0)): Uint8Array => {
  const out = new Uint8Array(3 + payload.length);
  out[0] = t.charCodeAt(0);
  out[1] = payload.length >> 8;
  out[2] = payload.length & 0xff;
  out.set(payload, 3);
  return out;
};

export class FakeConnection implements Connection {
  readonly side: Side;
  private out: Uint8Array[] = [];
  private inbuf: Uint8Array = new Uint8Array(0);
  private app: Uint8Array[] = [];
  private queuedWrites: Uint8Array[] = [];
  private sentHello = false;
  private gotHello = false;
  private waiting: Promise<void> | undefined;
  private stepFailed = false;
  resolveStep: (() => void) | undefined;
  keyUpdates = 0;
  peerClosed = false;
  closed = false;
  error: TlsError | undefined;
  parameters: Partial<NegotiatedParameters> = {};
  readonly opts: FakeOptions;

  constructor(side: Side, opts: FakeOptions = {}) {
    this.side = side;
    this.opts = opts;
    if (side === 'client') this.sendHello();
  }

  get handshakeComplete(): boolean {
    return this.sentHello && this.gotHello && this.waiting === undefined && !this.stepFailed;
  }
  get pending(): Promise<void> | undefined {
    return this.waiting;
  }

  private sendHello(): void {
    this.sentHello = true;
    this.out.push(frame('H'));
  }
  private complete(): void {
    this.parameters = {
      version: 'TLSv1.3',
      cipherSuite: 0x1301,
      cipherSuiteName: 'TLS_AES_128_GCM_SHA256',
      helloRetryRequest: false,
      peerCertificates: [],
    };
    for (const w of this.queuedWrites.splice(0)) this.out.push(frame('D', w));
  }
  private fatal(alert: number, msg: string): never {
    this.error = new TlsError(alert, msg);
    this.out.push(frame('A', new Uint8Array([alert])));
    throw this.error;
  }

  receive(data: Uint8Array): void {
    if (this.error) throw this.error;
    this.inbuf = concatBytes(this.inbuf, data);
    this.advance();
  }

  private advance(): void {
    while (this.waiting === undefined && this.inbuf.length >= 3) {
      const len = (this.inbuf[1]! << 8) | this.inbuf[2]!;
      if (this.inbuf.length < 3 + len) return;
      const t = String.fromCharCode(this.inbuf[0]!);
      const payload = this.inbuf.slice(3, 3 + len);
      this.inbuf = this.inbuf.slice(3 + len);
      if (this.peerClosed) this.fatal(AlertDescription.unexpected_message, 'data after close_notify');
      switch (t) {
        case 'H':
          this.gotHello = true;
          if (!this.sentHello) this.sendHello();
          if (this.opts.pendingAfterHello) {
            this.waiting = new Promise<void>((resolve, reject) => {
              this.resolveStep = () => (this.opts.pendingFails ? reject(new Error('step failed')) : resolve());
            });
            this.waiting.catch(() => {
              this.stepFailed = true;
            });
            return;
          }
          this.complete();
          break;
        case 'D':
          this.app.push(payload);
          break;
        case 'C':
          this.peerClosed = true;
          break;
        case 'K':
          this.keyUpdates++;
          if (payload[0] === 1) this.out.push(frame('K', new Uint8Array([0])));
          break;
        case 'A':
          this.error = new PeerAlertError(payload[0] ?? 0);
          throw this.error;
        default:
          this.fatal(AlertDescription.decode_error, `bad frame type ${t}`);
      }
    }
  }

  process(): void {
    if (this.waiting === undefined) return;
    this.waiting = undefined;
    if (this.stepFailed) this.fatal(AlertDescription.internal_error, 'async step failed');
    this.complete();
    this.advance();
  }

  takeOutput(): Uint8Array | undefined {
    if (this.out.length === 0) return undefined;
    return concatBytes(...this.out.splice(0));
  }
  write(data: Uint8Array): void {
    if (this.closed) throw new TlsUsageError('write after close');
    if (!this.handshakeComplete) this.queuedWrites.push(data);
    else this.out.push(frame('D', data));
  }
  read(): Uint8Array | undefined {
    return this.app.shift();
  }
  readEarlyData(): Uint8Array | undefined {
    return undefined;
  }
  exportEarlyKeyingMaterial(): Uint8Array {
    throw new Error('fake: no 0-RTT');
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.out.push(frame('C'));
  }
  updateKeys(requestPeer?: boolean): void {
    this.out.push(frame('K', new Uint8Array([requestPeer ? 1 : 0])));
  }
  exportKeyingMaterial(): Uint8Array {
    return new Uint8Array(0);
  }
}

export { frame };

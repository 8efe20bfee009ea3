// The sans-I/O connection API: bytes in, bytes out, plus events. The connection owns no
// socket, timer or global; randomness and the clock are injected through the config.

import type { TlsError } from '../errors.js';
import type { ConnectionEvent, NegotiatedParameters } from '../handshake/context.js';

// Defined with the handshake, which reports them (so that nothing in handshake/ imports connection/).
export type { ConnectionEvent, NegotiatedParameters } from '../handshake/context.js';

export type Side = 'client' | 'server';

export type EventListener = (event: ConnectionEvent) => void;

/** NSS key log callback: https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/ */
export type KeyLogger = (label: string, clientRandom: Uint8Array, secret: Uint8Array) => void;

/**
 * The sans-I/O contract every transport drives.
 *
 * Driver loop: write `takeOutput()` to the wire; if `pending` is set, await it and call
 * `process()`; feed bytes from the wire to `receive()`; drain `read()`. `receive` and `process`
 * throw a TlsError for a fatal error, after queueing the alert: flush `takeOutput()`, then close.
 */
export interface Connection {
  readonly side: Side;
  /** Feed bytes received from the transport. Processes as far as possible (stops at a pending async step). */
  receive(data: Uint8Array): void;
  /** Bytes to send to the transport, or undefined when there are none. */
  takeOutput(): Uint8Array | undefined;
  /** Queue application data (buffered until the handshake completes). */
  write(data: Uint8Array): void;
  /** Received application data, or undefined when none is buffered. */
  read(): Uint8Array | undefined;
  /** Server: received 0-RTT data (marked early: it may be a replay of a request), or undefined. */
  readEarlyData(): Uint8Array | undefined;
  /** Send close_notify; no more data may be written (half-close: reading goes on). */
  close(): void;
  /** RFC 8446 §4.6.3: update our sending keys, asking the peer to update its keys too when requestPeer. */
  updateKeys(requestPeer?: boolean): void;
  /** RFC 8446 §7.5 */
  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array;
  /** RFC 8446 §7.5 early exporter: available when 0-RTT was attempted (client) or accepted (server). */
  exportEarlyKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array;

  /** An async step (signing, certificate verification) is in flight: await it, then call `process()`. */
  readonly pending: Promise<void> | undefined;
  /** Continue after a pending step settled. */
  process(): void;

  readonly handshakeComplete: boolean;
  /** The peer sent close_notify. */
  readonly peerClosed: boolean;
  /** We sent close_notify. */
  readonly closed: boolean;
  /** The fatal error that ended the connection, if any. */
  readonly error: TlsError | undefined;
  /** Parameters negotiated so far. */
  readonly parameters: Partial<NegotiatedParameters>;
}

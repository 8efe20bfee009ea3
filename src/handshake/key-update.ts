// KeyUpdate (RFC 8446 §4.6.3, RFC 9846 §4.6.3, §7.2): the next application traffic secret of
// each direction, answering the peer's requests, and the bounds on both.

import type { CipherSuiteImpl } from '../crypto/provider.js';
import { TlsUsageError, tlsError } from '../errors.js';
import { nextTrafficSecret } from '../keyschedule/index.js';
import { HandshakeType, KeyUpdateRequest } from '../wire/codepoints.js';
import type { HandshakeMessage } from '../wire/types.js';

/** RFC 9846 §4.6.3: the epoch must stay below 2^48-1. */
const MAX_KEY_UPDATES = 2 ** 48 - 1;

/** What KeyUpdate acts on: the connection's application keys and its handshake output. */
export interface KeyUpdateChannel {
  trafficSecret(direction: 'read' | 'write'): Uint8Array;
  setReadKeys(epoch: 'application', secret: Uint8Array, suite: CipherSuiteImpl): void;
  setWriteKeys(epoch: 'application', secret: Uint8Array, suite: CipherSuiteImpl): void;
  send(msg: HandshakeMessage): Uint8Array;
  /** We sent close_notify (or failed): a request gets no answer. */
  readonly sendingDone: boolean;
}

/**
 * One connection's KeyUpdate state, from the end of the handshake on. The traffic states hand
 * it received KeyUpdates; the connection's write path sends the updates it owes or needs.
 */
export class KeyUpdates {
  #readGeneration = 0;
  #writeGeneration = 0;
  #withoutData = 0;
  /** A request of the peer's waits for our answer (sent before our next data, or after this input). */
  #owed = false;
  /** We sent update_requested and the peer has not answered yet. */
  #awaitingPeer = false;
  /** We sent a KeyUpdate and no application data since: our write key protects nothing yet. */
  #freshWriteKey = false;

  constructor(
    private readonly channel: KeyUpdateChannel,
    private readonly suite: CipherSuiteImpl,
    /** limits.maxKeyUpdatesWithoutData: KeyUpdates received in a row without application data. */
    private readonly maxWithoutData: number,
  ) {}

  /** The application traffic secret generation N of each direction (the 'keys' event). */
  get readGeneration(): number {
    return this.#readGeneration;
  }
  get writeGeneration(): number {
    return this.#writeGeneration;
  }

  /** RFC 8446 §4.6.3: the peer updated its keys (and may ask us to update ours). */
  received(requestUpdate: number): void {
    if (++this.#withoutData > this.maxWithoutData) throw tlsError('unexpected_message', 'too many KeyUpdates');
    const next = nextTrafficSecret(this.suite.hash, this.channel.trafficSecret('read'));
    this.#readGeneration++;
    this.channel.setReadKeys('application', next, this.suite);
    // The peer's KeyUpdate answers ours, if we asked (RFC 9846 §4.6.3).
    this.#awaitingPeer = false;
    // RFC 9846 §4.6.3: answer before our next application data; several requests received while
    // we were silent get one answer (sent when this batch of input is processed, or before data).
    // Silent since our last KeyUpdate, its key has protected nothing: that update answers this
    // request too, so a burst gets one answer whatever its segmentation.
    if (requestUpdate === KeyUpdateRequest.update_requested && !this.channel.sendingDone && !this.#freshWriteKey) this.#owed = true;
  }

  /** We sent application data: the next request of the peer's needs an answer of its own. */
  dataSent(): void {
    this.#freshWriteKey = false;
  }

  /** Application data arrived: the bound on KeyUpdates without data starts again. */
  dataReceived(): void {
    this.#withoutData = 0;
  }

  /** Send the KeyUpdate we owe the peer, if any (not once we sent close_notify). */
  answerOwed(): void {
    if (!this.#owed || this.channel.sendingDone) return;
    this.#owed = false;
    this.send(KeyUpdateRequest.update_not_requested);
  }

  /** RFC 8446 §4.6.3: send a KeyUpdate and move our writes to the next traffic secret. */
  send(requestUpdate: number): void {
    // RFC 9846 §4.6.3: no second update_requested before the peer's answer; at most 2^48-1 epochs.
    if (requestUpdate === KeyUpdateRequest.update_requested) {
      if (this.#awaitingPeer) requestUpdate = KeyUpdateRequest.update_not_requested;
      else this.#awaitingPeer = true;
    }
    if (this.#writeGeneration >= MAX_KEY_UPDATES) throw new TlsUsageError('key update limit (2^48-1) reached');
    // A request of ours also answers one we owe.
    this.#owed = false;
    this.channel.send({ msgType: HandshakeType.key_update, requestUpdate });
    const next = nextTrafficSecret(this.suite.hash, this.channel.trafficSecret('write'));
    this.#writeGeneration++;
    this.channel.setWriteKeys('application', next, this.suite);
    this.#freshWriteKey = true;
  }
}

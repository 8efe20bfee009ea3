// The handshake transcript hash (RFC 8446 §4.4.1).

import type { HashAlgorithm, IncrementalHash } from '../crypto/provider.js';
import { tlsError } from '../errors.js';
import { HandshakeType } from '../wire/codepoints.js';

/**
 * The running Transcript-Hash over raw handshake messages (header included, RFC 8446 §4.4.1).
 * A client sends its ClientHello before the suite (and so the hash) is known: messages added
 * before setHash() are buffered and hashed when it is called.
 */
export class Transcript {
  #hash: HashAlgorithm | undefined;
  #running: IncrementalHash | undefined;
  /** Messages added before setHash(); empty afterwards. */
  #pending: Uint8Array[] = [];
  /** How many messages are in the transcript (message_hash counts as one). */
  #count = 0;
  /** The first byte of the first message, to check replaceWithMessageHash(). */
  #firstType: number | undefined;

  /** The transcript's hash, once set. */
  get hash(): HashAlgorithm | undefined {
    return this.#hash;
  }

  /** Number of messages added (a message_hash replacement counts as one). */
  get length(): number {
    return this.#count;
  }

  /** Appends one raw handshake message (4-byte header and body). */
  add(rawMessage: Uint8Array): void {
    if (this.#count === 0) this.#firstType = rawMessage[0];
    this.#count++;
    if (this.#running === undefined) this.#pending.push(rawMessage.slice());
    else this.#running.update(rawMessage);
  }

  /** Fixes the hash (the negotiated suite's) and hashes the buffered messages. Idempotent for the same hash. */
  setHash(hash: HashAlgorithm): void {
    if (this.#hash !== undefined) {
      if (this.#hash.name !== hash.name) throw tlsError('internal_error', `transcript hash already ${this.#hash.name}, not ${hash.name}`);
      return;
    }
    this.#hash = hash;
    const running = hash.create();
    for (const m of this.#pending) running.update(m);
    this.#pending = [];
    this.#running = running;
  }

  #state(): IncrementalHash {
    if (this.#running === undefined) throw tlsError('internal_error', 'transcript hash not set');
    return this.#running;
  }

  /** Transcript-Hash of everything so far; the running state is not finalised. */
  current(): Uint8Array {
    return this.#state().clone().digest();
  }

  /** Hash(transcript so far ‖ extra), leaving the transcript as it is (RFC 8446 §4.2.11.2 binders). */
  hashOfPrefix(extra: Uint8Array): Uint8Array {
    return this.#state().clone().update(extra).digest();
  }

  /** Hash(data) with the transcript's hash (e.g. for a ClientHello1 outside the transcript). */
  hashOf(data: Uint8Array): Uint8Array {
    if (this.#hash === undefined) throw tlsError('internal_error', 'transcript hash not set');
    return this.#hash.digest(data);
  }

  /**
   * RFC 8446 §4.4.1: after a HelloRetryRequest, ClientHello1 is replaced by
   *   message_hash ‖ 00 00 Hash.length ‖ Hash(ClientHello1).
   * Call when the transcript holds exactly ClientHello1 and the hash is set.
   */
  replaceWithMessageHash(): void {
    const running = this.#state();
    if (this.#count !== 1 || this.#firstType !== HandshakeType.client_hello) {
      throw tlsError('internal_error', 'message_hash replaces a transcript of exactly one ClientHello');
    }
    const hash = this.#hash!;
    const ch1Hash = running.digest();
    const synthetic = new Uint8Array(4 + ch1Hash.length);
    synthetic[0] = HandshakeType.message_hash;
    // uint24 length: Hash.length < 256.
    synthetic[3] = ch1Hash.length;
    synthetic.set(ch1Hash, 4);
    this.#running = hash.create().update(synthetic);
    this.#firstType = HandshakeType.message_hash;
  }

  /** An independent copy (e.g. to hash a truncated ClientHello for a binder, RFC 8446 §4.2.11.2). */
  fork(): Transcript {
    const copy = new Transcript();
    copy.#hash = this.#hash;
    copy.#running = this.#running?.clone();
    copy.#pending = this.#pending.slice();
    copy.#count = this.#count;
    copy.#firstType = this.#firstType;
    return copy;
  }
}

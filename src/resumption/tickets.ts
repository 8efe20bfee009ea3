// Ticket issuers (RFC 8446 §4.6.1, RFC 9846 §4.7.1): self-encrypted tickets under rotating keys,
// and a stateful store whose tickets are single use (RFC 8446 §8.1).

import type { AeadAlgorithm, AeadKey, CryptoProvider, RandomSource } from '../crypto/provider.js';
import { CipherSuite } from '../wire/codepoints.js';
import { defaultProvider } from '../crypto/default.js';
import { randomBytes } from '../crypto/random.js';
import { concatBytes, toHex, wipe } from '../util/bytes.js';
import { Reader } from '../wire/reader.js';
import { Writer } from '../wire/writer.js';
import { decodeServerSessionState, encodeServerSessionState, lifetimeExpired } from './state.js';
import type { ServerSessionState, TicketIssuer } from './types.js';

/** NewSessionTicket.ticket is opaque<1..2^16-1> (RFC 8446 §4.6.1). */
export const MAX_TICKET_LENGTH = 0xffff;
export const DEFAULT_ROTATION_INTERVAL_MS = 12 * 60 * 60 * 1000;

const KEY_ID_LEN = 4;
const NONCE_LEN = 12;

export interface SelfEncryptedTicketsOptions {
  /** Where the AEAD (its AES-256-GCM) and the randomness come from. Default: defaultProvider(). */
  provider?: CryptoProvider;
  /** Default: the provider's. */
  random?: RandomSource;
  /** Clock for key rotation, ms since the epoch. Default Date.now. */
  now?: () => number;
  /** A key is current for this long, then previous for as long again, then retired. Default 12 h. */
  rotationIntervalMs?: number;
  /** Default: the provider's AES-256-GCM (else the default provider's). Its nonce must be 12 bytes. */
  aead?: AeadAlgorithm;
}

interface TicketKey {
  id: number;
  idBytes: Uint8Array;
  secret: Uint8Array;
  aead: AeadKey;
  createdAt: number;
}

/**
 * Self-encrypted tickets: keyId (4) ‖ nonce (12) ‖ AEAD(key, nonce, aad = keyId, state).
 *
 * Keys rotate when the current one is rotationIntervalMs old (checked on issue and redeem) or on
 * `rotate()`; the current and the previous key decrypt, older keys are retired and wiped. Without
 * manual rotation a ticket stays redeemable for at least rotationIntervalMs, so advertise a
 * ticket_lifetime no longer than that. Nonces are random: with 96-bit nonces, 2^32 tickets per
 * key keep the collision probability below 2^-32.
 *
 * The state is sealed, not hidden in size: the ticket length reveals the peer chain's length.
 */
export class SelfEncryptedTickets implements TicketIssuer {
  private readonly random: RandomSource;
  private readonly now: () => number;
  private readonly rotationIntervalMs: number;
  private readonly aead: AeadAlgorithm;
  private current: TicketKey;
  private previous: TicketKey | undefined;

  constructor(opts: SelfEncryptedTicketsOptions = {}) {
    const provider = opts.provider ?? defaultProvider();
    this.random = opts.random ?? provider.random;
    this.now = opts.now ?? Date.now;
    this.rotationIntervalMs = opts.rotationIntervalMs ?? DEFAULT_ROTATION_INTERVAL_MS;
    if (!(this.rotationIntervalMs > 0)) throw new RangeError('SelfEncryptedTickets: rotationIntervalMs must be positive');
    const aead = opts.aead ?? aes256Gcm(provider) ?? aes256Gcm(defaultProvider());
    if (aead === undefined) throw new RangeError('SelfEncryptedTickets: the provider has no AES-256-GCM; pass `aead`');
    this.aead = aead;
    if (this.aead.nonceLen !== NONCE_LEN) throw new RangeError('SelfEncryptedTickets: the AEAD nonce must be 12 bytes');
    this.current = this.newKey(this.now(), undefined);
  }

  /** Makes a fresh key current; the current one becomes previous, the previous one is retired. */
  rotate(): void {
    this.retire(this.previous);
    this.previous = this.current;
    this.current = this.newKey(this.now(), this.current.id);
  }

  issue(state: ServerSessionState): Uint8Array {
    this.rotateIfDue();
    const key = this.current;
    const plaintext = encodeServerSessionState(state);
    const nonce = randomBytes(this.random, NONCE_LEN);
    const sealed = key.aead.seal(nonce, key.idBytes, plaintext);
    wipe(plaintext);
    const ticket = concatBytes(key.idBytes, nonce, sealed);
    if (ticket.length > MAX_TICKET_LENGTH) {
      throw new RangeError(`SelfEncryptedTickets: ticket of ${ticket.length} bytes exceeds ${MAX_TICKET_LENGTH} (peer certificate chain too large)`);
    }
    return ticket;
  }

  redeem(ticket: Uint8Array, nowMs: number): ServerSessionState | undefined {
    try {
      this.rotateIfDue();
      if (ticket.length < KEY_ID_LEN + NONCE_LEN + this.aead.tagLen) return undefined;
      const id = new Reader(ticket).u32();
      const key = id === this.current.id ? this.current : id === this.previous?.id ? this.previous : undefined;
      if (key === undefined) return undefined; // unknown or retired key
      const nonce = ticket.subarray(KEY_ID_LEN, KEY_ID_LEN + NONCE_LEN);
      const plaintext = key.aead.open(nonce, key.idBytes, ticket.subarray(KEY_ID_LEN + NONCE_LEN));
      if (plaintext === null) return undefined;
      const state = decodeServerSessionState(plaintext);
      wipe(plaintext);
      if (state === undefined) return undefined;
      if (lifetimeExpired(state.issuedAt, state.lifetimeSeconds, nowMs)) {
        wipe(state.psk);
        return undefined;
      }
      return state;
    } catch {
      return undefined;
    }
  }

  /** Current is due after one interval; after two, the previous key's term is over too. */
  private rotateIfDue(): void {
    const now = this.now();
    const age = now - this.current.createdAt;
    if (age >= 2 * this.rotationIntervalMs) {
      this.retire(this.previous);
      this.retire(this.current);
      this.previous = undefined;
      this.current = this.newKey(now, this.current.id);
    } else if (age >= this.rotationIntervalMs) {
      this.rotate();
    }
  }

  private newKey(createdAt: number, avoidId: number | undefined): TicketKey {
    let id = new Reader(randomBytes(this.random, KEY_ID_LEN)).u32();
    // The new key must not share an id with the one that stays accepted.
    if (id === avoidId) id = (id + 1) >>> 0;
    const idBytes = new Writer(KEY_ID_LEN).u32(id).finish();
    const secret = randomBytes(this.random, this.aead.keyLen);
    return { id, idBytes, secret, aead: this.aead.create(secret), createdAt };
  }

  /** Best effort: the provider's AeadKey may hold its own copy, which is dropped with it. */
  private retire(key: TicketKey | undefined): void {
    if (key === undefined) return;
    wipe(key.secret);
  }
}

/**
 * Self-encrypted tickets sealed with `provider`'s own AES-256-GCM and drawn from its random
 * source (the default issuer seals with noble's, which costs a native provider more than the
 * rest of the ticket).
 */
export function selfEncryptedTicketsFor(
  provider: CryptoProvider,
  opts: Omit<SelfEncryptedTicketsOptions, 'provider' | 'random' | 'aead'> = {},
): SelfEncryptedTickets {
  return new SelfEncryptedTickets({ ...opts, provider });
}

/** The provider's AES-256-GCM (RFC 8446 §B.4 TLS_AES_256_GCM_SHA384's AEAD), if it has that suite. */
function aes256Gcm(provider: CryptoProvider): AeadAlgorithm | undefined {
  return provider.cipherSuites.find((s) => s.id === CipherSuite.TLS_AES_256_GCM_SHA384)?.aead;
}

export interface StatefulTicketStoreOptions {
  /** Default: defaultProvider(); its randomness draws the ticket ids. */
  provider?: CryptoProvider;
  /** Default: the provider's. */
  random?: RandomSource;
  /** Clock for purging expired states, ms since the epoch. Default Date.now. */
  now?: () => number;
  /** States kept at most; the oldest is evicted beyond it. Default 10 000. */
  capacity?: number;
}

const STATEFUL_ID_LEN = 16;

/**
 * Stateful tickets (RFC 8446 §8.1): the ticket is a random 16-byte id, the state stays here.
 * Redeeming removes the state (single use), which also gives the PSK forward secrecy once used.
 */
export class StatefulTicketStore implements TicketIssuer {
  private readonly random: RandomSource;
  private readonly now: () => number;
  private readonly capacity: number;
  /** Insertion order is issue order: the first entry is the oldest. */
  private readonly states = new Map<string, ServerSessionState>();

  constructor(opts: StatefulTicketStoreOptions = {}) {
    this.random = opts.random ?? (opts.provider ?? defaultProvider()).random;
    this.now = opts.now ?? Date.now;
    this.capacity = opts.capacity ?? 10_000;
    if (!Number.isInteger(this.capacity) || this.capacity < 1) throw new RangeError('StatefulTicketStore: capacity must be a positive integer');
  }

  get size(): number {
    return this.states.size;
  }

  issue(state: ServerSessionState): Uint8Array {
    this.purge(this.now());
    let id = randomBytes(this.random, STATEFUL_ID_LEN);
    for (let i = 0; this.states.has(toHex(id)); i++) {
      if (i >= 8) throw new Error('StatefulTicketStore: the random source keeps repeating ticket ids');
      id = randomBytes(this.random, STATEFUL_ID_LEN);
    }
    while (this.states.size >= this.capacity) this.evictOldest();
    this.states.set(toHex(id), {
      ...state,
      psk: state.psk.slice(),
      peerCertificates: state.peerCertificates.map((c) => c.slice()),
    });
    return id;
  }

  redeem(ticket: Uint8Array, nowMs: number): ServerSessionState | undefined {
    if (ticket.length !== STATEFUL_ID_LEN) return undefined;
    const key = toHex(ticket);
    const state = this.states.get(key);
    if (state === undefined) return undefined;
    this.states.delete(key); // single use
    if (lifetimeExpired(state.issuedAt, state.lifetimeSeconds, nowMs)) {
      wipe(state.psk);
      return undefined;
    }
    return state;
  }

  /** Drops expired states from the front (roughly issue order; capacity bounds the rest). */
  private purge(nowMs: number): void {
    for (const [key, state] of this.states) {
      if (!lifetimeExpired(state.issuedAt, state.lifetimeSeconds, nowMs)) break;
      wipe(state.psk);
      this.states.delete(key);
    }
  }

  private evictOldest(): void {
    const first = this.states.entries().next();
    if (first.done === true) return;
    wipe(first.value[1].psk);
    this.states.delete(first.value[0]);
  }
}

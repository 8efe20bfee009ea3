// The client's ticket cache (RFC 8446 §4.6.1, RFC 9846 §4.7.1). Tickets are kept per server name,
// ALPN offer and verification policy, so that a ticket is never offered to another server (RFC 8446
// Appendix C.4) nor by a client that verifies more than the one that got it, and each is used once
// (Appendix C.4: reuse lets observers correlate connections).

import { lifetimeExpired } from './state.js';
import type { ClientSession, ServerAuthentication, SessionCache } from './types.js';

/**
 * The cache key for a server name, the ALPN list offered (order matters: it decides the server's
 * choice) and the client's verification policy ('certificate': a verifier; 'insecure':
 * insecureSkipVerify; 'psk': external PSKs only). Server names compare case-insensitively; no
 * ALPN and [] are the same.
 */
export function sessionCacheKey(serverName: string, alpn?: string[], policy: ServerAuthentication = 'certificate'): string {
  return JSON.stringify([serverName.toLowerCase(), alpn ?? [], policy]);
}

export interface MemorySessionCacheOptions {
  /** Sessions kept per key; the oldest is dropped beyond it. Default 4 (servers often send 2 per handshake). */
  perKeyCapacity?: number;
  /** Sessions kept in all; the least recently stored key loses its oldest first. Default 1000. */
  capacity?: number;
}

/** An in-memory SessionCache: bounded, newest ticket first, single use, lifetimes honoured. */
export class MemorySessionCache implements SessionCache {
  private readonly perKeyCapacity: number;
  private readonly capacity: number;
  /** Map order is the order keys were last stored to; each list is in arrival order. */
  private readonly entries = new Map<string, ClientSession[]>();
  private total = 0;

  constructor(opts: MemorySessionCacheOptions = {}) {
    this.perKeyCapacity = opts.perKeyCapacity ?? 4;
    this.capacity = opts.capacity ?? 1000;
    for (const [name, v] of [['perKeyCapacity', this.perKeyCapacity], ['capacity', this.capacity]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`MemorySessionCache: ${name} must be a positive integer`);
    }
  }

  /** Sessions held, usable or not. */
  get size(): number {
    return this.total;
  }

  put(key: string, session: ClientSession): void {
    if (session.lifetimeSeconds <= 0) return; // RFC 8446 §4.6.1: lifetime 0 means discard immediately
    const list = this.entries.get(key) ?? [];
    this.entries.delete(key); // re-inserted last: most recently stored
    list.push(session);
    this.total++;
    while (list.length > this.perKeyCapacity) {
      list.shift();
      this.total--;
    }
    this.entries.set(key, list);
    while (this.total > this.capacity) this.dropOldest();
  }

  take(key: string, nowMs: number): ClientSession | undefined {
    const list = this.entries.get(key);
    if (list === undefined) return undefined;
    const usable = list.filter((s) => !lifetimeExpired(s.receivedAt, s.lifetimeSeconds, nowMs));
    // Newest by arrival time; on a tie, the one stored last.
    let best = -1;
    for (let i = 0; i < usable.length; i++) {
      if (best < 0 || usable[i]!.receivedAt >= usable[best]!.receivedAt) best = i;
    }
    const taken = best < 0 ? undefined : usable.splice(best, 1)[0];
    this.total -= list.length - usable.length;
    if (usable.length === 0) this.entries.delete(key);
    else this.entries.set(key, usable);
    return taken;
  }

  private dropOldest(): void {
    const first = this.entries.entries().next();
    if (first.done === true) return;
    const [key, list] = first.value;
    list.shift();
    this.total--;
    if (list.length === 0) this.entries.delete(key);
  }
}

import type { RandomSource } from '../../../src/crypto/provider.js';
import type { ClientSession, ServerSessionState } from '../../../src/resumption/types.js';

/** A deterministic RandomSource: a counter-driven byte stream (distinct draws, reproducible). */
export function counterRandom(seed = 1): RandomSource {
  let n = seed;
  return (out: Uint8Array) => {
    for (let i = 0; i < out.length; i++) {
      n = (Math.imul(n, 1103515245) + 12345) >>> 0;
      out[i] = n >>> 16;
    }
  };
}

/** A clock the test moves. */
export function fakeClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void; set: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms), set: (ms) => void (t = ms) };
}

export function sampleState(over: Partial<ServerSessionState> = {}): ServerSessionState {
  return {
    cipherSuite: 0x1301,
    psk: new Uint8Array(32).fill(0xab),
    issuedAt: 1_700_000_000_000,
    authenticatedAt: 1_699_999_000_000,
    lifetimeSeconds: 7200,
    ageAdd: 0xdeadbeef,
    maxEarlyDataSize: 16384,
    alpn: 'h2',
    serverName: 'example.test',
    peerCertificates: [new Uint8Array([0x30, 0x82, 1, 2, 3]), new Uint8Array([0x30, 0x03, 9, 9, 9])],
    ...over,
  };
}

export function sampleSession(over: Partial<ClientSession> = {}): ClientSession {
  return {
    serverName: 'example.test',
    alpn: 'h2',
    cipherSuite: 0x1301,
    ticket: new Uint8Array([1, 2, 3, 4]),
    psk: new Uint8Array(32).fill(0x5a),
    ticketAgeAdd: 0x12345678,
    lifetimeSeconds: 7200,
    receivedAt: 1_700_000_000_000,
    maxEarlyDataSize: 0,
    peerCertificates: [new Uint8Array([0x30, 0x01, 0x00])],
    ...over,
  };
}

// Resumption crypto goes through the CryptoProvider (issue 13): ticket sealing (AES-256-GCM),
// randomness for nonces, keys and ids, and the anti-replay id hash come from the provider given,
// else from defaultProvider().
import { afterEach, describe, expect, it } from 'vitest';
import { setDefaultProvider } from '../../../src/crypto/default.js';
import { nobleProvider } from '../../../src/crypto/noble/index.js';
import type { AeadAlgorithm, CryptoProvider, HashAlgorithm } from '../../../src/crypto/provider.js';
import { MemoryAntiReplay } from '../../../src/resumption/anti-replay.js';
import { SelfEncryptedTickets, StatefulTicketStore, selfEncryptedTicketsFor } from '../../../src/resumption/tickets.js';
import { utf8 } from '../../../src/util/bytes.js';
import { CipherSuite } from '../../../src/wire/codepoints.js';
import { counterRandom, sampleState } from './helpers.js';

/** noble, with every AEAD key creation, random draw and SHA-256 digest counted. */
function countingProvider(): { provider: CryptoProvider; calls: { aead: number; random: number; sha256: number } } {
  const calls = { aead: 0, random: 0, sha256: 0 };
  const random = counterRandom(7);
  const cipherSuites = nobleProvider.cipherSuites.map((s) => {
    const aead: AeadAlgorithm = { ...s.aead, create: (key) => (calls.aead++, s.aead.create(key)) };
    return { ...s, aead };
  });
  const sha256 = nobleProvider.hash('SHA-256');
  const counted: HashAlgorithm = { ...sha256, digest: (d) => (calls.sha256++, sha256.digest(d)) };
  const provider: CryptoProvider = {
    ...nobleProvider,
    name: 'counting',
    cipherSuites,
    random: (out) => (calls.random++, random(out)),
    hash: (name) => (name === 'SHA-256' ? counted : nobleProvider.hash(name)),
  };
  return { provider, calls };
}

afterEach(() => setDefaultProvider(undefined));

describe('resumption through the provider', () => {
  it("SelfEncryptedTickets seals with the provider's AES-256-GCM and draws from its random source", () => {
    const { provider, calls } = countingProvider();
    const t = new SelfEncryptedTickets({ provider, now: () => 1_700_000_000_000 });
    expect(calls).toMatchObject({ aead: 1, random: 2 }); // key id and key
    const s = sampleState({ issuedAt: 1_700_000_000_000 });
    expect(t.redeem(t.issue(s), 1_700_000_000_000)).toEqual(s);
    expect(calls.random).toBe(3); // and the nonce
    // selfEncryptedTicketsFor(provider) is the same issuer.
    const before = calls.aead;
    selfEncryptedTicketsFor(provider);
    expect(calls.aead).toBe(before + 1);
    expect(provider.cipherSuites.some((c) => c.id === CipherSuite.TLS_AES_256_GCM_SHA384)).toBe(true);
  });

  it('SelfEncryptedTickets, StatefulTicketStore and MemoryAntiReplay default to defaultProvider()', () => {
    const { provider, calls } = countingProvider();
    setDefaultProvider(provider);
    const t = new SelfEncryptedTickets({ now: () => 1_700_000_000_000 });
    new StatefulTicketStore().issue(sampleState());
    new MemoryAntiReplay().checkAndRecord(utf8('binder'), 1_700_000_000_000, 10_000);
    expect(calls).toEqual({ aead: 1, random: 3, sha256: 1 });
    setDefaultProvider(undefined);
    expect(t.redeem(t.issue(sampleState({ issuedAt: 1_700_000_000_000 })), 1_700_000_000_000)).toBeDefined();
  });

  it("MemoryAntiReplay hashes ids with the provider's SHA-256; StatefulTicketStore draws ids from its random source", () => {
    const { provider, calls } = countingProvider();
    const replay = new MemoryAntiReplay({ provider });
    expect(replay.checkAndRecord(utf8('binder'), 1_700_000_000_000, 10_000)).toBe('fresh');
    expect(replay.checkAndRecord(utf8('binder'), 1_700_000_000_001, 10_000)).toBe('replayed');
    expect(calls.sha256).toBe(2);
    const store = new StatefulTicketStore({ provider });
    const id = store.issue(sampleState());
    expect(id).toHaveLength(16);
    expect(calls.random).toBe(1);
  });

  it('SelfEncryptedTickets refuses a provider without AES-256-GCM only when the default has none either', () => {
    const chachaOnly: CryptoProvider = { ...nobleProvider, cipherSuites: nobleProvider.cipherSuites.filter((s) => s.id === CipherSuite.TLS_CHACHA20_POLY1305_SHA256) };
    expect(new SelfEncryptedTickets({ provider: chachaOnly }).issue(sampleState()).length).toBeGreaterThan(0); // noble's AES-256-GCM
    setDefaultProvider(chachaOnly);
    expect(() => new SelfEncryptedTickets({ provider: chachaOnly })).toThrow(/no AES-256-GCM/);
  });
});

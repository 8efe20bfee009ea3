// The noble provider's parts that are not the shared conformance suite (providers.test.ts):
// its suites and groups in preference order, hashes, the verifier, randomness, the re-exports.
import { describe, expect, it } from 'vitest';
import * as api from '../../../src/crypto/index.js';
import { createNobleProvider, nobleProvider } from '../../../src/crypto/noble/index.js';
import { cipherSuiteById } from '../../../src/crypto/suites.js';
import { CipherSuite, NamedGroup, SignatureScheme } from '../../../src/wire/codepoints.js';
import { toHex } from '../../../src/util/bytes.js';

describe('noble provider', () => {
  it('suites in preference order ChaCha20-Poly1305, AES-128-GCM, AES-256-GCM, bound to their hashes', () => {
    const p = nobleProvider;
    expect(p.name).toBe('noble');
    expect(p.cipherSuites.map((s) => [s.id, s.name, s.aead.name, s.aead.keyLen, s.hash.name])).toEqual([
      [CipherSuite.TLS_CHACHA20_POLY1305_SHA256, 'TLS_CHACHA20_POLY1305_SHA256', 'ChaCha20-Poly1305', 32, 'SHA-256'],
      [CipherSuite.TLS_AES_128_GCM_SHA256, 'TLS_AES_128_GCM_SHA256', 'AES-128-GCM', 16, 'SHA-256'],
      [CipherSuite.TLS_AES_256_GCM_SHA384, 'TLS_AES_256_GCM_SHA384', 'AES-256-GCM', 32, 'SHA-384'],
    ]);
    expect(cipherSuiteById(0x1302)?.name).toBe('TLS_AES_256_GCM_SHA384');
    expect(cipherSuiteById(CipherSuite.TLS_AES_128_CCM_SHA256)).toBeUndefined();
  });

  it('groups in preference order', () => {
    expect(nobleProvider.groups.map((g) => g.id)).toEqual([
      NamedGroup.x25519,
      NamedGroup.secp256r1,
      NamedGroup.secp384r1,
      NamedGroup.secp521r1,
      NamedGroup.x448,
    ]);
  });

  it('hash(name) and the verifier', () => {
    for (const name of ['SHA-256', 'SHA-384', 'SHA-512'] as const) expect(nobleProvider.hash(name).name).toBe(name);
    expect(nobleProvider.verifier.schemes).toContain(SignatureScheme.rsa_pss_rsae_sha256);
  });

  it('random: default fills with fresh bytes (also over 65536); injected source is used as is', () => {
    const a = new Uint8Array(70000);
    nobleProvider.random(a);
    expect(a.subarray(65536).some((b) => b !== 0)).toBe(true);
    const b = new Uint8Array(32);
    nobleProvider.random(b);
    expect(toHex(b)).not.toBe(toHex(a.subarray(0, 32)));
    const calls: number[] = [];
    const p = createNobleProvider({
      random: (out) => {
        calls.push(out.length);
        out.fill(7);
      },
    });
    const out = new Uint8Array(5);
    p.random(out);
    expect([...out]).toEqual([7, 7, 7, 7, 7]);
    expect(calls).toEqual([5]);
    // The groups draw from whatever source the engine passes.
    const kx = p.groups[0]!.start(p.random);
    if (kx instanceof Promise) throw new Error('noble key exchange must be synchronous');
    expect(kx.publicKey).toHaveLength(32);
    expect(calls).toEqual([5, 32]);
  });

  it('src/crypto/index.ts re-exports the public API', () => {
    expect(api.nobleProvider).toBe(nobleProvider);
    for (const name of [
      'createNobleProvider',
      'signingKeyFromMaterial',
      'publicKeyOfMaterial',
      'createRsaSigningKey',
      'rsaPssVerify',
      'rsaPkcs1v15Verify',
      'rsaPssSign',
      'x25519Group',
      'x448Group',
      'secp256r1Group',
      'secp384r1Group',
      'secp521r1Group',
      'TLS_AES_128_GCM_SHA256',
      'TLS_AES_256_GCM_SHA384',
      'TLS_CHACHA20_POLY1305_SHA256',
      'SHA256',
      'SHA384',
      'SHA512',
    ]) {
      expect(api, name).toHaveProperty(name);
    }
  });
});

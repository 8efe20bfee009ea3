// Test-only helpers for the record layer: a tiny AEAD adapter over @noble/ciphers (independent
// of src/crypto/noble) and a reader for labelled hex blocks in the RFC 8448 text.

import { existsSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import type { AeadAlgorithm } from '../../src/crypto/provider.js';
import { TlsError } from '../../src/errors.js';
import { type TrafficKeys, recordNonce } from '../../src/record/keys.js';

type Cipher = (key: Uint8Array, nonce: Uint8Array, aad?: Uint8Array) => {
  encrypt(p: Uint8Array): Uint8Array;
  decrypt(c: Uint8Array): Uint8Array;
};

function adapter(name: string, keyLen: number, recordLimit: number, cipher: Cipher): AeadAlgorithm {
  return {
    name,
    keyLen,
    nonceLen: 12,
    tagLen: 16,
    recordLimit,
    create(key) {
      const k = key.slice();
      return {
        seal: (nonce, aad, pt) => cipher(k, nonce, aad).encrypt(pt),
        open: (nonce, aad, ct) => {
          try {
            return cipher(k, nonce, aad).decrypt(ct);
          } catch {
            return null;
          }
        },
      };
    },
  };
}

export const AES_128_GCM = adapter('AES-128-GCM', 16, 2 ** 24, gcm);
export const AES_256_GCM = adapter('AES-256-GCM', 32, 2 ** 24, gcm);
export const CHACHA20_POLY1305 = adapter('ChaCha20-Poly1305', 32, Number.MAX_SAFE_INTEGER, chacha20poly1305);
export const ALL_AEADS = [AES_128_GCM, AES_256_GCM, CHACHA20_POLY1305] as const;

/** The same AEAD with a different record limit (for key-usage tests). */
export function withRecordLimit(aead: AeadAlgorithm, recordLimit: number): AeadAlgorithm {
  return { ...aead, recordLimit, create: (k) => aead.create(k) };
}

/** Deterministic keys: key bytes = seed + i, iv bytes = seed * 7 + i. */
export function testKeys(aead: AeadAlgorithm, seed = 1): TrafficKeys {
  const key = new Uint8Array(aead.keyLen).map((_, i) => (seed + i) & 0xff);
  const iv = new Uint8Array(aead.nonceLen).map((_, i) => (seed * 7 + i) & 0xff);
  return { aead, key, iv };
}

export function pattern(n: number, seed = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed * 17 + 1) & 0xff;
  return out;
}

/** Runs `fn` and returns the alert of the TlsError it throws (fails the test otherwise). */
export function alertOf(fn: () => unknown): number {
  try {
    fn();
  } catch (e) {
    if (e instanceof TlsError) return e.alert;
    throw e;
  }
  throw new Error('expected a TlsError, nothing was thrown');
}

/** The first `shared/rfc/rfc8448.txt` up the tree (the project's sibling `shared/`, from main or a worktree). */
function findRfc8448(): string {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    const file = new URL('shared/rfc/rfc8448.txt', dir);
    if (existsSync(file)) return readFileSync(file, 'utf8');
    if (dir.pathname === '/') throw new Error('shared/rfc/rfc8448.txt not found above test/helpers');
  }
}

const RFC8448 = findRfc8448();

/**
 * RFC 8448 hex block: after each anchor in turn (so a section and step can be pinned), find
 * `label (N octets):` and read N bytes of hex, skipping page-break lines.
 */
export function rfc8448Hex(anchors: string[], label: string): Uint8Array {
  let pos = 0;
  for (const a of anchors) {
    const i = RFC8448.indexOf(a, pos);
    if (i < 0) throw new Error(`RFC 8448: anchor not found: ${a}`);
    pos = i + a.length;
  }
  const re = new RegExp(`${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\((\\d+) octets\\):`, 'g');
  re.lastIndex = pos;
  const m = re.exec(RFC8448);
  if (m === null) throw new Error(`RFC 8448: label not found: ${label}`);
  const count = Number(m[1]);
  const out = new Uint8Array(count);
  let filled = 0;
  const lines = RFC8448.slice(m.index + m[0].length).split('\n');
  for (const line of lines) {
    if (filled === count) break;
    if (/^(Thomson|RFC 8448)\s/.test(line) || line.includes('\f')) continue; // page break
    const t = line.trim();
    if (t === '') continue;
    if (!/^([0-9a-f]{2})( [0-9a-f]{2})*$/.test(t)) throw new Error(`RFC 8448: unexpected line in ${label}: ${line}`);
    for (const h of t.split(' ')) out[filled++] = parseInt(h, 16);
  }
  if (filled !== count) throw new Error(`RFC 8448: ${label}: read ${filled} of ${count} bytes`);
  return out;
}

/** Fast byte equality assertion (vitest's deep toEqual is slow on 100 KiB arrays). */
export function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length, 'length').toBe(expected.length);
  let i = 0;
  while (i < actual.length && actual[i] === expected[i]) i++;
  expect(i, 'first differing byte').toBe(actual.length);
}

/** A protected record with an arbitrary TLSInnerPlaintext, sealed at sequence number `seq`. */
export function sealRaw(keys: TrafficKeys, seq: number, inner: Uint8Array): Uint8Array {
  const len = inner.length + keys.aead.tagLen;
  const header = Uint8Array.of(23, 3, 3, len >> 8, len & 0xff);
  const ct = keys.aead.create(keys.key).seal(recordNonce(keys.iv, seq), header, inner);
  const out = new Uint8Array(5 + ct.length);
  out.set(header);
  out.set(ct, 5);
  return out;
}

/** An unprotected record with the given header fields. */
export function plainRecord(type: number, body: Uint8Array, version = 0x0303): Uint8Array {
  const out = new Uint8Array(5 + body.length);
  out.set([type, version >> 8, version & 0xff, body.length >> 8, body.length & 0xff]);
  out.set(body, 5);
  return out;
}

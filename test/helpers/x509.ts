// Test-only helpers: a node:crypto SignatureVerifier (independent of the noble provider),
// a small OpenSSL runner, and expectFail.

import { execFileSync, spawnSync } from 'node:child_process';
import { constants, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { PublicKey, SignatureVerifier } from '../../src/crypto/provider.js';
import { CertificateError } from '../../src/errors.js';
import { SignatureScheme as S } from '../../src/wire/codepoints.js';
import { encodeSpki } from '../../src/x509/keys.js';

const hashOf = new Map<number, string>([
  [S.rsa_pkcs1_sha1, 'sha1'],
  [S.rsa_pkcs1_sha256, 'sha256'],
  [S.rsa_pkcs1_sha384, 'sha384'],
  [S.rsa_pkcs1_sha512, 'sha512'],
  [S.rsa_pss_rsae_sha256, 'sha256'],
  [S.rsa_pss_rsae_sha384, 'sha384'],
  [S.rsa_pss_rsae_sha512, 'sha512'],
  [S.ecdsa_sha1, 'sha1'],
  [S.ecdsa_secp256r1_sha256, 'sha256'],
  [S.ecdsa_secp384r1_sha384, 'sha384'],
  [S.ecdsa_secp521r1_sha512, 'sha512'],
]);
const pss = new Set<number>([S.rsa_pss_rsae_sha256, S.rsa_pss_rsae_sha384, S.rsa_pss_rsae_sha512]);
const pssSalt = new Map<number, number>([
  [S.rsa_pss_rsae_sha256, 32],
  [S.rsa_pss_rsae_sha384, 48],
  [S.rsa_pss_rsae_sha512, 64],
]);

function kindFor(scheme: number): PublicKey['kind'] | undefined {
  if (scheme === S.ed25519) return 'ed25519';
  if (scheme === S.ed448) return 'ed448';
  if (scheme === S.ecdsa_sha1 || (scheme & 0xff) === 0x03) return 'ec';
  if (hashOf.has(scheme)) return 'rsa';
  return undefined;
}

/** Verifies with node:crypto. ECDSA schemes use the scheme's hash over whatever curve the key has. */
export function nodeSignatureVerifier(schemes: readonly number[] = [...hashOf.keys(), S.ed25519, S.ed448]): SignatureVerifier {
  return {
    schemes,
    verify(scheme, key, message, signature) {
      if (!schemes.includes(scheme) || kindFor(scheme) !== key.kind) return false;
      try {
        const k = createPublicKey({ key: Buffer.from(encodeSpki(key)), format: 'der', type: 'spki' });
        if (key.kind === 'ed25519' || key.kind === 'ed448') return nodeVerify(null, message, k, signature);
        const hash = hashOf.get(scheme)!;
        if (pss.has(scheme)) {
          return nodeVerify(hash, message, { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pssSalt.get(scheme)! }, signature);
        }
        if (key.kind === 'ec') return nodeVerify(hash, message, { key: k, dsaEncoding: 'der' }, signature);
        return nodeVerify(hash, message, { key: k, padding: constants.RSA_PKCS1_PADDING }, signature);
      } catch {
        return false;
      }
    },
  };
}

export const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

export function openssl(args: string[], opts: { cwd?: string; input?: string } = {}): string {
  try {
    return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...opts });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`openssl ${args.join(' ')} failed: ${err.stderr ?? ''}${err.stdout ?? ''}${err.message}`);
  }
}

export function tempDir(): { dir: string; path: (f: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tls13-x509-'));
  return { dir, path: (f) => join(dir, f), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const DAY = 24 * 60 * 60 * 1000;

/** Awaits `p` (a promise, or a function to call) and expects a CertificateError with this alert and check. */
export async function expectFail(p: unknown, alert: number, check: string): Promise<CertificateError> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? (p as () => unknown)() : p);
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a CertificateError').toBeInstanceOf(CertificateError);
  const ce = err as CertificateError;
  expect({ alert: ce.alertName, check: ce.check }, ce.message).toEqual({ alert: new CertificateError(alert, check, '').alertName, check });
  return ce;
}

/**
 * Milliseconds `f` takes, and what it threw. The cold case when `f` makes its verifier: a new
 * verifier has its own, empty, certificate cache.
 */
export function timed(f: () => unknown): { ms: number; error: unknown } {
  const t0 = performance.now();
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  return { ms: performance.now() - t0, error };
}

/** A function that throws `e` when there is one (for expectFail). */
export const rethrow = (e: unknown) => (): void => {
  if (e !== undefined) throw e;
};

// The WebCrypto provider: SubtleCrypto wherever the engine can wait for it, noble elsewhere.
//
// SubtleCrypto only answers with Promises. The engine waits on a Promise from a Signer, a
// certificate verifier, a key exchange (KeyExchangeGroup.start / KeyExchange.complete) and the
// CertificateVerify check (CryptoProvider.handshakeVerifier), each as an explicit pending step.
// So signing, (EC)DHE (X25519, P-256, P-384, P-521), CertificateVerify and, with
// WebCryptoServerVerifier / WebCryptoClientVerifier (x509/webcrypto.ts, exported from '.'),
// certificate chain signatures go to SubtleCrypto. Hashing, HKDF and the record path (AeadKey) are synchronous interfaces and stay
// on noble: records are never delayed by promises. Randomness is getRandomValues.
// No Node built-in: usable in browsers, workers, workerd, Deno, Bun and Node.
import { nobleProvider } from '../noble/index.js';
import { defaultRandom } from '../noble/random.js';
import { publicKeyOfMaterial, signingKeyFromMaterial, singleSchemeKey } from '../noble/signing.js';
import type { CryptoProvider, PrivateKeyMaterial, RandomSource, SigningKey } from '../provider.js';
import { createRsaSigningKey } from '../rsa/sign.js';
import { tlsError } from '../../errors.js';
import { SignatureScheme } from '../../wire/codepoints.js';
import { b64url, own, p1363ToDer, subtleHandshakeVerifier, subtleOrUndefined } from './subtle.js';
import { webCryptoGroups } from './groups.js';

export interface WebCryptoProviderOptions {
  /** Randomness for everything the engine draws. Default: globalThis.crypto.getRandomValues. */
  random?: RandomSource;
  /** Default: globalThis.crypto.subtle (signing keys fall back to noble without it). */
  subtle?: SubtleCrypto;
}

const EC = {
  'P-256': { scheme: SignatureScheme.ecdsa_secp256r1_sha256, hash: 'SHA-256' },
  'P-384': { scheme: SignatureScheme.ecdsa_secp384r1_sha384, hash: 'SHA-384' },
  'P-521': { scheme: SignatureScheme.ecdsa_secp521r1_sha512, hash: 'SHA-512' },
} as const;

/** RFC 8410 §7: PKCS#8 for an Ed25519 seed. */
const ED25519_PKCS8_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

/**
 * Signs with SubtleCrypto (`sign` returns a Promise); when the runtime refuses the key or the
 * algorithm (e.g. no Ed25519), the same signature is made by noble instead. The material is
 * checked synchronously (TlsUsageError), as by signingKeyFromMaterial.
 */
export function webCryptoSigningKey(m: PrivateKeyMaterial, opts?: WebCryptoProviderOptions): SigningKey {
  const random = opts?.random ?? defaultRandom;
  const subtle = opts?.subtle ?? subtleOrUndefined();
  if (m.kind === 'rsa') return createRsaSigningKey(m, { random, useWebCrypto: subtle !== undefined });
  // noble checks the material (range, public point) and is the fallback signer.
  const fallback = signingKeyFromMaterial(m, { random });
  if (subtle === undefined) return fallback;
  const scheme = fallback.schemes[0]!;
  let key: Promise<CryptoKey>;
  let p1363 = false;
  let algorithm: AlgorithmIdentifier | EcdsaParams;
  if (m.kind === 'ec') {
    const pub = uncompressedPoint(m); // for the JWK (computed once per key)
    const len = (pub.length - 1) / 2;
    const d = new Uint8Array(len);
    d.set(m.d.subarray(Math.max(0, m.d.length - len)), Math.max(0, len - m.d.length));
    const jwk: JsonWebKey = { kty: 'EC', crv: m.curve, d: b64url(d), x: b64url(pub.subarray(1, 1 + len)), y: b64url(pub.subarray(1 + len)), ext: false };
    key = subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: m.curve }, false, ['sign']);
    algorithm = { name: 'ECDSA', hash: EC[m.curve].hash };
    p1363 = true;
  } else {
    key = subtle.importKey('pkcs8', Uint8Array.from([...ED25519_PKCS8_PREFIX, ...m.seed]), { name: 'Ed25519' }, false, ['sign']);
    algorithm = { name: 'Ed25519' };
  }
  key.catch(() => {}); // a refused import is handled per signature (fallback)
  return singleSchemeKey(scheme, async (message: Uint8Array): Promise<Uint8Array> => {
    const data = own(message); // the caller may reuse its buffer while we wait
    let raw: ArrayBuffer;
    try {
      raw = await subtle.sign(algorithm, await key, data);
    } catch {
      return fallback.signer(scheme).sign(data);
    }
    return p1363 ? p1363ToDer(new Uint8Array(raw)) : new Uint8Array(raw);
  });
}

function uncompressedPoint(m: Extract<PrivateKeyMaterial, { kind: 'ec' }>): Uint8Array {
  const pub = publicKeyOfMaterial(m);
  if (pub.kind !== 'ec') throw tlsError('internal_error', 'EC material gave a non-EC public key');
  return pub.point;
}

/**
 * A provider with noble's suites and hashes, getRandomValues, and SubtleCrypto for key exchange
 * (x448 and the optional FFDHE groups on noble), CertificateVerify checks (`handshakeVerifier`) and signing keys (`signingKey`);
 * `verifier` is noble's, synchronous, for certificate chains. Pair it with
 * WebCryptoServerVerifier / WebCryptoClientVerifier so that chains are verified by SubtleCrypto too.
 * Without SubtleCrypto it is noble with getRandomValues.
 */
export function createWebCryptoProvider(opts?: WebCryptoProviderOptions): CryptoProvider {
  const random = opts?.random ?? defaultRandom;
  const subtle = opts?.subtle ?? subtleOrUndefined();
  return Object.freeze({
    name: 'webcrypto',
    cipherSuites: nobleProvider.cipherSuites,
    groups: subtle ? webCryptoGroups(subtle) : nobleProvider.groups,
    // SubtleCrypto has no finite field DH: noble's bigint FFDHE (RFC 7919).
    optionalGroups: nobleProvider.optionalGroups,
    verifier: nobleProvider.verifier,
    ...(subtle ? { handshakeVerifier: subtleHandshakeVerifier(subtle, nobleProvider.verifier) } : {}),
    random,
    hash: nobleProvider.hash,
    signingKey: (material: PrivateKeyMaterial): SigningKey => webCryptoSigningKey(material, { ...opts, random }),
  });
}

export const webCryptoProvider: CryptoProvider = createWebCryptoProvider();

export { PrefetchedSignatureVerifier } from './prefetch.js';
export type { SignatureCheck } from './prefetch.js';
export { subtleVerify, subtleHandshakeVerifier, derToP1363, p1363ToDer } from './subtle.js';
export { webCryptoGroups } from './groups.js';

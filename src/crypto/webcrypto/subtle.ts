// SubtleCrypto for signatures: key import, ECDSA signature format conversion (WebCrypto speaks
// IEEE P1363 r || s, TLS and X.509 speak DER), and one verification as a Promise.
// No Node built-in: this runs in browsers, workers, workerd, Deno, Bun and Node.
import { SIGNATURE_SCHEMES, type SchemeSpec } from '../noble/verify.js';
import type { HandshakeSignatureVerifier, PublicKey, SignatureVerifier } from '../provider.js';
import { bigintToBytes } from '../rsa/math.js';
import { rsaPublicKeyProblem } from '../rsa/verify.js';

export function subtleOrUndefined(): SubtleCrypto | undefined {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  return c?.subtle;
}

/** What SubtleCrypto verifies here: every scheme but Ed448 (left to the fallback: few runtimes have it). */
type Spec = Exclude<SchemeSpec, { alg: 'ed448' }>;

const COORD_LEN: Record<'P-256' | 'P-384' | 'P-521', number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
export function b64url(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((b.length - i) * 8) / 6));
    for (let j = 0; j < chars; j++) s += B64URL[(n >> (18 - 6 * j)) & 63]!;
  }
  return s;
}

const B64URL_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64URL_VALUE[B64URL.charCodeAt(i)] = i;

/** RFC 4648 §5 base64url without padding → bytes; undefined when malformed. */
export function fromB64url(s: string): Uint8Array | undefined {
  if (s.length % 4 === 1) return undefined;
  const out = new Uint8Array((s.length * 3) >> 2);
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64URL_VALUE[c]! : -1;
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** Copies into a fresh ArrayBuffer-backed array (SubtleCrypto's BufferSource, and safe from later mutation). */
export const own = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b);

/** Strict DER ECDSA-Sig-Value { r INTEGER, s INTEGER } → r || s of `len` bytes each; undefined when malformed. */
export function derToP1363(der: Uint8Array, len: number): Uint8Array<ArrayBuffer> | undefined {
  let p = 0;
  const byte = (): number | undefined => der[p++];
  const length = (): number | undefined => {
    const first = byte();
    if (first === undefined) return undefined;
    if (first < 0x80) return first;
    if (first === 0x81) {
      const n = byte();
      return n !== undefined && n >= 0x80 ? n : undefined;
    }
    return undefined;
  };
  if (byte() !== 0x30) return undefined;
  const total = length();
  if (total === undefined || p + total !== der.length) return undefined;
  const out = new Uint8Array(2 * len);
  for (let k = 0; k < 2; k++) {
    if (byte() !== 0x02) return undefined;
    const n = length();
    if (n === undefined || n === 0 || p + n > der.length) return undefined;
    let v = der.subarray(p, p + n);
    p += n;
    if (v[0]! & 0x80) return undefined; // negative
    if (v.length > 1 && v[0] === 0 && !(v[1]! & 0x80)) return undefined; // not minimal
    if (v[0] === 0) v = v.subarray(1);
    if (v.length > len) return undefined;
    out.set(v, k * len + len - v.length);
  }
  return p === der.length ? out : undefined;
}

/** r || s → DER ECDSA-Sig-Value. */
export function p1363ToDer(sig: Uint8Array): Uint8Array {
  const half = sig.length / 2;
  const int = (v: Uint8Array): number[] => {
    let i = 0;
    while (i < v.length - 1 && v[i] === 0) i++;
    const body = [...v.subarray(i)];
    if (body[0]! & 0x80) body.unshift(0);
    return [0x02, ...derLength(body.length), ...body];
  };
  const content = [...int(sig.subarray(0, half)), ...int(sig.subarray(half))];
  return Uint8Array.from([0x30, ...derLength(content.length), ...content]);
}

function derLength(n: number): number[] {
  return n < 0x80 ? [n] : [0x81, n];
}

/** Imported verification keys by the engine's PublicKey objects (shared by the x509 parse cache) and algorithm. */
const imported = new WeakMap<PublicKey, Map<string, Promise<CryptoKey>>>();

function importVerifyKey(subtle: SubtleCrypto, key: PublicKey, spec: Spec): Promise<CryptoKey> {
  const id = spec.alg === 'ecdsa' || spec.alg === 'ed25519' ? spec.alg : `${spec.alg}/${spec.hash.name}`;
  let byAlg = imported.get(key);
  if (byAlg === undefined) imported.set(key, (byAlg = new Map()));
  let p = byAlg.get(id);
  if (p === undefined) {
    switch (spec.alg) {
      case 'ecdsa':
        if (key.kind !== 'ec') return Promise.reject(new Error('not an EC key'));
        p = subtle.importKey('raw', own(key.point), { name: 'ECDSA', namedCurve: key.curve }, false, ['verify']);
        break;
      case 'ed25519':
        if (key.kind !== 'ed25519') return Promise.reject(new Error('not an Ed25519 key'));
        p = subtle.importKey('raw', own(key.key), { name: 'Ed25519' }, false, ['verify']);
        break;
      case 'rsa-pss':
      case 'rsa-pkcs1': {
        if (key.kind !== 'rsa') return Promise.reject(new Error('not an RSA key'));
        const jwk: JsonWebKey = { kty: 'RSA', n: b64url(bigintToBytes(key.n)), e: b64url(bigintToBytes(key.e)), ext: true };
        p = subtle.importKey('jwk', jwk, { name: spec.alg === 'rsa-pss' ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5', hash: spec.hash.name }, false, ['verify']);
        break;
      }
    }
    p.catch(() => byAlg!.delete(id));
    byAlg.set(id, p);
  }
  return p;
}

/**
 * One verification through SubtleCrypto: true or false when SubtleCrypto gave a definite answer
 * under the engine's policy (scheme bound to key kind, RSA key limits, DER ECDSA signatures),
 * undefined when it could not answer (algorithm or key form unsupported here): the caller then
 * falls back to a synchronous verifier. A malformed DER ECDSA signature is false with
 * `strictDer`, else undefined (the fallback judges it).
 */
export async function subtleVerify(
  subtle: SubtleCrypto,
  scheme: number,
  key: PublicKey,
  message: Uint8Array,
  signature: Uint8Array,
  opts?: { strictDer?: boolean },
): Promise<boolean | undefined> {
  const spec = SIGNATURE_SCHEMES.get(scheme);
  if (spec === undefined || spec.alg === 'ed448') return undefined;
  let sig: Uint8Array<ArrayBuffer>;
  let algorithm: AlgorithmIdentifier | RsaPssParams | EcdsaParams;
  switch (spec.alg) {
    case 'ecdsa': {
      if (key.kind !== 'ec') return false;
      const len = COORD_LEN[key.curve];
      if (len === undefined || key.point.length !== 1 + 2 * len || key.point[0] !== 0x04) return undefined; // compressed: fallback
      const raw = derToP1363(signature, len);
      if (raw === undefined) return opts?.strictDer ? false : undefined; // else the fallback judges odd encodings
      sig = raw;
      algorithm = { name: 'ECDSA', hash: spec.hash.name };
      break;
    }
    case 'ed25519':
      if (key.kind !== 'ed25519') return false;
      if (key.key.length !== 32 || signature.length !== 64) return false;
      sig = own(signature);
      algorithm = { name: 'Ed25519' };
      break;
    case 'rsa-pss':
      if (key.kind !== 'rsa' || (key.pss === true) !== spec.pssKey || rsaPublicKeyProblem(key) !== null) return false;
      sig = own(signature);
      algorithm = { name: 'RSA-PSS', saltLength: spec.hash.outputLen }; // RFC 8446 §4.2.3
      break;
    case 'rsa-pkcs1':
      if (key.kind !== 'rsa' || key.pss === true || rsaPublicKeyProblem(key) !== null) return false;
      sig = own(signature);
      algorithm = { name: 'RSASSA-PKCS1-v1_5' };
      break;
  }
  try {
    const k = await importVerifyKey(subtle, key, spec);
    return await subtle.verify(algorithm, k, sig, own(message));
  } catch {
    return undefined;
  }
}

/**
 * CertificateVerify checks (RFC 8446 §4.4.3) through SubtleCrypto, answered as Promises; what
 * SubtleCrypto cannot verify here (Ed448, a compressed EC point, a refused key) goes to `fallback`.
 * ECDSA signatures are DER (RFC 8446 §4.2.3) and are converted strictly: malformed DER is false.
 */
export function subtleHandshakeVerifier(subtle: SubtleCrypto, fallback: SignatureVerifier): HandshakeSignatureVerifier {
  return Object.freeze({
    schemes: fallback.schemes,
    verify(scheme: number, key: PublicKey, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
      return subtleVerify(subtle, scheme, key, message, signature, { strictDer: true }).then(
        (r) => r ?? fallback.verify(scheme, key, message, signature),
        () => false,
      );
    },
  });
}

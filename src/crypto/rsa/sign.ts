// RSASSA-PSS signing (RFC 8017 §8.1.1): a blinded CRT bigint path, and a WebCrypto path.
import { TlsUsageError, tlsError } from '../../errors.js';
import { SignatureScheme } from '../../wire/codepoints.js';
import { SHA256, SHA384, SHA512, type DigestAlgorithm } from '../noble/hash.js';
import { defaultRandom, randomBytes } from '../noble/random.js';
import type { HashAlgorithm, PrivateKeyMaterial, RandomSource, Signer, SigningKey } from '../provider.js';
import { bigintToBytes, bitLength, gcd, i2osp, mod, modInverse, modPow, os2ip } from './math.js';
import { emsaPssEncode, rsaPssVerify, rsaPublicKeyProblem } from './verify.js';
import { b64url, subtleOrUndefined } from '../webcrypto/subtle.js';

/** RSA private key material (RFC 8017 §3.2, second representation, plus d). */
export type RsaPrivateKey = Omit<Extract<PrivateKeyMaterial, { kind: 'rsa' }>, 'kind'>;

/** Why the private key is inconsistent or unacceptable, or null when it is fine. */
export function rsaPrivateKeyProblem(key: RsaPrivateKey): string | null {
  const pub = rsaPublicKeyProblem(key);
  if (pub !== null) return pub;
  const { n, e, d, p, q, dp, dq, qi } = key;
  if (p <= 1n || q <= 1n || p * q !== n) return 'n != p * q';
  if (dp !== mod(d, p - 1n) || dq !== mod(d, q - 1n)) return 'CRT exponents do not match d';
  if (mod(qi * q, p) !== 1n) return 'coefficient is not q^-1 mod p';
  if (mod(e * dp, p - 1n) !== 1n || mod(e * dq, q - 1n) !== 1n) return 'd is not the inverse of e';
  return null;
}

/**
 * RSASP1 with CRT (RFC 8017 §5.2.1 step 2.b.ii), on a blinded representative. The CRT
 * exponents are blinded too (dP + k·(p-1), 64-bit k): bigint timing is data-dependent, so
 * the exponent bits modPow walks change with every signature.
 */
function rsasp1Crt(key: RsaPrivateKey, c: bigint, random: RandomSource): bigint {
  const k1 = os2ip(randomBytes(random, 8));
  const k2 = os2ip(randomBytes(random, 8));
  const s1 = modPow(c % key.p, key.dp + k1 * (key.p - 1n), key.p);
  const s2 = modPow(c % key.q, key.dq + k2 * (key.q - 1n), key.q);
  const h = mod((s1 - s2) * key.qi, key.p);
  return s2 + key.q * h;
}

/** A blinding factor r in [2, n-1] with gcd(r, n) = 1. */
function blindingFactor(n: bigint, random: RandomSource): bigint {
  const len = Math.ceil(bitLength(n) / 8) + 8; // 64 extra bits make r mod n close to uniform
  for (let i = 0; i < 64; i++) {
    const r = mod(os2ip(randomBytes(random, len)), n);
    if (r > 1n && gcd(r, n) === 1n) return r;
  }
  throw tlsError('internal_error', 'RSA blinding: random source keeps failing');
}

/**
 * RSASSA-PSS-SIGN (RFC 8017 §8.1.1), MGF1 with the same hash. CRT with base blinding
 * (m·r^e, then ·r^-1), exponent blinding, and a verification of the result before it leaves
 * (fault protection).
 * `opts.salt` injects the salt (tests); otherwise `saltLength` bytes are drawn from `random`.
 */
export function rsaPssSign(
  key: RsaPrivateKey,
  hash: DigestAlgorithm,
  message: Uint8Array,
  random: RandomSource,
  saltLength: number = hash.outputLen,
  opts?: { salt?: Uint8Array },
): Uint8Array {
  const problem = rsaPrivateKeyProblem(key);
  if (problem !== null) throw new TlsUsageError(`RSA private key: ${problem}`);
  const salt = opts?.salt ?? randomBytes(random, saltLength);
  if (salt.length !== saltLength) throw new RangeError(`RSA-PSS: salt must be ${saltLength} bytes`);
  const modBits = bitLength(key.n);
  const k = Math.ceil(modBits / 8);
  const em = emsaPssEncode(hash, message, salt, modBits - 1);
  if (em === null) throw new RangeError('RSA-PSS: modulus too short for this hash and salt');
  const m = os2ip(em);
  const r = blindingFactor(key.n, random);
  const rInv = modInverse(r, key.n);
  if (rInv === null) throw tlsError('internal_error', 'RSA blinding: factor not invertible');
  const blinded = (m * modPow(r, key.e, key.n)) % key.n;
  const s = (rsasp1Crt(key, blinded, random) * rInv) % key.n;
  // Fault protection: a faulty CRT half would leak a prime factor (Boneh-DeMillo-Lipton).
  if (modPow(s, key.e, key.n) !== m) throw tlsError('internal_error', 'RSA signature failed its self-check');
  const out = i2osp(s, k);
  if (out === null) throw tlsError('internal_error', 'RSA signature out of range');
  return out;
}

const PSS_SCHEMES: ReadonlyMap<number, HashAlgorithm> = new Map([
  [SignatureScheme.rsa_pss_rsae_sha256, SHA256],
  [SignatureScheme.rsa_pss_rsae_sha384, SHA384],
  [SignatureScheme.rsa_pss_rsae_sha512, SHA512],
]);

export interface RsaSigningKeyOptions {
  /** Randomness for salts and blinding (bigint path). Default: globalThis.crypto.getRandomValues. */
  random?: RandomSource;
  /** Sign with WebCrypto (asynchronously). Default: when globalThis.crypto.subtle exists. */
  useWebCrypto?: boolean;
}

/** Base64urlUInt (RFC 7518 §2): unpadded base64url of the minimal big-endian bytes. */
const b64urlUInt = (x: bigint): string => b64url(bigintToBytes(x));

function rsaJwk(key: RsaPrivateKey): JsonWebKey {
  return {
    kty: 'RSA',
    n: b64urlUInt(key.n),
    e: b64urlUInt(key.e),
    d: b64urlUInt(key.d),
    p: b64urlUInt(key.p),
    q: b64urlUInt(key.q),
    dp: b64urlUInt(key.dp),
    dq: b64urlUInt(key.dq),
    qi: b64urlUInt(key.qi),
    ext: false,
  };
}

/**
 * An RSA SigningKey for rsa_pss_rsae_sha256/384/512 (RFC 8446 §4.2.3; salt length = hash length),
 * less the schemes the modulus is too short for.
 * With WebCrypto, `sign` returns a Promise (the async-capable Signer); otherwise it signs
 * synchronously on the blinded bigint path. Throws TlsUsageError for unusable material.
 */
export function createRsaSigningKey(material: RsaPrivateKey, opts?: RsaSigningKeyOptions): SigningKey {
  const problem = rsaPrivateKeyProblem(material);
  if (problem !== null) throw new TlsUsageError(`RSA private key: ${problem}`);
  const key: RsaPrivateKey = {
    n: material.n,
    e: material.e,
    d: material.d,
    p: material.p,
    q: material.q,
    dp: material.dp,
    dq: material.dq,
    qi: material.qi,
  };
  const random = opts?.random ?? defaultRandom;
  const subtle = subtleOrUndefined();
  const useWebCrypto = opts?.useWebCrypto ?? subtle !== undefined;
  if (useWebCrypto && subtle === undefined) throw new TlsUsageError('WebCrypto is not available');
  const imported = new Map<string, Promise<CryptoKey>>();

  function webCryptoSign(hash: HashAlgorithm, message: Uint8Array): Promise<Uint8Array> {
    const s = subtle!;
    let keyP = imported.get(hash.name);
    if (keyP === undefined) {
      keyP = s.importKey('jwk', rsaJwk(key), { name: 'RSA-PSS', hash: hash.name }, false, ['sign']);
      imported.set(hash.name, keyP);
    }
    const data = new Uint8Array(message); // a copy the caller cannot mutate while pending
    return keyP
      .then((k) => s.sign({ name: 'RSA-PSS', saltLength: hash.outputLen }, k, data))
      .then(
        (buf) => {
          const sig = new Uint8Array(buf);
          if (!rsaPssVerify(key, hash, hash.outputLen, data, sig)) {
            throw tlsError('internal_error', 'WebCrypto RSA-PSS signature failed its self-check');
          }
          return sig;
        },
        (err: unknown) => {
          imported.delete(hash.name);
          throw tlsError('internal_error', 'WebCrypto RSA-PSS signing failed', err);
        },
      );
  }

  // RFC 8017 §9.1.1 step 3: emLen >= hLen + sLen + 2 with sLen = hLen (RFC 8446 §4.2.3),
  // so e.g. a 1024-bit key cannot sign rsa_pss_rsae_sha512.
  const emLen = Math.ceil((bitLength(key.n) - 1) / 8);
  const usable = new Map([...PSS_SCHEMES].filter(([, h]) => emLen >= 2 * h.outputLen + 2));

  return Object.freeze({
    schemes: Object.freeze([...usable.keys()]),
    signer(scheme: number): Signer {
      const hash = usable.get(scheme);
      if (hash === undefined) throw tlsError('internal_error', `RSA key cannot sign with scheme 0x${scheme.toString(16)}`);
      return {
        scheme,
        sign: (message: Uint8Array): Uint8Array | Promise<Uint8Array> =>
          useWebCrypto ? webCryptoSign(hash, message) : rsaPssSign(key, hash, message, random),
      };
    },
  });
}

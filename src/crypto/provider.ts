// The crypto provider: narrow interfaces the engine calls, and suites and groups as data.
// @noble is the default provider (./noble/); others (node:crypto, WebCrypto) plug in here.

/** Randomness source: fills `out` with cryptographically secure random bytes. Injected for replay. */
export type RandomSource = (out: Uint8Array) => void;

/** A running hash; `clone` lets the transcript read intermediate values (RFC 8446 §4.4.1). */
export interface IncrementalHash {
  update(data: Uint8Array): IncrementalHash;
  /** Finalises this instance; use `clone().digest()` to keep going. */
  digest(): Uint8Array;
  clone(): IncrementalHash;
}

export interface HashAlgorithm {
  readonly name: 'SHA-256' | 'SHA-384' | 'SHA-512';
  readonly outputLen: number;
  digest(data: Uint8Array): Uint8Array;
  create(): IncrementalHash;
  hmac(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** RFC 5869 HKDF-Extract. */
  hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Uint8Array;
  /** RFC 5869 HKDF-Expand. */
  hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array;
}

/** A keyed AEAD for one direction of one traffic key (RFC 8446 §5.2). */
export interface AeadKey {
  /** Returns ciphertext || tag. */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** Returns the plaintext, or null when authentication fails. Never throws on bad input. */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array | null;
  /**
   * Optional fast path for the record layer: seals `plaintext` and writes ciphertext || tag to
   * `out` (exactly plaintext.length + tagLen bytes). `plaintext` may be `out`'s own first bytes
   * (in-place sealing), so an implementation must read all of it before writing over it. The
   * record writer uses it to seal straight into its output buffer instead of copying the result.
   */
  sealInto?(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, out: Uint8Array): void;
  /** Optional: erase the implementation's copy of the key, best effort; the key is not used afterwards. */
  dispose?(): void;
}

export interface AeadAlgorithm {
  readonly name: string;
  readonly keyLen: number;
  readonly nonceLen: number; // 12 for every TLS 1.3 suite
  readonly tagLen: number; // 16
  /** RFC 8446 §5.5: records that may be protected under one key before a KeyUpdate. */
  readonly recordLimit: number;
  create(key: Uint8Array): AeadKey;
}

/** RFC 8446 §B.4: a cipher suite is an AEAD plus the hash for HKDF and the transcript. */
export interface CipherSuiteImpl {
  readonly id: number;
  readonly name: string;
  readonly aead: AeadAlgorithm;
  readonly hash: HashAlgorithm;
}

/**
 * One side's ephemeral key exchange in progress (RFC 8446 §4.2.8, §7.4). `complete` may answer
 * with a Promise (SubtleCrypto); the engine then waits on it as an explicit pending step.
 */
export interface KeyExchange {
  readonly group: number;
  /** The key_exchange field this side sends. */
  readonly publicKey: Uint8Array;
  /**
   * The shared secret (for ECDHE: the x-coordinate; RFC 8446 §7.4.2). Throws (or rejects with)
   * TlsError illegal_parameter when the peer's share is malformed or yields an invalid point.
   */
  complete(peerPublicKey: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

export interface KeyExchangeGroup {
  readonly id: number;
  readonly name: string;
  /**
   * Starts a key exchange with a private key drawn from `random`, synchronously (the draw
   * happens during the call, so injected randomness is consumed in order) even when the
   * result is a Promise.
   */
  start(random: RandomSource): KeyExchange | Promise<KeyExchange>;
}

/** A key exchange that answers at once (noble, node:crypto). */
export interface SyncKeyExchange extends KeyExchange {
  complete(peerPublicKey: Uint8Array): Uint8Array;
}

export interface SyncKeyExchangeGroup extends KeyExchangeGroup {
  start(random: RandomSource): SyncKeyExchange;
}

/** Public keys as the engine understands them (parsed from an X.509 SubjectPublicKeyInfo). */
export type PublicKey =
  | { kind: 'ec'; curve: 'P-256' | 'P-384' | 'P-521'; point: Uint8Array }
  | { kind: 'ed25519'; key: Uint8Array }
  | { kind: 'ed448'; key: Uint8Array }
  /** `pss`: an id-RSASSA-PSS key (RFC 4055 §1.2), usable only for RSASSA-PSS (RFC 8446 rsa_pss_pss_*). */
  | { kind: 'rsa'; n: bigint; e: bigint; bits: number; pss?: true };

/** Verifies signatures by SignatureScheme code point (RFC 8446 §4.2.3). */
export interface SignatureVerifier {
  /** Schemes this provider can verify, in no particular order. */
  readonly schemes: readonly number[];
  /** True when `signature` is a valid `scheme` signature of `message` by `key`. Never throws on bad input. */
  verify(scheme: number, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean;
}

/**
 * Verifies CertificateVerify signatures (RFC 8446 §4.4.3), possibly asynchronously (SubtleCrypto):
 * the engine waits on a Promise as an explicit pending step. A SignatureVerifier is one.
 */
export interface HandshakeSignatureVerifier {
  readonly schemes: readonly number[];
  /** True when the signature is valid. Never throws or rejects on bad input. */
  verify(scheme: number, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>;
}

/**
 * Signs with a private key that may live elsewhere (WebCrypto, a KMS, an HSM): the result
 * may be a Promise. The engine treats a pending signature as an explicit pending step.
 */
export interface Signer {
  readonly scheme: number;
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/** A private key able to sign with one or more schemes (e.g. an RSA key: the three rsa_pss_rsae_*). */
export interface SigningKey {
  /** Schemes this key can sign with, in the key owner's preference order. */
  readonly schemes: readonly number[];
  signer(scheme: number): Signer;
}

export interface CryptoProvider {
  readonly name: string;
  /** In preference order. */
  readonly cipherSuites: readonly CipherSuiteImpl[];
  /** In preference order: the groups a config that names none offers (client) or accepts (server). */
  readonly groups: readonly KeyExchangeGroup[];
  /**
   * Groups implemented but used only when a config names them in `groups` (FFDHE, RFC 7919:
   * large key shares and slow exponentiation, so off by default).
   */
  readonly optionalGroups?: readonly KeyExchangeGroup[];
  /** Synchronous: certificate chains are validated with it (x509/). */
  readonly verifier: SignatureVerifier;
  /** For CertificateVerify only (RFC 8446 §4.4.3); may answer asynchronously. Default: `verifier`. */
  readonly handshakeVerifier?: HandshakeSignatureVerifier;
  readonly random: RandomSource;
  /** Hashes by name, for certificate signatures and transcripts. */
  hash(name: 'SHA-256' | 'SHA-384' | 'SHA-512'): HashAlgorithm;
  /**
   * This provider's SigningKey for parsed private key material (PKCS#8, x509/keys.ts), when it
   * has its own signing code. Applications (and the CLI) call it to sign with the same provider;
   * the engine itself only ever sees the SigningKey in the config. Throws TlsUsageError for
   * invalid material.
   */
  signingKey?(material: PrivateKeyMaterial): SigningKey;
  /**
   * Memory for record buffers where the runtime can allocate without zeroing (Node's
   * Buffer.allocUnsafeSlow), which is several times cheaper for 16 KiB. The record layer writes
   * every byte it hands out. Absent: `new Uint8Array(length)`.
   */
  allocate?(length: number): Uint8Array;
}

/** Private key material as parsed from PKCS#8 (x509/keys.ts), before it becomes a SigningKey. */
export type PrivateKeyMaterial =
  | { kind: 'ec'; curve: 'P-256' | 'P-384' | 'P-521'; d: Uint8Array; publicPoint?: Uint8Array }
  | { kind: 'ed25519'; seed: Uint8Array }
  | { kind: 'rsa'; n: bigint; e: bigint; d: bigint; p: bigint; q: bigint; dp: bigint; dq: bigint; qi: bigint };

/** The provider's implementation of group `id`, default or optional (RFC 8446 §4.2.7). */
export function providerGroup(provider: CryptoProvider, id: number): KeyExchangeGroup | undefined {
  return provider.groups.find((g) => g.id === id) ?? provider.optionalGroups?.find((g) => g.id === id);
}

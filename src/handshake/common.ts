// What every handshake state shares: the step type, the context a state acts through,
// and helpers that several states of both roles use.

import { TlsError, tlsError, certificateError } from '../errors.js';
import type { CipherSuiteImpl, CryptoProvider, HashAlgorithm, PublicKey } from '../crypto/provider.js';
import type { HandshakeContext } from './context.js';
import type { HandshakeMessage } from '../wire/types.js';
import { SignatureScheme } from '../wire/codepoints.js';
import { concatBytes, constantTimeEqual, utf8 } from '../util/bytes.js';
import { finishedVerifyData, type EarlySecretStage, type HandshakeSecretStage, type MasterSecretStage } from '../keyschedule/index.js';

/**
 * One handshake state. `expects` lists the message types legal here; the connection
 * rejects anything else with unexpected_message before `handle` runs (one place decides).
 */
export interface HandshakeState {
  readonly name: string;
  readonly expects: readonly number[];
  handle(msg: HandshakeMessage, raw: Uint8Array): Step;
}

/** An async step in flight (signing, certificate verification). The connection awaits nothing: the driver does. */
export class Pending {
  private settled = false;
  private failure: unknown;
  readonly promise: Promise<void>;
  constructor(
    promise: Promise<unknown>,
    private readonly resumeWith: () => Step,
  ) {
    this.promise = promise.then(
      () => {
        this.settled = true;
      },
      (e: unknown) => {
        this.settled = true;
        this.failure = e;
      },
    );
  }
  get isSettled(): boolean {
    return this.settled;
  }
  /** Continue the handshake; rethrows the async step's failure. */
  resume(): Step {
    if (!this.settled) throw tlsError('internal_error', 'resume() before the pending step settled');
    if (this.failure !== undefined) throw this.failure;
    return this.resumeWith();
  }
}

export type Step = HandshakeState | Pending;

/**
 * Run `next` with a value that may arrive later. A synchronous value continues at once,
 * so the all-synchronous path (the default provider) never leaves the call stack.
 */
export function whenReady<T>(value: T | Promise<T>, next: (v: T) => Step): Step {
  if (value instanceof Promise) {
    let result: T;
    const p = value.then((v) => {
      result = v;
    });
    return new Pending(p, () => next(result));
  }
  return next(value);
}

/**
 * The values, at once when none is a Promise (so a synchronous provider never waits), else their
 * Promise.all (marked as observed: a failure before whenReady takes it must not go unhandled).
 */
export function allReady<T>(values: readonly (T | Promise<T>)[]): T[] | Promise<T[]> {
  if (!values.some((v) => v instanceof Promise)) return values as T[];
  const all = Promise.all(values);
  all.catch(() => {});
  return all;
}

export type { ApplicationSecrets, Epoch, HandshakeContext } from './context.js';

// RFC 8446 §4.4.3: 64 spaces, the context string, a zero byte, the transcript hash.
const SIG_PAD = new Uint8Array(64).fill(0x20);
const SERVER_CV_CONTEXT = utf8('TLS 1.3, server CertificateVerify');
const CLIENT_CV_CONTEXT = utf8('TLS 1.3, client CertificateVerify');
export function certificateVerifyContent(signer: 'server' | 'client', transcriptHash: Uint8Array): Uint8Array {
  return concatBytes(SIG_PAD, signer === 'server' ? SERVER_CV_CONTEXT : CLIENT_CV_CONTEXT, new Uint8Array([0]), transcriptHash);
}

/** Schemes TLS 1.3 allows in CertificateVerify (RFC 8446 §4.2.3: no PKCS#1 v1.5, no SHA-1). */
export const CERTIFICATE_VERIFY_SCHEMES: readonly number[] = [
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.ecdsa_secp521r1_sha512,
  SignatureScheme.ed25519,
  SignatureScheme.ed448,
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
  SignatureScheme.rsa_pss_pss_sha256,
  SignatureScheme.rsa_pss_pss_sha384,
  SignatureScheme.rsa_pss_pss_sha512,
];

/** Accepted in certificate signatures only (RFC 8446 §4.2.3). */
export const CERTIFICATE_ONLY_SCHEMES: readonly number[] = [
  SignatureScheme.rsa_pkcs1_sha256,
  SignatureScheme.rsa_pkcs1_sha384,
  SignatureScheme.rsa_pkcs1_sha512,
];

/** RFC 8446 §4.2.3: an ECDSA scheme names its curve in TLS 1.3; the key must be on it. */
export function keyFitsScheme(scheme: number, key: PublicKey): boolean {
  switch (scheme) {
    case SignatureScheme.ecdsa_secp256r1_sha256:
      return key.kind === 'ec' && key.curve === 'P-256';
    case SignatureScheme.ecdsa_secp384r1_sha384:
      return key.kind === 'ec' && key.curve === 'P-384';
    case SignatureScheme.ecdsa_secp521r1_sha512:
      return key.kind === 'ec' && key.curve === 'P-521';
    case SignatureScheme.ed25519:
      return key.kind === 'ed25519';
    case SignatureScheme.ed448:
      return key.kind === 'ed448';
    // RFC 8446 §4.2.3: rsae for rsaEncryption keys, pss for id-RSASSA-PSS keys.
    case SignatureScheme.rsa_pss_rsae_sha256:
    case SignatureScheme.rsa_pss_rsae_sha384:
    case SignatureScheme.rsa_pss_rsae_sha512:
      return key.kind === 'rsa' && !key.pss;
    case SignatureScheme.rsa_pss_pss_sha256:
    case SignatureScheme.rsa_pss_pss_sha384:
    case SignatureScheme.rsa_pss_pss_sha512:
      return key.kind === 'rsa' && key.pss === true;
    default:
      return false;
  }
}

/** Pick the suite implementation by code point, or undefined. */
export function findSuite(provider: CryptoProvider, id: number): CipherSuiteImpl | undefined {
  return provider.cipherSuites.find((s) => s.id === id);
}

/** NSS key log labels. */
export const keyLogLabel = {
  clientEarly: 'CLIENT_EARLY_TRAFFIC_SECRET',
  clientHandshake: 'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
  serverHandshake: 'SERVER_HANDSHAKE_TRAFFIC_SECRET',
  clientTraffic0: 'CLIENT_TRAFFIC_SECRET_0',
  serverTraffic0: 'SERVER_TRAFFIC_SECRET_0',
  exporter: 'EXPORTER_SECRET',
  earlyExporter: 'EARLY_EXPORTER_SECRET',
} as const;

/** RFC 8446 §4.4.4: check a peer's Finished against the transcript so far, in constant time. */
export function verifyFinished(hash: HashAlgorithm, baseKey: Uint8Array, transcriptHash: Uint8Array, verifyData: Uint8Array, peer: string): void {
  if (verifyData.length !== hash.outputLen) throw tlsError('decode_error', `${peer} Finished of the wrong length`);
  if (!constantTimeEqual(finishedVerifyData(hash, baseKey, transcriptHash), verifyData)) {
    throw tlsError('decrypt_error', `${peer} Finished does not verify`);
  }
}

export interface ApplicationTrafficSecrets {
  master: MasterSecretStage;
  client: Uint8Array;
  server: Uint8Array;
  exporter: Uint8Array;
}

/** RFC 8446 §7.1: the application secrets, from the transcript through the server Finished; logged. */
export function deriveApplicationSecrets(ctx: HandshakeContext, hs: HandshakeSecretStage, transcriptHash: Uint8Array): ApplicationTrafficSecrets {
  const master = hs.master();
  const secrets = {
    master,
    client: master.clientApplicationTrafficSecret(transcriptHash),
    server: master.serverApplicationTrafficSecret(transcriptHash),
    exporter: master.exporterMasterSecret(transcriptHash),
  };
  ctx.keyLog(keyLogLabel.clientTraffic0, secrets.client);
  ctx.keyLog(keyLogLabel.serverTraffic0, secrets.server);
  ctx.keyLog(keyLogLabel.exporter, secrets.exporter);
  return secrets;
}

export interface HandshakeTrafficSecrets {
  stage: HandshakeSecretStage;
  client: Uint8Array;
  server: Uint8Array;
}

/** RFC 8446 §7.1: the handshake secrets from the (EC)DHE secret and the hash through ServerHello; logged. */
export function deriveHandshakeSecrets(
  ctx: HandshakeContext,
  early: EarlySecretStage,
  shared: Uint8Array | undefined,
  transcriptHash: Uint8Array,
): HandshakeTrafficSecrets {
  const stage = early.handshake(shared);
  shared?.fill(0);
  const secrets = {
    stage,
    client: stage.clientHandshakeTrafficSecret(transcriptHash),
    server: stage.serverHandshakeTrafficSecret(transcriptHash),
  };
  ctx.keyLog(keyLogLabel.clientHandshake, secrets.client);
  ctx.keyLog(keyLogLabel.serverHandshake, secrets.server);
  return secrets;
}

/**
 * Run a certificate verifier (it may be async, and it may be the application's own hook):
 * anything it throws that is not already a TlsError becomes bad_certificate (check 'verifier').
 */
export function runVerifier<T>(verify: () => T | Promise<T>, next: (verified: T) => Step): Step {
  const asError = (e: unknown): TlsError =>
    e instanceof TlsError ? e : certificateError('bad_certificate', 'verifier', e instanceof Error ? e.message : String(e), e);
  let result: T | Promise<T>;
  try {
    result = verify();
  } catch (e) {
    throw asError(e);
  }
  return whenReady(result instanceof Promise ? result.catch((e: unknown) => Promise.reject(asError(e))) : result, next);
}

/**
 * RFC 8446 §4.4.3: check a CertificateVerify signature with the provider's handshake verifier,
 * which may answer later (a pending step). Anything but `true`, a throw or a rejection included,
 * is decrypt_error.
 */
export function checkCertificateVerify(
  provider: CryptoProvider,
  v: { scheme: number; key: PublicKey; content: Uint8Array; signature: Uint8Array; failure: string },
  next: () => Step,
): Step {
  const verifier = provider.handshakeVerifier ?? provider.verifier;
  const bad = (cause?: unknown): TlsError =>
    tlsError('decrypt_error', v.failure, cause);
  let ok: boolean | Promise<boolean>;
  try {
    ok = verifier.verify(v.scheme, v.key, v.content, v.signature);
  } catch (e) {
    throw bad(e);
  }
  if (ok instanceof Promise) {
    const checked = ok.then(
      (r) => {
        if (r !== true) throw bad();
      },
      (e: unknown) => {
        throw e instanceof TlsError ? e : bad(e);
      },
    );
    return whenReady(checked, next);
  }
  if (ok !== true) throw bad();
  return next();
}

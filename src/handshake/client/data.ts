// Client: what is known at each step of the handshake (one phase record per state), and the
// helpers over them. RFC 8446 §2, §4.1-§4.4, Appendix D.4.

import type { CipherSuiteImpl, KeyExchange, PublicKey } from '../../crypto/provider.js';
import type { HandshakeSecretStage, Transcript } from '../../keyschedule/index.js';
import type { ClientHello, Extension } from '../../wire/types.js';
import { tlsError } from '../../errors.js';
import type { HandshakeContext } from '../common.js';
import type { SignatureVerified } from '../signature.js';
import type { TrafficHooks } from '../context.js';
import type { CertificateRequestInfo, OfferedPsk, ResolvedClientConfig } from './types.js';

export type { ClientCertificate, ResolvedClientConfig } from './types.js';

/** What lives through the whole handshake: the connection, the config, the transcript (what the connection hands `startClientHandshake`). */
export interface ClientBase {
  readonly ctx: HandshakeContext & TrafficHooks;
  readonly config: ResolvedClientConfig;
  readonly transcript: Transcript;
}

/** 0-RTT as the client knows it (RFC 8446 §4.2.10): not sent, sent, then accepted or rejected. */
export type ClientEarlyData = 'none' | 'sent' | 'accepted' | 'rejected';

/** ClientHello (or ClientHello2) sent: waiting for ServerHello or HelloRetryRequest. RFC 8446 §4.1.2. */
export interface ClientHelloSent extends ClientBase {
  /** The ClientHello as last sent. */
  readonly clientHello: ClientHello;
  /** Extension types we sent: anything else in a server message is unsolicited (RFC 8446 §4.2). */
  readonly sentExtensions: ReadonlySet<number>;
  readonly keyShares: readonly KeyExchange[];
  /** PSKs offered in the last ClientHello, in order. */
  readonly offeredPsks: readonly OfferedPsk[];
  readonly sentChangeCipherSpec: boolean;
  readonly earlyData: ClientEarlyData;
  /** After a HelloRetryRequest: the suite it chose, which ServerHello must keep (RFC 8446 §4.1.4). */
  readonly helloRetry?: { readonly cipherSuite: number };
}

/** ServerHello received: suite, handshake secrets, handshake read keys. RFC 8446 §4.1.3, §7.1. */
export interface AfterServerHello extends ClientBase {
  readonly sentExtensions: ReadonlySet<number>;
  readonly suite: CipherSuiteImpl;
  readonly handshakeSecrets: HandshakeSecretStage;
  readonly clientHandshakeSecret: Uint8Array;
  readonly serverHandshakeSecret: Uint8Array;
  readonly offeredPsks: readonly OfferedPsk[];
  /** The PSK the server selected (RFC 8446 §4.2.11). */
  readonly psk: OfferedPsk | undefined;
  readonly earlyData: ClientEarlyData;
  /** Our writes are under the client handshake traffic key. */
  readonly handshakeWriteKeys: boolean;
}

/** EncryptedExtensions received: 0-RTT decided. RFC 8446 §4.3.1. */
export type AfterEncryptedExtensions = Omit<AfterServerHello, 'offeredPsks'>;

/** The server asked for our certificate (RFC 8446 §4.3.2); we answer after its Finished. */
export interface AfterCertificateRequest extends AfterEncryptedExtensions {
  readonly certificateRequest: CertificateRequestInfo | undefined;
}

/** The server's Certificate received and its chain accepted: its key. RFC 8446 §4.4.2. */
export interface AfterCertificate extends AfterCertificateRequest {
  readonly serverPublicKey: PublicKey;
}

/** How the server proved itself: its PSK (RFC 8446 §2.2) or a verified CertificateVerify (§4.4.3). */
export type ServerAuthenticated = { readonly by: 'psk'; readonly psk: OfferedPsk } | { readonly by: 'certificate'; readonly proof: SignatureVerified };

/** Waiting for the server's Finished. RFC 8446 §4.4.4. */
export interface BeforeServerFinished extends AfterCertificateRequest {
  readonly serverAuth: ServerAuthenticated;
}

/** Extensions in a server message must be ones we sent (RFC 8446 §4.2): else unsupported_extension. */
export function checkSolicited(sent: ReadonlySet<number>, exts: Extension[], where: string): void {
  for (const e of exts) {
    if (!sent.has(e.type)) {
      throw tlsError('unsupported_extension', `unsolicited extension ${e.type} in ${where}`);
    }
  }
}

/** Our writes move to the client handshake traffic key (RFC 8446 §7.3), once; returns that they are there. */
export function installHandshakeWriteKeys(
  hs: Pick<AfterServerHello, 'ctx' | 'suite' | 'clientHandshakeSecret' | 'handshakeWriteKeys'>,
): true {
  if (!hs.handshakeWriteKeys) hs.ctx.setWriteKeys('handshake', hs.clientHandshakeSecret, hs.suite);
  return true;
}

/**
 * RFC 8446 Appendix D.4: in compatibility mode, one dummy change_cipher_spec (callers say
 * when). Returns whether it has been sent now or before.
 */
export function sendCompatChangeCipherSpec(hs: ClientBase, sent: boolean): boolean {
  if (!hs.config.middleboxCompat || sent) return sent;
  hs.ctx.sendChangeCipherSpec();
  return true;
}

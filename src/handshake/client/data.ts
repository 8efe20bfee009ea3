// What the client handshake carries from state to state.

import type { CipherSuiteImpl, KeyExchange, PublicKey } from '../../crypto/provider.js';
import type { HandshakeSecretStage } from '../../keyschedule/index.js';
import { Transcript } from '../../keyschedule/index.js';
import type { ServerCertificateVerifier } from '../../x509/verify.js';
import type { ClientHello, Extension } from '../../wire/types.js';
import { AlertDescription, TlsError } from '../../errors.js';
import type { HandshakeContext } from '../common.js';
import type { TrafficHooks } from '../traffic.js';

/** ClientConfig with every default filled in. */
export interface ResolvedClientConfig {
  serverName: string | undefined;
  /** SNI to send: undefined for IP literals (RFC 6066 §3). */
  sniHostName: string | undefined;
  cipherSuites: number[];
  groups: number[];
  keyShareGroups: number[];
  signatureSchemes: number[];
  alpn: Uint8Array[];
  verifier: ServerCertificateVerifier | undefined;
  middleboxCompat: boolean;
  recordSizeLimit: number | undefined;
}

export interface ClientHandshake {
  readonly ctx: HandshakeContext & TrafficHooks;
  readonly config: ResolvedClientConfig;
  readonly transcript: Transcript;
  /** The ClientHello as last sent (ClientHello2 after a HelloRetryRequest). */
  clientHello: ClientHello;
  /** Extension types we sent: anything else in a server message is unsolicited (RFC 8446 §4.2). */
  sentExtensions: Set<number>;
  keyShares: KeyExchange[];
  sentChangeCipherSpec: boolean;
  helloRetry?: { cipherSuite: number };
  suite?: CipherSuiteImpl;
  handshakeSecrets?: HandshakeSecretStage;
  clientHandshakeSecret?: Uint8Array;
  serverHandshakeSecret?: Uint8Array;
  /** Set by a CertificateRequest: the context to echo (RFC 8446 §4.3.2). */
  certificateRequestContext?: Uint8Array;
  serverPublicKey?: PublicKey;
}

/** Extensions in a server message must be ones we sent (RFC 8446 §4.2): else unsupported_extension. */
export function checkSolicited(hs: ClientHandshake, exts: Extension[], where: string): void {
  for (const e of exts) {
    if (!hs.sentExtensions.has(e.type)) {
      throw new TlsError(AlertDescription.unsupported_extension, `unsolicited extension ${e.type} in ${where}`);
    }
  }
}

// Client: the types the client states share (no behaviour). RFC 8446 §4.2.11, §4.3.2, §4.6.2.

import type { HashAlgorithm, SigningKey } from '../../crypto/provider.js';
import type { ClientSession, ExternalPsk } from '../../resumption/types.js';
import type { ServerCertificateVerifier } from '../../x509/verify.js';
import type { CertificateRequest } from '../../wire/types.js';
import type { Step } from '../state.js';

/** A certificate chain (leaf first) and its key, for client authentication. */
export interface ClientCertificate {
  chain: Uint8Array[];
  key: SigningKey;
}

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
  /** 'insecure': explicitly skipped; undefined: none configured (a PSK-only client). */
  verifier: ServerCertificateVerifier | 'insecure' | undefined;
  /** The verifier is given `serverName` to check (false: the explicit opt-out). */
  verifyServerName: boolean;
  middleboxCompat: boolean;
  recordSizeLimit: number | undefined;
  pskModes: number[];
  externalPsks: ExternalPsk[];
  /** The session to resume, if any (from `session` or taken from the cache). */
  session: ClientSession | undefined;
  earlyData: Uint8Array | undefined;
  clientCertificates: ClientCertificate[];
  postHandshakeAuth: boolean;
  /** Post-handshake CertificateRequests answered on one connection (limits). */
  maxPostHandshakeCertificateRequests: number;
  requestOcsp: boolean;
}

/** One PSK offered in the ClientHello. */
export interface OfferedPsk {
  identity: Uint8Array;
  obfuscatedTicketAge: number;
  psk: Uint8Array;
  hash: HashAlgorithm;
  external: boolean;
  /** For resumption: the session the ticket came with. */
  session?: ClientSession;
}

/** What a CertificateRequest asks for. */
export interface CertificateRequestInfo {
  context: Uint8Array;
  schemes: number[];
  /** DER names; when empty, every issuer will do. */
  authorities: Uint8Array[];
}

/** Answers a post-handshake CertificateRequest (RFC 8446 §4.6.2); `resume()` gives the traffic state back. */
export type CertificateRequestHandler = (msg: CertificateRequest, raw: Uint8Array, resume: () => Step) => Step;

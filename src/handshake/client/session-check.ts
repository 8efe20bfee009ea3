// Client: which session may be offered. RFC 8446 §4.6.1 (RFC 9846 §4.7.1): "Clients MUST only
// resume if the new SNI value is valid for the server certificate presented in the original
// session". A session is offered only when a full handshake by this client would accept what it
// carries: the same verification policy, a leaf not expired, its chain accepted for this name.

import type { ClientSession, ServerAuthentication } from '../../resumption/types.js';
import { parseCertificate } from '../../x509/certificate.js';
import type { ServerCertificateVerifier } from '../../x509/verify.js';
import type { ResolvedClientConfig } from './data.js';

/** The verifier that accepted a session's chain, and for which name. */
export interface Verification {
  verifier: ServerCertificateVerifier;
  serverName: string | undefined;
  /** The verifier was given `serverName` (not `verifyServerName: false`). */
  nameChecked: boolean;
}

/** Sessions this engine made under a verifier (a copy or a session file carries none: checked again). */
const verifiedBy = new WeakMap<ClientSession, Verification>();

type PolicyConfig = Pick<ResolvedClientConfig, 'verifier' | 'serverName' | 'verifyServerName'>;

/** The client's verification policy, as the session cache keys it. */
export function clientPolicy(config: Pick<ResolvedClientConfig, 'verifier'>): ServerAuthentication {
  if (config.verifier === 'insecure') return 'insecure';
  return config.verifier ? 'certificate' : 'psk';
}

/** What a certificate this client accepts rests on; undefined without a verifier. */
export function verificationOf(config: PolicyConfig): Verification | undefined {
  const v = config.verifier;
  if (v === undefined || v === 'insecure') return undefined;
  return { verifier: v, serverName: config.serverName, nameChecked: nameChecked(config) };
}

export function recordVerification(session: ClientSession, by: Verification): void {
  verifiedBy.set(session, by);
}

const nameChecked = (c: PolicyConfig): boolean => c.verifyServerName && c.serverName !== undefined;

/** Server names compare case-insensitively, without a trailing dot; absent and '' are the same. */
function sameName(a: string | undefined, b: string | undefined): boolean {
  const norm = (n: string | undefined): string => (n ?? '').toLowerCase().replace(/\.$/, '');
  return norm(a) === norm(b);
}

/**
 * `session` when this client may offer it, else undefined (a full handshake follows; no error).
 * Answers later when the verifier is asynchronous; never rejects.
 */
export function usableSession(
  session: ClientSession,
  config: PolicyConfig & Pick<ResolvedClientConfig, 'signatureSchemes'>,
  now: Date,
): ClientSession | undefined | Promise<ClientSession | undefined> {
  const leafDer = session.peerCertificates[0];
  // RFC 5280 §4.1.2.5: a certificate past its notAfter authenticates nothing, resumed or not.
  if (leafDer !== undefined) {
    let notAfter: Date;
    try {
      notAfter = parseCertificate(leafDer).notAfter;
    } catch {
      return undefined;
    }
    if (now.getTime() > notAfter.getTime()) return undefined;
  }
  const auth = session.serverAuth;
  const verifier = config.verifier;
  // insecureSkipVerify checks no certificate: every session made for this name.
  if (verifier === 'insecure') return sameName(session.serverName, config.serverName) ? session : undefined;
  // A PSK-only client accepts no certificate: only sessions that rest on an external PSK.
  if (verifier === undefined) {
    const pskOnly = (auth === 'psk' || auth === undefined) && leafDer === undefined;
    return pskOnly && sameName(session.serverName, config.serverName) ? session : undefined;
  }
  // A verifying client: never a session whose chain went unchecked (insecure) or that has none.
  if ((auth !== 'certificate' && auth !== undefined) || leafDer === undefined) return undefined;
  const by = verifiedBy.get(session);
  if (
    auth === 'certificate' &&
    by !== undefined &&
    by.verifier === verifier &&
    sameName(by.serverName, config.serverName) &&
    (by.nameChecked || !nameChecked(config))
  ) {
    return session;
  }
  // Another verifier, another name, or nothing recorded: the chain must pass this verifier, for
  // this name, now (RFC 8446 §4.6.1). No OCSP staple is kept: a verifier that requires one refuses.
  let verified: unknown;
  try {
    verified = verifier.verify({
      chain: session.peerCertificates,
      now,
      signatureAlgorithmsCert: config.signatureSchemes,
      ...(nameChecked(config) ? { serverName: config.serverName } : {}),
    });
  } catch {
    return undefined;
  }
  if (verified instanceof Promise) {
    return verified.then(
      () => session,
      () => undefined,
    );
  }
  return session;
}

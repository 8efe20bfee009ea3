// Verifier hooks: an application's own policy on top of a verifier (which may be async).
//
//   const verifier = withPolicy(new WebPkiClientVerifier({ trustAnchors, verifier: nobleProvider.verifier }),
//     async ({ identity }) => await acl.allows(identity?.spiffeId));
//
// The policy runs after the chain verified and sees the VerifiedChain (with `identity`) and the
// verifier input. It accepts by returning true or nothing; it rejects by returning false
// (access_denied, check 'policy': RFC 8446 §6.2 "a valid certificate … was received, but when
// access control was applied, the sender decided not to proceed") or by throwing: a TlsError
// (e.g. a CertificateError) keeps its alert, anything else becomes access_denied / 'policy'.

import { TlsError, certificateError } from '../errors.js';
import type { ClientCertificateVerifier } from './client-verify.js';
import type { CertificateVerifierInput, ServerCertificateVerifier, VerifiedChain } from './verify.js';

/** Client-certificate inputs are server-certificate inputs without a server name. */
export type AnyVerifierInput = CertificateVerifierInput;

export type ChainPolicy = (verified: VerifiedChain, input: AnyVerifierInput) => void | boolean | Promise<void | boolean>;

type AnyVerifier = ServerCertificateVerifier | ClientCertificateVerifier;

function rejected(e: unknown): TlsError {
  if (e instanceof TlsError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return certificateError('access_denied', 'policy', message, e);
}

const isPromise = <T>(v: T | Promise<T>): v is Promise<T> => v instanceof Promise;

/** A verifier followed by policies, in order; usable on either side. Synchronous when they all are. */
export class ComposedVerifier implements ServerCertificateVerifier, ClientCertificateVerifier {
  constructor(
    private readonly inner: AnyVerifier,
    private readonly policies: readonly ChainPolicy[],
  ) {}

  /** The inner verifier's certificate_authorities (client verifiers). */
  get authorities(): readonly Uint8Array[] | undefined {
    return 'authorities' in this.inner ? this.inner.authorities : undefined;
  }

  verify(input: AnyVerifierInput): VerifiedChain | Promise<VerifiedChain> {
    const first = (this.inner as ServerCertificateVerifier).verify(input);
    return isPromise(first) ? first.then((v) => this.apply(v, input, 0)) : this.apply(first, input, 0);
  }

  private apply(verified: VerifiedChain, input: AnyVerifierInput, from: number): VerifiedChain | Promise<VerifiedChain> {
    for (let i = from; i < this.policies.length; i++) {
      let r: void | boolean | Promise<void | boolean>;
      try {
        r = this.policies[i]!(verified, input);
      } catch (e) {
        throw rejected(e);
      }
      if (isPromise(r)) {
        return r.then(
          (ok) => {
            if (ok === false) throw rejected(new Error('rejected by policy'));
            return this.apply(verified, input, i + 1);
          },
          (e: unknown) => Promise.reject(rejected(e)),
        );
      }
      if (r === false) throw rejected(new Error('rejected by policy'));
    }
    return verified;
  }
}

/** `verifier`, then each policy on the verified chain. */
export function withPolicy(verifier: AnyVerifier, ...policies: ChainPolicy[]): ComposedVerifier {
  return new ComposedVerifier(verifier, policies);
}

/**
 * A policy admitting only peers whose SPIFFE ID (see PeerIdentity) is listed, matches the
 * pattern, or is in the trust domain given as "spiffe://domain" (with no path).
 */
export function requireSpiffeId(allowed: string | RegExp | readonly string[]): ChainPolicy {
  const ok = (id: string): boolean => {
    if (allowed instanceof RegExp) return allowed.test(id);
    const list = typeof allowed === 'string' ? [allowed] : allowed;
    return list.some((a) => a === id || (/^spiffe:\/\/[^/]+$/.test(a) && id.startsWith(a + '/')));
  };
  return ({ identity }) => {
    const id = identity?.spiffeId;
    if (id === undefined) throw certificateError('access_denied', 'policy', 'the peer certificate has no SPIFFE ID');
    if (!ok(id)) throw certificateError('access_denied', 'policy', `SPIFFE ID ${id} is not allowed`);
  };
}

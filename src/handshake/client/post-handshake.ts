// Client: post-handshake authentication (RFC 8446 §4.6.2), when we offered post_handshake_auth.

import { finishedVerifyData } from '../../keyschedule/index.js';
import { HandshakeType } from '../../wire/codepoints.js';
import { readCertificateRequest, sendClientCertificate } from './client-auth.js';
import type { CipherSuiteImpl } from '../../crypto/provider.js';
import type { ClientBase } from './data.js';
import type { CertificateRequestHandler } from './types.js';

export type { CertificateRequestHandler } from './types.js';
import { tlsError } from '../../errors.js';

/**
 * Called when the handshake completes: the transcript then ends with our Finished, which is
 * the base of every later request (RFC 8446 §4.4: "client Finished + CertificateRequest").
 */
export function postHandshakeAuth(hs: ClientBase & { readonly suite: CipherSuiteImpl }): CertificateRequestHandler | undefined {
  if (!hs.config.postHandshakeAuth) return undefined;
  // Only these outlive the handshake (not `hs`: its secrets, key shares and ClientHello go).
  const { ctx } = hs;
  const certificates = hs.config.clientCertificates;
  const base = hs.transcript.fork();
  const hash = hs.suite.hash;
  const maxRequests = hs.config.maxPostHandshakeCertificateRequests;
  let requests = 0;
  return (msg, raw, resume) => {
    // Each request costs a signature: a bound, like tickets and KeyUpdates (the RFC sets none).
    if (++requests > maxRequests) throw tlsError('unexpected_message', 'too many post-handshake CertificateRequests');
    // RFC 8446 §4.3.2: a post-handshake request carries a non-empty context.
    if (msg.certificateRequestContext.length === 0) throw tlsError('illegal_parameter', 'post-handshake CertificateRequest with an empty context');
    const transcript = base.fork();
    transcript.add(raw);
    return sendClientCertificate(ctx, transcript, readCertificateRequest(msg), certificates, () => {
      // RFC 8446 §4.4.4: the Finished key comes from client_application_traffic_secret_N.
      const verifyData = finishedVerifyData(hash, ctx.trafficSecret('write'), transcript.current());
      ctx.send({ msgType: HandshakeType.finished, verifyData });
      return resume();
    });
  };
}

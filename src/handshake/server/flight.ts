// Server: the server's flight, one function per message: ServerHello, EncryptedExtensions,
// CertificateRequest, Certificate, CertificateVerify, Finished. RFC 8446 §4.1.3, §4.3, §4.4, §7.1.

import { EarlySecretStage, finishedVerifyData } from '../../keyschedule/index.js';
import type { KeyExchange, SigningKey } from '../../crypto/provider.js';
import { CertificateStatusType, ExtensionType, HandshakeType, groupName, schemeName } from '../../wire/codepoints.js';
import {
  EMPTY,
  encodeAlpnList,
  encodeCertificateStatus,
  encodeKeyShareServer,
  encodePreSharedKeyServer,
  encodeRecordSizeLimit,
} from '../../wire/extensions.js';
import type { Extension } from '../../wire/types.js';
import { nameToString } from '../../util/bytes.js';
import { whenReady, type Step } from '../state.js';
import { certificateVerifyContent } from '../signature.js';
import { deriveApplicationSecrets, deriveHandshakeSecrets, keyLogLabel } from '../secrets.js';
import { sendCompatChangeCipherSpec, sendServerHelloMessage, type AfterServerFinished, type AfterServerHello, type ServerBase, type ServerChoices } from './data.js';
import { ExpectClientCertificate, certificateRequest } from './client-auth.js';
import { ExpectClientFinished } from './client-finished.js';
import { ExpectEndOfEarlyData, earlyDataInFirstHello, earlyDataSkipLimit } from './early-data.js';
import { chainValidity } from './psk.js';
import type { ClientAuthPolicy } from './types.js';

/** The certificate we authenticate with (RFC 8446 §4.4.2). */
type ServerCertificate = { chain: Uint8Array[]; key: SigningKey };

/** What our CertificateRequest asked for (RFC 8446 §4.3.2). */
interface CertificateAsked {
  policy: ClientAuthPolicy;
  schemes: number[];
  certSchemes: number[];
}

/**
 * The flight after ClientHello (Go's sendServerParameters, sendServerCertificate,
 * sendServerFinished): the key exchange (an async provider makes it a pending step), then one
 * function per message.
 */
export function sendServerFlight(hs: ServerBase, chosen: ServerChoices): Step {
  const { suite, group, clientShare, psk, earlyDataAccepted } = chosen;
  const ctx = hs.ctx;
  const early = new EarlySecretStage(suite.hash, psk?.psk);
  // RFC 8446 §7.1: the client early traffic secret hashes the ClientHello alone.
  const clientEarlySecret = earlyDataAccepted ? early.clientEarlyTrafficSecret(hs.transcript.current()) : undefined;
  if (earlyDataAccepted) ctx.setEarlyExporter(suite.hash, early.earlyExporterMasterSecret(hs.transcript.current()));
  // RFC 8446 §4.2.8: our share and the shared secret; an async provider makes each a pending step.
  const started = group && clientShare ? group.start(ctx.provider.random) : undefined;
  return whenReady(started, (kx) =>
    whenReady(kx && clientShare ? kx.complete(clientShare.keyExchange) : undefined, (shared) => {
      sendServerHello(hs, chosen, kx);
      const sentChangeCipherSpec = sendCompatChangeCipherSpec(ctx, chosen.ch, chosen.retry?.sentChangeCipherSpec ?? false);
      const keyed = establishHandshakeKeys(hs, chosen, early, clientEarlySecret, shared, sentChangeCipherSpec);
      sendEncryptedExtensions(keyed, chosen);
      // RFC 8446 §4.3.2: ask for a client certificate (never in a PSK handshake).
      const policy = hs.config.clientAuth;
      const asked = policy && policy.mode !== 'none' && !psk ? sendCertificateRequest(keyed, policy) : undefined;
      // RFC 8446 §2.2: a PSK handshake does not authenticate with certificates.
      const certificate = hs.config.certificate;
      const scheme = chosen.scheme;
      if (psk || scheme === undefined || !certificate) return expectClientFlight(sendServerFinished(keyed), asked);
      sendCertificate(keyed, chosen, certificate);
      return sendCertificateVerify(keyed, certificate, scheme, () => expectClientFlight(sendServerFinished(keyed), asked));
    }),
  );
}

/** RFC 8446 §4.1.3 */
function sendServerHello(hs: ServerBase, { ch, suite, psk, group }: ServerChoices, kx: KeyExchange | undefined): void {
  const extensions: Extension[] = [];
  if (psk) extensions.push({ type: ExtensionType.pre_shared_key, data: encodePreSharedKeyServer(psk.index) });
  if (kx && group) extensions.push({ type: ExtensionType.key_share, data: encodeKeyShareServer({ group: group.id, keyExchange: kx.publicKey }) });
  sendServerHelloMessage(hs, ch, suite, extensions, false);
}

/** RFC 8446 §7.1, §7.3: the handshake secrets; our writes under the handshake key, reads under the early or handshake key. */
function establishHandshakeKeys(
  hs: ServerBase,
  chosen: ServerChoices,
  early: EarlySecretStage,
  clientEarlySecret: Uint8Array | undefined,
  shared: Uint8Array | undefined,
  sentChangeCipherSpec: boolean,
): AfterServerHello {
  const { ctx } = hs;
  const { offer, suite, psk, group, scheme, earlyDataAccepted } = chosen;
  const { stage: handshakeSecrets, client: chts, server: shts } = deriveHandshakeSecrets(ctx, early, shared, hs.transcript.current());
  ctx.setWriteKeys('handshake', shts, suite);
  const acceptedEarly = earlyDataAccepted ? hs.config.earlyData : undefined;
  if (clientEarlySecret && acceptedEarly) {
    ctx.keyLog(keyLogLabel.clientEarly, clientEarlySecret);
    ctx.setReadKeys('early', clientEarlySecret, suite);
    ctx.acceptEarlyData(acceptedEarly.maxEarlyDataSize);
  } else {
    ctx.setReadKeys('handshake', chts, suite);
    // RFC 8446 §4.2.10: rejected 0-RTT records fail to decrypt and are skipped, up to the limit.
    if (offer.earlyData) ctx.skipEarlyData('undecryptable', earlyDataSkipLimit(hs));
  }
  const keyed: AfterServerHello = {
    ctx,
    config: hs.config,
    transcript: hs.transcript,
    suite,
    psk,
    alpn: chosen.alpn && nameToString(chosen.alpn),
    serverName: offer.serverName,
    peerCertificates: psk?.state?.peerCertificates ?? [],
    peerNotAfter: psk?.peerNotAfter,
    handshakeSecrets,
    clientHandshakeSecret: chts,
    serverHandshakeSecret: shts,
    earlyDataAccepted,
    postHandshakeAuth: offer.postHandshakeAuth,
    sentChangeCipherSpec,
  };
  ctx.negotiated({
    cipherSuite: suite.id,
    cipherSuiteName: suite.name,
    group: group?.id,
    groupName: group && groupName(group.id),
    signatureScheme: scheme,
    signatureSchemeName: scheme === undefined ? undefined : schemeName(scheme),
    alpn: keyed.alpn,
    serverName: offer.serverName,
    resumed: psk !== undefined && !psk.external,
    pskIdentity: psk?.identity,
    peerCertificates: keyed.peerCertificates,
    earlyData: earlyDataAccepted ? 'accepted' : offer.earlyData || earlyDataInFirstHello(chosen.retry) ? 'rejected' : 'none',
  });
  return keyed;
}

/** RFC 8446 §4.3.1 */
function sendEncryptedExtensions(hs: AfterServerHello, { offer, alpn }: ServerChoices): void {
  const ee: Extension[] = [];
  if (offer.recordSizeLimit !== undefined) {
    hs.ctx.peerRecordSizeLimit(offer.recordSizeLimit);
    if (hs.config.recordSizeLimit !== undefined) {
      ee.push({ type: ExtensionType.record_size_limit, data: encodeRecordSizeLimit(hs.config.recordSizeLimit) });
    }
  }
  // RFC 6066 §3: an empty server_name acknowledges that the name was used.
  if (offer.serverName !== undefined) ee.push({ type: ExtensionType.server_name, data: EMPTY });
  if (alpn) ee.push({ type: ExtensionType.application_layer_protocol_negotiation, data: encodeAlpnList([alpn]) });
  if (hs.earlyDataAccepted) ee.push({ type: ExtensionType.early_data, data: EMPTY });
  hs.transcript.add(hs.ctx.send({ msgType: HandshakeType.encrypted_extensions, extensions: ee }));
}

/** RFC 8446 §4.3.2: in the handshake the request context is empty. */
function sendCertificateRequest(hs: AfterServerHello, policy: ClientAuthPolicy): CertificateAsked {
  const request = certificateRequest(hs, policy, EMPTY);
  hs.transcript.add(hs.ctx.send(request.message));
  return { policy, schemes: request.schemes, certSchemes: request.certSchemes };
}

/** RFC 8446 §4.4.2 */
function sendCertificate(hs: AfterServerHello, { offer }: ServerChoices, certificate: ServerCertificate): void {
  const ocspResponse = hs.config.ocspResponse;
  hs.transcript.add(
    hs.ctx.send({
      msgType: HandshakeType.certificate,
      certificateRequestContext: EMPTY,
      // RFC 8446 §4.4.2.1: staple the OCSP response on the leaf when the client asked for one.
      certificateList: certificate.chain.map((der, i) => ({
        data: der,
        extensions:
          i === 0 && offer.statusRequest && ocspResponse
            ? [
                {
                  type: ExtensionType.status_request,
                  data: encodeCertificateStatus({ statusType: CertificateStatusType.ocsp, ocspResponse }),
                },
              ]
            : [],
      })),
    }),
  );
}

/** RFC 8446 §4.4.3: the signature may come from an async signer (WebCrypto, KMS, HSM). */
function sendCertificateVerify(hs: AfterServerHello, certificate: ServerCertificate, scheme: number, next: () => Step): Step {
  const content = certificateVerifyContent('server', hs.transcript.current());
  return whenReady(certificate.key.signer(scheme).sign(content), (signature) => {
    hs.transcript.add(hs.ctx.send({ msgType: HandshakeType.certificate_verify, algorithm: scheme, signature }));
    return next();
  });
}

/** RFC 8446 §4.4.4; §7.1: the application secrets, from the transcript through our Finished. */
function sendServerFinished(hs: AfterServerHello): AfterServerFinished {
  const { ctx, suite } = hs;
  const verifyData = finishedVerifyData(suite.hash, hs.serverHandshakeSecret, hs.transcript.current());
  hs.transcript.add(ctx.send({ msgType: HandshakeType.finished, verifyData }));
  const { master, client: cats, server: sats, exporter: ems } = deriveApplicationSecrets(ctx, hs.handshakeSecrets, hs.transcript.current());
  ctx.setWriteKeys('application', sats, suite);
  const { handshakeSecrets: _secrets, serverHandshakeSecret: _shts, ...rest } = hs;
  return { ...rest, master, clientApplicationSecret: cats, serverApplicationSecret: sats, exporterMasterSecret: ems };
}

/** What comes from the client next: EndOfEarlyData (RFC 8446 §4.5), its certificate (§4.4.2), or its Finished. */
function expectClientFlight(hs: AfterServerFinished, asked: CertificateAsked | undefined): Step {
  if (hs.earlyDataAccepted) return new ExpectEndOfEarlyData(hs);
  if (!asked) return new ExpectClientFinished(hs);
  return new ExpectClientCertificate({
    ctx: hs.ctx,
    policy: asked.policy,
    transcript: hs.transcript,
    context: EMPTY,
    schemes: asked.schemes,
    certSchemes: asked.certSchemes,
    next: (answer) => {
      const peerCertificates = answer.presented;
      hs.ctx.negotiated({ peerCertificates });
      return new ExpectClientFinished({ ...hs, peerCertificates, peerNotAfter: answer.verified && chainValidity(answer.verified).until });
    },
  });
}

// The client facing a misbehaving server: ServerHello, HelloRetryRequest, and the encrypted
// flight (EncryptedExtensions, CertificateRequest, Certificate, CertificateVerify, Finished).

import { ContentType, ExtensionType, HandshakeType, NamedGroup, SignatureScheme } from '../../../src/wire/codepoints.js';
import {
  EMPTY,
  encodeAlpnList,
  encodeCookie,
  encodeKeyShareHrr,
  encodeKeyShareServer,
  encodePreSharedKeyServer,
  encodeSupportedVersionsServer,
} from '../../../src/wire/extensions.js';
import { HELLO_RETRY_REQUEST_RANDOM } from '../../../src/wire/messages.js';
import type { HandshakeMessage, ServerHello } from '../../../src/wire/types.js';
import { secp256r1Group } from '../../../src/crypto/noble/index.js';
import { utf8 } from '../../../src/util/bytes.js';
import { record, splitRecords } from '../../helpers/scripted.js';
import { dropExt, flip, hs, isHRR, isSH, pair, replaceFirst, sends, setExt, type Case, type MessageOf } from './harness.js';

const E = ExtensionType;
const sh = (f: (m: ServerHello) => HandshakeMessage) => ({ server: sends((m) => (isSH(m) ? f(m) : m)) });
const hrr = (f: (m: ServerHello) => HandshakeMessage) => sends((m) => (isHRR(m) ? f(m) : m));
const replace = <T extends HandshakeMessage['msgType']>(type: T, f: (m: MessageOf<T>) => HandshakeMessage) => ({ server: sends(replaceFirst(type, f)) });
/** The server adds `{ type, data }` to its EncryptedExtensions. */
const eeWith = (type: number, data: Uint8Array) => replace(HandshakeType.encrypted_extensions, (m) => ({ ...m, extensions: [...m.extensions, { type, data }] }));
/** Client offers x25519 only as a share, the server wants secp256r1: a HelloRetryRequest follows. */
const retrying = { client: { groups: [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1], keyShareGroups: [NamedGroup.x25519] } };
/** After that HelloRetryRequest, the server's ServerHello is rewritten by `f`. */
const afterRetry = (f: (m: ServerHello) => HandshakeMessage) => ({ ...retrying, server: { groups: [NamedGroup.secp256r1], ...sends((m) => (isSH(m) ? f(m) : m)) } });
const asHrr = (m: ServerHello, extensions: ServerHello['extensions']): ServerHello => ({ ...m, random: HELLO_RETRY_REQUEST_RANDOM, isHelloRetryRequest: true, extensions });

export const serverHelloCases: Case[] = [
  {
    title: 'HTTP instead of a ServerHello',
    rfc: 'RFC 9846 §5.1, §6 (RFC 8446 §5.1)',
    detector: 'client',
    alert: 'decode_error',
    plaintext: true,
    run: () => pair({ toClient: () => utf8('HTTP/1.1 400 Bad Request\r\n\r\n') }),
  },
  {
    title: 'a truncated ServerHello (extensions short of their length)',
    rfc: 'RFC 9846 §6 (RFC 8446 §6.2 decode_error)',
    detector: 'client',
    alert: 'decode_error',
    plaintext: true,
    run: () =>
      pair({
        toClient: (b, n) => {
          if (n > 0) return b;
          const [first] = splitRecords(b);
          const body = first!.slice(5, first!.length - 1);
          body[3] = body[3]! - 1;
          return record(ContentType.handshake, body);
        },
      }),
  },
  {
    title: 'ServerHello without supported_versions (TLS 1.2)',
    rfc: 'RFC 9846 §D.1 (RFC 8446 §4.2.1)',
    detector: 'client',
    alert: 'protocol_version',
    plaintext: true,
    run: () => pair(sh((m) => ({ ...m, extensions: dropExt(m.extensions, E.supported_versions) }))),
  },
  {
    title: 'the TLS 1.2 downgrade sentinel in ServerHello.random',
    rfc: 'RFC 9846 §4.2.3 (RFC 8446 §4.1.3)',
    detector: 'client',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () =>
      pair(
        sh((m) => {
          const random = m.random.slice();
          random.set([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01], 24);
          return { ...m, random, extensions: dropExt(m.extensions, E.supported_versions) };
        }),
      ),
  },
  {
    title: 'supported_versions selecting TLS 1.2',
    rfc: 'RFC 9846 §4.3.1 (RFC 8446 §4.2.1)',
    detector: 'client',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => pair(sh((m) => ({ ...m, extensions: setExt(m.extensions, E.supported_versions, encodeSupportedVersionsServer(0x0303)) }))),
  },
  {
    title: 'ServerHello.legacy_version other than 0x0303',
    rfc: 'RFC 9846 §4.2.3, §D.5',
    detector: 'client',
    alert: 'protocol_version',
    plaintext: true,
    run: () => pair(sh((m) => ({ ...m, legacyVersion: 0x0304 }))),
  },
  {
    title: 'legacy_session_id_echo that does not match',
    rfc: 'RFC 9846 §4.2.3 (RFC 8446 §4.1.3)',
    detector: 'client',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => pair(sh((m) => ({ ...m, legacySessionIdEcho: new Uint8Array(32).fill(7) }))),
  },
  {
    title: 'a cipher suite that was not offered',
    rfc: 'RFC 9846 §4.2.3 (RFC 8446 §4.1.3)',
    detector: 'client',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => pair({ client: { cipherSuites: [0x1301] }, ...sh((m) => ({ ...m, cipherSuite: 0x1303 })) }),
  },
  {
    title: 'legacy_compression_method other than 0',
    rfc: 'RFC 9846 §4.2.3 (RFC 8446 §4.1.3)',
    detector: 'client',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => pair(sh((m) => ({ ...m, legacyCompressionMethod: 1 }))),
  },
  {
    title: 'an unknown extension in ServerHello',
    rfc: 'RFC 9846 §4.3 (RFC 8446 §4.2: responses only to requests)',
    detector: 'client',
    alert: 'unsupported_extension',
    plaintext: true,
    run: () => pair(sh((m) => ({ ...m, extensions: [...m.extensions, { type: 0x7777, data: EMPTY }] }))),
  },
  {
    title: 'an unsolicited pre_shared_key in ServerHello',
    rfc: 'RFC 9846 §4.3 (RFC 8446 §4.2)',
    detector: 'client',
    alert: 'unsupported_extension',
    plaintext: true,
    run: () => pair(sh((m) => ({ ...m, extensions: [...m.extensions, { type: E.pre_shared_key, data: encodePreSharedKeyServer(0) }] }))),
  },
  {
    title: 'an extension not allowed in ServerHello (cookie)',
    rfc: 'RFC 9846 §4.3 table (RFC 8446 §4.2)',
    detector: 'client',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => pair(sh((m) => ({ ...m, extensions: [...m.extensions, { type: E.cookie, data: encodeCookie(Uint8Array.of(9)) }] }))),
  },
  {
    title: 'a key_share for a group the client sent no share for',
    rfc: 'RFC 9846 §4.3.8 (RFC 8446 §4.2.8)',
    detector: 'client',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () =>
      pair(sh((m) => ({ ...m, extensions: setExt(m.extensions, E.key_share, encodeKeyShareServer({ group: NamedGroup.secp256r1, keyExchange: secp256r1Group.start((b) => b.fill(4)).publicKey })) }))),
  },
  {
    title: 'ServerHello without key_share (no PSK)',
    rfc: 'RFC 9846 §4.3.8, §9.2 (RFC 8446 §4.2.8)',
    detector: 'client',
    alert: 'missing_extension',
    plaintext: true,
    run: () => pair(sh((m) => ({ ...m, extensions: dropExt(m.extensions, E.key_share) }))),
  },
  {
    title: 'an x25519 server share of all zeros (zero shared secret)',
    rfc: 'RFC 9846 §7.4.2 (RFC 8446 §7.4.2)',
    detector: 'client',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () =>
      pair({
        client: { groups: [NamedGroup.x25519], keyShareGroups: [NamedGroup.x25519] },
        ...sh((m) => ({ ...m, extensions: setExt(m.extensions, E.key_share, encodeKeyShareServer({ group: NamedGroup.x25519, keyExchange: new Uint8Array(32) })) })),
      }),
  },
  // ---- HelloRetryRequest ----
  {
    title: 'a HelloRetryRequest that would not change the ClientHello',
    rfc: 'RFC 9846 §4.2.4 (RFC 8446 §4.1.4)',
    detector: 'client',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => pair({ server: { requireCookie: true, ...hrr((m) => ({ ...m, extensions: dropExt(m.extensions, E.cookie) })) } }),
  },
  {
    title: 'a HelloRetryRequest selecting a group the client already sent a share for',
    rfc: 'RFC 9846 §4.3.8 (RFC 8446 §4.2.8)',
    detector: 'client',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () =>
      pair({
        client: { keyShareGroups: [NamedGroup.x25519] },
        server: { requireCookie: true, ...hrr((m) => ({ ...m, extensions: setExt(m.extensions, E.key_share, encodeKeyShareHrr(NamedGroup.x25519)) })) },
      }),
  },
  {
    title: 'a HelloRetryRequest selecting a group not in supported_groups',
    rfc: 'RFC 9846 §4.3.8 (RFC 8446 §4.2.8)',
    detector: 'client',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () =>
      pair({
        client: { groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShareGroups: [NamedGroup.x25519] },
        server: { groups: [NamedGroup.secp256r1], ...hrr((m) => ({ ...m, extensions: setExt(m.extensions, E.key_share, encodeKeyShareHrr(NamedGroup.x448)) })) },
      }),
  },
  {
    title: 'a second HelloRetryRequest',
    rfc: 'RFC 9846 §4.2.4 (RFC 8446 §4.1.4)',
    detector: 'client',
    alert: 'unexpected_message',
    plaintext: true,
    run: () =>
      pair(
        afterRetry((m) =>
          asHrr(m, [
            { type: E.key_share, data: encodeKeyShareHrr(NamedGroup.secp384r1) },
            { type: E.supported_versions, data: encodeSupportedVersionsServer(0x0304) },
          ]),
        ),
      ),
  },
  {
    title: 'a ServerHello after HelloRetryRequest with another cipher suite',
    rfc: 'RFC 9846 §4.2.4 (RFC 8446 §4.1.4)',
    detector: 'client',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => {
      const o = afterRetry((m) => ({ ...m, cipherSuite: m.cipherSuite === 0x1301 ? 0x1303 : 0x1301 }));
      return pair({ ...o, client: { ...o.client, cipherSuites: [0x1301, 0x1303] } });
    },
  },
  {
    title: 'a ServerHello after HelloRetryRequest with a share for another group than it selected',
    rfc: 'RFC 9846 §4.3.8 (RFC 8446 §4.2.8)',
    detector: 'client',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => pair(afterRetry((m) => ({ ...m, extensions: setExt(m.extensions, E.key_share, encodeKeyShareServer({ group: NamedGroup.x25519, keyExchange: new Uint8Array(32).fill(9) })) }))),
  },
  {
    title: 'an unknown extension in HelloRetryRequest',
    rfc: 'RFC 9846 §4.3 (RFC 8446 §4.2: only the cookie may be unsolicited)',
    detector: 'client',
    alert: 'unsupported_extension',
    plaintext: true,
    run: () => pair({ server: { requireCookie: true, ...hrr((m) => ({ ...m, extensions: [...m.extensions, { type: 0x7777, data: EMPTY }] })) } }),
  },
  {
    title: 'a HelloRetryRequest with an empty cookie',
    rfc: 'RFC 9846 §4.3.2 (cookie<1..2^16-1>), §6',
    detector: 'client',
    alert: 'decode_error',
    plaintext: true,
    // Written on the wire by hand: the server engine itself would refuse to send it.
    run: () =>
      pair({
        server: { requireCookie: true },
        toClient: (b, n) =>
          n > 0
            ? b
            : record(
                ContentType.handshake,
                hs({
                  msgType: HandshakeType.server_hello,
                  legacyVersion: 0x0303,
                  random: HELLO_RETRY_REQUEST_RANDOM,
                  legacySessionIdEcho: EMPTY,
                  cipherSuite: 0x1301,
                  legacyCompressionMethod: 0,
                  extensions: [
                    { type: E.supported_versions, data: encodeSupportedVersionsServer(0x0304) },
                    { type: E.cookie, data: Uint8Array.of(0, 0) },
                  ],
                  isHelloRetryRequest: true,
                }),
              ),
      }),
  },
];

export const serverFlightCases: Case[] = [
  {
    title: 'Finished where EncryptedExtensions belongs',
    rfc: 'RFC 9846 §4 (RFC 8446 §4: message order)',
    detector: 'client',
    alert: 'unexpected_message',
    run: () => pair(replace(HandshakeType.encrypted_extensions, () => ({ msgType: HandshakeType.finished, verifyData: new Uint8Array(32) }))),
  },
  {
    title: 'a KeyUpdate before the server Finished',
    rfc: 'RFC 9846 §4.7.3 (RFC 8446 §4.6.3)',
    detector: 'client',
    alert: 'unexpected_message',
    run: () => pair(replace(HandshakeType.encrypted_extensions, () => ({ msgType: HandshakeType.key_update, requestUpdate: 0 }))),
  },
  {
    title: 'a NewSessionTicket before the server Finished',
    rfc: 'RFC 9846 §4.7.1 (RFC 8446 §4.6.1: after the client Finished)',
    detector: 'client',
    alert: 'unexpected_message',
    run: () =>
      pair(
        replace(HandshakeType.certificate_verify, () => ({
          msgType: HandshakeType.new_session_ticket,
          ticketLifetime: 60,
          ticketAgeAdd: 0,
          ticketNonce: EMPTY,
          ticket: Uint8Array.of(1),
          extensions: [],
        })),
      ),
  },
  {
    title: 'an unsolicited ALPN in EncryptedExtensions',
    rfc: 'RFC 9846 §4.3 (RFC 8446 §4.2)',
    detector: 'client',
    alert: 'unsupported_extension',
    run: () => pair(eeWith(E.application_layer_protocol_negotiation, encodeAlpnList([utf8('h2')]))),
  },
  {
    title: 'early_data in EncryptedExtensions when no 0-RTT was offered',
    rfc: 'RFC 9846 §4.3 (RFC 8446 §4.2)',
    detector: 'client',
    alert: 'unsupported_extension',
    run: () => pair(eeWith(E.early_data, EMPTY)),
  },
  {
    title: 'a forbidden extension in EncryptedExtensions (key_share)',
    rfc: 'RFC 9846 §4.4.1 (RFC 8446 §4.3.1)',
    detector: 'client',
    alert: 'illegal_parameter',
    run: () => pair(eeWith(E.key_share, encodeKeyShareServer({ group: NamedGroup.x25519, keyExchange: new Uint8Array(32).fill(1) }))),
  },
  {
    title: 'a forbidden extension in EncryptedExtensions (supported_versions)',
    rfc: 'RFC 9846 §4.4.1 (RFC 8446 §4.3.1)',
    detector: 'client',
    alert: 'illegal_parameter',
    run: () => pair(eeWith(E.supported_versions, encodeSupportedVersionsServer(0x0304))),
  },
  {
    title: 'an ALPN answer naming a protocol the client did not offer',
    rfc: 'RFC 7301 §3.2',
    detector: 'client',
    alert: 'illegal_parameter',
    run: () =>
      pair({
        client: { alpn: ['h2'] },
        server: {
          alpn: ['h2'],
          ...sends((m) =>
            m.msgType === HandshakeType.encrypted_extensions
              ? { ...m, extensions: setExt(m.extensions, E.application_layer_protocol_negotiation, encodeAlpnList([utf8('h3')])) }
              : m,
          ),
        },
      }),
  },
  {
    title: 'an ALPN answer naming two protocols',
    rfc: 'RFC 7301 §3.1',
    detector: 'client',
    alert: 'illegal_parameter',
    run: () =>
      pair({
        client: { alpn: ['h2', 'http/1.1'] },
        server: {
          alpn: ['h2'],
          ...sends((m) =>
            m.msgType === HandshakeType.encrypted_extensions
              ? { ...m, extensions: setExt(m.extensions, E.application_layer_protocol_negotiation, encodeAlpnList([utf8('h2'), utf8('http/1.1')])) }
              : m,
          ),
        },
      }),
  },
  {
    title: 'a server Certificate with a certificate_request_context',
    rfc: 'RFC 9846 §4.5.2 (RFC 8446 §4.4.2)',
    detector: 'client',
    alert: 'illegal_parameter',
    run: () => pair(replace(HandshakeType.certificate, (m) => ({ ...m, certificateRequestContext: Uint8Array.of(1) }))),
  },
  {
    title: 'an empty server Certificate',
    rfc: 'RFC 9846 §4.5.2.4 (RFC 8446 §4.4.2.4)',
    detector: 'client',
    alert: 'decode_error',
    run: () => pair(replace(HandshakeType.certificate, (m) => ({ ...m, certificateList: [] }))),
  },
  {
    title: 'an unsolicited extension in a server CertificateEntry (status_request)',
    rfc: 'RFC 9846 §4.5.2 (RFC 8446 §4.4.2)',
    detector: 'client',
    alert: 'unsupported_extension',
    run: () => pair(replace(HandshakeType.certificate, (m) => ({ ...m, certificateList: m.certificateList.map((e, i) => (i === 0 ? { ...e, extensions: [{ type: E.status_request, data: Uint8Array.of(1, 0, 0, 1, 0x30) }] } : e)) }))),
  },
  {
    title: 'a CertificateRequest without signature_algorithms',
    rfc: 'RFC 9846 §4.4.2 (RFC 8446 §4.3.2)',
    detector: 'client',
    alert: 'missing_extension',
    run: () => pairWithRequest({ certificateRequestContext: EMPTY, extensions: [] }),
  },
  {
    title: 'a CertificateRequest in the handshake with a non-empty context',
    rfc: 'RFC 9846 §4.4.2 (RFC 8446 §4.3.2: zero length in the handshake)',
    detector: 'client',
    alert: 'illegal_parameter',
    run: () => pairWithRequest({ certificateRequestContext: Uint8Array.of(7), extensions: [{ type: E.signature_algorithms, data: Uint8Array.of(0, 2, 8, 4) }] }),
  },
  {
    title: 'a Finished where CertificateVerify belongs',
    rfc: 'RFC 9846 §4.5 (RFC 8446 §4.4: Certificate is followed by CertificateVerify)',
    detector: 'client',
    alert: 'unexpected_message',
    run: () => pair(replace(HandshakeType.certificate_verify, () => ({ msgType: HandshakeType.finished, verifyData: new Uint8Array(32) }))),
  },
  {
    title: 'a CertificateVerify with a scheme the client did not offer',
    rfc: 'RFC 9846 §4.5.3 (RFC 8446 §4.4.3)',
    detector: 'client',
    alert: 'illegal_parameter',
    run: () =>
      pair({
        client: { signatureSchemes: [SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme.ecdsa_secp256r1_sha256] },
        ...replace(HandshakeType.certificate_verify, (m) => ({ ...m, algorithm: SignatureScheme.rsa_pss_rsae_sha512 })),
      }),
  },
  {
    title: 'a CertificateVerify with rsa_pkcs1_sha256 (offered for certificates only)',
    rfc: 'RFC 9846 §4.3.3, §4.5.3 (RFC 8446 §4.2.3: no PKCS#1 v1.5 in CertificateVerify)',
    detector: 'client',
    alert: 'illegal_parameter',
    run: () => pair(replace(HandshakeType.certificate_verify, (m) => ({ ...m, algorithm: SignatureScheme.rsa_pkcs1_sha256 }))),
  },
  {
    title: 'a CertificateVerify scheme that does not fit the certificate key',
    rfc: 'RFC 9846 §4.5.3 (RFC 8446 §4.4.3)',
    detector: 'client',
    alert: 'illegal_parameter',
    run: () => pair(replace(HandshakeType.certificate_verify, (m) => ({ ...m, algorithm: SignatureScheme.ecdsa_secp256r1_sha256 }))),
  },
  {
    title: 'a CertificateVerify whose signature does not verify',
    rfc: 'RFC 9846 §4.5.3 (RFC 8446 §4.4.3)',
    detector: 'client',
    alert: 'decrypt_error',
    run: () => pair(replace(HandshakeType.certificate_verify, (m) => ({ ...m, signature: flip(m.signature, 10) }))),
  },
  {
    title: 'a wrong server Finished',
    rfc: 'RFC 9846 §4.5.4 (RFC 8446 §4.4.4)',
    detector: 'client',
    alert: 'decrypt_error',
    run: () => pair(replace(HandshakeType.finished, (m) => ({ ...m, verifyData: flip(m.verifyData, 0) }))),
  },
  {
    title: 'a server Finished of the wrong length',
    rfc: 'RFC 9846 §4.5.4 (verify_data[Hash.length]), §6',
    detector: 'client',
    alert: 'decode_error',
    run: () => pair(replace(HandshakeType.finished, (m) => ({ ...m, verifyData: m.verifyData.subarray(0, 31) }))),
  },
  {
    title: 'application data before the handshake completes',
    rfc: 'RFC 9846 §5.1 (RFC 8446 §5.1)',
    detector: 'client',
    alert: 'unexpected_message',
    plaintext: true,
    run: () => pair({ toClient: (b, n) => (n > 0 ? b : new Uint8Array([...record(ContentType.application_data, utf8('early!')), ...b])) }),
  },
];

/** The server sends `req` as a CertificateRequest (in place of its Certificate, which the client then misses). */
function pairWithRequest(req: { certificateRequestContext: Uint8Array; extensions: ServerHello['extensions'] }) {
  return pair({ server: sends(replaceFirst(HandshakeType.certificate, () => ({ msgType: HandshakeType.certificate_request, ...req }))) });
}

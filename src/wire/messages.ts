// Strict decode and exact encode of TLS 1.3 handshake messages (RFC 8446 §4, with
// the corrected bounds of RFC 9846 Appendix B.3). Decoded opaque values are copies.

import { tlsError } from '../errors.js';
import { bytesEqual, fromHex } from '../util/bytes.js';
import { ExtensionType, HandshakeType, KeyUpdateRequest, ProtocolVersion } from './codepoints.js';
import { decodeSupportedVersionsClient, validateExtensions, type ExtensionContext } from './extensions.js';
import { Reader } from './reader.js';
import type {
  Certificate,
  CertificateEntry,
  CertificateRequest,
  CertificateVerify,
  ClientHello,
  EncryptedExtensions,
  Extension,
  HandshakeMessage,
  KeyUpdate,
  NewSessionTicket,
  ServerHello,
} from './types.js';
import { Writer } from './writer.js';

/** RFC 8446 §4.1.3: ServerHello.random of a HelloRetryRequest, SHA-256("HelloRetryRequest"). */
export const HELLO_RETRY_REQUEST_RANDOM: Uint8Array = fromHex(
  'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c',
);

/** msg_type (1) + uint24 length (3). RFC 8446 §4. */
export const HANDSHAKE_HEADER_LENGTH = 4;

// ---- body lengths the presentation language allows (RFC 8446 §3, §4; RFC 9846 B.3) ----

/**
 * The largest legal ClientHello body: legacy_version, random, legacy_session_id<0..32>,
 * cipher_suites<2..2^16-2>, legacy_compression_methods<1..2^8-1>, extensions<8..2^16-1>
 * (RFC 8446 §4.1.2): 2 + 32 + 33 + 65536 + 256 + 65537.
 */
export const MAX_CLIENT_HELLO_LENGTH = 131396;

/** A TLS 1.3 suite's hash is SHA-256 or SHA-384 (RFC 8446 §B.4): verify_data[Hash.length]. */
const FINISHED_LENGTHS: readonly number[] = [32, 48];

/** [min, max] body length per handshake type, from its struct (opaque vectors at their bounds). */
const BODY_BOUNDS = new Map<number, readonly [number, number]>([
  [HandshakeType.client_hello, [41, MAX_CLIENT_HELLO_LENGTH]],
  // §4.1.3: 2 + 32 + 33 + 2 + 1 + extensions<6..2^16-1>.
  [HandshakeType.server_hello, [38, 65607]],
  // §4.6.1: 4 + 4 + nonce<0..255> + ticket<1..2^16-1> + extensions<0..2^16-2>.
  [HandshakeType.new_session_ticket, [14, 131338]],
  [HandshakeType.end_of_early_data, [0, 0]], // §4.5: struct {}
  [HandshakeType.encrypted_extensions, [2, 65537]],
  [HandshakeType.certificate_request, [3, 65793]],
  [HandshakeType.certificate, [4, 0xffffff]],
  [HandshakeType.certificate_verify, [4, 65539]],
  [HandshakeType.key_update, [1, 1]], // §4.6.3: one KeyUpdateRequest
]);

/**
 * Whether a body of `length` bytes can be a message of type `msgType` at all (unknown types:
 * yes; the handshake rejects them). Lets the record layer refuse a wrong declared length at the
 * 4-byte header, before buffering the body (decode_error, RFC 8446 §6.2).
 */
export function handshakeLengthAllowed(msgType: number, length: number): boolean {
  if (msgType === HandshakeType.finished) return FINISHED_LENGTHS.includes(length);
  const b = BODY_BOUNDS.get(msgType);
  return b === undefined || (length >= b[0] && length <= b[1]);
}

// ---- extension blocks ----

function writeExtensions(w: Writer, exts: Extension[]): void {
  w.nested(2, (l) => {
    for (const e of exts) l.u16(e.type).vector(2, e.data);
  });
}

/** The framing of an extension block only (types and bodies not interpreted). */
function readRawExtensions(r: Reader, ctx: ExtensionContext, min: number, max = 0xffff): Extension[] {
  const l = r.sub(2, `${ctx} extensions`, min, max);
  const out: Extension[] = [];
  while (!l.isEmpty()) {
    const type = l.u16('extension_type');
    const data = l.vector(2, 'extension_data', 0, 0xffff).slice();
    out.push({ type, data });
  }
  return out;
}

function readExtensions(r: Reader, ctx: ExtensionContext, min: number, max = 0xffff): Extension[] {
  const out = readRawExtensions(r, ctx, min, max);
  validateExtensions(ctx, out);
  return out;
}

/**
 * RFC 8446 §4.2.1, §D.5: the version is decided by supported_versions alone, before any
 * version-specific extension is read. A ClientHello that does not offer TLS 1.3 keeps its
 * extensions unchecked (TLS 1.2 bodies need not parse as TLS 1.3 ones): the server answers
 * protocol_version. supported_versions itself is decoded strictly.
 */
function readClientHelloExtensions(r: Reader): Extension[] {
  if (r.isEmpty()) return [];
  const exts = readRawExtensions(r, 'CH', 7);
  const sv = exts.find((e) => e.type === ExtensionType.supported_versions);
  if (sv && decodeSupportedVersionsClient(sv.data).includes(ProtocolVersion.TLSv1_3)) validateExtensions('CH', exts);
  return exts;
}

/**
 * ClientHello/ServerHello: the extensions block may be absent in a pre-TLS 1.3 hello
 * (RFC 9846 §4.2.2); it decodes as []. When present it is Extension extensions<7..>
 * (CH) or <6..> (SH), so an empty list is encoded by omitting the block.
 */
function readHelloExtensions(r: Reader, ctx: ExtensionContext, min: number): Extension[] {
  if (r.isEmpty()) return [];
  return readExtensions(r, ctx, min);
}

function writeHelloExtensions(w: Writer, exts: Extension[]): void {
  if (exts.length > 0) writeExtensions(w, exts);
}

// ---- per-message bodies ----

function decodeClientHello(r: Reader): ClientHello {
  // RFC 8446 §4.1.2, RFC 9846 B.3.1
  const legacyVersion = r.u16('legacy_version');
  const random = r.bytes(32, 'random').slice();
  const legacySessionId = r.vector(1, 'legacy_session_id', 0, 32).slice();
  const cipherSuites = r.u16List(2, 'cipher_suites', 2, 0xfffe);
  const legacyCompressionMethods = r.vector(1, 'legacy_compression_methods', 1, 0xff).slice();
  const extensions = readClientHelloExtensions(r);
  return {
    msgType: HandshakeType.client_hello,
    legacyVersion,
    random,
    legacySessionId,
    cipherSuites,
    legacyCompressionMethods,
    extensions,
  };
}

function decodeServerHello(r: Reader): ServerHello {
  // RFC 8446 §4.1.3; the random tells a HelloRetryRequest apart (§4.1.4).
  const legacyVersion = r.u16('legacy_version');
  const random = r.bytes(32, 'random').slice();
  const isHelloRetryRequest = bytesEqual(random, HELLO_RETRY_REQUEST_RANDOM);
  const legacySessionIdEcho = r.vector(1, 'legacy_session_id_echo', 0, 32).slice();
  const cipherSuite = r.u16('cipher_suite');
  const legacyCompressionMethod = r.u8('legacy_compression_method');
  const extensions = readHelloExtensions(r, isHelloRetryRequest ? 'HRR' : 'SH', 6);
  return {
    msgType: HandshakeType.server_hello,
    legacyVersion,
    random,
    legacySessionIdEcho,
    cipherSuite,
    legacyCompressionMethod,
    extensions,
    isHelloRetryRequest,
  };
}

function decodeEncryptedExtensions(r: Reader): EncryptedExtensions {
  // RFC 8446 §4.3.1
  return { msgType: HandshakeType.encrypted_extensions, extensions: readExtensions(r, 'EE', 0) };
}

function decodeCertificateRequest(r: Reader): CertificateRequest {
  // RFC 8446 §4.3.2; extensions<0..2^16-1> per RFC 9846 §1.2.
  const certificateRequestContext = r.vector(1, 'certificate_request_context', 0, 0xff).slice();
  const extensions = readExtensions(r, 'CR', 0);
  return { msgType: HandshakeType.certificate_request, certificateRequestContext, extensions };
}

function decodeCertificate(r: Reader): Certificate {
  // RFC 8446 §4.4.2
  const certificateRequestContext = r.vector(1, 'certificate_request_context', 0, 0xff).slice();
  const l = r.sub(3, 'certificate_list', 0, 0xffffff);
  const certificateList: CertificateEntry[] = [];
  while (!l.isEmpty()) {
    const data = l.vector(3, 'cert_data', 1, 0xffffff).slice();
    const extensions = readExtensions(l, 'CT', 0);
    certificateList.push({ data, extensions });
  }
  return { msgType: HandshakeType.certificate, certificateRequestContext, certificateList };
}

function decodeCertificateVerify(r: Reader): CertificateVerify {
  // RFC 8446 §4.4.3
  const algorithm = r.u16('algorithm');
  const signature = r.vector(2, 'signature', 0, 0xffff).slice();
  return { msgType: HandshakeType.certificate_verify, algorithm, signature };
}

function decodeNewSessionTicket(r: Reader): NewSessionTicket {
  // RFC 8446 §4.6.1; extensions<0..2^16-1> per RFC 9846 §1.2.
  const ticketLifetime = r.u32('ticket_lifetime');
  const ticketAgeAdd = r.u32('ticket_age_add');
  const ticketNonce = r.vector(1, 'ticket_nonce', 0, 255).slice();
  const ticket = r.vector(2, 'ticket', 1, 0xffff).slice();
  const extensions = readExtensions(r, 'NST', 0);
  return { msgType: HandshakeType.new_session_ticket, ticketLifetime, ticketAgeAdd, ticketNonce, ticket, extensions };
}

function decodeKeyUpdate(r: Reader): KeyUpdate {
  // RFC 8446 §4.6.3: every other value → illegal_parameter.
  const requestUpdate = r.u8('request_update');
  if (requestUpdate !== KeyUpdateRequest.update_not_requested && requestUpdate !== KeyUpdateRequest.update_requested)
    throw tlsError('illegal_parameter', `KeyUpdate: invalid request_update ${requestUpdate}`);
  return { msgType: HandshakeType.key_update, requestUpdate };
}

/** Decode a handshake message body (without its 4-byte header). */
export function decodeHandshakeBody(msgType: number, body: Uint8Array): HandshakeMessage {
  const r = new Reader(body);
  let msg: HandshakeMessage;
  switch (msgType) {
    case HandshakeType.client_hello:
      msg = decodeClientHello(r);
      break;
    case HandshakeType.server_hello:
      msg = decodeServerHello(r);
      break;
    case HandshakeType.new_session_ticket:
      msg = decodeNewSessionTicket(r);
      break;
    case HandshakeType.end_of_early_data:
      msg = { msgType: HandshakeType.end_of_early_data }; // RFC 8446 §4.5: struct {}
      break;
    case HandshakeType.encrypted_extensions:
      msg = decodeEncryptedExtensions(r);
      break;
    case HandshakeType.certificate:
      msg = decodeCertificate(r);
      break;
    case HandshakeType.certificate_request:
      msg = decodeCertificateRequest(r);
      break;
    case HandshakeType.certificate_verify:
      msg = decodeCertificateVerify(r);
      break;
    case HandshakeType.finished:
      // RFC 8446 §4.4.4: verify_data[Hash.length]; the length is the handshake's check.
      msg = { msgType: HandshakeType.finished, verifyData: r.bytes(r.remaining, 'verify_data').slice() };
      break;
    case HandshakeType.key_update:
      msg = decodeKeyUpdate(r);
      break;
    case HandshakeType.message_hash:
      // RFC 8446 §4.4.1: the body is Hash(ClientHello1).
      msg = { msgType: HandshakeType.message_hash, hash: r.bytes(r.remaining, 'message_hash').slice() };
      break;
    default:
      throw tlsError('unexpected_message', `unknown handshake message type ${msgType}`);
  }
  r.done(`handshake message ${msgType}`);
  return msg;
}

/**
 * Decode one complete handshake message: msg_type, uint24 length, body (RFC 8446 §4).
 * The length must match `raw` exactly.
 */
export function decodeHandshake(raw: Uint8Array): HandshakeMessage {
  if (raw.length < HANDSHAKE_HEADER_LENGTH) throw tlsError('decode_error', `handshake message of ${raw.length} bytes has no header`);
  const r = new Reader(raw);
  const msgType = r.u8('msg_type');
  const length = r.u24('length');
  if (length !== r.remaining)
    throw tlsError('decode_error', `handshake length ${length} does not match the ${r.remaining} bytes that follow`);
  return decodeHandshakeBody(msgType, raw.subarray(HANDSHAKE_HEADER_LENGTH));
}

// ---- encode ----

function writeBody(w: Writer, msg: HandshakeMessage): void {
  switch (msg.msgType) {
    case HandshakeType.client_hello: {
      w.u16(msg.legacyVersion).bytes(msg.random).vector(1, msg.legacySessionId);
      w.nested(2, (l) => {
        for (const s of msg.cipherSuites) l.u16(s);
      });
      w.vector(1, msg.legacyCompressionMethods);
      writeHelloExtensions(w, msg.extensions);
      return;
    }
    case HandshakeType.server_hello:
      // isHelloRetryRequest is ignored: the random decides (RFC 8446 §4.1.3).
      w.u16(msg.legacyVersion).bytes(msg.random).vector(1, msg.legacySessionIdEcho);
      w.u16(msg.cipherSuite).u8(msg.legacyCompressionMethod);
      writeHelloExtensions(w, msg.extensions);
      return;
    case HandshakeType.new_session_ticket:
      w.u32(msg.ticketLifetime).u32(msg.ticketAgeAdd).vector(1, msg.ticketNonce).vector(2, msg.ticket);
      writeExtensions(w, msg.extensions);
      return;
    case HandshakeType.end_of_early_data:
      return;
    case HandshakeType.encrypted_extensions:
      writeExtensions(w, msg.extensions);
      return;
    case HandshakeType.certificate:
      w.vector(1, msg.certificateRequestContext);
      w.nested(3, (l) => {
        for (const e of msg.certificateList) {
          l.vector(3, e.data);
          writeExtensions(l, e.extensions);
        }
      });
      return;
    case HandshakeType.certificate_request:
      w.vector(1, msg.certificateRequestContext);
      writeExtensions(w, msg.extensions);
      return;
    case HandshakeType.certificate_verify:
      w.u16(msg.algorithm).vector(2, msg.signature);
      return;
    case HandshakeType.finished:
      w.bytes(msg.verifyData);
      return;
    case HandshakeType.key_update:
      w.u8(msg.requestUpdate);
      return;
    case HandshakeType.message_hash:
      w.bytes(msg.hash);
      return;
    default: {
      const never: never = msg;
      throw tlsError('internal_error', `cannot encode handshake message ${(never as { msgType: number }).msgType}`);
    }
  }
}

/** Encode a handshake message with its 4-byte header (RFC 8446 §4). */
export function encodeHandshake(msg: HandshakeMessage): Uint8Array {
  const w = new Writer(256);
  w.u8(msg.msgType);
  w.nested(3, (b) => writeBody(b, msg));
  return w.finish();
}

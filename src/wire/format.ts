// Human-readable dumps of handshake messages for --trace. Never throws on odd input:
// a body that does not decode is shown as hex with a note.

import { toHex } from '../util/bytes.js';
import {
  CertificateStatusType,
  ExtensionType,
  HandshakeType,
  PskKeyExchangeMode,
  ServerNameType,
  extensionName,
  groupName,
  schemeName,
  suiteName,
  versionName,
} from './codepoints.js';
import {
  decodeAlpnList,
  decodeCertificateAuthorities,
  decodeCertificateStatus,
  decodeCookie,
  decodeEarlyDataTicket,
  decodeKeyShareClient,
  decodeKeyShareHrr,
  decodeKeyShareServer,
  decodeNamedGroupList,
  decodeOidFilters,
  decodePreSharedKeyClient,
  decodePreSharedKeyServer,
  decodePskKeyExchangeModes,
  decodeRecordSizeLimit,
  decodeServerNameList,
  decodeSignatureSchemeList,
  decodeStatusRequest,
  decodeSupportedVersionsClient,
  decodeSupportedVersionsServer,
  type ExtensionContext,
} from './extensions.js';
import type { Extension, HandshakeMessage } from './types.js';

const MESSAGE_NAMES = new Map<number, string>([
  [HandshakeType.client_hello, 'ClientHello'],
  [HandshakeType.server_hello, 'ServerHello'],
  [HandshakeType.new_session_ticket, 'NewSessionTicket'],
  [HandshakeType.end_of_early_data, 'EndOfEarlyData'],
  [HandshakeType.encrypted_extensions, 'EncryptedExtensions'],
  [HandshakeType.certificate, 'Certificate'],
  [HandshakeType.certificate_request, 'CertificateRequest'],
  [HandshakeType.certificate_verify, 'CertificateVerify'],
  [HandshakeType.finished, 'Finished'],
  [HandshakeType.key_update, 'KeyUpdate'],
  [HandshakeType.message_hash, 'MessageHash'],
]);

/** 'ClientHello', 'Finished', …; 'unknown(0x..)' for other types. */
export function handshakeMessageName(msgType: number): string {
  return MESSAGE_NAMES.get(msgType) ?? `unknown(0x${msgType.toString(16).padStart(2, '0')})`;
}

/** Like handshakeMessageName, but 'HelloRetryRequest' for an HRR (RFC 8446 §4.1.4). */
export function messageLabel(msg: HandshakeMessage): string {
  if (msg.msgType === HandshakeType.server_hello && msg.isHelloRetryRequest) return 'HelloRetryRequest';
  return handshakeMessageName(msg.msgType);
}

const SHORT = 32;
/** Hex, shortened past SHORT bytes: `0011…eeff (N bytes)`. */
function hex(b: Uint8Array): string {
  if (b.length === 0) return '(empty)';
  if (b.length <= SHORT) return toHex(b);
  return `${toHex(b.subarray(0, SHORT / 2))}…${toHex(b.subarray(b.length - 4))} (${b.length} bytes)`;
}

/** Printable ASCII as a quoted string, else hex. */
function text(b: Uint8Array): string {
  for (const c of b) if (c < 0x20 || c > 0x7e) return hex(b);
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return JSON.stringify(s);
}

const u16hex = (v: number): string => `0x${v.toString(16).padStart(4, '0')}`;

function pskModeName(m: number): string {
  if (m === PskKeyExchangeMode.psk_ke) return 'psk_ke';
  if (m === PskKeyExchangeMode.psk_dhe_ke) return 'psk_dhe_ke';
  return `unknown(${m})`;
}

/** The decoded body of one extension as text lines (first line goes after the name). */
function describeBody(ctx: ExtensionContext, ext: Extension): string[] {
  const d = ext.data;
  const T = ExtensionType;
  switch (ext.type) {
    case T.server_name:
      if (d.length === 0) return ['(empty)'];
      return [
        decodeServerNameList(d)
          .map((n) => (n.nameType === ServerNameType.host_name ? `host_name ${text(n.name)}` : `type ${n.nameType} ${hex(n.name)}`))
          .join(', '),
      ];
    case T.supported_groups:
      return [decodeNamedGroupList(d).map(groupName).join(', ')];
    case T.signature_algorithms:
    case T.signature_algorithms_cert:
      return [decodeSignatureSchemeList(d).map(schemeName).join(', ')];
    case T.application_layer_protocol_negotiation:
      return [decodeAlpnList(d).map(text).join(', ')];
    case T.supported_versions:
      if (ctx === 'CH') return [decodeSupportedVersionsClient(d).map(versionName).join(', ')];
      return [versionName(decodeSupportedVersionsServer(d))];
    case T.cookie:
      return [hex(decodeCookie(d))];
    case T.key_share:
      if (ctx === 'HRR') return [`selected_group ${groupName(decodeKeyShareHrr(d))}`];
      if (ctx === 'SH') {
        const e = decodeKeyShareServer(d);
        return [`${groupName(e.group)} ${hex(e.keyExchange)}`];
      }
      return ['', ...decodeKeyShareClient(d).map((e) => `${groupName(e.group)} ${hex(e.keyExchange)}`)];
    case T.psk_key_exchange_modes:
      return [decodePskKeyExchangeModes(d).map(pskModeName).join(', ')];
    case T.pre_shared_key: {
      if (ctx === 'SH') return [`selected_identity ${decodePreSharedKeyServer(d)}`];
      const o = decodePreSharedKeyClient(d);
      return [
        '',
        ...o.identities.map((id) => `identity ${hex(id.identity)} obfuscated_ticket_age ${id.obfuscatedTicketAge}`),
        ...o.binders.map((b) => `binder ${hex(b)}`),
      ];
    }
    case T.early_data:
      if (ctx === 'NST') return [`max_early_data_size ${decodeEarlyDataTicket(d)}`];
      return [d.length === 0 ? '(empty)' : hex(d)];
    case T.record_size_limit:
      return [String(decodeRecordSizeLimit(d))];
    case T.certificate_authorities:
      return ['', ...decodeCertificateAuthorities(d).map(hex)];
    case T.oid_filters:
      return [
        '',
        ...decodeOidFilters(d).map((f) => `oid ${hex(f.certificateExtensionOid)} values ${hex(f.certificateExtensionValues)}`),
      ];
    case T.status_request: {
      if (d.length === 0) return ['(empty)'];
      if (ctx === 'CT') {
        const s = decodeCertificateStatus(d);
        return [`ocsp response ${hex(s.ocspResponse)}`];
      }
      const q = decodeStatusRequest(d);
      if (q.statusType !== CertificateStatusType.ocsp) return [`status_type ${q.statusType} ${hex(q.unknownBody ?? d)}`];
      return [`ocsp responder_ids ${q.responderIdList.length} request_extensions ${hex(q.requestExtensions)}`];
    }
    case T.padding:
      return [`${d.length} bytes`];
    default:
      return [hex(d)];
  }
}

/** One extension as indented lines: `name: decoded body`. */
export function formatExtension(ctx: ExtensionContext, ext: Extension, indent = '  '): string[] {
  let body: string[];
  try {
    body = describeBody(ctx, ext);
  } catch {
    body = [`${hex(ext.data)} (malformed)`];
  }
  const [first = '', ...rest] = body;
  const head = `${indent}${extensionName(ext.type)}:${first === '' ? '' : ` ${first}`}`;
  return [head, ...rest.map((l) => `${indent}  ${l}`)];
}

function extensionLines(ctx: ExtensionContext, exts: Extension[], indent: string): string[] {
  if (exts.length === 0) return [`${indent}extensions: (none)`];
  return [`${indent}extensions:`, ...exts.flatMap((e) => formatExtension(ctx, e, `${indent}  `))];
}

/** A readable multi-line decode of a handshake message, for --trace. */
export function formatHandshake(msg: HandshakeMessage): string {
  const lines = [messageLabel(msg)];
  const f = (name: string, value: string): void => {
    lines.push(`  ${name}: ${value}`);
  };
  switch (msg.msgType) {
    case HandshakeType.client_hello:
      f('legacy_version', `${u16hex(msg.legacyVersion)} (${versionName(msg.legacyVersion)})`);
      f('random', hex(msg.random));
      f('legacy_session_id', hex(msg.legacySessionId));
      f('cipher_suites', msg.cipherSuites.map(suiteName).join(', '));
      f('legacy_compression_methods', hex(msg.legacyCompressionMethods));
      lines.push(...extensionLines('CH', msg.extensions, '  '));
      break;
    case HandshakeType.server_hello:
      f('legacy_version', `${u16hex(msg.legacyVersion)} (${versionName(msg.legacyVersion)})`);
      f('random', hex(msg.random));
      f('legacy_session_id_echo', hex(msg.legacySessionIdEcho));
      f('cipher_suite', suiteName(msg.cipherSuite));
      f('legacy_compression_method', String(msg.legacyCompressionMethod));
      lines.push(...extensionLines(msg.isHelloRetryRequest ? 'HRR' : 'SH', msg.extensions, '  '));
      break;
    case HandshakeType.encrypted_extensions:
      lines.push(...extensionLines('EE', msg.extensions, '  '));
      break;
    case HandshakeType.certificate_request:
      f('certificate_request_context', hex(msg.certificateRequestContext));
      lines.push(...extensionLines('CR', msg.extensions, '  '));
      break;
    case HandshakeType.certificate:
      f('certificate_request_context', hex(msg.certificateRequestContext));
      lines.push(`  certificate_list: ${msg.certificateList.length} ${msg.certificateList.length === 1 ? 'entry' : 'entries'}`);
      msg.certificateList.forEach((e, i) => {
        lines.push(`    [${i}] cert_data: ${hex(e.data)}`);
        lines.push(...extensionLines('CT', e.extensions, '      '));
      });
      break;
    case HandshakeType.certificate_verify:
      f('algorithm', schemeName(msg.algorithm));
      f('signature', hex(msg.signature));
      break;
    case HandshakeType.finished:
      f('verify_data', hex(msg.verifyData));
      break;
    case HandshakeType.new_session_ticket:
      f('ticket_lifetime', String(msg.ticketLifetime));
      f('ticket_age_add', String(msg.ticketAgeAdd));
      f('ticket_nonce', hex(msg.ticketNonce));
      f('ticket', hex(msg.ticket));
      lines.push(...extensionLines('NST', msg.extensions, '  '));
      break;
    case HandshakeType.end_of_early_data:
      break;
    case HandshakeType.key_update:
      f(
        'request_update',
        msg.requestUpdate === 0 ? 'update_not_requested' : msg.requestUpdate === 1 ? 'update_requested' : String(msg.requestUpdate),
      );
      break;
    case HandshakeType.message_hash:
      f('hash', hex(msg.hash));
      break;
  }
  return lines.join('\n');
}

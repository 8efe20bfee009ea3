// Typed codecs for extension bodies (RFC 8446 §4.2, RFC 9846 §4.3, RFC 6066, RFC 7301,
// RFC 7685, RFC 8449) and the per-message placement rules of the §4.2 table.
// Decoders are strict: every minimum/maximum length is enforced (decode_error), and
// trailing bytes are rejected (RFC 8446 §4.2). Decoded opaque values are copies.

import { tlsError } from '../errors.js';
import { CertificateStatusType, ExtensionType, ServerNameType } from './codepoints.js';
import { Reader } from './reader.js';
import type {
  CertificateStatus,
  CertificateStatusRequest,
  Extension,
  KeyShareEntry,
  OfferedPsks,
  OidFilter,
  PskIdentity,
  ServerName,
} from './types.js';
import { Writer } from './writer.js';

/** An empty extension body (early_data in CH/EE, post_handshake_auth, server_name in EE). */
export const EMPTY: Uint8Array = new Uint8Array(0);

export function findExtension(exts: Extension[], type: number): Extension | undefined {
  return exts.find((e) => e.type === type);
}

/** Run `fn` over the whole of `data`; leftover bytes are decode_error (RFC 8446 §4.2). */
function readAll<T>(data: Uint8Array, what: string, fn: (r: Reader) => T): T {
  const r = new Reader(data);
  const v = fn(r);
  r.done(what);
  return v;
}

function build(fn: (w: Writer) => void): Uint8Array {
  const w = new Writer(64);
  fn(w);
  return w.finish();
}

/** A body that must be empty: `struct {} Empty` (RFC 8446 §4.2.10, §4.2.6; RFC 6066 §3). */
export function decodeEmpty(data: Uint8Array, what: string): void {
  if (data.length !== 0) throw tlsError('decode_error', `${what}: expected an empty body, got ${data.length} bytes`);
}

// ---- uint16 lists ----

function writeU16List(w: Writer, list: number[], lenBytes: 1 | 2): void {
  w.nested(lenBytes, (n) => {
    for (const x of list) n.u16(x);
  });
}

function rejectDuplicates(list: number[], what: string): void {
  if (new Set(list).size !== list.length) throw tlsError('illegal_parameter', `${what}: duplicate entry`);
}

// ---- server_name: RFC 6066 §3 ----

export function encodeServerNameList(names: ServerName[]): Uint8Array {
  return build((w) =>
    w.nested(2, (l) => {
      for (const n of names) l.u8(n.nameType).vector(2, n.name);
    }),
  );
}

export function decodeServerNameList(data: Uint8Array): ServerName[] {
  return readAll(data, 'server_name', (r) => {
    const l = r.sub(2, 'server_name_list', 1, 0xffff);
    const out: ServerName[] = [];
    const seen = new Set<number>();
    while (!l.isEmpty()) {
      const nameType = l.u8('name_type');
      // host_name is HostName<1..2^16-1>; future name types MUST begin with a 16-bit length.
      const name = l.vector(2, 'server name', nameType === ServerNameType.host_name ? 1 : 0, 0xffff).slice();
      // RFC 6066 §3: no more than one name of the same name_type.
      if (seen.has(nameType)) throw tlsError('illegal_parameter', `server_name: duplicate name_type ${nameType}`);
      seen.add(nameType);
      out.push({ nameType, name });
    }
    return out;
  });
}

// ---- supported_groups: RFC 8446 §4.2.7 ----

export function encodeNamedGroupList(groups: number[]): Uint8Array {
  return build((w) => writeU16List(w, groups, 2));
}

export function decodeNamedGroupList(data: Uint8Array): number[] {
  return readAll(data, 'supported_groups', (r) => {
    const list = r.u16List(2, 'named_group_list', 2, 0xffff);
    // RFC 9846 §4.3.7: no duplicates; a recipient MAY abort with illegal_parameter.
    rejectDuplicates(list, 'named_group_list');
    return list;
  });
}

// ---- signature_algorithms(_cert): RFC 8446 §4.2.3 ----

export function encodeSignatureSchemeList(list: number[]): Uint8Array {
  return build((w) => writeU16List(w, list, 2));
}

export function decodeSignatureSchemeList(data: Uint8Array): number[] {
  return readAll(data, 'signature_algorithms', (r) => r.u16List(2, 'supported_signature_algorithms', 2, 0xfffe));
}

// ---- application_layer_protocol_negotiation: RFC 7301 §3.1 ----

export function encodeAlpnList(protocols: Uint8Array[]): Uint8Array {
  return build((w) =>
    w.nested(2, (l) => {
      for (const p of protocols) l.vector(1, p);
    }),
  );
}

export function decodeAlpnList(data: Uint8Array): Uint8Array[] {
  return readAll(data, 'application_layer_protocol_negotiation', (r) => {
    // ProtocolName protocol_name_list<2..2^16-1>; opaque ProtocolName<1..2^8-1>.
    const l = r.sub(2, 'protocol_name_list', 2, 0xffff);
    const out: Uint8Array[] = [];
    while (!l.isEmpty()) out.push(l.vector(1, 'ProtocolName', 1, 0xff).slice());
    return out;
  });
}

// ---- supported_versions: RFC 8446 §4.2.1 ----

export function encodeSupportedVersionsClient(versions: number[]): Uint8Array {
  return build((w) => writeU16List(w, versions, 1));
}

export function decodeSupportedVersionsClient(data: Uint8Array): number[] {
  // ProtocolVersion versions<2..254>
  return readAll(data, 'supported_versions', (r) => r.u16List(1, 'versions', 2, 254));
}

export function encodeSupportedVersionsServer(v: number): Uint8Array {
  return build((w) => w.u16(v));
}

export function decodeSupportedVersionsServer(data: Uint8Array): number {
  return readAll(data, 'supported_versions', (r) => r.u16('selected_version'));
}

// ---- cookie: RFC 8446 §4.2.2 ----

export function encodeCookie(c: Uint8Array): Uint8Array {
  return build((w) => w.vector(2, c));
}

export function decodeCookie(data: Uint8Array): Uint8Array {
  return readAll(data, 'cookie', (r) => r.vector(2, 'cookie', 1, 0xffff).slice());
}

// ---- key_share: RFC 8446 §4.2.8 ----

function writeKeyShareEntry(w: Writer, e: KeyShareEntry): void {
  w.u16(e.group).vector(2, e.keyExchange);
}

function readKeyShareEntry(r: Reader): KeyShareEntry {
  const group = r.u16('KeyShareEntry.group');
  const keyExchange = r.vector(2, 'key_exchange', 1, 0xffff).slice();
  return { group, keyExchange };
}

export function encodeKeyShareClient(entries: KeyShareEntry[]): Uint8Array {
  return build((w) =>
    w.nested(2, (l) => {
      for (const e of entries) writeKeyShareEntry(l, e);
    }),
  );
}

export function decodeKeyShareClient(data: Uint8Array): KeyShareEntry[] {
  return readAll(data, 'key_share', (r) => {
    const l = r.sub(2, 'client_shares', 0, 0xffff);
    const out: KeyShareEntry[] = [];
    while (!l.isEmpty()) out.push(readKeyShareEntry(l));
    // RFC 8446 §4.2.8: one share per group; servers MAY abort with illegal_parameter.
    rejectDuplicates(
      out.map((e) => e.group),
      'client_shares',
    );
    return out;
  });
}

export function encodeKeyShareServer(e: KeyShareEntry): Uint8Array {
  return build((w) => writeKeyShareEntry(w, e));
}

export function decodeKeyShareServer(data: Uint8Array): KeyShareEntry {
  return readAll(data, 'key_share', readKeyShareEntry);
}

export function encodeKeyShareHrr(group: number): Uint8Array {
  return build((w) => w.u16(group));
}

export function decodeKeyShareHrr(data: Uint8Array): number {
  return readAll(data, 'key_share', (r) => r.u16('selected_group'));
}

// ---- psk_key_exchange_modes: RFC 8446 §4.2.9 ----

export function encodePskKeyExchangeModes(modes: number[]): Uint8Array {
  return build((w) => w.vector(1, Uint8Array.from(modes)));
}

export function decodePskKeyExchangeModes(data: Uint8Array): number[] {
  return readAll(data, 'psk_key_exchange_modes', (r) => Array.from(r.vector(1, 'ke_modes', 1, 255)));
}

// ---- pre_shared_key: RFC 8446 §4.2.11 ----

function writeBinders(w: Writer, binders: Uint8Array[]): void {
  w.nested(2, (l) => {
    for (const b of binders) l.vector(1, b);
  });
}

export function encodePreSharedKeyClient(o: OfferedPsks): Uint8Array {
  return build((w) => {
    w.nested(2, (l) => {
      for (const id of o.identities) l.vector(2, id.identity).u32(id.obfuscatedTicketAge);
    });
    writeBinders(w, o.binders);
  });
}

export function decodePreSharedKeyClient(data: Uint8Array): OfferedPsks {
  return readAll(data, 'pre_shared_key', (r) => {
    const il = r.sub(2, 'identities', 7, 0xffff);
    const identities: PskIdentity[] = [];
    while (!il.isEmpty()) {
      const identity = il.vector(2, 'PskIdentity.identity', 1, 0xffff).slice();
      const obfuscatedTicketAge = il.u32('obfuscated_ticket_age');
      identities.push({ identity, obfuscatedTicketAge });
    }
    const bl = r.sub(2, 'binders', 33, 0xffff);
    const binders: Uint8Array[] = [];
    while (!bl.isEmpty()) binders.push(bl.vector(1, 'PskBinderEntry', 32, 255).slice());
    // §4.2.11: one binder for each identity, in the same order.
    if (binders.length !== identities.length)
      throw tlsError('illegal_parameter', `pre_shared_key: ${identities.length} identities but ${binders.length} binders`);
    return { identities, binders };
  });
}

export function encodePreSharedKeyServer(selected: number): Uint8Array {
  return build((w) => w.u16(selected));
}

export function decodePreSharedKeyServer(data: Uint8Array): number {
  return readAll(data, 'pre_shared_key', (r) => r.u16('selected_identity'));
}

/**
 * Length of the encoded `binders` vector including its 2-byte length prefix. The
 * ClientHello truncated for binder computation (RFC 8446 §4.2.11.2) is
 * `encodedCH.subarray(0, encodedCH.length - bindersEncodedLength(binders))`.
 */
export function bindersEncodedLength(binders: Uint8Array[]): number {
  let n = 2;
  for (const b of binders) n += 1 + b.length;
  return n;
}

// ---- early_data: RFC 8446 §4.2.10 ----

export function encodeEarlyDataTicket(maxEarlyDataSize: number): Uint8Array {
  return build((w) => w.u32(maxEarlyDataSize));
}

export function decodeEarlyDataTicket(data: Uint8Array): number {
  return readAll(data, 'early_data', (r) => r.u32('max_early_data_size'));
}

// ---- certificate_authorities: RFC 8446 §4.2.4 ----

export function encodeCertificateAuthorities(names: Uint8Array[]): Uint8Array {
  return build((w) =>
    w.nested(2, (l) => {
      for (const n of names) l.vector(2, n);
    }),
  );
}

export function decodeCertificateAuthorities(data: Uint8Array): Uint8Array[] {
  return readAll(data, 'certificate_authorities', (r) => {
    // DistinguishedName authorities<3..2^16-1>; opaque DistinguishedName<1..2^16-1>.
    const l = r.sub(2, 'authorities', 3, 0xffff);
    const out: Uint8Array[] = [];
    while (!l.isEmpty()) out.push(l.vector(2, 'DistinguishedName', 1, 0xffff).slice());
    return out;
  });
}

// ---- oid_filters: RFC 8446 §4.2.5 ----

export function encodeOidFilters(f: OidFilter[]): Uint8Array {
  return build((w) =>
    w.nested(2, (l) => {
      for (const x of f) l.vector(1, x.certificateExtensionOid).vector(2, x.certificateExtensionValues);
    }),
  );
}

export function decodeOidFilters(data: Uint8Array): OidFilter[] {
  return readAll(data, 'oid_filters', (r) => {
    const l = r.sub(2, 'filters', 0, 0xffff);
    const out: OidFilter[] = [];
    while (!l.isEmpty()) {
      const certificateExtensionOid = l.vector(1, 'certificate_extension_oid', 1, 0xff).slice();
      const certificateExtensionValues = l.vector(2, 'certificate_extension_values', 0, 0xffff).slice();
      out.push({ certificateExtensionOid, certificateExtensionValues });
    }
    return out;
  });
}

// ---- status_request: RFC 6066 §8, RFC 8446 §4.4.2.1 ----

export function encodeStatusRequest(req: CertificateStatusRequest): Uint8Array {
  return build((w) => {
    w.u8(req.statusType);
    if (req.statusType === CertificateStatusType.ocsp) {
      w.nested(2, (l) => {
        for (const id of req.responderIdList) l.vector(2, id);
      });
      w.vector(2, req.requestExtensions);
    } else {
      w.bytes(req.unknownBody ?? EMPTY);
    }
  });
}

export function decodeStatusRequest(data: Uint8Array): CertificateStatusRequest {
  return readAll(data, 'status_request', (r) => {
    const statusType = r.u8('status_type');
    if (statusType !== CertificateStatusType.ocsp) {
      // Unknown status_type: its structure is unknown, keep the rest as is.
      return { statusType, responderIdList: [], requestExtensions: new Uint8Array(0), unknownBody: r.bytes(r.remaining).slice() };
    }
    const l = r.sub(2, 'responder_id_list', 0, 0xffff);
    const responderIdList: Uint8Array[] = [];
    while (!l.isEmpty()) responderIdList.push(l.vector(2, 'ResponderID', 1, 0xffff).slice());
    const requestExtensions = r.vector(2, 'request_extensions', 0, 0xffff).slice();
    return { statusType, responderIdList, requestExtensions };
  });
}

export function encodeCertificateStatus(s: CertificateStatus): Uint8Array {
  return build((w) => w.u8(s.statusType).vector(3, s.ocspResponse));
}

export function decodeCertificateStatus(data: Uint8Array): CertificateStatus {
  return readAll(data, 'status_request', (r) => {
    const statusType = r.u8('status_type');
    // RFC 6066 §8: only ocsp(1) has a defined body; any other value is an invalid enum.
    if (statusType !== CertificateStatusType.ocsp)
      throw tlsError('illegal_parameter', `CertificateStatus: unknown status_type ${statusType}`);
    const ocspResponse = r.vector(3, 'OCSPResponse', 1, 0xffffff).slice();
    return { statusType, ocspResponse };
  });
}

// ---- record_size_limit: RFC 8449 §4 ----

export function encodeRecordSizeLimit(n: number): Uint8Array {
  return build((w) => w.u16(n));
}

export function decodeRecordSizeLimit(data: Uint8Array): number {
  const n = readAll(data, 'record_size_limit', (r) => r.u16('RecordSizeLimit'));
  if (n < 64) throw tlsError('illegal_parameter', `record_size_limit ${n} is below 64`);
  return n;
}

// ---- padding: RFC 7685 §3 ----

export function encodePadding(length: number): Uint8Array {
  return new Uint8Array(length);
}

// ---- Placement and validation: RFC 8446 §4.2 (table as revised in RFC 9846 §4.3) ----

export type ExtensionContext = 'CH' | 'SH' | 'HRR' | 'EE' | 'CR' | 'CT' | 'NST';

/** How a body is checked in one context; `null`: allowed there, body not interpreted. */
type BodyCheck = ((data: Uint8Array) => unknown) | null;

const empty =
  (what: string): BodyCheck =>
  (d) =>
    decodeEmpty(d, what);
const oneByte =
  (what: string): BodyCheck =>
  (d) =>
    readAll(d, what, (r) => r.u8(what));

const E = ExtensionType;
/** Recognised extension types → contexts they may appear in → body check. */
const RULES = new Map<number, Partial<Record<ExtensionContext, BodyCheck>>>([
  // RFC 9846 Table 1 adds CR (RFC 9261 exported authenticators).
  [E.server_name, { CH: decodeServerNameList, EE: empty('server_name'), CR: decodeServerNameList }],
  // RFC 6066 §4 (RFC 8446 table: CH, EE).
  [E.max_fragment_length, { CH: oneByte('max_fragment_length'), EE: oneByte('max_fragment_length') }],
  // RFC 8446 §4.4.2.1: empty in CR, CertificateStatus in a CertificateEntry.
  [E.status_request, { CH: decodeStatusRequest, CR: empty('status_request'), CT: decodeCertificateStatus }],
  [E.supported_groups, { CH: decodeNamedGroupList, EE: decodeNamedGroupList }],
  [E.signature_algorithms, { CH: decodeSignatureSchemeList, CR: decodeSignatureSchemeList }],
  [E.use_srtp, { CH: null, EE: null }],
  [E.heartbeat, { CH: oneByte('heartbeat'), EE: oneByte('heartbeat') }],
  [E.application_layer_protocol_negotiation, { CH: decodeAlpnList, EE: decodeAlpnList }],
  [E.signed_certificate_timestamp, { CH: null, CR: null, CT: null }],
  [E.client_certificate_type, { CH: null, EE: null }],
  // RFC 9846 Table 1: CH, EE (RFC 8446 said CH, CT; corrected).
  [E.server_certificate_type, { CH: null, EE: null }],
  [E.padding, { CH: null }],
  [E.record_size_limit, { CH: decodeRecordSizeLimit, EE: decodeRecordSizeLimit }],
  [E.pre_shared_key, { CH: decodePreSharedKeyClient, SH: decodePreSharedKeyServer }],
  [E.early_data, { CH: empty('early_data'), EE: empty('early_data'), NST: decodeEarlyDataTicket }],
  [
    E.supported_versions,
    { CH: decodeSupportedVersionsClient, SH: decodeSupportedVersionsServer, HRR: decodeSupportedVersionsServer },
  ],
  [E.cookie, { CH: decodeCookie, HRR: decodeCookie }],
  [E.psk_key_exchange_modes, { CH: decodePskKeyExchangeModes }],
  [E.certificate_authorities, { CH: decodeCertificateAuthorities, CR: decodeCertificateAuthorities }],
  [E.oid_filters, { CR: decodeOidFilters }],
  [E.post_handshake_auth, { CH: empty('post_handshake_auth') }],
  [E.signature_algorithms_cert, { CH: decodeSignatureSchemeList, CR: decodeSignatureSchemeList }],
  [E.key_share, { CH: decodeKeyShareClient, SH: decodeKeyShareServer, HRR: decodeKeyShareHrr }],
]);

/** True when this engine knows where `type` may appear (unknown and GREASE types are not). */
export function isRecognisedExtension(type: number): boolean {
  return RULES.has(type);
}

/** True when recognised `type` is allowed in `ctx` (RFC 8446 §4.2 table); unknown types are always allowed. */
export function extensionAllowedIn(ctx: ExtensionContext, type: number): boolean {
  const rule = RULES.get(type);
  return rule === undefined || Object.hasOwn(rule, ctx);
}

/**
 * RFC 8446 §4.2 checks for one extension block:
 * - no two extensions of one type (illegal_parameter: syntactically valid but invalid, RFC 9846 §6);
 * - a recognised extension outside the messages the table allows → illegal_parameter;
 * - in a ClientHello, pre_shared_key is last (§4.2.11) → illegal_parameter;
 * - each recognised body decodes under this context's codec (else decode_error,
 *   or illegal_parameter for a well-formed but invalid value).
 * Unknown and GREASE (RFC 8701) types are kept and not checked here.
 */
export function validateExtensions(ctx: ExtensionContext, exts: Extension[]): void {
  const seen = new Set<number>();
  for (const ext of exts) {
    if (seen.has(ext.type)) throw tlsError('illegal_parameter', `duplicate extension ${ext.type} in ${ctx}`);
    seen.add(ext.type);
  }
  exts.forEach((ext, i) => {
    const rule = RULES.get(ext.type);
    if (rule === undefined) return;
    if (!Object.hasOwn(rule, ctx)) throw tlsError('illegal_parameter', `extension ${ext.type} is not allowed in ${ctx}`);
    if (ctx === 'CH' && ext.type === E.pre_shared_key && i !== exts.length - 1)
      throw tlsError('illegal_parameter', 'pre_shared_key is not the last extension in ClientHello');
    const check = rule[ctx];
    if (check) check(ext.data);
  });
}

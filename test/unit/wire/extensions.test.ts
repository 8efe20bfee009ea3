import { describe, expect, it } from 'vitest';
import { AlertDescription } from '../../../src/errors.js';
import { fromHex, toHex, utf8 } from '../../../src/util/bytes.js';
import { ExtensionType, NamedGroup, ProtocolVersion, SignatureScheme } from '../../../src/wire/codepoints.js';
import {
  EMPTY,
  bindersEncodedLength,
  decodeAlpnList,
  decodeCertificateAuthorities,
  decodeCertificateStatus,
  decodeCookie,
  decodeEarlyDataTicket,
  decodeEmpty,
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
  encodeAlpnList,
  encodeCertificateAuthorities,
  encodeCertificateStatus,
  encodeCookie,
  encodeEarlyDataTicket,
  encodeKeyShareClient,
  encodeKeyShareHrr,
  encodeKeyShareServer,
  encodeNamedGroupList,
  encodeOidFilters,
  encodePadding,
  encodePreSharedKeyClient,
  encodePreSharedKeyServer,
  encodePskKeyExchangeModes,
  encodeRecordSizeLimit,
  encodeServerNameList,
  encodeSignatureSchemeList,
  encodeStatusRequest,
  encodeSupportedVersionsClient,
  encodeSupportedVersionsServer,
  extensionAllowedIn,
  findExtension,
  isRecognisedExtension,
  validateExtensions,
  type ExtensionContext,
} from '../../../src/wire/extensions.js';
import type { Extension } from '../../../src/wire/types.js';
import { catchTls, expectAlert } from '../../helpers/wire.js';

const DECODE = AlertDescription.decode_error;
const ILLEGAL = AlertDescription.illegal_parameter;
const h = fromHex;

/** Every strict prefix of a valid body fails with decode_error; so does one trailing byte. */
function expectStrict(decode: (d: Uint8Array) => unknown, valid: Uint8Array): void {
  for (let n = 0; n < valid.length; n++) expectAlert(() => decode(valid.subarray(0, n)), DECODE);
  const longer = new Uint8Array(valid.length + 1);
  longer.set(valid);
  expectAlert(() => decode(longer), DECODE);
}

describe('findExtension / EMPTY / decodeEmpty / encodePadding', () => {
  it('finds the first extension of a type', () => {
    const exts: Extension[] = [
      { type: 10, data: h('00') },
      { type: 43, data: h('01') },
    ];
    expect(findExtension(exts, 43)).toBe(exts[1]);
    expect(findExtension(exts, 51)).toBeUndefined();
  });
  it('EMPTY is empty; decodeEmpty rejects any byte', () => {
    expect(EMPTY.length).toBe(0);
    expect(() => decodeEmpty(EMPTY, 'early_data')).not.toThrow();
    expectAlert(() => decodeEmpty(h('00'), 'early_data'), DECODE);
  });
  it('padding is zeros of the given length', () => {
    expect(encodePadding(5)).toEqual(new Uint8Array(5));
    expect(encodePadding(0).length).toBe(0);
  });
});

describe('server_name (RFC 6066 §3)', () => {
  it('round-trips and matches the RFC 8448 bytes', () => {
    const body = encodeServerNameList([{ nameType: 0, name: utf8('server') }]);
    expect(toHex(body)).toBe('0009000006736572766572');
    expect(decodeServerNameList(body)).toEqual([{ nameType: 0, name: utf8('server') }]);
    expectStrict(decodeServerNameList, body);
  });
  it('keeps an unknown name type (it starts with a 16-bit length)', () => {
    const list = [
      { nameType: 0, name: utf8('a') },
      { nameType: 7, name: EMPTY },
    ];
    expect(decodeServerNameList(encodeServerNameList(list))).toEqual(list);
  });
  it('rejects an empty list, an empty host_name, a duplicate name_type', () => {
    expectAlert(() => decodeServerNameList(h('0000')), DECODE);
    expectAlert(() => decodeServerNameList(h('0003000000')), DECODE);
    expectAlert(() => decodeServerNameList(h('000800000161 00000162'.replace(' ', ''))), ILLEGAL);
    expectAlert(() => decodeServerNameList(EMPTY), DECODE);
  });
});

describe('u16 lists: supported_groups, signature_algorithms', () => {
  it('round-trips, keeping unknown and GREASE values', () => {
    const groups = [0x2a2a, NamedGroup.x25519, 0x11ec, 0xfe00];
    const body = encodeNamedGroupList(groups);
    expect(toHex(body)).toBe('00082a2a001d11ecfe00');
    expect(decodeNamedGroupList(body)).toEqual(groups);
    expectStrict(decodeNamedGroupList, body);
    const schemes = [SignatureScheme.ed25519, 0x0a0a, 0xfe01];
    expect(decodeSignatureSchemeList(encodeSignatureSchemeList(schemes))).toEqual(schemes);
    expectStrict(decodeSignatureSchemeList, encodeSignatureSchemeList(schemes));
  });
  it('enforces minimum length and even length', () => {
    expectAlert(() => decodeNamedGroupList(h('0000')), DECODE);
    expectAlert(() => decodeNamedGroupList(h('0003001d00')), DECODE);
    expectAlert(() => decodeSignatureSchemeList(h('0000')), DECODE);
    expectAlert(() => decodeSignatureSchemeList(h('000308070a')), DECODE);
  });
  it('rejects duplicate groups (RFC 9846 §4.3.7) with illegal_parameter', () => {
    expectAlert(() => decodeNamedGroupList(h('0004001d001d')), ILLEGAL);
  });
});

describe('ALPN (RFC 7301 §3.1)', () => {
  it('round-trips', () => {
    const protos = [utf8('h2'), utf8('http/1.1')];
    const body = encodeAlpnList(protos);
    expect(toHex(body)).toBe('000c02683208687474702f312e31');
    expect(decodeAlpnList(body)).toEqual(protos);
    expectStrict(decodeAlpnList, body);
  });
  it('rejects an empty protocol name and an empty list', () => {
    expectAlert(() => decodeAlpnList(h('00020000')), DECODE);
    expectAlert(() => decodeAlpnList(h('0003000161')), DECODE);
    expectAlert(() => decodeAlpnList(h('0000')), DECODE);
  });
});

describe('supported_versions (RFC 8446 §4.2.1)', () => {
  it('client form round-trips with GREASE', () => {
    const v = [0x7a7a, ProtocolVersion.TLSv1_3, ProtocolVersion.TLSv1_2];
    const body = encodeSupportedVersionsClient(v);
    expect(toHex(body)).toBe('067a7a03040303');
    expect(decodeSupportedVersionsClient(body)).toEqual(v);
    expectStrict(decodeSupportedVersionsClient, body);
  });
  it('client form enforces <2..254> and even length', () => {
    expectAlert(() => decodeSupportedVersionsClient(h('00')), DECODE);
    expectAlert(() => decodeSupportedVersionsClient(h('03030403')), DECODE);
    const big = new Uint8Array(256);
    big[0] = 255;
    expectAlert(() => decodeSupportedVersionsClient(big), DECODE);
  });
  it('server form is exactly two bytes', () => {
    expect(toHex(encodeSupportedVersionsServer(0x0304))).toBe('0304');
    expect(decodeSupportedVersionsServer(h('0304'))).toBe(0x0304);
    expectStrict(decodeSupportedVersionsServer, h('0304'));
  });
});

describe('cookie (RFC 8446 §4.2.2)', () => {
  it('round-trips; an empty cookie is invalid', () => {
    const c = h('deadbeef');
    expect(toHex(encodeCookie(c))).toBe('0004deadbeef');
    expect(decodeCookie(encodeCookie(c))).toEqual(c);
    expectStrict(decodeCookie, encodeCookie(c));
    expectAlert(() => decodeCookie(h('0000')), DECODE);
  });
});

describe('key_share (RFC 8446 §4.2.8)', () => {
  const x = { group: NamedGroup.x25519, keyExchange: new Uint8Array(32).fill(7) };
  const grease = { group: 0x1a1a, keyExchange: h('00') };
  it('client form round-trips (including GREASE and an empty list)', () => {
    const body = encodeKeyShareClient([grease, x]);
    expect(decodeKeyShareClient(body)).toEqual([grease, x]);
    expectStrict(decodeKeyShareClient, body);
    expect(decodeKeyShareClient(h('0000'))).toEqual([]);
  });
  it('rejects an empty key_exchange and a duplicate group', () => {
    expectAlert(() => decodeKeyShareClient(h('0004001d0000')), DECODE);
    expectAlert(() => decodeKeyShareClient(h('000a001d000101001d000102')), ILLEGAL);
  });
  it('server and HRR forms', () => {
    const body = encodeKeyShareServer(x);
    expect(decodeKeyShareServer(body)).toEqual(x);
    expectStrict(decodeKeyShareServer, body);
    expectAlert(() => decodeKeyShareServer(h('001d0000')), DECODE);
    expect(toHex(encodeKeyShareHrr(NamedGroup.secp256r1))).toBe('0017');
    expect(decodeKeyShareHrr(h('0017'))).toBe(0x17);
    expectStrict(decodeKeyShareHrr, h('0017'));
  });
});

describe('psk_key_exchange_modes (RFC 8446 §4.2.9)', () => {
  it('round-trips keeping unknown modes; the list is <1..255>', () => {
    expect(toHex(encodePskKeyExchangeModes([1, 0, 0x4b]))).toBe('0301004b');
    expect(decodePskKeyExchangeModes(h('0301004b'))).toEqual([1, 0, 0x4b]);
    expectStrict(decodePskKeyExchangeModes, h('0301004b'));
    expectAlert(() => decodePskKeyExchangeModes(h('00')), DECODE);
  });
});

describe('pre_shared_key (RFC 8446 §4.2.11)', () => {
  const offered = {
    identities: [
      { identity: h('0102030405'), obfuscatedTicketAge: 0xfad6aacb },
      { identity: h('aa'), obfuscatedTicketAge: 0 },
    ],
    binders: [new Uint8Array(32).fill(1), new Uint8Array(48).fill(2)],
  };
  it('client form round-trips', () => {
    const body = encodePreSharedKeyClient(offered);
    expect(decodePreSharedKeyClient(body)).toEqual(offered);
    expectStrict(decodePreSharedKeyClient, body);
  });
  it('bindersEncodedLength is the binders vector with its length prefix', () => {
    const body = encodePreSharedKeyClient(offered);
    expect(bindersEncodedLength(offered.binders)).toBe(2 + 33 + 49);
    const tail = body.subarray(body.length - bindersEncodedLength(offered.binders));
    expect(toHex(tail.subarray(0, 3))).toBe('005220');
  });
  it('enforces identities <7..>, identity <1..>, binders <33..>, binder <32..255>', () => {
    const binder = `0021 20${'11'.repeat(32)}`.replace(' ', '');
    // identity of 0 bytes (identities vector is 6 bytes: below 7 too)
    expectAlert(() => decodePreSharedKeyClient(h(`0006 0000 00000000 ${binder}`.replace(/ /g, ''))), DECODE);
    // identities of 7 bytes with a 1-byte identity is fine
    expect(decodePreSharedKeyClient(h(`0007 0001aa 00000000 ${binder}`.replace(/ /g, ''))).identities).toHaveLength(1);
    // binder of 31 bytes
    expectAlert(
      () => decodePreSharedKeyClient(h(`0007 0001aa 00000000 0020 1f${'11'.repeat(31)}`.replace(/ /g, ''))),
      DECODE,
    );
    // empty binders list
    expectAlert(() => decodePreSharedKeyClient(h(`0007 0001aa 00000000 0000`.replace(/ /g, ''))), DECODE);
  });
  it('identities and binders must pair up (illegal_parameter)', () => {
    const body = encodePreSharedKeyClient({ identities: offered.identities, binders: [offered.binders[0]!] });
    expectAlert(() => decodePreSharedKeyClient(body), ILLEGAL);
  });
  it('server form', () => {
    expect(toHex(encodePreSharedKeyServer(1))).toBe('0001');
    expect(decodePreSharedKeyServer(h('0001'))).toBe(1);
    expectStrict(decodePreSharedKeyServer, h('0001'));
  });
});

describe('early_data in NewSessionTicket (RFC 8446 §4.2.10)', () => {
  it('is a uint32', () => {
    expect(toHex(encodeEarlyDataTicket(1024))).toBe('00000400');
    expect(decodeEarlyDataTicket(h('ffffffff'))).toBe(0xffffffff);
    expectStrict(decodeEarlyDataTicket, h('00000400'));
  });
});

describe('certificate_authorities (RFC 8446 §4.2.4)', () => {
  it('round-trips and enforces <3..> / DistinguishedName<1..>', () => {
    const names = [h('300b3109300706035504030c0161'), h('30')];
    const body = encodeCertificateAuthorities(names);
    expect(decodeCertificateAuthorities(body)).toEqual(names);
    expectStrict(decodeCertificateAuthorities, body);
    expectAlert(() => decodeCertificateAuthorities(h('0002 0000'.replace(' ', ''))), DECODE);
    expectAlert(() => decodeCertificateAuthorities(h('0000')), DECODE);
    expectAlert(() => decodeCertificateAuthorities(h('000400000000')), DECODE);
  });
});

describe('oid_filters (RFC 8446 §4.2.5)', () => {
  it('round-trips; an empty list is valid; an empty OID is not', () => {
    const f = [
      { certificateExtensionOid: h('551d25'), certificateExtensionValues: h('300a06082b06010505070301') },
      { certificateExtensionOid: h('551d0f'), certificateExtensionValues: EMPTY },
    ];
    const body = encodeOidFilters(f);
    expect(decodeOidFilters(body)).toEqual(f);
    expectStrict(decodeOidFilters, body);
    expect(decodeOidFilters(h('0000'))).toEqual([]);
    expectAlert(() => decodeOidFilters(h('0003000000')), DECODE);
  });
});

describe('status_request (RFC 6066 §8, RFC 8446 §4.4.2.1)', () => {
  it('request round-trips (ocsp, with and without responder ids)', () => {
    const plain = { statusType: 1, responderIdList: [], requestExtensions: EMPTY };
    expect(toHex(encodeStatusRequest(plain))).toBe('0100000000');
    expect(decodeStatusRequest(h('0100000000'))).toEqual(plain);
    const full = { statusType: 1, responderIdList: [h('a1'), h('a2b3')], requestExtensions: h('3000') };
    const body = encodeStatusRequest(full);
    expect(decodeStatusRequest(body)).toEqual(full);
    expectStrict(decodeStatusRequest, body);
    expectAlert(() => decodeStatusRequest(h('01000200000000')), DECODE); // empty ResponderID
  });
  it('request with an unknown status_type keeps the body', () => {
    const req = { statusType: 9, responderIdList: [], requestExtensions: EMPTY, unknownBody: h('cafe') };
    const body = encodeStatusRequest(req);
    expect(toHex(body)).toBe('09cafe');
    expect(decodeStatusRequest(body)).toEqual(req);
  });
  it('CertificateStatus round-trips; OCSPResponse<1..2^24-1>; unknown type is illegal_parameter', () => {
    const s = { statusType: 1, ocspResponse: h('3003020100') };
    const body = encodeCertificateStatus(s);
    expect(toHex(body)).toBe('010000053003020100');
    expect(decodeCertificateStatus(body)).toEqual(s);
    expectStrict(decodeCertificateStatus, body);
    expectAlert(() => decodeCertificateStatus(h('01000000')), DECODE);
    expectAlert(() => decodeCertificateStatus(h('02000001aa')), ILLEGAL);
  });
});

describe('record_size_limit (RFC 8449 §4)', () => {
  it('round-trips; below 64 is illegal_parameter', () => {
    expect(toHex(encodeRecordSizeLimit(0x4001))).toBe('4001');
    expect(decodeRecordSizeLimit(h('4001'))).toBe(0x4001);
    expect(decodeRecordSizeLimit(h('0040'))).toBe(64);
    expectAlert(() => decodeRecordSizeLimit(h('003f')), ILLEGAL);
    expectStrict(decodeRecordSizeLimit, h('4001'));
  });
});

describe('validateExtensions (RFC 8446 §4.2)', () => {
  const ext = (type: number, hex: string): Extension => ({ type, data: h(hex) });
  const sv = ext(ExtensionType.supported_versions, '020304');
  const ks = ext(ExtensionType.key_share, '0024001d0020' + '00'.repeat(32));
  const psk = ext(ExtensionType.pre_shared_key, encodePskHex());

  function encodePskHex(): string {
    return toHex(
      encodePreSharedKeyClient({ identities: [{ identity: h('01'), obfuscatedTicketAge: 0 }], binders: [new Uint8Array(32)] }),
    );
  }

  it('accepts a typical ClientHello block with GREASE and unknown extensions', () => {
    expect(() =>
      validateExtensions('CH', [ext(0x0a0a, ''), sv, ext(0xff01, '00'), ks, ext(0x3a3a, '00'), psk]),
    ).not.toThrow();
  });
  it('duplicate extension → illegal_parameter, also for unknown types', () => {
    expectAlert(() => validateExtensions('CH', [sv, ks, sv]), ILLEGAL);
    expectAlert(() => validateExtensions('EE', [ext(0xff01, ''), ext(0xff01, '')]), ILLEGAL);
  });
  it('pre_shared_key must be last in CH, anywhere in SH', () => {
    expectAlert(() => validateExtensions('CH', [sv, psk, ks]), ILLEGAL);
    expect(() =>
      validateExtensions('SH', [ext(ExtensionType.pre_shared_key, '0000'), ext(ExtensionType.supported_versions, '0304')]),
    ).not.toThrow();
  });
  it('recognised extension outside its messages → illegal_parameter', () => {
    const cases: [ExtensionContext, Extension][] = [
      ['EE', ks],
      ['SH', ext(ExtensionType.cookie, '0001aa')],
      ['CH', ext(ExtensionType.oid_filters, '0000')],
      ['NST', ext(ExtensionType.supported_groups, '0002001d')],
      ['CT', ext(ExtensionType.server_name, '')],
      ['HRR', ext(ExtensionType.pre_shared_key, '0000')],
      ['SH', ext(ExtensionType.early_data, '')],
      ['CR', ext(ExtensionType.post_handshake_auth, '')],
      ['EE', ext(ExtensionType.signature_algorithms, '00020807')],
      ['EE', ext(ExtensionType.padding, '0000')],
      ['SH', ext(ExtensionType.record_size_limit, '4000')],
    ];
    for (const [ctx, e] of cases) {
      const err = catchTls(() => validateExtensions(ctx, [e]));
      expect(err.alert, `${e.type} in ${ctx}`).toBe(ILLEGAL);
    }
  });
  it('unknown and GREASE types are allowed anywhere', () => {
    for (const ctx of ['CH', 'SH', 'HRR', 'EE', 'CR', 'CT', 'NST'] as const) {
      expect(() => validateExtensions(ctx, [ext(0xdada, 'ff'), ext(0x1234, '')])).not.toThrow();
    }
    expect(isRecognisedExtension(0xdada)).toBe(false);
    expect(isRecognisedExtension(ExtensionType.key_share)).toBe(true);
    expect(extensionAllowedIn('EE', 0xdada)).toBe(true);
    expect(extensionAllowedIn('EE', ExtensionType.key_share)).toBe(false);
    expect(extensionAllowedIn('HRR', ExtensionType.cookie)).toBe(true);
  });
  it('bodies decode under the context codec (empty vs list forms)', () => {
    // server_name: list in CH, empty in EE
    expect(() => validateExtensions('EE', [ext(ExtensionType.server_name, '')])).not.toThrow();
    expectAlert(() => validateExtensions('EE', [ext(ExtensionType.server_name, '00')]), DECODE);
    expectAlert(() => validateExtensions('CH', [ext(ExtensionType.server_name, '')]), DECODE);
    // early_data: empty in CH/EE, uint32 in NST
    expect(() => validateExtensions('NST', [ext(ExtensionType.early_data, '00004000')])).not.toThrow();
    expectAlert(() => validateExtensions('NST', [ext(ExtensionType.early_data, '')]), DECODE);
    expectAlert(() => validateExtensions('EE', [ext(ExtensionType.early_data, '00004000')]), DECODE);
    // supported_versions: list in CH, one version in SH/HRR
    expectAlert(() => validateExtensions('SH', [ext(ExtensionType.supported_versions, '020304')]), DECODE);
    expectAlert(() => validateExtensions('CH', [ext(ExtensionType.supported_versions, '0304')]), DECODE);
    // key_share: three forms
    expect(() => validateExtensions('HRR', [ext(ExtensionType.key_share, '001d')])).not.toThrow();
    expectAlert(() => validateExtensions('HRR', [ks]), DECODE);
    expectAlert(() => validateExtensions('SH', [ext(ExtensionType.key_share, '001d')]), DECODE);
    // status_request: request in CH, empty in CR, CertificateStatus in CT
    expect(() => validateExtensions('CR', [ext(ExtensionType.status_request, '')])).not.toThrow();
    expect(() => validateExtensions('CT', [ext(ExtensionType.status_request, '0100000101')])).not.toThrow();
    expectAlert(() => validateExtensions('CT', [ext(ExtensionType.status_request, '0100000000')]), DECODE);
    // post_handshake_auth must be empty
    expectAlert(() => validateExtensions('CH', [ext(ExtensionType.post_handshake_auth, '00')]), DECODE);
    // record_size_limit value check surfaces as illegal_parameter
    expectAlert(() => validateExtensions('EE', [ext(ExtensionType.record_size_limit, '0010')]), ILLEGAL);
    // malformed supported_groups in EE
    expectAlert(() => validateExtensions('EE', [ext(ExtensionType.supported_groups, '0001')]), DECODE);
  });
});

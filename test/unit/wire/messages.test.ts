import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AlertDescription } from '../../../src/errors.js';
import { concatBytes, fromHex, toHex, utf8 } from '../../../src/util/bytes.js';
import { CipherSuite, ExtensionType, HandshakeType, NamedGroup, SignatureScheme } from '../../../src/wire/codepoints.js';
import {
  EMPTY,
  bindersEncodedLength,
  decodeAlpnList,
  decodeCookie,
  decodeEarlyDataTicket,
  decodeKeyShareClient,
  decodeKeyShareHrr,
  decodeKeyShareServer,
  decodeNamedGroupList,
  decodePreSharedKeyClient,
  decodePreSharedKeyServer,
  decodePskKeyExchangeModes,
  decodeRecordSizeLimit,
  decodeServerNameList,
  decodeSignatureSchemeList,
  decodeSupportedVersionsClient,
  decodeSupportedVersionsServer,
  encodeAlpnList,
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
  encodeServerNameList,
  encodeSignatureSchemeList,
  encodeSupportedVersionsClient,
  encodeSupportedVersionsServer,
  findExtension,
} from '../../../src/wire/extensions.js';
import {
  HANDSHAKE_HEADER_LENGTH,
  HELLO_RETRY_REQUEST_RANDOM,
  decodeHandshake,
  decodeHandshakeBody,
  encodeHandshake,
} from '../../../src/wire/messages.js';
import type {
  Certificate,
  ClientHello,
  Extension,
  HandshakeMessage,
  NewSessionTicket,
  ServerHello,
} from '../../../src/wire/types.js';
import { expectAlert, withHeader } from '../../helpers/wire.js';
import { RFC8448 } from '../../vectors/rfc8448-messages.js';

const DECODE = AlertDescription.decode_error;
const ILLEGAL = AlertDescription.illegal_parameter;
const UNEXPECTED = AlertDescription.unexpected_message;
const h = fromHex;
const T = ExtensionType;

function ext(type: number, data: Uint8Array): Extension {
  return { type, data };
}
function extData(exts: Extension[], type: number): Uint8Array {
  const e = findExtension(exts, type);
  if (!e) throw new Error(`extension ${type} missing`);
  return e.data;
}

// ---- synthetic messages covering every type, with GREASE/unknown code points ----

const psk = encodePreSharedKeyClient({
  identities: [{ identity: h('aabbccdd'), obfuscatedTicketAge: 0x01020304 }],
  binders: [new Uint8Array(32).fill(0x5a)],
});

const clientHello: ClientHello = {
  msgType: HandshakeType.client_hello,
  legacyVersion: 0x0303,
  random: new Uint8Array(32).fill(0x11),
  legacySessionId: new Uint8Array(32).fill(0x22),
  cipherSuites: [0x3a3a, CipherSuite.TLS_AES_128_GCM_SHA256, 0x00ff, 0xc02b],
  legacyCompressionMethods: h('00'),
  extensions: [
    ext(0x4a4a, EMPTY),
    ext(T.server_name, encodeServerNameList([{ nameType: 0, name: utf8('example.com') }])),
    ext(T.supported_groups, encodeNamedGroupList([0x4a4a, NamedGroup.x25519, 0x11ec, NamedGroup.secp256r1])),
    ext(T.signature_algorithms, encodeSignatureSchemeList([SignatureScheme.ed25519, 0x0a0a, 0xfeee])),
    ext(T.application_layer_protocol_negotiation, encodeAlpnList([utf8('h2'), utf8('http/1.1')])),
    ext(T.supported_versions, encodeSupportedVersionsClient([0x5a5a, 0x0304])),
    ext(
      T.key_share,
      encodeKeyShareClient([
        { group: 0x4a4a, keyExchange: h('00') },
        { group: NamedGroup.x25519, keyExchange: new Uint8Array(32).fill(9) },
      ]),
    ),
    ext(T.psk_key_exchange_modes, encodePskKeyExchangeModes([1])),
    ext(T.early_data, EMPTY),
    ext(0xff01, h('00')),
    ext(T.padding, encodePadding(10)),
    ext(T.pre_shared_key, psk),
  ],
};

const serverHello: ServerHello = {
  msgType: HandshakeType.server_hello,
  legacyVersion: 0x0303,
  random: new Uint8Array(32).fill(0x33),
  legacySessionIdEcho: new Uint8Array(32).fill(0x22),
  cipherSuite: 0x1301,
  legacyCompressionMethod: 0,
  extensions: [
    ext(T.supported_versions, encodeSupportedVersionsServer(0x0304)),
    ext(T.key_share, encodeKeyShareServer({ group: NamedGroup.x25519, keyExchange: new Uint8Array(32).fill(8) })),
    ext(T.pre_shared_key, encodePreSharedKeyServer(0)),
    ext(0x8a8a, h('0102')),
  ],
  isHelloRetryRequest: false,
};

const helloRetryRequest: ServerHello = {
  ...serverHello,
  random: HELLO_RETRY_REQUEST_RANDOM.slice(),
  cipherSuite: 0xabcd,
  extensions: [
    ext(T.key_share, encodeKeyShareHrr(NamedGroup.secp256r1)),
    ext(T.cookie, encodeCookie(h('c0c0c0'))),
    ext(T.supported_versions, encodeSupportedVersionsServer(0x0304)),
  ],
  isHelloRetryRequest: true,
};

const certificate: Certificate = {
  msgType: HandshakeType.certificate,
  certificateRequestContext: h('0102'),
  certificateList: [
    {
      data: h('3082000130'),
      extensions: [ext(T.status_request, encodeCertificateStatus({ statusType: 1, ocspResponse: h('30030a0100') })), ext(0x9a9a, EMPTY)],
    },
    { data: h('30'), extensions: [] },
  ],
};

const newSessionTicket: NewSessionTicket = {
  msgType: HandshakeType.new_session_ticket,
  ticketLifetime: 604800,
  ticketAgeAdd: 0xffffffff,
  ticketNonce: h('00'),
  ticket: new Uint8Array(100).fill(0xee),
  extensions: [ext(T.early_data, encodeEarlyDataTicket(0x4000)), ext(0xbaba, h('00'))],
};

const synthetic: [string, HandshakeMessage][] = [
  ['ClientHello', clientHello],
  ['ServerHello', serverHello],
  ['HelloRetryRequest', helloRetryRequest],
  [
    'EncryptedExtensions',
    {
      msgType: HandshakeType.encrypted_extensions,
      extensions: [
        ext(T.server_name, EMPTY),
        ext(T.supported_groups, encodeNamedGroupList([NamedGroup.x25519, 0x6a6a])),
        ext(T.application_layer_protocol_negotiation, encodeAlpnList([utf8('h2')])),
        ext(T.early_data, EMPTY),
        ext(0xcaca, h('ff')),
      ],
    },
  ],
  ['EncryptedExtensions (empty)', { msgType: HandshakeType.encrypted_extensions, extensions: [] }],
  [
    'CertificateRequest',
    {
      msgType: HandshakeType.certificate_request,
      certificateRequestContext: h('abcdef'),
      extensions: [
        ext(T.signature_algorithms, encodeSignatureSchemeList([0x0804, 0x0403, 0xdada])),
        ext(T.oid_filters, encodeOidFilters([{ certificateExtensionOid: h('551d25'), certificateExtensionValues: EMPTY }])),
        ext(T.status_request, EMPTY),
      ],
    },
  ],
  ['CertificateRequest (no extensions)', { msgType: HandshakeType.certificate_request, certificateRequestContext: EMPTY, extensions: [] }],
  ['Certificate', certificate],
  ['Certificate (empty)', { msgType: HandshakeType.certificate, certificateRequestContext: EMPTY, certificateList: [] }],
  ['CertificateVerify', { msgType: HandshakeType.certificate_verify, algorithm: 0xfe77, signature: new Uint8Array(64).fill(3) }],
  ['CertificateVerify (empty signature)', { msgType: HandshakeType.certificate_verify, algorithm: 0x0807, signature: EMPTY }],
  ['Finished', { msgType: HandshakeType.finished, verifyData: new Uint8Array(48).fill(4) }],
  ['NewSessionTicket', newSessionTicket],
  ['EndOfEarlyData', { msgType: HandshakeType.end_of_early_data }],
  ['KeyUpdate 0', { msgType: HandshakeType.key_update, requestUpdate: 0 }],
  ['KeyUpdate 1', { msgType: HandshakeType.key_update, requestUpdate: 1 }],
  ['MessageHash', { msgType: HandshakeType.message_hash, hash: new Uint8Array(32).fill(5) }],
];

const vectors = Object.entries(RFC8448).filter(([name]) => name !== 's4ClientHelloPrefix') as [string, string][];

/** All valid encodings the truncation and trailing-byte tests run over. */
const allEncodings: [string, Uint8Array][] = [
  ...synthetic.map(([n, m]): [string, Uint8Array] => [n, encodeHandshake(m)]),
  ...vectors.map(([n, x]): [string, Uint8Array] => [n, h(x)]),
];

describe('round trip of every message type', () => {
  it.each(synthetic)('%s: decode(encode(m)) equals m, encode(decode(b)) equals b', (_name, msg) => {
    const bytes = encodeHandshake(msg);
    const back = decodeHandshake(bytes);
    expect(back).toEqual(msg);
    expect(toHex(encodeHandshake(back))).toBe(toHex(bytes));
    expect(bytes[0]).toBe(msg.msgType);
    expect((bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!).toBe(bytes.length - HANDSHAKE_HEADER_LENGTH);
    expect(decodeHandshakeBody(msg.msgType, bytes.subarray(4))).toEqual(msg);
  });

  it('keeps GREASE and unknown suites, groups, schemes and extensions', () => {
    const ch = decodeHandshake(encodeHandshake(clientHello)) as ClientHello;
    expect(ch.cipherSuites).toEqual([0x3a3a, 0x1301, 0x00ff, 0xc02b]);
    expect(ch.extensions.map((e) => e.type)).toEqual(clientHello.extensions.map((e) => e.type));
    expect(decodeNamedGroupList(extData(ch.extensions, T.supported_groups))).toEqual([0x4a4a, 0x1d, 0x11ec, 0x17]);
    expect(decodeSignatureSchemeList(extData(ch.extensions, T.signature_algorithms))).toEqual([0x0807, 0x0a0a, 0xfeee]);
  });

  it('ServerHello.isHelloRetryRequest follows the random, not the flag', () => {
    const lying: ServerHello = { ...serverHello, isHelloRetryRequest: true };
    expect((decodeHandshake(encodeHandshake(lying)) as ServerHello).isHelloRetryRequest).toBe(false);
    const hrr = decodeHandshake(encodeHandshake({ ...helloRetryRequest, isHelloRetryRequest: false })) as ServerHello;
    expect(hrr.isHelloRetryRequest).toBe(true);
  });

  it('HELLO_RETRY_REQUEST_RANDOM is SHA-256("HelloRetryRequest")', () => {
    expect(toHex(HELLO_RETRY_REQUEST_RANDOM)).toBe(createHash('sha256').update('HelloRetryRequest').digest('hex'));
  });

  it('message_hash is fe 00 00 len || hash (RFC 8446 §4.4.1)', () => {
    const hash = new Uint8Array(32).fill(0xab);
    expect(toHex(encodeHandshake({ msgType: HandshakeType.message_hash, hash }))).toBe(`fe000020${'ab'.repeat(32)}`);
  });

  it('decoded opaque values are copies, not views of the input', () => {
    const bytes = encodeHandshake(clientHello);
    const ch = decodeHandshake(bytes) as ClientHello;
    bytes.fill(0);
    expect(ch.random).toEqual(clientHello.random);
    expect(ch.extensions[1]!.data).toEqual(clientHello.extensions[1]!.data);
  });
});

describe('RFC 8448 traces', () => {
  it.each(vectors)('%s decodes and re-encodes byte-exactly', (_name, hex) => {
    const bytes = h(hex);
    const msg = decodeHandshake(bytes);
    expect(toHex(encodeHandshake(msg))).toBe(hex);
  });

  it('§3 ClientHello fields', () => {
    const ch = decodeHandshake(h(RFC8448.s3ClientHello)) as ClientHello;
    expect(ch.msgType).toBe(HandshakeType.client_hello);
    expect(ch.legacyVersion).toBe(0x0303);
    expect(toHex(ch.random)).toBe('cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7');
    expect(ch.legacySessionId.length).toBe(0);
    expect(ch.cipherSuites).toEqual([0x1301, 0x1303, 0x1302]);
    expect(toHex(ch.legacyCompressionMethods)).toBe('00');
    expect(ch.extensions.map((e) => e.type)).toEqual([0, 0xff01, 10, 35, 51, 43, 13, 45, 28]);
    expect(decodeServerNameList(extData(ch.extensions, T.server_name))).toEqual([{ nameType: 0, name: utf8('server') }]);
    expect(decodeNamedGroupList(extData(ch.extensions, T.supported_groups))).toEqual([
      0x1d, 0x17, 0x18, 0x19, 0x100, 0x101, 0x102, 0x103, 0x104,
    ]);
    const shares = decodeKeyShareClient(extData(ch.extensions, T.key_share));
    expect(shares).toHaveLength(1);
    expect(shares[0]!.group).toBe(NamedGroup.x25519);
    expect(toHex(shares[0]!.keyExchange)).toBe('99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c');
    expect(decodeSupportedVersionsClient(extData(ch.extensions, T.supported_versions))).toEqual([0x0304]);
    expect(decodeSignatureSchemeList(extData(ch.extensions, T.signature_algorithms))).toHaveLength(15);
    expect(decodePskKeyExchangeModes(extData(ch.extensions, T.psk_key_exchange_modes))).toEqual([1]);
    expect(decodeRecordSizeLimit(extData(ch.extensions, T.record_size_limit))).toBe(0x4001);
  });

  it('§3 ServerHello, EncryptedExtensions, Certificate, CertificateVerify, Finished, NewSessionTicket', () => {
    const sh = decodeHandshake(h(RFC8448.s3ServerHello)) as ServerHello;
    expect(sh.isHelloRetryRequest).toBe(false);
    expect(sh.cipherSuite).toBe(0x1301);
    expect(sh.legacyCompressionMethod).toBe(0);
    expect(decodeSupportedVersionsServer(extData(sh.extensions, T.supported_versions))).toBe(0x0304);
    const share = decodeKeyShareServer(extData(sh.extensions, T.key_share));
    expect(share.group).toBe(NamedGroup.x25519);
    expect(toHex(share.keyExchange)).toBe('c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f');

    const ee = decodeHandshake(h(RFC8448.s3EncryptedExtensions));
    if (ee.msgType !== HandshakeType.encrypted_extensions) throw new Error('not EE');
    expect(ee.extensions.map((e) => e.type)).toEqual([10, 28, 0]);
    expect(extData(ee.extensions, T.server_name).length).toBe(0);

    const cert = decodeHandshake(h(RFC8448.s3Certificate));
    if (cert.msgType !== HandshakeType.certificate) throw new Error('not Certificate');
    expect(cert.certificateRequestContext.length).toBe(0);
    expect(cert.certificateList).toHaveLength(1);
    expect(cert.certificateList[0]!.data.length).toBe(0x1b0);
    expect(toHex(cert.certificateList[0]!.data.subarray(0, 4))).toBe('308201ac');
    expect(cert.certificateList[0]!.extensions).toEqual([]);

    const cv = decodeHandshake(h(RFC8448.s3CertificateVerify));
    if (cv.msgType !== HandshakeType.certificate_verify) throw new Error('not CV');
    expect(cv.algorithm).toBe(SignatureScheme.rsa_pss_rsae_sha256);
    expect(cv.signature.length).toBe(128);

    const fin = decodeHandshake(h(RFC8448.s3ServerFinished));
    if (fin.msgType !== HandshakeType.finished) throw new Error('not Finished');
    expect(toHex(fin.verifyData)).toBe('9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718');

    const nst = decodeHandshake(h(RFC8448.s3NewSessionTicket)) as NewSessionTicket;
    expect(nst.ticketLifetime).toBe(30);
    expect(nst.ticketAgeAdd).toBe(0xfad6aac5);
    expect(toHex(nst.ticketNonce)).toBe('0000');
    expect(nst.ticket.length).toBe(0xb2);
    expect(decodeEarlyDataTicket(extData(nst.extensions, T.early_data))).toBe(1024);
  });

  it('§4 resumption ClientHello: pre_shared_key last, binder truncation point', () => {
    const bytes = h(RFC8448.s4ClientHello);
    const ch = decodeHandshake(bytes) as ClientHello;
    expect(ch.extensions.at(-1)!.type).toBe(T.pre_shared_key);
    expect(extData(ch.extensions, T.early_data).length).toBe(0);
    expect(extData(ch.extensions, T.padding).length).toBe(0x57);
    const offered = decodePreSharedKeyClient(extData(ch.extensions, T.pre_shared_key));
    expect(offered.identities).toHaveLength(1);
    expect(offered.identities[0]!.identity.length).toBe(0xb2);
    expect(offered.identities[0]!.obfuscatedTicketAge).toBe(0xfad6aacb);
    expect(toHex(offered.binders[0]!)).toBe('3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d');
    const truncated = bytes.subarray(0, bytes.length - bindersEncodedLength(offered.binders));
    expect(toHex(truncated)).toBe(RFC8448.s4ClientHelloPrefix);
  });

  it('§4 ServerHello selects identity 0; EncryptedExtensions accepts early_data; EndOfEarlyData', () => {
    const sh = decodeHandshake(h(RFC8448.s4ServerHello)) as ServerHello;
    expect(decodePreSharedKeyServer(extData(sh.extensions, T.pre_shared_key))).toBe(0);
    const ee = decodeHandshake(h(RFC8448.s4EncryptedExtensions));
    if (ee.msgType !== HandshakeType.encrypted_extensions) throw new Error('not EE');
    expect(extData(ee.extensions, T.early_data).length).toBe(0);
    expect(decodeHandshake(h(RFC8448.s4EndOfEarlyData))).toEqual({ msgType: HandshakeType.end_of_early_data });
  });

  it('§5 HelloRetryRequest and the second ClientHello', () => {
    const hrr = decodeHandshake(h(RFC8448.s5HelloRetryRequest)) as ServerHello;
    expect(hrr.isHelloRetryRequest).toBe(true);
    expect(hrr.cipherSuite).toBe(0x1301);
    expect(hrr.extensions.map((e) => e.type)).toEqual([T.key_share, T.cookie, T.supported_versions]);
    expect(decodeKeyShareHrr(extData(hrr.extensions, T.key_share))).toBe(NamedGroup.secp256r1);
    const cookie = decodeCookie(extData(hrr.extensions, T.cookie));
    expect(cookie.length).toBe(0x72);

    const ch2 = decodeHandshake(h(RFC8448.s5ClientHello2)) as ClientHello;
    expect(decodeCookie(extData(ch2.extensions, T.cookie))).toEqual(cookie);
    const shares = decodeKeyShareClient(extData(ch2.extensions, T.key_share));
    expect(shares.map((s) => [s.group, s.keyExchange.length])).toEqual([[NamedGroup.secp256r1, 65]]);

    const sh = decodeHandshake(h(RFC8448.s5ServerHello)) as ServerHello;
    expect(sh.isHelloRetryRequest).toBe(false);
    expect(decodeKeyShareServer(extData(sh.extensions, T.key_share)).group).toBe(NamedGroup.secp256r1);
  });

  it('§6 CertificateRequest and the client Certificate', () => {
    const cr = decodeHandshake(h(RFC8448.s6CertificateRequest));
    if (cr.msgType !== HandshakeType.certificate_request) throw new Error('not CR');
    expect(cr.certificateRequestContext.length).toBe(0);
    expect(decodeSignatureSchemeList(extData(cr.extensions, T.signature_algorithms))).toHaveLength(15);
    const cert = decodeHandshake(h(RFC8448.s6ClientCertificate));
    if (cert.msgType !== HandshakeType.certificate) throw new Error('not Certificate');
    expect(cert.certificateList).toHaveLength(1);
  });
});

describe('truncation, trailing bytes and header length', () => {
  it.each(allEncodings)('%s: every prefix fails with decode_error', (_name, bytes) => {
    for (let n = 0; n < bytes.length; n++) expectAlert(() => decodeHandshake(bytes.subarray(0, n)), DECODE);
  });

  it.each(allEncodings)('%s: every truncated body, re-headed, fails with decode_error', (_name, bytes) => {
    const type = bytes[0]!;
    // Finished and message_hash bodies are opaque of any length: no prefix is malformed.
    if (type === HandshakeType.finished || type === HandshakeType.message_hash) return;
    const body = bytes.subarray(4);
    for (let n = 0; n < body.length; n++) {
      const prefix = body.subarray(0, n);
      if (type === HandshakeType.client_hello || type === HandshakeType.server_hello) {
        // A hello that ends right after the compression method(s) is the legacy form without extensions.
        const legacyEnd = legacyHelloEnd(type, body);
        if (n === legacyEnd) {
          const m = decodeHandshake(withHeader(type, prefix)) as ClientHello | ServerHello;
          expect(m.extensions).toEqual([]);
          continue;
        }
      }
      expectAlert(() => decodeHandshake(withHeader(type, prefix)), DECODE);
    }
  });

  it.each(allEncodings)('%s: a trailing byte fails with decode_error', (_name, bytes) => {
    const type = bytes[0]!;
    const body = concatBytes(bytes.subarray(4), h('00'));
    // Finished and message_hash absorb any length; EndOfEarlyData/KeyUpdate etc. must not.
    if (type === HandshakeType.finished || type === HandshakeType.message_hash) {
      expect(decodeHandshake(withHeader(type, body))).toBeDefined();
    } else {
      expectAlert(() => decodeHandshake(withHeader(type, body)), DECODE);
    }
    // Without fixing the header, the extra byte is a length mismatch.
    expectAlert(() => decodeHandshake(concatBytes(bytes, h('00'))), DECODE);
  });

  it.each(allEncodings)('%s: header length ±1 fails with decode_error', (_name, bytes) => {
    for (const delta of [-1, 1]) {
      const bad = bytes.slice();
      const len = bytes.length - 4 + delta;
      if (len < 0) continue;
      bad[1] = (len >>> 16) & 0xff;
      bad[2] = (len >>> 8) & 0xff;
      bad[3] = len & 0xff;
      expectAlert(() => decodeHandshake(bad), DECODE);
    }
  });
});

/** Offset in a hello body just after the compression method(s). */
function legacyHelloEnd(type: number, body: Uint8Array): number {
  let p = 2 + 32;
  p += 1 + body[p]!; // session id
  if (type === HandshakeType.client_hello) {
    p += 2 + ((body[p]! << 8) | body[p + 1]!); // cipher suites
    p += 1 + body[p]!; // compression methods
  } else {
    p += 2 + 1;
  }
  return p;
}

describe('legacy hellos without an extensions block (RFC 9846 §4.2.2)', () => {
  it('ClientHello and ServerHello decode with extensions [] and re-encode identically', () => {
    const ch = h(`010000 29 0303${'00'.repeat(32)} 00 0002 1301 01 00`.replace(/ /g, ''));
    const m = decodeHandshake(ch) as ClientHello;
    expect(m.extensions).toEqual([]);
    expect(toHex(encodeHandshake(m))).toBe(toHex(ch));
    const sh = h(`020000 26 0303${'00'.repeat(32)} 00 1301 00`.replace(/ /g, ''));
    const s = decodeHandshake(sh) as ServerHello;
    expect(s.extensions).toEqual([]);
    expect(toHex(encodeHandshake(s))).toBe(toHex(sh));
  });
  it('but an explicit extensions block below its minimum is decode_error', () => {
    // ClientHello extensions<7..2^16-1>, ServerHello <6..2^16-1> (RFC 9846 B.3.1)
    const chBody = h(`0303${'00'.repeat(32)} 00 0002 1301 01 00 0000`.replace(/ /g, ''));
    expectAlert(() => decodeHandshakeBody(HandshakeType.client_hello, chBody), DECODE);
    const chBody6 = h(`0303${'00'.repeat(32)} 00 0002 1301 01 00 0006 fafa0002 0000`.replace(/ /g, ''));
    expectAlert(() => decodeHandshakeBody(HandshakeType.client_hello, chBody6), DECODE);
    const shBody = h(`0303${'00'.repeat(32)} 00 1301 00 0005 ff01000100`.replace(/ /g, ''));
    expectAlert(() => decodeHandshakeBody(HandshakeType.server_hello, shBody), DECODE);
  });
});

describe('field strictness', () => {
  const chBody = (sid: string, suites: string, comp: string): Uint8Array =>
    h(`0303${'00'.repeat(32)}${sid}${suites}${comp}0007002b0003020304`);

  it('ClientHello limits', () => {
    expect(() => decodeHandshakeBody(1, chBody(`20${'aa'.repeat(32)}`, '00021301', '0100'))).not.toThrow();
    expectAlert(() => decodeHandshakeBody(1, chBody(`21${'aa'.repeat(33)}`, '00021301', '0100')), DECODE);
    expectAlert(() => decodeHandshakeBody(1, chBody('00', '0000', '0100')), DECODE);
    expectAlert(() => decodeHandshakeBody(1, chBody('00', '0003130113', '0100')), DECODE);
    expectAlert(() => decodeHandshakeBody(1, chBody('00', '00021301', '00')), DECODE);
    // legacy_version and compression methods are kept as sent (the handshake checks them)
    const m = decodeHandshakeBody(1, chBody('00', '00021301', '020100')) as ClientHello;
    expect(toHex(m.legacyCompressionMethods)).toBe('0100');
  });

  it('ServerHello session id echo ≤ 32 and compression byte kept', () => {
    const sh = (sid: string, comp: string): Uint8Array => h(`0303${'00'.repeat(32)}${sid}1301${comp}0006002b00020304`);
    expect((decodeHandshakeBody(2, sh('00', '07')) as ServerHello).legacyCompressionMethod).toBe(7);
    expectAlert(() => decodeHandshakeBody(2, sh(`21${'aa'.repeat(33)}`, '00')), DECODE);
  });

  it('KeyUpdate request_update other than 0 or 1 → illegal_parameter; empty → decode_error', () => {
    expectAlert(() => decodeHandshake(h('1800000102')), ILLEGAL);
    expectAlert(() => decodeHandshake(h('18000001ff')), ILLEGAL);
    expectAlert(() => decodeHandshake(h('18000000')), DECODE);
    expectAlert(() => decodeHandshake(h('180000020100')), DECODE);
  });

  it('EndOfEarlyData must be empty', () => {
    expectAlert(() => decodeHandshake(h('0500000100')), DECODE);
  });

  it('NewSessionTicket: ticket <1..>, nonce <0..255>', () => {
    expectAlert(() => decodeHandshake(withHeader(4, h('0000001e000000010000000000'))), DECODE);
    expect(() => decodeHandshake(withHeader(4, h('0000001e00000001000001aa0000')))).not.toThrow();
  });

  it('Certificate: cert_data <1..>, entry extensions in context CT', () => {
    expectAlert(() => decodeHandshake(withHeader(11, h('00000005000000 0000'.replace(' ', '')))), DECODE);
    // key_share is not allowed in a CertificateEntry
    const bad = h('0000000c00000130 0006 0033 0002 001d'.replace(/ /g, ''));
    expectAlert(() => decodeHandshake(withHeader(11, bad)), ILLEGAL);
  });

  it('CertificateVerify: signature<0..2^16-1>, exact', () => {
    expect(decodeHandshake(h('0f00000408070000'))).toEqual({
      msgType: HandshakeType.certificate_verify,
      algorithm: 0x0807,
      signature: EMPTY,
    });
    expectAlert(() => decodeHandshake(h('0f00000508070002 0a'.replace(' ', ''))), DECODE);
  });

  it('Finished keeps any body; message_hash body is the hash', () => {
    expect(decodeHandshake(h('14000000'))).toEqual({ msgType: HandshakeType.finished, verifyData: EMPTY });
    expect(decodeHandshake(h('fe000002abcd'))).toEqual({ msgType: HandshakeType.message_hash, hash: h('abcd') });
  });

  it('unknown msg_type → unexpected_message', () => {
    for (const t of [0, 3, 6, 12, 14, 16, 21, 22, 23, 25, 253, 255]) {
      expectAlert(() => decodeHandshake(h(`${t.toString(16).padStart(2, '0')}000000`)), UNEXPECTED);
      expectAlert(() => decodeHandshakeBody(t, EMPTY), UNEXPECTED);
    }
  });

  it('a message shorter than its header → decode_error', () => {
    expectAlert(() => decodeHandshake(EMPTY), DECODE);
    expectAlert(() => decodeHandshake(h('140000')), DECODE);
  });
});

describe('extension rules inside messages', () => {
  function reencodeCH(f: (exts: Extension[]) => Extension[]): Uint8Array {
    return encodeHandshake({ ...clientHello, extensions: f([...clientHello.extensions]) });
  }

  it('duplicate extension in ClientHello → illegal_parameter', () => {
    const bytes = reencodeCH((e) => [e[1]!, ...e]);
    expectAlert(() => decodeHandshake(bytes), ILLEGAL);
  });

  it('duplicate extension in EncryptedExtensions, Certificate entry, NST → illegal_parameter', () => {
    const dup = [ext(0x1234, EMPTY), ext(0x1234, EMPTY)];
    expectAlert(() => decodeHandshake(encodeHandshake({ msgType: 8, extensions: dup })), ILLEGAL);
    expectAlert(
      () =>
        decodeHandshake(
          encodeHandshake({ msgType: 11, certificateRequestContext: EMPTY, certificateList: [{ data: h('30'), extensions: dup }] }),
        ),
      ILLEGAL,
    );
    expectAlert(() => decodeHandshake(encodeHandshake({ ...newSessionTicket, extensions: dup })), ILLEGAL);
  });

  it('pre_shared_key not last in ClientHello → illegal_parameter', () => {
    const bytes = reencodeCH((e) => {
      const p = e.pop()!;
      return [p, ...e];
    });
    expectAlert(() => decodeHandshake(bytes), ILLEGAL);
  });

  it('extension not allowed in its message → illegal_parameter', () => {
    const ks = ext(T.key_share, encodeKeyShareServer({ group: 0x1d, keyExchange: h('01') }));
    expectAlert(() => decodeHandshake(encodeHandshake({ msgType: 8, extensions: [ks] })), ILLEGAL);
    expectAlert(
      () => decodeHandshake(encodeHandshake({ ...serverHello, extensions: [...serverHello.extensions, ext(T.cookie, encodeCookie(h('01')))] })),
      ILLEGAL,
    );
    expectAlert(
      () => decodeHandshake(reencodeCH((e) => [ext(T.oid_filters, h('0000')), ...e])),
      ILLEGAL,
    );
    // the same cookie is fine in an HRR
    expect(() => decodeHandshake(encodeHandshake(helloRetryRequest))).not.toThrow();
    // pre_shared_key is SH-only, not HRR
    expectAlert(
      () =>
        decodeHandshake(
          encodeHandshake({ ...helloRetryRequest, extensions: [...helloRetryRequest.extensions, ext(T.pre_shared_key, h('0000'))] }),
        ),
      ILLEGAL,
    );
    // early_data in NST fine, in SH not
    expectAlert(
      () => decodeHandshake(encodeHandshake({ ...serverHello, extensions: [...serverHello.extensions, ext(T.early_data, EMPTY)] })),
      ILLEGAL,
    );
  });

  it('malformed extension bodies → decode_error', () => {
    expectAlert(() => decodeHandshake(reencodeCH((e) => [ext(T.supported_groups, h('0003001d00')), ...e.slice(3)])), DECODE);
    expectAlert(
      () => decodeHandshake(encodeHandshake({ msgType: 8, extensions: [ext(T.application_layer_protocol_negotiation, h('0000'))] })),
      DECODE,
    );
    expectAlert(
      () => decodeHandshake(encodeHandshake({ ...serverHello, extensions: [ext(T.supported_versions, h('030304'))] })),
      DECODE,
    );
    expectAlert(() => decodeHandshake(encodeHandshake({ ...newSessionTicket, extensions: [ext(T.early_data, h('0000'))] })), DECODE);
    // extension_data length running past the block
    const bad = h('08000006 0004 000a 0005'.replace(/ /g, ''));
    expectAlert(() => decodeHandshake(bad), DECODE);
  });

  it('ALPN and other decoded bodies survive the message round trip', () => {
    const ch = decodeHandshake(encodeHandshake(clientHello)) as ClientHello;
    expect(decodeAlpnList(extData(ch.extensions, T.application_layer_protocol_negotiation))).toEqual([utf8('h2'), utf8('http/1.1')]);
  });
});

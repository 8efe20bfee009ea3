import { describe, expect, it } from 'vitest';
import { fromHex, utf8 } from '../../../src/util/bytes.js';
import { ExtensionType, HandshakeType } from '../../../src/wire/codepoints.js';
import {
  EMPTY,
  encodeAlpnList,
  encodeCertificateStatus,
  encodeEarlyDataTicket,
  encodeKeyShareHrr,
  encodeOidFilters,
  encodeStatusRequest,
} from '../../../src/wire/extensions.js';
import { formatExtension, formatHandshake, handshakeMessageName, messageLabel } from '../../../src/wire/format.js';
import { decodeHandshake } from '../../../src/wire/messages.js';
import type { HandshakeMessage, ServerHello } from '../../../src/wire/types.js';
import { RFC8448 } from '../../vectors/rfc8448-messages.js';

const T = ExtensionType;

describe('handshakeMessageName / messageLabel', () => {
  it('names every message type and marks unknown ones', () => {
    expect(handshakeMessageName(1)).toBe('ClientHello');
    expect(handshakeMessageName(2)).toBe('ServerHello');
    expect(handshakeMessageName(4)).toBe('NewSessionTicket');
    expect(handshakeMessageName(5)).toBe('EndOfEarlyData');
    expect(handshakeMessageName(8)).toBe('EncryptedExtensions');
    expect(handshakeMessageName(11)).toBe('Certificate');
    expect(handshakeMessageName(13)).toBe('CertificateRequest');
    expect(handshakeMessageName(15)).toBe('CertificateVerify');
    expect(handshakeMessageName(20)).toBe('Finished');
    expect(handshakeMessageName(24)).toBe('KeyUpdate');
    expect(handshakeMessageName(254)).toBe('MessageHash');
    expect(handshakeMessageName(3)).toBe('unknown(0x03)');
  });
  it('labels a HelloRetryRequest by its random', () => {
    expect(messageLabel(decodeHandshake(fromHex(RFC8448.s5HelloRetryRequest)))).toBe('HelloRetryRequest');
    expect(messageLabel(decodeHandshake(fromHex(RFC8448.s5ServerHello)))).toBe('ServerHello');
    expect(messageLabel({ msgType: HandshakeType.finished, verifyData: EMPTY })).toBe('Finished');
  });
});

describe('formatHandshake', () => {
  it('§3 ClientHello: suites, groups, schemes by IANA name; server_name; key share hex', () => {
    const s = formatHandshake(decodeHandshake(fromHex(RFC8448.s3ClientHello)));
    const lines = s.split('\n');
    expect(lines[0]).toBe('ClientHello');
    expect(s).toContain('legacy_version: 0x0303 (TLSv1.2)');
    expect(s).toContain('cipher_suites: TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256, TLS_AES_256_GCM_SHA384');
    expect(s).toContain('server_name: host_name "server"');
    expect(s).toMatch(/supported_groups: x25519, secp256r1, secp384r1, secp521r1, ffdhe2048/);
    expect(s).toMatch(/signature_algorithms: ecdsa_secp256r1_sha256, .*rsa_pss_rsae_sha256/);
    expect(s).toContain('x25519 99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c');
    expect(s).toContain('supported_versions: TLSv1.3');
    expect(s).toContain('psk_key_exchange_modes: psk_dhe_ke');
    expect(s).toContain('record_size_limit: 16385');
    expect(s).toContain('unknown(0xff01): 00');
  });
  it('shortens long opaque values', () => {
    const s = formatHandshake(decodeHandshake(fromHex(RFC8448.s3CertificateVerify)));
    expect(s).toContain('algorithm: rsa_pss_rsae_sha256');
    expect(s).toMatch(/signature: 5a747c5d88fa9bd2e55ab085a61015b7…[0-9a-f]{8} \(128 bytes\)/);
    expect(Math.max(...s.split('\n').map((l) => l.length))).toBeLessThan(100);
  });
  it('HelloRetryRequest, NewSessionTicket, pre_shared_key and Certificate', () => {
    const hrr = formatHandshake(decodeHandshake(fromHex(RFC8448.s5HelloRetryRequest)));
    expect(hrr.split('\n')[0]).toBe('HelloRetryRequest');
    expect(hrr).toContain('key_share: selected_group secp256r1');
    expect(hrr).toMatch(/cookie: 71dcd04b.*\(114 bytes\)/);
    const nst = formatHandshake(decodeHandshake(fromHex(RFC8448.s3NewSessionTicket)));
    expect(nst).toContain('ticket_lifetime: 30');
    expect(nst).toContain('early_data: max_early_data_size 1024');
    const ch = formatHandshake(decodeHandshake(fromHex(RFC8448.s4ClientHello)));
    expect(ch).toContain('binder 3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d');
    expect(ch).toContain('obfuscated_ticket_age 4208372427');
    const sh = formatHandshake(decodeHandshake(fromHex(RFC8448.s4ServerHello)));
    expect(sh).toContain('pre_shared_key: selected_identity 0');
    const cert = formatHandshake(decodeHandshake(fromHex(RFC8448.s3Certificate)));
    expect(cert).toContain('certificate_list: 1 entry');
    expect(cert).toMatch(/\[0\] cert_data: 308201ac.*\(432 bytes\)/);
  });
  it('every message type formats', () => {
    const msgs: HandshakeMessage[] = [
      { msgType: HandshakeType.end_of_early_data },
      { msgType: HandshakeType.key_update, requestUpdate: 1 },
      { msgType: HandshakeType.message_hash, hash: new Uint8Array(32) },
      {
        msgType: HandshakeType.certificate_request,
        certificateRequestContext: fromHex('01'),
        extensions: [
          { type: T.oid_filters, data: encodeOidFilters([{ certificateExtensionOid: fromHex('551d25'), certificateExtensionValues: EMPTY }]) },
          { type: T.status_request, data: EMPTY },
        ],
      },
      {
        msgType: HandshakeType.encrypted_extensions,
        extensions: [{ type: T.application_layer_protocol_negotiation, data: encodeAlpnList([utf8('h2')]) }],
      },
    ];
    const out = msgs.map(formatHandshake);
    expect(out[0]).toBe('EndOfEarlyData');
    expect(out[1]).toBe('KeyUpdate\n  request_update: update_requested');
    expect(out[2]).toContain('hash: 0000');
    expect(out[3]).toContain('oid 551d25 values (empty)');
    expect(out[4]).toContain('application_layer_protocol_negotiation: "h2"');
  });
});

describe('formatExtension', () => {
  it('decodes by context and never throws on a malformed body', () => {
    expect(formatExtension('HRR', { type: T.key_share, data: encodeKeyShareHrr(0x1d) })).toEqual(['  key_share: selected_group x25519']);
    expect(formatExtension('NST', { type: T.early_data, data: encodeEarlyDataTicket(7) }, '')).toEqual([
      'early_data: max_early_data_size 7',
    ]);
    expect(formatExtension('CH', { type: T.supported_groups, data: fromHex('0001') })).toEqual([
      '  supported_groups: 0001 (malformed)',
    ]);
    expect(formatExtension('CT', { type: T.status_request, data: encodeCertificateStatus({ statusType: 1, ocspResponse: fromHex('3000') }) })[0]).toBe(
      '  status_request: ocsp response 3000',
    );
    expect(
      formatExtension('CH', {
        type: T.status_request,
        data: encodeStatusRequest({ statusType: 1, responderIdList: [], requestExtensions: EMPTY }),
      })[0],
    ).toBe('  status_request: ocsp responder_ids 0 request_extensions (empty)');
    expect(formatExtension('CH', { type: 0x0a0a, data: EMPTY })).toEqual(['  GREASE(0xa0a): (empty)']);
  });
  it('formats a ServerHello whose random marks it an HRR with HRR-context bodies', () => {
    const hrr = decodeHandshake(fromHex(RFC8448.s5HelloRetryRequest)) as ServerHello;
    expect(formatHandshake({ ...hrr })).toContain('selected_group secp256r1');
  });
});

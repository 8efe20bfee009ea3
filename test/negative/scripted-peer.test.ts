// A misbehaving peer: malformed, truncated, oversized and out-of-order messages. Each must
// produce the right alert on the wire (read back by the other side) and a typed error in the
// API; nothing may escape as anything but a TlsError (runPair rethrows anything else).

import { describe, expect, it } from 'vitest';
import { AlertDescription as A, PeerAlertError, TlsError } from '../../src/errors.js';
import { ContentType, ExtensionType, HandshakeType, NamedGroup, SignatureScheme } from '../../src/wire/codepoints.js';
import {
  encodeAlpnList,
  encodeKeyShareClient,
  encodeKeyShareHrr,
  encodeSupportedVersionsClient,
  encodeSupportedVersionsServer,
} from '../../src/wire/extensions.js';
import { HELLO_RETRY_REQUEST_RANDOM } from '../../src/wire/messages.js';
import type { HandshakeMessage } from '../../src/wire/types.js';
import { utf8 } from '../../src/util/bytes.js';
import { plaintextAlert, record, runPair, splitRecords, type PairOutcome } from '../helpers/scripted.js';

type Side = 'client' | 'server';

/** The detecting side raised `alert` (its own error, not the peer's), and the peer read the same alert off the wire. */
function expectAlert(o: PairOutcome, detector: Side, alert: number, opts: { peerReads?: boolean; plaintext?: boolean } = {}): void {
  const err = detector === 'client' ? o.clientError : o.serverError;
  expect(err, `${detector} error`).toBeInstanceOf(TlsError);
  expect(err).not.toBeInstanceOf(PeerAlertError);
  expect(err!.alertName).toBe(new TlsError(alert, '').alertName);
  const conn = detector === 'client' ? o.client : o.server;
  expect(conn.error).toBe(err);
  // No application data may leak out of a failed handshake.
  expect(conn.read()).toBeUndefined();
  if (opts.plaintext) {
    const wire = detector === 'client' ? o.clientWire : o.serverWire;
    expect(plaintextAlert(wire[wire.length - 1]!)).toBe(alert);
  }
  if (opts.peerReads !== false) {
    const peerErr = detector === 'client' ? o.serverError : o.clientError;
    expect(peerErr, `peer of ${detector} reads the alert`).toBeInstanceOf(PeerAlertError);
    expect(peerErr!.alert).toBe(alert);
  }
  // A failed connection keeps failing with the same error.
  expect(() => conn.receive(new Uint8Array([23, 3, 3, 0, 0]))).toThrow(err!);
}

/** Rewrite one handshake message the server sends. */
function serverSends(f: (m: HandshakeMessage) => HandshakeMessage | void) {
  return { research: { beforeSend: f } };
}
const clientSends = serverSends;

const isSH = (m: HandshakeMessage): m is Extract<HandshakeMessage, { msgType: 2 }> =>
  m.msgType === HandshakeType.server_hello && !m.isHelloRetryRequest;
const isCH = (m: HandshakeMessage): m is Extract<HandshakeMessage, { msgType: 1 }> => m.msgType === HandshakeType.client_hello;

describe('client facing a misbehaving server', () => {
  it('garbage instead of a ServerHello → decode_error', () => {
    const o = runPair({ toClient: () => utf8('HTTP/1.1 400 Bad Request\r\n\r\n') });
    expectAlert(o, 'client', A.decode_error, { plaintext: true });
  });

  it('truncated ServerHello body → decode_error', () => {
    const o = runPair({
      toClient: (b, n) => {
        if (n > 0) return b;
        const [sh] = splitRecords(b);
        const body = sh!.slice(5, sh!.length - 1); // drop the last byte of the message
        body[3] = body[3]! - 1; // keep the handshake header consistent: only the extensions are short
        return record(ContentType.handshake, body);
      },
    });
    expectAlert(o, 'client', A.decode_error, { plaintext: true });
  });

  it('oversized record → record_overflow', () => {
    const o = runPair({ toClient: () => record(ContentType.handshake, new Uint8Array(2 ** 14 + 300)) });
    expectAlert(o, 'client', A.record_overflow, { plaintext: true });
  });

  it('zero-length handshake record → unexpected_message', () => {
    const o = runPair({ toClient: () => record(ContentType.handshake, new Uint8Array(0)) });
    expectAlert(o, 'client', A.unexpected_message, { plaintext: true });
  });

  it('alert with trailing bytes → decode_error', () => {
    const o = runPair({ toClient: () => record(ContentType.alert, new Uint8Array([2, 40, 0])) });
    expectAlert(o, 'client', A.decode_error, { plaintext: true });
  });

  it('Finished where EncryptedExtensions belongs → unexpected_message', () => {
    const o = runPair({
      server: serverSends((m) =>
        m.msgType === HandshakeType.encrypted_extensions ? { msgType: HandshakeType.finished, verifyData: new Uint8Array(32) } : m,
      ),
    });
    expectAlert(o, 'client', A.unexpected_message);
  });

  it('a handshake message spanning the key change → unexpected_message', () => {
    const o = runPair({
      toClient: (b, n) => {
        if (n > 0) return b;
        const [sh] = splitRecords(b);
        const body = new Uint8Array([...sh!.subarray(5), HandshakeType.encrypted_extensions, 0, 0]);
        return record(ContentType.handshake, body);
      },
    });
    expectAlert(o, 'client', A.unexpected_message, { plaintext: true });
  });

  it('handshake message interleaved with a change_cipher_spec → unexpected_message', () => {
    const o = runPair({
      toClient: (b, n) => {
        if (n > 0) return b;
        const [sh] = splitRecords(b);
        const body = sh!.subarray(5);
        return new Uint8Array([
          ...record(ContentType.handshake, body.subarray(0, 10)),
          ...record(ContentType.change_cipher_spec, new Uint8Array([1])),
          ...record(ContentType.handshake, body.subarray(10)),
        ]);
      },
    });
    expectAlert(o, 'client', A.unexpected_message, { plaintext: true });
  });

  it('change_cipher_spec with a value other than 1 → unexpected_message', () => {
    const o = runPair({
      toClient: (b, n) => (n > 0 ? b : new Uint8Array([...record(ContentType.change_cipher_spec, new Uint8Array([2])), ...b])),
    });
    expectAlert(o, 'client', A.unexpected_message, { plaintext: true });
  });

  it('unknown extension in ServerHello → unsupported_extension', () => {
    const o = runPair({
      server: serverSends((m) => (isSH(m) ? { ...m, extensions: [...m.extensions, { type: 0x7777, data: new Uint8Array(0) }] } : m)),
    });
    expectAlert(o, 'client', A.unsupported_extension, { plaintext: true });
  });

  it('extension not allowed in ServerHello → illegal_parameter', () => {
    const o = runPair({
      server: serverSends((m) => (isSH(m) ? { ...m, extensions: [...m.extensions, { type: ExtensionType.cookie, data: new Uint8Array([0, 1, 9]) }] } : m)),
    });
    expectAlert(o, 'client', A.illegal_parameter, { plaintext: true });
  });

  it('cipher suite that was not offered → illegal_parameter', () => {
    const o = runPair({
      client: { cipherSuites: [0x1301] },
      server: serverSends((m) => (isSH(m) ? { ...m, cipherSuite: 0x1303 } : m)),
    });
    expectAlert(o, 'client', A.illegal_parameter, { plaintext: true });
  });

  it('a TLS 1.2 ServerHello → protocol_version', () => {
    const o = runPair({
      server: serverSends((m) => (isSH(m) ? { ...m, extensions: m.extensions.filter((e) => e.type !== ExtensionType.supported_versions) } : m)),
    });
    expectAlert(o, 'client', A.protocol_version, { plaintext: true });
  });

  it('the downgrade sentinel → illegal_parameter', () => {
    const o = runPair({
      server: serverSends((m) => {
        if (!isSH(m)) return m;
        const random = m.random.slice();
        random.set([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01], 24);
        return { ...m, random, extensions: m.extensions.filter((e) => e.type !== ExtensionType.supported_versions) };
      }),
    });
    expectAlert(o, 'client', A.illegal_parameter, { plaintext: true });
  });

  it('supported_versions selecting TLS 1.2 → illegal_parameter', () => {
    const o = runPair({
      server: serverSends((m) =>
        isSH(m)
          ? { ...m, extensions: m.extensions.map((e) => (e.type === ExtensionType.supported_versions ? { type: e.type, data: encodeSupportedVersionsServer(0x0303) } : e)) }
          : m,
      ),
    });
    expectAlert(o, 'client', A.illegal_parameter, { plaintext: true });
  });

  it('a second HelloRetryRequest → unexpected_message', () => {
    const o = runPair({
      client: { keyShareGroups: [NamedGroup.x25519] },
      server: {
        groups: [NamedGroup.secp256r1],
        ...serverSends((m) =>
          isSH(m)
            ? {
                ...m,
                random: HELLO_RETRY_REQUEST_RANDOM,
                isHelloRetryRequest: true,
                extensions: [
                  { type: ExtensionType.key_share, data: encodeKeyShareHrr(NamedGroup.secp384r1) },
                  { type: ExtensionType.supported_versions, data: encodeSupportedVersionsServer(0x0304) },
                ],
              }
            : m,
        ),
      },
    });
    expectAlert(o, 'client', A.unexpected_message, { plaintext: true });
  });

  it('HelloRetryRequest naming a group the client already sent a share for → illegal_parameter', () => {
    const o = runPair({
      client: { keyShareGroups: [NamedGroup.x25519] },
      server: {
        requireCookie: true,
        ...serverSends((m) =>
          m.msgType === HandshakeType.server_hello && m.isHelloRetryRequest
            ? { ...m, extensions: [{ type: ExtensionType.key_share, data: encodeKeyShareHrr(NamedGroup.x25519) }, ...m.extensions] }
            : m,
        ),
      },
    });
    expectAlert(o, 'client', A.illegal_parameter, { plaintext: true });
  });

  it('empty server Certificate → decode_error', () => {
    const o = runPair({
      server: serverSends((m) => (m.msgType === HandshakeType.certificate ? { ...m, certificateList: [] } : m)),
    });
    expectAlert(o, 'client', A.decode_error);
  });

  it('CertificateVerify with a bad signature → decrypt_error', () => {
    const o = runPair({
      server: serverSends((m) => {
        if (m.msgType !== HandshakeType.certificate_verify) return m;
        const signature = m.signature.slice();
        signature[10] = signature[10]! ^ 1;
        return { ...m, signature };
      }),
    });
    expectAlert(o, 'client', A.decrypt_error);
  });

  it('CertificateVerify with a scheme that was not offered → illegal_parameter', () => {
    const o = runPair({
      client: { signatureSchemes: [SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme.ecdsa_secp256r1_sha256] },
      server: serverSends((m) => (m.msgType === HandshakeType.certificate_verify ? { ...m, algorithm: SignatureScheme.rsa_pss_rsae_sha512 } : m)),
    });
    expectAlert(o, 'client', A.illegal_parameter);
  });

  it('wrong server Finished → decrypt_error', () => {
    const o = runPair({
      server: serverSends((m) => {
        if (m.msgType !== HandshakeType.finished) return m;
        const verifyData = m.verifyData.slice();
        verifyData[0] = verifyData[0]! ^ 0x80;
        return { ...m, verifyData };
      }),
    });
    expectAlert(o, 'client', A.decrypt_error);
  });

  it('ALPN the client did not ask for → unsupported_extension', () => {
    const o = runPair({
      server: serverSends((m) =>
        m.msgType === HandshakeType.encrypted_extensions
          ? { ...m, extensions: [...m.extensions, { type: ExtensionType.application_layer_protocol_negotiation, data: encodeAlpnList([utf8('h2')]) }] }
          : m,
      ),
    });
    expectAlert(o, 'client', A.unsupported_extension);
  });

  it('ALPN protocol the client did not offer → illegal_parameter', () => {
    const o = runPair({
      client: { alpn: ['h2'] },
      server: {
        alpn: ['h2'],
        ...serverSends((m) =>
          m.msgType === HandshakeType.encrypted_extensions
            ? {
                ...m,
                extensions: m.extensions.map((e) =>
                  e.type === ExtensionType.application_layer_protocol_negotiation ? { type: e.type, data: encodeAlpnList([utf8('h3')]) } : e,
                ),
              }
            : m,
        ),
      },
    });
    expectAlert(o, 'client', A.illegal_parameter);
  });

  it('application data before the handshake completes → unexpected_message', () => {
    const o = runPair({
      toClient: (b, n) => (n > 0 ? b : new Uint8Array([...record(ContentType.application_data, utf8('early!')), ...b])),
    });
    expectAlert(o, 'client', A.unexpected_message, { plaintext: true });
  });
});

describe('server facing a misbehaving client', () => {
  it('a TLS 1.2-only ClientHello → protocol_version', () => {
    const o = runPair({
      client: clientSends((m) => (isCH(m) ? { ...m, extensions: m.extensions.filter((e) => e.type !== ExtensionType.supported_versions) } : m)),
    });
    expectAlert(o, 'server', A.protocol_version, { plaintext: true });
  });

  it('supported_versions without TLS 1.3 → protocol_version', () => {
    const o = runPair({
      client: clientSends((m) =>
        isCH(m)
          ? { ...m, extensions: m.extensions.map((e) => (e.type === ExtensionType.supported_versions ? { type: e.type, data: encodeSupportedVersionsClient([0x0303, 0x0302]) } : e)) }
          : m,
      ),
    });
    expectAlert(o, 'server', A.protocol_version, { plaintext: true });
  });

  it('legacy_compression_methods other than [0] → illegal_parameter', () => {
    const o = runPair({ client: clientSends((m) => (isCH(m) ? { ...m, legacyCompressionMethods: new Uint8Array([1, 0]) } : m)) });
    expectAlert(o, 'server', A.illegal_parameter, { plaintext: true });
  });

  it('legacy_version other than 0x0303 → illegal_parameter', () => {
    const o = runPair({ client: clientSends((m) => (isCH(m) ? { ...m, legacyVersion: 0x0304 } : m)) });
    expectAlert(o, 'server', A.illegal_parameter, { plaintext: true });
  });

  it('no key_share → missing_extension', () => {
    const o = runPair({ client: clientSends((m) => (isCH(m) ? { ...m, extensions: m.extensions.filter((e) => e.type !== ExtensionType.key_share) } : m)) });
    expectAlert(o, 'server', A.missing_extension, { plaintext: true });
  });

  it('no signature_algorithms → missing_extension', () => {
    const o = runPair({
      client: clientSends((m) => (isCH(m) ? { ...m, extensions: m.extensions.filter((e) => e.type !== ExtensionType.signature_algorithms) } : m)),
    });
    expectAlert(o, 'server', A.missing_extension, { plaintext: true });
  });

  it('key share for a group not in supported_groups → illegal_parameter', () => {
    const o = runPair({ client: { groups: [NamedGroup.secp256r1], keyShareGroups: [NamedGroup.x25519] } });
    expectAlert(o, 'server', A.illegal_parameter, { plaintext: true });
  });

  it('no cipher suite in common → handshake_failure', () => {
    const o = runPair({ client: { cipherSuites: [0x1303] }, server: { cipherSuites: [0x1301] } });
    expectAlert(o, 'server', A.handshake_failure, { plaintext: true });
  });

  it('no ALPN protocol in common → no_application_protocol', () => {
    const o = runPair({ client: { alpn: ['h2'] }, server: { alpn: ['http/1.1'] } });
    expectAlert(o, 'server', A.no_application_protocol, { plaintext: true });
  });

  it('garbage → decode_error', () => {
    const o = runPair({ toServer: () => utf8('GET / HTTP/1.1\r\nHost: x\r\n\r\n') });
    expectAlert(o, 'server', A.decode_error, { plaintext: true, peerReads: false });
  });

  it('an SSLv2-format ClientHello → decode_error', () => {
    const o = runPair({ toServer: () => new Uint8Array([0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10]) });
    expectAlert(o, 'server', A.decode_error, { plaintext: true, peerReads: false });
  });

  it('change_cipher_spec before the ClientHello → unexpected_message', () => {
    const o = runPair({ toServer: (b, n) => (n > 0 ? b : new Uint8Array([...record(ContentType.change_cipher_spec, new Uint8Array([1])), ...b])) });
    expectAlert(o, 'server', A.unexpected_message, { plaintext: true, peerReads: false });
  });

  it('wrong client Finished → decrypt_error', () => {
    const o = runPair({
      client: clientSends((m) => {
        if (m.msgType !== HandshakeType.finished) return m;
        const verifyData = m.verifyData.slice();
        verifyData[5] = verifyData[5]! ^ 1;
        return { ...m, verifyData };
      }),
    });
    expectAlert(o, 'server', A.decrypt_error);
    // The client finished its side before the server objected; it learns through the alert.
    expect(o.client.handshakeComplete).toBe(true);
  });

  /** Rewrite only the second ClientHello (after a HelloRetryRequest). */
  const secondHello = (f: (m: Extract<HandshakeMessage, { msgType: 1 }>) => HandshakeMessage) => {
    let hellos = 0;
    return clientSends((m) => (isCH(m) && hellos++ === 1 ? f(m) : m));
  };

  it('second ClientHello that changes the cipher suites → illegal_parameter', () => {
    const o = runPair({
      client: { keyShareGroups: [NamedGroup.x25519], ...secondHello((m) => ({ ...m, cipherSuites: [...m.cipherSuites].reverse() })) },
      server: { groups: [NamedGroup.secp256r1] },
    });
    expectAlert(o, 'server', A.illegal_parameter, { plaintext: true });
  });

  it('second ClientHello that changes another extension → illegal_parameter', () => {
    const o = runPair({
      client: {
        keyShareGroups: [NamedGroup.x25519],
        ...secondHello((m) => ({ ...m, extensions: m.extensions.filter((e) => e.type !== ExtensionType.psk_key_exchange_modes) })),
      },
      server: { groups: [NamedGroup.secp256r1] },
    });
    expectAlert(o, 'server', A.illegal_parameter, { plaintext: true });
  });

  it('second ClientHello without a share for the selected group → illegal_parameter', () => {
    const x25519Share = encodeKeyShareClient([{ group: NamedGroup.x25519, keyExchange: new Uint8Array(32).fill(9) }]);
    const o = runPair({
      client: {
        keyShareGroups: [NamedGroup.x25519],
        ...secondHello((m) => ({
          ...m,
          extensions: m.extensions.map((e) => (e.type === ExtensionType.key_share ? { type: e.type, data: x25519Share } : e)),
        })),
      },
      server: { groups: [NamedGroup.secp256r1] },
    });
    expectAlert(o, 'server', A.illegal_parameter, { plaintext: true });
  });

  it('oversized handshake message → an alert, not unbounded buffering', () => {
    // A handshake header announcing 16 MiB: the server refuses before buffering it.
    const o = runPair({ toServer: () => record(ContentType.handshake, new Uint8Array([1, 0xff, 0xff, 0xff, 3, 3])) });
    expect(o.serverError).toBeInstanceOf(TlsError);
    expect(o.serverError).not.toBeInstanceOf(PeerAlertError);
    expect(plaintextAlert(o.serverWire[o.serverWire.length - 1]!)).toBe(o.serverError!.alert);
  });
});


// Issue 11, the hello classes: TLS 1.2 ClientHellos get protocol_version (RFC 8446 §4.2.1,
// §D.5), the largest legal ClientHello is processed (RFC 8446 §3, §4.1.2), invalid x25519/x448
// shares (§4.2.8.2), fixed-length handshake messages checked at the header (§4), obsolete
// groups (§4.2.7). The server is fed raw records; its alert is read off the wire.

import { describe, expect, it } from 'vitest';
import { createServerConnection } from '../../src/connection/index.js';
import type { ServerConfig } from '../../src/connection/config.js';
import { AlertDescription, TlsError, type AlertName } from '../../src/errors.js';
import { ContentType, ExtensionType as E, HandshakeType, NamedGroup, SignatureScheme } from '../../src/wire/codepoints.js';
import { encodeHandshake } from '../../src/wire/messages.js';

/** RFC 8446 §4.1.2: 2 + 32 + (1 + 32) + (2 + 65534) + (1 + 255) + (2 + 65535). */
const MAX_CLIENT_HELLO_LENGTH = 131396;
import type { ClientHello, Extension } from '../../src/wire/types.js';
import { plaintextAlert, record, runPair, testServerConfig } from '../helpers/scripted.js';

/** `bytes` as handshake records of at most 2^14 bytes (RFC 8446 §5.1). */
export function handshakeRecords(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 16384) parts.push(record(ContentType.handshake, bytes.subarray(i, i + 16384)));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** What a server does with `wire`: its error and the alert it put on the wire (or its first flight). */
function serverGets(wire: Uint8Array, extra: Partial<ServerConfig> = {}): { error?: TlsError; alert?: number; output?: Uint8Array } {
  const server = createServerConnection(testServerConfig(extra));
  let error: TlsError | undefined;
  try {
    server.receive(wire);
  } catch (e) {
    if (!(e instanceof TlsError)) throw e;
    error = e;
  }
  const output = server.takeOutput();
  return { error, alert: output && plaintextAlert(output), output };
}

function expectAlert(r: { error?: TlsError; alert?: number }, name: AlertName): void {
  expect(r.error, 'server error').toBeInstanceOf(TlsError);
  expect(r.error!.alertName, r.error!.message).toBe(name);
  expect(r.alert, 'alert on the wire').toBe(AlertDescription[name]);
}

const u16 = (...v: number[]): Uint8Array => Uint8Array.from(v.flatMap((x) => [x >> 8, x & 0xff]));
const vec2 = (b: Uint8Array): Uint8Array => Uint8Array.from([b.length >> 8, b.length & 0xff, ...b]);
const ext = (type: number, data: Uint8Array): Extension => ({ type, data });

function clientHello(extensions: Extension[], over: Partial<ClientHello> = {}): Uint8Array {
  return encodeHandshake({
    msgType: HandshakeType.client_hello,
    legacyVersion: 0x0303,
    random: new Uint8Array(32).fill(7),
    legacySessionId: new Uint8Array(32).fill(1),
    cipherSuites: [0x1301, 0xc02f, 0x009c],
    legacyCompressionMethods: Uint8Array.of(0),
    extensions,
    ...over,
  });
}

// A TLS 1.2 ClientHello as OpenSSL sends it with -no_tls1_3, plus bodies that are not valid TLS 1.3.
const tls12Extensions: Extension[] = [
  ext(E.server_name, Uint8Array.of(0, 9, 0, 0, 6, ...'server'.split('').map((c) => c.charCodeAt(0)))),
  ext(11, Uint8Array.of(3, 0, 1, 2)), // ec_point_formats (RFC 8422 §5.1.2)
  ext(E.supported_groups, vec2(u16(NamedGroup.x25519, NamedGroup.secp256r1))),
  ext(35, new Uint8Array(180).fill(0x5a)), // session_ticket with a TLS 1.2 ticket (RFC 5077)
  ext(22, new Uint8Array(0)), // encrypt_then_mac (RFC 7366)
  ext(23, new Uint8Array(0)), // extended_master_secret (RFC 7627)
  ext(E.signature_algorithms, vec2(u16(0x0401, 0x0501, 0x0201, 0x0403))),
  ext(0xff01, Uint8Array.of(0)), // renegotiation_info (RFC 5746)
];

describe('item 2: a TLS 1.2 ClientHello with TLS 1.2 extensions → protocol_version [RFC 8446 §4.2.1, §D.5]', () => {
  it('a TLS 1.2 ClientHello as OpenSSL sends it', () => {
    expectAlert(serverGets(handshakeRecords(clientHello(tls12Extensions))), 'protocol_version');
  });
  it('with an early_data body that is not empty and pre_shared_key not last', () => {
    const exts = [ext(E.pre_shared_key, Uint8Array.of(1, 2, 3)), ...tls12Extensions, ext(E.early_data, Uint8Array.of(0, 0, 0, 1))];
    expectAlert(serverGets(handshakeRecords(clientHello(exts))), 'protocol_version');
  });
  it('with malformed signature_algorithms, key_share and supported_groups bodies', () => {
    const exts = [
      ...tls12Extensions.filter((e) => e.type !== E.supported_groups && e.type !== E.signature_algorithms),
      ext(E.supported_groups, vec2(u16(29, 29))),
      ext(E.signature_algorithms, Uint8Array.of(0, 3, 4, 1, 5)),
      ext(E.key_share, Uint8Array.of(0, 4, 0, 29, 0, 0)),
      ext(E.record_size_limit, u16(10)),
    ];
    expectAlert(serverGets(handshakeRecords(clientHello(exts))), 'protocol_version');
  });
  it('with a truncated status_request body and a legacy_version of TLS 1.0', () => {
    const exts = [...tls12Extensions, ext(E.status_request, Uint8Array.of(1, 0, 1))];
    expectAlert(serverGets(handshakeRecords(clientHello(exts, { legacyVersion: 0x0301 }))), 'protocol_version');
  });
  it('supported_versions offering only TLS 1.2 and TLS 1.1', () => {
    const exts = [...tls12Extensions, ext(E.supported_versions, Uint8Array.of(4, 3, 3, 3, 2)), ext(E.early_data, Uint8Array.of(1))];
    expectAlert(serverGets(handshakeRecords(clientHello(exts))), 'protocol_version');
  });
  it('a TLS 1.3 ClientHello with the same malformed bodies is still decode_error', () => {
    const exts = [...tls12Extensions, ext(E.supported_versions, Uint8Array.of(2, 3, 4)), ext(E.signature_algorithms_cert, Uint8Array.of(0, 3, 4, 1, 5))];
    expectAlert(serverGets(handshakeRecords(clientHello(exts))), 'decode_error');
  });
});

/** `n` distinct uint16 values from `start` (unknown code points, none reserved). */
const distinct = (n: number, start: number): number[] => Array.from({ length: n }, (_, i) => start + i);
const list2 = (v: number[]): Uint8Array => vec2(u16(...v));

/**
 * A ClientHello grown to the largest the presentation language allows with compression [0]:
 * 32767 cipher suites, a 32-byte session id, and an extensions block of 65535 bytes whose
 * signature_algorithms, signature_algorithms_cert and supported_groups hold thousands of
 * unknown entries (padding fills the rest).
 */
function largest(m: ClientHello): ClientHello {
  const keep = m.extensions.filter((e) => e.type !== E.padding && e.type !== E.signature_algorithms && e.type !== E.signature_algorithms_cert && e.type !== E.supported_groups);
  const exts: Extension[] = [
    ext(E.signature_algorithms, list2([...distinct(10000, 0x2000), SignatureScheme.ed25519, SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.rsa_pss_rsae_sha256])),
    ext(E.signature_algorithms_cert, list2([...distinct(10000, 0x5000), SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.rsa_pss_rsae_sha256])),
    ext(E.supported_groups, list2([...distinct(9000, 0x8000), NamedGroup.x25519, NamedGroup.secp256r1])),
    ...keep,
  ];
  const used = exts.reduce((n, e) => n + 4 + e.data.length, 0);
  const padding = ext(E.padding, new Uint8Array(65535 - used - 4));
  const psk = exts.findIndex((e) => e.type === E.pre_shared_key);
  if (psk >= 0) exts.splice(psk, 0, padding);
  else exts.push(padding);
  const cipherSuites = [...distinct(32767 - m.cipherSuites.length, 0x0a00), ...m.cipherSuites];
  return { ...m, legacySessionId: new Uint8Array(32).fill(3), cipherSuites, extensions: exts };
}

describe('item 1: the largest legal ClientHello is processed [RFC 8446 §3, §4.1.2]', () => {
  it('a ClientHello of 131142 bytes (every list at its largest, unknown values ignored) completes the handshake', () => {
    let size = 0;
    const o = runPair({ client: { research: { beforeSend: (m) => (m.msgType === HandshakeType.client_hello ? ((size = encodeHandshake(largest(m)).length), largest(m)) : m) } } });
    expect(size).toBe(4 + MAX_CLIENT_HELLO_LENGTH - 254); // compression methods: [0], not 255 bytes
    expect(o.serverError, o.serverError?.message).toBeUndefined();
    expect(o.clientError, o.clientError?.message).toBeUndefined();
    expect(o.server.handshakeComplete && o.client.handshakeComplete).toBe(true);
  });
  it('the largest ClientHello the syntax admits (255 compression methods) decodes and gets illegal_parameter for its compression, not a size alert', () => {
    const ch = clientHello([ext(E.supported_versions, Uint8Array.of(2, 3, 4)), ext(E.padding, new Uint8Array(65535 - 4 - 3 - 4))], {
      cipherSuites: distinct(32767, 0x0a00),
      legacyCompressionMethods: Uint8Array.from(distinct(255, 0).map((x) => x & 0xff)),
    });
    expect(ch.length).toBe(4 + MAX_CLIENT_HELLO_LENGTH);
    const r = serverGets(handshakeRecords(ch));
    expectAlert(r, 'illegal_parameter');
    expect(r.error!.message).toMatch(/legacy_compression_methods/);
  });
  it('a ClientHello declaring one byte more than the legal maximum → illegal_parameter at its header (the default bound)', () => {
    const n = MAX_CLIENT_HELLO_LENGTH + 1;
    const r = serverGets(record(ContentType.handshake, Uint8Array.of(1, n >> 16, (n >> 8) & 0xff, n & 0xff)));
    expectAlert(r, 'illegal_parameter');
    expect(r.error!.message).toMatch(/limit of 131396/);
  });
  it('under a configured limit above the legal maximum, a longer ClientHello → decode_error at its header', () => {
    const n = MAX_CLIENT_HELLO_LENGTH + 1;
    const r = serverGets(record(ContentType.handshake, Uint8Array.of(1, n >> 16, (n >> 8) & 0xff, n & 0xff)), { limits: { maxHandshakeMessageSize: 1 << 20 } });
    expectAlert(r, 'decode_error');
  });
  it('a configured maxHandshakeMessageSize still applies (illegal_parameter)', () => {
    const ch = clientHello([ext(E.supported_versions, Uint8Array.of(2, 3, 4))]);
    expectAlert(serverGets(handshakeRecords(ch), { limits: { maxHandshakeMessageSize: 50 } }), 'illegal_parameter');
  });
});

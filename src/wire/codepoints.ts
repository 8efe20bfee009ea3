// TLS code points. Every field that carries one is a plain number: code points are
// open sets (RFC 8446 §4.1.2, RFC 8701), so unknown and GREASE values are kept, never thrown on.

/** RFC 8446 §5.1 */
export const ContentType = {
  invalid: 0,
  change_cipher_spec: 20,
  alert: 21,
  handshake: 22,
  application_data: 23,
} as const;

/** RFC 8446 §4 */
export const HandshakeType = {
  client_hello: 1,
  server_hello: 2,
  new_session_ticket: 4,
  end_of_early_data: 5,
  encrypted_extensions: 8,
  certificate: 11,
  certificate_request: 13,
  certificate_verify: 15,
  finished: 20,
  key_update: 24,
  message_hash: 254,
} as const;
export type HandshakeTypeValue = (typeof HandshakeType)[keyof typeof HandshakeType];

/** RFC 8446 §4.2, RFC 6066, RFC 7301, RFC 7685, RFC 8449 */
export const ExtensionType = {
  server_name: 0,
  max_fragment_length: 1,
  status_request: 5,
  supported_groups: 10,
  signature_algorithms: 13,
  use_srtp: 14,
  heartbeat: 15,
  application_layer_protocol_negotiation: 16,
  signed_certificate_timestamp: 18,
  client_certificate_type: 19,
  server_certificate_type: 20,
  padding: 21,
  record_size_limit: 28,
  pre_shared_key: 41,
  early_data: 42,
  supported_versions: 43,
  cookie: 44,
  psk_key_exchange_modes: 45,
  certificate_authorities: 47,
  oid_filters: 48,
  post_handshake_auth: 49,
  signature_algorithms_cert: 50,
  key_share: 51,
} as const;

/** RFC 8446 §4.2.7 */
export const NamedGroup = {
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  secp521r1: 0x0019,
  x25519: 0x001d,
  x448: 0x001e,
  ffdhe2048: 0x0100,
  ffdhe3072: 0x0101,
  ffdhe4096: 0x0102,
  ffdhe6144: 0x0103,
  ffdhe8192: 0x0104,
} as const;

/** RFC 8446 §4.2.3 */
export const SignatureScheme = {
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  ed448: 0x0808,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
  rsa_pkcs1_sha1: 0x0201,
  ecdsa_sha1: 0x0203,
} as const;

/** RFC 8446 Appendix B.4 */
export const CipherSuite = {
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
  TLS_AES_128_CCM_SHA256: 0x1304,
  TLS_AES_128_CCM_8_SHA256: 0x1305,
} as const;

/** RFC 8446 §4.2.9 */
export const PskKeyExchangeMode = { psk_ke: 0, psk_dhe_ke: 1 } as const;

/** RFC 8446 §4.6.3 */
export const KeyUpdateRequest = { update_not_requested: 0, update_requested: 1 } as const;

/** RFC 6066 §8 */
export const CertificateStatusType = { ocsp: 1 } as const;

/** RFC 6066 §3 */
export const ServerNameType = { host_name: 0 } as const;

export const ProtocolVersion = {
  SSLv3: 0x0300,
  TLSv1_0: 0x0301,
  TLSv1_1: 0x0302,
  TLSv1_2: 0x0303,
  TLSv1_3: 0x0304,
} as const;

/** RFC 8701: GREASE values are 0x?A?A with both bytes equal. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
}

function reverse(table: Record<string, number>): Map<number, string> {
  return new Map(Object.entries(table).map(([k, v]) => [v, k]));
}
const names = {
  content: reverse(ContentType),
  handshake: reverse(HandshakeType),
  extension: reverse(ExtensionType),
  group: reverse(NamedGroup),
  scheme: reverse(SignatureScheme),
  suite: reverse(CipherSuite),
  version: new Map<number, string>([
    [0x0300, 'SSLv3'],
    [0x0301, 'TLSv1'],
    [0x0302, 'TLSv1.1'],
    [0x0303, 'TLSv1.2'],
    [0x0304, 'TLSv1.3'],
  ]),
};

function nameOr(map: Map<number, string>, v: number, width = 4): string {
  return map.get(v) ?? (isGrease(v) ? `GREASE(0x${v.toString(16)})` : `unknown(0x${v.toString(16).padStart(width, '0')})`);
}

export const contentTypeName = (v: number): string => nameOr(names.content, v, 2);
export const handshakeTypeName = (v: number): string => nameOr(names.handshake, v, 2);
export const extensionName = (v: number): string => nameOr(names.extension, v);
export const groupName = (v: number): string => nameOr(names.group, v);
export const schemeName = (v: number): string => nameOr(names.scheme, v);
export const suiteName = (v: number): string => nameOr(names.suite, v);
export const versionName = (v: number): string => nameOr(names.version, v);

/** Look up a code point by its IANA name (for CLI lists). */
export function groupByName(name: string): number | undefined {
  return (NamedGroup as Record<string, number>)[name];
}
export function suiteByName(name: string): number | undefined {
  return (CipherSuite as Record<string, number>)[name];
}
export function schemeByName(name: string): number | undefined {
  return (SignatureScheme as Record<string, number>)[name];
}

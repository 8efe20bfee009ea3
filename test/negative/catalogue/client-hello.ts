// The server facing a misbehaving client: the ClientHello and the second ClientHello after a
// HelloRetryRequest. The alerts go in the clear (the server has no keys yet).

import type { ClientConfig } from '../../../src/connection/config.js';
import { ContentType, ExtensionType, HandshakeType, NamedGroup, SignatureScheme } from '../../../src/wire/codepoints.js';
import {
  encodeCookie,
  encodeKeyShareClient,
  encodeNamedGroupList,
  encodePreSharedKeyClient,
  encodeRecordSizeLimit,
  encodeServerNameList,
  encodeSupportedVersionsClient,
  EMPTY,
} from '../../../src/wire/extensions.js';
import { secp256r1Group } from '../../../src/crypto/noble/index.js';
import { utf8 } from '../../../src/util/bytes.js';
import { record } from '../../helpers/scripted.js';
import { dropExt, firstHello, pair, secondHello, sends, setExt, type Case } from './harness.js';

const E = ExtensionType;
const ch = (f: Parameters<typeof firstHello>[0]) => ({ client: sends(firstHello(f)) });
/** A client (configured with `client`) whose first ClientHello has extension `type` set to `data` (replaced, or added). */
const chExt = (type: number, data: Uint8Array, client: Partial<ClientConfig> = {}) => ({ client: { ...client, ...sends(firstHello((m) => ({ ...m, extensions: setExt(m.extensions, type, data) }))) } });
/** A server that always sends a HelloRetryRequest with a cookie, and a client that rewrites its second ClientHello. */
const afterRetry = (f: Parameters<typeof secondHello>[0]) => ({ client: sends(secondHello(f)), server: { requireCookie: true } });

const x25519Share = (bytes: Uint8Array) => encodeKeyShareClient([{ group: NamedGroup.x25519, keyExchange: bytes }]);
const onlyX25519 = { groups: [NamedGroup.x25519], keyShareGroups: [NamedGroup.x25519] };

export const clientHelloCases: Case[] = [
  {
    title: 'no supported_versions (a TLS 1.2-only ClientHello)',
    rfc: 'RFC 9846 §4.3.1, §D.2 (RFC 8446 §4.2.1)',
    detector: 'server',
    alert: 'protocol_version',
    plaintext: true,
    run: () => pair(ch((m) => ({ ...m, extensions: dropExt(m.extensions, E.supported_versions) }))),
  },
  {
    title: 'supported_versions without TLS 1.3',
    rfc: 'RFC 9846 §4.3.1 (RFC 8446 §4.2.1)',
    detector: 'server',
    alert: 'protocol_version',
    plaintext: true,
    run: () => pair(chExt(E.supported_versions, encodeSupportedVersionsClient([0x0303, 0x0302]))),
  },
  {
    title: 'empty supported_versions list',
    rfc: 'RFC 9846 §4.3.1 (versions<2..254>), §6',
    detector: 'server',
    alert: 'decode_error',
    plaintext: true,
    run: () => pair(chExt(E.supported_versions, Uint8Array.of(0))),
  },
  {
    title: 'supported_versions of odd length',
    rfc: 'RFC 9846 §4.3.1, §6',
    detector: 'server',
    alert: 'decode_error',
    plaintext: true,
    run: () => pair(chExt(E.supported_versions, Uint8Array.of(3, 3, 4, 3))),
  },
  {
    title: 'legacy_version other than 0x0303',
    rfc: 'RFC 9846 §4.2.2, §D.5 (RFC 8446 §4.1.2)',
    detector: 'server',
    alert: 'protocol_version',
    plaintext: true,
    run: () => pair(ch((m) => ({ ...m, legacyVersion: 0x0304 }))),
  },
  {
    title: 'legacy_compression_methods other than [0]',
    rfc: 'RFC 9846 §4.2.2 (RFC 8446 §4.1.2)',
    detector: 'server',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => pair(ch((m) => ({ ...m, legacyCompressionMethods: Uint8Array.of(1, 0) }))),
  },
  {
    title: 'empty legacy_compression_methods',
    rfc: 'RFC 9846 §4.2.2 (<1..2^8-1>), §6',
    detector: 'server',
    alert: 'decode_error',
    plaintext: true,
    run: () => pair(ch((m) => ({ ...m, legacyCompressionMethods: EMPTY }))),
  },
  {
    title: 'legacy_session_id of 33 bytes',
    rfc: 'RFC 9846 §4.2.2 (<0..32>), §6',
    detector: 'server',
    alert: 'decode_error',
    plaintext: true,
    run: () => pair(ch((m) => ({ ...m, legacySessionId: new Uint8Array(33) }))),
  },
  {
    title: 'bytes after the extensions block',
    rfc: 'RFC 9846 §4.2.2, §6 (a length beyond the message boundary)',
    detector: 'server',
    alert: 'decode_error',
    plaintext: true,
    run: () =>
      pair({
        toServer: (b, n) => {
          if (n > 0) return b;
          const body = b.slice(5);
          // One more byte at the end of the message: the handshake length covers it, the structure does not.
          const len = ((body[1]! << 16) | (body[2]! << 8) | body[3]!) + 1;
          const out = Uint8Array.from([...body, 0]);
          out[1] = len >> 16;
          out[2] = (len >> 8) & 0xff;
          out[3] = len & 0xff;
          return record(ContentType.handshake, out);
        },
      }),
  },
  {
    title: 'key_share without supported_groups',
    rfc: 'RFC 9846 §9.2 (RFC 8446 §9.2)',
    detector: 'server',
    alert: 'missing_extension',
    plaintext: true,
    run: () => pair(ch((m) => ({ ...m, extensions: dropExt(m.extensions, E.supported_groups) }))),
  },
  {
    title: 'supported_groups without key_share',
    rfc: 'RFC 9846 §9.2 (RFC 8446 §9.2)',
    detector: 'server',
    alert: 'missing_extension',
    plaintext: true,
    run: () => pair(ch((m) => ({ ...m, extensions: dropExt(m.extensions, E.key_share) }))),
  },
  {
    title: 'no signature_algorithms (certificate authentication)',
    rfc: 'RFC 9846 §4.3.3, §9.2 (RFC 8446 §4.2.3)',
    detector: 'server',
    alert: 'missing_extension',
    plaintext: true,
    run: () => pair(ch((m) => ({ ...m, extensions: dropExt(m.extensions, E.signature_algorithms) }))),
  },
  {
    title: 'a key share for a group not in supported_groups',
    rfc: 'RFC 9846 §4.3.8 (RFC 8446 §4.2.8)',
    detector: 'server',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => pair({ client: { groups: [NamedGroup.secp256r1], keyShareGroups: [NamedGroup.x25519] } }),
  },
  {
    title: 'two key shares for one group',
    rfc: 'RFC 9846 §4.3.8 (RFC 8446 §4.2.8)',
    detector: 'server',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () =>
      pair(
        chExt(
          E.key_share,
          encodeKeyShareClient([
            { group: NamedGroup.x25519, keyExchange: new Uint8Array(32).fill(9) },
            { group: NamedGroup.x25519, keyExchange: new Uint8Array(32).fill(9) },
          ]),
        ),
      ),
  },
  {
    title: 'an x25519 share that yields the all-zero shared secret',
    rfc: 'RFC 9846 §7.4.2 (RFC 8446 §7.4.2), §6 (a bad DHE share)',
    detector: 'server',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => pair(chExt(E.key_share, x25519Share(new Uint8Array(32)), onlyX25519)),
  },
  {
    title: 'an x25519 share of the wrong length',
    rfc: 'RFC 9846 §4.3.8.2 (RFC 8446 §4.2.8.2)',
    detector: 'server',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => pair(chExt(E.key_share, x25519Share(new Uint8Array(31).fill(5)), onlyX25519)),
  },
  {
    title: 'a secp256r1 share that is not on the curve',
    rfc: 'RFC 9846 §4.3.8.2 (RFC 8446 §4.2.8.2: peers MUST validate each other\'s public key)',
    detector: 'server',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => {
      const bad = secp256r1Group.start((b) => b.fill(3)).publicKey.slice();
      bad[64] = bad[64]! ^ 1; // y no longer matches x
      return pair(chExt(E.key_share, encodeKeyShareClient([{ group: NamedGroup.secp256r1, keyExchange: bad }]), { groups: [NamedGroup.secp256r1], keyShareGroups: [NamedGroup.secp256r1] }));
    },
  },
  {
    title: 'an extension twice',
    rfc: 'RFC 9846 §4.3 (RFC 8446 §4.2)',
    detector: 'server',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => pair(ch((m) => ({ ...m, extensions: [...m.extensions, { type: E.supported_groups, data: encodeNamedGroupList([NamedGroup.x25519]) }] }))),
  },
  {
    title: 'an extension not allowed in ClientHello (oid_filters)',
    rfc: 'RFC 9846 §4.3 table (RFC 8446 §4.2)',
    detector: 'server',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => pair(ch((m) => ({ ...m, extensions: [...m.extensions, { type: E.oid_filters, data: Uint8Array.of(0, 0) }] }))),
  },
  {
    title: 'pre_shared_key not the last extension',
    rfc: 'RFC 9846 §4.3.11 (RFC 8446 §4.2.11)',
    detector: 'server',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () =>
      pair(
        ch((m) => {
          const psk = { type: E.pre_shared_key, data: encodePreSharedKeyClient({ identities: [{ identity: utf8('x'), obfuscatedTicketAge: 0 }], binders: [new Uint8Array(32)] }) };
          const [first, ...rest] = m.extensions;
          return { ...m, extensions: [first!, psk, ...rest] };
        }),
      ),
  },
  {
    title: 'pre_shared_key with two identities and one binder',
    rfc: 'RFC 9846 §4.3.11 (RFC 8446 §4.2.11)',
    detector: 'server',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () =>
      pair(
        ch((m) => ({
          ...m,
          extensions: [
            ...m.extensions,
            {
              type: E.pre_shared_key,
              data: encodePreSharedKeyClient({
                identities: [
                  { identity: utf8('one'), obfuscatedTicketAge: 0 },
                  { identity: utf8('two'), obfuscatedTicketAge: 0 },
                ],
                binders: [new Uint8Array(32)],
              }),
            },
          ],
        })),
      ),
  },
  {
    title: 'pre_shared_key without psk_key_exchange_modes',
    rfc: 'RFC 9846 §4.3.9 (RFC 8446 §4.2.9)',
    detector: 'server',
    alert: 'missing_extension',
    plaintext: true,
    run: () =>
      pair(
        ch((m) => ({
          ...m,
          extensions: [
            ...dropExt(m.extensions, E.psk_key_exchange_modes),
            { type: E.pre_shared_key, data: encodePreSharedKeyClient({ identities: [{ identity: utf8('x'), obfuscatedTicketAge: 0 }], binders: [new Uint8Array(32)] }) },
          ],
        })),
      ),
  },
  {
    title: 'early_data with a body in ClientHello',
    rfc: 'RFC 9846 §4.3.10 (RFC 8446 §4.2.10: empty in ClientHello)',
    detector: 'server',
    alert: 'decode_error',
    plaintext: true,
    run: () => pair(ch((m) => ({ ...m, extensions: [...m.extensions, { type: E.early_data, data: Uint8Array.of(0, 0, 0, 1) }] }))),
  },
  {
    title: 'two host_names in server_name',
    rfc: 'RFC 6066 §3',
    detector: 'server',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () =>
      pair(
        chExt(
          E.server_name,
          encodeServerNameList([
            { nameType: 0, name: utf8('a.test') },
            { nameType: 0, name: utf8('b.test') },
          ]),
        ),
      ),
  },
  {
    title: 'record_size_limit below 64',
    rfc: 'RFC 8449 §4',
    detector: 'server',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => pair(ch((m) => ({ ...m, extensions: [...m.extensions, { type: E.record_size_limit, data: encodeRecordSizeLimit(63) }] }))),
  },
  {
    title: 'no cipher suite in common',
    rfc: 'RFC 9846 §4.2 (RFC 8446 §4.1.1)',
    detector: 'server',
    alert: 'handshake_failure',
    plaintext: true,
    run: () => pair({ client: { cipherSuites: [0x1303] }, server: { cipherSuites: [0x1301] } }),
  },
  {
    title: 'no group in common',
    rfc: 'RFC 9846 §4.2 (RFC 8446 §4.1.1)',
    detector: 'server',
    alert: 'handshake_failure',
    plaintext: true,
    run: () => pair({ client: onlyX25519, server: { groups: [NamedGroup.secp384r1] } }),
  },
  {
    title: 'no signature scheme in common',
    rfc: 'RFC 9846 §4.2, §4.3.3 (RFC 8446 §4.1.1)',
    detector: 'server',
    alert: 'handshake_failure',
    plaintext: true,
    run: () => pair({ client: { signatureSchemes: [SignatureScheme.ed25519] } }),
  },
  {
    title: 'no ALPN protocol in common',
    rfc: 'RFC 7301 §3.2',
    detector: 'server',
    alert: 'no_application_protocol',
    plaintext: true,
    run: () => pair({ client: { alpn: ['h2'] }, server: { alpn: ['http/1.1'] } }),
  },
  {
    title: 'a Finished instead of a ClientHello',
    rfc: 'RFC 9846 §4 (RFC 8446 §4: messages out of order)',
    detector: 'server',
    alert: 'unexpected_message',
    plaintext: true,
    peerReads: false,
    run: () => pair({ toServer: (b, n) => (n > 0 ? b : record(ContentType.handshake, Uint8Array.of(HandshakeType.finished, 0, 0, 32, ...new Uint8Array(32)))) }),
  },
  {
    title: 'an unknown handshake message type',
    rfc: 'RFC 9846 §4 (RFC 8446 §4)',
    detector: 'server',
    alert: 'unexpected_message',
    plaintext: true,
    peerReads: false,
    run: () => pair({ toServer: (b, n) => (n > 0 ? b : record(ContentType.handshake, Uint8Array.of(99, 0, 0, 1, 0))) }),
  },
  {
    title: 'HTTP instead of a ClientHello',
    rfc: 'RFC 9846 §5.1 (RFC 8446 §5.1), §6',
    detector: 'server',
    alert: 'decode_error',
    plaintext: true,
    peerReads: false,
    run: () => pair({ toServer: () => utf8('GET / HTTP/1.1\r\nHost: x\r\n\r\n') }),
  },
  {
    title: 'an SSLv2-format ClientHello',
    rfc: 'RFC 9846 §D.5 (RFC 8446 §D.5)',
    detector: 'server',
    alert: 'decode_error',
    plaintext: true,
    peerReads: false,
    run: () => pair({ toServer: () => Uint8Array.of(0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10) }),
  },
  // ---- After a HelloRetryRequest (the server always sends one, with a cookie) ----
  {
    title: 'second ClientHello with other cipher suites',
    rfc: 'RFC 9846 §4.2.2 (RFC 8446 §4.1.2)',
    detector: 'server',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => pair(afterRetry((m) => ({ ...m, cipherSuites: [...m.cipherSuites].reverse() }))),
  },
  {
    title: 'second ClientHello with another random',
    rfc: 'RFC 9846 §4.2.2 (RFC 8446 §4.1.2)',
    detector: 'server',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => pair(afterRetry((m) => ({ ...m, random: new Uint8Array(32).fill(1) }))),
  },
  {
    title: 'second ClientHello that drops an extension it may not change',
    rfc: 'RFC 9846 §4.2.2 (RFC 8446 §4.1.2)',
    detector: 'server',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => pair(afterRetry((m) => ({ ...m, extensions: dropExt(m.extensions, E.psk_key_exchange_modes) }))),
  },
  {
    title: 'second ClientHello with a wrongly echoed cookie',
    rfc: 'RFC 9846 §4.3.2 (RFC 8446 §4.2.2)',
    detector: 'server',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => pair(afterRetry((m) => ({ ...m, extensions: setExt(m.extensions, E.cookie, encodeCookie(utf8('not the cookie'))) }))),
  },
  {
    title: 'second ClientHello without the cookie',
    rfc: 'RFC 9846 §4.3.2 (RFC 8446 §4.2.2)',
    detector: 'server',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => pair(afterRetry((m) => ({ ...m, extensions: dropExt(m.extensions, E.cookie) }))),
  },
  {
    title: 'second ClientHello with early_data',
    rfc: 'RFC 9846 §4.3.10 (RFC 8446 §4.2.10)',
    detector: 'server',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => pair(afterRetry((m) => ({ ...m, extensions: [...dropExt(m.extensions, E.early_data), { type: E.early_data, data: EMPTY }] }))),
  },
  {
    title: 'second ClientHello without a share for the group the HelloRetryRequest selected',
    rfc: 'RFC 9846 §4.3.8 (RFC 8446 §4.2.8)',
    detector: 'server',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () =>
      pair({
        client: { ...onlyX25519, groups: [NamedGroup.x25519, NamedGroup.secp256r1], ...sends(secondHello((m) => ({ ...m, extensions: setExt(m.extensions, E.key_share, x25519Share(new Uint8Array(32).fill(9))) }))) },
        server: { groups: [NamedGroup.secp256r1] },
      }),
  },
];

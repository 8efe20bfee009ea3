// After the handshake, and the client's second flight: KeyUpdate, NewSessionTicket, post-handshake
// authentication, change_cipher_spec, renegotiation, close_notify; client authentication; PSKs and 0-RTT.

import { expect } from 'vitest';
import { createClientConnection, createServerConnection } from '../../../src/connection/index.js';
import type { ClientConfig, ServerConfig } from '../../../src/connection/config.js';
import type { Connection } from '../../../src/connection/types.js';
import { ContentType, ExtensionType, HandshakeType, PskKeyExchangeMode, SignatureScheme } from '../../../src/wire/codepoints.js';
import { EMPTY, encodeKeyShareServer, encodePreSharedKeyServer, encodeSignatureSchemeList, encodeSupportedVersionsClient } from '../../../src/wire/extensions.js';
import type { HandshakeMessage } from '../../../src/wire/types.js';
import { signingKeyFromMaterial } from '../../../src/crypto/noble/index.js';
import type { ClientSession } from '../../../src/resumption/types.js';
import { concatBytes, utf8 } from '../../../src/util/bytes.js';
import { acceptAnyCertificate, deliver, rfc8448ServerIdentity, record, splitRecords, testClientConfig, testServerConfig, type PairOutcome } from '../../helpers/scripted.js';
import { CLIENT_CANARY, dropExt, flip, isSH, newCapture, pair, replaceFirst, Sealer, sends, setExt, type Case, type MessageOf, type Side } from './harness.js';
import { withConnections } from './records.js';

const E = ExtensionType;
const HT = HandshakeType;

/**
 * A completed handshake (no canaries), then `act` on one side; its output goes to the other side,
 * whose answer (alert) comes back. Errors land in the outcome like runPair's.
 */
function after(o: PairOutcome, from: Side, act: (c: Connection) => void, rewrite: (b: Uint8Array) => Uint8Array = (b) => b): PairOutcome {
  expect(o.clientError ?? o.serverError, 'handshake').toBeUndefined();
  const to = from === 'client' ? 'server' : 'client';
  const src = o[from];
  act(src);
  const bytes = rewrite(src.takeOutput() ?? new Uint8Array(0));
  if (bytes.length > 0) {
    o[`${from}Wire`].push(bytes);
    deliver(o, to, bytes);
  }
  const back = o[to].takeOutput();
  if (back) {
    o[`${to}Wire`].push(back);
    deliver(o, from, back);
  }
  return o;
}

/** Then the same side sends application data, which the detector must not deliver. */
const thenData = (send: (c: Connection) => void) => (c: Connection) => {
  send(c);
  c.write(utf8('data after the violation'));
};

/**
 * A completed handshake (no canaries), then `from` sends a KeyUpdate turned into `m` (it goes on
 * as if it sent the KeyUpdate), then application data.
 */
function keyUpdateBecomes(from: Side, m: HandshakeMessage, requestUpdate = false): PairOutcome {
  const hook = sends((x) => (x.msgType === HT.key_update ? m : x));
  return after(pair({ canaries: false, ...(from === 'client' ? { client: hook } : { server: hook }) }), from, thenData((c) => c.updateKeys(requestUpdate)));
}

const minimalHello: HandshakeMessage = {
  msgType: HT.client_hello,
  legacyVersion: 0x0303,
  random: new Uint8Array(32).fill(5),
  legacySessionId: EMPTY,
  cipherSuites: [0x1301],
  legacyCompressionMethods: Uint8Array.of(0),
  extensions: [{ type: E.supported_versions, data: encodeSupportedVersionsClient([0x0304]) }],
};

/** The server's first NewSessionTicket becomes something else (the server's data, if any, goes before it: no canaries). */
const ticketBecomes = (f: (m: MessageOf<typeof HT.new_session_ticket>) => HandshakeMessage) => sends(replaceFirst(HT.new_session_ticket, f));

/** A completed handshake with canaries; a sealer under the client's application key, past the canary it sent (seq 0). */
function clientApplicationSealer(): { o: PairOutcome; app: Sealer } {
  const cap = newCapture();
  const o = withConnections(cap, 'client', () => ({}));
  const app = Sealer.of(o.client, cap, 'CLIENT_TRAFFIC_SECRET_0');
  app.record(ContentType.application_data, CLIENT_CANARY);
  return { o, app };
}

export const postHandshakeCases: Case[] = [
  {
    title: 'a KeyUpdate with an invalid request_update (client → server)',
    rfc: 'RFC 9846 §4.7.3 (RFC 8446 §4.6.3)',
    detector: 'server',
    alert: 'illegal_parameter',
    run: () => keyUpdateBecomes('client', { msgType: HT.key_update, requestUpdate: 2 }),
  },
  {
    title: 'a KeyUpdate with an invalid request_update (server → client)',
    rfc: 'RFC 9846 §4.7.3 (RFC 8446 §4.6.3)',
    detector: 'client',
    alert: 'illegal_parameter',
    run: () => keyUpdateBecomes('server', { msgType: HT.key_update, requestUpdate: 255 }, true),
  },
  {
    title: 'change_cipher_spec after the handshake (client → server)',
    rfc: 'RFC 9846 §5 (RFC 8446 §5)',
    detector: 'server',
    alert: 'unexpected_message',
    run: () => after(pair({ canaries: false }), 'client', (c) => c.write(utf8('x')), (b) => concatBytes(record(ContentType.change_cipher_spec, Uint8Array.of(1)), b)),
  },
  {
    title: 'change_cipher_spec after the handshake (server → client)',
    rfc: 'RFC 9846 §5 (RFC 8446 §5)',
    detector: 'client',
    alert: 'unexpected_message',
    run: () => after(pair({ canaries: false }), 'server', (c) => c.write(utf8('x')), (b) => concatBytes(record(ContentType.change_cipher_spec, Uint8Array.of(1)), b)),
  },
  {
    title: 'a ClientHello after the handshake (renegotiation)',
    rfc: 'RFC 9846 §4.2.2 (RFC 8446 §4.1.2)',
    detector: 'server',
    alert: 'unexpected_message',
    run: () => keyUpdateBecomes('client', minimalHello),
  },
  {
    title: 'a NewSessionTicket from the client',
    rfc: 'RFC 9846 §4.7.1 (RFC 8446 §4.6.1: the server sends tickets)',
    detector: 'server',
    alert: 'unexpected_message',
    run: () =>
      keyUpdateBecomes('client', { msgType: HT.new_session_ticket, ticketLifetime: 1, ticketAgeAdd: 0, ticketNonce: EMPTY, ticket: Uint8Array.of(1), extensions: [] }),
  },
  {
    title: 'a Finished out of the blue after the handshake',
    rfc: 'RFC 9846 §4 (RFC 8446 §4: message order)',
    detector: 'server',
    alert: 'unexpected_message',
    run: () => keyUpdateBecomes('client', { msgType: HT.finished, verifyData: new Uint8Array(32) }),
  },
  {
    title: 'an EndOfEarlyData after the handshake',
    rfc: 'RFC 9846 §4.6 (RFC 8446 §4.5)',
    detector: 'server',
    alert: 'unexpected_message',
    run: () => keyUpdateBecomes('client', { msgType: HT.end_of_early_data }),
  },
  {
    title: 'a KeyUpdate sharing its record with the start of another message (spans the key change)',
    rfc: 'RFC 9846 §5.1 (RFC 8446 §5.1)',
    detector: 'server',
    alert: 'unexpected_message',
    run: () => {
      const { o, app } = clientApplicationSealer();
      // Both canaries arrived with the handshake, before the violation.
      expect(o.server.read()).toEqual(CLIENT_CANARY);
      expect(o.client.read()).toBeDefined();
      return after(o, 'client', () => {}, () =>
        concatBytes(app.record(ContentType.handshake, Uint8Array.of(HT.key_update, 0, 0, 1, 0, HT.key_update, 0)), app.record(ContentType.application_data, utf8('must not arrive'))),
      );
    },
  },
  {
    title: 'application data after close_notify (ignored, not delivered)',
    rfc: 'RFC 9846 §6.1 (RFC 8446 §6.1)',
    detector: 'server',
    alert: 'accept',
    run: () => {
      const { o, app } = clientApplicationSealer();
      return after(o, 'client', () => {}, () => concatBytes(app.record(ContentType.alert, Uint8Array.of(1, 0)), app.record(ContentType.application_data, utf8('after close_notify'))));
    },
    check: (o) => {
      expect(o.server.peerClosed).toBe(true);
      // The canary came before the handshake was over; nothing after close_notify.
      expect(o.server.read()).toEqual(CLIENT_CANARY);
      expect(o.server.read()).toBeUndefined();
    },
  },
  {
    title: 'application data that fails to deprotect after the handshake',
    rfc: 'RFC 9846 §5.2 (RFC 8446 §5.2)',
    detector: 'server',
    alert: 'bad_record_mac',
    run: () =>
      after(pair({ canaries: false }), 'client', (c) => c.write(utf8('tampered')), (b) => {
        const r = b.slice();
        r[r.length - 1] = r[r.length - 1]! ^ 1;
        return r;
      }),
  },
  {
    title: 'a protected record longer than 2^14 + 256 after the handshake',
    rfc: 'RFC 9846 §5.2 (RFC 8446 §5.2)',
    detector: 'server',
    alert: 'record_overflow',
    run: () => after(pair({ canaries: false }), 'client', (c) => c.write(utf8('x')), () => concatBytes(Uint8Array.of(23, 3, 3, 0x41, 0x01), new Uint8Array(2 ** 14 + 257))),
  },
  {
    title: 'a post-handshake CertificateRequest without post_handshake_auth',
    rfc: 'RFC 9846 §4.7.2 (RFC 8446 §4.6.2)',
    detector: 'client',
    alert: 'unexpected_message',
    run: () =>
      pair({
        canaries: false,
        server: ticketBecomes(() => ({ msgType: HT.certificate_request, certificateRequestContext: Uint8Array.of(1, 2), extensions: [{ type: E.signature_algorithms, data: encodeSignatureSchemeList([0x0804]) }] })),
      }),
  },
  {
    title: 'a post-handshake CertificateRequest with an empty context',
    rfc: 'RFC 9846 §4.4.2 (RFC 8446 §4.3.2)',
    detector: 'client',
    alert: 'illegal_parameter',
    run: () =>
      pair({
        canaries: false,
        client: { postHandshakeAuth: true },
        server: ticketBecomes(() => ({ msgType: HT.certificate_request, certificateRequestContext: EMPTY, extensions: [{ type: E.signature_algorithms, data: encodeSignatureSchemeList([0x0804]) }] })),
      }),
  },
  {
    title: 'a NewSessionTicket with an empty ticket',
    rfc: 'RFC 9846 §4.7.1 (RFC 8446 §4.6.1: ticket<1..2^16-1>)',
    detector: 'client',
    alert: 'decode_error',
    run: () => pair({ canaries: false, server: ticketBecomes((m) => ({ ...m, ticket: EMPTY })) }),
  },
  {
    title: 'a NewSessionTicket with an extension not allowed there (key_share)',
    rfc: 'RFC 9846 §4.3 table (RFC 8446 §4.2)',
    detector: 'client',
    alert: 'illegal_parameter',
    run: () => pair({ canaries: false, server: ticketBecomes((m) => ({ ...m, extensions: [{ type: E.key_share, data: encodeKeyShareServer({ group: 0x1d, keyExchange: new Uint8Array(32).fill(1) }) }] })) }),
  },
  {
    title: 'a NewSessionTicket with a malformed early_data extension',
    rfc: 'RFC 9846 §4.3.10 (RFC 8446 §4.2.10: uint32 max_early_data_size)',
    detector: 'client',
    alert: 'decode_error',
    run: () => pair({ canaries: false, server: ticketBecomes((m) => ({ ...m, extensions: [{ type: E.early_data, data: Uint8Array.of(0, 1) }] })) }),
  },
];

// ---- The client's second flight, client authentication ----

function clientAuth(mode: 'optional' | 'required', hook?: (m: HandshakeMessage) => HandshakeMessage | void): { client: Partial<ClientConfig>; server: Partial<ServerConfig> } {
  const id = rfc8448ServerIdentity();
  return {
    client: { clientCertificates: [{ chain: id.certificateChain, key: signingKeyFromMaterial(id.key, { useWebCrypto: false }) }], ...(hook ? sends(hook) : {}) },
    server: { clientAuth: { mode, verifier: acceptAnyCertificate } },
  };
}
const clientReplaces = <T extends HandshakeMessage['msgType']>(type: T, f: (m: MessageOf<T>) => HandshakeMessage) => ({ client: sends(replaceFirst(type, f)) });

export const clientFlightCases: Case[] = [
  {
    title: 'a wrong client Finished',
    rfc: 'RFC 9846 §4.5.4 (RFC 8446 §4.4.4)',
    detector: 'server',
    alert: 'decrypt_error',
    run: () => pair(clientReplaces(HT.finished, (m) => ({ ...m, verifyData: flip(m.verifyData, 5) }))),
    // The client finished its side first; it learns through the alert.
    check: (o) => expect(o.client.handshakeComplete).toBe(true),
  },
  {
    title: 'a client Finished of the wrong length',
    rfc: 'RFC 9846 §4.5.4, §6',
    detector: 'server',
    alert: 'decode_error',
    run: () => pair(clientReplaces(HT.finished, (m) => ({ ...m, verifyData: new Uint8Array(48) }))),
  },
  {
    title: 'EndOfEarlyData when no 0-RTT was accepted',
    rfc: 'RFC 9846 §4.6 (RFC 8446 §4.5)',
    detector: 'server',
    alert: 'unexpected_message',
    run: () => pair(clientReplaces(HT.finished, () => ({ msgType: HT.end_of_early_data }))),
  },
  {
    title: 'a KeyUpdate before the client Finished',
    rfc: 'RFC 9846 §4.7.3 (RFC 8446 §4.6.3)',
    detector: 'server',
    alert: 'unexpected_message',
    run: () => pair(clientReplaces(HT.finished, () => ({ msgType: HT.key_update, requestUpdate: 0 }))),
  },
  {
    title: 'a client Certificate that was not requested',
    rfc: 'RFC 9846 §4.5.2 (RFC 8446 §4.4.2: only after a CertificateRequest)',
    detector: 'server',
    alert: 'unexpected_message',
    run: () => pair(clientReplaces(HT.finished, () => ({ msgType: HT.certificate, certificateRequestContext: EMPTY, certificateList: [] }))),
  },
  {
    title: 'no client certificate when one is required',
    rfc: 'RFC 9846 §4.5.2.4 (RFC 8446 §4.4.2.4)',
    detector: 'server',
    alert: 'certificate_required',
    run: () => pair({ server: clientAuth('required').server }),
  },
  {
    title: 'a client Certificate with another certificate_request_context',
    rfc: 'RFC 9846 §4.5.2 (RFC 8446 §4.4.2)',
    detector: 'server',
    alert: 'illegal_parameter',
    run: () => pair(clientAuth('optional', (m) => (m.msgType === HT.certificate ? { ...m, certificateRequestContext: Uint8Array.of(1) } : m))),
  },
  {
    title: 'an unsolicited extension in a client CertificateEntry',
    rfc: 'RFC 9846 §4.5.2 (RFC 8446 §4.4.2)',
    detector: 'server',
    alert: 'unsupported_extension',
    run: () =>
      pair(
        clientAuth('optional', (m) =>
          m.msgType === HT.certificate ? { ...m, certificateList: m.certificateList.map((e) => ({ ...e, extensions: [{ type: 0x7777, data: EMPTY }] })) } : m,
        ),
      ),
  },
  {
    title: 'a client CertificateVerify with a scheme that was not requested',
    rfc: 'RFC 9846 §4.5.3 (RFC 8446 §4.4.3)',
    detector: 'server',
    alert: 'illegal_parameter',
    run: () => pair(clientAuth('optional', (m) => (m.msgType === HT.certificate_verify ? { ...m, algorithm: SignatureScheme.rsa_pkcs1_sha256 } : m))),
  },
  {
    title: 'a client CertificateVerify scheme that does not fit the key',
    rfc: 'RFC 9846 §4.5.3 (RFC 8446 §4.4.3)',
    detector: 'server',
    alert: 'illegal_parameter',
    run: () => pair(clientAuth('optional', (m) => (m.msgType === HT.certificate_verify ? { ...m, algorithm: SignatureScheme.ed25519 } : m))),
  },
  {
    title: 'a client CertificateVerify whose signature does not verify',
    rfc: 'RFC 9846 §4.5.3 (RFC 8446 §4.4.3)',
    detector: 'server',
    alert: 'decrypt_error',
    run: () => pair(clientAuth('optional', (m) => (m.msgType === HT.certificate_verify ? { ...m, signature: flip(m.signature, 3) } : m))),
  },
  {
    title: 'a client Finished where its CertificateVerify belongs',
    rfc: 'RFC 9846 §4.5 (RFC 8446 §4.4)',
    detector: 'server',
    alert: 'unexpected_message',
    run: () => pair(clientAuth('optional', (m) => (m.msgType === HT.certificate_verify ? { msgType: HT.finished, verifyData: new Uint8Array(32) } : m))),
  },
];

// ---- PSKs and 0-RTT ----

/**
 * A client on a clock inside the validity of RFC 8448's certificate (it expired on 2026-07-30):
 * a session is offered only while its server certificate is (RFC 8446 §4.6.1).
 */
const resuming = (extra: Partial<ClientConfig>): ClientConfig => testClientConfig({ now: () => new Date(Date.UTC(2026, 0, 1)), ...extra });

/**
 * A session from a first full handshake with a server config (tickets allow 0-RTT when it does).
 * Ticket keys belong to the config object: reuse `cfg` itself (Object.assign), not a copy.
 */
function session(server: Partial<ServerConfig>): { cfg: ServerConfig; session: ClientSession } {
  const cfg = testServerConfig(server);
  const sessions: ClientSession[] = [];
  const o = pair({ canaries: false, clientConn: createClientConnection(resuming({ onSession: (s) => sessions.push(s) })), serverConn: createServerConnection(cfg) });
  expect(o.clientError ?? o.serverError).toBeUndefined();
  return { cfg, session: sessions[0]! };
}

export const pskCases: Case[] = [
  {
    title: 'a ServerHello selecting a PSK the client did not offer (index out of range)',
    rfc: 'RFC 9846 §4.3.11 (RFC 8446 §4.2.11)',
    detector: 'client',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => {
      const s = session({});
      return pair({
        clientConn: createClientConnection(resuming({ session: s.session })),
        serverConn: createServerConnection(Object.assign(s.cfg, sends((m) => (isSH(m) ? { ...m, extensions: setExt(m.extensions, E.pre_shared_key, encodePreSharedKeyServer(3)) } : m)))),
      });
    },
  },
  {
    title: 'a PSK ServerHello without key_share when the client allowed only psk_dhe_ke',
    rfc: 'RFC 9846 §4.3.11 (RFC 8446 §4.2.11)',
    detector: 'client',
    alert: 'illegal_parameter',
    plaintext: true,
    run: () => {
      const s = session({});
      return pair({
        clientConn: createClientConnection(resuming({ session: s.session, pskModes: [PskKeyExchangeMode.psk_dhe_ke] })),
        serverConn: createServerConnection(Object.assign(s.cfg, sends((m) => (isSH(m) ? { ...m, extensions: dropExt(m.extensions, E.key_share) } : m)))),
      });
    },
  },
  {
    title: 'a PSK binder that does not verify',
    rfc: 'RFC 9846 §4.3.11.2 (RFC 8446 §4.2.11.2)',
    detector: 'server',
    alert: 'decrypt_error',
    plaintext: true,
    run: () => {
      const s = session({});
      return pair({
        clientConn: createClientConnection(resuming({ session: s.session })),
        serverConn: createServerConnection(s.cfg),
        // The binder is the last bytes of the ClientHello.
        toServer: (b, n) => (n > 0 ? b : flip(b, b.length - 1)),
      });
    },
  },
  {
    title: 'an accepted 0-RTT record that fails to deprotect',
    rfc: 'RFC 9846 §4.3.10 (RFC 8446 §4.2.10: bad_record_mac)',
    detector: 'server',
    alert: 'bad_record_mac',
    run: () => {
      const s = session({ earlyData: { maxEarlyDataSize: 1024 } });
      const client = createClientConnection(resuming({ session: s.session, earlyData: utf8('GET / HTTP/1.1\r\n\r\n') }));
      return pair({
        clientConn: client,
        serverConn: createServerConnection(s.cfg),
        toServer: (b, n) => {
          if (n > 0) return b;
          const recs = splitRecords(b).map((r) => r.slice());
          const early = recs[recs.length - 1]!;
          early[early.length - 1] = early[early.length - 1]! ^ 1;
          return concatBytes(...recs);
        },
      });
    },
    check: (o) => expect(o.server.parameters.earlyData).toBe('accepted'),
  },
  {
    title: 'more 0-RTT data than max_early_data_size',
    rfc: 'RFC 9846 §4.3.10 (RFC 8446 §4.2.10)',
    detector: 'server',
    alert: 'unexpected_message',
    run: () => {
      const s = session({ earlyData: { maxEarlyDataSize: 100 } });
      // The client's own check is bypassed by lying about the ticket's limit.
      const client = createClientConnection(resuming({ session: { ...s.session, maxEarlyDataSize: 4096 }, earlyData: new Uint8Array(200) }));
      return pair({ clientConn: client, serverConn: createServerConnection(s.cfg) });
    },
  },
];


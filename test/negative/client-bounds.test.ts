// A misbehaving server against the client (audit 2026-12, findings 7 and 11): early_data in
// EncryptedExtensions for a PSK other than the first (or none), and unbounded post-handshake
// CertificateRequests.

import { beforeAll, describe, expect, it } from 'vitest';
import { createClientConnection, createServerConnection, type ServerConnection } from '../../src/connection/index.js';
import type { ClientConfig, ServerConfig } from '../../src/connection/config.js';
import { AlertDescription as A, PeerAlertError, TlsError } from '../../src/errors.js';
import { nobleProvider, signingKeyFromMaterial } from '../../src/crypto/noble/index.js';
import { mintTestPki, type TestPki } from '../../src/testing/mint.js';
import { WebPkiServerVerifier } from '../../src/x509/verify.js';
import { WebPkiClientVerifier } from '../../src/x509/client-verify.js';
import type { ClientSession, ExternalPsk } from '../../src/resumption/types.js';
import { ExtensionType, HandshakeType, NamedGroup } from '../../src/wire/codepoints.js';
import type { HandshakeMessage } from '../../src/wire/types.js';
import { utf8 } from '../../src/util/bytes.js';
import { SelfEncryptedTickets } from '../../src/resumption/index.js';
import { runPair } from '../helpers/scripted.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await mintTestPki({ serverNames: ['localhost'] });
}, 60_000);

function server(extra: Partial<ServerConfig> = {}): ServerConfig {
  return { certificateChain: [pki.server.certDer, pki.intermediate.certDer], signingKey: signingKeyFromMaterial(pki.server.key), ...extra };
}
function client(extra: Partial<ClientConfig> = {}): ClientConfig {
  return { serverName: 'localhost', verifier: new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }), ...extra };
}

/** A research hook that adds early_data to EncryptedExtensions. */
const addEarlyData = (m: HandshakeMessage): HandshakeMessage | void =>
  m.msgType === HandshakeType.encrypted_extensions ? { ...m, extensions: [...m.extensions, { type: ExtensionType.early_data, data: new Uint8Array(0) }] } : undefined;

describe('audit #7: early_data in EncryptedExtensions only for the first PSK', () => {
  const external: ExternalPsk = { identity: utf8('ext'), key: new Uint8Array(32).fill(9) };
  let session: ClientSession;
  let ticketServer: ServerConfig;
  beforeAll(() => {
    // One ticket issuer, so that copies of this config redeem the ticket.
    ticketServer = server({ earlyData: { maxEarlyDataSize: 1000 }, groups: [NamedGroup.x25519], tickets: { issuer: new SelfEncryptedTickets() } });
    const sessions: ClientSession[] = [];
    const o = runPair({ clientConn: createClientConnection(client({ onSession: (s) => sessions.push(s) })), serverConn: createServerConnection(ticketServer) });
    expect(o.clientError ?? o.serverError).toBeUndefined();
    session = sessions[0]!;
    expect(session.maxEarlyDataSize).toBe(1000);
  });

  function expectIllegal(o: ReturnType<typeof runPair>): void {
    expect(o.clientError).toBeInstanceOf(TlsError);
    expect(o.clientError).not.toBeInstanceOf(PeerAlertError);
    expect(o.clientError!.alert).toBe(A.illegal_parameter);
    expect(o.clientError!.message).toMatch(/early_data/);
    expect(o.client.parameters.earlyData).not.toBe('accepted');
    expect(o.client.handshakeComplete).toBe(false);
    // The alert goes under a key the server reads (not the early key it did not accept).
    expect(o.serverError).toBeInstanceOf(PeerAlertError);
    expect(o.serverError!.alert).toBe(A.illegal_parameter);
  }

  it('audit #7: the server selected the external PSK (index 1) and says early_data → illegal_parameter', () => {
    // Another config: it cannot redeem the ticket, so it selects the external PSK.
    const o = runPair({
      clientConn: createClientConnection(client({ session, externalPsks: [external], earlyData: utf8('0-rtt') })),
      serverConn: createServerConnection(server({ externalPsks: [external], research: { beforeSend: addEarlyData } })),
    });
    expect(o.server.parameters.pskIdentity).toEqual(external.identity);
    expectIllegal(o);
  });

  it('audit #7: the server selected no PSK (a full handshake) and says early_data → illegal_parameter', () => {
    const o = runPair({
      clientConn: createClientConnection(client({ session, earlyData: utf8('0-rtt') })),
      serverConn: createServerConnection(server({ research: { beforeSend: addEarlyData } })),
    });
    expect(o.server.parameters.resumed).toBe(false);
    expectIllegal(o);
  });

  it('audit #7: after a HelloRetryRequest (0-RTT is then lost) early_data in EncryptedExtensions → illegal_parameter', () => {
    const o = runPair({
      clientConn: createClientConnection(
        client({ session, earlyData: utf8('0-rtt'), groups: [NamedGroup.secp384r1, NamedGroup.x25519], keyShareGroups: [NamedGroup.secp384r1] }),
      ),
      serverConn: createServerConnection({ ...ticketServer, research: { beforeSend: addEarlyData } }),
    });
    expect(o.client.parameters.helloRetryRequest).toBe(true);
    expect(o.server.parameters.resumed).toBe(true);
    expectIllegal(o);
  });

  it('audit #7: the first PSK with early_data is still accepted', () => {
    const o = runPair({ clientConn: createClientConnection(client({ session, earlyData: utf8('0-rtt') })), serverConn: createServerConnection(ticketServer) });
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.client.parameters.earlyData).toBe('accepted');
  });
});

describe('audit #11: post-handshake CertificateRequests are bounded', () => {
  const clientCert = () => ({ chain: [pki.client.certDer, pki.intermediate.certDer], key: signingKeyFromMaterial(pki.client.key) });
  const authServer = (): ServerConfig =>
    server({ clientAuth: { mode: 'optional', verifier: new WebPkiClientVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }) } });

  /** Asks `n` times, each answered; returns the pair and the client's first error. */
  function ask(n: number, extra: Partial<ClientConfig> = {}): { signatures: number; clientError: unknown; srv: ServerConnection } {
    let signatures = 0;
    const o = runPair({
      clientConn: createClientConnection(
        client({
          clientCertificates: [clientCert()],
          postHandshakeAuth: true,
          onEvent: (e) => void (e.type === 'handshake' && e.direction === 'sent' && e.message.msgType === HandshakeType.certificate_verify && signatures++),
          ...extra,
        }),
      ),
      serverConn: createServerConnection(authServer()),
    });
    expect(o.clientError ?? o.serverError).toBeUndefined();
    signatures = 0; // the handshake's own CertificateRequest (optional client auth) does not count
    const srv = o.server as ServerConnection;
    let clientError: unknown;
    for (let i = 0; i < n && clientError === undefined; i++) {
      srv.requestClientCertificate();
      try {
        o.client.receive(srv.takeOutput()!);
      } catch (e) {
        clientError = e;
        break;
      }
      srv.receive(o.client.takeOutput()!);
      expect(srv.error).toBeUndefined();
    }
    return { signatures, clientError, srv };
  }

  it('audit #11: the default bound (4) answers four requests; the fifth → unexpected_message, no signature', () => {
    const r = ask(20);
    expect(r.signatures).toBe(4);
    expect(r.clientError).toBeInstanceOf(TlsError);
    expect((r.clientError as TlsError).alert).toBe(A.unexpected_message);
    expect((r.clientError as TlsError).message).toMatch(/too many post-handshake CertificateRequests/);
  });

  it('audit #11: the bound is configurable (limits.maxPostHandshakeCertificateRequests)', () => {
    const one = ask(3, { limits: { maxPostHandshakeCertificateRequests: 1 } });
    expect(one.signatures).toBe(1);
    expect((one.clientError as TlsError).alert).toBe(A.unexpected_message);
    const many = ask(10, { limits: { maxPostHandshakeCertificateRequests: 10 } });
    expect(many.signatures).toBe(10);
    expect(many.clientError).toBeUndefined();
  });
});

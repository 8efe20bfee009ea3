// Client authentication through the engine: CertificateRequest, the client's choice of
// certificate, required / optional policies, post-handshake authentication, resumption.

import { beforeAll, describe, expect, it } from 'vitest';
import { createClientConnection, createServerConnection } from '../../src/connection/index.js';
import type { ClientConfig, ServerConfig } from '../../src/connection/config.js';
import type { ConnectionEvent } from '../../src/connection/types.js';
import { AlertDescription as A, CertificateError, PeerAlertError, TlsUsageError } from '../../src/errors.js';
import { nobleProvider, signingKeyFromMaterial } from '../../src/crypto/noble/index.js';
import type { SigningKey } from '../../src/crypto/provider.js';
import { mintCertificate, mintTestPki, type TestPki } from '../../src/testing/mint.js';
import { WebPkiServerVerifier } from '../../src/x509/verify.js';
import { WebPkiClientVerifier } from '../../src/x509/client-verify.js';
import { ExtensionType, HandshakeType } from '../../src/wire/codepoints.js';
import type { HandshakeMessage } from '../../src/wire/types.js';
import { bytesEqual } from '../../src/util/bytes.js';
import { MemorySessionCache } from '../../src/resumption/index.js';
import { runPair } from '../helpers/scripted.js';

let pki: TestPki;
let other: TestPki;
beforeAll(async () => {
  pki = await mintTestPki({ keyType: 'p256' });
  other = await mintTestPki({ keyType: 'p256', organization: 'someone else' });
}, 60_000);

const clientCert = (p: TestPki) => ({ chain: [p.client.certDer, p.intermediate.certDer], key: signingKeyFromMaterial(p.client.key) });

function server(extra: Partial<ServerConfig> = {}, mode: 'none' | 'optional' | 'required' = 'required'): ServerConfig {
  return {
    certificateChain: [pki.server.certDer, pki.intermediate.certDer],
    signingKey: signingKeyFromMaterial(pki.server.key),
    clientAuth: { mode, verifier: new WebPkiClientVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }) },
    ...extra,
  };
}

function client(extra: Partial<ClientConfig> = {}): ClientConfig {
  return {
    serverName: 'localhost',
    verifier: new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }),
    ...extra,
  };
}

describe('client certificates in the handshake', () => {
  it('required, and presented: the server sees the client chain; the request named our CA', () => {
    const events: ConnectionEvent[] = [];
    const o = runPair({
      clientConn: createClientConnection(client({ clientCertificates: [clientCert(pki)], onEvent: (e) => events.push(e) })),
      serverConn: createServerConnection(server()),
    });
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.server.parameters.peerCertificates).toHaveLength(2);
    expect(bytesEqual(o.server.parameters.peerCertificates![0]!, pki.client.certDer)).toBe(true);
    const cr = events.find((e) => e.type === 'handshake' && e.message.msgType === HandshakeType.certificate_request);
    expect(cr).toBeDefined();
    const sent = events.filter((e) => e.type === 'handshake' && e.direction === 'sent').map((e) => (e.type === 'handshake' ? e.message.msgType : 0));
    expect(sent).toEqual([HandshakeType.client_hello, HandshakeType.certificate, HandshakeType.certificate_verify, HandshakeType.finished]);
  });

  it('required, and none configured → certificate_required', () => {
    const o = runPair({ clientConn: createClientConnection(client()), serverConn: createServerConnection(server()) });
    expect(o.serverError!.alert).toBe(A.certificate_required);
    expect(o.serverError).not.toBeInstanceOf(PeerAlertError);
    expect(o.clientError).toBeInstanceOf(PeerAlertError);
    expect(o.clientError!.alert).toBe(A.certificate_required);
    expect(o.server.handshakeComplete).toBe(false);
  });

  it('optional, and none: the handshake completes without a client identity', () => {
    const o = runPair({ clientConn: createClientConnection(client()), serverConn: createServerConnection(server({}, 'optional')) });
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.server.parameters.peerCertificates).toEqual([]);
  });

  it('an untrusted client certificate → unknown_ca', () => {
    const o = runPair({ clientConn: createClientConnection(client({ clientCertificates: [clientCert(other)] })), serverConn: createServerConnection(server({ clientAuth: { mode: 'required', verifier: new WebPkiClientVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }), sendAuthorities: false } })) });
    expect(o.serverError).toBeInstanceOf(CertificateError);
    expect(o.serverError!.alert).toBe(A.unknown_ca);
    expect(o.clientError!.alert).toBe(A.unknown_ca);
  });

  it('the client picks the certificate issued under a requested CA', () => {
    const o = runPair({
      clientConn: createClientConnection(client({ clientCertificates: [clientCert(other), clientCert(pki)] })),
      serverConn: createServerConnection(server()),
    });
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(bytesEqual(o.server.parameters.peerCertificates![0]!, pki.client.certDer)).toBe(true);
  });

  it('a client certificate without clientAuth EKU → unsupported_certificate', async () => {
    const serverOnly = await mintCertificate({ subject: 'not a client', issuer: pki.intermediate, eku: ['serverAuth'] });
    const o = runPair({
      clientConn: createClientConnection(client({ clientCertificates: [{ chain: [serverOnly.certDer, pki.intermediate.certDer], key: signingKeyFromMaterial(serverOnly.key) }] })),
      serverConn: createServerConnection(server()),
    });
    expect(o.serverError).toBeInstanceOf(CertificateError);
    expect((o.serverError as CertificateError).check).toBe('eku');
    expect(o.serverError!.alert).toBe(A.unsupported_certificate);
  });

  it('an async client signer is a pending step', async () => {
    const base = signingKeyFromMaterial(pki.client.key);
    const slow: SigningKey = { schemes: base.schemes, signer: (s) => ({ scheme: s, sign: async (m) => base.signer(s).sign(m) }) };
    const c = createClientConnection(client({ clientCertificates: [{ chain: [pki.client.certDer, pki.intermediate.certDer], key: slow }] }));
    const s = createServerConnection(server());
    s.receive(c.takeOutput()!);
    c.receive(s.takeOutput()!);
    expect(c.pending).toBeDefined();
    await c.pending;
    c.process();
    s.receive(c.takeOutput()!);
    expect(s.handshakeComplete).toBe(true);
  });

  it('a resumed session keeps the client identity of the original handshake', () => {
    const cache = new MemorySessionCache();
    const cfg = server();
    runPair({ clientConn: createClientConnection(client({ clientCertificates: [clientCert(pki)], sessionCache: cache })), serverConn: createServerConnection(cfg) });
    const o = runPair({ clientConn: createClientConnection(client({ sessionCache: cache })), serverConn: createServerConnection(cfg) });
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.server.parameters.resumed).toBe(true);
    expect(bytesEqual(o.server.parameters.peerCertificates![0]!, pki.client.certDer)).toBe(true);
  });
});

describe('post-handshake client authentication', () => {
  it('the server asks later; the client answers; the application sees the new identity', () => {
    const events: ConnectionEvent[] = [];
    const o = runPair({
      clientConn: createClientConnection(client({ clientCertificates: [clientCert(pki)], postHandshakeAuth: true })),
      serverConn: createServerConnection(server({ onEvent: (e) => events.push(e) }, 'none')),
    });
    const srv = o.server as ReturnType<typeof createServerConnection>;
    expect(srv.parameters.peerCertificates).toEqual([]);
    srv.requestClientCertificate();
    expect(() => srv.requestClientCertificate()).toThrow(TlsUsageError);
    o.client.receive(srv.takeOutput()!);
    srv.receive(o.client.takeOutput()!);
    expect(srv.error).toBeUndefined();
    expect(bytesEqual(srv.parameters.peerCertificates![0]!, pki.client.certDer)).toBe(true);
    expect(events.filter((e) => e.type === 'peer_certificates')).toHaveLength(1);
    // Data still flows both ways afterwards, and the server can ask again.
    o.client.write(new Uint8Array([1, 2, 3]));
    srv.receive(o.client.takeOutput()!);
    expect(srv.read()).toEqual(new Uint8Array([1, 2, 3]));
    srv.requestClientCertificate();
    o.client.receive(srv.takeOutput()!);
    srv.receive(o.client.takeOutput()!);
    expect(srv.error).toBeUndefined();
    expect(events.filter((e) => e.type === 'peer_certificates')).toHaveLength(2);
  });

  it('post-handshake, required, and the client has none → certificate_required', () => {
    const config = server({}, 'none');
    const o = runPair({
      clientConn: createClientConnection(client({ postHandshakeAuth: true })),
      serverConn: createServerConnection(config),
    });
    const srv = o.server as ReturnType<typeof createServerConnection>;
    // Required from now on (the policy object is the configured one).
    config.clientAuth!.mode = 'required';
    srv.requestClientCertificate();
    o.client.receive(srv.takeOutput()!);
    expect(() => srv.receive(o.client.takeOutput()!)).toThrow(/certificate_required/);
  });

  it('not offered by the client: the server API refuses', () => {
    const o = runPair({ clientConn: createClientConnection(client()), serverConn: createServerConnection(server({}, 'optional')) });
    const srv = o.server as ReturnType<typeof createServerConnection>;
    expect(() => srv.requestClientCertificate()).toThrow(TlsUsageError);
  });

  it('a CertificateRequest the client did not allow for → unexpected_message', () => {
    // Pretend the client had offered it, on the server side only (the transcript keeps the bytes sent).
    const offered = (m: HandshakeMessage): HandshakeMessage | void =>
      m.msgType === HandshakeType.client_hello ? { ...m, extensions: [...m.extensions, { type: ExtensionType.post_handshake_auth, data: new Uint8Array(0) }] } : undefined;
    const o = runPair({
      clientConn: createClientConnection(client()),
      serverConn: createServerConnection(server({ research: { afterReceive: offered } }, 'optional')),
    });
    expect(o.clientError ?? o.serverError).toBeUndefined();
    const srv = o.server as ReturnType<typeof createServerConnection>;
    srv.requestClientCertificate();
    expect(() => o.client.receive(srv.takeOutput()!)).toThrow(/unexpected_message/);
  });
});

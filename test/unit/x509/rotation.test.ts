// Rotation: a CertificateStore swaps the server's chain and key, and the client trust anchors,
// while connections from the same ServerConfig are open. New connections take the new ones;
// open connections keep working. Driven through createServerConnection and runPair.

import { beforeAll, describe, expect, it } from 'vitest';
import { createClientConnection, createServerConnection } from '../../../src/connection/index.js';
import type { Connection } from '../../../src/connection/types.js';
import { nobleProvider, signingKeyFromMaterial } from '../../../src/crypto/noble/index.js';
import { CertificateError } from '../../../src/errors.js';
import { fromUtf8, utf8 } from '../../../src/util/bytes.js';
import { WebPkiClientVerifier } from '../../../src/x509/client-verify.js';
import { type TestPki, chainPem, mintTestPki } from '../../../src/testing/mint.js';
import { peerIdentity } from '../../../src/x509/identity.js';
import { parseCertificate } from '../../../src/x509/certificate.js';
import { CertificateStore } from '../../../src/connection/rotation.js';
import { identityFromPem } from '../../../src/x509/rotation.js';
import { WebPkiServerVerifier } from '../../../src/x509/verify.js';
import { runPair } from '../../helpers/scripted.js';
import { connectPair } from '../../../src/testing/memory.js';

let a: TestPki;
let b: TestPki;
beforeAll(async () => {
  [a, b] = await Promise.all([mintTestPki({ serverNames: ['svc.test'], organization: 'A' }), mintTestPki({ serverNames: ['svc.test'], organization: 'B', clientUri: 'spiffe://b.test/client' })]);
});

const identityOf = (p: TestPki) => ({ chain: [p.server.certDer, p.intermediate.certDer], key: signingKeyFromMaterial(p.server.key) });
const trusting = (...ps: TestPki[]) => new WebPkiServerVerifier({ trustAnchors: ps.map((p) => p.root.certDer), verifier: nobleProvider.verifier });
const clientVerifierFor = (p: TestPki) => new WebPkiClientVerifier({ trustAnchors: [p.root.certDer], verifier: nobleProvider.verifier });
const clientCert = (p: TestPki) => ({ chain: [p.client.certDer, p.intermediate.certDer], key: signingKeyFromMaterial(p.client.key) });

/** Moves bytes both ways until neither side has anything to send (the one in-memory shuttle). */
function pump(client: Connection, server: Connection): void {
  connectPair(client, server).flush();
}

function exchange(client: Connection, server: Connection, text: string): string {
  client.write(utf8(text));
  pump(client, server);
  const got = server.read();
  server.write(utf8(`echo ${got ? fromUtf8(got) : ''}`));
  pump(client, server);
  const back = client.read();
  return back ? fromUtf8(back) : '';
}

const leafOrg = (c: Connection): string | undefined => parseCertificate(c.parameters.peerCertificates![0]!).subject.attributes.find((x) => x.shortName === 'O')?.value;

describe('CertificateStore', () => {
  it('new connections get the new identity; an open one keeps working', () => {
    const store = new CertificateStore({ identity: identityOf(a) });
    const config = store.serverConfig({ alpn: ['x'] });

    const c1 = createClientConnection({ serverName: 'svc.test', alpn: ['x'], verifier: trusting(a, b) });
    const s1 = createServerConnection(config);
    const out1 = runPair({ clientConn: c1, serverConn: s1 });
    expect(out1.clientError).toBeUndefined();
    expect(leafOrg(c1)).toBe('A');

    store.setIdentity(identityOf(b));
    expect(store.generation).toBe(1);

    // The open connection: data both ways, a KeyUpdate, still with A's certificate.
    expect(exchange(c1, s1, 'before')).toBe('echo before');
    c1.updateKeys(true);
    expect(exchange(c1, s1, 'after rotation')).toBe('echo after rotation');
    expect(leafOrg(c1)).toBe('A');

    // A new connection from the same config object: B's certificate.
    const c2 = createClientConnection({ serverName: 'svc.test', alpn: ['x'], verifier: trusting(b) });
    const s2 = createServerConnection(config);
    const out2 = runPair({ clientConn: c2, serverConn: s2 });
    expect(out2.clientError).toBeUndefined();
    expect(leafOrg(c2)).toBe('B');
    expect(exchange(c2, s2, 'new')).toBe('echo new');

    // A client that trusts only A now fails on new connections (unknown_ca).
    const c3 = createClientConnection({ serverName: 'svc.test', alpn: ['x'], verifier: trusting(a) });
    const out3 = runPair({ clientConn: c3, serverConn: createServerConnection(config) });
    expect(out3.clientError).toBeInstanceOf(CertificateError);
    expect(out3.clientError?.alertName).toBe('unknown_ca');
  });

  it('tickets issued before a rotation still resume after it (one config object, shared ticket keys)', () => {
    const store = new CertificateStore({ identity: identityOf(a) });
    const config = store.serverConfig();
    const sessions: unknown[] = [];
    const c1 = createClientConnection({ serverName: 'svc.test', verifier: trusting(a, b), onSession: (s) => void sessions.push(s) });
    runPair({ clientConn: c1, serverConn: createServerConnection(config) });
    expect(sessions.length).toBeGreaterThan(0);
    store.setIdentity(identityOf(b));
    const c2 = createClientConnection({ serverName: 'svc.test', verifier: trusting(a, b), session: sessions[0] as never });
    const out = runPair({ clientConn: c2, serverConn: createServerConnection(config) });
    expect(out.clientError).toBeUndefined();
    expect(c2.parameters.resumed).toBe(true);
  });

  it('swaps client trust anchors: new handshakes verify against the new CA', () => {
    const store = new CertificateStore({ identity: identityOf(a), clientVerifier: clientVerifierFor(a) });
    const config = store.serverConfig({}, { mode: 'required' });
    const clientFor = (p: TestPki) => createClientConnection({ serverName: 'svc.test', verifier: trusting(a), clientCertificates: [clientCert(p)] });

    const ok = runPair({ clientConn: clientFor(a), serverConn: createServerConnection(config) });
    expect(ok.serverError).toBeUndefined();
    const sA = ok.server;

    store.setTrustAnchors([b.root.certDer], { verifier: nobleProvider.verifier });
    // certificate_authorities now names B's root: A's client certificate does not fit, none is sent.
    const refused = runPair({ clientConn: clientFor(a), serverConn: createServerConnection(config) });
    expect(refused.serverError?.alertName).toBe('certificate_required');
    // Without certificate_authorities the client sends A's certificate, which B's anchors refuse.
    const blind = store.serverConfig({}, { mode: 'required', sendAuthorities: false });
    const refused2 = runPair({ clientConn: clientFor(a), serverConn: createServerConnection(blind) });
    expect(refused2.serverError?.alertName).toBe('unknown_ca');

    const sB = createServerConnection(config);
    const okB = runPair({ clientConn: clientFor(b), serverConn: sB });
    expect(okB.serverError).toBeUndefined();
    expect(peerIdentity(parseCertificate(sB.parameters.peerCertificates![0]!)).spiffeId).toBe('spiffe://b.test/client');
    // The first connection still carries data.
    expect(exchange(ok.client, sA, 'still here')).toBe('echo still here');
  });

  it('identityFromPem checks that the key belongs to the leaf', () => {
    const id = identityFromPem(chainPem(a.server, a.intermediate), a.server.keyPem);
    expect(id.chain).toHaveLength(2);
    expect(() => identityFromPem(chainPem(a.server, a.intermediate), b.server.keyPem)).toThrow(/does not belong/);
    const store = new CertificateStore({ identity: id });
    const seen: number[] = [];
    const off = store.onChange((_i, g) => void seen.push(g));
    store.setIdentity(identityFromPem(chainPem(b.server), b.server.keyPem));
    off();
    store.setIdentity(id);
    expect(seen).toEqual([1]);
    expect(() => store.setIdentity({ chain: [], key: id.key })).toThrow(/empty/);
  });
});

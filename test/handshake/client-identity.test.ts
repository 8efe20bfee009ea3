// The client's identity checks (audit 2026-12, findings 5 and 6): a verifier needs a server name
// (or an explicit opt-out), and a session is offered only under the verification policy, the name
// and the certificate validity it would pass in a full handshake (RFC 8446 §4.6.1).

import { beforeAll, describe, expect, it } from 'vitest';
import { createClientConnection, createServerConnection } from '../../src/connection/index.js';
import type { ClientConfig, ServerConfig } from '../../src/connection/config.js';
import { AlertDescription as A, CertificateError, TlsUsageError } from '../../src/errors.js';
import { nobleProvider, signingKeyFromMaterial } from '../../src/crypto/noble/index.js';
import { mintCertificate, mintTestPki, type MintedCertificate, type TestPki } from '../../src/testing/mint.js';
import { WebPkiServerVerifier, type ServerCertificateVerifier } from '../../src/x509/verify.js';
import { MemorySessionCache, SelfEncryptedTickets } from '../../src/resumption/index.js';
import { decodeSessionFile, encodeSessionFile } from '../../src/resumption/session-file.js';
import type { ClientSession } from '../../src/resumption/types.js';
import { ExtensionType, HandshakeType } from '../../src/wire/codepoints.js';
import { runPair } from '../helpers/scripted.js';

// A fixed instant inside the minted certificates' validity (they are valid from an hour ago).
const T0 = Math.floor(Date.now() / 1000) * 1000;
const HOUR = 3600_000;

let pki: TestPki;
let otherPki: TestPki;
/** From the trusted intermediate, valid only for evil.attacker.test. */
let evil: MintedCertificate;
/** Self-signed, for localhost: trusted by nobody. */
let rogue: MintedCertificate;
/** A PKI whose leaf expires one hour after T0. */
let shortLived: TestPki;

beforeAll(async () => {
  pki = await mintTestPki({ serverNames: ['localhost', 'www.example.test'] });
  otherPki = await mintTestPki();
  evil = await mintCertificate({ subject: 'evil', issuer: pki.intermediate, sans: ['evil.attacker.test'], eku: ['serverAuth'] });
  rogue = await mintCertificate({ subject: 'rogue', sans: ['localhost'], eku: ['serverAuth'] });
  shortLived = await mintTestPki({ serverNames: ['localhost'], notAfter: new Date(T0 + HOUR) });
}, 60_000);

// One ticket key for every server config here, so that any of them redeems a ticket.
const issuer = new SelfEncryptedTickets({ now: () => T0 });

function serverWith(chain: Uint8Array[], key: MintedCertificate['key'], extra: Partial<ServerConfig> = {}): ServerConfig {
  return { certificateChain: chain, signingKey: signingKeyFromMaterial(key), now: () => new Date(T0), tickets: { issuer }, ...extra };
}
const pkiServer = (extra: Partial<ServerConfig> = {}): ServerConfig => serverWith([pki.server.certDer, pki.intermediate.certDer], pki.server.key, extra);
const rogueServer = (): ServerConfig => serverWith([rogue.certDer], rogue.key);

const verifierFor = (p: TestPki): WebPkiServerVerifier => new WebPkiServerVerifier({ trustAnchors: [p.root.certDer], verifier: nobleProvider.verifier });

function verifying(extra: Partial<ClientConfig> = {}): ClientConfig {
  return { serverName: 'localhost', verifier: verifierFor(pki), now: () => new Date(T0), ...extra };
}

/** Runs a pair; returns the outcome and whether the ClientHello offered a PSK. */
function connect(client: ClientConfig, server: ServerConfig): ReturnType<typeof runPair> & { offeredPsk: boolean } {
  let offeredPsk = false;
  const onEvent: ClientConfig['onEvent'] = (e) => {
    if (e.type === 'handshake' && e.direction === 'sent' && e.message.msgType === HandshakeType.client_hello) {
      offeredPsk ||= e.message.extensions.some((x) => x.type === ExtensionType.pre_shared_key);
    }
    client.onEvent?.(e);
  };
  const o = runPair({ clientConn: createClientConnection({ ...client, onEvent }), serverConn: createServerConnection(server) });
  return { ...o, offeredPsk };
}

/** A full handshake; returns the sessions it produced. */
function sessionsFrom(client: ClientConfig, server: ServerConfig): ClientSession[] {
  const sessions: ClientSession[] = [];
  const o = connect({ ...client, onSession: (s) => sessions.push(s) }, server);
  expect(o.clientError ?? o.serverError).toBeUndefined();
  expect(sessions.length).toBeGreaterThan(0);
  return sessions;
}

describe('audit #5: a verifying client names the server', () => {
  it('audit #5: a verifier without serverName is a TlsUsageError at config resolution (the evil.attacker.test certificate never gets a chance)', () => {
    expect(() => createClientConnection({ verifier: verifierFor(pki) })).toThrow(TlsUsageError);
    expect(() => createClientConnection({ verifier: verifierFor(pki), serverName: '' })).toThrow(/serverName/);
  });

  it('audit #5: verifyServerName: false is the explicit opt-out: the chain is verified, no name is checked', () => {
    const ok = connect({ verifier: verifierFor(pki), verifyServerName: false, now: () => new Date(T0) }, serverWith([evil.certDer, pki.intermediate.certDer], evil.key));
    expect(ok.clientError).toBeUndefined();
    expect(ok.client.handshakeComplete).toBe(true);
    // With a name but the opt-out, the name goes out as SNI and is still not checked.
    const named = connect(verifying({ verifyServerName: false }), serverWith([evil.certDer, pki.intermediate.certDer], evil.key));
    expect(named.client.handshakeComplete).toBe(true);
    expect(named.server.parameters.serverName).toBe('localhost');
    // The chain still is: an untrusted one fails.
    const untrusted = connect({ verifier: verifierFor(pki), verifyServerName: false, now: () => new Date(T0) }, rogueServer());
    expect(untrusted.clientError).toBeInstanceOf(CertificateError);
    expect(untrusted.clientError!.alert).toBe(A.unknown_ca);
  });

  it('audit #5: with a serverName the name is checked as before (a certificate for another name → bad_certificate)', () => {
    const o = connect(verifying(), serverWith([evil.certDer, pki.intermediate.certDer], evil.key));
    expect(o.clientError).toBeInstanceOf(CertificateError);
    expect((o.clientError as CertificateError).check).toBe('hostname');
  });

  it('audit #5: no serverName is still fine without a verifier: insecureSkipVerify, or a PSK-only client', () => {
    expect(() => createClientConnection({ insecureSkipVerify: true })).not.toThrow();
    expect(() => createClientConnection({ externalPsks: [{ identity: new Uint8Array([1]), key: new Uint8Array(32) }] })).not.toThrow();
  });
});

describe('audit #6: sessions are tied to how they were verified', () => {
  it('audit #6: a session made under insecureSkipVerify is not resumed by a verifying client sharing the cache', () => {
    const cache = new MemorySessionCache();
    const insecure: ClientConfig = { serverName: 'localhost', insecureSkipVerify: true, sessionCache: cache, now: () => new Date(T0) };
    expect(connect(insecure, rogueServer()).client.handshakeComplete).toBe(true);
    expect(cache.size).toBeGreaterThan(0);
    const v = connect(verifying({ sessionCache: cache }), rogueServer());
    expect(v.offeredPsk).toBe(false);
    expect(v.client.parameters.resumed).toBe(false);
    expect(v.clientError).toBeInstanceOf(CertificateError);
    expect(v.clientError!.alert).toBe(A.unknown_ca);
    // Another insecure client still resumes it.
    const again = connect(insecure, rogueServer());
    expect(again.client.parameters.resumed).toBe(true);
  });

  it('audit #6: an insecure session given explicitly is not offered by a verifying client', () => {
    const [s] = sessionsFrom({ serverName: 'localhost', insecureSkipVerify: true, now: () => new Date(T0) }, pkiServer());
    expect(s!.serverAuth).toBe('insecure');
    const o = connect(verifying({ session: s }), pkiServer());
    expect(o.offeredPsk).toBe(false);
    expect(o.clientError).toBeUndefined();
    expect(o.client.parameters.resumed).toBe(false);
  });

  it('audit #6: a session is not offered for a server name its certificate does not cover (RFC 8446 §4.6.1)', () => {
    const [s] = sessionsFrom(verifying(), pkiServer());
    expect(s!.serverAuth).toBe('certificate');
    const o = connect(verifying({ session: s, serverName: 'not-in-cert.test' }), pkiServer());
    expect(o.offeredPsk).toBe(false);
    expect(o.client.parameters.resumed).toBe(false);
    // The full handshake then checks the name as usual.
    expect((o.clientError as CertificateError).check).toBe('hostname');
  });

  it('audit #6: a session is resumed under another name its certificate covers, and under the same name with a new verifier', () => {
    const [a, b] = sessionsFrom(verifying(), pkiServer());
    const other = connect(verifying({ session: a, serverName: 'www.example.test' }), pkiServer());
    expect(other.clientError ?? other.serverError).toBeUndefined();
    expect(other.client.parameters.resumed).toBe(true);
    // A session file carries no verifier: the current one re-checks the stored chain.
    const fromFile = decodeSessionFile(encodeSessionFile(b!));
    const again = connect(verifying({ session: fromFile }), pkiServer());
    expect(again.client.parameters.resumed).toBe(true);
  });

  it('audit #6: a verifier that would not accept the stored chain (another trust store) does not resume it', () => {
    const cache = new MemorySessionCache();
    sessionsFrom(verifying({ sessionCache: cache }), pkiServer());
    const o = connect(verifying({ sessionCache: cache, verifier: verifierFor(otherPki) }), pkiServer());
    expect(o.offeredPsk).toBe(false);
    expect(o.clientError!.alert).toBe(A.unknown_ca);
  });

  it('audit #6: a session whose server certificate has expired is not offered (same verifier, another verifier, insecure)', () => {
    const server = serverWith([shortLived.server.certDer, shortLived.intermediate.certDer], shortLived.server.key, { now: () => new Date(T0 + 90 * 60_000) });
    const verifier: ServerCertificateVerifier = verifierFor(shortLived);
    const at0 = { serverName: 'localhost', now: () => new Date(T0) };
    const later = { serverName: 'localhost', now: () => new Date(T0 + 90 * 60_000) };
    const [same, other] = sessionsFrom({ ...at0, verifier }, serverWith([shortLived.server.certDer, shortLived.intermediate.certDer], shortLived.server.key));
    // The ticket (2 hours) outlives the certificate (1 hour).
    expect(same!.lifetimeSeconds).toBe(7200);
    const a = connect({ ...later, verifier, session: same }, server);
    expect(a.offeredPsk).toBe(false);
    expect(a.clientError!.alert).toBe(A.certificate_expired);
    const b = connect({ ...later, verifier: verifierFor(shortLived), session: other }, server);
    expect(b.offeredPsk).toBe(false);
    const [insecureSession] = sessionsFrom({ ...at0, insecureSkipVerify: true }, serverWith([shortLived.server.certDer], shortLived.server.key));
    const c = connect({ ...later, insecureSkipVerify: true, session: insecureSession }, server);
    expect(c.offeredPsk).toBe(false);
    expect(c.client.handshakeComplete).toBe(true);
  });

  it('audit #6: tickets from a resumed connection keep the policy; the cache keys by it', () => {
    const cache = new MemorySessionCache();
    const v = verifying({ sessionCache: cache });
    sessionsFrom(v, pkiServer());
    const sessions: ClientSession[] = [];
    const o = connect({ ...v, onSession: (s) => sessions.push(s) }, pkiServer());
    expect(o.client.parameters.resumed).toBe(true);
    expect(sessions.map((s) => s.serverAuth)).toEqual(['certificate', 'certificate']);
    // An insecure client with the same cache finds nothing under its own policy.
    const insecure = connect({ serverName: 'localhost', insecureSkipVerify: true, sessionCache: cache, now: () => new Date(T0) }, pkiServer());
    expect(insecure.offeredPsk).toBe(false);
  });
});

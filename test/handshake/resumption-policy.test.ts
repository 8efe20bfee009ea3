// Security audit 2026-12, findings 2, 3 and 10: a ticket resumes only what the current config
// would authenticate now (RFC 8446 §4.2.11, §4.6.1), 0-RTT only when the ClientHello offers it
// (RFC 8446 §4.2, §4.2.10), and one ticket records one entry in the anti-replay store (§8).

import { beforeAll, describe, expect, it } from 'vitest';
import { createClientConnection, createServerConnection, createServerTicketing } from '../../src/connection/index.js';
import type { ClientConfig, ServerConfig } from '../../src/connection/config.js';
import { AlertDescription as A, TlsError } from '../../src/errors.js';
import { nobleProvider, signingKeyFromMaterial } from '../../src/crypto/noble/index.js';
import { mintCertificate, mintCrl, mintTestPki, type MintedCertificate, type TestPki } from '../../src/testing/mint.js';
import { WebPkiServerVerifier } from '../../src/x509/verify.js';
import { WebPkiClientVerifier, type ClientCertificateVerifier } from '../../src/x509/client-verify.js';
import { CertificateStore } from '../../src/connection/rotation.js';
import { MemoryAntiReplay, SelfEncryptedTickets } from '../../src/resumption/index.js';
import type { ClientSession, ServerSessionState, TicketIssuer } from '../../src/resumption/types.js';
import { bytesEqual, utf8 } from '../../src/util/bytes.js';
import { runPair, settlePair, type PairOutcome } from '../helpers/scripted.js';

let pki: TestPki;
let otherPki: TestPki;
beforeAll(async () => {
  pki = await mintTestPki({ keyType: 'p256' });
  otherPki = await mintTestPki({ keyType: 'p256', organization: 'another CA' });
}, 60_000);

// A fixed instant inside the minted certificates' validity (they are valid from about an hour ago).
const T0 = Math.floor(Date.now() / 1000) * 1000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const clientVerifier = (extra: { crls?: Uint8Array[] } = {}): WebPkiClientVerifier =>
  new WebPkiClientVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier, ...extra });
const clientCertificate = (leaf: MintedCertificate = pki.client) => ({
  chain: [leaf.certDer, pki.intermediate.certDer],
  key: signingKeyFromMaterial(leaf.key),
});

function server(extra: Partial<ServerConfig> = {}): ServerConfig {
  return {
    certificateChain: [pki.server.certDer, pki.intermediate.certDer],
    signingKey: signingKeyFromMaterial(pki.server.key),
    now: () => new Date(T0),
    ...extra,
  };
}

function client(extra: Partial<ClientConfig> = {}): ClientConfig {
  return {
    serverName: 'localhost',
    verifier: new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }),
    now: () => new Date(T0),
    ...extra,
  };
}

/** A full handshake; returns the tickets it brought. */
function tickets(serverConfig: ServerConfig, extra: Partial<ClientConfig> = {}): ClientSession[] {
  const sessions: ClientSession[] = [];
  const o = runPair({ clientConn: createClientConnection(client({ onSession: (s) => sessions.push(s), ...extra })), serverConn: createServerConnection(serverConfig) });
  expect(o.clientError ?? o.serverError).toBeUndefined();
  expect(o.server.parameters.resumed).toBe(false);
  expect(sessions.length).toBeGreaterThan(0);
  return sessions;
}

/** Offers `session`; returns the outcome and the tickets of the new connection. */
function resume(serverConfig: ServerConfig, session: ClientSession, extra: Partial<ClientConfig> = {}): PairOutcome & { sessions: ClientSession[] } {
  const sessions: ClientSession[] = [];
  const o = runPair({
    clientConn: createClientConnection(client({ session, onSession: (s) => sessions.push(s), ...extra })),
    serverConn: createServerConnection(serverConfig),
  });
  return { ...o, sessions };
}

/** A ticket issuer that keeps every state it seals (to read what a ticket carries). */
function recordingIssuer(): TicketIssuer & { states: ServerSessionState[] } {
  const inner = new SelfEncryptedTickets({ now: () => T0 });
  const states: ServerSessionState[] = [];
  return {
    states,
    issue: (s) => {
      states.push({ ...s, psk: s.psk.slice() });
      return inner.issue(s);
    },
    redeem: (t, now) => inner.redeem(t, now),
  };
}

describe('audit #2: resumption re-checks the client certificate', () => {
  it('audit #2: a client certificate revoked by a CRL no longer resumes; the full handshake then fails with certificate_revoked', async () => {
    const store = new CertificateStore({
      identity: { chain: [pki.server.certDer, pki.intermediate.certDer], key: signingKeyFromMaterial(pki.server.key) },
      clientVerifier: clientVerifier(),
    });
    const cfg = store.serverConfig({ now: () => new Date(T0) }, { mode: 'required' });
    const [session] = tickets(cfg, { clientCertificates: [clientCertificate()] });
    // Before the revocation the ticket resumes, with the client chain.
    const [again] = tickets(cfg, { clientCertificates: [clientCertificate()] });
    const ok = resume(cfg, again!);
    expect(ok.clientError ?? ok.serverError).toBeUndefined();
    expect(ok.server.parameters.resumed).toBe(true);
    expect(bytesEqual(ok.server.parameters.peerCertificates![0]!, pki.client.certDer)).toBe(true);

    const crl = await mintCrl({ issuer: { certDer: pki.intermediate.certDer, key: pki.intermediate.key }, revoked: [{ serial: pki.client }] });
    store.setClientVerifier(clientVerifier({ crls: [crl.der] }));
    const o = resume(cfg, session!, { clientCertificates: [clientCertificate()] });
    expect(o.server.parameters.resumed).not.toBe(true);
    expect(o.serverError?.alert).toBe(A.certificate_revoked);
  });

  it('audit #2: after setTrustAnchors() to another CA, tickets from before no longer resume (unknown_ca on the full handshake)', () => {
    const store = new CertificateStore({
      identity: { chain: [pki.server.certDer, pki.intermediate.certDer], key: signingKeyFromMaterial(pki.server.key) },
      clientVerifier: clientVerifier(),
    });
    // Without certificate_authorities, so that the client presents its old chain on the full handshake.
    const cfg = store.serverConfig({ now: () => new Date(T0) }, { mode: 'required', sendAuthorities: false });
    const [session] = tickets(cfg, { clientCertificates: [clientCertificate()] });
    store.setTrustAnchors([otherPki.root.certDer], { verifier: nobleProvider.verifier });
    const o = resume(cfg, session!, { clientCertificates: [clientCertificate()] });
    expect(o.server.parameters.resumed).not.toBe(true);
    expect(o.serverError?.alert).toBe(A.unknown_ca);
    // A client of the new CA gets in, and so do its tickets.
    const fresh = runPair({
      clientConn: createClientConnection(client({ clientCertificates: [{ chain: [otherPki.client.certDer, otherPki.intermediate.certDer], key: signingKeyFromMaterial(otherPki.client.key) }] })),
      serverConn: createServerConnection(cfg),
    });
    expect(fresh.clientError ?? fresh.serverError).toBeUndefined();
  });

  it('audit #2: a ticket without a client certificate is not redeemed by a config that requires one (shared issuer): full handshake', () => {
    const issuer = new SelfEncryptedTickets({ now: () => T0 });
    const open = server({ tickets: { issuer } });
    const strict = server({ tickets: { issuer }, clientAuth: { mode: 'required', verifier: clientVerifier() } });
    const [s1, s2] = tickets(open);
    const refused = resume(strict, s1!);
    expect(refused.server.parameters.resumed).not.toBe(true);
    expect(refused.serverError?.alert).toBe(A.certificate_required);
    // With a certificate the fallback full handshake succeeds.
    const full = resume(strict, s2!, { clientCertificates: [clientCertificate()] });
    expect(full.clientError ?? full.serverError).toBeUndefined();
    expect(full.server.parameters.resumed).toBe(false);
    expect(full.server.parameters.peerCertificates).toHaveLength(2);
    // Under 'optional' the same kind of ticket still resumes (no certificate is a valid outcome there).
    const [s3] = tickets(open);
    const optional = resume(server({ tickets: { issuer }, clientAuth: { mode: 'optional', verifier: clientVerifier() } }), s3!);
    expect(optional.clientError ?? optional.serverError).toBeUndefined();
    expect(optional.server.parameters.resumed).toBe(true);
    expect(optional.server.parameters.peerCertificates).toEqual([]);
  });

  it('audit #2: a ticket carrying a client chain is not redeemed by a config with no client verifier (nothing there can vouch for it)', () => {
    const issuer = new SelfEncryptedTickets({ now: () => T0 });
    const strict = server({ tickets: { issuer }, clientAuth: { mode: 'required', verifier: clientVerifier() } });
    const [session] = tickets(strict, { clientCertificates: [clientCertificate()] });
    const o = resume(server({ tickets: { issuer } }), session!);
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.server.parameters.resumed).toBe(false);
    expect(o.server.parameters.peerCertificates).toEqual([]);
  });

  it('audit #2: a client certificate past its notAfter no longer resumes, and its tickets do not outlive it', async () => {
    const short = await mintCertificate({
      subject: 'short-lived client',
      issuer: { certDer: pki.intermediate.certDer, key: pki.intermediate.key },
      eku: ['clientAuth'],
      notAfter: new Date(T0 + 10 * MINUTE),
    });
    let clock = T0;
    const now = (): Date => new Date(clock);
    const issuer = new SelfEncryptedTickets({ now: () => clock });
    const cfg = server({ now, tickets: { issuer }, clientAuth: { mode: 'required', verifier: clientVerifier() } });
    const sessions = tickets(cfg, { now, clientCertificates: [clientCertificate(short)] });
    // RFC 8446 §4.6.1: the ticket lifetime is capped at the client certificate's notAfter.
    expect(sessions[0]!.lifetimeSeconds).toBeLessThanOrEqual(600);
    expect(sessions[0]!.lifetimeSeconds).toBeGreaterThan(590);
    clock += 5 * MINUTE;
    const within = resume(cfg, sessions[0]!, { now });
    expect(within.clientError ?? within.serverError).toBeUndefined();
    expect(within.server.parameters.resumed).toBe(true);
    // Renewed tickets end at the certificate's notAfter too.
    expect(within.sessions[0]!.lifetimeSeconds).toBeLessThanOrEqual(300);
    clock += 6 * MINUTE; // past the notAfter
    for (const s of [sessions[1]!, within.sessions[0]!]) {
      const late = resume(cfg, s, { now });
      expect(late.server.parameters.resumed).not.toBe(true);
      expect(late.serverError?.alert).toBe(A.certificate_required);
    }
  });

  it("audit #2: the stored leaf's notAfter is checked on redemption even when the verifier and the ticket's lifetime would let it pass", async () => {
    const short = await mintCertificate({
      subject: 'short-lived client',
      issuer: { certDer: pki.intermediate.certDer, key: pki.intermediate.key },
      eku: ['clientAuth'],
      notAfter: new Date(T0 + 10 * MINUTE),
    });
    // A verifier that checks paths at the original instant only: the engine still sees the leaf's notAfter.
    const inner = clientVerifier();
    const timeless: ClientCertificateVerifier = { verify: (input) => inner.verify({ ...input, now: new Date(T0) }) };
    const issuer = recordingIssuer();
    let clock = T0;
    const cfg = server({ now: () => new Date(clock), tickets: { issuer }, clientAuth: { mode: 'required', verifier: timeless } });
    const sessions = tickets(cfg, { now: () => new Date(clock), clientCertificates: [clientCertificate(short)] });
    // The same state sealed with an hour's lifetime (as another config sharing the issuer might):
    // still not enough to outlive the certificate.
    const original = issuer.states[0]!;
    expect(original.lifetimeSeconds).toBeLessThanOrEqual(600);
    clock += 11 * MINUTE;
    const longLived = issuer.issue({ ...original, issuedAt: clock - MINUTE, lifetimeSeconds: 3600 });
    const o = resume(cfg, { ...sessions[0]!, ticket: longLived, receivedAt: clock - MINUTE }, { now: () => new Date(clock) });
    expect(o.server.parameters.resumed).not.toBe(true);
  });

  it('audit #2: renewed tickets keep the original authentication time; chained resumptions stop at tickets.maxSessionAgeSeconds', () => {
    const issuer = recordingIssuer();
    let clock = T0;
    const now = (): Date => new Date(clock);
    const cfg = server({ now, tickets: { issuer, maxSessionAgeSeconds: 6 * 3600 }, clientAuth: { mode: 'required', verifier: clientVerifier() } });
    let sessions = tickets(cfg, { now, clientCertificates: [clientCertificate()] });
    expect(issuer.states[0]!.authenticatedAt).toBe(T0);
    const resumed: boolean[] = [];
    for (let i = 0; i < 6; i++) {
      clock += 90 * MINUTE;
      const o = resume(cfg, sessions[0]!, { now });
      resumed.push(o.server.parameters.resumed === true);
      if (o.server.parameters.resumed !== true) break;
      sessions = o.sessions;
      // Renewed: issued now, authenticated at T0, never past T0 + 6 h.
      const last = issuer.states[issuer.states.length - 1]!;
      expect(last.issuedAt).toBe(clock);
      expect(last.authenticatedAt).toBe(T0);
      expect(last.issuedAt + last.lifetimeSeconds * 1000).toBeLessThanOrEqual(T0 + 6 * HOUR);
    }
    // 1.5 h, 3 h, 4.5 h resume; at 6 h the session is over.
    expect(resumed).toEqual([true, true, true, false]);
  });

  it('audit #2: by default a session lasts at most 7 days across renewals (the repro chained 160 over 10 days)', () => {
    let clock = T0;
    const now = (): Date => new Date(clock);
    const cfg = server({ now, tickets: { issuer: new SelfEncryptedTickets({ now: () => clock }) }, clientAuth: { mode: 'required', verifier: clientVerifier() } });
    let sessions = tickets(cfg, { now, clientCertificates: [clientCertificate()] });
    let n = 0;
    for (; n < 160; n++) {
      clock += 90 * MINUTE;
      const o = resume(cfg, sessions[0]!, { now, clientCertificates: [clientCertificate()] });
      expect(o.clientError ?? o.serverError).toBeUndefined();
      if (o.server.parameters.resumed !== true) break;
      sessions = o.sessions;
    }
    expect(clock - T0).toBeLessThanOrEqual(7 * DAY);
    expect(clock - T0).toBeGreaterThan(7 * DAY - 2 * HOUR);
    expect(n).toBeLessThan(160);
  });

  it('audit #2: an asynchronous client verifier re-checks the stored chain as a pending step; a rejection means a full handshake', async () => {
    const inner = clientVerifier();
    let refuse = false;
    const asyncVerifier: ClientCertificateVerifier = {
      verify: async (input) => {
        await new Promise((r) => setTimeout(r, 1));
        if (refuse) throw new TlsError(A.certificate_revoked, 'revoked (test)');
        return inner.verify(input);
      },
    };
    const cfg = server({ clientAuth: { mode: 'required', verifier: asyncVerifier } });
    const sessions: ClientSession[] = [];
    const first = await settlePair(
      createClientConnection(client({ clientCertificates: [clientCertificate()], onSession: (s) => sessions.push(s) })),
      createServerConnection(cfg),
    );
    expect(first.clientError ?? first.serverError).toBeUndefined();
    const s = createServerConnection(cfg);
    const ok = await settlePair(createClientConnection(client({ session: sessions[0]! })), s);
    expect(ok.clientError ?? ok.serverError).toBeUndefined();
    expect(s.parameters.resumed).toBe(true);
    expect(s.parameters.peerCertificates).toHaveLength(2);
    refuse = true;
    const s2 = createServerConnection(cfg);
    const no = await settlePair(createClientConnection(client({ session: sessions[1]!, clientCertificates: [clientCertificate()] })), s2);
    expect(s2.parameters.resumed).not.toBe(true);
    expect(no.serverError?.alert).toBe(A.certificate_revoked); // from the full handshake's verification
  });

  it('audit #2: without client authentication nothing changes: tickets resume, renewed tickets resume', () => {
    const cfg = server();
    const [session] = tickets(cfg);
    const o = resume(cfg, session!);
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.server.parameters.resumed).toBe(true);
    const again = resume(cfg, o.sessions[0]!);
    expect(again.server.parameters.resumed).toBe(true);
    expect(again.sessions[0]!.lifetimeSeconds).toBe(7200);
  });
});

describe('audit #3: 0-RTT only when offered', () => {
  it('audit #3: a server with earlyData resumes a client that offers no 0-RTT without accepting any (earlyData none, nothing recorded)', () => {
    const antiReplay = new MemoryAntiReplay();
    const cfg = server({ earlyData: { maxEarlyDataSize: 16384, antiReplay } });
    const [session] = tickets(cfg);
    expect(session!.maxEarlyDataSize).toBe(16384);
    const o = resume(cfg, session!);
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.server.parameters.resumed).toBe(true);
    expect(o.server.parameters.earlyData).toBe('none');
    expect(o.client.parameters.earlyData).toBe('none');
    expect(antiReplay.size).toBe(0);
    o.client.write(utf8('after'));
    o.server.receive(o.client.takeOutput()!);
    expect(o.server.read()).toEqual(utf8('after'));
  });
});

describe('audit #10: one ticket, one entry in the anti-replay store', () => {
  const EARLY = utf8('GET / HTTP/1.1\r\n\r\n');

  function firstFlight(session: ClientSession): Uint8Array {
    return createClientConnection(client({ session, earlyData: EARLY })).takeOutput()!;
  }

  it('audit #10: ClientHellos replaying one ticket with new binders do not fill the store; an honest client still gets 0-RTT', () => {
    const antiReplay = new MemoryAntiReplay({ capacity: 4 });
    const cfg = server({ earlyData: { maxEarlyDataSize: 1024, antiReplay } });
    const [attacker, honest] = tickets(cfg);
    const read: (Uint8Array | undefined)[] = [];
    for (let i = 0; i < 10; i++) {
      const s = createServerConnection(cfg);
      s.receive(firstFlight(attacker!)); // a new random each time, so a new binder
      expect(s.error).toBeUndefined();
      read.push(s.readEarlyData());
    }
    expect(read.filter((d) => d !== undefined)).toEqual([EARLY]);
    expect(antiReplay.size).toBe(1);
    const s = createServerConnection(cfg);
    s.receive(firstFlight(honest!));
    expect(s.readEarlyData()).toEqual(EARLY);
    expect(antiReplay.size).toBe(2);
  });
});

describe('audit, informational: configs sharing a ticketing share the replay window', () => {
  // The replay window belongs to the ServerTicketing (issue 13: no default keyed by object identity).
  it('audit, informational: two configs with one ticketing and no antiReplay of their own accept one 0-RTT flight once', () => {
    const ticketing = createServerTicketing({ issuer: new SelfEncryptedTickets({ now: () => T0 }) });
    const a = server({ ticketing, earlyData: { maxEarlyDataSize: 1024 } });
    const b = server({ ticketing, earlyData: { maxEarlyDataSize: 1024 } });
    const [session] = tickets(a);
    const flight = createClientConnection(client({ session: session!, earlyData: utf8('once') })).takeOutput()!;
    const seen: Uint8Array[] = [];
    for (const cfg of [a, b]) {
      const s = createServerConnection(cfg);
      s.receive(flight);
      expect(s.error).toBeUndefined();
      const d = s.readEarlyData();
      if (d) seen.push(d);
    }
    expect(seen).toEqual([utf8('once')]);
  });
});

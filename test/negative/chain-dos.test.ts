// Certificate chains that cost bounded work, seen on the wire: the verifying side answers with
// bad_certificate within milliseconds (audit finding 4; issue 12 group 1).

import { beforeAll, describe, expect, it } from 'vitest';
import { createClientConnection, createServerConnection } from '../../src/connection/index.js';
import { AlertDescription as A, CertificateError, PeerAlertError } from '../../src/errors.js';
import { nobleProvider, signingKeyFromMaterial } from '../../src/crypto/noble/index.js';
import { type TestPki, generateKey, mintCertificate, mintTestPki } from '../../src/testing/mint.js';
import { WebPkiServerVerifier } from '../../src/x509/verify.js';
import { WebPkiClientVerifier } from '../../src/x509/client-verify.js';
import { type PairOutcome, runPair } from '../helpers/scripted.js';

let pki: TestPki;
const extra: Uint8Array[] = [];

beforeAll(async () => {
  pki = await mintTestPki({ serverNames: ['localhost'] });
  const key = await generateKey('p256');
  for (let i = 0; i < 700; i++) extra.push((await mintCertificate({ subject: 'x' + i, key, issuer: pki.root, isCA: true, omitKeyIdentifiers: true })).certDer);
}, 120_000);

/** Wraps a connection's receive() to add up the CPU time it takes. */
function timedReceive<T extends { receive(b: Uint8Array): unknown }>(conn: T): { conn: T; ms: () => number } {
  let ms = 0;
  const receive = conn.receive.bind(conn);
  conn.receive = (b: Uint8Array) => {
    const t0 = performance.now();
    try {
      return receive(b);
    } finally {
      ms += performance.now() - t0;
    }
  };
  return { conn, ms: () => ms };
}

function expectAlert(verifying: TlsErrorLike | undefined, peer: TlsErrorLike | undefined, check: string): void {
  expect(verifying).toBeInstanceOf(CertificateError);
  expect((verifying as CertificateError).check).toBe(check);
  expect(verifying!.alert).toBe(A.bad_certificate);
  // The other side reads it off the wire.
  expect(peer).toBeInstanceOf(PeerAlertError);
  expect(peer!.alert).toBe(A.bad_certificate);
}
type TlsErrorLike = PairOutcome['clientError'];

describe('certificate chains on the wire', () => {
  it('audit #4: a server Certificate of 700 extraneous certificates → bad_certificate, within milliseconds', () => {
    // Cold: each verifier below is new, with its own empty certificate cache.
    const client = timedReceive(
      createClientConnection({ serverName: 'localhost', verifier: new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }) }),
    );
    const server = createServerConnection({ certificateChain: [pki.server.certDer, ...extra, pki.intermediate.certDer], signingKey: signingKeyFromMaterial(pki.server.key) });
    const o = runPair({ clientConn: client.conn, serverConn: server });
    expectAlert(o.clientError, o.serverError, 'certificate-count');
    expect(client.ms()).toBeLessThan(500); // measured ~10 ms of client CPU in total; was ~1 s
  });

  it('audit #4: a client Certificate of 700 extraneous certificates → bad_certificate from an mTLS server, within milliseconds', () => {
    // Cold: each verifier below is new, with its own empty certificate cache.
    const server = timedReceive(
      createServerConnection({
        certificateChain: [pki.server.certDer, pki.intermediate.certDer],
        signingKey: signingKeyFromMaterial(pki.server.key),
        clientAuth: { mode: 'required', verifier: new WebPkiClientVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }) },
      }),
    );
    const client = createClientConnection({
      serverName: 'localhost',
      verifier: new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }),
      clientCertificates: [{ chain: [pki.client.certDer, ...extra, pki.intermediate.certDer], key: signingKeyFromMaterial(pki.client.key) }],
    });
    const o = runPair({ clientConn: client, serverConn: server.conn });
    expectAlert(o.serverError, o.clientError, 'certificate-count');
    expect(server.ms()).toBeLessThan(500); // measured ~10 ms of server CPU in total; was ~1 s
  });

  it('x509 group 1: a server chain under 1,024 + 1,024 name constraints with 2,048 SANs → bad_certificate, within milliseconds', async () => {
    const names = (n: number, f: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => f(i));
    const ca = await mintCertificate({
      subject: 'Constrained CA',
      issuer: pki.root,
      isCA: true,
      nameConstraints: { permitted: [...names(1023, (i) => `DNS:c${i}.test`), 'DNS:localhost'], excluded: names(1024, (i) => `DNS:x${i}.localhost`) },
    });
    const leafKey = await generateKey('p256');
    const leaf = await mintCertificate({ subject: 'localhost', key: leafKey, issuer: ca, sans: ['localhost', ...names(2047, (i) => `n${i}.localhost`)], eku: ['serverAuth'] });
    // Cold: each verifier below is new, with its own empty certificate cache.
    const client = timedReceive(
      createClientConnection({ serverName: 'localhost', verifier: new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }) }),
    );
    const server = createServerConnection({ certificateChain: [leaf.certDer, ca.certDer], signingKey: signingKeyFromMaterial(leafKey) });
    const o = runPair({ clientConn: client.conn, serverConn: server });
    expectAlert(o.clientError, o.serverError, 'name-constraints');
    expect(client.ms()).toBeLessThan(500); // measured ~15 ms of client CPU in total; was ~0.8 s (accepted)
  });
});

// The path-validation catalogue: each case → the alert and the check name (or acceptance).
// The base PKI is written by `tls13 cert` (tools/cli/cert.ts) at test time and read back from its
// PEM files; variants are minted with src/testing/mint.ts. Nothing comes from fixtures.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nobleProvider } from '../../../src/crypto/noble/index.js';
import type { PrivateKeyMaterial, SignatureVerifier } from '../../../src/crypto/provider.js';
import { CertificateError, alertName } from '../../../src/errors.js';
import { SignatureScheme as S } from '../../../src/wire/codepoints.js';
import { parseCertificate } from '../../../src/x509/certificate.js';
import { WebPkiClientVerifier } from '../../../src/x509/client-verify.js';
import { spkiSha256 } from '../../../src/x509/identity.js';
import { parsePrivateKeyPem } from '../../../src/x509/keys.js';
import { type MintCertificateOptions, type MintedCertificate, mintCertificate, mintCrl, mintOcspResponse } from '../../../src/testing/mint.js';
import { pemDecode } from '../../../src/x509/pem.js';
import { requireSpiffeId, withPolicy } from '../../../src/x509/policy.js';
import { type CertificateVerifierInput, type VerifiedChain, type WebPkiVerifierOptions, WebPkiServerVerifier } from '../../../src/x509/verify.js';
import { parseCertArgs, writeTestPki } from '../../../tools/cli/cert.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const now = new Date();

/** A certificate and key read back from `tls13 cert`'s files, shaped like a minted one. */
interface Loaded {
  certDer: Uint8Array;
  key: PrivateKeyMaterial;
}
let dir: string;
let root: Loaded;
let inter: Loaded;
let server: Loaded;
let client: Loaded;
let otherRoot: MintedCertificate;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tls13-catalogue-'));
  const cmd = parseCertArgs(['--out', dir, '--san', 'server.test', '--san', '192.0.2.10', '--san', '*.wild.test', '--client-san', 'spiffe://example.org/ns/prod/sa/api'])!;
  const { files } = await writeTestPki(cmd);
  const load = (cert: string, key: string): Loaded => ({ certDer: pemDecode(readFileSync(cert, 'utf8'), 'CERTIFICATE')[0]!, key: parsePrivateKeyPem(readFileSync(key, 'utf8')) });
  root = load(files.ca, files.caKey);
  inter = load(files.intermediate, files.intermediateKey);
  server = load(files.server, files.serverKey);
  client = load(files.client, files.clientKey);
  otherRoot = await mintCertificate({ subject: 'Other Root', isCA: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A leaf under `issuer` (default: the intermediate) for server.test, serverAuth. */
const leaf = (o: Partial<MintCertificateOptions> = {}): Promise<MintedCertificate> =>
  mintCertificate({ subject: 'server.test', issuer: inter, sans: ['server.test'], eku: ['serverAuth'], ...o });
const subCa = (o: Partial<MintCertificateOptions> = {}): Promise<MintedCertificate> => mintCertificate({ subject: 'Sub CA', issuer: inter, isCA: true, ...o });
/** An intermediate under the root with nameConstraints (critical). */
const constrainedCa = (nameConstraints: MintCertificateOptions['nameConstraints']): Promise<MintedCertificate> =>
  mintCertificate({ subject: 'Constrained CA', issuer: root, isCA: true, pathLen: 0, nameConstraints });

type Side = 'server' | 'client';
interface Run {
  /** Which verifier: the client's (server certificates) or the server's (client certificates). */
  side?: Side;
  chain: Uint8Array[];
  serverName?: string;
  opts?: Partial<WebPkiVerifierOptions>;
  input?: Partial<CertificateVerifierInput>;
  /** Wrap the verifier (policy hooks). */
  wrap?: (v: WebPkiServerVerifier | WebPkiClientVerifier) => { verify(i: CertificateVerifierInput): VerifiedChain | Promise<VerifiedChain> };
}
type Expect = 'ok' | [alert: string, check: string];
interface Case {
  name: string;
  expect: Expect;
  run: () => Promise<Run> | Run;
}

const chain = (...c: { certDer: Uint8Array }[]): Uint8Array[] => c.map((x) => x.certDer);
const tamper = (der: Uint8Array): Uint8Array => {
  const d = der.slice();
  d[d.length - 5]! ^= 0x01; // inside the signature value
  return d;
};

const CASES: Case[] = [
  // ---- accepted
  { name: 'ordered chain (leaf, intermediate)', expect: 'ok', run: () => ({ chain: chain(server, inter), serverName: 'server.test' }) },
  { name: 'shuffled chain with the root and an unrelated CA', expect: 'ok', run: () => ({ chain: [server.certDer, root.certDer, otherRoot.certDer, inter.certDer], serverName: 'server.test' }) },
  { name: 'intermediate from configuration, not sent', expect: 'ok', run: () => ({ chain: chain(server), serverName: 'server.test', opts: { intermediates: [inter.certDer] } }) },
  { name: 'IP SAN matches an IP literal', expect: 'ok', run: () => ({ chain: chain(server, inter), serverName: '192.0.2.10' }) },
  { name: 'wildcard *.wild.test matches a.wild.test', expect: 'ok', run: () => ({ chain: chain(server, inter), serverName: 'a.wild.test' }) },
  { name: 'client certificate with a SPIFFE ID (clientAuth)', expect: 'ok', run: () => ({ side: 'client', chain: chain(client, inter) }) },
  { name: 'pinned leaf key with a CA (and-ca)', expect: 'ok', run: () => ({ chain: chain(server, inter), opts: { pins: [spkiSha256(parseCertificate(server.certDer))] } }) },
  {
    name: 'pinned self-signed key instead of a CA',
    expect: 'ok',
    run: async () => {
      const self = await mintCertificate({ subject: 'self', sans: ['server.test'] });
      return { chain: chain(self), serverName: 'server.test', opts: { trustAnchors: [], pins: [spkiSha256(self.cert)], pinMode: 'instead-of-ca' } };
    },
  },
  {
    name: 'OCSP staple "good"',
    expect: 'ok',
    run: async () => ({ chain: chain(server, inter), input: { ocspResponse: await mintOcspResponse({ cert: server.certDer, issuer: inter }) }, opts: { requireOcsp: true } }),
  },
  {
    name: 'CRL that does not list the leaf',
    expect: 'ok',
    run: async () => ({ chain: chain(server, inter), opts: { crls: [(await mintCrl({ issuer: inter, revoked: [{ serial: 99n }] })).der] } }),
  },
  {
    name: 'name constraints: leaf inside the permitted subtree',
    expect: 'ok',
    run: async () => {
      const ca = await constrainedCa({ permitted: ['DNS:server.test'] });
      return { chain: chain(await leaf({ issuer: ca }), ca), serverName: 'server.test' };
    },
  },

  // ---- names
  { name: 'wrong host', expect: ['bad_certificate', 'hostname'], run: () => ({ chain: chain(server, inter), serverName: 'other.test' }) },
  { name: 'wildcard misuse: two labels under *.wild.test', expect: ['bad_certificate', 'hostname'], run: () => ({ chain: chain(server, inter), serverName: 'a.b.wild.test' }) },
  { name: 'wildcard misuse: the bare parent wild.test', expect: ['bad_certificate', 'hostname'], run: () => ({ chain: chain(server, inter), serverName: 'wild.test' }) },
  { name: 'IP literal not among the IP SANs', expect: ['bad_certificate', 'hostname'], run: () => ({ chain: chain(server, inter), serverName: '192.0.2.11' }) },
  {
    name: 'CN only, no SAN (the CN is never matched)',
    expect: ['bad_certificate', 'hostname'],
    run: async () => ({ chain: chain(await leaf({ subject: 'cn.test', sans: [] }), inter), serverName: 'cn.test' }),
  },

  // ---- time
  {
    name: 'expired leaf',
    expect: ['certificate_expired', 'validity'],
    run: async () => ({ chain: chain(await leaf({ notBefore: new Date(now.getTime() - 10 * DAY), notAfter: new Date(now.getTime() - DAY) }), inter) }),
  },
  {
    name: 'leaf not yet valid',
    expect: ['certificate_expired', 'validity'],
    run: async () => ({ chain: chain(await leaf({ notBefore: new Date(now.getTime() + DAY), notAfter: new Date(now.getTime() + 10 * DAY) }), inter) }),
  },
  {
    name: 'expired intermediate',
    expect: ['certificate_expired', 'validity'],
    run: async () => {
      const ca = await subCa({ notBefore: new Date(now.getTime() - 10 * DAY), notAfter: new Date(now.getTime() - DAY), issuer: { certDer: root.certDer, key: root.key } });
      return { chain: chain(await leaf({ issuer: ca }), ca) };
    },
  },

  // ---- path
  { name: 'missing intermediate', expect: ['unknown_ca', 'issuer'], run: () => ({ chain: chain(server) }) },
  { name: 'chain to an untrusted root', expect: ['unknown_ca', 'issuer'], run: () => ({ chain: chain(server, inter), opts: { trustAnchors: [otherRoot.certDer] } }) },
  {
    name: 'issuer with CA:false',
    expect: ['bad_certificate', 'basic-constraints'],
    run: async () => {
      const notCa = await mintCertificate({ subject: 'Not a CA', issuer: inter, keyUsage: ['digitalSignature', 'keyCertSign'] });
      return { chain: chain(await leaf({ issuer: notCa }), notCa, inter) };
    },
  },
  {
    name: 'issuer without keyCertSign',
    expect: ['bad_certificate', 'key-usage'],
    run: async () => {
      const ca = await mintCertificate({ subject: 'No keyCertSign', issuer: { certDer: root.certDer, key: root.key }, isCA: true, keyUsage: ['cRLSign'] });
      return { chain: chain(await leaf({ issuer: ca }), ca) };
    },
  },
  {
    name: 'path length exceeded (intermediate pathLen 0 → sub-CA)',
    expect: ['bad_certificate', 'path-length'],
    run: async () => {
      const ca = await subCa();
      return { chain: chain(await leaf({ issuer: ca }), ca, inter) };
    },
  },
  { name: 'chain longer than maxChainLength', expect: ['unknown_ca', 'chain-length'], run: () => ({ chain: chain(server, inter), opts: { maxChainLength: 2 } }) },

  // ---- purpose
  { name: 'wrong EKU: a clientAuth certificate as a server', expect: ['unsupported_certificate', 'eku'], run: () => ({ chain: chain(client, inter) }) },
  { name: 'wrong EKU: a serverAuth certificate as a client', expect: ['unsupported_certificate', 'eku'], run: () => ({ side: 'client', chain: chain(server, inter) }) },
  {
    name: 'leaf keyUsage without digitalSignature',
    expect: ['unsupported_certificate', 'key-usage'],
    run: async () => ({ chain: chain(await leaf({ keyUsage: ['keyEncipherment'] }), inter) }),
  },
  {
    name: 'unknown critical extension',
    expect: ['unsupported_certificate', 'critical-extension'],
    run: async () => ({ chain: chain(await leaf({ extraExtensions: [{ oid: '1.3.6.1.4.1.55555.1', critical: true, value: Uint8Array.of(5, 0) }] }), inter) }),
  },

  // ---- signatures
  { name: 'bad signature (leaf signature altered)', expect: ['bad_certificate', 'signature'], run: () => ({ chain: [tamper(server.certDer), inter.certDer] }) },
  {
    name: 'unsupported algorithm (provider without ECDSA)',
    expect: ['unsupported_certificate', 'signature-algorithm'],
    run: () => {
      const edOnly: SignatureVerifier = { schemes: [S.ed25519], verify: (...a) => nobleProvider.verifier.verify(...a) };
      return { chain: chain(server, inter), opts: { verifier: edOnly } };
    },
  },
  {
    name: 'signature scheme not in signature_algorithms_cert',
    expect: ['unsupported_certificate', 'signature-algorithms-cert'],
    run: () => ({ chain: chain(server, inter), input: { signatureAlgorithmsCert: [S.ed25519, S.rsa_pss_rsae_sha256] } }),
  },

  // ---- revocation
  {
    name: 'revoked by CRL',
    expect: ['certificate_revoked', 'crl'],
    run: async () => ({ chain: chain(server, inter), opts: { crls: [(await mintCrl({ issuer: inter, revoked: [{ serial: parseCertificate(server.certDer).serial }] })).der] } }),
  },
  {
    name: 'intermediate revoked by the root CRL',
    expect: ['certificate_revoked', 'crl'],
    run: async () => ({ chain: chain(server, inter), opts: { crls: [(await mintCrl({ issuer: root, revoked: [{ serial: parseCertificate(inter.certDer).serial }] })).der] } }),
  },
  {
    name: 'stale CRL',
    expect: ['bad_certificate', 'crl-validity'],
    run: async () => ({ chain: chain(server, inter), opts: { crls: [(await mintCrl({ issuer: inter, thisUpdate: new Date(now.getTime() - 9 * DAY), nextUpdate: new Date(now.getTime() - 2 * DAY) })).der] } }),
  },
  {
    name: 'revoked by OCSP',
    expect: ['certificate_revoked', 'ocsp'],
    run: async () => ({ chain: chain(server, inter), input: { ocspResponse: await mintOcspResponse({ cert: server.certDer, issuer: inter, status: 'revoked' }) } }),
  },
  {
    name: 'OCSP status unknown',
    expect: ['bad_certificate_status_response', 'ocsp'],
    run: async () => ({ chain: chain(server, inter), input: { ocspResponse: await mintOcspResponse({ cert: server.certDer, issuer: inter, status: 'unknown' }) } }),
  },
  { name: 'OCSP required but missing', expect: ['bad_certificate_status_response', 'ocsp-required'], run: () => ({ chain: chain(server, inter), opts: { requireOcsp: true } }) },
  {
    name: 'stale OCSP response',
    expect: ['bad_certificate_status_response', 'ocsp-validity'],
    run: async () => ({
      chain: chain(server, inter),
      input: { ocspResponse: await mintOcspResponse({ cert: server.certDer, issuer: inter, thisUpdate: new Date(now.getTime() - 9 * DAY), nextUpdate: new Date(now.getTime() - DAY) }) },
    }),
  },
  {
    name: 'OCSP response from an unauthorised responder',
    expect: ['bad_certificate_status_response', 'ocsp-responder'],
    run: async () => {
      const rogue = await mintCertificate({ subject: 'rogue responder', issuer: inter, eku: ['serverAuth'] });
      return { chain: chain(server, inter), input: { ocspResponse: await mintOcspResponse({ cert: server.certDer, issuer: inter, responder: rogue }) } };
    },
  },
  {
    name: 'OCSP response about another certificate',
    expect: ['bad_certificate_status_response', 'ocsp-certid'],
    run: async () => ({ chain: chain(server, inter), input: { ocspResponse: await mintOcspResponse({ cert: client.certDer, issuer: inter }) } }),
  },

  // ---- identity and policy
  { name: 'pin mismatch', expect: ['bad_certificate', 'pin'], run: () => ({ chain: chain(server, inter), opts: { pins: [spkiSha256(otherRoot.cert)] } }) },
  {
    name: 'name constraints: leaf outside the permitted subtree',
    expect: ['bad_certificate', 'name-constraints'],
    run: async () => {
      const ca = await constrainedCa({ permitted: ['DNS:example.com'] });
      return { chain: chain(await leaf({ issuer: ca }), ca) };
    },
  },
  {
    name: 'name constraints: leaf in an excluded subtree',
    expect: ['bad_certificate', 'name-constraints'],
    run: async () => {
      const ca = await constrainedCa({ excluded: ['DNS:server.test', 'IP:192.0.2.0/24'] });
      return { chain: chain(await leaf({ issuer: ca }), ca) };
    },
  },
  {
    name: 'name constraints: SPIFFE trust domain not permitted (client)',
    expect: ['bad_certificate', 'name-constraints'],
    run: async () => {
      const ca = await constrainedCa({ permitted: ['URI:other.org'] });
      const c = await mintCertificate({ subject: 'svc', issuer: ca, sans: ['spiffe://example.org/svc'], eku: ['clientAuth'] });
      return { side: 'client', chain: chain(c, ca) };
    },
  },
  {
    name: 'policy hook refuses the SPIFFE ID',
    expect: ['access_denied', 'policy'],
    run: () => ({ side: 'client', chain: chain(client, inter), wrap: (v) => withPolicy(v, requireSpiffeId('spiffe://example.org/ns/dev')) }),
  },

  // ---- malformed input
  { name: 'empty chain', expect: ['decode_error', 'chain'], run: () => ({ chain: [] }) },
  { name: 'garbage instead of a certificate', expect: ['bad_certificate', 'parse'], run: () => ({ chain: [Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00)] }) },
];

async function outcome(c: Case): Promise<{ result: Expect; message: string }> {
  const r = await c.run();
  const opts: WebPkiVerifierOptions = { trustAnchors: [root.certDer], verifier: nobleProvider.verifier, ...r.opts };
  const base = r.side === 'client' ? new WebPkiClientVerifier(opts) : new WebPkiServerVerifier(opts);
  const v = r.wrap ? r.wrap(base) : base;
  try {
    await v.verify({ chain: r.chain, now, ...(r.serverName !== undefined ? { serverName: r.serverName } : {}), ...r.input });
    return { result: 'ok', message: '' };
  } catch (e) {
    if (!(e instanceof CertificateError)) throw e;
    return { result: [alertName(e.alert), e.check], message: e.message };
  }
}

describe('path-validation catalogue', () => {
  it('has at least 25 cases, each name once', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  for (const c of CASES) {
    const label = c.expect === 'ok' ? 'accepted' : `${c.expect[0]} / ${c.expect[1]}`;
    it(`${c.name} → ${label}`, async () => {
      const { result, message } = await outcome(c);
      expect(result, message).toEqual(c.expect);
    });
  }
});

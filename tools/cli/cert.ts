// `tls13 cert`: mints a test PKI (root CA → intermediate CA → server and client leaves) with
// pkijs and writes PEM files. Its own flags (parsed here): --san and --client-san repeat.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { toHex } from '../../src/util/bytes.js';
import { parseIpAddress } from '../../src/x509/hostname.js';
import { peerIdentity } from '../../src/x509/identity.js';
import { type EkuName, type KeyType, type MintedCertificate, type TestPki, chainPem, mintCrl, mintOcspResponse, mintTestPki } from '../../src/testing/mint.js';
import { UsageError } from './args.js';

export const CERT_USAGE = `Usage:
  tls13 cert --out DIR [--key-type p256|p384|ed25519|rsa2048] [--ca-key-type TYPE]
             [--san NAME]... [--client-san NAME]... [--days N] [--not-before ISO-DATE]
             [--server-eku LIST] [--client-eku LIST] [--cn NAME] [--client-cn NAME]
             [--org NAME] [--ocsp] [--crl] [--force]

  Mints a test PKI: a root CA, an intermediate CA (pathLen 0), a server leaf and a client
  leaf, and writes PEM files to DIR:
    ca.pem, ca.key.pem                      root CA (the trust anchor: --ca, --client-ca)
    intermediate.pem, intermediate.key.pem  intermediate CA
    server.pem, server.key.pem, server-chain.pem (leaf + intermediate: server --cert)
    client.pem, client.key.pem, client-chain.pem (leaf + intermediate: client --cert)
    server.ocsp.der   with --ocsp: a "good" OCSP response for the server leaf (server --ocsp)
    crl.pem           with --crl: empty CRLs of both CAs (--crl)
  Keys are PKCS#8, written with mode 0600. Prints the leaves' SPKI SHA-256 pins (--pin).

  --key-type TYPE   leaf keys: p256 (default), p384, ed25519, rsa2048 (also p521, rsa3072,
                    rsa4096); --ca-key-type for the CAs (default: the same).
  --san NAME        a server SAN, repeatable: DNS name, IP literal or URI; "DNS:", "IP:",
                    "URI:" force the type. Default: localhost, 127.0.0.1, ::1.
  --client-san NAME a client SAN, repeatable. Default: spiffe://tls13-engine.test/client.
  --days N          validity of every certificate (default 30), from --not-before (default:
                    an hour ago).
  --server-eku LIST, --client-eku LIST
                    extended key usages: serverAuth, clientAuth, codeSigning,
                    emailProtection, timeStamping, ocspSigning, any, dotted OIDs, or none.
                    Defaults: serverAuth; clientAuth.
  --cn NAME, --client-cn NAME   the leaves' common names; --org NAME the organization.
  --force           overwrite files in DIR.
`;

export interface CertCommand {
  out: string;
  keyType: KeyType;
  caKeyType: KeyType;
  sans: string[];
  clientSans: string[];
  days: number;
  notBefore: Date;
  serverEku: string[];
  clientEku: string[];
  cn?: string;
  clientCn?: string;
  org?: string;
  ocsp: boolean;
  crl: boolean;
  force: boolean;
}

const KEY_TYPES: readonly KeyType[] = ['p256', 'p384', 'p521', 'ed25519', 'rsa2048', 'rsa3072', 'rsa4096'];
const EKU_NAMES: readonly EkuName[] = ['serverAuth', 'clientAuth', 'codeSigning', 'emailProtection', 'timeStamping', 'ocspSigning', 'any'];
const VALUE_FLAGS = new Set(['out', 'key-type', 'ca-key-type', 'san', 'client-san', 'days', 'not-before', 'server-eku', 'client-eku', 'cn', 'client-cn', 'org']);
const REPEATABLE = new Set(['san', 'client-san']);
const BOOL_FLAGS = new Set(['ocsp', 'crl', 'force', 'help']);

function keyType(text: string, flag: string): KeyType {
  if (!(KEY_TYPES as readonly string[]).includes(text)) throw new UsageError(`--${flag}: expected one of ${KEY_TYPES.join(', ')}, got ${text}`);
  return text as KeyType;
}

function ekuList(text: string, flag: string): string[] {
  if (text === 'none') return [];
  const items = text.split(',').map((s) => s.trim());
  for (const e of items) {
    if (!(EKU_NAMES as readonly string[]).includes(e) && !/^[0-2](\.(0|[1-9][0-9]*))+$/.test(e)) throw new UsageError(`--${flag}: unknown extended key usage ${e}`);
  }
  return items;
}

function san(text: string, flag: string): string {
  const m = /^(DNS|IP|URI|email):(.+)$/.exec(text);
  if (m?.[1] === 'IP' && !parseIpAddress(m[2]!)) throw new UsageError(`--${flag}: not an IP address: ${m[2]!}`);
  if (!m && !parseIpAddress(text) && !/^[a-z][a-z0-9+.-]*:/i.test(text) && !/^(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$/.test(text)) {
    throw new UsageError(`--${flag}: not a DNS name, IP address or URI: ${text}`);
  }
  return text;
}

/** Parses `tls13 cert` arguments (without "cert"). Throws UsageError; undefined means --help. */
export function parseCertArgs(argv: string[]): CertCommand | undefined {
  const values = new Map<string, string[]>();
  const bools = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') return undefined;
    if (!arg.startsWith('--')) throw new UsageError(`cert: unexpected argument ${arg}`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (BOOL_FLAGS.has(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      bools.add(name);
      continue;
    }
    if (!VALUE_FLAGS.has(name)) throw new UsageError(`cert: unknown option --${name}`);
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    const list = values.get(name) ?? [];
    if (list.length > 0 && !REPEATABLE.has(name)) throw new UsageError(`--${name} given twice`);
    values.set(name, [...list, value]);
  }
  if (bools.has('help')) return undefined;
  const one = (n: string): string | undefined => values.get(n)?.[0];
  const out = one('out');
  if (out === undefined) throw new UsageError('cert: --out DIR is required');
  const kt = keyType(one('key-type') ?? 'p256', 'key-type');
  const daysText = one('days') ?? '30';
  if (!/^[0-9]{1,5}$/.test(daysText) || Number(daysText) < 1 || Number(daysText) > 36500) throw new UsageError(`--days: expected 1..36500, got ${daysText}`);
  let notBefore = new Date(Date.now() - 60 * 60 * 1000);
  const nb = one('not-before');
  if (nb !== undefined) {
    notBefore = new Date(nb);
    if (Number.isNaN(notBefore.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(nb)) throw new UsageError(`--not-before: not an ISO date: ${nb}`);
  }
  const cmd: CertCommand = {
    out,
    keyType: kt,
    caKeyType: keyType(one('ca-key-type') ?? kt, 'ca-key-type'),
    sans: (values.get('san') ?? ['localhost', '127.0.0.1', '::1']).map((s) => san(s, 'san')),
    clientSans: (values.get('client-san') ?? ['spiffe://tls13-engine.test/client']).map((s) => san(s, 'client-san')),
    days: Number(daysText),
    notBefore,
    serverEku: ekuList(one('server-eku') ?? 'serverAuth', 'server-eku'),
    clientEku: ekuList(one('client-eku') ?? 'clientAuth', 'client-eku'),
    ocsp: bools.has('ocsp'),
    crl: bools.has('crl'),
    force: bools.has('force'),
  };
  for (const [flag, field] of [['cn', 'cn'], ['client-cn', 'clientCn'], ['org', 'org']] as const) {
    const v = one(flag);
    if (v !== undefined) cmd[field] = v;
  }
  return cmd;
}

/** What `tls13 cert` wrote, by role. */
export interface CertFiles {
  ca: string;
  caKey: string;
  intermediate: string;
  intermediateKey: string;
  server: string;
  serverKey: string;
  serverChain: string;
  client: string;
  clientKey: string;
  clientChain: string;
  ocsp?: string;
  crl?: string;
}

/** Mints the PKI and writes the files; returns their paths and the PKI. */
export async function writeTestPki(cmd: CertCommand): Promise<{ files: CertFiles; pki: TestPki }> {
  const notAfter = new Date(cmd.notBefore.getTime() + cmd.days * 24 * 60 * 60 * 1000);
  const pki = await mintTestPki({
    keyType: cmd.keyType,
    caKeyType: cmd.caKeyType,
    serverNames: cmd.sans,
    clientNames: cmd.clientSans,
    serverEku: cmd.serverEku,
    clientEku: cmd.clientEku,
    notBefore: cmd.notBefore,
    notAfter,
    ...(cmd.cn !== undefined ? { serverCommonName: cmd.cn } : {}),
    ...(cmd.clientCn !== undefined ? { clientCommonName: cmd.clientCn } : {}),
    ...(cmd.org !== undefined ? { organization: cmd.org } : {}),
  });
  mkdirSync(cmd.out, { recursive: true });
  const path = (name: string): string => join(cmd.out, name);
  const files: CertFiles = {
    ca: path('ca.pem'),
    caKey: path('ca.key.pem'),
    intermediate: path('intermediate.pem'),
    intermediateKey: path('intermediate.key.pem'),
    server: path('server.pem'),
    serverKey: path('server.key.pem'),
    serverChain: path('server-chain.pem'),
    client: path('client.pem'),
    clientKey: path('client.key.pem'),
    clientChain: path('client-chain.pem'),
  };
  if (cmd.ocsp) files.ocsp = path('server.ocsp.der');
  if (cmd.crl) files.crl = path('crl.pem');
  if (!cmd.force) {
    const existing = Object.values(files).filter((f) => existsSync(f));
    if (existing.length > 0) throw new UsageError(`cert: ${existing[0]!} exists (use --force to overwrite)`);
  }
  const write = (file: string, data: string | Uint8Array, secret = false): void => writeFileSync(file, data, secret ? { mode: 0o600 } : {});
  const pair = (cert: string, key: string, m: MintedCertificate): void => {
    write(cert, m.certPem);
    write(key, m.keyPem, true);
  };
  pair(files.ca, files.caKey, pki.root);
  pair(files.intermediate, files.intermediateKey, pki.intermediate);
  pair(files.server, files.serverKey, pki.server);
  pair(files.client, files.clientKey, pki.client);
  write(files.serverChain, chainPem(pki.server, pki.intermediate));
  write(files.clientChain, chainPem(pki.client, pki.intermediate));
  // The OCSP response and the CRLs are valid for 7 days from now (or the PKI's validity, if shorter).
  const until = new Date(Math.min(Date.now() + 7 * 24 * 60 * 60 * 1000, notAfter.getTime()));
  const from = new Date(Math.max(Date.now() - 60 * 60 * 1000, cmd.notBefore.getTime()));
  if (files.ocsp) write(files.ocsp, await mintOcspResponse({ cert: pki.server, issuer: pki.intermediate, thisUpdate: from, nextUpdate: until }));
  if (files.crl) {
    const crls = await Promise.all([pki.intermediate, pki.root].map((issuer) => mintCrl({ issuer, thisUpdate: from, nextUpdate: until })));
    write(files.crl, crls.map((c) => c.pem).join(''));
  }
  return { files, pki };
}

/** `tls13 cert …`: exit code 0, or a UsageError for the caller to report. */
export async function runCert(argv: string[], io: { stdout: Writable }): Promise<number> {
  const cmd = parseCertArgs(argv);
  if (!cmd) {
    io.stdout.write(CERT_USAGE);
    return 0;
  }
  const { files, pki } = await writeTestPki(cmd);
  const server = peerIdentity(pki.server.cert);
  const client = peerIdentity(pki.client.cert);
  const lines = [
    `wrote a test PKI to ${cmd.out} (${cmd.keyType} leaves, ${cmd.caKeyType} CAs, valid ${cmd.days} days from ${cmd.notBefore.toISOString()}):`,
    ...Object.entries(files).map(([role, f]) => `  ${role.padEnd(16)}${f}`),
    `server: ${server.subject} [${[...server.dns, ...server.ip, ...server.uri].join(', ')}]`,
    `  pin (SPKI SHA-256): ${toHex(server.spkiSha256)}`,
    `client: ${client.subject}${client.spiffeId ? ` spiffe=${client.spiffeId}` : ''}`,
    `  pin (SPKI SHA-256): ${toHex(client.spkiSha256)}`,
  ];
  io.stdout.write(lines.join('\n') + '\n');
  return 0;
}

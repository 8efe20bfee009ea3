// A test-PKI minter (root → intermediate → server/client) for tests and `tls13 cert`.
// Certificates are assembled with pkijs; the TBSCertificate is signed here: EC and Ed25519
// with @noble/curves, RSA through WebCrypto (globalThis.crypto.subtle, feature-detected).
// Profile: RFC 5280 §4 (extensions as OpenSSL's defaults for CA and leaf certificates).

import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { sha1 } from '@noble/hashes/legacy.js';
import type { PrivateKeyMaterial } from '../crypto/provider.js';
import { AlertDescription, CertificateError } from '../errors.js';
import { encodeDer, integer, pkiDer } from '../x509/asn1.js';
import { EkuOid, ExtensionOid, KeyUsage, type ParsedCertificate, parseCertificate } from '../x509/certificate.js';
import { parseIpAddress } from '../x509/hostname.js';
import { encodeSpki, parsePkcs8PrivateKey, privateKeyToPem, publicKeyFromPrivate } from '../x509/keys.js';
import { base64Encode, pemEncode } from '../x509/pem.js';
import { OcspHashOid } from '../x509/revocation.js';

export type KeyType = 'p256' | 'p384' | 'p521' | 'ed25519' | 'rsa2048' | 'rsa3072' | 'rsa4096';

export type KeyUsageName = keyof typeof KeyUsage;
export type EkuName = Exclude<keyof typeof EkuOid, 'anyExtendedKeyUsage'> | 'any';

export interface NameSpec {
  commonName?: string;
  organization?: string;
  organizationalUnit?: string;
  country?: string;
}

export interface MintedCertificate {
  certDer: Uint8Array;
  certPem: string;
  key: PrivateKeyMaterial;
  /** PKCS#8 "PRIVATE KEY" PEM. */
  keyPem: string;
  cert: ParsedCertificate;
}

export interface ExtraExtension {
  oid: string;
  critical: boolean;
  /** extnValue contents (DER). */
  value: Uint8Array;
}

export interface MintCertificateOptions {
  /** A string is the CN. */
  subject: string | NameSpec;
  /** Signing certificate and key; self-signed when absent. */
  issuer?: { certDer: Uint8Array; key: PrivateKeyMaterial };
  /** Key to certify; otherwise a fresh key of `keyType` (default p256). */
  key?: PrivateKeyMaterial;
  keyType?: KeyType;
  /** basicConstraints cA (critical). Default false. */
  isCA?: boolean;
  pathLen?: number;
  /** Omit basicConstraints entirely. */
  omitBasicConstraints?: boolean;
  /** DNS names, IP literals, URIs ("scheme:…") or e-mail addresses ("a@b"); "DNS:"/"IP:"/"URI:"/"email:" force the type. */
  sans?: string[];
  /** Extended key usages by name or OID; omitted when absent or empty. */
  eku?: (EkuName | string)[];
  /** KeyUsage (critical). Default: keyCertSign+cRLSign for CAs, digitalSignature for leaves. `[]` omits it. */
  keyUsage?: KeyUsageName[];
  notBefore?: Date;
  notAfter?: Date;
  /** Default: 16 random bytes. A Uint8Array is the INTEGER's contents octets as written (e.g. negative). */
  serial?: bigint | Uint8Array;
  /** Sign with RSASSA-PSS (SHA-256, salt 32) instead of PKCS#1 v1.5 when the issuer key is RSA. */
  rsaPss?: boolean;
  /** Extensions appended as given (e.g. an unknown critical one). */
  extraExtensions?: ExtraExtension[];
  /** Skip subjectKeyIdentifier / authorityKeyIdentifier. */
  omitKeyIdentifiers?: boolean;
  /** Certify an RSA key as id-RSASSA-PSS (RFC 4055 §1.2), so it may only sign with RSASSA-PSS. */
  pssKey?: boolean;
  /** nameConstraints (RFC 5280 §4.2.1.10, critical) for a CA: "DNS:", "IP:a.b.c.d/len", "URI:", "email:" entries. */
  nameConstraints?: { permitted?: string[]; excluded?: string[] };
  /** Overrides the criticality of the extensions minted here (e.g. a non-critical basicConstraints). */
  critical?: Partial<Record<MintedExtensionName, boolean>>;
}

/** The extensions mintCertificate writes itself. */
export type MintedExtensionName =
  | 'basicConstraints'
  | 'keyUsage'
  | 'extKeyUsage'
  | 'subjectAltName'
  | 'nameConstraints'
  | 'subjectKeyIdentifier'
  | 'authorityKeyIdentifier';

export interface MintTestPkiOptions {
  keyType?: KeyType;
  /** Key type for root and intermediate; default `keyType`. */
  caKeyType?: KeyType;
  /** The server certificate's SANs (DNS names or IP literals). Default localhost, 127.0.0.1, ::1. */
  serverNames?: string[];
  /** The client certificate's URI SAN. */
  clientUri?: string;
  /** The client certificate's SANs (DNS, IP, URI, e-mail); overrides clientUri. */
  clientNames?: string[];
  /** The leaves' extended key usages (default serverAuth / clientAuth; [] omits the extension). */
  serverEku?: (EkuName | string)[];
  clientEku?: (EkuName | string)[];
  /** The leaves' CNs (default: the first server name, and "client"). */
  serverCommonName?: string;
  clientCommonName?: string;
  notBefore?: Date;
  notAfter?: Date;
  organization?: string;
}

export interface TestPki {
  root: MintedCertificate;
  intermediate: MintedCertificate;
  server: MintedCertificate;
  client: MintedCertificate;
}

// ---------------------------------------------------------------- keys

function subtle(): SubtleCrypto {
  const s = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (!s) throw new Error('mint: RSA needs WebCrypto (globalThis.crypto.subtle)');
  return s;
}

function randomBytes(n: number): Uint8Array {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (!c?.getRandomValues) throw new Error('mint: needs globalThis.crypto.getRandomValues');
  return c.getRandomValues(new Uint8Array(n));
}

const ecCurves = { p256: ['P-256', p256], p384: ['P-384', p384], p521: ['P-521', p521] } as const;

/** A fresh private key of the given type. */
export async function generateKey(type: KeyType): Promise<PrivateKeyMaterial> {
  switch (type) {
    case 'p256':
    case 'p384':
    case 'p521': {
      const [curve, impl] = ecCurves[type];
      const d = impl.utils.randomSecretKey();
      return { kind: 'ec', curve, d, publicPoint: impl.getPublicKey(d, false) };
    }
    case 'ed25519':
      return { kind: 'ed25519', seed: ed25519.utils.randomSecretKey() };
    case 'rsa2048':
    case 'rsa3072':
    case 'rsa4096': {
      const pair = await subtle().generateKey(
        { name: 'RSASSA-PKCS1-v1_5', modulusLength: Number(type.slice(3)), publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
        true,
        ['sign', 'verify'],
      );
      return parsePkcs8PrivateKey(new Uint8Array(await subtle().exportKey('pkcs8', pair.privateKey)));
    }
  }
}

/** RFC 7518 §6.3 JWK integers: unsigned big-endian (no sign octet), base64url. */
function b64url(v: bigint): string {
  const b = integer(v).valueBlock.valueHexView;
  return base64Encode(b[0] === 0 && b.length > 1 ? b.subarray(1) : b).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// ---------------------------------------------------------------- signing

const Oid = {
  sha256WithRSA: '1.2.840.113549.1.1.11',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  sha256: '2.16.840.1.101.3.4.2.1',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  ecdsaSha512: '1.2.840.10045.4.3.4',
  ed25519: '1.3.101.112',
} as const;

/** The AlgorithmIdentifier a key signs certificates with (RFC 5758 §3.2, RFC 8410 §6, RFC 4055 §3.1). */
function signatureAlgorithm(key: PrivateKeyMaterial, rsaPss: boolean): pkijs.AlgorithmIdentifier {
  switch (key.kind) {
    case 'ec':
      return new pkijs.AlgorithmIdentifier({ algorithmId: { 'P-256': Oid.ecdsaSha256, 'P-384': Oid.ecdsaSha384, 'P-521': Oid.ecdsaSha512 }[key.curve] });
    case 'ed25519':
      return new pkijs.AlgorithmIdentifier({ algorithmId: Oid.ed25519 });
    case 'rsa': {
      if (!rsaPss) return new pkijs.AlgorithmIdentifier({ algorithmId: Oid.sha256WithRSA, algorithmParams: new asn1js.Null() });
      const sha256Alg = new pkijs.AlgorithmIdentifier({ algorithmId: Oid.sha256, algorithmParams: new asn1js.Null() });
      const params = new pkijs.RSASSAPSSParams({
        hashAlgorithm: sha256Alg,
        maskGenAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: Oid.mgf1, algorithmParams: sha256Alg.toSchema() }),
        saltLength: 32,
      });
      return new pkijs.AlgorithmIdentifier({ algorithmId: Oid.rsassaPss, algorithmParams: params.toSchema() });
    }
  }
}

async function sign(key: PrivateKeyMaterial, data: Uint8Array, rsaPss: boolean): Promise<Uint8Array> {
  switch (key.kind) {
    case 'ec': {
      // The curve's own hash (SHA-256/384/512) is applied by noble; X9.62 DER signature.
      const impl = { 'P-256': p256, 'P-384': p384, 'P-521': p521 }[key.curve];
      return impl.sign(data, key.d, { format: 'der', lowS: false });
    }
    case 'ed25519':
      return ed25519.sign(data, key.seed);
    case 'rsa': {
      const jwk: JsonWebKey = {
        kty: 'RSA',
        n: b64url(key.n),
        e: b64url(key.e),
        d: b64url(key.d),
        p: b64url(key.p),
        q: b64url(key.q),
        dp: b64url(key.dp),
        dq: b64url(key.dq),
        qi: b64url(key.qi),
        ext: true,
      };
      const name = rsaPss ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5';
      const k = await subtle().importKey('jwk', jwk, { name, hash: 'SHA-256' }, false, ['sign']);
      const sig = await subtle().sign(rsaPss ? { name, saltLength: 32 } : { name }, k, ab(data));
      return new Uint8Array(sig);
    }
  }
}

// ---------------------------------------------------------------- extensions

const ab = (b: Uint8Array): ArrayBuffer => b.slice().buffer;

/** KeyUsage as a DER named-bit BIT STRING: trailing zero bits dropped (X.690 §11.2.2). */
function keyUsageDer(flags: number): Uint8Array {
  let highest = -1;
  for (let bit = 0; bit < 9; bit++) if (flags & (1 << bit)) highest = bit;
  if (highest < 0) throw new RangeError('empty KeyUsage');
  const bytes = new Uint8Array((highest >> 3) + 1);
  for (let bit = 0; bit <= highest; bit++) if (flags & (1 << bit)) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  const unused = bytes.length * 8 - (highest + 1);
  return encodeDer(new asn1js.BitString({ unusedBits: unused, valueHex: bytes }));
}

/** OpenSSL-style "DNS:", "IP:", "URI:", "email:" prefixes force a type; else it is inferred. */
function generalName(s: string): pkijs.GeneralName {
  const forced = /^(DNS|IP|URI|email):(.*)$/.exec(s);
  const [kind, v] = forced ? [forced[1]!, forced[2]!] : [undefined, s];
  const ip = kind === undefined || kind === 'IP' ? parseIpAddress(v) : undefined;
  if (kind === 'IP' && !ip) throw new RangeError(`mint: bad IP SAN ${v}`);
  if (ip) return new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: ab(ip) }) });
  if (kind === 'URI' || (kind === undefined && /^[a-z][a-z0-9+.-]*:/i.test(v))) return new pkijs.GeneralName({ type: 6, value: v });
  if (kind === 'email' || (kind === undefined && v.includes('@'))) return new pkijs.GeneralName({ type: 1, value: v });
  return new pkijs.GeneralName({ type: 2, value: v });
}

/** "DNS:x", "URI:x", "email:x", "IP:addr/prefix" (or "DN:CN=…,O=…" is not supported) → a GeneralSubtree. */
function subtree(s: string): pkijs.GeneralSubtree {
  const ip = /^IP:(.+)\/(\d+)$/.exec(s);
  if (ip) {
    const addr = parseIpAddress(ip[1]!);
    const prefix = Number(ip[2]);
    if (!addr || prefix > addr.length * 8) throw new RangeError(`mint: bad IP constraint ${s}`);
    const mask = new Uint8Array(addr.length);
    for (let i = 0; i < prefix; i++) mask[i >> 3]! |= 0x80 >> (i & 7);
    const both = new Uint8Array(addr.length * 2);
    both.set(addr.map((b, i) => b & mask[i]!));
    both.set(mask, addr.length);
    return new pkijs.GeneralSubtree({ base: new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: ab(both) }) }) });
  }
  const m = /^(DNS|URI|email):(.*)$/.exec(s);
  if (!m) throw new RangeError(`mint: name constraint ${s} needs a DNS:, URI:, email: or IP: prefix`);
  const type = ({ DNS: 2, URI: 6, email: 1 } as const)[m[1] as 'DNS' | 'URI' | 'email'];
  return new pkijs.GeneralSubtree({ base: new pkijs.GeneralName({ type, value: m[2]! }) });
}

function nameConstraintsDer(nc: { permitted?: string[]; excluded?: string[] }): Uint8Array {
  const value: asn1js.Constructed[] = [];
  // GeneralSubtrees under IMPLICIT [0] / [1] (RFC 5280 §4.2.1.10).
  for (const [tag, list] of [[0, nc.permitted], [1, nc.excluded]] as const) {
    if (!list?.length) continue;
    value.push(new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: tag }, value: list.map((x) => subtree(x).toSchema()) }));
  }
  return encodeDer(new asn1js.Sequence({ value }));
}

const ekuOid = (e: string): string => (e === 'any' ? EkuOid.anyExtendedKeyUsage : ((EkuOid as Record<string, string>)[e] ?? e));

function extension(oid: string, critical: boolean, value: Uint8Array): pkijs.Extension {
  return new pkijs.Extension({ extnID: oid, critical, extnValue: ab(value) });
}

/** RFC 7093 §2 method 1: leftmost 160 bits of SHA-256 over the subjectPublicKey bits. */
function keyIdentifier(spki: pkijs.PublicKeyInfo): Uint8Array {
  return sha256(spki.subjectPublicKey.valueBlock.valueHexView).subarray(0, 20);
}

// ---------------------------------------------------------------- certificates

/** Name DER with one attribute per RDN (pkijs would put them all in one multi-valued RDN). */
function nameDer(subject: string | NameSpec): Uint8Array {
  const spec: NameSpec = typeof subject === 'string' ? { commonName: subject } : subject;
  // Conventional order, least specific first: C, O, OU, CN (RFC 5280 §4.1.2.4 DirectoryString).
  const attrs: [string, string | undefined, typeof asn1js.PrintableString | typeof asn1js.Utf8String][] = [
    ['2.5.4.6', spec.country, asn1js.PrintableString],
    ['2.5.4.10', spec.organization, asn1js.Utf8String],
    ['2.5.4.11', spec.organizationalUnit, asn1js.Utf8String],
    ['2.5.4.3', spec.commonName, asn1js.Utf8String],
  ];
  const rdns: asn1js.Set[] = [];
  for (const [type, value, StringType] of attrs) {
    if (value === undefined) continue;
    const atv = new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: type }), new StringType({ value })] });
    rdns.push(new asn1js.Set({ value: [atv] }));
  }
  return encodeDer(new asn1js.Sequence({ value: rdns }));
}

const wholeSeconds = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000);

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds. */
function time(d: Date): pkijs.Time {
  const whole = wholeSeconds(d);
  return new pkijs.Time({ type: whole.getUTCFullYear() < 2050 ? 0 : 1, value: whole });
}

function randomSerial(): bigint {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x40; // positive, 16 bytes, non-zero (RFC 5280 §4.1.2.2)
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

/** Mints one certificate. Async because RSA goes through WebCrypto. */
export async function mintCertificate(opts: MintCertificateOptions): Promise<MintedCertificate> {
  const key = opts.key ?? (await generateKey(opts.keyType ?? 'p256'));
  const issuerKey = opts.issuer?.key ?? key;
  const issuerCert = opts.issuer ? parseCertificate(opts.issuer.certDer) : undefined;
  const rsaPss = opts.rsaPss ?? false;

  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = serialInteger(opts.serial ?? randomSerial());
  cert.signature = signatureAlgorithm(issuerKey, rsaPss);
  cert.signatureAlgorithm = signatureAlgorithm(issuerKey, rsaPss);
  const subjectDer = nameDer(opts.subject);
  cert.subject = pkijs.RelativeDistinguishedNames.fromBER(ab(subjectDer));
  // The issuer Name is copied byte for byte from the issuer's subject (RFC 5280 §4.1.2.4).
  cert.issuer = pkijs.RelativeDistinguishedNames.fromBER(ab(issuerCert ? issuerCert.subject.der : subjectDer));
  const now = Date.now();
  cert.notBefore = time(opts.notBefore ?? new Date(now - 60 * 60 * 1000));
  cert.notAfter = time(opts.notAfter ?? new Date(now + 365 * 24 * 60 * 60 * 1000));
  const pub = publicKeyFromPrivate(key);
  if (opts.pssKey && pub.kind !== 'rsa') throw new RangeError('mint: pssKey needs an RSA key');
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(ab(encodeSpki(opts.pssKey && pub.kind === 'rsa' ? { ...pub, pss: true } : pub)));

  const exts: pkijs.Extension[] = [];
  const isCA = opts.isCA ?? false;
  const critical = (name: MintedExtensionName, usual: boolean): boolean => opts.critical?.[name] ?? usual;
  if (!opts.omitBasicConstraints) {
    const bc = new pkijs.BasicConstraints(opts.pathLen === undefined ? { cA: isCA } : { cA: isCA, pathLenConstraint: opts.pathLen });
    exts.push(extension(ExtensionOid.basicConstraints, critical('basicConstraints', true), pkiDer(bc)));
  }
  const kuNames = opts.keyUsage ?? (isCA ? ['keyCertSign', 'cRLSign'] : ['digitalSignature']);
  if (kuNames.length) {
    const flags = kuNames.reduce((f, n) => f | KeyUsage[n], 0);
    exts.push(extension(ExtensionOid.keyUsage, critical('keyUsage', true), keyUsageDer(flags)));
  }
  if (opts.eku?.length) {
    exts.push(extension(ExtensionOid.extKeyUsage, critical('extKeyUsage', false), pkiDer(new pkijs.ExtKeyUsage({ keyPurposes: opts.eku.map(ekuOid) }))));
  }
  if (opts.sans?.length) {
    // RFC 5280 §4.2.1.6: critical when the subject is empty.
    const emptySubject = subjectDer.length === 2; // SEQUENCE {}
    exts.push(extension(ExtensionOid.subjectAltName, critical('subjectAltName', emptySubject), pkiDer(new pkijs.AltName({ altNames: opts.sans.map(generalName) }))));
  }
  if (opts.nameConstraints) exts.push(extension(ExtensionOid.nameConstraints, critical('nameConstraints', true), nameConstraintsDer(opts.nameConstraints)));
  if (!opts.omitKeyIdentifiers) {
    const ski = keyIdentifier(cert.subjectPublicKeyInfo);
    exts.push(extension(ExtensionOid.subjectKeyIdentifier, critical('subjectKeyIdentifier', false), encodeDer(new asn1js.OctetString({ valueHex: ski }))));
    const aki = issuerCert ? issuerCert.subjectKeyIdentifier : ski;
    const akiValue = aki && new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: aki }) });
    if (akiValue) exts.push(extension(ExtensionOid.authorityKeyIdentifier, critical('authorityKeyIdentifier', false), pkiDer(akiValue)));
  }
  for (const e of opts.extraExtensions ?? []) exts.push(extension(e.oid, e.critical, e.value));
  if (exts.length) cert.extensions = exts;

  // Sign the exact TBS bytes, then emit them unchanged (toSchema(false) reuses tbsView).
  const tbs = new Uint8Array(cert.encodeTBS().toBER(false));
  const signature = await sign(issuerKey, tbs, rsaPss);
  cert.tbsView = tbs;
  cert.signatureValue = new asn1js.BitString({ valueHex: ab(signature) });
  const certDer = new Uint8Array(cert.toSchema(false).toBER(false));
  // What was minted must parse; a key the parser refuses as unusable (unsupported_certificate:
  // e.g. a hostile RSA exponent, for tests) is reported when `cert` is read instead.
  let parsed: ParsedCertificate | undefined;
  try {
    parsed = parseCertificate(certDer);
  } catch (e) {
    if (!(e instanceof CertificateError && e.alert === AlertDescription.unsupported_certificate)) throw e;
  }
  return {
    certDer,
    certPem: pemEncode(certDer, 'CERTIFICATE'),
    key,
    keyPem: privateKeyToPem(key),
    get cert(): ParsedCertificate {
      return parsed ?? parseCertificate(certDer);
    },
  };
}

/** Root CA → intermediate CA (pathLen 0) → server (serverAuth) and client (clientAuth) leaves. */
export async function mintTestPki(opts: MintTestPkiOptions = {}): Promise<TestPki> {
  const keyType = opts.keyType ?? 'p256';
  const caKeyType = opts.caKeyType ?? keyType;
  const org = opts.organization ?? 'tls13-engine test PKI';
  const serverNames = opts.serverNames ?? ['localhost', '127.0.0.1', '::1'];
  const validity = { notBefore: opts.notBefore, notAfter: opts.notAfter };
  const pick = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

  const root = await mintCertificate({
    subject: { organization: org, commonName: 'Test Root CA' },
    keyType: caKeyType,
    isCA: true,
    ...pick(validity),
  });
  const intermediate = await mintCertificate({
    subject: { organization: org, commonName: 'Test Intermediate CA' },
    issuer: root,
    keyType: caKeyType,
    isCA: true,
    pathLen: 0,
    ...pick(validity),
  });
  const server = await mintCertificate({
    subject: { organization: org, commonName: opts.serverCommonName ?? serverNames[0] ?? 'server' },
    issuer: intermediate,
    keyType,
    sans: serverNames,
    eku: opts.serverEku ?? ['serverAuth'],
    // keyEncipherment keeps TLS 1.2 RSA servers (e.g. OpenSSL fallbacks) happy.
    keyUsage: keyType.startsWith('rsa') ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'],
    ...pick(validity),
  });
  const client = await mintCertificate({
    subject: { organization: org, commonName: opts.clientCommonName ?? 'client' },
    issuer: intermediate,
    keyType,
    sans: opts.clientNames ?? [opts.clientUri ?? 'spiffe://tls13-engine.test/client'],
    eku: opts.clientEku ?? ['clientAuth'],
    ...pick(validity),
  });
  return { root, intermediate, server, client };
}

/** Concatenated PEM certificates (e.g. a server's chain file: leaf then intermediates). */
export function chainPem(...certs: MintedCertificate[]): string {
  return certs.map((c) => c.certPem).join('');
}

// ---------------------------------------------------------------- CRLs and OCSP responses

type Signer = { certDer: Uint8Array; key: PrivateKeyMaterial };

function serialInteger(s: bigint | Uint8Array | MintedCertificate): asn1js.Integer {
  if (typeof s === 'bigint') return integer(s);
  // The INTEGER's contents octets as they are in the certificate.
  return new asn1js.Integer({ valueHex: ab(s instanceof Uint8Array ? s : s.cert.serial) });
}

export interface MintCrlOptions {
  /** The CA whose CRL this is (signs it; its subject is the CRL issuer). */
  issuer: Signer;
  /** Revoked certificates: a serial number (bigint or the INTEGER's contents) or the certificate. */
  revoked?: { serial: bigint | Uint8Array | MintedCertificate; date?: Date; reason?: number }[];
  /** Default: an hour ago. */
  thisUpdate?: Date;
  /** Default: 7 days after thisUpdate; null omits it. */
  nextUpdate?: Date | null;
  /** cRLNumber (RFC 5280 §5.2.3). Default 1; null omits it. */
  crlNumber?: bigint | null;
  /** Mark cRLNumber critical (RFC 5280 §5.2.3 says it MUST NOT be). */
  crlNumberCritical?: boolean;
  rsaPss?: boolean;
  /** crlExtensions appended as given (e.g. an unknown critical one). */
  extraExtensions?: ExtraExtension[];
}

export interface MintedCrl {
  der: Uint8Array;
  pem: string;
}

/** Mints a v2 CRL (RFC 5280 §5) signed by `issuer`. */
export async function mintCrl(opts: MintCrlOptions): Promise<MintedCrl> {
  const issuerCert = parseCertificate(opts.issuer.certDer);
  const rsaPss = opts.rsaPss ?? false;
  const thisUpdate = wholeSeconds(opts.thisUpdate ?? new Date(Date.now() - 60 * 60 * 1000));
  const nextUpdate = opts.nextUpdate === null ? undefined : (opts.nextUpdate ?? new Date(thisUpdate.getTime() + 7 * 24 * 60 * 60 * 1000));
  const crl = new pkijs.CertificateRevocationList();
  crl.version = 1; // v2
  crl.signature = signatureAlgorithm(opts.issuer.key, rsaPss);
  crl.signatureAlgorithm = signatureAlgorithm(opts.issuer.key, rsaPss);
  crl.issuer = pkijs.RelativeDistinguishedNames.fromBER(ab(issuerCert.subject.der));
  crl.thisUpdate = time(thisUpdate);
  if (nextUpdate) crl.nextUpdate = time(nextUpdate);
  if (opts.revoked?.length) {
    crl.revokedCertificates = opts.revoked.map(
      (r) =>
        new pkijs.RevokedCertificate({
          userCertificate: serialInteger(r.serial),
          revocationDate: time(r.date ?? thisUpdate),
          ...(r.reason === undefined
            ? {}
            : { crlEntryExtensions: new pkijs.Extensions({ extensions: [extension('2.5.29.21', false, encodeDer(new asn1js.Enumerated({ value: r.reason })))] }) }),
        }),
    );
  }
  const exts: pkijs.Extension[] = [];
  if (issuerCert.subjectKeyIdentifier) {
    const aki = new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: ab(issuerCert.subjectKeyIdentifier) }) });
    exts.push(extension(ExtensionOid.authorityKeyIdentifier, false, pkiDer(aki)));
  }
  if (opts.crlNumber !== null) exts.push(extension('2.5.29.20', opts.crlNumberCritical ?? false, encodeDer(integer(opts.crlNumber ?? 1n))));
  for (const e of opts.extraExtensions ?? []) exts.push(extension(e.oid, e.critical, e.value));
  if (exts.length) crl.crlExtensions = new pkijs.Extensions({ extensions: exts });

  // toSchema(true) encodes the TBSCertList; sign those bytes, then emit them unchanged.
  const full = crl.toSchema(true) as asn1js.Sequence;
  const tbsNode = full.valueBlock.value[0];
  if (!tbsNode) throw new Error('mint: no TBSCertList');
  const tbs = encodeDer(tbsNode);
  const signature = await sign(opts.issuer.key, tbs, rsaPss);
  crl.tbsView = tbs;
  crl.signatureValue = new asn1js.BitString({ valueHex: ab(signature) });
  const der = encodeDer(crl.toSchema(false) as asn1js.Sequence);
  return { der, pem: pemEncode(der, 'X509 CRL') };
}

export interface MintOcspOptions {
  /** The certificate the response is about. */
  cert: Uint8Array | MintedCertificate;
  /** Its issuer (CertID hashes; signs the response unless `responder` is given). */
  issuer: Signer;
  /** A delegated responder certified by `issuer` with ocspSigning (RFC 6960 §4.2.2.2). */
  responder?: Signer;
  /** Default 'good'. */
  status?: 'good' | 'revoked' | 'unknown';
  revocationTime?: Date;
  revocationReason?: number;
  /** Default: an hour ago. */
  thisUpdate?: Date;
  /** Default: 7 days after thisUpdate; null omits it. */
  nextUpdate?: Date | null;
  /** Default: thisUpdate. */
  producedAt?: Date;
  /** CertID hash (RFC 6960 §4.1.1). Default SHA-1, as OpenSSL. */
  certIdHash?: 'SHA-1' | 'SHA-256';
  /** ResponderID byKey instead of byName. */
  responderIdByKey?: boolean;
  /** Put the signer's certificate in `certs` (default: only for a delegated responder). */
  includeSignerCert?: boolean;
  /** A non-successful OCSPResponseStatus (RFC 6960 §4.2.1): no response bytes. */
  responseStatus?: number;
  rsaPss?: boolean;
}

/** Mints a DER OCSPResponse (RFC 6960 §4.2.1) with one SingleResponse, e.g. for stapling. */
export async function mintOcspResponse(opts: MintOcspOptions): Promise<Uint8Array> {
  if (opts.responseStatus !== undefined && opts.responseStatus !== 0) {
    return pkiDer(new pkijs.OCSPResponse({ responseStatus: new asn1js.Enumerated({ value: opts.responseStatus }) }));
  }
  const cert = parseCertificate(opts.cert instanceof Uint8Array ? opts.cert : opts.cert.certDer);
  const issuer = parseCertificate(opts.issuer.certDer);
  const signer = opts.responder ?? opts.issuer;
  const signerCert = parseCertificate(signer.certDer);
  const rsaPss = opts.rsaPss ?? false;
  const hashName = opts.certIdHash ?? 'SHA-1';
  const hash = hashName === 'SHA-1' ? sha1 : sha256;
  const keyBits = (c: ParsedCertificate): Uint8Array => pkijs.PublicKeyInfo.fromBER(ab(c.spki)).subjectPublicKey.valueBlock.valueHexView;

  const certID = new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OcspHashOid[hashName], algorithmParams: new asn1js.Null() }),
    issuerNameHash: new asn1js.OctetString({ valueHex: ab(hash(cert.issuer.der)) }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: ab(hash(keyBits(issuer))) }),
    serialNumber: serialInteger(cert.serial),
  });
  const thisUpdate = wholeSeconds(opts.thisUpdate ?? new Date(Date.now() - 60 * 60 * 1000));
  const nextUpdate = opts.nextUpdate === null ? undefined : wholeSeconds(opts.nextUpdate ?? new Date(thisUpdate.getTime() + 7 * 24 * 60 * 60 * 1000));
  const status = opts.status ?? 'good';
  // CertStatus: good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo, unknown [2] IMPLICIT NULL.
  const certStatus =
    status === 'revoked'
      ? new asn1js.Constructed({
          idBlock: { tagClass: 3, tagNumber: 1 },
          value: [
            new asn1js.GeneralizedTime({ valueDate: wholeSeconds(opts.revocationTime ?? thisUpdate) }),
            ...(opts.revocationReason === undefined
              ? []
              : [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.Enumerated({ value: opts.revocationReason })] })]),
          ],
        })
      : new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: status === 'good' ? 0 : 2 } });
  const single = new pkijs.SingleResponse({ certID, certStatus, thisUpdate, ...(nextUpdate ? { nextUpdate } : {}) });
  const responderID = opts.responderIdByKey
    ? new asn1js.OctetString({ valueHex: ab(sha1(keyBits(signerCert))) })
    : pkijs.RelativeDistinguishedNames.fromBER(ab(signerCert.subject.der));
  const data = new pkijs.ResponseData({ responderID, producedAt: wholeSeconds(opts.producedAt ?? thisUpdate), responses: [single] });
  const tbs = encodeDer(data.toSchema(true));
  data.tbsView = tbs;
  const signature = await sign(signer.key, tbs, rsaPss);
  const includeCert = opts.includeSignerCert ?? opts.responder !== undefined;
  const basic = new pkijs.BasicOCSPResponse({
    tbsResponseData: data,
    signatureAlgorithm: signatureAlgorithm(signer.key, rsaPss),
    signature: new asn1js.BitString({ valueHex: ab(signature) }),
    ...(includeCert ? { certs: [pkijs.Certificate.fromBER(ab(signer.certDer))] } : {}),
  });
  const response = new pkijs.ResponseBytes({ responseType: '1.3.6.1.5.5.7.48.1.1', response: new asn1js.OctetString({ valueHex: ab(pkiDer(basic)) }) });
  return pkiDer(new pkijs.OCSPResponse({ responseStatus: new asn1js.Enumerated({ value: 0 }), responseBytes: response }));
}

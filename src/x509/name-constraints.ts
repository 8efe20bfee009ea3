// Name constraints (RFC 5280 §4.2.1.10, processed as in §6.1.3 (b)-(c) and §6.1.4 (g)):
// a CA's permitted and excluded subtrees bind every certificate below it on the path.
// Supported forms: dNSName, iPAddress, uniformResourceIdentifier, rfc822Name, directoryName.
// A constraint of another form fails closed (RFC 5280 §4.2: the extension is critical and we
// cannot process it). Trust anchors' constraints are applied too (as Go and BoringSSL do).

import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AlertDescription, CertificateError } from '../errors.js';
import { DerError, children, decodeDer, elements, explicit, isTagged, taggedTail } from './asn1.js';
import { ExtensionOid, type DistinguishedName, type ParsedCertificate, describeCertificate, parseName } from './certificate.js';
import { parseIpAddress } from './hostname.js';
import { ipToText } from './identity.js';
import type { PathChecker } from './verify.js';

/** One GeneralSubtree base in a form we process. */
export type NameConstraint =
  | { kind: 'dns'; value: string }
  | { kind: 'ip'; address: Uint8Array; mask: Uint8Array }
  | { kind: 'uri'; value: string }
  | { kind: 'email'; value: string }
  | { kind: 'dn'; name: DistinguishedName }
  | { kind: 'other'; type: number };

export interface NameConstraints {
  permitted: NameConstraint[] | undefined;
  excluded: NameConstraint[] | undefined;
}

const EMAIL_ATTRIBUTE = '1.2.840.113549.1.9.1';

const fail = (message: string, alert: keyof typeof AlertDescription = 'bad_certificate'): CertificateError =>
  new CertificateError(AlertDescription[alert], 'name-constraints', message);

// ---------------------------------------------------------------- parsing

/** Parses a nameConstraints extension value (RFC 5280 §4.2.1.10). Throws DerError. */
export function parseNameConstraints(value: Uint8Array): NameConstraints {
  const node = decodeDer(value, 'NameConstraints');
  // permittedSubtrees [0], excludedSubtrees [1], IMPLICIT GeneralSubtrees; at least one present.
  const tagged = taggedTail(children(node, 'NameConstraints'), 0, [0, 1], 'NameConstraints');
  if (tagged.size === 0) throw new DerError('NameConstraints: empty');
  const subtrees = (n: number): NameConstraint[] | undefined => {
    const t = tagged.get(n);
    if (!t) return undefined;
    const list = children(t, 'GeneralSubtrees');
    if (list.length === 0) throw new DerError('GeneralSubtrees: empty');
    return list.map(parseSubtree);
  };
  return { permitted: subtrees(0), excluded: subtrees(1) };
}

function parseSubtree(node: asn1js.BaseBlock): NameConstraint {
  const [base, ...rest] = elements(node, 1, 3, 'GeneralSubtree');
  // RFC 5280 §4.2.1.10: minimum MUST be zero (so DER omits it), maximum MUST be absent.
  if (rest.length > 0) {
    const opt = taggedTail(rest, 0, [0, 1], 'GeneralSubtree');
    if (opt.has(0) || opt.has(1)) throw new DerError('GeneralSubtree: minimum/maximum must be absent');
  }
  if (!base) throw new DerError('GeneralSubtree: missing base');
  const gn = new pkijs.GeneralName({ schema: base });
  const v: unknown = gn.value;
  switch (gn.type) {
    case 1:
      return { kind: 'email', value: ascii(v, 'rfc822Name') };
    case 2:
      return { kind: 'dns', value: ascii(v, 'dNSName') };
    case 6:
      return { kind: 'uri', value: ascii(v, 'uniformResourceIdentifier') };
    case 7: {
      if (!(v instanceof asn1js.OctetString)) throw new DerError('iPAddress: not an OCTET STRING');
      const b = v.valueBlock.valueHexView;
      // Address then mask: 8 octets for IPv4, 32 for IPv6.
      if (b.length !== 8 && b.length !== 32) throw new DerError(`iPAddress constraint of length ${b.length}`);
      const half = b.length / 2;
      return { kind: 'ip', address: b.slice(0, half), mask: b.slice(half) };
    }
    case 4: {
      // directoryName [4] EXPLICIT Name (Name is a CHOICE).
      if (!isTagged(base, 4)) throw new DerError('directoryName: bad tag');
      const nameNode = explicit(base, 'directoryName');
      return { kind: 'dn', name: parseName(new pkijs.RelativeDistinguishedNames({ schema: nameNode }), nameNode) };
    }
    default:
      return { kind: 'other', type: gn.type };
  }
}

function ascii(v: unknown, what: string): string {
  if (typeof v !== 'string' || /[^\x00-\x7f]/.test(v)) throw new DerError(`${what}: not an IA5String`);
  return v;
}

// ---------------------------------------------------------------- matching

const lower = (s: string): string => s.toLowerCase();

/** DNS subtree (RFC 5280 §4.2.1.10): the name, or the name with labels added on the left. */
function dnsWithin(name: string, constraint: string): boolean {
  const n = lower(name).replace(/\.$/, '');
  let c = lower(constraint).replace(/\.$/, '');
  if (c === '') return true;
  // A leading dot (a common extension, as in OpenSSL) means subdomains only.
  if (c.startsWith('.')) return n.endsWith(c);
  c = c.replace(/^\./, '');
  return n === c || n.endsWith('.' + c);
}

/**
 * Whether a presented dNSName may name a host inside `constraint`'s subtree. For a wildcard
 * "*.base" that is also the case when the constraint is one label under base: the wildcard
 * would match that excluded host (RFC 6125 §6.4.3: "*" stands for one label).
 */
function dnsMayReach(name: string, constraint: string): boolean {
  if (dnsWithin(name, constraint)) return true;
  const n = lower(name).replace(/\.$/, '');
  if (!n.startsWith('*.')) return false;
  const base = n.slice(2);
  const c = lower(constraint).replace(/^\./, '').replace(/\.$/, '');
  if (!c.endsWith('.' + base)) return false;
  return !c.slice(0, -base.length - 1).includes('.');
}

function ipWithin(ip: Uint8Array, c: { address: Uint8Array; mask: Uint8Array }): boolean {
  if (ip.length !== c.address.length) return false;
  for (let i = 0; i < ip.length; i++) if ((ip[i]! & c.mask[i]!) !== (c.address[i]! & c.mask[i]!)) return false;
  return true;
}

/** The host of a URI with an authority ("scheme://[userinfo@]host[:port]/…"), lower-cased. */
function uriHost(uri: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(uri);
  if (!m) return undefined;
  let authority = m[1]!;
  const at = authority.lastIndexOf('@');
  if (at !== -1) authority = authority.slice(at + 1);
  if (authority.startsWith('[')) return undefined; // an IP literal: no DNS name to constrain
  const host = lower(authority.replace(/:\d*$/, ''));
  return host === '' ? undefined : host;
}

/** URI constraint (RFC 5280 §4.2.1.10): a host ("host.example.com") or a domain (".example.com"). */
function uriWithin(uri: string, constraint: string): boolean | undefined {
  const host = uriHost(uri);
  if (host === undefined || parseIpAddress(host)) return undefined;
  const c = lower(constraint);
  return c.startsWith('.') ? host.endsWith(c) : host === c;
}

/** rfc822Name constraint: a mailbox, a host ("example.com"), or a domain (".example.com"). */
function emailWithin(email: string, constraint: string): boolean {
  const at = email.lastIndexOf('@');
  if (at === -1) return false;
  const c = lower(constraint);
  const host = lower(email.slice(at + 1));
  if (c.includes('@')) return email.slice(0, at) === constraint.slice(0, constraint.lastIndexOf('@')) && host === lower(constraint.slice(constraint.lastIndexOf('@') + 1));
  return c.startsWith('.') ? host.endsWith(c) : host === c;
}

/** RFC 4518 in brief: case-insensitive, insignificant spaces collapsed. */
const normalizeRdnValue = (v: string): string => v.trim().replace(/\s+/g, ' ').toLowerCase();

/** directoryName: the constraint's attributes are a prefix of the subject's (RFC 5280 §7.1). */
function dnWithin(subject: DistinguishedName, c: DistinguishedName): boolean {
  if (c.attributes.length > subject.attributes.length) return false;
  return c.attributes.every((a, i) => {
    const b = subject.attributes[i]!;
    return a.oid === b.oid && normalizeRdnValue(a.value) === normalizeRdnValue(b.value);
  });
}

interface Names {
  dns: readonly string[];
  ip: readonly Uint8Array[];
  uri: readonly string[];
  email: readonly string[];
  dn: DistinguishedName | undefined;
}

function namesOf(cert: ParsedCertificate): Names {
  const san = cert.subjectAltNames;
  // RFC 5280 §4.2.1.10: emailAddress attributes in the subject are constrained as rfc822Names.
  const subjectEmails = cert.subject.attributes.filter((a) => a.oid === EMAIL_ATTRIBUTE).map((a) => a.value);
  return {
    dns: san.dns,
    ip: san.ip,
    uri: san.uri,
    email: [...san.email, ...subjectEmails],
    dn: cert.subject.attributes.length > 0 ? cert.subject : undefined,
  };
}

/** Checks one certificate's names against one CA's constraints; throws CertificateError. */
export function checkNameConstraints(cert: ParsedCertificate, nc: NameConstraints, caText: string): void {
  const names = namesOf(cert);
  const who = describeCertificate(cert);
  for (const c of [...(nc.permitted ?? []), ...(nc.excluded ?? [])]) {
    if (c.kind === 'other') throw fail(`${caText} has a name constraint of unsupported form [${c.type}]`, 'unsupported_certificate');
  }
  const permitted = nc.permitted ?? [];
  const excluded = nc.excluded ?? [];
  const of = <K extends NameConstraint['kind']>(list: NameConstraint[], kind: K): Extract<NameConstraint, { kind: K }>[] =>
    list.filter((c): c is Extract<NameConstraint, { kind: K }> => c.kind === kind);

  // Each form is constrained only when the permitted list has an entry of that form.
  const check = <T>(values: readonly T[], kind: NameConstraint['kind'], within: (v: T, c: NameConstraint) => boolean | undefined, mayReach: (v: T, c: NameConstraint) => boolean | undefined, show: (v: T) => string): void => {
    const perm = of(permitted, kind);
    const excl = of(excluded, kind);
    for (const v of values) {
      for (const c of excl) {
        const r = mayReach(v, c);
        if (r === undefined) throw fail(`${who}: ${show(v)} cannot be checked against ${caText}'s name constraints`);
        if (r) throw fail(`${who}: ${show(v)} is in a subtree excluded by ${caText}`);
      }
      if (perm.length > 0) {
        const results = perm.map((c) => within(v, c));
        if (results.includes(undefined)) throw fail(`${who}: ${show(v)} cannot be checked against ${caText}'s name constraints`);
        if (!results.includes(true)) throw fail(`${who}: ${show(v)} is not in a subtree permitted by ${caText}`);
      }
    }
  };
  const value = (c: NameConstraint): string => ('value' in c ? c.value : '');
  check(names.dns, 'dns', (v, c) => dnsWithin(v, value(c)), (v, c) => dnsMayReach(v, value(c)), (v) => `DNS name ${v}`);
  check(names.ip, 'ip', (v, c) => c.kind === 'ip' && ipWithin(v, c), (v, c) => c.kind === 'ip' && ipWithin(v, c), (v) => `IP address ${ipToText(v)}`);
  check(names.uri, 'uri', (v, c) => uriWithin(v, value(c)), (v, c) => uriWithin(v, value(c)), (v) => `URI ${v}`);
  check(names.email, 'email', (v, c) => emailWithin(v, value(c)), (v, c) => emailWithin(v, value(c)), (v) => `e-mail address ${v}`);
  const dn = names.dn ? [names.dn] : [];
  check(dn, 'dn', (v, c) => c.kind === 'dn' && dnWithin(v, c.name), (v, c) => c.kind === 'dn' && dnWithin(v, c.name), (v) => `subject "${v.text}"`);
}

const parsedCache = new WeakMap<ParsedCertificate, NameConstraints | null>();

/** The certificate's nameConstraints, parsed once; null when absent. */
export function nameConstraintsOf(cert: ParsedCertificate): NameConstraints | null {
  const hit = parsedCache.get(cert);
  if (hit !== undefined) return hit;
  const ext = cert.extensions.find((e) => e.oid === ExtensionOid.nameConstraints);
  let nc: NameConstraints | null = null;
  if (ext) {
    try {
      nc = parseNameConstraints(ext.value);
    } catch (e) {
      throw fail(`malformed nameConstraints in "${cert.subject.text}": ${(e as Error).message}`);
    }
    // RFC 5280 §4.2.1.10: only in CA certificates.
    if (!cert.basicConstraints?.ca) throw fail(`nameConstraints in non-CA certificate "${cert.subject.text}"`);
  }
  parsedCache.set(cert, nc);
  return nc;
}

/**
 * The PathChecker for name constraints; ChainValidator always runs one. It claims the
 * nameConstraints extension, so a critical one is no longer an unknown critical extension.
 */
export class NameConstraintsChecker implements PathChecker {
  readonly handlesExtensions = [ExtensionOid.nameConstraints] as const;

  check(path: readonly ParsedCertificate[]): void {
    // path[0] is the leaf; each CA at i constrains path[0 .. i-1].
    for (let i = 1; i < path.length; i++) {
      const ca = path[i]!;
      const nc = nameConstraintsOf(ca);
      if (!nc) continue;
      for (let j = 0; j < i; j++) {
        const cert = path[j]!;
        // RFC 5280 §6.1.3 (b): self-issued certificates other than the leaf are not checked.
        if (j > 0 && cert.selfIssued) continue;
        checkNameConstraints(cert, nc, `"${ca.subject.text}"`);
      }
    }
    // A leaf or intermediate with nameConstraints but without cA is malformed either way.
    nameConstraintsOf(path[0]!);
  }
}

// Name constraints (RFC 5280 §4.2.1.10, processed as in §6.1.3 (b)-(c) and §6.1.4 (g)):
// a CA's permitted and excluded subtrees bind every certificate below it on the path.
// Supported forms: dNSName, iPAddress, uniformResourceIdentifier, rfc822Name, directoryName.
// A constraint of another form fails closed (unsupported_certificate) when a certificate it
// binds has a name of that form (RFC 5280 §4.2: we cannot process it); otherwise it binds
// nothing. Trust anchors' constraints are applied too (as Go and BoringSSL do).
// Bounded work: at most MAX_SUBTREES per subtree list, and MAX_NAME_CONSTRAINT_COMPARISONS
// name-against-constraint comparisons per path; beyond either, bad_certificate.

import * as pkijs from 'pkijs';
import { AlertDescription, CertificateBoundError, CertificateError, certificateError } from '../errors.js';
import { DerError, decodeDer } from './asn1.js';
import { ExtensionOid, type DistinguishedName, type ParsedCertificate, describeCertificate, parseName } from './certificate.js';
import { CONSTRUCTED, TagClass, type Tlv, readChildren, readWhole } from './der-reader.js';
import { isContiguousMask, isDomainConstraint, isEmailConstraint, parseMailbox, parseUri, readGeneralName } from './general-names.js';
import { parseIpv4 } from '../util/ip.js';
import { ipToText } from './identity.js';
import type { PathChecker } from './types.js';

/** One GeneralSubtree base in a form we process. */
export type NameConstraint =
  | { kind: 'dns'; value: string }
  | { kind: 'ip'; address: Uint8Array; mask: Uint8Array }
  | { kind: 'uri'; value: string }
  | { kind: 'email'; value: string }
  | { kind: 'dn'; name: DistinguishedName }
  /** Another GeneralName form, by tag: 0 otherName, 3 x400Address, 5 ediPartyName, 8 registeredID. */
  | { kind: 'other'; type: number };

export interface NameConstraints {
  permitted: NameConstraint[] | undefined;
  excluded: NameConstraint[] | undefined;
}

/** Subtrees in one permitted or excluded list; a longer list is refused before it is read. */
export const MAX_SUBTREES = 1024;
/** Name-against-subtree comparisons on one path (all constrained CAs, all names below them). */
export const MAX_NAME_CONSTRAINT_COMPARISONS = 65_536;

/** What is left of one path validation's comparisons. */
export interface NameConstraintBudget {
  remaining: number;
}

const EMAIL_ATTRIBUTE = '1.2.840.113549.1.9.1';

const fail = (message: string, alert: keyof typeof AlertDescription = 'bad_certificate'): CertificateError =>
  certificateError(alert, 'name-constraints', message);

// ---------------------------------------------------------------- parsing

/** Parses a nameConstraints extension value (RFC 5280 §4.2.1.10). Throws DerError. */
export function parseNameConstraints(value: Uint8Array): NameConstraints {
  const top = readWhole(value, 'NameConstraints');
  if (top.tag !== 0x30) throw new DerError('NameConstraints: not a SEQUENCE');
  // permittedSubtrees [0], excludedSubtrees [1], IMPLICIT GeneralSubtrees; at least one, in order.
  const parts = readChildren(value, top, 'NameConstraints');
  if (parts.length === 0) throw new DerError('NameConstraints: empty');
  const lists = new Map<number, NameConstraint[]>();
  let last = -1;
  for (const part of parts) {
    const n = part.tag & 0x1f;
    if ((part.tag & 0xe0) !== (TagClass.context | CONSTRUCTED) || n > 1 || n <= last) throw new DerError('NameConstraints: unexpected element');
    last = n;
    const subtrees = readChildren(value, part, 'GeneralSubtrees');
    if (subtrees.length === 0) throw new DerError('GeneralSubtrees: empty');
    if (subtrees.length > MAX_SUBTREES) throw new DerError(`GeneralSubtrees: ${subtrees.length} subtrees, more than ${MAX_SUBTREES}`);
    lists.set(n, subtrees.map((s) => parseSubtree(value, s)));
  }
  return { permitted: lists.get(0), excluded: lists.get(1) };
}

function parseSubtree(buf: Uint8Array, node: Tlv): NameConstraint {
  if (node.tag !== 0x30) throw new DerError('GeneralSubtree: not a SEQUENCE');
  const [base, ...rest] = readChildren(buf, node, 'GeneralSubtree');
  if (!base) throw new DerError('GeneralSubtree: missing base');
  // RFC 5280 §4.2.1.10: minimum MUST be zero (so DER omits it), maximum MUST be absent.
  if (rest.length > 0) throw new DerError('GeneralSubtree: minimum/maximum must be absent');
  const gn = readGeneralName(buf, base);
  switch (gn.form) {
    case 'email':
      if (!isEmailConstraint(gn.value)) throw new DerError(`rfc822Name constraint ${JSON.stringify(gn.value)} is not a mailbox, host or domain`);
      return { kind: 'email', value: gn.value };
    case 'dns':
      if (!isDomainConstraint(gn.value)) throw new DerError(`dNSName constraint ${JSON.stringify(gn.value)} is not a domain`);
      return { kind: 'dns', value: gn.value };
    case 'uri':
      // RFC 5280 §4.2.1.10: a fully qualified domain name, a host or a domain.
      if (!isDomainConstraint(gn.value) || parseIpv4(gn.value.replace(/^\./, ''))) throw new DerError(`uniformResourceIdentifier constraint ${JSON.stringify(gn.value)} is not a host or domain`);
      return { kind: 'uri', value: gn.value };
    case 'ip': {
      // Address then mask: 8 octets for IPv4, 32 for IPv6; the mask a CIDR prefix.
      const b = gn.bytes;
      if (b.length !== 8 && b.length !== 32) throw new DerError(`iPAddress constraint of length ${b.length}`);
      const half = b.length / 2;
      const mask = b.slice(half);
      if (!isContiguousMask(mask)) throw new DerError('iPAddress constraint with a non-contiguous mask');
      return { kind: 'ip', address: b.slice(0, half), mask };
    }
    case 'dn': {
      const nameNode = decodeDer(gn.der, 'directoryName');
      return { kind: 'dn', name: parseName(new pkijs.RelativeDistinguishedNames({ schema: nameNode }), nameNode) };
    }
    case 'other':
      return { kind: 'other', type: gn.tag };
  }
}

// ---------------------------------------------------------------- matching
// Constraints and names are normalised once (per CA, per certificate); a comparison is then a
// string or byte comparison.

const stripDot = (s: string): string => (s.endsWith('.') ? s.slice(0, -1) : s);

/** A dNSName or URI-host subtree: everything, ".domain" (subdomains only), or a name and its subdomains. */
interface DomainTree {
  readonly all: boolean;
  /** Lower-case, no trailing dot; with its leading dot for the subdomains-only form. */
  readonly base: string;
  readonly subdomainsOnly: boolean;
  /** "." + base (for "labels added on the left"). */
  readonly dotted: string;
}

function domainTree(c: string): DomainTree {
  const base = stripDot(c.toLowerCase());
  return { all: base === '', base, subdomainsOnly: base.startsWith('.'), dotted: '.' + base };
}

/** DNS subtree (RFC 5280 §4.2.1.10): the name, or the name with labels added on the left. */
function dnsWithin(n: string, t: DomainTree): boolean {
  if (t.all) return true;
  // A leading dot (a common extension, as in OpenSSL) means subdomains only.
  if (t.subdomainsOnly) return n.endsWith(t.base);
  return n === t.base || n.endsWith(t.dotted);
}

/**
 * Whether a presented dNSName may name a host inside an excluded subtree. For a wildcard
 * "*.base" that is also the case when the constraint is one label under base: the wildcard
 * would match that excluded host (RFC 6125 §6.4.3: "*" stands for one label).
 */
function dnsMayReach(n: string, t: DomainTree): boolean {
  if (dnsWithin(n, t)) return true;
  if (!n.startsWith('*.')) return false;
  const base = n.slice(1); // ".base"
  const c = t.subdomainsOnly ? t.base.slice(1) : t.base;
  return c.endsWith(base) && c.length > base.length && !c.slice(0, -base.length).includes('.');
}

function ipWithin(ip: Uint8Array, c: { address: Uint8Array; mask: Uint8Array }): boolean {
  if (ip.length !== c.address.length) return false;
  for (let i = 0; i < ip.length; i++) if ((ip[i]! & c.mask[i]!) !== (c.address[i]! & c.mask[i]!)) return false;
  return true;
}

/** rfc822Name subtree: a mailbox, a host ("example.com"), or a domain (".example.com"). */
interface EmailTree {
  readonly local: string | undefined;
  readonly host: DomainTree;
}

function emailWithin(m: { local: string; domain: string }, t: EmailTree): boolean {
  if (t.local !== undefined) return m.local === t.local && m.domain === t.host.base;
  if (t.host.all) return true;
  return t.host.subdomainsOnly ? m.domain.endsWith(t.host.base) : m.domain === t.host.base;
}

/** URI subtree (RFC 5280 §4.2.1.10): a host ("host.example.com") or a domain (".example.com"). */
function uriWithin(host: string, t: DomainTree): boolean {
  if (t.all) return true;
  return t.subdomainsOnly ? host.endsWith(t.base) : host === t.base;
}

/** RFC 4518 in brief: case-insensitive, insignificant spaces collapsed. */
const normalizeRdnValue = (v: string): string => v.trim().replace(/\s+/g, ' ').toLowerCase();

type NormalizedDn = readonly { oid: string; value: string }[];
const normalizeDn = (dn: DistinguishedName): NormalizedDn => dn.attributes.map((a) => ({ oid: a.oid, value: normalizeRdnValue(a.value) }));

/** directoryName: the constraint's attributes are a prefix of the subject's (RFC 5280 §7.1). */
function dnWithin(subject: NormalizedDn, c: NormalizedDn): boolean {
  if (c.length > subject.length) return false;
  return c.every((a, i) => a.oid === subject[i]!.oid && a.value === subject[i]!.value);
}

/** One CA's constraints, by form, normalised. */
interface CompiledConstraints {
  dns: { perm: DomainTree[]; excl: DomainTree[] };
  ip: { perm: { address: Uint8Array; mask: Uint8Array }[]; excl: { address: Uint8Array; mask: Uint8Array }[] };
  uri: { perm: DomainTree[]; excl: DomainTree[] };
  email: { perm: EmailTree[]; excl: EmailTree[] };
  dn: { perm: NormalizedDn[]; excl: NormalizedDn[] };
  /** Tags of the forms we do not process. */
  other: Set<number>;
}

function compile(nc: NameConstraints): CompiledConstraints {
  const out: CompiledConstraints = {
    dns: { perm: [], excl: [] },
    ip: { perm: [], excl: [] },
    uri: { perm: [], excl: [] },
    email: { perm: [], excl: [] },
    dn: { perm: [], excl: [] },
    other: new Set(),
  };
  for (const [list, side] of [
    [nc.permitted ?? [], 'perm'],
    [nc.excluded ?? [], 'excl'],
  ] as const) {
    for (const c of list) {
      switch (c.kind) {
        case 'dns':
          out.dns[side].push(domainTree(c.value));
          break;
        case 'uri':
          out.uri[side].push(domainTree(c.value));
          break;
        case 'email': {
          const at = c.value.lastIndexOf('@');
          out.email[side].push(at === -1 ? { local: undefined, host: domainTree(c.value) } : { local: c.value.slice(0, at), host: domainTree(c.value.slice(at + 1)) });
          break;
        }
        case 'ip':
          out.ip[side].push(c);
          break;
        case 'dn':
          out.dn[side].push(normalizeDn(c.name));
          break;
        case 'other':
          out.other.add(c.type);
          break;
      }
    }
  }
  return out;
}

/** One certificate's names, normalised; undefined entries are names that cannot be checked. */
interface CompiledNames {
  dns: string[];
  ip: readonly Uint8Array[];
  /** URI hosts (lower-case); undefined for a URI without a DNS host. */
  uri: (string | undefined)[];
  uriText: readonly string[];
  email: ({ local: string; domain: string } | undefined)[];
  emailText: string[];
  dn: { text: string; name: NormalizedDn }[];
  other: readonly number[];
}

function compileNames(cert: ParsedCertificate): CompiledNames {
  const san = cert.subjectAltNames;
  // RFC 5280 §4.2.1.10: emailAddress attributes in the subject are constrained as rfc822Names.
  const emailText = [...san.email, ...cert.subject.attributes.filter((a) => a.oid === EMAIL_ATTRIBUTE).map((a) => a.value)];
  const other = cert.otherAltNames;
  const dns = cert.subject.attributes.length > 0 ? [cert.subject, ...other.directoryNames] : [...other.directoryNames];
  return {
    dns: san.dns.map((d) => stripDot(d.toLowerCase())),
    ip: san.ip,
    uri: san.uri.map((u) => {
      const p = parseUri(u);
      return p && p.host !== undefined && !p.hostIsIp ? stripDot(p.host) : undefined;
    }),
    uriText: san.uri,
    // A malformed mailbox never matches (and the validator refuses it before we get here).
    email: emailText.map((e) => {
      const m = parseMailbox(e);
      return m && { local: m.local, domain: m.domain.toLowerCase() };
    }),
    emailText,
    dn: dns.map((d) => ({ text: d.text, name: normalizeDn(d) })),
    other: other.forms,
  };
}

const compiledConstraints = new WeakMap<NameConstraints, CompiledConstraints>();
const compiledNames = new WeakMap<ParsedCertificate, CompiledNames>();

function cached<K extends object, V>(map: WeakMap<K, V>, k: K, make: (k: K) => V): V {
  let v = map.get(k);
  if (v === undefined) {
    v = make(k);
    map.set(k, v);
  }
  return v;
}

/** Comparisons `names` against `cc` will take. */
function cost(names: CompiledNames, cc: CompiledConstraints): number {
  const n = (values: { length: number }, c: { perm: unknown[]; excl: unknown[] }): number => values.length * (c.perm.length + c.excl.length);
  return n(names.dns, cc.dns) + n(names.ip, cc.ip) + n(names.uri, cc.uri) + n(names.email, cc.email) + n(names.dn, cc.dn);
}

/**
 * Checks one certificate's names against one CA's constraints; throws CertificateError.
 * `budget` is shared by every check of one path (CertificateBoundError when it runs out).
 */
export function checkNameConstraints(cert: ParsedCertificate, nc: NameConstraints, caText: string, budget: NameConstraintBudget = { remaining: MAX_NAME_CONSTRAINT_COMPARISONS }): void {
  const cc = cached(compiledConstraints, nc, compile);
  const names = cached(compiledNames, cert, compileNames);
  const who = describeCertificate(cert);
  for (const tag of names.other) {
    if (cc.other.has(tag)) throw fail(`${who} has a name of form [${tag}], which ${caText} constrains and we cannot check`, 'unsupported_certificate');
  }
  // Counted before any comparison, so that the outcome does not depend on where a path fails.
  budget.remaining -= cost(names, cc);
  if (budget.remaining < 0) {
    throw new CertificateBoundError(AlertDescription.bad_certificate, 'name-constraints', `too many name-constraint comparisons on the path (more than ${MAX_NAME_CONSTRAINT_COMPARISONS}), at ${who} under ${caText}`);
  }

  // Each form is constrained only when the permitted list has an entry of that form.
  const check = <T, C>(values: readonly (T | undefined)[], c: { perm: C[]; excl: C[] }, within: (v: T, c: C) => boolean, mayReach: (v: T, c: C) => boolean, show: (i: number) => string): void => {
    if (c.perm.length === 0 && c.excl.length === 0) return;
    values.forEach((v, i) => {
      if (v === undefined) throw fail(`${who}: ${show(i)} cannot be checked against ${caText}'s name constraints`);
      for (const e of c.excl) if (mayReach(v, e)) throw fail(`${who}: ${show(i)} is in a subtree excluded by ${caText}`);
      if (c.perm.length > 0 && !c.perm.some((p) => within(v, p))) throw fail(`${who}: ${show(i)} is not in a subtree permitted by ${caText}`);
    });
  };
  check(names.dns, cc.dns, dnsWithin, dnsMayReach, (i) => `DNS name ${cert.subjectAltNames.dns[i]}`);
  check(names.ip, cc.ip, ipWithin, ipWithin, (i) => `IP address ${ipToText(names.ip[i]!)}`);
  check(names.uri, cc.uri, uriWithin, uriWithin, (i) => `URI ${names.uriText[i]}`);
  check(names.email, cc.email, emailWithin, emailWithin, (i) => `e-mail address ${names.emailText[i]}`);
  check(names.dn, cc.dn, (v, c) => dnWithin(v.name, c), (v, c) => dnWithin(v.name, c), (i) => `directory name "${names.dn[i]!.text}"`);
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
 * The PathChecker for name constraints; ChainValidator always runs one, after the path's
 * signatures verified. It claims the nameConstraints extension, so a critical one is no longer
 * an unknown critical extension.
 */
export class NameConstraintsChecker implements PathChecker {
  readonly handlesExtensions = [ExtensionOid.nameConstraints] as const;

  check(path: readonly ParsedCertificate[]): void {
    this.checkPath(path, { remaining: MAX_NAME_CONSTRAINT_COMPARISONS });
  }

  /** `budget`: the comparisons left for this validation (shared by the paths it tries). */
  checkPath(path: readonly ParsedCertificate[], budget: NameConstraintBudget): void {
    // path[0] is the leaf; each CA at i constrains path[0 .. i-1].
    for (let i = 1; i < path.length; i++) {
      const ca = path[i]!;
      const nc = nameConstraintsOf(ca);
      if (!nc) continue;
      for (let j = 0; j < i; j++) {
        const cert = path[j]!;
        // RFC 5280 §6.1.3 (b): self-issued certificates other than the leaf are not checked.
        if (j > 0 && cert.selfIssued) continue;
        checkNameConstraints(cert, nc, `"${ca.subject.text}"`, budget);
      }
    }
    // A leaf or intermediate with nameConstraints but without cA is malformed either way.
    nameConstraintsOf(path[0]!);
  }
}

// GeneralName (RFC 5280 §4.2.1.6) reading and name syntax, shared by subjectAltName parsing
// and name constraints (RFC 5280 §4.2.1.10). The list is framed with ./der-reader.ts (a SAN of
// thousands of names costs milliseconds, not the ~100 µs per name of a pkijs schema match);
// the forms we do not interpret are still checked as strict DER with asn1js.

import { parseIpv4, parseIpv6 } from '../util/ip.js';
import { DerError, decodeDer, latin1 } from './asn1.js';
import { CONSTRUCTED, TagClass, type Tlv, readChildren, readTlv, readWhole } from './der-reader.js';

/** GeneralName CHOICE tags (RFC 5280 §4.2.1.6). */
export const GeneralNameTag = {
  otherName: 0,
  rfc822Name: 1,
  dNSName: 2,
  x400Address: 3,
  directoryName: 4,
  ediPartyName: 5,
  uniformResourceIdentifier: 6,
  iPAddress: 7,
  registeredID: 8,
} as const;

export type GeneralName =
  | { readonly form: 'email' | 'dns' | 'uri'; readonly value: string }
  | { readonly form: 'ip'; readonly bytes: Uint8Array }
  /** The Name inside directoryName [4] EXPLICIT, as DER. */
  | { readonly form: 'dn'; readonly der: Uint8Array }
  /** otherName, x400Address, ediPartyName, registeredID: checked as DER, not interpreted. */
  | { readonly form: 'other'; readonly tag: number };

const ia5 = (bytes: Uint8Array, what: string): string => {
  for (const b of bytes) if (b > 0x7f) throw new DerError(`${what}: non-ASCII IA5String`);
  return latin1(bytes);
};

/** X.690 §8.19: an OBJECT IDENTIFIER's contents, each subidentifier minimal. */
function checkOidContents(v: Uint8Array, what: string): void {
  if (v.length === 0 || (v[v.length - 1]! & 0x80) !== 0) throw new DerError(`${what}: invalid OBJECT IDENTIFIER`);
  for (let i = 0; i < v.length; i++) if (v[i] === 0x80 && (i === 0 || (v[i - 1]! & 0x80) === 0)) throw new DerError(`${what}: non-minimal OBJECT IDENTIFIER`);
}

/** One GeneralName element of `buf`. Throws DerError. */
export function readGeneralName(buf: Uint8Array, t: Tlv): GeneralName {
  if ((t.tag & 0xc0) !== TagClass.context) throw new DerError('GeneralName: not a context-specific tag');
  const n = t.tag & 0x1f;
  const constructed = (t.tag & CONSTRUCTED) !== 0;
  const contents = buf.subarray(t.contentStart, t.end);
  switch (n) {
    case GeneralNameTag.rfc822Name:
    case GeneralNameTag.dNSName:
    case GeneralNameTag.uniformResourceIdentifier: {
      // IMPLICIT IA5String: primitive in DER (X.690 §10.2).
      if (constructed) throw new DerError('GeneralName: constructed IA5String');
      const form = n === GeneralNameTag.rfc822Name ? 'email' : n === GeneralNameTag.dNSName ? 'dns' : 'uri';
      return { form, value: ia5(contents, form === 'email' ? 'rfc822Name' : form === 'dns' ? 'dNSName' : 'uniformResourceIdentifier') };
    }
    case GeneralNameTag.iPAddress:
      if (constructed) throw new DerError('iPAddress: constructed OCTET STRING');
      return { form: 'ip', bytes: contents.slice() };
    case GeneralNameTag.directoryName: {
      const inner = readChildren(buf, t, 'directoryName');
      if (inner.length !== 1 || inner[0]!.tag !== 0x30) throw new DerError('directoryName: not one Name');
      return { form: 'dn', der: buf.slice(inner[0]!.start, inner[0]!.end) };
    }
    case GeneralNameTag.registeredID:
      if (constructed) throw new DerError('registeredID: constructed');
      checkOidContents(contents, 'registeredID');
      return { form: 'other', tag: n };
    case GeneralNameTag.otherName:
    case GeneralNameTag.x400Address:
    case GeneralNameTag.ediPartyName: {
      if (!constructed) throw new DerError('GeneralName: primitive encoding of a SEQUENCE');
      decodeDer(buf.subarray(t.start, t.end), 'GeneralName'); // strict DER throughout
      if (n === GeneralNameTag.otherName) {
        // OtherName ::= SEQUENCE { type-id OBJECT IDENTIFIER, value [0] EXPLICIT ANY }
        const [typeId, value, ...rest] = readChildren(buf, t, 'otherName');
        if (!typeId || typeId.tag !== 0x06 || !value || value.tag !== (TagClass.context | CONSTRUCTED | 0) || rest.length) throw new DerError('otherName: malformed');
        if (readChildren(buf, value, 'otherName').length !== 1) throw new DerError('otherName: malformed value');
      }
      return { form: 'other', tag: n };
    }
    default:
      throw new DerError(`GeneralName: unknown tag [${n}]`);
  }
}

/** GeneralNames ::= SEQUENCE OF GeneralName (the extnValue of subjectAltName). Throws DerError. */
export function readGeneralNames(value: Uint8Array): GeneralName[] {
  const list = readWhole(value, 'GeneralNames');
  if (list.tag !== 0x30) throw new DerError('GeneralNames: not a SEQUENCE');
  const out: GeneralName[] = [];
  for (let off = list.contentStart; off < list.end; ) {
    const t = readTlv(value, off, list.end, 'GeneralNames');
    out.push(readGeneralName(value, t));
    off = t.end;
  }
  return out;
}

// ---------------------------------------------------------------- name syntax

/** RFC 1034 §3.5 / RFC 1123 §2.1 LDH labels (underscore tolerated, as in service names), 1–63 chars. */
const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i;

/**
 * A DNS name in preferred name syntax: LDH labels, none empty, at most 253 characters, one
 * trailing dot tolerated (hostname.ts matches that way). With `wildcard`, the left-most label
 * may be "*" alone (RFC 6125 §6.4.3; RFC 9525 §6.3: no partial-label wildcards).
 */
export function isDnsName(name: string, wildcard = false): boolean {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  if (n.length === 0 || n.length > 253) return false;
  const labels = n.split('.');
  const first = wildcard && labels.length > 1 && labels[0] === '*' ? 1 : 0;
  for (let i = first; i < labels.length; i++) if (!LABEL.test(labels[i]!)) return false;
  return true;
}

/** RFC 5321 §4.1.2 atext. */
const ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+$/;

/**
 * RFC 5321 §4.1.2 Mailbox (RFC 5280 §4.2.1.6 rfc822Name): Local-part "@" Domain, the local part
 * a dot-string or a quoted-string, the domain a DNS name (no address literals). Undefined
 * when malformed.
 */
export function parseMailbox(s: string): { local: string; domain: string } | undefined {
  let at: number;
  if (s.startsWith('"')) {
    // quoted-string: qtextSMTP (32–33, 35–91, 93–126) or quoted-pairSMTP ("\" 32–126).
    let i = 1;
    for (; i < s.length && s[i] !== '"'; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x5c) {
        const d = s.charCodeAt(++i);
        if (!(d >= 32 && d <= 126)) return undefined;
      } else if (c < 32 || c > 126) return undefined;
    }
    if (i >= s.length) return undefined; // unterminated
    at = i + 1;
    if (s[at] !== '@') return undefined;
  } else {
    at = s.indexOf('@');
    if (at <= 0) return undefined;
    // dot-string: atoms joined by single dots.
    if (!s.slice(0, at).split('.').every((a) => ATOM.test(a))) return undefined;
  }
  const domain = s.slice(at + 1);
  if (!isDnsName(domain) || domain.endsWith('.')) return undefined;
  return { local: s.slice(0, at), domain };
}

/** RFC 3986 §2: unreserved, reserved and percent-encoded characters only. */
const URI_CHARS = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;

/**
 * An absolute URI (RFC 3986 §3, RFC 5280 §4.2.1.6: a scheme and a scheme-specific part; with
 * an authority, its host is a DNS name or an IP address). `host` is lower-cased, without
 * brackets; undefined when the URI has no authority. Undefined when malformed.
 */
export function parseUri(s: string): { host: string | undefined; hostIsIp: boolean } | undefined {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:(.+)$/s.exec(s);
  if (!m || !URI_CHARS.test(s)) return undefined;
  const rest = m[1]!;
  if (!rest.startsWith('//')) return { host: undefined, hostIsIp: false };
  let authority = /^\/\/([^/?#]*)/.exec(rest)![1]!;
  const at = authority.lastIndexOf('@');
  if (at !== -1) authority = authority.slice(at + 1);
  let host: string;
  let port: string;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close === -1) return undefined;
    host = authority.slice(1, close);
    port = authority.slice(close + 1);
    if (!parseIpv6(host)) return undefined; // IPvFuture is not an address we can use
  } else {
    const colon = authority.indexOf(':');
    host = colon === -1 ? authority : authority.slice(0, colon);
    port = colon === -1 ? '' : authority.slice(colon);
    if (!parseIpv4(host) && !isDnsName(host)) return undefined;
  }
  if (port !== '' && !/^:[0-9]*$/.test(port)) return undefined;
  const hostIsIp = authority.startsWith('[') || parseIpv4(host) !== undefined;
  return { host: host.toLowerCase(), hostIsIp };
}

/** A subject's or SAN's names, in the forms checked: the first that is not a valid name of its type. */
export function nameSyntaxProblem(san: { readonly dns: readonly string[]; readonly email: readonly string[]; readonly uri: readonly string[] }): string | undefined {
  for (const d of san.dns) if (!isDnsName(d, true)) return `dNSName ${JSON.stringify(d)} is not a valid DNS name`;
  for (const e of san.email) if (!parseMailbox(e)) return `rfc822Name ${JSON.stringify(e)} is not a valid mailbox`;
  for (const u of san.uri) if (!parseUri(u)) return `uniformResourceIdentifier ${JSON.stringify(u)} is not a valid absolute URI with a host`;
  return undefined;
}

// ---------------------------------------------------------------- constraint syntax

/** A dNSName, URI or rfc822Name domain constraint (RFC 5280 §4.2.1.10): empty (every name), a domain, or ".domain". */
export function isDomainConstraint(c: string): boolean {
  if (c === '') return true;
  return isDnsName(c.startsWith('.') ? c.slice(1) : c);
}

/** An rfc822Name constraint: a mailbox, a host, or ".domain". */
export function isEmailConstraint(c: string): boolean {
  return c.includes('@') ? parseMailbox(c) !== undefined : isDomainConstraint(c);
}

/** An iPAddress constraint's mask: ones, then zeros (a CIDR prefix; RFC 5280 §4.2.1.10, RFC 4632). */
export function isContiguousMask(mask: Uint8Array): boolean {
  let zero = false;
  for (const byte of mask) {
    for (let bit = 7; bit >= 0; bit--) {
      const one = ((byte >> bit) & 1) === 1;
      if (one && zero) return false;
      if (!one) zero = true;
    }
  }
  return true;
}

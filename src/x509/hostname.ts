// Server identity checks (RFC 6125 §6; RFC 8446 §4.4.2.2 defers to it). DNS names match
// dNSName SANs only, never the CN (RFC 6125 §6.4.4 allows the CN fallback; we do not).
// IP literals match iPAddress SANs only, byte for byte.

import { bytesEqual } from '../util/bytes.js';
import type { ParsedCertificate } from './certificate.js';

/** Dotted-quad IPv4 (no leading zeros, so "010.0.0.1" is not silently octal or decimal). */
export function parseIpv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

/** RFC 4291 §2.2 text forms, including "::" compression and a trailing dotted IPv4. */
export function parseIpv6(s: string): Uint8Array | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(s)) return undefined; // no zone ids ("%eth0")
  let head = s;
  let v4: Uint8Array | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    v4 = parseIpv4(s.slice(lastColon + 1));
    if (!v4) return undefined;
    head = s.slice(0, lastColon + 1) + '0:0'; // placeholder for the two IPv4 groups, filled below
  }
  const dbl = head.indexOf('::');
  if (dbl !== -1 && head.indexOf('::', dbl + 1) !== -1) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return undefined;
      groups.push(parseInt(g, 16));
    }
    return groups;
  };
  let groups: number[];
  if (dbl === -1) {
    const g = parseGroups(head);
    if (!g || g.length !== 8) return undefined;
    groups = g;
  } else {
    const left = parseGroups(head.slice(0, dbl));
    const right = parseGroups(head.slice(dbl + 2));
    if (!left || !right || left.length + right.length > 7) return undefined;
    groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = groups[i]! >> 8;
    out[2 * i + 1] = groups[i]! & 0xff;
  }
  if (v4) out.set(v4, 12);
  return out;
}

/** Parses an IP literal (IPv4 dotted quad, or IPv6 optionally in brackets), else undefined. */
export function parseIpAddress(s: string): Uint8Array | undefined {
  if (s.startsWith('[') && s.endsWith(']')) return parseIpv6(s.slice(1, -1));
  return s.includes(':') ? parseIpv6(s) : parseIpv4(s);
}

/** LDH labels (underscore tolerated, as in service names), 1–63 chars, total ≤ 253. */
const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** Lower-cases and strips one trailing dot; undefined when not a valid DNS name. */
function normalizeDnsName(name: string): string[] | undefined {
  let n = name.toLowerCase(); // RFC 6125 §6.4.1: case-insensitive (ASCII)
  if (n.endsWith('.')) n = n.slice(0, -1);
  if (n.length === 0 || n.length > 253) return undefined;
  const labels = n.split('.');
  for (const l of labels) if (!LABEL.test(l)) return undefined;
  return labels;
}

/** One dNSName SAN against a valid reference name (labels, lower-case). */
function matchesDnsId(presented: string, ref: string[]): boolean {
  let p = presented.toLowerCase();
  if (p.endsWith('.')) p = p.slice(0, -1);
  const pl = p.split('.');
  if (pl[0] === '*') {
    // RFC 6125 §6.4.3 rules 1–2: "*" only as the whole left-most label, standing for exactly one
    // label. We also require two labels under it (no "*.com"; RFC 6125 §7.2). Partial-label
    // wildcards (rule 3's "f*o") are never matched.
    const base = pl.slice(1);
    if (base.length < 2 || base.some((l) => !LABEL.test(l))) return false;
    if (ref.length !== base.length + 1) return false;
    return base.every((l, i) => l === ref[i + 1]);
  }
  if (pl.length !== ref.length) return false;
  return pl.every((l, i) => LABEL.test(l) && l === ref[i]);
}

/**
 * True when `name` (a DNS name or IP literal, as in SNI or the URL host) is among the
 * certificate's subjectAltNames. Non-ASCII (U-label) names must be converted to A-labels first.
 */
export function matchesHostname(cert: ParsedCertificate, name: string): boolean {
  const ip = parseIpAddress(name);
  if (ip) return cert.subjectAltNames.ip.some((a) => bytesEqual(a, ip));
  // An IPv6-looking string that failed to parse is not a DNS name either.
  if (name.includes(':') || name.includes('[')) return false;
  const ref = normalizeDnsName(name);
  if (!ref) return false;
  // A name whose last label is all digits is a malformed IP literal, not a host name.
  if (/^[0-9]+$/.test(ref[ref.length - 1]!)) return false;
  return cert.subjectAltNames.dns.some((p) => matchesDnsId(p, ref));
}

// Server identity checks (RFC 6125 §6; RFC 8446 §4.4.2.2 defers to it). DNS names match
// dNSName SANs only, never the CN (RFC 6125 §6.4.4 allows the CN fallback; we do not).
// IP literals match iPAddress SANs only, byte for byte.

import { bytesEqual } from '../util/bytes.js';
import type { ParsedCertificate } from './certificate.js';

export { parseIpv4, parseIpv6, parseIpAddress } from '../util/ip.js';
import { parseIpAddress } from '../util/ip.js';

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

// The verified peer's identity, for applications and service meshes: subject, SANs, the SPIFFE
// ID (SPIFFE X509-SVID §2: exactly one URI SAN, a spiffe:// ID), and the SPKI SHA-256 pin.

import { defaultProvider } from '../crypto/default.js';
import type { HashAlgorithm } from '../crypto/provider.js';
import { fromHex, toHex } from '../util/bytes.js';
import { type ParsedCertificate, commonName } from './certificate.js';
import { base64Decode, base64Encode } from './pem.js';

export interface PeerIdentity {
  /** The subject in RFC 4514 text, most specific first ("CN=client, O=Example"); "" when empty. */
  readonly subject: string;
  /** The subject's CN, for display only (never for name matching: RFC 6125 §6.4.4). */
  readonly commonName: string | undefined;
  readonly dns: readonly string[];
  /** iPAddress SANs as text (dotted quad, or RFC 5952 IPv6). */
  readonly ip: readonly string[];
  readonly uri: readonly string[];
  readonly email: readonly string[];
  /** The SPIFFE ID: the URI SAN when it is the only one and a valid spiffe:// ID. */
  readonly spiffeId: string | undefined;
  /** SHA-256 of the SubjectPublicKeyInfo DER: what `pins` lists (RFC 7469 §2.4 form). */
  readonly spkiSha256: Uint8Array;
}

const spkiHashes = new WeakMap<ParsedCertificate, Uint8Array>();

/** SHA-256 over the certificate's SubjectPublicKeyInfo DER, with `sha256` (default: the default provider's). */
export function spkiSha256(cert: ParsedCertificate, sha256: HashAlgorithm = defaultProvider().hash('SHA-256')): Uint8Array {
  let h = spkiHashes.get(cert);
  if (!h) {
    h = sha256.digest(cert.spki);
    spkiHashes.set(cert, h);
  }
  return h;
}

/**
 * SPIFFE ID syntax (SPIFFE-ID §2): "spiffe://" trust-domain path, lower-case trust domain of
 * [a-z0-9.-_], no port, user info, query or fragment; path segments of [A-Za-z0-9.-_], not
 * empty, "." or "..".
 */
export function isSpiffeId(uri: string): boolean {
  const m = /^spiffe:\/\/([a-z0-9._-]+)((?:\/[A-Za-z0-9._-]+)*)$/.exec(uri);
  if (!m || m[0].length > 2048) return false;
  return m[2]!.split('/').slice(1).every((seg) => seg !== '.' && seg !== '..');
}

/** The SPIFFE ID of an X509-SVID (exactly one URI SAN, a SPIFFE ID), or undefined. */
export function spiffeIdOf(cert: ParsedCertificate): string | undefined {
  const uris = cert.subjectAltNames.uri;
  return uris.length === 1 && isSpiffeId(uris[0]!) ? uris[0] : undefined;
}

/** RFC 5952 text for an IPv6 address (zero run compressed), dotted quad for IPv4. */
export function ipToText(b: Uint8Array): string {
  if (b.length === 4) return b.join('.');
  const groups: number[] = [];
  for (let i = 0; i < b.length; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  // The longest run of two or more zero groups becomes "::" (the first, on a tie).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (g: number[]): string => g.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(groups);
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}

/** The identity of a certificate (normally the verified leaf); `sha256` hashes its SPKI (default: the default provider's). */
export function peerIdentity(cert: ParsedCertificate, sha256?: HashAlgorithm): PeerIdentity {
  const san = cert.subjectAltNames;
  return {
    subject: cert.subject.text,
    commonName: commonName(cert.subject),
    dns: san.dns,
    ip: san.ip.map(ipToText),
    uri: san.uri,
    email: san.email,
    spiffeId: spiffeIdOf(cert),
    spkiSha256: spkiSha256(cert, sha256),
  };
}

/**
 * A pin as written by people: 64 hex digits (colons allowed, as `openssl … -c` prints) or 44
 * characters of base64 (RFC 7469 pin-sha256), optionally prefixed "sha256/" or "sha256:".
 */
export function parsePin(text: string): Uint8Array {
  const t = text.trim().replace(/^sha256[/:]/i, '');
  const hex = t.replace(/:/g, '');
  if (/^[0-9a-fA-F]{64}$/.test(hex)) return fromHex(hex.toLowerCase());
  try {
    const b = base64Decode(t);
    if (b.length === 32) return b;
  } catch {
    /* reported below */
  }
  throw new TypeError(`not a SHA-256 pin (64 hex digits or 44 base64 characters): ${JSON.stringify(text)}`);
}

/** Hex and base64 forms of a pin, for display. */
export function formatPin(pin: Uint8Array): { hex: string; base64: string } {
  return { hex: toHex(pin), base64: base64Encode(pin) };
}

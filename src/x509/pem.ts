// PEM (RFC 7468): "-----BEGIN label-----", base64 body, "-----END label-----".
// Text outside the blocks is ignored (RFC 7468 §2 allows explanatory text).

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map<string, number>([...B64].map((c, i) => [c, i]));

export function base64Encode(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = ((b[i] ?? 0) << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    s += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]!;
    s += i + 1 < b.length ? B64[(n >> 6) & 63]! : '=';
    s += i + 2 < b.length ? B64[n & 63]! : '=';
  }
  return s;
}

/** Strict base64 (RFC 4648 §4) after removing whitespace; throws TypeError. */
export function base64Decode(text: string): Uint8Array {
  const s = text.replace(/\s+/g, '');
  if (s.length % 4 !== 0) throw new TypeError('base64: length is not a multiple of 4');
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = s[i + j]!;
      const last = i + 4 === s.length;
      if (c === '=' && last && j >= 4 - pad) {
        n <<= 6;
        continue;
      }
      const v = B64_INDEX.get(c);
      if (v === undefined) throw new TypeError(`base64: invalid character ${JSON.stringify(c)}`);
      n = (n << 6) | v;
    }
    if (o < out.length) out[o++] = (n >> 16) & 0xff;
    if (o < out.length) out[o++] = (n >> 8) & 0xff;
    if (o < out.length) out[o++] = n & 0xff;
  }
  return out;
}

export interface PemBlock {
  label: string;
  der: Uint8Array;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]*)-----([\s\S]*?)-----END ([A-Z0-9 ]*)-----/g;

/** All PEM blocks in `text`, in order. Throws TypeError on malformed or encrypted blocks. */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const label = m[1]!;
    if (m[3] !== label) throw new TypeError(`PEM: BEGIN ${label} closed by END ${m[3]}`);
    const body = m[2]!;
    // RFC 1421 headers (e.g. "Proc-Type: 4,ENCRYPTED") mean a legacy encrypted key.
    if (/^[ \t]*[A-Za-z-]+:/m.test(body)) throw new TypeError(`PEM: ${label} has headers (encrypted PEM is not supported)`);
    let der: Uint8Array;
    try {
      der = base64Decode(body);
    } catch (e) {
      throw new TypeError(`PEM: ${label}: ${(e as Error).message}`);
    }
    out.push({ label, der });
  }
  return out;
}

/** DER contents of the PEM blocks in `text`, optionally only those with `label` (e.g. "CERTIFICATE"). */
export function pemDecode(text: string, label?: string): Uint8Array[] {
  return pemBlocks(text)
    .filter((b) => label === undefined || b.label === label)
    .map((b) => b.der);
}

/** RFC 7468 §2: 64-character lines, trailing newline. */
export function pemEncode(der: Uint8Array, label: string): string {
  const b64 = base64Encode(der);
  let body = '';
  for (let i = 0; i < b64.length; i += 64) body += b64.slice(i, i + 64) + '\n';
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}

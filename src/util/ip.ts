// IP literal parsing (for SNI, RFC 6066 §3, and IP SAN matching, RFC 6125 §6.2.1).

/** The 4 or 16 address bytes of an IPv4 dotted-quad or IPv6 literal (optionally in brackets), else undefined. */
export function parseIpLiteral(text: string): Uint8Array | undefined {
  const s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return parseIPv4(s) ?? parseIPv6(s);
}

export const isIpLiteral = (text: string): boolean => parseIpLiteral(text) !== undefined;

function parseIPv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    // Strict: decimal only, no leading zeros (they mean octal to some parsers).
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

function parseIPv6(s: string): Uint8Array | undefined {
  if (!s.includes(':')) return undefined;
  let tail: Uint8Array | undefined;
  let body = s;
  // An embedded IPv4 tail (::ffff:1.2.3.4).
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tail = parseIPv4(s.slice(lastColon + 1));
    if (!tail) return undefined;
    body = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string): number[] | undefined => {
    if (h === '') return [];
    const groups = h.split(':');
    const out: number[] = [];
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const total = head.length + rest.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const words = [...head, ...new Array<number>(8 - total).fill(0), ...rest];
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  if (tail) out.set(tail, 12);
  return out;
}

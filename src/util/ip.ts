// IP literal parsing, shared by SNI handling (RFC 6066 §3: no IP literals in server_name) and
// iPAddress SAN matching (RFC 6125 §6.2.1).

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

export const isIpLiteral = (text: string): boolean => parseIpAddress(text) !== undefined;

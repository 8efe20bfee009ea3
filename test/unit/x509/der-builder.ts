// Hand-built DER for the defects mint cannot express (odd GeneralName forms, bad masks).

/** One TLV: `tag` is the identifier octet; the contents are the parts concatenated. */
export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const length = parts.reduce((n, p) => n + p.length, 0);
  let header: number[];
  if (length < 0x80) header = [tag, length];
  else if (length < 0x100) header = [tag, 0x81, length];
  else if (length < 0x10000) header = [tag, 0x82, length >> 8, length & 0xff];
  else header = [tag, 0x83, length >> 16, (length >> 8) & 0xff, length & 0xff];
  const out = new Uint8Array(header.length + length);
  out.set(header);
  let off = header.length;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
export const seq = (...parts: Uint8Array[]): Uint8Array => tlv(0x30, ...parts);

/** OID 1.3.6.1.4.1.311.20.2.3 (Microsoft UPN), a common otherName type-id. */
export const UPN_OID = Uint8Array.of(0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x14, 0x02, 0x03);

/** otherName [0] { type-id, [0] EXPLICIT UTF8String value } (RFC 5280 §4.2.1.6). */
export const otherName = (value: string): Uint8Array => tlv(0xa0, UPN_OID, tlv(0xa0, tlv(0x0c, ascii(value))));
export const dnsName = (value: string): Uint8Array => tlv(0x82, ascii(value));
export const registeredId = (): Uint8Array => tlv(0x88, Uint8Array.of(0x2a, 0x03, 0x04));

/** NameConstraints { permittedSubtrees [0] …, excludedSubtrees [1] … } with one GeneralSubtree per base. */
export function nameConstraintsValue(permitted: Uint8Array[], excluded: Uint8Array[] = []): Uint8Array {
  const parts: Uint8Array[] = [];
  if (permitted.length) parts.push(tlv(0xa0, ...permitted.map((b) => seq(b))));
  if (excluded.length) parts.push(tlv(0xa1, ...excluded.map((b) => seq(b))));
  return seq(...parts);
}

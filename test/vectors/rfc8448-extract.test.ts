// The checked-in RFC 8448 JSON (vectors/rfc8448/*.json) equals a fresh extraction from the RFC text.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contentLines, defaultRfcPath, extractRfc8448, SECTIONS, serialize } from '../../vectors/rfc8448/extract.mjs';

// shared/rfc/rfc8448.txt beside the repository (or RFC8448_TXT); skipped when absent.
const rfcPath = defaultRfcPath();

describe.skipIf(rfcPath === undefined)('RFC 8448 extraction', () => {
  const text = rfcPath === undefined ? '' : readFileSync(rfcPath, 'utf8');
  const fresh = extractRfc8448(text);

  it('extracts every section', () => {
    expect(Object.keys(fresh).sort()).toEqual(Object.values(SECTIONS).sort());
  });

  it.each(Object.values(SECTIONS))('vectors/rfc8448/%s.json is up to date (node vectors/rfc8448/extract.mjs)', (name) => {
    const checkedIn = readFileSync(new URL(`../../vectors/rfc8448/${name}.json`, import.meta.url), 'utf8');
    expect(checkedIn).toBe(serialize(fresh[name]));
  });

  it('drops page breaks inside hex blocks', () => {
    const lines = contentLines(text);
    expect(lines.some((l) => l.includes('\f') || /^Thomson\s+Informational/.test(l) || /^RFC 8448\s+TLS 1\.3 Traces/.test(l))).toBe(false);
    // §4's ClientHello is split by the page 16/17 break in the RFC text.
    expect(text.indexOf('[Page 16]')).toBeGreaterThan(0);
  });

  it('fails loudly on a malformed hex block', () => {
    const broken = text.replace('      secret (32 octets):  33 ad 0a 1c 60 7e c0 3b 09 e6 cd 98 93 68 0c', '      secret (32 octets):  33 ad 0a 1c 60 7e c0 3b 09 e6 cd 98 93 68');
    expect(broken).not.toBe(text);
    expect(() => extractRfc8448(broken)).toThrow(/octets/);
  });
});

// HKDF-Expand-Label and Derive-Secret (RFC 8446 §7.1) against every expansion printed in RFC 8448.

import { describe, expect, it } from 'vitest';
import { deriveSecret, emptyHash, hkdfExpandLabel, hkdfLabel } from '../../../src/keyschedule/index.js';
import { TlsError } from '../../../src/errors.js';
import { fromHex, toHex, utf8 } from '../../../src/util/bytes.js';
import { loadTrace, TRACE_NAMES, type TraceStep } from '../../../vectors/rfc8448/index.js';
import { SHA256, SHA384 } from '../../helpers/suites.js';

/** The steps of one action, by label. */
function byAction(steps: TraceStep[]): Map<number, Map<string, TraceStep>> {
  const out = new Map<number, Map<string, TraceStep>>();
  for (const s of steps) {
    let m = out.get(s.seq);
    if (!m) out.set(s.seq, (m = new Map()));
    m.set(s.label, s);
  }
  return out;
}

/** "tls13 xxx" from the RFC's info bytes: uint16 length, then label<7..255>. */
function labelOf(info: string): string {
  const b = fromHex(info);
  const len = b[2]!;
  return new TextDecoder().decode(b.subarray(3, 3 + len)).replace(/^tls13 /, '');
}

interface Expansion {
  where: string;
  prk: string;
  label: string;
  context: string;
  info: string;
  expanded: string;
}

/** Every HKDF-Expand-Label printed in RFC 8448 §3..§7 (derive secret, traffic keys, finished, resumption). */
function expansions(): Expansion[] {
  const out: Expansion[] = [];
  for (const name of TRACE_NAMES) {
    const trace = loadTrace(name);
    for (const [seq, m] of byAction(trace.steps)) {
      const prk = m.get('PRK');
      if (!prk) continue;
      const where = `${name} #${seq} ${prk.side} ${prk.action}`;
      const info = m.get('info');
      const expanded = m.get('expanded');
      if (info && expanded) {
        out.push({ where, prk: prk.hex, label: labelOf(info.hex), context: m.get('hash')?.hex ?? '', info: info.hex, expanded: expanded.hex });
      }
      for (const k of ['key', 'iv']) {
        const ki = m.get(`${k} info`);
        const ke = m.get(`${k} expanded`);
        if (ki && ke) out.push({ where: `${where} (${k})`, prk: prk.hex, label: k, context: '', info: ki.hex, expanded: ke.hex });
      }
    }
  }
  return out;
}

describe('HKDF-Expand-Label (RFC 8446 §7.1) against RFC 8448', () => {
  const all = expansions();

  it('finds the printed expansions', () => {
    // 59 derive/finished/resumption expansions and 21 key/iv pairs in RFC 8448.
    expect(all.length).toBe(59 + 2 * 21);
  });

  it.each(all.map((e) => [e.where, e] as const))('%s', (_where, e) => {
    const length = e.expanded.length / 2;
    expect(toHex(hkdfLabel(e.label, fromHex(e.context), length))).toBe(e.info);
    expect(toHex(hkdfExpandLabel(SHA256, fromHex(e.prk), e.label, fromHex(e.context), length))).toBe(e.expanded);
  });
});

describe('Derive-Secret (RFC 8446 §7.1)', () => {
  const trace = loadTrace('simple-1rtt');

  it('is HKDF-Expand-Label with the transcript hash and Hash.length', () => {
    const hs = trace.value('handshake_secret');
    const th = trace.value('hash_for_c_hs_traffic');
    expect(toHex(deriveSecret(SHA256, hs, 'c hs traffic', th))).toBe(trace.index.c_hs_traffic);
    expect(deriveSecret(SHA256, hs, 'c hs traffic', th)).toEqual(hkdfExpandLabel(SHA256, hs, 'c hs traffic', th, 32));
  });

  it('derives "derived" over the empty transcript', () => {
    expect(toHex(emptyHash(SHA256))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(deriveSecret(SHA256, trace.value('early_secret'), 'derived', emptyHash(SHA256)))).toBe(
      trace.index.derived_for_handshake,
    );
  });

  it('rejects a transcript hash of the wrong length', () => {
    expect(() => deriveSecret(SHA256, new Uint8Array(32), 'derived', new Uint8Array(48))).toThrow(TlsError);
    expect(() => deriveSecret(SHA384, new Uint8Array(48), 'derived', new Uint8Array(32))).toThrow(TlsError);
  });

  it('uses Hash.length for SHA-384', () => {
    expect(deriveSecret(SHA384, new Uint8Array(48), 'derived', emptyHash(SHA384)).length).toBe(48);
  });
});

describe('HkdfLabel encoding (RFC 8446 §7.1)', () => {
  it('encodes length, "tls13 " label and context', () => {
    expect(toHex(hkdfLabel('key', new Uint8Array(0), 16))).toBe('0010' + '09' + toHex(utf8('tls13 key')) + '00');
    expect(toHex(hkdfLabel('x', Uint8Array.of(1, 2), 0x1234))).toBe('1234' + '07' + toHex(utf8('tls13 x')) + '02' + '0102');
  });

  it('accepts the limits and rejects past them', () => {
    expect(hkdfLabel('a'.repeat(249), new Uint8Array(255), 0xffff).length).toBe(2 + 1 + 255 + 1 + 255);
    expect(() => hkdfLabel('a'.repeat(250), new Uint8Array(0), 32)).toThrow(TlsError);
    expect(() => hkdfLabel('a', new Uint8Array(256), 32)).toThrow(TlsError);
    expect(() => hkdfLabel('a', new Uint8Array(0), 0x10000)).toThrow(TlsError);
    expect(() => hkdfLabel('a', new Uint8Array(0), -1)).toThrow(TlsError);
  });

  it('refuses an expansion longer than 255 * Hash.length (RFC 5869 §2.3)', () => {
    expect(() => hkdfExpandLabel(SHA256, new Uint8Array(32), 'x', new Uint8Array(0), 255 * 32 + 1)).toThrow(TlsError);
  });
});

// Exported keying material (RFC 8446 §7.5).

import { describe, expect, it } from 'vitest';
import { expand } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { exportKeyingMaterial } from '../../../src/keyschedule/index.js';
import { TlsUsageError } from '../../../src/errors.js';
import { concatBytes, utf8 } from '../../../src/util/bytes.js';
import { loadTrace } from '../../../vectors/rfc8448/index.js';
import { SHA256, SHA384 } from '../../helpers/suites.js';

const simple = loadTrace('simple-1rtt');
const ems = simple.value('exp_master');

/** Independent construction: HkdfLabel built by hand, HKDF-Expand straight from @noble/hashes. */
function manualLabel(label: string, context: Uint8Array, length: number): Uint8Array {
  const l = utf8(`tls13 ${label}`);
  return concatBytes(Uint8Array.of(length >> 8, length & 255, l.length), l, Uint8Array.of(context.length), context);
}
function manualExporter(secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
  const inner = expand(sha256, secret, manualLabel(label, sha256(new Uint8Array(0)), 32), 32);
  return expand(sha256, inner, manualLabel('exporter', sha256(context), length), length);
}

describe('exportKeyingMaterial (RFC 8446 §7.5)', () => {
  it('matches an independent construction over RFC 8448 §3 exporter_master_secret', () => {
    const ctx = utf8('context value');
    expect(exportKeyingMaterial(SHA256, ems, 'EXPERIMENTAL test', ctx, 32)).toEqual(manualExporter(ems, 'EXPERIMENTAL test', ctx, 32));
    expect(exportKeyingMaterial(SHA256, ems, 'EXPERIMENTAL test', undefined, 20)).toEqual(
      manualExporter(ems, 'EXPERIMENTAL test', new Uint8Array(0), 20),
    );
  });

  it('is deterministic', () => {
    const a = exportKeyingMaterial(SHA256, ems, 'EXPORTER-test', Uint8Array.of(1, 2, 3), 42);
    const b = exportKeyingMaterial(SHA256, ems, 'EXPORTER-test', Uint8Array.of(1, 2, 3), 42);
    expect(a).toEqual(b);
    expect(a.length).toBe(42);
  });

  it('no context is the same as an empty context', () => {
    expect(exportKeyingMaterial(SHA256, ems, 'EXPORTER-test', undefined, 32)).toEqual(
      exportKeyingMaterial(SHA256, ems, 'EXPORTER-test', new Uint8Array(0), 32),
    );
  });

  it('depends on label, context, length and secret', () => {
    const base = exportKeyingMaterial(SHA256, ems, 'EXPORTER-a', Uint8Array.of(1), 32);
    expect(exportKeyingMaterial(SHA256, ems, 'EXPORTER-b', Uint8Array.of(1), 32)).not.toEqual(base);
    expect(exportKeyingMaterial(SHA256, ems, 'EXPORTER-a', Uint8Array.of(2), 32)).not.toEqual(base);
    // The length is in HkdfLabel: a shorter output is not a prefix.
    expect(exportKeyingMaterial(SHA256, ems, 'EXPORTER-a', Uint8Array.of(1), 16)).not.toEqual(base.subarray(0, 16));
    expect(exportKeyingMaterial(SHA256, simple.value('res_master'), 'EXPORTER-a', Uint8Array.of(1), 32)).not.toEqual(base);
  });

  it('hashes long contexts (no 255-byte limit on the context value)', () => {
    expect(exportKeyingMaterial(SHA256, ems, 'EXPORTER-a', new Uint8Array(1000), 32).length).toBe(32);
    expect(exportKeyingMaterial(SHA384, new Uint8Array(48), 'EXPORTER-a', new Uint8Array(1000), 48).length).toBe(48);
  });

  it('rejects a label too long for HkdfLabel and an out-of-range length', () => {
    expect(() => exportKeyingMaterial(SHA256, ems, 'a'.repeat(250), undefined, 32)).toThrow(TlsUsageError);
    expect(exportKeyingMaterial(SHA256, ems, 'a'.repeat(249), undefined, 32).length).toBe(32);
    expect(() => exportKeyingMaterial(SHA256, ems, 'x', undefined, 255 * 32 + 1)).toThrow(TlsUsageError);
    expect(() => exportKeyingMaterial(SHA256, ems, 'x', undefined, -1)).toThrow(TlsUsageError);
    expect(exportKeyingMaterial(SHA256, ems, 'x', undefined, 0).length).toBe(0);
  });
});

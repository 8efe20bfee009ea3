import { describe, expect, it } from 'vitest';
import { AlertDescription, AlertLevel } from '../../../src/errors.js';
import { decodeAlert, encodeAlert } from '../../../src/record/alert.js';
import { alertOf } from '../../helpers/record.js';

describe('alerts (RFC 8446 §6)', () => {
  it('encodes level then description', () => {
    expect(encodeAlert(AlertLevel.fatal, AlertDescription.bad_record_mac)).toEqual(Uint8Array.of(2, 20));
    expect(encodeAlert(AlertLevel.warning, AlertDescription.close_notify)).toEqual(Uint8Array.of(1, 0));
  });

  it('decodes exactly two bytes, keeping unknown values', () => {
    expect(decodeAlert(Uint8Array.of(2, 40))).toEqual({ level: 2, description: 40 });
    expect(decodeAlert(Uint8Array.of(7, 255))).toEqual({ level: 7, description: 255 });
  });

  it('rejects any other length with decode_error', () => {
    for (const n of [0, 1, 3, 4]) expect(alertOf(() => decodeAlert(new Uint8Array(n)))).toBe(AlertDescription.decode_error);
  });

  it('rejects non-uint8 fields when encoding', () => {
    expect(alertOf(() => encodeAlert(256, 0))).toBe(AlertDescription.internal_error);
    expect(alertOf(() => encodeAlert(2, -1))).toBe(AlertDescription.internal_error);
  });
});

// Random and mutated input to the decoders: the only thing they may throw is TlsError,
// and whatever they accept must re-encode to the same bytes.

import { describe, expect, it } from 'vitest';
import { TlsError } from '../../src/errors.js';
import { fromHex, toHex } from '../../src/util/bytes.js';
import { HandshakeType } from '../../src/wire/codepoints.js';
import * as ext from '../../src/wire/extensions.js';
import { formatHandshake } from '../../src/wire/format.js';
import { decodeHandshake, encodeHandshake } from '../../src/wire/messages.js';
import { prng, withHeader } from '../helpers/wire.js';
import { RFC8448 } from '../vectors/rfc8448-messages.js';

const TYPES = Object.values(HandshakeType);

/** Decode; on success check it re-encodes exactly and formats; on failure require a TlsError. */
function probe(bytes: Uint8Array): 'ok' | 'error' {
  let msg;
  try {
    msg = decodeHandshake(bytes);
  } catch (e) {
    if (!(e instanceof TlsError)) throw new Error(`non-TlsError for ${toHex(bytes)}: ${String(e)}`, { cause: e });
    return 'error';
  }
  expect(toHex(encodeHandshake(msg))).toBe(toHex(bytes));
  expect(typeof formatHandshake(msg)).toBe('string');
  return 'ok';
}

describe('decodeHandshake under random input', () => {
  it('fully random bytes (a few thousand)', () => {
    const rnd = prng(0x5eed);
    for (let i = 0; i < 3000; i++) probe(rnd.bytes(rnd.int(64)));
  });

  it('random bodies behind a valid header for every known type', () => {
    const rnd = prng(42);
    let ok = 0;
    for (let i = 0; i < 5000; i++) {
      const type = TYPES[rnd.int(TYPES.length)]!;
      if (probe(withHeader(type, rnd.bytes(rnd.int(80)))) === 'ok') ok++;
    }
    // Finished, message_hash, some KeyUpdate and EndOfEarlyData bodies do decode.
    expect(ok).toBeGreaterThan(0);
  });

  it('mutations of the RFC 8448 messages (byte flips, inserts, deletes)', () => {
    const rnd = prng(7);
    const seeds = Object.values(RFC8448).map((x) => fromHex(x));
    let ok = 0;
    for (let i = 0; i < 6000; i++) {
      const base = seeds[rnd.int(seeds.length)]!;
      let body = base.slice(4);
      const op = rnd.int(3);
      const at = rnd.int(body.length + 1);
      if (op === 0 && body.length > 0) body[Math.min(at, body.length - 1)]! ^= 1 << rnd.int(8);
      else if (op === 1) body = Uint8Array.from([...body.subarray(0, at), rnd.int(256), ...body.subarray(at)]);
      else body = Uint8Array.from([...body.subarray(0, at), ...body.subarray(at + 1)]);
      if (probe(withHeader(base[0]!, body)) === 'ok') ok++;
    }
    expect(ok).toBeGreaterThan(0);
  });
});

describe('extension decoders under random input', () => {
  const decoders: [string, (d: Uint8Array) => unknown][] = [
    ['server_name', ext.decodeServerNameList],
    ['groups', ext.decodeNamedGroupList],
    ['schemes', ext.decodeSignatureSchemeList],
    ['alpn', ext.decodeAlpnList],
    ['versions client', ext.decodeSupportedVersionsClient],
    ['versions server', ext.decodeSupportedVersionsServer],
    ['cookie', ext.decodeCookie],
    ['key_share client', ext.decodeKeyShareClient],
    ['key_share server', ext.decodeKeyShareServer],
    ['key_share hrr', ext.decodeKeyShareHrr],
    ['psk modes', ext.decodePskKeyExchangeModes],
    ['psk client', ext.decodePreSharedKeyClient],
    ['psk server', ext.decodePreSharedKeyServer],
    ['early_data', ext.decodeEarlyDataTicket],
    ['CAs', ext.decodeCertificateAuthorities],
    ['oid_filters', ext.decodeOidFilters],
    ['status_request', ext.decodeStatusRequest],
    ['certificate status', ext.decodeCertificateStatus],
    ['record_size_limit', ext.decodeRecordSizeLimit],
  ];
  it.each(decoders)('%s throws only TlsError', (_n, decode) => {
    const rnd = prng(99);
    for (let i = 0; i < 2000; i++) {
      const len = rnd.int(48);
      const b = rnd.bytes(len);
      // Make a plausible outer length prefix half the time, to get past the first check.
      if (len >= 2 && rnd.int(2) === 0) {
        b[0] = (len - 2) >> 8;
        b[1] = (len - 2) & 0xff;
      }
      try {
        decode(b);
      } catch (e) {
        if (!(e instanceof TlsError)) throw e;
      }
    }
  });
});

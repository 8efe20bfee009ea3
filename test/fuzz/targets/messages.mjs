// Fuzz target: every message and extension decoder. What decodes must re-encode to the same
// bytes (decode → encode round trip) and format for traces; anything else may only fail with
// a TlsError. The first byte picks the decoder: 0–127 handshake messages, the rest extensions.

import { decodeHandshake, encodeHandshake } from '../../../dist/src/wire/messages.js';
import { formatHandshake } from '../../../dist/src/wire/format.js';
import * as ext from '../../../dist/src/wire/extensions.js';
import { onlyTlsErrors } from './common.mjs';

const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** [decode, encode] pairs; encode undefined when the decoder has no exact inverse to check. */
const EXTENSIONS = [
  [ext.decodeServerNameList, ext.encodeServerNameList],
  [ext.decodeNamedGroupList, ext.encodeNamedGroupList],
  [ext.decodeSignatureSchemeList, ext.encodeSignatureSchemeList],
  [ext.decodeAlpnList, ext.encodeAlpnList],
  [ext.decodeSupportedVersionsClient, ext.encodeSupportedVersionsClient],
  [ext.decodeSupportedVersionsServer, ext.encodeSupportedVersionsServer],
  [ext.decodeCookie, ext.encodeCookie],
  [ext.decodeKeyShareClient, ext.encodeKeyShareClient],
  [ext.decodeKeyShareServer, ext.encodeKeyShareServer],
  [ext.decodeKeyShareHrr, ext.encodeKeyShareHrr],
  [ext.decodePskKeyExchangeModes, ext.encodePskKeyExchangeModes],
  [ext.decodePreSharedKeyClient, ext.encodePreSharedKeyClient],
  [ext.decodePreSharedKeyServer, ext.encodePreSharedKeyServer],
  [ext.decodeEarlyDataTicket, ext.encodeEarlyDataTicket],
  [ext.decodeCertificateAuthorities, ext.encodeCertificateAuthorities],
  [ext.decodeOidFilters, ext.encodeOidFilters],
  [ext.decodeStatusRequest, ext.encodeStatusRequest],
  [ext.decodeCertificateStatus, ext.encodeCertificateStatus],
  [ext.decodeRecordSizeLimit, ext.encodeRecordSizeLimit],
];
const CONTEXTS = ['CH', 'SH', 'HRR', 'EE', 'CR', 'CT', 'NST'];

export function fuzz(input) {
  if (input.length === 0) return;
  const sel = input[0];
  const data = input.subarray(1);
  if (sel < 128) {
    let msg;
    onlyTlsErrors(() => {
      msg = decodeHandshake(data);
    });
    if (msg === undefined) return;
    const again = encodeHandshake(msg);
    if (!equal(again, data)) throw new Error(`handshake message ${data[0]} does not re-encode to the same bytes`);
    if (typeof formatHandshake(msg) !== 'string') throw new Error('formatHandshake did not return a string');
    return;
  }
  if (sel >= 248) {
    // Placement rules over a whole extension block.
    const list = [];
    for (let off = 0; off + 4 <= data.length; ) {
      const len = Math.min((data[off + 2] << 8) | data[off + 3], data.length - off - 4);
      list.push({ type: (data[off] << 8) | data[off + 1], data: data.subarray(off + 4, off + 4 + len) });
      off += 4 + len;
    }
    onlyTlsErrors(() => ext.validateExtensions(CONTEXTS[sel % CONTEXTS.length], list));
    return;
  }
  const [decode, encode] = EXTENSIONS[sel % EXTENSIONS.length];
  let value;
  let ok = false;
  onlyTlsErrors(() => {
    value = decode(data);
    ok = true;
  });
  if (!ok || !encode) return;
  const again = encode(value);
  if (!equal(again, data)) throw new Error(`extension codec ${decode.name} does not round-trip`);
}

// Fuzz target: the record deframer and the handshake joiner. The input is a byte stream cut
// into pushes of sizes taken from its first byte; records that come out are fed to a handshake
// joiner (handshake type) or the alert decoder. Without keys (plaintext records), and with a
// fixed key (a protected record that opens is decoded as TLSInnerPlaintext).

import { RecordReader } from '../../../dist/src/record/reader.js';
import { HandshakeJoiner } from '../../../dist/src/record/handshake-joiner.js';
import { decodeAlert } from '../../../dist/src/record/alert.js';
import { AES_128_GCM } from '../../../dist/src/crypto/noble/index.js';
import { onlyTlsErrors } from './common.mjs';

const KEYS = { aead: AES_128_GCM, key: new Uint8Array(16).fill(1), iv: new Uint8Array(12).fill(2) };

export function fuzz(input) {
  if (input.length === 0) return;
  const step = (input[0] & 0x3f) + 1;
  const keyed = (input[0] & 0x40) !== 0;
  const data = input.subarray(1);
  const reader = new RecordReader({ maxBufferedBytes: 1 << 16 });
  if (keyed) reader.setKeys(KEYS);
  const joiner = new HandshakeJoiner({ maxMessageSize: 4096, maxCertificateMessageSize: 8192 });
  onlyTlsErrors(() => {
    for (let off = 0; off < data.length; off += step) {
      reader.push(data.subarray(off, off + step));
      for (let r = reader.next(); r; r = reader.next()) {
        if (r.type === 22) {
          joiner.push(r.data);
          while (joiner.next()) { /* drain */ }
        } else if (r.type === 21) {
          decodeAlert(r.data);
        }
      }
    }
  });
}

// Seed inputs for the fuzz targets, built from a real handshake (common.mjs script()) in the
// input formats the targets read. `node test/fuzz/run.mjs --seed` writes them.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { script } from './targets/common.mjs';

/** Encode `content` as the targets' innerPlaintexts chunks of one type (index into their table). */
function chunks(typeIndex, content) {
  const out = [];
  for (let off = 0; off < content.length || off === 0; ) {
    const rest = content.length - off;
    if (rest > 300) {
      out.push((30 << 3) | typeIndex, ...content.subarray(off, off + 300));
      off += 300;
    } else {
      out.push((31 << 3) | typeIndex, ...content.subarray(off));
      break;
    }
  }
  return out;
}
const cat = (...parts) => Uint8Array.from(parts.flatMap((p) => [...p]));
/** Split a flight into its records' handshake messages (plaintext records only). */
function messagesOf(flight) {
  const out = [];
  for (let off = 0; off + 5 <= flight.length; ) {
    const len = (flight[off + 3] << 8) | flight[off + 4];
    if (flight[off] === 22) {
      const body = flight.subarray(off + 5, off + 5 + len);
      for (let m = 0; m + 4 <= body.length; ) {
        const ml = (body[m + 1] << 16) | (body[m + 2] << 8) | body[m + 3];
        out.push(body.subarray(m, m + 4 + ml));
        m += 4 + ml;
      }
    }
    off += 5 + len;
  }
  return out;
}

export async function writeSeeds(dir) {
  const s = script();
  const seeds = {
    record: [cat([1], s.toServer[0]), cat([63], s.toClient[0]), cat([0x40 | 7], s.toClient[0]), cat([5], Uint8Array.of(21, 3, 3, 0, 2, 2, 40))],
    messages: [
      ...messagesOf(s.toServer[0]).map((m) => cat([0], m)),
      ...messagesOf(s.toClient[0]).map((m) => cat([0], m)),
      cat([0], Uint8Array.of(24, 0, 0, 1, 1)),
      cat([0], Uint8Array.of(4, 0, 0, 13, 0, 0, 0, 60, 0, 0, 0, 1, 1, 0, 0, 1, 7, 0, 0)),
    ],
    'engine-server': [
      cat([0], s.toServer[0]),
      cat([1], s.toServer[1]),
      // After the ClientHello: a client Finished-shaped message, an alert, a CCS.
      cat([2], chunks(0, Uint8Array.of(20, 0, 0, 32, ...new Uint8Array(32)))),
      cat([2], chunks(0, Uint8Array.of(11, 0, 0, 4, 0, 0, 0, 0))),
      cat([3], chunks(0, Uint8Array.of(24, 0, 0, 1, 1)), chunks(2, new TextEncoder().encode('hello'))),
      cat([3], chunks(1, Uint8Array.of(1, 0))),
      cat([4], Uint8Array.of(20, 3, 3, 0, 1, 1)),
    ],
    'engine-client': [
      cat([0], s.toClient[0]),
      cat([3], s.toClient[1] ?? new Uint8Array(0)),
      cat([1], chunks(0, Uint8Array.of(8, 0, 0, 2, 0, 0))),
      cat([2], chunks(0, Uint8Array.of(4, 0, 0, 13, 0, 0, 0, 60, 0, 0, 0, 1, 1, 0, 0, 1, 7, 0, 0))),
      cat([0x82], chunks(0, Uint8Array.of(13, 0, 0, 11, 2, 1, 2, 0, 6, 0, 13, 0, 2, 8, 7))),
      cat([2], chunks(0, Uint8Array.of(24, 0, 0, 1, 0)), chunks(2, new TextEncoder().encode('data'))),
    ],
  };
  let n = 0;
  for (const [target, list] of Object.entries(seeds)) {
    mkdirSync(join(dir, target), { recursive: true });
    list.forEach((bytes, i) => {
      writeFileSync(join(dir, target, `seed-${i}`), bytes);
      n++;
    });
  }
  return n;
}

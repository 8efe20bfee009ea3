// Cross-checks of the RFC 8448 data beyond the key schedule: the (EC)DHE shared secret
// follows from the printed ephemeral keys (RFC 8446 §7.4), and every protected record on the
// wire opens under the derived traffic keys (RFC 8446 §5.2, §5.3).

import { describe, expect, it } from 'vitest';
import { x25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import type { TrafficKeys } from '../../src/keyschedule/index.js';
import { bytesEqual, fromHex, toHex } from '../../src/util/bytes.js';
import { ContentType } from '../../src/wire/codepoints.js';
import { loadPrivateKeys, loadTrace, TRACE_NAMES, type Side } from '../../vectors/rfc8448/index.js';
import { suiteById } from '../helpers/suites.js';

describe.each(TRACE_NAMES)('RFC 8448 %s', (name) => {
  const trace = loadTrace(name);

  it('(EC)DHE shared secret from the ephemeral keys (RFC 8446 §7.4)', () => {
    const shared = trace.index.ecdhe_shared_secret;
    expect(shared).toBeDefined();
    const group = trace.index.server_p256_private_key !== undefined ? 'p256' : 'x25519';
    const cPriv = trace.value(`client_${group}_private_key`);
    const sPriv = trace.value(`server_${group}_private_key`);
    const cPub = trace.value(`client_${group}_public_key`);
    const sPub = trace.value(`server_${group}_public_key`);
    if (group === 'x25519') {
      expect(toHex(x25519.getPublicKey(cPriv))).toBe(toHex(cPub));
      expect(toHex(x25519.getPublicKey(sPriv))).toBe(toHex(sPub));
      expect(toHex(x25519.getSharedSecret(cPriv, sPub))).toBe(shared);
      expect(toHex(x25519.getSharedSecret(sPriv, cPub))).toBe(shared);
    } else {
      expect(toHex(p256.getPublicKey(cPriv, false))).toBe(toHex(cPub));
      expect(toHex(p256.getPublicKey(sPriv, false))).toBe(toHex(sPub));
      // RFC 8446 §7.4.2: the shared secret is the x-coordinate.
      expect(toHex(p256.getSharedSecret(cPriv, sPub).subarray(1))).toBe(shared);
      expect(toHex(p256.getSharedSecret(sPriv, cPub).subarray(1))).toBe(shared);
    }
  });

  it('every record on the wire: plaintext framing, or opens under the traffic keys in order', () => {
    const suite = suiteById(trace.cipherSuite);
    const innerType: Record<string, number> = {
      handshake: ContentType.handshake,
      application_data: ContentType.application_data,
      alert: ContentType.alert,
      change_cipher_spec: ContentType.change_cipher_spec,
    };
    // Each side's keys in the order it uses them, with a sequence number per key (RFC 8446 §5.3).
    const phases = (side: Side): { keys: TrafficKeys; seq: number }[] =>
      ['early', 'handshake', 'application']
        .filter((p) => trace.index[`${side}_${p}_key`] !== undefined)
        .map((p) => ({
          keys: { aead: suite.aead, key: trace.value(`${side}_${p}_key`), iv: trace.value(`${side}_${p}_iv`) },
          seq: 0,
        }));
    const state = { client: { at: 0, phases: phases('client') }, server: { at: 0, phases: phases('server') } };
    let opened = 0;
    for (const r of trace.records) {
      const record = fromHex(r.record);
      const payload = fromHex(r.payload);
      const header = record.subarray(0, 5);
      expect((header[3]! << 8) | header[4]!).toBe(record.length - 5);
      if (header[0] !== ContentType.application_data) {
        // Plaintext record: ContentType, legacy_record_version, length, fragment.
        expect(header[0]).toBe(innerType[r.type]);
        expect(toHex(record.subarray(5))).toBe(r.payload);
        continue;
      }
      const st = state[r.side];
      let plain: Uint8Array | null = null;
      for (let p = st.at; p < st.phases.length && plain === null; p++) {
        const ph = st.phases[p]!;
        const nonce = ph.keys.iv.slice();
        for (let k = 0, s = ph.seq; k < 8; k++, s = Math.floor(s / 256)) nonce[11 - k]! ^= s & 255;
        plain = suite.aead.create(ph.keys.key).open(nonce, header, record.subarray(5));
        if (plain !== null) {
          st.at = p;
          ph.seq++;
        }
      }
      expect(plain, `${r.side} ${r.type} record opens`).not.toBeNull();
      // RFC 8446 §5.2: TLSInnerPlaintext = content ‖ type ‖ zeros.
      let end = plain!.length - 1;
      while (end >= 0 && plain![end] === 0) end--;
      expect(plain![end]).toBe(innerType[r.type]);
      expect(bytesEqual(plain!.subarray(0, end), payload)).toBe(true);
      opened++;
    }
    expect(opened).toBeGreaterThan(0);
  });
});

describe('RFC 8448 §2 private key', () => {
  it('is a consistent RSA key (n = p·q, e·d ≡ 1, CRT values)', () => {
    const { rsa } = loadPrivateKeys();
    const big = (h: string): bigint => BigInt(`0x${h}`);
    const [n, e, d, p, q, dp, dq, qi] = [rsa.n, rsa.e, rsa.d, rsa.p, rsa.q, rsa.dp, rsa.dq, rsa.qi].map(big) as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
    expect(p * q).toBe(n);
    // d is an inverse of e modulo λ(n) (and so also if it was computed modulo φ(n)).
    expect((e * d) % lcm(p - 1n, q - 1n)).toBe(1n);
    expect(dp).toBe(d % (p - 1n));
    expect(dq).toBe(d % (q - 1n));
    expect((qi * q) % p).toBe(1n);
  });

  it('is the key in the server certificate of RFC 8448 §3', () => {
    const { rsa } = loadPrivateKeys();
    const cert = loadTrace('simple-1rtt').index.Certificate!;
    expect(cert).toContain(rsa.n);
  });
});

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
function lcm(a: bigint, b: bigint): bigint {
  return (a / gcd(a, b)) * b;
}

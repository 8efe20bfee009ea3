import { createECDH, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import {
  ALL_GROUPS,
  groupById,
  secp256r1Group,
  secp384r1Group,
  secp521r1Group,
  x25519Group,
  x448Group,
} from '../../../src/crypto/noble/groups.js';
import { defaultRandom } from '../../../src/crypto/noble/random.js';
import type { SyncKeyExchangeGroup } from '../../../src/crypto/provider.js';
import { AlertDescription, TlsError } from '../../../src/errors.js';
import { fromHex, toHex } from '../../../src/util/bytes.js';
import { NamedGroup } from '../../../src/wire/codepoints.js';
import { loadTrace } from '../../../vectors/rfc8448/index.js';
import { b64u, fromB64u, scriptedRandom } from '../../helpers/node-crypto.js';

function expectIllegalParameter(f: () => unknown): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(TlsError);
  expect((caught as TlsError).alert).toBe(AlertDescription.illegal_parameter);
}

const NIST: [SyncKeyExchangeGroup, typeof p256, string, number][] = [
  [secp256r1Group, p256, 'prime256v1', 32],
  [secp384r1Group, p384, 'secp384r1', 48],
  [secp521r1Group, p521, 'secp521r1', 66],
];

describe('group identities', () => {
  it('ids, names and lookup', () => {
    expect(ALL_GROUPS.map((g) => [g.id, g.name])).toEqual([
      [NamedGroup.x25519, 'x25519'],
      [NamedGroup.secp256r1, 'secp256r1'],
      [NamedGroup.secp384r1, 'secp384r1'],
      [NamedGroup.secp521r1, 'secp521r1'],
      [NamedGroup.x448, 'x448'],
    ]);
    for (const g of ALL_GROUPS) expect(groupById(g.id)).toBe(g);
    expect(groupById(NamedGroup.ffdhe2048)).toBeUndefined();
  });
});

describe('two-party agreement', () => {
  for (const g of ALL_GROUPS) {
    it(g.name, () => {
      const a = g.start(defaultRandom);
      const b = g.start(defaultRandom);
      expect(a.group).toBe(g.id);
      const s1 = a.complete(b.publicKey);
      const s2 = b.complete(a.publicKey);
      expect(toHex(s1)).toBe(toHex(s2));
      const expectedLen = { x25519: 32, x448: 56, secp256r1: 32, secp384r1: 48, secp521r1: 66 }[g.name];
      expect(s1).toHaveLength(expectedLen!);
    });
  }
});

describe('x25519 (RFC 8448 §3 and node:crypto)', () => {
  const trace = loadTrace('simple-1rtt');
  const clientPriv = trace.get('client', 'create an ephemeral x25519 key pair', 'private key');
  const clientPub = trace.get('client', 'create an ephemeral x25519 key pair', 'public key');
  const serverPriv = trace.get('server', 'create an ephemeral x25519 key pair', 'private key');
  const serverPub = trace.get('server', 'create an ephemeral x25519 key pair', 'public key');
  // RFC 8448 §3, {server} extract secret "handshake": IKM.
  const ikm = '8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d';

  it('injected private keys give the RFC public keys and shared secret', () => {
    expect(toHex(clientPriv)).toBe('49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005');
    const client = x25519Group.start(scriptedRandom(clientPriv));
    const server = x25519Group.start(scriptedRandom(serverPriv));
    expect(toHex(client.publicKey)).toBe(toHex(clientPub));
    expect(toHex(server.publicKey)).toBe(toHex(serverPub));
    expect(toHex(client.complete(serverPub))).toBe(ikm);
    expect(toHex(server.complete(clientPub))).toBe(ikm);
    expect(toHex(trace.value('handshake_ikm'))).toBe(ikm);
  });

  it('agrees with node:crypto', () => {
    for (let i = 0; i < 5; i++) {
      const nodeKp = generateKeyPairSync('x25519');
      const nodePub = fromB64u(nodeKp.publicKey.export({ format: 'jwk' }).x!);
      const ours = x25519Group.start(defaultRandom);
      const ourPubKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64u(ours.publicKey) }, format: 'jwk' });
      const nodeSecret = diffieHellman({ privateKey: nodeKp.privateKey, publicKey: ourPubKey });
      expect(toHex(ours.complete(nodePub))).toBe(nodeSecret.toString('hex'));
    }
    // Our public key from a node private key.
    const nodeKp = generateKeyPairSync('x25519');
    const jwk = nodeKp.privateKey.export({ format: 'jwk' });
    const ours = x25519Group.start(scriptedRandom(fromB64u(jwk.d!)));
    expect(b64u(ours.publicKey)).toBe(jwk.x);
  });

  it('rejects wrong lengths and shares that yield an all-zero secret', () => {
    const kx = x25519Group.start(defaultRandom);
    expectIllegalParameter(() => kx.complete(new Uint8Array(0)));
    expectIllegalParameter(() => kx.complete(new Uint8Array(31)));
    expectIllegalParameter(() => kx.complete(new Uint8Array(33)));
    expectIllegalParameter(() => kx.complete(new Uint8Array(32))); // u = 0
    const one = new Uint8Array(32);
    one[0] = 1;
    expectIllegalParameter(() => kx.complete(one)); // u = 1, order 1
    // An order-8 point (RFC 7748 §6.1 / cr.yp.to/ecdh.html#validate).
    expectIllegalParameter(() =>
      kx.complete(fromHex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800')),
    );
    // p itself (non-canonical encoding of 0).
    expectIllegalParameter(() =>
      kx.complete(fromHex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f')),
    );
  });
});

describe('x448', () => {
  it('agrees with node:crypto and rejects bad shares', () => {
    const nodeKp = generateKeyPairSync('x448');
    const nodePub = fromB64u(nodeKp.publicKey.export({ format: 'jwk' }).x!);
    const ours = x448Group.start(defaultRandom);
    expect(ours.publicKey).toHaveLength(56);
    const ourPubKey = createPublicKey({ key: { kty: 'OKP', crv: 'X448', x: b64u(ours.publicKey) }, format: 'jwk' });
    const nodeSecret = diffieHellman({ privateKey: nodeKp.privateKey, publicKey: ourPubKey });
    expect(toHex(ours.complete(nodePub))).toBe(nodeSecret.toString('hex'));
    expectIllegalParameter(() => ours.complete(new Uint8Array(32)));
    expectIllegalParameter(() => ours.complete(new Uint8Array(56))); // u = 0
  });
});

describe('NIST curves', () => {
  for (const [g, curve, nodeName, coordLen] of NIST) {
    describe(g.name, () => {
      it('uncompressed public key; agrees with node:crypto ECDH in both directions', () => {
        const nodeEcdh = createECDH(nodeName);
        nodeEcdh.generateKeys();
        const ours = g.start(defaultRandom);
        expect(ours.publicKey).toHaveLength(1 + 2 * coordLen);
        expect(ours.publicKey[0]).toBe(4);
        const nodeSecret = nodeEcdh.computeSecret(ours.publicKey);
        expect(toHex(ours.complete(nodeEcdh.getPublicKey()))).toBe(nodeSecret.toString('hex'));
        // Same private key in node gives the same public key.
        const d = randomBytes(coordLen);
        d[0] = 0; // keep it below n for every curve
        const injected = g.start(scriptedRandom(d));
        const ecdh2 = createECDH(nodeName);
        ecdh2.setPrivateKey(d);
        expect(toHex(injected.publicKey)).toBe(ecdh2.getPublicKey('hex'));
      });

      it('draws scalars until 1 <= d < n', () => {
        const n = curve.Point.Fn.ORDER;
        const zero = new Uint8Array(coordLen);
        const nBytes = fromHex(n.toString(16).padStart(coordLen * 2, '0'));
        const valid = new Uint8Array(coordLen);
        valid[coordLen - 1] = 7;
        const kx = g.start(scriptedRandom(zero, nBytes, valid));
        expect(toHex(kx.publicKey)).toBe(toHex(curve.getPublicKey(valid, false)));
        // All-ones: for P-521 the top 7 bits are masked, still >= n; then accepted value.
        const ones = new Uint8Array(coordLen).fill(0xff);
        const kx2 = g.start(scriptedRandom(ones, valid));
        expect(toHex(kx2.publicKey)).toBe(toHex(curve.getPublicKey(valid, false)));
      });

      it('rejects malformed shares with illegal_parameter', () => {
        const kx = g.start(defaultRandom);
        const peer = g.start(defaultRandom).publicKey;
        expectIllegalParameter(() => kx.complete(new Uint8Array(0)));
        expectIllegalParameter(() => kx.complete(peer.subarray(0, peer.length - 1)));
        expectIllegalParameter(() => kx.complete(new Uint8Array([...peer, 0])));
        // Compressed form of a valid point.
        const compressed = curve.Point.fromBytes(peer).toBytes(true);
        expectIllegalParameter(() => kx.complete(compressed));
        // Right length, wrong prefix.
        const badPrefix = peer.slice();
        badPrefix[0] = 0x06;
        expectIllegalParameter(() => kx.complete(badPrefix));
        // Off the curve: y + 1.
        const off = peer.slice();
        off[off.length - 1]! ^= 1;
        expectIllegalParameter(() => kx.complete(off));
        // The "identity" 0x04 || 0 || 0 and the identity encoding 0x00.
        const zeros = new Uint8Array(1 + 2 * coordLen);
        zeros[0] = 4;
        expectIllegalParameter(() => kx.complete(zeros));
        expectIllegalParameter(() => kx.complete(new Uint8Array([0])));
        // Coordinates >= p.
        const big = new Uint8Array(1 + 2 * coordLen).fill(0xff);
        big[0] = 4;
        expectIllegalParameter(() => kx.complete(big));
      });
    });
  }
});

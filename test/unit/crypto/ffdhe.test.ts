// FFDHE groups (RFC 7919; RFC 8446 §4.2.7, §4.2.8.1, §7.4.1): the primes against OpenSSL's, both
// providers against each other and node's DiffieHellman, key share checks, padding, and handshakes
// in memory for each group and provider pairing (off by default, on when named in `groups`).

import { execFileSync } from 'node:child_process';
import { createDiffieHellman } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FFDHE_PARAMS, type FfdheParams } from '../../../src/crypto/ffdhe.js';
import { FFDHE_GROUPS, nobleProvider } from '../../../src/crypto/noble/index.js';
import { NODE_FFDHE_GROUPS, nodeProvider } from '../../../src/crypto/node/index.js';
import { webCryptoProvider } from '../../../src/crypto/webcrypto/index.js';
import { providerGroup, type CryptoProvider, type KeyExchangeGroup, type SyncKeyExchange } from '../../../src/crypto/provider.js';
import { AlertDescription, TlsError } from '../../../src/errors.js';
import { groupByName, groupName, NamedGroup } from '../../../src/wire/codepoints.js';
import { runPair } from '../../helpers/scripted.js';
import { scriptedRandom, seededRandom } from './helpers.js';

const OPENSSL = process.env.OPENSSL ?? 'openssl';
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const big = (b: Uint8Array): bigint => BigInt('0x' + (hex(b) || '0'));
const bytesOf = (x: bigint, len: number): Uint8Array => new Uint8Array(Buffer.from(x.toString(16).padStart(len * 2, '0'), 'hex'));

const PROVIDERS: Record<string, { groups: readonly KeyExchangeGroup[] }> = { noble: { groups: FFDHE_GROUPS }, node: { groups: NODE_FFDHE_GROUPS } };
const groupOf = (provider: string, id: number): KeyExchangeGroup => PROVIDERS[provider]!.groups.find((g) => g.id === id)!;
const start = (g: KeyExchangeGroup, seed: number): SyncKeyExchange => g.start(seededRandom(seed)) as SyncKeyExchange;

function expectIllegal(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TlsError);
    expect((e as TlsError).alert).toBe(AlertDescription.illegal_parameter);
    return;
  }
  throw new Error('expected illegal_parameter');
}

describe('FFDHE parameters (RFC 7919 Appendix A)', () => {
  it('the primes and generator are OpenSSL’s ffdhe2048 … ffdhe8192', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ffdhe-'));
    try {
      for (const p of FFDHE_PARAMS) {
        const pem = join(dir, `${p.name}.pem`);
        execFileSync(OPENSSL, ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', `group:${p.name}`, '-out', pem], { stdio: 'pipe' });
        const text = execFileSync(OPENSSL, ['asn1parse', '-in', pem], { encoding: 'utf8' });
        // DHParameter ::= SEQUENCE { prime INTEGER, base INTEGER } (PKCS #3)
        const ints = [...text.matchAll(/prim: INTEGER\s+:([0-9A-F]+)/g)].map((m) => BigInt('0x' + m[1]!));
        expect(ints).toEqual([p.prime, 2n]);
        expect(p.byteLength * 8).toBe(Number(p.name.slice(5)));
        expect(hex(p.primeBytes)).toBe(p.prime.toString(16));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('code points and names (RFC 8446 §4.2.7), exponent sizes (RFC 7919 §5.2)', () => {
    expect(FFDHE_PARAMS.map((p) => [p.id, p.name, groupByName(p.name), groupName(p.id), p.exponentBits])).toEqual([
      [0x0100, 'ffdhe2048', 0x0100, 'ffdhe2048', 225],
      [0x0101, 'ffdhe3072', 0x0101, 'ffdhe3072', 275],
      [0x0102, 'ffdhe4096', 0x0102, 'ffdhe4096', 325],
      [0x0103, 'ffdhe6144', 0x0103, 'ffdhe6144', 375],
      [0x0104, 'ffdhe8192', 0x0104, 'ffdhe8192', 400],
    ]);
  });

  it('providers list them as optionalGroups, not in the default groups', () => {
    const ids = FFDHE_PARAMS.map((p) => p.id);
    for (const provider of [nobleProvider, nodeProvider, webCryptoProvider]) {
      expect(provider.groups.some((g) => ids.includes(g.id))).toBe(false);
      expect(provider.optionalGroups?.map((g) => g.id)).toEqual(ids);
      for (const id of ids) expect(providerGroup(provider, id)?.id).toBe(id);
    }
  });
});

describe('FFDHE key exchange', () => {
  for (const p of FFDHE_PARAMS) {
    it(`${p.name}: noble and node give the same shares and secrets as node's DiffieHellman`, () => {
      const a = start(groupOf('noble', p.id), 7);
      const b = start(groupOf('node', p.id), 7);
      // The same injected randomness gives the same key share with either provider.
      expect(a.publicKey.length).toBe(p.byteLength);
      expect(hex(b.publicKey)).toBe(hex(a.publicKey));
      const c = start(groupOf('node', p.id), 8);
      const ref = createDiffieHellman(Buffer.from(p.primeBytes), 2);
      ref.generateKeys();
      const refPub = new Uint8Array(ref.getPublicKey());
      const refPadded = bytesOf(big(refPub), p.byteLength);
      const expected = bytesOf(big(new Uint8Array(ref.computeSecret(Buffer.from(a.publicKey)))), p.byteLength);
      expect(hex(a.complete(refPadded))).toBe(hex(expected));
      expect(hex(b.complete(refPadded))).toBe(hex(expected));
      // noble ↔ node across the two providers.
      expect(hex(a.complete(c.publicKey))).toBe(hex(c.complete(a.publicKey)));
    });
  }

  it('the private exponent is exponentBits from the injected random, excess top bits masked', () => {
    for (const provider of ['noble', 'node']) {
      for (const p of FFDHE_PARAMS) {
        const len = (p.exponentBits + 7) >> 3;
        const kx = groupOf(provider, p.id).start(scriptedRandom(new Uint8Array(len).fill(0xff))) as SyncKeyExchange;
        const x = (1n << BigInt(p.exponentBits)) - 1n;
        const ref = createDiffieHellman(Buffer.from(p.primeBytes), 2);
        ref.setPrivateKey(Buffer.from(bytesOf(x, len)));
        ref.generateKeys();
        expect(big(kx.publicKey)).toBe(big(new Uint8Array(ref.getPublicKey())));
      }
    }
  });

  it('a drawn exponent below 2 is drawn again', () => {
    const p = FFDHE_PARAMS[0]!;
    const len = (p.exponentBits + 7) >> 3;
    const one = new Uint8Array(len);
    one[len - 1] = 1;
    const three = new Uint8Array(len);
    three[len - 1] = 3;
    for (const provider of ['noble', 'node']) {
      const kx = groupOf(provider, p.id).start(scriptedRandom(new Uint8Array(len), one, three)) as SyncKeyExchange;
      expect(big(kx.publicKey)).toBe(8n);
    }
  });

  it('invalid key shares → illegal_parameter (RFC 8446 §4.2.8.1 length, RFC 7919 §5.1 1 < Y < p-1)', () => {
    for (const provider of ['noble', 'node']) {
      for (const p of [FFDHE_PARAMS[0]!, FFDHE_PARAMS[1]!]) {
        const kx = start(groupOf(provider, p.id), 3);
        const n = p.byteLength;
        const bad: Uint8Array[] = [
          new Uint8Array(0),
          kx.publicKey.subarray(1), // one byte short (not left-padded)
          new Uint8Array([0, ...kx.publicKey]), // one byte long
          bytesOf(0n, n),
          bytesOf(1n, n),
          bytesOf(p.prime - 1n, n),
          bytesOf(p.prime, n),
          bytesOf(p.prime + 1n, n),
          new Uint8Array(n).fill(0xff),
        ];
        for (const share of bad) expectIllegal(() => kx.complete(share));
        // The edges inside the range are accepted.
        expect(kx.complete(bytesOf(2n, n)).length).toBe(n);
        expect(kx.complete(bytesOf(p.prime - 2n, n)).length).toBe(n);
      }
    }
  });

  it('a shared secret with a leading zero byte keeps it (RFC 8446 §7.4.1)', () => {
    const p: FfdheParams = FFDHE_PARAMS[0]!;
    const ours = start(groupOf('noble', p.id), 11);
    const oursNode = start(groupOf('node', p.id), 11);
    // Search for a peer share whose shared secret starts with 0x00 (about 1 in 256).
    let found: { share: Uint8Array; secret: Uint8Array } | undefined;
    for (let seed = 100; seed < 5000 && !found; seed++) {
      const peer = start(groupOf('noble', p.id), seed);
      const secret = peer.complete(ours.publicKey);
      if (secret[0] === 0) found = { share: peer.publicKey, secret };
    }
    expect(found).toBeDefined();
    const { share, secret } = found!;
    expect(secret.length).toBe(p.byteLength);
    expect(hex(ours.complete(share))).toBe(hex(secret));
    expect(hex(oursNode.complete(share))).toBe(hex(secret));
  });
});

describe('FFDHE handshakes in memory', () => {
  const providers: Record<string, CryptoProvider> = { noble: nobleProvider, node: nodeProvider };
  const pairs = [
    ['noble', 'noble'],
    ['node', 'node'],
    ['noble', 'node'],
    ['node', 'noble'],
  ] as const;
  for (const p of FFDHE_PARAMS) {
    for (const [c, s] of pairs) {
      it(`${p.name}: ${c} client ↔ ${s} server`, () => {
        const o = runPair({ client: { provider: providers[c]!, groups: [p.id] }, server: { provider: providers[s]!, groups: [p.id] } });
        expect(o.clientError).toBeUndefined();
        expect(o.serverError).toBeUndefined();
        expect(o.client.handshakeComplete && o.server.handshakeComplete).toBe(true);
        expect(o.client.parameters.group).toBe(p.id);
        expect(o.server.parameters.group).toBe(p.id);
      });
    }
  }

  it('webcrypto client (noble FFDHE) ↔ node server, ffdhe2048', async () => {
    const { createClientConnection, createServerConnection } = await import('../../../src/connection/index.js');
    const { connectPair } = await import('../../../src/testing/memory.js');
    const { testClientConfig, testServerConfig } = await import('../../helpers/scripted.js');
    const client = createClientConnection(testClientConfig({ provider: webCryptoProvider, groups: [NamedGroup.ffdhe2048] }));
    const server = createServerConnection(testServerConfig({ provider: nodeProvider, groups: [NamedGroup.ffdhe2048] }));
    await connectPair(client, server).run();
    expect(client.handshakeComplete && server.handshakeComplete).toBe(true);
    expect(client.parameters.group).toBe(NamedGroup.ffdhe2048);
  });

  it('off by default: a default client is not accepted by an FFDHE-only server, nor the reverse', () => {
    const a = runPair({ client: {}, server: { groups: [NamedGroup.ffdhe2048] } });
    expect(a.server.handshakeComplete).toBe(false);
    expect(a.serverError?.alert).toBe(AlertDescription.handshake_failure);
    const b = runPair({ client: { groups: [NamedGroup.ffdhe2048] }, server: {} });
    expect(b.server.handshakeComplete).toBe(false);
    expect(b.serverError?.alert).toBe(AlertDescription.handshake_failure);
    // The default is unchanged: x25519.
    const d = runPair({});
    expect(d.client.parameters.group).toBe(NamedGroup.x25519);
  });

  it('HelloRetryRequest to ffdhe3072 when the client sent an x25519 share', () => {
    const o = runPair({
      client: { groups: [NamedGroup.x25519, NamedGroup.ffdhe3072], keyShareGroups: [NamedGroup.x25519] },
      server: { groups: [NamedGroup.ffdhe3072] },
    });
    expect(o.clientError).toBeUndefined();
    expect(o.client.handshakeComplete).toBe(true);
    expect(o.client.parameters.helloRetryRequest).toBe(true);
    expect(o.client.parameters.group).toBe(NamedGroup.ffdhe3072);
  });
});

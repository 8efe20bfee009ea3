// The WebCrypto provider's parts that are not the shared conformance suite (providers.test.ts):
// certificate verifiers whose chain signatures SubtleCrypto verifies ahead of the synchronous
// validator, the signature format conversions, async signing keys, SubtleCrypto key exchange and
// CertificateVerify checks (pending steps in a handshake), and the fallback to noble.
import { describe, expect, it } from 'vitest';
import { createClientConnection, createServerConnection } from '../../../src/connection/index.js';
import type { ClientConfig, ServerConfig } from '../../../src/connection/config.js';
import type { Connection } from '../../../src/connection/types.js';
import { nobleProvider, signingKeyFromMaterial } from '../../../src/crypto/noble/index.js';
import { groupById } from '../../../src/crypto/noble/groups.js';
import type { PublicKey } from '../../../src/crypto/provider.js';
import {
  createWebCryptoProvider,
  derToP1363,
  p1363ToDer,
  subtleHandshakeVerifier,
  webCryptoProvider,
} from '../../../src/crypto/webcrypto/index.js';
import { WebCryptoClientVerifier, WebCryptoServerVerifier } from '../../../src/x509/webcrypto.js';
import { AlertDescription as A, CertificateError, PeerAlertError, TlsError } from '../../../src/errors.js';
import { encodeKeyShareServer } from '../../../src/wire/extensions.js';
import { ExtensionType, HandshakeType, NamedGroup, SignatureScheme } from '../../../src/wire/codepoints.js';
import type { HandshakeMessage } from '../../../src/wire/types.js';
import { p256 } from '@noble/curves/nist.js';
import { connectPair } from '../../../src/testing/memory.js';
import { fromHex, toHex } from '../../../src/util/bytes.js';
import { mintTestPki, type KeyType } from '../../../src/testing/mint.js';
import { settlePair } from '../../helpers/scripted.js';
import { WebPkiServerVerifier } from '../../../src/x509/verify.js';

describe('ECDSA signature formats', () => {
  it('DER ↔ r || s, strict DER only', () => {
    const der = fromHex('3006020101020102');
    expect(toHex(derToP1363(der, 32)!)).toBe(`${'00'.repeat(31)}01${'00'.repeat(31)}02`);
    expect(toHex(p1363ToDer(derToP1363(der, 32)!))).toBe('3006020101020102');
    const high = fromHex(`3046022100${'ff'.repeat(32)}022100${'80'.repeat(32)}`);
    expect(toHex(p1363ToDer(derToP1363(high, 32)!))).toBe(toHex(high));
    expect(derToP1363(fromHex('3006020201020102'), 32)).toBeUndefined(); // non-minimal
    expect(derToP1363(fromHex('30060201ff020102'), 32)).toBeUndefined(); // negative
    expect(derToP1363(fromHex('300602010102010200'), 32)).toBeUndefined(); // trailing byte
    expect(derToP1363(fromHex('3007020101020102'), 32)).toBeUndefined(); // wrong length
  });
});

describe.each(['p256', 'p384', 'rsa2048', 'ed25519'] as KeyType[])('WebCrypto verifiers, %s chain', async (keyType) => {
  const pki = await mintTestPki({ keyType, serverNames: ['localhost'] });
  const chain = [pki.server.certDer, pki.intermediate.certDer];
  const now = new Date();

  it('verify what WebPkiServerVerifier verifies, with SubtleCrypto answering every chain signature', async () => {
    const v = new WebCryptoServerVerifier({ trustAnchors: [pki.root.certDer] });
    const r = await v.verify({ chain, serverName: 'localhost', now });
    const ref = new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }).verify({ chain, serverName: 'localhost', now });
    expect(r.chain.map((c) => toHex(c.der))).toEqual(ref.chain.map((c) => toHex(c.der)));
    expect(r.identity).toEqual(ref.identity);
    expect(v.stats).toEqual({ prefetched: 2, fallback: 0 });
    await v.verify({ chain, serverName: 'localhost', now }); // the validator's cache: no more questions
    expect(v.stats).toEqual({ prefetched: 2, fallback: 0 });
  });

  it('refuse a forged signature and a wrong name, as WebPkiServerVerifier does', async () => {
    const v = new WebCryptoServerVerifier({ trustAnchors: [pki.root.certDer] });
    const forged = pki.server.certDer.slice();
    forged[forged.length - 5]! ^= 0x10;
    await expect(v.verify({ chain: [forged, pki.intermediate.certDer], serverName: 'localhost', now })).rejects.toSatisfy(
      (e: unknown) => e instanceof CertificateError && (e.check === 'signature' || e.check === 'parse'),
    );
    await expect(v.verify({ chain, serverName: 'other.test', now })).rejects.toSatisfy((e: unknown) => e instanceof CertificateError && e.check === 'hostname');
  });

  it('client certificates (clientAuth) through WebCryptoClientVerifier', async () => {
    const v = new WebCryptoClientVerifier({ trustAnchors: [pki.root.certDer] });
    expect(v.authorities.length).toBe(1);
    const r = await v.verify({ chain: [pki.client.certDer, pki.intermediate.certDer], now });
    expect(toHex(r.leaf.der)).toBe(toHex(pki.client.certDer));
  });

  it('a handshake with the webcrypto provider: async signing, SubtleCrypto chain verification', async () => {
    const verifier = new WebCryptoServerVerifier({ trustAnchors: [pki.root.certDer] });
    const client = createClientConnection({ provider: webCryptoProvider, serverName: 'localhost', verifier });
    const server = createServerConnection({
      provider: webCryptoProvider,
      certificateChain: chain,
      signingKey: webCryptoProvider.signingKey!(pki.server.key),
    });
    const p = await connectPair(client, server).handshake();
    expect(p.client.version).toBe('TLSv1.3');
    expect(verifier.stats.fallback).toBe(0);
  });
});

/** globalThis.crypto.subtle, counting calls by method; `refuse` makes a call reject as unsupported. */
function countingSubtle(counts: Map<string, number>, refuse?: (method: string, args: unknown[]) => boolean): SubtleCrypto {
  const real = globalThis.crypto.subtle;
  return new Proxy(real, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]): unknown => {
        counts.set(String(prop), (counts.get(String(prop)) ?? 0) + 1);
        if (refuse?.(String(prop), args)) return Promise.reject(new DOMException('refused', 'NotSupportedError'));
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const algName = (a: unknown): string | undefined => (typeof a === 'object' && a !== null && 'name' in a ? String(a.name) : typeof a === 'string' ? a : undefined);

describe('SubtleCrypto key exchange', () => {
  for (const id of [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.secp521r1]) {
    it(`group 0x${id.toString(16)}: a Promise from start and complete, computed by SubtleCrypto, agreeing with noble`, async () => {
      const counts = new Map<string, number>();
      const provider = createWebCryptoProvider({ subtle: countingSubtle(counts) });
      const g = provider.groups.find((x) => x.id === id)!;
      const started = g.start(provider.random);
      expect(started).toBeInstanceOf(Promise);
      const kx = await started;
      const peer = groupById(id)!.start(nobleProvider.random);
      const shared = kx.complete(peer.publicKey);
      expect(shared).toBeInstanceOf(Promise);
      expect(Buffer.from(await shared).toString('hex')).toBe(Buffer.from(peer.complete(kx.publicKey)).toString('hex'));
      expect(counts.get('importKey')).toBe(2); // our PKCS#8 key, the peer's raw share
      expect(counts.get('exportKey')).toBe(1);
      expect(counts.get('deriveBits')).toBe(1);
    });
  }

  it('x448 stays on noble (synchronous)', () => {
    const g = webCryptoProvider.groups.find((x) => x.id === NamedGroup.x448)!;
    expect(g.start(webCryptoProvider.random)).not.toBeInstanceOf(Promise);
  });

  it('a runtime that refuses X25519: the same key through noble, and noble (synchronous) from then on', async () => {
    const counts = new Map<string, number>();
    const provider = createWebCryptoProvider({ subtle: countingSubtle(counts, (m, args) => m === 'importKey' && algName(args[2]) === 'X25519') });
    const g = provider.groups.find((x) => x.id === NamedGroup.x25519)!;
    const seed = (out: Uint8Array): void => void out.fill(9);
    const first = await g.start(seed);
    const ref = groupById(NamedGroup.x25519)!.start(seed);
    expect(Buffer.from(first.publicKey).toString('hex')).toBe(Buffer.from(ref.publicKey).toString('hex'));
    const second = g.start(seed);
    expect(second).not.toBeInstanceOf(Promise);
    expect(counts.get('importKey')).toBe(1);
  });

  it('bad shares reject with illegal_parameter (after SubtleCrypto refused the point or the result)', async () => {
    for (const [id, bad] of [
      [NamedGroup.x25519, new Uint8Array(32)],
      [NamedGroup.x25519, new Uint8Array(31)],
      [NamedGroup.secp256r1, Uint8Array.of(4, ...new Uint8Array(64))],
      [NamedGroup.secp256r1, Uint8Array.of(4, ...new Uint8Array(64).fill(0xff))],
    ] as const) {
      const kx = await webCryptoProvider.groups.find((x) => x.id === id)!.start(webCryptoProvider.random);
      await expect(Promise.resolve().then(() => kx.complete(bad))).rejects.toSatisfy((e: unknown) => e instanceof TlsError && e.alert === A.illegal_parameter);
    }
  });
});

describe('SubtleCrypto CertificateVerify checks', () => {
  const msg = new TextEncoder().encode('TLS 1.3, server CertificateVerify');
  const sk = p256.utils.randomSecretKey();
  const key: PublicKey = { kind: 'ec', curve: 'P-256', point: p256.getPublicKey(sk, false) };
  const der = p256.sign(nobleProvider.hash('SHA-256').digest(msg), sk, { prehash: false, format: 'der' });
  const v = subtleHandshakeVerifier(globalThis.crypto.subtle, nobleProvider.verifier);

  it('a Promise: true for a good ECDSA signature, false for a wrong one, false for malformed DER (strict)', async () => {
    const ok = v.verify(SignatureScheme.ecdsa_secp256r1_sha256, key, msg, der);
    expect(ok).toBeInstanceOf(Promise);
    expect(await ok).toBe(true);
    const wrong = der.slice();
    wrong[wrong.length - 1]! ^= 1;
    expect(await v.verify(SignatureScheme.ecdsa_secp256r1_sha256, key, msg, wrong)).toBe(false);
    // A non-minimal INTEGER length: valid for a lax parser, not DER.
    const body = der.subarray(2);
    const lax = Uint8Array.from([0x30, 0x81, body.length, ...body]);
    expect(await v.verify(SignatureScheme.ecdsa_secp256r1_sha256, key, msg, lax)).toBe(false);
    expect(await v.verify(SignatureScheme.ecdsa_secp256r1_sha256, key, msg, new Uint8Array(0))).toBe(false);
  });

  it('what SubtleCrypto cannot take goes to the fallback (a compressed point)', async () => {
    const compressed: PublicKey = { kind: 'ec', curve: 'P-256', point: p256.getPublicKey(sk, true) };
    expect(await v.verify(SignatureScheme.ecdsa_secp256r1_sha256, compressed, msg, der)).toBe(nobleProvider.verifier.verify(SignatureScheme.ecdsa_secp256r1_sha256, compressed, msg, der));
  });
});

describe('handshakes with SubtleCrypto key exchange and CertificateVerify', async () => {
  const pki = await mintTestPki({ keyType: 'p256', serverNames: ['localhost'] });
  const chain = [pki.server.certDer, pki.intermediate.certDer];
  const clientCfg = (extra: Partial<ClientConfig> = {}): ClientConfig => ({
    provider: webCryptoProvider,
    serverName: 'localhost',
    verifier: new WebCryptoServerVerifier({ trustAnchors: [pki.root.certDer] }),
    ...extra,
  });
  const serverCfg = (extra: Partial<ServerConfig> = {}): ServerConfig => ({
    provider: webCryptoProvider,
    certificateChain: chain,
    signingKey: webCryptoProvider.signingKey!(pki.server.key),
    tickets: { count: 0 },
    ...extra,
  });
  /** Drives the pair (settlePair); errors are kept per side. */
  async function drive(client: Connection, server: Connection): Promise<{ client?: TlsError; server?: TlsError }> {
    const { clientError, serverError } = await settlePair(client, server);
    return { ...(clientError ? { client: clientError } : {}), ...(serverError ? { server: serverError } : {}) };
  }

  for (const group of [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.secp521r1]) {
    it(`both roles, group 0x${group.toString(16)}, with client authentication`, async () => {
      const client = createClientConnection(
        clientCfg({ groups: [group], clientCertificates: [{ chain: [pki.client.certDer, pki.intermediate.certDer], key: webCryptoProvider.signingKey!(pki.client.key) }] }),
      );
      expect(client.pending).toBeDefined(); // the key share
      const server = createServerConnection(serverCfg({ clientAuth: { mode: 'required', verifier: new WebCryptoClientVerifier({ trustAnchors: [pki.root.certDer] }) } }));
      const e = await drive(client, server);
      expect(e).toEqual({});
      expect(client.parameters.group).toBe(group);
      expect(server.parameters.peerCertificates).toHaveLength(2);
    });
  }

  it('HelloRetryRequest to P-384', async () => {
    const client = createClientConnection(clientCfg({ groups: [NamedGroup.x25519, NamedGroup.secp384r1], keyShareGroups: [NamedGroup.x25519] }));
    const server = createServerConnection(serverCfg({ groups: [NamedGroup.secp384r1] }));
    expect(await drive(client, server)).toEqual({});
    expect(client.parameters.helloRetryRequest).toBe(true);
    expect(client.parameters.group).toBe(NamedGroup.secp384r1);
  });

  it('a low-order X25519 share from the server → illegal_parameter; a forged CertificateVerify → decrypt_error', async () => {
    const zeroShare = (m: HandshakeMessage): HandshakeMessage =>
      m.msgType === HandshakeType.server_hello
        ? { ...m, extensions: m.extensions.map((x) => (x.type === ExtensionType.key_share ? { type: x.type, data: encodeKeyShareServer({ group: NamedGroup.x25519, keyExchange: new Uint8Array(32) }) } : x)) }
        : m;
    const c1 = createClientConnection(clientCfg());
    const e1 = await drive(c1, createServerConnection(serverCfg({ provider: nobleProvider, signingKey: signingKeyFromMaterial(pki.server.key), research: { beforeSend: zeroShare } })));
    expect(e1.client).not.toBeInstanceOf(PeerAlertError);
    expect(e1.client!.alert).toBe(A.illegal_parameter);
    expect(e1.server).toBeInstanceOf(PeerAlertError);

    const forge = (m: HandshakeMessage): HandshakeMessage => {
      if (m.msgType !== HandshakeType.certificate_verify) return m;
      const signature = m.signature.slice();
      signature[signature.length - 2]! ^= 0x40;
      return { ...m, signature };
    };
    const c2 = createClientConnection(clientCfg());
    const e2 = await drive(c2, createServerConnection(serverCfg({ research: { beforeSend: forge } })));
    expect(e2.client).not.toBeInstanceOf(PeerAlertError);
    expect(e2.client!.alert).toBe(A.decrypt_error);
    expect(e2.server!.alert).toBe(A.decrypt_error);
  });
});

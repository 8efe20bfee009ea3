// Runs inside a headless Chromium page (bundled by ./chromium.ts with esbuild): full client
// handshakes against a server in the same page, timing only the client's work (its creation, its
// receive() and process() calls, and its waits on pending steps), once per client provider.
// No Node built-in here.
import { createClientConnection, createServerConnection } from '../../src/connection/index.js';
import type { Connection } from '../../src/connection/types.js';
import { nobleProvider, signingKeyFromMaterial, x25519Group } from '../../src/crypto/noble/index.js';
import type { CryptoProvider, PrivateKeyMaterial } from '../../src/crypto/provider.js';
import { webCryptoProvider } from '../../src/crypto/webcrypto/index.js';
import { p1363ToDer } from '../../src/crypto/webcrypto/subtle.js';
import { fromHex } from '../../src/util/bytes.js';
import { WebPkiServerVerifier, type ServerCertificateVerifier } from '../../src/x509/verify.js';
import { WebCryptoServerVerifier } from '../../src/x509/webcrypto.js';

export interface PageInput {
  rootHex: string;
  chainHex: string[];
  /** Private key material with bigint/byte fields as hex strings. */
  key: Record<string, string>;
  ms: number;
}

export interface PageRow {
  provider: string;
  /** verifier kept across handshakes (its cache warm) or made for every handshake. */
  verifier: 'kept' | 'new';
  handshakes: number;
  clientMs: number;
}

function material(k: Record<string, string>): PrivateKeyMaterial {
  if (k.kind === 'ec') return { kind: 'ec', curve: k.curve as 'P-256', d: fromHex(k.d!) };
  throw new Error('bench page: only EC keys');
}

async function clientHandshake(client: () => Connection, server: Connection): Promise<number> {
  let t = 0;
  const timed = async (f: () => unknown): Promise<void> => {
    const t0 = performance.now();
    await f();
    t += performance.now() - t0;
  };
  let c!: Connection;
  await timed(() => (c = client()));
  for (let rounds = 0; rounds < 20; rounds++) {
    let moved = false;
    for (let out = c.takeOutput(); out !== undefined; out = c.takeOutput()) {
      server.receive(out); // the server's work is not the client's
      moved = true;
    }
    for (let out = server.takeOutput(); out !== undefined; out = server.takeOutput()) {
      const bytes = out;
      await timed(() => c.receive(bytes));
      moved = true;
    }
    while (c.pending) {
      const p = c.pending;
      await timed(async () => {
        await p.catch(() => {});
        c.process();
      });
    }
    if (c.error) throw c.error;
    if (!moved && c.handshakeComplete && server.handshakeComplete) return t;
  }
  throw new Error('bench page: the handshake did not complete');
}

/** Providers take turns in this many slices of the time budget, so that both see the same machine load. */
const ROUNDS = 10;

export async function runPage(input: PageInput): Promise<PageRow[]> {
  const root = fromHex(input.rootHex);
  const chain = input.chainHex.map(fromHex);
  const signingKey = signingKeyFromMaterial(material(input.key));
  const rows: PageRow[] = [];
  const providers: [CryptoProvider, (anchors: Uint8Array[]) => ServerCertificateVerifier][] = [
    [nobleProvider, (trustAnchors) => new WebPkiServerVerifier({ trustAnchors, verifier: nobleProvider.verifier })],
    [webCryptoProvider, (trustAnchors) => new WebCryptoServerVerifier({ trustAnchors })],
  ];
  for (const verifierMode of ['kept', 'new'] as const) {
    const runs = providers.map(([provider, makeVerifier]) => {
      let kept = makeVerifier([root]);
      const one = (): Promise<number> => {
        if (verifierMode === 'new') kept = makeVerifier([root]);
        const verifier = kept;
        // The server is the same noble one for both clients (synchronous, and not timed).
        const server = createServerConnection({ certificateChain: chain, signingKey, tickets: { count: 0 } });
        return clientHandshake(() => createClientConnection({ provider, serverName: 'localhost', verifier }), server);
      };
      return { provider, one, total: 0, n: 0 };
    });
    for (const r of runs) for (let i = 0; i < 3; i++) await r.one(); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const r of runs) {
        const t0 = performance.now();
        do {
          r.total += await r.one();
          r.n++;
        } while (performance.now() - t0 < input.ms / ROUNDS);
      }
    }
    for (const r of runs) rows.push({ provider: r.provider.name, verifier: verifierMode, handshakes: r.n, clientMs: r.total / r.n });
  }
  return rows;
}

/**
 * The primitives of a full client handshake (x25519 key generation and agreement, three P-256
 * ECDSA verifications: CertificateVerify, leaf, intermediate) through noble and through
 * SubtleCrypto: the floor under the webcrypto provider's public-key work (it waits on each as a
 * pending step); the rest of its handshake is noble's HKDF, hashing and AEAD, and the engine.
 */
export async function runPrimitives(ms: number): Promise<{ nobleMs: number; subtleMs: number }> {
  const subtle = globalThis.crypto.subtle;
  const msg = new Uint8Array(200).fill(7);
  const ecKey = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const sig = new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, ecKey.privateKey, msg));
  const raw = new Uint8Array(await subtle.exportKey('raw', ecKey.publicKey));
  const der = p1363ToDer(sig);
  const x25519 = x25519Group;
  const noble = async (): Promise<void> => {
    const a = x25519.start(nobleProvider.random);
    const b = x25519.start(nobleProvider.random);
    a.complete(b.publicKey);
    for (let i = 0; i < 3; i++) if (!nobleProvider.verifier.verify(0x0403, { kind: 'ec', curve: 'P-256', point: raw }, msg, der)) throw new Error('verify');
  };
  const peer = (await subtle.generateKey({ name: 'X25519' }, true, ['deriveBits'])) as CryptoKeyPair;
  const viaSubtle = async (): Promise<void> => {
    const kp = (await subtle.generateKey({ name: 'X25519' }, true, ['deriveBits'])) as CryptoKeyPair;
    await subtle.exportKey('raw', kp.publicKey);
    await subtle.deriveBits({ name: 'X25519', public: peer.publicKey }, kp.privateKey, 256);
    const pub = await subtle.importKey('raw', raw, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    await Promise.all([0, 1, 2].map(() => subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, pub, sig, msg)));
  };
  const time = async (f: () => Promise<void>): Promise<number> => {
    for (let i = 0; i < 3; i++) await f();
    let n = 0;
    const t0 = performance.now();
    do {
      await f();
      n++;
    } while (performance.now() - t0 < ms);
    return (performance.now() - t0) / n;
  };
  return { nobleMs: await time(noble), subtleMs: await time(viaSubtle) };
}

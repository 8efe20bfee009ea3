// The handshake's CPU time against the sum of its crypto primitives' costs. Full handshakes
// (x25519, ECDSA P-256 chain, both ends ours, in memory: no sockets) run with a provider whose
// every primitive is timed where it is called: key exchange, signing, signature verification
// (CertificateVerify and the chain), AEAD, hashes/HMAC/HKDF, randomness. In memory the handshake
// is synchronous, so its elapsed time is its main-thread CPU time, measured like the primitives;
// the ratio of the two is the engine's overhead (1.0 = none). process.cpuUsage() is reported too:
// it also counts V8's garbage collector threads, mostly busy with the primitives' garbage
// (noble's bigint arithmetic).
import { cpuUsage } from 'node:process';
import { createClientConnection, createServerConnection } from '../../src/connection/index.js';
import type {
  AeadAlgorithm,
  AeadKey,
  CryptoProvider,
  HashAlgorithm,
  IncrementalHash,
  KeyExchange,
  KeyExchangeGroup,
  SignatureVerifier,
  SigningKey,
} from '../../src/crypto/provider.js';
import { selfEncryptedTicketsFor } from '../../src/resumption/tickets.js';
import { connectPair } from '../../src/testing/memory.js';
import { CipherSuite, NamedGroup } from '../../src/wire/codepoints.js';
import { WebPkiServerVerifier } from '../../src/x509/verify.js';
import { SERVER_NAME, type Fixtures } from './fixtures.js';
import { now } from './measure.js';

export const PRIMITIVES = ['kx', 'sign', 'verify', 'aead', 'hash', 'random'] as const;
export type Primitive = (typeof PRIMITIVES)[number];

/** Time in primitives, outermost call only (a key generation drawing randomness counts once, as kx). */
class Meter {
  readonly ms: Record<Primitive, number> = { kx: 0, sign: 0, verify: 0, aead: 0, hash: 0, random: 0 };
  private depth = 0;
  time<T>(kind: Primitive, f: () => T): T {
    if (this.depth > 0) return f();
    this.depth++;
    const t0 = now();
    try {
      return f();
    } finally {
      this.ms[kind] += now() - t0;
      this.depth--;
    }
  }
  get total(): number {
    return PRIMITIVES.reduce((a, k) => a + this.ms[k], 0);
  }
}

function meteredHash(h: HashAlgorithm, m: Meter): HashAlgorithm {
  const wrap = (s: IncrementalHash): IncrementalHash => ({
    update(d) {
      m.time('hash', () => s.update(d));
      return this;
    },
    digest: () => m.time('hash', () => s.digest()),
    clone: () => wrap(m.time('hash', () => s.clone())),
  });
  return {
    name: h.name,
    outputLen: h.outputLen,
    digest: (d) => m.time('hash', () => h.digest(d)),
    create: () => wrap(m.time('hash', () => h.create())),
    hmac: (k, d) => m.time('hash', () => h.hmac(k, d)),
    hkdfExtract: (s, i) => m.time('hash', () => h.hkdfExtract(s, i)),
    hkdfExpand: (p, i, l) => m.time('hash', () => h.hkdfExpand(p, i, l)),
  };
}

function meteredAead(a: AeadAlgorithm, m: Meter): AeadAlgorithm {
  return {
    name: a.name,
    keyLen: a.keyLen,
    nonceLen: a.nonceLen,
    tagLen: a.tagLen,
    recordLimit: a.recordLimit,
    create(key) {
      const k = m.time('aead', () => a.create(key));
      const out: AeadKey = {
        seal: (n, ad, p) => m.time('aead', () => k.seal(n, ad, p)),
        open: (n, ad, c) => m.time('aead', () => k.open(n, ad, c)),
      };
      if (k.sealInto) {
        const sealInto = k.sealInto.bind(k);
        out.sealInto = (n, ad, p, o) => m.time('aead', () => sealInto(n, ad, p, o));
      }
      return out;
    },
  };
}

function meteredGroup(g: KeyExchangeGroup, m: Meter): KeyExchangeGroup {
  return {
    id: g.id,
    name: g.name,
    start(random) {
      const wrap = (kx: KeyExchange): KeyExchange => ({ group: kx.group, publicKey: kx.publicKey, complete: (peer) => m.time('kx', () => kx.complete(peer)) });
      const started = m.time('kx', () => g.start(random));
      return started instanceof Promise ? started.then(wrap) : wrap(started);
    },
  };
}

export function meteredVerifier(v: SignatureVerifier, m: Meter): SignatureVerifier {
  return { schemes: v.schemes, verify: (s, k, msg, sig) => m.time('verify', () => v.verify(s, k, msg, sig)) };
}

function meteredSigningKey(k: SigningKey, m: Meter): SigningKey {
  return {
    schemes: k.schemes,
    signer(scheme) {
      const s = k.signer(scheme);
      return { scheme: s.scheme, sign: (msg) => m.time('sign', () => s.sign(msg)) };
    },
  };
}

function meteredProvider(p: CryptoProvider, m: Meter): CryptoProvider {
  const hashes = new Map<string, HashAlgorithm>();
  const hash = (name: HashAlgorithm['name']): HashAlgorithm => {
    let h = hashes.get(name);
    if (h === undefined) hashes.set(name, (h = meteredHash(p.hash(name), m)));
    return h;
  };
  return {
    name: p.name,
    cipherSuites: p.cipherSuites.map((s) => ({ id: s.id, name: s.name, aead: meteredAead(s.aead, m), hash: hash(s.hash.name) })),
    groups: p.groups.map((g) => meteredGroup(g, m)),
    verifier: meteredVerifier(p.verifier, m),
    random: (out) => m.time('random', () => p.random(out)),
    hash,
  };
}

export interface CpuResult {
  provider: string;
  handshakes: number;
  /** Per handshake (both ends), milliseconds: main thread (elapsed), and the process (all threads). */
  mainMs: number;
  processMs: number;
  primitivesMs: number;
  byPrimitive: Record<Primitive, number>;
  /** mainMs / primitivesMs. */
  ratio: number;
}

/** Full handshakes for about `ms`, both ends ours with `provider`, in memory. */
export async function measureCpu(f: Fixtures, provider: CryptoProvider, ms: number): Promise<CpuResult> {
  const id = f.identity(provider, f.ec);
  const run = async (m: Meter, until: number): Promise<{ n: number; cpu: number; wall: number }> => {
    const p = meteredProvider(provider, m);
    // One verifier and one server config for the whole run, as a real client and server keep them.
    const verifier = new WebPkiServerVerifier({ trustAnchors: [f.ec.minted.root.certDer], verifier: meteredVerifier(provider.verifier, m) });
    const server = {
      provider: p,
      certificateChain: f.ec.serverChain,
      signingKey: meteredSigningKey(id.serverKey, m),
      groups: [NamedGroup.x25519],
      cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256],
      tickets: { issuer: selfEncryptedTicketsFor(p) },
    };
    const client = { provider: p, serverName: SERVER_NAME, verifier, groups: [NamedGroup.x25519], cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256] };
    const c0 = cpuUsage();
    const t0 = now();
    let n = 0;
    do {
      await connectPair(createClientConnection(client), createServerConnection(server), { record: false }).handshake();
      n++;
    } while (now() - t0 < until);
    const wall = now() - t0;
    const c = cpuUsage(c0);
    return { n, cpu: (c.user + c.system) / 1000, wall };
  };
  await run(new Meter(), Math.min(200, ms / 4)); // warm-up: compiled code, the chain verified once
  const meter = new Meter();
  const { n, cpu, wall } = await run(meter, ms);
  const byPrimitive = Object.fromEntries(PRIMITIVES.map((k) => [k, meter.ms[k] / n])) as Record<Primitive, number>;
  return { provider: provider.name, handshakes: n, mainMs: wall / n, processMs: cpu / n, primitivesMs: meter.total / n, byPrimitive, ratio: wall / meter.total };
}

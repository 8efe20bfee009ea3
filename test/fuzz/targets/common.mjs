// Shared by the fuzz targets (plain ESM over the built engine in dist/src/, so that Jazzer.js can
// load and instrument it). Any exception other than the engine's TlsError is a finding.

import { TlsError } from '../../../dist/src/errors.js';
import { createNobleProvider, signingKeyFromMaterial } from '../../../dist/src/crypto/noble/index.js';
import { createClientConnection, createServerConnection } from '../../../dist/src/connection/index.js';
import { CipherState } from '../../../dist/src/record/keys.js';
import { trafficKeys } from '../../../dist/src/keyschedule/index.js';
import { mintCertificate } from '../../../dist/src/testing/mint.js';
import { MemoryPair } from '../../../dist/src/testing/memory.js';
import { parseCertificate } from '../../../dist/src/x509/certificate.js';

/** Rethrow anything that is not a TlsError (the only failure peer input may cause). */
export function onlyTlsErrors(fn) {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof TlsError)) throw e;
  }
}

/** A deterministic random source (xorshift32), reset per run so that a prefix replays exactly. */
export function seededProvider(seed = 0x5eed) {
  let s = seed;
  const random = (out) => {
    for (let i = 0; i < out.length; i++) {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      out[i] = s & 0xff;
    }
    return out;
  };
  return createNobleProvider({ random });
}

// One Ed25519 identity for every run (signing is fast; the certificate only has to parse).
const minted = await mintCertificate({ subject: 'fuzz.test', keyType: 'ed25519', sans: ['fuzz.test'] });
const signingKey = signingKeyFromMaterial(minted.key);
const acceptAny = { verify: ({ chain }) => { const leaf = parseCertificate(chain[0]); return { chain: [leaf], leaf }; } };
const NOW = () => new Date(Date.UTC(2026, 0, 1));

export function serverConfig(extra = {}) {
  return { certificateChain: [minted.certDer], signingKey, provider: seededProvider(1), now: NOW, tickets: { count: 1 }, ...extra };
}
export function clientConfig(extra = {}) {
  return { serverName: 'fuzz.test', verifier: acceptAny, provider: seededProvider(2), now: NOW, ...extra };
}

/** A full handshake between fresh seeded connections; every flight, and each side's secrets. */
export function script() {
  const cs = new Map();
  const ss = new Map();
  const client = createClientConnection(clientConfig({ keyLog: (l, _r, s) => void cs.set(l, s.slice()) }));
  const server = createServerConnection(serverConfig({ keyLog: (l, _r, s) => void ss.set(l, s.slice()) }));
  const pair = new MemoryPair(client, server);
  pair.flush();
  const toServer = pair.log.filter((x) => x.from === 'client').map((x) => x.bytes);
  const toClient = pair.log.filter((x) => x.from === 'server').map((x) => x.bytes);
  if (!client.handshakeComplete || !server.handshakeComplete) throw new Error('the scripted handshake failed');
  return { toServer, toClient, clientSecrets: cs, serverSecrets: ss, suite: client.parameters.cipherSuite };
}

/** Seal `inner` (content || type || zeros, as given) as records from sequence `from` under `secret`. */
export function sealer(provider, suiteId, secret) {
  const suite = provider.cipherSuites.find((s) => s.id === suiteId);
  const state = new CipherState(trafficKeys(suite, secret));
  return {
    /** Skip n sequence numbers (records the real peer already sent under this key). */
    skip(n) { for (let i = 0; i < n; i++) state.seal(new Uint8Array(5), new Uint8Array(1)); },
    record(inner) {
      const len = inner.length + suite.aead.tagLen;
      const header = Uint8Array.of(23, 3, 3, (len >> 8) & 0xff, len & 0xff);
      const body = state.seal(header, inner);
      const out = new Uint8Array(5 + body.length);
      out.set(header);
      out.set(body, 5);
      return out;
    },
  };
}

/** Split `data` into TLSInnerPlaintexts: each chunk is content, then its type byte (from the chunk's first byte). */
export function innerPlaintexts(data, maxChunk = 300) {
  const out = [];
  let off = 0;
  while (off < data.length) {
    const type = [22, 21, 23, 22, 20, 0, 24, 22][data[off] & 7];
    const len = Math.min(data.length - off - 1, (data[off] >> 3) * 10 + 1, maxChunk);
    const content = data.subarray(off + 1, off + 1 + Math.max(0, len));
    const inner = new Uint8Array(content.length + 1);
    inner.set(content);
    inner[content.length] = type;
    out.push(inner);
    off += 1 + Math.max(0, len);
  }
  return out;
}

export { createClientConnection, createServerConnection };

// Sequential handshakes in memory, in a child process run with --expose-gc: does the heap come
// back to its baseline? Every `every`-th client misbehaves (garbage after its ClientHello, a
// ClientHello cut short and abandoned, a connection dropped mid-handshake) and must not disturb
// the others. Bounded in count and time. Prints one JSON line.
//
//   node --expose-gc test/soak/heap-child.mjs COUNT [EVERY] [MAX_SECONDS]

import { createClientConnection, createServerConnection } from '../../dist/src/connection/index.js';
import { TlsError } from '../../dist/src/errors.js';
import { signingKeyFromMaterial } from '../../dist/src/crypto/noble/index.js';
import { mintCertificate } from '../../dist/src/testing/mint.js';
import { parseCertificate } from '../../dist/src/x509/certificate.js';

const count = Number(process.argv[2] ?? 1000);
const every = Number(process.argv[3] ?? 5);
const maxSeconds = Number(process.argv[4] ?? 600);
if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');

const minted = await mintCertificate({ subject: 'soak.test', keyType: 'ed25519', sans: ['soak.test'] });
const serverConfig = { certificateChain: [minted.certDer], signingKey: signingKeyFromMaterial(minted.key) };
const verifier = { verify: ({ chain }) => { const leaf = parseCertificate(chain[0]); return { chain: [leaf], leaf }; } };
const clientConfig = { serverName: 'soak.test', verifier };
const payload = new TextEncoder().encode('x'.repeat(1000));

/** One connection pair; returns 'ok', 'refused' (a misbehaving client was rejected) or throws. */
function once(i) {
  const client = createClientConnection(clientConfig);
  const server = createServerConnection(serverConfig);
  const kind = every > 0 && i % every === every - 1 ? ['garbage', 'half', 'drop'][Math.floor(i / every) % 3] : 'good';
  const hello = client.takeOutput();
  if (kind === 'half') {
    server.receive(hello.subarray(0, hello.length >> 1)); // then abandoned: both objects are dropped
    return 'refused';
  }
  if (kind === 'garbage') {
    try {
      server.receive(hello);
      server.receive(new Uint8Array(300).fill(0x17));
    } catch (e) {
      if (!(e instanceof TlsError)) throw e;
      return 'refused';
    }
    throw new Error('garbage accepted');
  }
  server.receive(hello);
  client.receive(server.takeOutput());
  if (kind === 'drop') return 'refused'; // the client vanishes before its Finished
  server.receive(client.takeOutput());
  client.receive(server.takeOutput());
  client.write(payload);
  server.receive(client.takeOutput());
  const got = server.read();
  if (!got || got.length !== payload.length) throw new Error('data lost');
  server.write(got);
  client.receive(server.takeOutput());
  if (client.read()?.length !== payload.length) throw new Error('echo lost');
  client.close();
  server.receive(client.takeOutput());
  server.close();
  client.receive(server.takeOutput());
  if (!client.handshakeComplete || !server.handshakeComplete || !client.peerClosed || !server.peerClosed) throw new Error('not closed both ways');
  return 'ok';
}

function heap() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  return process.memoryUsage().heapUsed;
}

const deadline = Date.now() + maxSeconds * 1000;
for (let i = 0; i < 300; i++) once(i); // warm-up: JIT, caches, lazily built tables
const baseline = heap();
const started = Date.now();
const tally = { ok: 0, refused: 0 };
let done = 0;
const samples = [];
let mid = baseline;
for (; done < count && Date.now() < deadline; done++) {
  tally[once(done)]++;
  if (done === Math.floor(count / 2)) mid = heap();
  if (done % Math.max(1, Math.floor(count / 10)) === 0) samples.push(process.memoryUsage().heapUsed);
}
const final = heap();
// growth: since the baseline; lateGrowth: over the second half, when bounded caches (the
// certificate parse cache, V8's number-string cache, noble's precomputed points) are warm.
console.log(JSON.stringify({ count: done, ...tally, ms: Date.now() - started, baseline, mid, final, growth: final - baseline, lateGrowth: final - mid, samples }));

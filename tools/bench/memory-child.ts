// The memory bench's server process (node --expose-gc memory-child.js): our server or node:tls's,
// alone in a process so that its memory is all there is to measure. The parent opens the
// connections; this process reports its memory on request, after garbage collection.
//
// stdin, one JSON line: { impl: 'ours' | 'node', chainPem, keyPem }; then lines "measure".
// stdout, one JSON line per request: { port } first, then { rss, rssAfterGc, heapUsed, external, arrayBuffers, connections }.
//
// Memory is read once the process is idle as V8 leaves an idle process: a burst of handshakes
// grows V8's young generation (its size follows the allocation rate, not what is live), and
// V8's memory reducer shrinks it again a few seconds after the process goes idle. The
// low-memory garbage collection it runs is asked for here (the inspector's
// HeapProfiler.collectGarbage, after ordinary full collections) rather than waited for. Both
// servers are measured the same way.
import { Session } from 'node:inspector';
import { createInterface } from 'node:readline';
import * as tls from 'node:tls';
import { nodeProvider } from '../../src/crypto/node/index.js';
import { selfEncryptedTicketsFor } from '../../src/resumption/tickets.js';
import { createServer } from '../../src/node/net.js';
import { parsePrivateKeyPem } from '../../src/x509/keys.js';
import { pemDecode } from '../../src/x509/pem.js';

interface Setup {
  impl: 'ours' | 'node';
  chainPem: string;
  keyPem: string;
}

const gc = (globalThis as { gc?: () => void }).gc;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Full collections (RSS read then as well, `rssAfterGc`), then the low-memory one V8 runs in an
 * idle process (it also returns the young generation's pages).
 */
async function settle(session: Session): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc?.();
    await sleep(20);
  }
  const rssAfterGc = process.memoryUsage().rss;
  for (let i = 0; i < 2; i++) {
    await new Promise<void>((resolve, reject) => session.post('HeapProfiler.collectGarbage', (err) => (err ? reject(err) : resolve())));
    await sleep(20);
  }
  return rssAfterGc;
}

async function main(): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  const it = lines[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done === true) return;
  const setup = JSON.parse(first.value) as Setup;
  let connections = 0;
  let port: number;
  if (setup.impl === 'node') {
    const server = tls.createServer({ key: setup.keyPem, cert: setup.chainPem, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' }, (s) => {
      connections++;
      s.on('error', () => {});
      s.on('data', () => {});
      s.once('close', () => connections--);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  } else {
    const provider = nodeProvider;
    const server = createServer(
      {
        provider,
        certificateChain: pemDecode(setup.chainPem, 'CERTIFICATE'),
        signingKey: provider.signingKey!(parsePrivateKeyPem(setup.keyPem)),
        tickets: { issuer: selfEncryptedTicketsFor(provider) },
      },
      async (s) => {
        connections++;
        try {
          for await (const chunk of s) void chunk; // an idle server connection: a read waiting
        } catch {
          // the client went away
        } finally {
          connections--;
        }
      },
    );
    ({ port } = await server.listen(0, '127.0.0.1'));
  }
  const session = new Session();
  session.connect();
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  for (let line = await it.next(); line.done !== true; line = await it.next()) {
    if (line.value.trim() !== 'measure') continue;
    const rssAfterGc = await settle(session);
    const m = process.memoryUsage();
    process.stdout.write(`${JSON.stringify({ rss: m.rss, rssAfterGc, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, connections })}\n`);
  }
  process.exit(0);
}

void main();

// Memory per idle connection: N node:tls clients (in this process) hold connections open to a
// server in its own process (./memory-child.ts): ours (node:crypto provider) or node:tls. The
// server process's memory after the connections, minus before, over N, both read in the idle
// state (./memory-child.ts: after V8's low-memory collection). RSS is the figure compared
// (node:tls keeps its per-connection state in OpenSSL, outside the JS heap); the JS heap and
// external memory are reported beside it.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import * as tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { HOST, SERVER_NAME, type Fixtures } from './fixtures.js';

export interface MemoryUsage {
  rss: number;
  /** RSS after ordinary full collections only, before V8's idle (low-memory) collection. */
  rssAfterGc: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  connections: number;
}

export interface MemoryResult {
  connections: number;
  /** Per connection, bytes: RSS, and JS heap + external (ArrayBuffers included in external). */
  rssPerConn: number;
  /** The same, read after ordinary full collections only (young generation as the burst left it). */
  rssAfterGcPerConn: number;
  heapPerConn: number;
  before: MemoryUsage;
  after: MemoryUsage;
}

const CHILD = fileURLToPath(new URL('./memory-child.js', import.meta.url));
const WARMUP_CONNECTIONS = 20;
const PARALLEL = 25;

async function openClients(port: number, rootPem: string, n: number): Promise<tls.TLSSocket[]> {
  const out: tls.TLSSocket[] = [];
  for (let i = 0; i < n; i += PARALLEL) {
    const batch = await Promise.all(
      Array.from(
        { length: Math.min(PARALLEL, n - i) },
        () =>
          new Promise<tls.TLSSocket>((resolve, reject) => {
            const s = tls.connect({ host: HOST, port, servername: SERVER_NAME, ca: rootPem, minVersion: 'TLSv1.3' }, () => resolve(s));
            s.once('error', reject);
          }),
      ),
    );
    for (const s of batch) s.on('error', () => {});
    out.push(...batch);
  }
  return out;
}

export async function measureMemory(f: Fixtures, impl: 'ours' | 'node', n: number): Promise<MemoryResult> {
  const child = spawn(process.execPath, ['--expose-gc', CHILD], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async <T>(): Promise<T> => {
    const l = await lines.next();
    if (l.done === true) throw new Error(`bench: the ${impl} memory server exited`);
    return JSON.parse(l.value) as T;
  };
  const clients: tls.TLSSocket[] = [];
  try {
    child.stdin.write(`${JSON.stringify({ impl, chainPem: f.ec.serverChainPem, keyPem: f.ec.serverKeyPem })}\n`);
    const { port } = await next<{ port: number }>();
    // Warm up (code paths compiled, lazy state made), then let those connections go.
    for (const s of await openClients(port, f.ec.rootPem, WARMUP_CONNECTIONS)) s.destroy();
    await new Promise((r) => setTimeout(r, 200));
    child.stdin.write('measure\n');
    const before = await next<MemoryUsage>();
    clients.push(...(await openClients(port, f.ec.rootPem, n)));
    await new Promise((r) => setTimeout(r, 200)); // tickets and the last handshakes settle
    child.stdin.write('measure\n');
    const after = await next<MemoryUsage>();
    if (after.connections - before.connections !== n) throw new Error(`bench: ${impl} server holds ${after.connections - before.connections} of ${n} connections`);
    return {
      connections: n,
      rssPerConn: (after.rss - before.rss) / n,
      rssAfterGcPerConn: (after.rssAfterGc - before.rssAfterGc) / n,
      heapPerConn: (after.heapUsed + after.external - before.heapUsed - before.external) / n,
      before,
      after,
    };
  } finally {
    for (const s of clients) s.destroy();
    child.kill();
  }
}

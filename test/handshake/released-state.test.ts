// Memory per idle connection (issue 6): once the handshake is complete a connection keeps only
// what the API still needs (negotiated parameters, peer certificates, the traffic secrets for
// KeyUpdate, the exporter master secret, and the transcript base only when post-handshake
// authentication may follow). Checked on a heap snapshot of live, completed connections.

import { getHeapSnapshot } from 'node:v8';
import { beforeAll, describe, expect, it } from 'vitest';
import { createClientConnection, createServerConnection } from '../../src/connection/index.js';
import type { ClientConfig, ServerConfig } from '../../src/connection/config.js';
import type { Connection } from '../../src/connection/types.js';
import { nobleProvider, signingKeyFromMaterial } from '../../src/crypto/noble/index.js';
import { MemorySessionCache } from '../../src/resumption/index.js';
import { mintTestPki, type TestPki } from '../../src/testing/mint.js';
import { WebPkiServerVerifier } from '../../src/x509/verify.js';
import { WebPkiClientVerifier } from '../../src/x509/client-verify.js';
import { bytesEqual, utf8 } from '../../src/util/bytes.js';
import { runPair } from '../helpers/scripted.js';
import { connectPair } from '../../src/testing/memory.js';

interface HeapSnapshotJson {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Live objects per constructor name (a heap snapshot collects garbage first). */
async function liveObjects(names: readonly string[]): Promise<Record<string, number>> {
  let text = '';
  for await (const chunk of getHeapSnapshot()) text += String(chunk);
  const snap = JSON.parse(text) as HeapSnapshotJson;
  const fields = snap.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const objectType = snap.snapshot.meta.node_types[0].indexOf('object');
  const counts: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  for (let i = 0; i < snap.nodes.length; i += width) {
    if (snap.nodes[i + typeAt] !== objectType) continue;
    const name = snap.strings[snap.nodes[i + nameAt]!]!;
    if (name in counts) counts[name]!++;
  }
  return counts;
}

/** What only the handshake uses. */
const HANDSHAKE_ONLY = ['Transcript', 'EarlySecretStage', 'HandshakeSecretStage', 'MasterSecretStage', 'ExpectClientFinished', 'ExpectFinished'] as const;

let pki: TestPki;
beforeAll(async () => {
  pki = await mintTestPki({ keyType: 'p256' });
}, 60_000);

function server(extra: Partial<ServerConfig> = {}): ServerConfig {
  return { provider: nobleProvider, certificateChain: [pki.server.certDer, pki.intermediate.certDer], signingKey: signingKeyFromMaterial(pki.server.key), ...extra };
}

function client(extra: Partial<ClientConfig> = {}): ClientConfig {
  return {
    provider: nobleProvider,
    serverName: 'localhost',
    verifier: new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }),
    ...extra,
  };
}

function pairOf(c: ClientConfig, s: ServerConfig): { client: Connection; server: Connection } {
  const o = runPair({ clientConn: createClientConnection(c), serverConn: createServerConnection(s) });
  expect(o.clientError ?? o.serverError).toBeUndefined();
  expect(o.client.handshakeComplete && o.server.handshakeComplete).toBe(true);
  return { client: o.client, server: o.server };
}

/** Moves every pending byte between the two until both are quiet (src/testing/memory.ts). */
function settle(a: Connection, b: Connection): void {
  connectPair(a, b).flush();
}

describe('handshake state is released once the handshake completes', () => {
  it('no transcript, key schedule stage or handshake state survives; the post-handshake API still works', async () => {
    const cache = new MemorySessionCache();
    const srv = server(); // one config object: one ticket key
    const pairs = Array.from({ length: 4 }, (_, i) => pairOf(client(i % 2 === 0 ? { sessionCache: cache } : {}), srv));
    const live = await liveObjects([...HANDSHAKE_ONLY, 'ServerConnection', 'ClientConnection']);
    expect(live.ServerConnection).toBeGreaterThanOrEqual(pairs.length);
    expect(live.ClientConnection).toBeGreaterThanOrEqual(pairs.length);
    for (const n of HANDSHAKE_ONLY) expect({ [n]: live[n] }).toEqual({ [n]: 0 });

    for (const { client: c, server: s } of pairs) {
      // Exporters (RFC 8446 §7.5) agree; KeyUpdate both ways (§4.6.3); data both ways after it.
      expect(bytesEqual(c.exportKeyingMaterial('test', undefined, 32), s.exportKeyingMaterial('test', undefined, 32))).toBe(true);
      c.updateKeys(true);
      settle(c, s);
      s.write(utf8('after the update'));
      settle(c, s);
      expect(c.read()).toEqual(utf8('after the update'));
      c.write(utf8('and back'));
      settle(c, s);
      expect(s.read()).toEqual(utf8('and back'));
      // Peer certificates stay available.
      expect(bytesEqual(c.parameters.peerCertificates![0]!, pki.server.certDer)).toBe(true);
    }
    // Tickets received after the handshake became sessions (the client kept the resumption secret).
    const resumed = pairOf(client({ sessionCache: cache }), srv);
    expect(resumed.client.parameters.resumed).toBe(true);
  });

  it('post-handshake authentication keeps the transcript base and nothing else of the handshake', async () => {
    const clientAuth = { mode: 'none' as const, verifier: new WebPkiClientVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }) };
    const clientCertificates = [{ chain: [pki.client.certDer, pki.intermediate.certDer], key: signingKeyFromMaterial(pki.client.key) }];
    const pairs = Array.from({ length: 3 }, () => pairOf(client({ postHandshakeAuth: true, clientCertificates }), server({ clientAuth })));
    const live = await liveObjects(HANDSHAKE_ONLY);
    // RFC 8446 §4.4: each side keeps the transcript through the client's Finished.
    expect(live.Transcript).toBe(2 * pairs.length);
    for (const n of HANDSHAKE_ONLY.filter((x) => x !== 'Transcript')) expect({ [n]: live[n] }).toEqual({ [n]: 0 });

    for (const { client: c, server: s } of pairs) {
      const srv = s as ReturnType<typeof createServerConnection>;
      srv.requestClientCertificate();
      settle(c, s);
      expect(s.error).toBeUndefined();
      expect(bytesEqual(s.parameters.peerCertificates![0]!, pki.client.certDer)).toBe(true);
    }
  });
});

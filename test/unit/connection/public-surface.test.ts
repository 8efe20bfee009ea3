// The public connection objects expose the application API and nothing of the handshake's
// context (issue 13, defect 1): no secret-returning or key-changing member is reachable.

import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ClientConnection, ServerConnection } from '../../../src/connection/index.js';
import type { Connection } from '../../../src/connection/types.js';
import { createNobleProvider } from '../../../src/crypto/noble/index.js';
import { trafficKeys } from '../../../src/keyschedule/index.js';
import { toHex, utf8 } from '../../../src/util/bytes.js';
import { runPair, testClientConfig, testServerConfig } from '../../helpers/scripted.js';

/** The `Connection` interface as README "Using the engine" documents it. */
const CONNECTION_API = [
  'constructor',
  'side',
  'receive',
  'process',
  'pending',
  'takeOutput',
  'write',
  'read',
  'readEarlyData',
  'close',
  'updateKeys',
  'exportKeyingMaterial',
  'exportEarlyKeyingMaterial',
  'handshakeComplete',
  'peerClosed',
  'closed',
  'error',
  'parameters',
].sort();
/** README "Client authentication": post-handshake authentication, started by the server. */
const SERVER_API = [...CONNECTION_API, 'requestClientCertificate'].sort();

/** Every property key reachable on the object: own and inherited, non-enumerable and symbols, up to Object.prototype. */
function reachableKeys(o: object): string[] {
  const keys = new Set<string>();
  for (let p: object | null = o; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const k of Reflect.ownKeys(p)) keys.add(typeof k === 'symbol' ? `symbol:${k.description ?? ''}` : k);
  }
  return [...keys].sort();
}

/** Hex of every byte array reachable from a value (depth-first, cycle-safe). */
function bytesIn(value: unknown, out: string[] = [], seen = new WeakSet<object>()): string[] {
  if (value instanceof Uint8Array) out.push(toHex(value));
  else if (value !== null && typeof value === 'object') {
    if (seen.has(value)) return out;
    seen.add(value);
    for (const k of Reflect.ownKeys(value)) bytesIn((value as Record<string | symbol, unknown>)[k], out, seen);
  }
  return out;
}

/** What each member gives: getters and fields read, methods that return something called with plain arguments. */
function everythingReturned(c: Connection): unknown[] {
  const results: unknown[] = [];
  const call = (f: () => unknown): void => {
    try {
      results.push(f());
    } catch (e) {
      results.push(e);
    }
  };
  for (const key of reachableKeys(c)) {
    if (key === 'constructor') continue;
    const value: unknown = Reflect.get(c, key);
    if (typeof value !== 'function') results.push(value);
  }
  call(() => c.read());
  call(() => c.readEarlyData());
  call(() => c.takeOutput());
  call(() => c.exportKeyingMaterial('EXPERIMENTAL surface', undefined, 32));
  call(() => c.exportEarlyKeyingMaterial('EXPERIMENTAL surface', undefined, 32));
  return results;
}

function loggedPair(): { pair: ReturnType<typeof runPair>; forbidden: Map<string, string> } {
  const logged = new Map<string, Uint8Array>();
  const keyLog = (label: string, _random: Uint8Array, secret: Uint8Array): void => void logged.set(label, secret.slice());
  const pair = runPair({
    client: { keyLog, onSession: () => {}, postHandshakeAuth: true },
    server: { keyLog },
  });
  expect(pair.clientError ?? pair.serverError).toBeUndefined();
  const suite = createNobleProvider().cipherSuites.find((s) => s.id === pair.client.parameters.cipherSuite)!;
  const forbidden = new Map<string, string>();
  for (const [label, secret] of logged) {
    forbidden.set(toHex(secret), label);
    if (label.includes('TRAFFIC')) {
      const k = trafficKeys(suite, secret);
      forbidden.set(toHex(k.key), `${label} key`);
      forbidden.set(toHex(k.iv), `${label} iv`);
    }
  }
  expect([...logged.keys()]).toEqual(expect.arrayContaining(['CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0', 'EXPORTER_SECRET']));
  return { pair, forbidden };
}

function leaks(c: Connection, forbidden: Map<string, string>): string[] {
  const found: string[] = [];
  const printed = inspect(c, { depth: Infinity, showHidden: true, maxArrayLength: Infinity });
  for (const hex of bytesIn(everythingReturned(c))) {
    for (const [secret, label] of forbidden) if (hex.includes(secret)) found.push(`${c.side}: ${label}`);
  }
  for (const [secret, label] of forbidden) if (printed.replace(/\s+/g, '').includes(secret)) found.push(`${c.side} inspect: ${label}`);
  return found;
}

describe('issue 13: the public connection objects', () => {
  it('expose exactly the documented API, before, during and after a handshake and after close', () => {
    const client = new ClientConnection(testClientConfig());
    const server = new ServerConnection(testServerConfig());
    expect(reachableKeys(client)).toEqual(CONNECTION_API);
    expect(reachableKeys(server)).toEqual(SERVER_API);
    const { pair } = loggedPair();
    for (const stage of ['after the handshake', 'after close'] as const) {
      if (stage === 'after close') {
        pair.client.close();
        pair.server.receive(pair.client.takeOutput()!);
        pair.server.close();
        pair.client.receive(pair.server.takeOutput()!);
        expect(pair.client.closed && pair.client.peerClosed && pair.server.closed && pair.server.peerClosed).toBe(true);
      }
      expect(reachableKeys(pair.client), stage).toEqual(CONNECTION_API);
      expect(reachableKeys(pair.server), stage).toEqual(SERVER_API);
    }
  });

  it('have no member that returns a key-logged secret, traffic key or IV (after the handshake, after KeyUpdate, after close)', () => {
    const { pair, forbidden } = loggedPair();
    const { client, server } = pair;
    expect(leaks(client, forbidden)).toEqual([]);
    expect(leaks(server, forbidden)).toEqual([]);
    client.updateKeys(true);
    server.receive(client.takeOutput()!);
    client.receive(server.takeOutput()!);
    client.write(utf8('ping'));
    server.receive(client.takeOutput()!);
    expect(server.read()).toEqual(utf8('ping'));
    expect(leaks(client, forbidden)).toEqual([]);
    expect(leaks(server, forbidden)).toEqual([]);
    client.close();
    server.receive(client.takeOutput()!);
    server.close();
    client.receive(server.takeOutput()!);
    expect(leaks(client, forbidden)).toEqual([]);
    expect(leaks(server, forbidden)).toEqual([]);
  });

  it('the secret check is not vacuous: the engine does hold the key-logged traffic secrets', async () => {
    const { BaseConnection, connectionEngine } = await import('../../../src/connection/connection.js');
    const { pair, forbidden } = loggedPair();
    if (!(pair.client instanceof BaseConnection)) throw new Error('not an engine connection');
    const engine = connectionEngine(pair.client);
    expect(forbidden.get(toHex(engine.trafficSecret('write')))).toBe('CLIENT_TRAFFIC_SECRET_0');
    expect(Object.keys(pair.client)).not.toContain('trafficSecret');
    expect(Reflect.get(pair.client, 'trafficSecret')).toBeUndefined();
  });
});

// Secret hygiene (issue 7, SECURITY.md): without key logging, no traffic secret, traffic key,
// IV or exporter secret appears in any event (the trace stream) or in any error (message,
// stack, cause), whether the connection succeeds or fails. Each scenario runs twice with the
// same seeded randomness: once with keyLog (to learn the secrets), once without (to look for them).

import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createClientConnection, createServerConnection } from '../../src/connection/index.js';
import { BaseConnection, connectionEngine } from '../../src/connection/connection.js';
import type { ClientConfig, ServerConfig } from '../../src/connection/config.js';
import type { Connection, ConnectionEvent } from '../../src/connection/types.js';
import { TlsError } from '../../src/errors.js';
import { createNodeProvider } from '../../src/crypto/node/index.js';
import { createNobleProvider } from '../../src/crypto/noble/index.js';
import { trafficKeys } from '../../src/keyschedule/index.js';
import { HandshakeType } from '../../src/wire/codepoints.js';
import type { HandshakeMessage } from '../../src/wire/types.js';
import { toHex, utf8 } from '../../src/util/bytes.js';
import { deliver, record, runPair, testClientConfig, testServerConfig, type PairOutcome } from '../helpers/scripted.js';
import { seededRandom } from '../unit/crypto/helpers.js';

interface Scenario {
  name: string;
  client?: Partial<ClientConfig>;
  server?: Partial<ServerConfig>;
  after?: (o: PairOutcome) => void;
}

const flipFinished = (m: HandshakeMessage): HandshakeMessage =>
  m.msgType === HandshakeType.finished ? { ...m, verifyData: m.verifyData.map((b, i) => (i === 0 ? b ^ 1 : b)) } : m;

const scenarios: Scenario[] = [
  {
    name: 'a clean handshake, data both ways, KeyUpdates, close',
    after: (o) => {
      o.client.write(utf8('ping'));
      o.server.receive(o.client.takeOutput()!);
      o.client.updateKeys(true);
      o.server.receive(o.client.takeOutput()!);
      o.server.write(utf8('pong'));
      o.client.receive(o.server.takeOutput()!);
      o.client.close();
      o.server.receive(o.client.takeOutput()!);
      o.server.close();
      o.client.receive(o.server.takeOutput()!);
    },
  },
  { name: 'a wrong server Finished (decrypt_error)', server: { research: { beforeSend: flipFinished } } },
  { name: 'a wrong client Finished (decrypt_error)', client: { research: { beforeSend: flipFinished } } },
  {
    name: 'a record that fails to deprotect after the handshake (bad_record_mac)',
    after: (o) => {
      o.client.write(utf8('x'));
      const b = o.client.takeOutput()!;
      b[b.length - 1] = b[b.length - 1]! ^ 1;
      deliver(o, 'server', b);
      deliver(o, 'client', o.server.takeOutput()!);
    },
  },
];

function run(sc: Scenario, withKeyLog: boolean) {
  const secrets: Uint8Array[] = [];
  const events: ConnectionEvent[] = [];
  const common = (seed: number) => ({
    provider: createNobleProvider({ random: seededRandom(seed) }),
    now: () => new Date(Date.UTC(2026, 0, 1)),
    onEvent: (e: ConnectionEvent) => void events.push(e),
    ...(withKeyLog ? { keyLog: (_l: string, _r: Uint8Array, s: Uint8Array) => void secrets.push(s.slice()) } : {}),
  });
  const o = runPair({
    clientConn: createClientConnection(testClientConfig({ ...common(1), ...sc.client })),
    serverConn: createServerConnection(testServerConfig({ ...common(2), ...sc.server })),
  });
  sc.after?.(o);
  return { o, secrets, events };
}

/** Everything an application could see or log: events and errors, with bytes as hex. */
function haystack(events: ConnectionEvent[], errors: unknown[]): string {
  const seen = new Set<unknown>();
  const text = (v: unknown): string => {
    if (v instanceof Uint8Array) return toHex(v);
    if (v instanceof Error) {
      if (seen.has(v)) return '';
      seen.add(v);
      return `${v.message}\n${v.stack ?? ''}\n${text((v as { cause?: unknown }).cause)}\n${text({ ...v })}`;
    }
    if (Array.isArray(v)) return v.map(text).join(',');
    if (v && typeof v === 'object') return Object.values(v).map(text).join(',');
    return String(v);
  };
  return [...events.map(text), ...errors.map(text)].join('\n');
}

describe('secrets stay out of events and errors unless key logging is on', () => {
  for (const sc of scenarios) {
    it(sc.name, () => {
      const logged = run(sc, true);
      const quiet = run(sc, false);
      // Same randomness, same handshake: the quiet run derived the secrets the logged run printed.
      expect(logged.secrets.length).toBeGreaterThanOrEqual(4);
      const suite = createNobleProvider().cipherSuites.find((s) => s.id === quiet.o.client.parameters.cipherSuite)!;
      const forbidden = logged.secrets.flatMap((s) => {
        const k = trafficKeys(suite, s);
        return [s, k.key, k.iv];
      });
      const hay = haystack(quiet.events, [quiet.o.clientError, quiet.o.serverError, quiet.o.client.error, quiet.o.server.error].filter(Boolean));
      expect(hay.length).toBeGreaterThan(1000);
      for (const f of forbidden) expect(hay.includes(toHex(f)), `secret ${toHex(f).slice(0, 12)}… leaked`).toBe(false);
      // With key logging on, the plaintext trace carries record bytes (documented), so there is something to find.
      expect(logged.events.some((e) => e.type === 'plaintext' && e.data !== undefined)).toBe(true);
    });
  }
});

// ---- audit #12: a live connection prints no secret; closing or failing wipes the cipher states ----

interface CipherStateInternals {
  material: Uint8Array;
  keyed: unknown;
}
interface ConnectionInternals {
  reader: { state: CipherStateInternals | undefined };
  writer: { state: CipherStateInternals | undefined };
}
// The cipher states sit in the connection's private engine (not reachable from the public object).
const internals = (c: Connection): ConnectionInternals => {
  if (!(c instanceof BaseConnection)) throw new Error('not an engine connection');
  return connectionEngine(c) as unknown as ConnectionInternals;
};

/** A cycle-safe JSON dump: bytes as decimal lists and as hex, so that either form can be searched. */
function jsonDump(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Uint8Array) return `${toHex(v)} [${Array.from(v).join(',')}]`;
    if (typeof v === 'bigint') return v.toString(16);
    if (v && typeof v === 'object') {
      if (seen.has(v)) return '[cycle]';
      seen.add(v);
    }
    return v;
  });
}

/** The ways a secret can appear in a dump: hex, or the decimal list util.inspect and Buffer#toJSON print. */
function forms(secret: Uint8Array): string[] {
  return [toHex(secret), Array.from(secret).join(',')];
}

/** util.inspect / JSON output without whitespace (so that wrapped or column-aligned arrays still match). */
function dumps(c: Connection): string[] {
  const opts = { depth: Infinity, maxArrayLength: Infinity, maxStringLength: Infinity, breakLength: Infinity };
  return [inspect(c, opts), inspect(c, { ...opts, showHidden: true }), jsonDump(c)].map((s) => s.replace(/\s+/g, ''));
}

const providers = [
  ['noble', () => createNobleProvider()],
  ['node', () => createNodeProvider()],
] as const;

describe('audit #12: secret hygiene', () => {
  for (const [providerName, provider] of providers) {
    it(`audit #12: util.inspect and JSON.stringify of live connections show no key-logged secret, key or IV (${providerName})`, () => {
      const logged = new Map<string, Uint8Array>();
      const keyLog = (label: string, _r: Uint8Array, s: Uint8Array): void => void logged.set(label, s.slice());
      const o = runPair({
        client: { provider: provider(), keyLog, onSession: () => {} },
        server: { provider: provider(), keyLog },
      });
      expect(o.clientError ?? o.serverError).toBeUndefined();
      o.client.write(utf8('ping'));
      o.server.receive(o.client.takeOutput()!);
      o.server.write(utf8('pong'));
      o.client.receive(o.server.takeOutput()!);
      expect(o.server.read()).toEqual(utf8('ping'));
      expect(o.client.read()).toEqual(utf8('pong'));
      expect([...logged.keys()]).toEqual(expect.arrayContaining(['CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0', 'EXPORTER_SECRET']));
      const suite = createNobleProvider().cipherSuites.find((s) => s.id === o.client.parameters.cipherSuite)!;
      const forbidden = [...logged].flatMap(([label, s]) => {
        const k = trafficKeys(suite, s);
        return [
          [label, s],
          [`${label} key`, k.key],
          [`${label} iv`, k.iv],
        ] as const;
      });
      const printed: string[] = [];
      for (const conn of [o.client, o.server]) {
        const all = dumps(conn);
        // The dumps do reach the connection's state (a sanity check that they are deep).
        for (const d of all) expect(d).toContain('TLSv1.3');
        all.forEach((d, i) => {
          for (const [label, f] of forbidden) if (forms(f).some((form) => d.includes(form))) printed.push(`${conn.side} dump ${i}: ${label}`);
        });
      }
      expect(printed).toEqual([]);
    });
  }

  it('audit #12: closing both ways zeroes both cipher states (IV, nonce, key) and drops the AEAD keys', () => {
    const o = runPair();
    o.client.write(utf8('ping'));
    o.server.receive(o.client.takeOutput()!);
    o.server.write(utf8('pong'));
    o.client.receive(o.server.takeOutput()!);
    const states = [o.client, o.server].flatMap((c) => [internals(c).reader.state!, internals(c).writer.state!]);
    for (const s of states) {
      expect(s.material.some((b) => b !== 0)).toBe(true);
      expect(s.keyed).toBeDefined();
    }
    o.client.close();
    o.server.receive(o.client.takeOutput()!);
    o.server.close();
    o.client.receive(o.server.takeOutput()!);
    expect(o.client.closed && o.client.peerClosed && o.server.closed && o.server.peerClosed).toBe(true);
    for (const s of states) {
      expect(s.material.every((b) => b === 0)).toBe(true);
      expect(s.keyed).toBeUndefined();
    }
    // Input after the closure is ignored (RFC 8446 §6.1), not an error.
    expect(() => o.client.receive(record(23, new Uint8Array(40)))).not.toThrow();
    expect(o.client.error).toBeUndefined();
  });

  it('audit #12: a failure zeroes both cipher states and drops the AEAD keys', () => {
    const o = runPair();
    o.client.write(utf8('x'));
    const states = [o.client, o.server].flatMap((c) => [internals(c).reader.state!, internals(c).writer.state!]);
    const b = o.client.takeOutput()!;
    b[b.length - 1] = b[b.length - 1]! ^ 1;
    deliver(o, 'server', b);
    deliver(o, 'client', o.server.takeOutput()!);
    expect(o.serverError?.alertName).toBe('bad_record_mac');
    expect(o.clientError).toBeInstanceOf(TlsError);
    for (const s of states) {
      expect(s.material.every((x) => x === 0)).toBe(true);
      expect(s.keyed).toBeUndefined();
    }
  });
});

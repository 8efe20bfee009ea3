// Key schedule stages in real handshakes (RFC 8446 §7.1, audit #12): on both roles, every stage
// a handshake creates is wiped by the time it completes, by deriving the next stage (Early →
// Handshake → Master) or its last secret (resumption_master_secret), or, for a stage used only
// for a binder or 0-RTT keys, once that is derived.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClientConnection, createServerConnection } from '../../../src/connection/index.js';
import type { Connection } from '../../../src/connection/types.js';
import { EarlySecretStage, HandshakeSecretStage, MasterSecretStage } from '../../../src/keyschedule/index.js';
import { MemoryAntiReplay } from '../../../src/resumption/anti-replay.js';
import type { ClientSession } from '../../../src/resumption/types.js';
import { PskKeyExchangeMode } from '../../../src/wire/codepoints.js';
import { utf8 } from '../../../src/util/bytes.js';
import { testClientConfig, testServerConfig } from '../../helpers/scripted.js';

type Role = 'client' | 'server';

/** Both clocks inside the validity of RFC 8448's certificate (expired 2026-07-30): the session is offered. */
const now = (): Date => new Date(Date.UTC(2026, 0, 1));
type Stage = EarlySecretStage | HandshakeSecretStage | MasterSecretStage;

/** Every stage a method was called on, with the role whose code was running. */
function watchStages(): { seen: Map<Stage, Role>; as: <T>(role: Role, f: () => T) => T } {
  const seen = new Map<Stage, Role>();
  let role: Role = 'client';
  const watch = <P extends object>(proto: P, names: (keyof P & string)[]): void => {
    for (const name of names) {
      const original = proto[name] as unknown as (...args: unknown[]) => unknown;
      vi.spyOn(proto as Record<string, (...args: unknown[]) => unknown>, name).mockImplementation(function (this: Stage, ...args: unknown[]) {
        if (!seen.has(this)) seen.set(this, role);
        const out = original.apply(this, args);
        if (out instanceof HandshakeSecretStage || out instanceof MasterSecretStage) seen.set(out, role);
        return out;
      });
    }
  };
  watch(EarlySecretStage.prototype, ['binderKey', 'clientEarlyTrafficSecret', 'earlyExporterMasterSecret', 'handshake']);
  watch(HandshakeSecretStage.prototype, ['clientHandshakeTrafficSecret', 'master']);
  watch(MasterSecretStage.prototype, ['clientApplicationTrafficSecret', 'resumptionMasterSecret']);
  return {
    seen,
    as: (r, f) => {
      const before = role;
      role = r;
      try {
        return f();
      } finally {
        role = before;
      }
    },
  };
}

/** Moves bytes between the two until both are quiet, running each side's code under its role. */
function shuttle(client: Connection, server: Connection, as: <T>(role: Role, f: () => T) => T): void {
  for (let moved = true; moved; ) {
    moved = false;
    const c = as('client', () => client.takeOutput());
    if (c) {
      as('server', () => server.receive(c));
      moved = true;
    }
    const s = as('server', () => server.takeOutput());
    if (s) {
      as('client', () => client.receive(s));
      moved = true;
    }
  }
}

function unwiped(seen: Map<Stage, Role>): string[] {
  return [...seen].filter(([stage]) => !stage.wiped).map(([stage, role]) => `${role} ${stage.constructor.name}`);
}

function kinds(seen: Map<Stage, Role>, role: Role): string[] {
  return [...seen].filter(([, r]) => r === role).map(([stage]) => stage.constructor.name).sort();
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('audit #12: deriving the next stage wipes the previous one, in real handshakes of both roles', () => {
  it('full handshake: each role wipes its Early, Handshake and Master Secret stages', () => {
    const { seen, as } = watchStages();
    const client = as('client', () => createClientConnection(testClientConfig()));
    const server = as('server', () => createServerConnection(testServerConfig()));
    shuttle(client, server, as);
    expect(client.handshakeComplete && server.handshakeComplete).toBe(true);
    for (const role of ['client', 'server'] as const) {
      expect(kinds(seen, role), role).toEqual(['EarlySecretStage', 'HandshakeSecretStage', 'MasterSecretStage']);
    }
    expect(unwiped(seen)).toEqual([]);
  });

  for (const mode of ['psk_dhe_ke', 'psk_ke', '0-RTT'] as const) {
    it(`resumption (${mode}): binder, early and schedule stages of both roles are all wiped`, () => {
      const sessions: ClientSession[] = [];
      const serverConfig = testServerConfig({
        now,
        pskModes: [PskKeyExchangeMode.psk_dhe_ke, PskKeyExchangeMode.psk_ke],
        ...(mode === '0-RTT' ? { earlyData: { maxEarlyDataSize: 1024, antiReplay: new MemoryAntiReplay() } } : {}),
      });
      const first = createClientConnection(testClientConfig({ now, onSession: (s) => void sessions.push(s) }));
      const firstServer = createServerConnection(serverConfig);
      shuttle(first, firstServer, (_r, f) => f());
      expect(sessions.length).toBeGreaterThan(0);

      const { seen, as } = watchStages();
      const client = as('client', () =>
        createClientConnection(
          testClientConfig({
            now,
            session: sessions[0]!,
            ...(mode === 'psk_ke' ? { pskModes: [PskKeyExchangeMode.psk_ke] } : {}),
            ...(mode === '0-RTT' ? { earlyData: utf8('early') } : {}),
          }),
        ),
      );
      const server = as('server', () => createServerConnection(serverConfig));
      shuttle(client, server, as);
      expect(client.handshakeComplete && server.handshakeComplete).toBe(true);
      expect(client.parameters.resumed).toBe(true);
      if (mode === '0-RTT') expect(client.parameters.earlyData).toBe('accepted');
      for (const role of ['client', 'server'] as const) {
        expect(kinds(seen, role), role).toEqual(expect.arrayContaining(['EarlySecretStage', 'HandshakeSecretStage', 'MasterSecretStage']));
      }
      expect(unwiped(seen)).toEqual([]);
    });
  }
});

// ServerConfig.ticketing (issue 13): ticket keys and the 0-RTT replay window are one explicit
// object; a config without one gets it on its first connection (RFC 8446 §4.6.1, §8).

import { describe, expect, it } from 'vitest';
import { createServerConnection, createServerTicketing } from '../../../src/connection/index.js';
import type { ServerConfig } from '../../../src/connection/config.js';
import { MemoryAntiReplay, SelfEncryptedTickets, StatefulTicketStore } from '../../../src/resumption/index.js';
import type { ClientSession } from '../../../src/resumption/types.js';
import { runPair, testServerConfig } from '../../helpers/scripted.js';

/** Both clocks inside the validity of RFC 8448's certificate (expired 2026-07-30): sessions are offered. */
const now = (): Date => new Date(Date.UTC(2026, 0, 1));

/** A session from a full handshake against `config`. */
function sessionFrom(config: ServerConfig): ClientSession {
  const sessions: ClientSession[] = [];
  const o = runPair({ client: { now, onSession: (s) => void sessions.push(s) }, serverConn: createServerConnection(config) });
  expect(o.clientError ?? o.serverError).toBeUndefined();
  expect(sessions.length).toBeGreaterThan(0);
  return sessions[0]!;
}

function resumes(session: ClientSession, config: ServerConfig): boolean {
  const o = runPair({ client: { now, session }, serverConn: createServerConnection(config) });
  expect(o.clientError ?? o.serverError).toBeUndefined();
  return o.client.parameters.resumed === true;
}

describe('issue 13: ServerConfig.ticketing', () => {
  it('a config without ticketing gets one on its first connection: its connections resume on each other', () => {
    const config = testServerConfig({ now });
    expect(config.ticketing).toBeUndefined();
    const session = sessionFrom(config);
    const ticketing = config.ticketing;
    expect(ticketing?.issuer).toBeInstanceOf(SelfEncryptedTickets);
    expect(ticketing?.antiReplay).toBeInstanceOf(MemoryAntiReplay);
    expect(resumes(session, config)).toBe(true);
    expect(config.ticketing).toBe(ticketing);
    // A copy made afterwards carries the same ticketing; one made before has its own.
    expect(resumes(sessionFrom(config), { ...config })).toBe(true);
  });

  it('a copy made before the first connection has its own ticketing (tickets do not cross)', () => {
    const config = testServerConfig({ now });
    const copy = { ...config };
    const session = sessionFrom(config);
    expect(resumes(session, copy)).toBe(false);
    expect(copy.ticketing).toBeDefined();
    expect(copy.ticketing).not.toBe(config.ticketing);
  });

  it('configs sharing one createServerTicketing() resume on each other', () => {
    const ticketing = createServerTicketing();
    const a = testServerConfig({ now, ticketing });
    const b = testServerConfig({ now, ticketing, alpn: [] });
    expect(resumes(sessionFrom(a), b)).toBe(true);
    expect(a.ticketing).toBe(ticketing);
  });

  it('tickets.issuer takes precedence over ticketing.issuer', () => {
    const store = new StatefulTicketStore({ now: () => now().getTime() });
    const config = testServerConfig({ now, ticketing: createServerTicketing(), tickets: { issuer: store } });
    const session = sessionFrom(config);
    // A stateful ticket is a 16-byte id; a self-encrypted one is much longer.
    expect(session.ticket.length).toBe(16);
    expect(resumes(session, config)).toBe(true);
  });

  it('a frozen config without ticketing still works, with a ticketing per connection', () => {
    const config = Object.freeze(testServerConfig({ now }));
    const session = sessionFrom(config);
    expect(config.ticketing).toBeUndefined();
    expect(resumes(session, config)).toBe(false);
  });

  it('createServerTicketing() is frozen and fills in what it is not given', () => {
    const antiReplay = new MemoryAntiReplay();
    const t = createServerTicketing({ antiReplay });
    expect(Object.isFrozen(t)).toBe(true);
    expect(t.antiReplay).toBe(antiReplay);
    expect(t.issuer).toBeInstanceOf(SelfEncryptedTickets);
  });
});

// The connection's legality gate (RFC 8446 §4, Appendix A; §5.1 for application data): a
// handshake message not in the state's `expects` is unexpected_message, before any handler runs.

import { describe, expect, it } from 'vitest';
import {
  ALL_HANDSHAKE_TYPES,
  CT,
  HT,
  clientAtEncryptedExtensions,
  clientAtServerHello,
  expectLocalAlert,
  loggedServer,
  protection,
  record,
  sampleMessage,
  trafficPair,
  type Logged,
  type Protection,
} from './loop-fixture.js';

interface StateCase {
  state: string;
  /** What the state takes (everything else must be refused by the gate). */
  expects: number[];
  /** A connection held at the state, and how its peer frames one handshake message. */
  at(): { l: Logged; frame: (msg: Uint8Array) => Uint8Array };
}

const sealed = (p: Protection) => (msg: Uint8Array) => p.handshake(msg);

const states: StateCase[] = [
  {
    state: 'ExpectClientHello',
    expects: [HT.client_hello],
    at: () => ({ l: loggedServer(), frame: (m) => record(CT.handshake, m) }),
  },
  {
    state: 'ExpectServerHello',
    expects: [HT.server_hello],
    at: () => ({ l: clientAtServerHello().client, frame: (m) => record(CT.handshake, m) }),
  },
  {
    state: 'ExpectEncryptedExtensions',
    expects: [HT.encrypted_extensions],
    at: () => {
      const { client, sealer } = clientAtEncryptedExtensions();
      return { l: client, frame: sealed(sealer) };
    },
  },
  {
    state: 'ExpectClientFinished',
    expects: [HT.finished],
    at: () => {
      const { server, clientHello } = clientAtServerHello();
      server.conn.receive(clientHello);
      return { l: server, frame: sealed(protection(server, 'CLIENT_HANDSHAKE_TRAFFIC_SECRET')) };
    },
  },
  {
    state: 'ClientTraffic',
    // No post_handshake_auth offered: a CertificateRequest is not expected either (RFC 8446 §4.6.2).
    expects: [HT.new_session_ticket, HT.key_update],
    at: () => {
      const { client, toClient } = trafficPair();
      return { l: client, frame: sealed(toClient) };
    },
  },
  {
    state: 'ServerTraffic',
    expects: [HT.key_update],
    at: () => {
      const { server, toServer } = trafficPair();
      return { l: server, frame: sealed(toServer) };
    },
  },
];

describe('legality gate: a handshake message the state does not expect is unexpected_message (RFC 8446 §4)', () => {
  for (const s of states) {
    const refused = ALL_HANDSHAKE_TYPES.filter((t) => !s.expects.includes(t));
    it(`${s.state}: each of the ${refused.length} other message types is refused by the gate, with the alert on the wire`, () => {
      for (const type of refused) {
        const { l, frame } = s.at();
        const err = expectLocalAlert(l, () => l.conn.receive(frame(sampleMessage(type))), 'unexpected_message');
        expect(err.message, `type ${type}`).toMatch(new RegExp(`not expected in state ${s.state}$`));
        // The connection stays failed with that error.
        expect(() => l.conn.receive(new Uint8Array(0))).toThrow(err);
      }
    });
  }

  it('an expected message passes the gate (EncryptedExtensions in ExpectEncryptedExtensions)', () => {
    const { client, sealer } = clientAtEncryptedExtensions();
    client.conn.receive(sealer.handshake(sampleMessage(HT.encrypted_extensions)));
    expect(client.conn.error).toBeUndefined();
    expect(client.events).toContainEqual(expect.objectContaining({ type: 'handshake', direction: 'received', message: { msgType: HT.encrypted_extensions, extensions: [] } }));
  });

  it('a handshake message of an unknown type is unexpected_message (RFC 8446 §4)', () => {
    for (const type of [0, 3, 6, 99, 255]) {
      const l = loggedServer();
      const msg = Uint8Array.of(type, 0, 0, 1, 0);
      const err = expectLocalAlert(l, () => l.conn.receive(record(CT.handshake, msg)), 'unexpected_message');
      expect(err.message).toContain(`unknown handshake message type ${type}`);
    }
  });
});

describe('application data before the handshake completes is unexpected_message (RFC 8446 §5.1, §2)', () => {
  it('server in ExpectClientHello: a plaintext application_data record', () => {
    const l = loggedServer();
    expectLocalAlert(l, () => l.conn.receive(record(CT.application_data, Uint8Array.of(1, 2, 3))), 'unexpected_message');
    expect(l.conn.read()).toBeUndefined();
  });

  it('client in ExpectServerHello: a plaintext application_data record', () => {
    const { client } = clientAtServerHello();
    expectLocalAlert(client, () => client.conn.receive(record(CT.application_data, Uint8Array.of(1, 2, 3))), 'unexpected_message');
  });

  it('client in ExpectEncryptedExtensions: application data under the server handshake key', () => {
    const { client, sealer } = clientAtEncryptedExtensions();
    const err = expectLocalAlert(client, () => client.conn.receive(sealer.seal(CT.application_data, Uint8Array.of(1, 2, 3))), 'unexpected_message');
    expect(err.message).toContain('application data before the handshake completed');
    expect(client.conn.read()).toBeUndefined();
  });

  it('server in ExpectClientFinished: application data under the client handshake key', () => {
    const { server, clientHello } = clientAtServerHello();
    server.conn.receive(clientHello);
    const p = protection(server, 'CLIENT_HANDSHAKE_TRAFFIC_SECRET');
    expectLocalAlert(server, () => server.conn.receive(p.seal(CT.application_data, Uint8Array.of(1, 2, 3))), 'unexpected_message');
    expect(server.conn.read()).toBeUndefined();
  });
});

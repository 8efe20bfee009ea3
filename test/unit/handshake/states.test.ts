// Single handshake states driven on their own: each test builds the phase record a state takes
// by running the real client and server states against recording contexts (no connection, no
// records), then feeds the state under test one legal and one illegal message.

import { describe, expect, it } from 'vitest';
import { startClientHandshake } from '../../../src/handshake/client/hello.js';
import { ExpectClientHello } from '../../../src/handshake/server/hello.js';
import { Transcript } from '../../../src/keyschedule/index.js';
import { secp256r1Group } from '../../../src/crypto/noble/index.js';
import { CipherSuite, HandshakeType, NamedGroup } from '../../../src/wire/codepoints.js';
import { encodeHandshake } from '../../../src/wire/messages.js';
import type { HandshakeState } from '../../../src/handshake/state.js';
import type { ResolvedClientConfig } from '../../../src/handshake/client/types.js';
import type { ResolvedServerConfig } from '../../../src/handshake/server/types.js';
import { RecordingContext, alertOf, clientConfig, feed, serverConfig, serverStart, settled, tampered, type Sent } from './fixture.js';

interface Run {
  client: RecordingContext;
  server: RecordingContext;
  /** The client state waiting for the server's next message. */
  clientState: HandshakeState;
  /** The server state waiting for the client's next message. */
  serverState: HandshakeState;
  /** The server's flight, not yet fed to the client. */
  serverFlight: Sent[];
}

/** Client and server up to: ClientHello sent and answered by the server (ServerHello … Finished, or a HelloRetryRequest). */
function start(client: Partial<ResolvedClientConfig> = {}, server: Partial<ResolvedServerConfig> = {}): Run {
  const c = new RecordingContext();
  const s = new RecordingContext();
  const clientState = settled(startClientHandshake({ ctx: c, config: clientConfig(client), transcript: new Transcript() }));
  const [clientHello] = c.take();
  const serverState = feed(new ExpectClientHello(serverStart(s, serverConfig(server))), clientHello!);
  return { client: c, server: s, clientState, serverState, serverFlight: s.take() };
}

/** Feed the client the server's flight until the state named `name` is reached; returns it with the rest of the flight. */
function clientUpTo(run: Run, name: string): { state: HandshakeState; rest: Sent[] } {
  let state = run.clientState;
  const rest = [...run.serverFlight];
  while (state.name !== name) {
    const next = rest.shift();
    if (!next) throw new Error(`flight ended before ${name}`);
    state = feed(state, next);
  }
  return { state, rest };
}

/** Flip one bit of the last byte (the end of a signature or of verify_data). */
const flipLast = (raw: Uint8Array): void => {
  raw[raw.length - 1]! ^= 0x01;
};

describe('client ExpectServerHello (RFC 8446 §4.1.3, §4.1.4)', () => {
  it('takes a ServerHello: handshake read keys in place, EncryptedExtensions next', () => {
    const run = start();
    expect(run.clientState.name).toBe('ExpectServerHello');
    expect(run.clientState.expects).toEqual([HandshakeType.server_hello]);
    const next = feed(run.clientState, run.serverFlight[0]!);
    expect(next.name).toBe('ExpectEncryptedExtensions');
    expect(run.client.keys).toContainEqual({ direction: 'read', epoch: 'handshake' });
  });

  it('takes a HelloRetryRequest: sends ClientHello2 with a share for the named group, then waits for ServerHello again', () => {
    // The client shares x25519 only; the server takes secp256r1 only: HelloRetryRequest.
    const run = start({ keyShareGroups: [NamedGroup.x25519] }, { groups: [secp256r1Group] });
    const [hrr] = run.serverFlight;
    expect(hrr!.msg.msgType === HandshakeType.server_hello && hrr!.msg.isHelloRetryRequest).toBe(true);
    const next = feed(run.clientState, hrr!);
    expect(next.name).toBe('ExpectServerHelloAfterRetry');
    const [clientHello2] = run.client.take();
    expect(clientHello2!.msg.msgType).toBe(HandshakeType.client_hello);
    // RFC 8446 §4.1.4: a second HelloRetryRequest is unexpected_message.
    expect(alertOf(() => feed(next, hrr!))).toBe('unexpected_message');
  });

  it('rejects a ServerHello with a cipher suite it did not offer (illegal_parameter)', () => {
    const run = start({ cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256] });
    const sh = run.serverFlight[0]!;
    if (sh.msg.msgType !== HandshakeType.server_hello) throw new Error('no ServerHello');
    const other = { ...sh.msg, cipherSuite: CipherSuite.TLS_CHACHA20_POLY1305_SHA256 };
    expect(alertOf(() => feed(run.clientState, { msg: other, raw: encodeHandshake(other) }))).toBe('illegal_parameter');
  });

  it('gates any other message type (unexpected_message, before the state runs)', () => {
    const run = start();
    expect(alertOf(() => feed(run.clientState, run.serverFlight[1]!))).toBe('unexpected_message');
  });
});

describe('client ExpectCertificateVerify (RFC 8446 §4.4.3)', () => {
  it('takes the server CertificateVerify: ExpectFinished next, the scheme recorded', () => {
    const run = start();
    const { state, rest } = clientUpTo(run, 'ExpectCertificateVerify');
    expect(state.expects).toEqual([HandshakeType.certificate_verify]);
    const next = feed(state, rest[0]!);
    expect(next.name).toBe('ExpectFinished');
    expect(run.client.parameters.signatureScheme).toBeDefined();
  });

  it('rejects a signature that does not verify with decrypt_error', () => {
    const run = start();
    const { state, rest } = clientUpTo(run, 'ExpectCertificateVerify');
    expect(rest[0]!.msg.msgType).toBe(HandshakeType.certificate_verify);
    expect(alertOf(() => feed(state, tampered(rest[0]!, flipLast)))).toBe('decrypt_error');
  });
});

describe('server ExpectClientHello (RFC 8446 §4.1.1, §4.1.4, §4.2.8)', () => {
  it('answers with ServerHello … Finished when a share fits, and waits for the client Finished', () => {
    const run = start();
    expect(run.serverFlight.map((s) => s.msg.msgType)).toEqual([
      HandshakeType.server_hello,
      HandshakeType.encrypted_extensions,
      HandshakeType.certificate,
      HandshakeType.certificate_verify,
      HandshakeType.finished,
    ]);
    expect(run.serverState.name).toBe('ExpectClientFinished');
  });

  it('sends a HelloRetryRequest when a group is in common but no share is for it', () => {
    const run = start({ groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShareGroups: [NamedGroup.x25519] }, { groups: [secp256r1Group] });
    expect(run.serverFlight).toHaveLength(1);
    const hrr = run.serverFlight[0]!.msg;
    expect(hrr.msgType === HandshakeType.server_hello && hrr.isHelloRetryRequest).toBe(true);
    expect(run.serverState.name).toBe('ExpectClientHelloAfterRetry');
    expect(run.server.parameters.helloRetryRequest).toBe(true);
  });

  it('fails with handshake_failure when no group is in common', () => {
    const c = new RecordingContext();
    settled(startClientHandshake({ ctx: c, config: clientConfig({ groups: [NamedGroup.x25519], keyShareGroups: [NamedGroup.x25519] }), transcript: new Transcript() }));
    const [clientHello] = c.take();
    const server = new ExpectClientHello(serverStart(new RecordingContext(), serverConfig({ groups: [secp256r1Group] })));
    expect(alertOf(() => feed(server, clientHello!))).toBe('handshake_failure');
  });

  it('checks ClientHello2 against ClientHello1 after its HelloRetryRequest (illegal_parameter)', () => {
    const run = start({ groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShareGroups: [NamedGroup.x25519] }, { groups: [secp256r1Group] });
    feed(run.clientState, run.serverFlight[0]!);
    const [clientHello2] = run.client.take();
    if (clientHello2!.msg.msgType !== HandshakeType.client_hello) throw new Error('no ClientHello2');
    const changed = { ...clientHello2!.msg, cipherSuites: clientHello2!.msg.cipherSuites.slice(1) };
    expect(alertOf(() => feed(run.serverState, { msg: changed, raw: encodeHandshake(changed) }))).toBe('illegal_parameter');
    // The unchanged ClientHello2 goes on to the flight.
    expect(feed(run.serverState, clientHello2!).name).toBe('ExpectClientFinished');
  });
});

describe('server ExpectClientFinished (RFC 8446 §4.4.4)', () => {
  /** The whole server flight fed to the client; returns the client's Finished. */
  function clientFinished(run: Run): Sent {
    const { state, rest } = clientUpTo(run, 'ExpectFinished');
    expect(rest).toHaveLength(1);
    expect(feed(state, rest[0]!).name).toBe('ClientTraffic');
    const [fin] = run.client.take();
    expect(fin!.msg.msgType).toBe(HandshakeType.finished);
    return fin!;
  }

  it('takes a Finished that verifies: the handshake is done, ServerTraffic next', () => {
    const run = start();
    const next = feed(run.serverState, clientFinished(run));
    expect(next.name).toBe('ServerTraffic');
    expect(run.server.done).toBeDefined();
    expect(run.server.keys).toContainEqual({ direction: 'read', epoch: 'application' });
  });

  it('rejects a Finished whose verify_data does not verify with decrypt_error', () => {
    const run = start();
    const fin = clientFinished(run);
    expect(alertOf(() => feed(run.serverState, tampered(fin, flipLast)))).toBe('decrypt_error');
    expect(run.server.done).toBeUndefined();
  });
});

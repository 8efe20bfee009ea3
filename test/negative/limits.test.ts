// Resource bounds: each is configurable, has a safe default, and is enforced with an alert.

import { describe, expect, it } from 'vitest';
import { ContentType } from '../../src/wire/codepoints.js';
import { PeerAlertError, TlsError } from '../../src/errors.js';
import { createClientConnection, createServerConnection } from '../../src/connection/index.js';
import { record, runPair, testClientConfig, testServerConfig } from '../helpers/scripted.js';

describe('resource bounds', () => {
  it('consecutive empty application_data records beyond the limit → unexpected_message', () => {
    const { client, server } = runPair({ server: { limits: { maxConsecutiveEmptyRecords: 4 } } });
    // Four are fine (RFC 8446 §5.1 allows them), the fifth in a row is not.
    for (let i = 0; i < 4; i++) client.write(new Uint8Array(0));
    server.receive(client.takeOutput()!);
    expect(server.error).toBeUndefined();
    client.write(new Uint8Array([1]));
    for (let i = 0; i < 5; i++) client.write(new Uint8Array(0));
    expect(() => server.receive(client.takeOutput()!)).toThrow(/unexpected_message: too many empty/);
    expect(server.read()).toEqual(new Uint8Array([1]));
    expect(() => client.receive(server.takeOutput()!)).toThrow(PeerAlertError);
  });

  it('KeyUpdates without application data beyond the limit → unexpected_message', () => {
    const { client, server } = runPair({ server: { limits: { maxKeyUpdatesWithoutData: 3 } } });
    for (let i = 0; i < 3; i++) client.updateKeys(false);
    server.receive(client.takeOutput()!);
    expect(server.error).toBeUndefined();
    client.write(new Uint8Array([7]));
    for (let i = 0; i < 4; i++) client.updateKeys(false);
    expect(() => server.receive(client.takeOutput()!)).toThrow(/too many KeyUpdates/);
  });

  it('NewSessionTickets beyond the client limit → unexpected_message', () => {
    const o = runPair({ client: { limits: { maxTicketsPerConnection: 3 } }, server: { tickets: { count: 4 } } });
    expect(o.clientError).toBeInstanceOf(TlsError);
    expect(o.clientError!.message).toMatch(/too many NewSessionTickets/);
    expect(o.serverError).toBeInstanceOf(PeerAlertError);
  });

  it('consecutive change_cipher_spec records beyond the limit → unexpected_message', () => {
    const ccs = record(ContentType.change_cipher_spec, new Uint8Array([1]));
    const o = runPair({
      server: { limits: { maxConsecutiveChangeCipherSpec: 2 } },
      toServer: (b, n) => (n === 0 ? new Uint8Array([...b, ...ccs, ...ccs, ...ccs]) : b),
    });
    expect(o.serverError).toBeInstanceOf(TlsError);
    expect(o.serverError!.message).toMatch(/too many change_cipher_spec/);
  });

  it('a handshake message over the configured size → illegal_parameter before it is buffered', () => {
    const o = runPair({ server: { limits: { maxHandshakeMessageSize: 100 } } });
    // The ClientHello is larger than 100 bytes.
    expect(o.serverError).toBeInstanceOf(TlsError);
    expect(o.serverError!.alertName).toBe('illegal_parameter');
  });

  it('the server certificate may exceed the general message limit (it has its own)', () => {
    const o = runPair({ client: { limits: { maxHandshakeMessageSize: 600, maxCertificateMessageSize: 4096 } } });
    expect(o.clientError ?? o.serverError).toBeUndefined();
  });

  it('a record announcing more than 2^14 + 256 bytes is refused at its header, before buffering', () => {
    const { client } = runPair();
    expect(() => client.receive(new Uint8Array([23, 3, 3, 0x41, 0x01]))).toThrow(/record_overflow/);
  });

  it('input piling up while an async step is pending is bounded', async () => {
    const base = testServerConfig();
    const key = base.signingKey!;
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const client = createClientConnection(testClientConfig());
    const server = createServerConnection({
      ...base,
      limits: { maxBufferedBytes: 32 * 1024 },
      signingKey: { schemes: key.schemes, signer: (s) => ({ scheme: s, sign: async (m) => (await gate, key.signer(s).sign(m)) }) },
    });
    server.receive(client.takeOutput()!);
    expect(server.pending).toBeDefined();
    // While the signature is pending, the peer keeps sending: past the bound the server refuses.
    const junk = record(ContentType.application_data, new Uint8Array(16_000));
    expect(() => {
      for (let i = 0; i < 4; i++) server.receive(junk);
    }).toThrow(TlsError);
    release();
  });
});

// Fuzz target: a client connection fed arbitrary bytes after a valid prefix. The first input
// byte picks the prefix; the rest is the fuzz data:
//   0  nothing: the data is the server's first flight
//   1  the real ServerHello record, then the data as protected records under the server
//      handshake key (the harness seals it: EncryptedExtensions onwards)
//   2  a whole handshake (server flights), then the data as protected records under the server
//      application key (NewSessionTicket, KeyUpdate, post-handshake CertificateRequest, data)
//   3  a whole handshake, then the data as raw transport bytes
// Only TlsError may escape.

import { clientConfig, createClientConnection, innerPlaintexts, onlyTlsErrors, script, sealer, seededProvider } from './common.mjs';

const s = script();
const provider = seededProvider();
// The ServerHello is the first record of the server's first flight.
const first = s.toClient[0];
const shLen = 5 + ((first[3] << 8) | first[4]);
const serverHello = first.subarray(0, shLen);

export function fuzz(input) {
  if (input.length === 0) return;
  const data = new Uint8Array(input.buffer, input.byteOffset + 1, input.length - 1);
  const mode = input[0] % 4;
  const client = createClientConnection(clientConfig({ postHandshakeAuth: (input[0] & 0x80) !== 0 }));
  onlyTlsErrors(() => {
    if (mode === 0) {
      client.receive(data);
      return;
    }
    if (mode === 1) {
      client.receive(serverHello);
      const seal = sealer(provider, s.suite, s.serverSecrets.get('SERVER_HANDSHAKE_TRAFFIC_SECRET'));
      for (const inner of innerPlaintexts(data)) client.receive(seal.record(inner));
      return;
    }
    for (const f of s.toClient) client.receive(f);
    if (mode === 3) {
      client.receive(data);
      return;
    }
    const seal = sealer(provider, s.suite, s.serverSecrets.get('SERVER_TRAFFIC_SECRET_0'));
    seal.skip(1); // the ticket the server sent
    for (const inner of innerPlaintexts(data)) client.receive(seal.record(inner));
  });
  client.takeOutput();
  client.read();
}

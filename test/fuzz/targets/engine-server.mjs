// Fuzz target: a server connection fed arbitrary bytes after a valid prefix. The first input
// byte picks the prefix; the rest is the fuzz data:
//   0  nothing: the data is the client's first flight
//   1  the real ClientHello, then the data as raw transport bytes
//   2  the real ClientHello, then the data as protected records under the client handshake key
//      (the harness seals it: the fuzzer reaches the states after the ServerHello)
//   3  a whole handshake, then the data as protected records under the client application key
//   4  a whole handshake, then the data as raw transport bytes
// Only TlsError may escape (common.mjs onlyTlsErrors).

import { createServerConnection, innerPlaintexts, onlyTlsErrors, script, sealer, seededProvider, serverConfig } from './common.mjs';

const s = script();
const provider = seededProvider();

export function fuzz(input) {
  if (input.length === 0) return;
  const data = new Uint8Array(input.buffer, input.byteOffset + 1, input.length - 1);
  const mode = input[0] % 5;
  const server = createServerConnection(serverConfig());
  onlyTlsErrors(() => {
    if (mode === 0) {
      server.receive(data);
      return;
    }
    server.receive(s.toServer[0]);
    if (mode === 1) {
      server.receive(data);
      return;
    }
    if (mode === 2) {
      const seal = sealer(provider, s.suite, s.clientSecrets.get('CLIENT_HANDSHAKE_TRAFFIC_SECRET'));
      for (const inner of innerPlaintexts(data)) server.receive(seal.record(inner));
      return;
    }
    server.receive(s.toServer[1]);
    if (mode === 4) {
      server.receive(data);
      return;
    }
    const seal = sealer(provider, s.suite, s.clientSecrets.get('CLIENT_TRAFFIC_SECRET_0'));
    for (const inner of innerPlaintexts(data)) server.receive(seal.record(inner));
  });
  // A failed or finished connection stays usable as an object: output and reads never throw.
  server.takeOutput();
  server.read();
}

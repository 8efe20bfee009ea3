// `tls13 demo`: our client and our server over TCP loopback, explained step by step.

import type { Writable } from 'node:stream';
import type { NegotiatedParameters } from '../../src/connection/types.js';
import { fromUtf8, utf8 } from '../../src/util/bytes.js';
import { connect, createServer, type TlsServer } from '../../src/node/net.js';
import type { TlsStream } from '../../src/io/stream.js';
import { errorText, traceText } from './output.js';
import { mintDemoPki } from './pki.js';

const ALPN = ['h2', 'http/1.1'];
const SERVER_NAME = 'localhost';

function show(data: Uint8Array): string {
  try {
    return JSON.stringify(fromUtf8(data));
  } catch {
    return `${data.length} bytes of binary data`;
  }
}

function parametersTable(p: NegotiatedParameters, chainLength: number): string {
  const rows: [string, string][] = [
    ['version', p.version],
    ['cipher suite', p.cipherSuiteName],
    ['key exchange group', p.groupName ?? 'none (PSK only)'],
    ['signature scheme', p.signatureSchemeName ?? 'none'],
    ['ALPN', p.alpn ?? 'none'],
    ['server name (SNI)', p.serverName ?? 'none'],
    ['HelloRetryRequest', p.helloRetryRequest ? 'yes' : 'no'],
    ['server certificates', `${p.peerCertificates.length} of ${chainLength} received, chain verified up to the demo root`],
  ];
  return rows.map(([k, v]) => `  ${k.padEnd(21)} ${v}`).join('\n');
}

/** Runs the demo; resolves with the exit code. */
export async function runDemo(io: { stdout: Writable; stderr: Writable }, options: { trace?: boolean } = {}): Promise<number> {
  const out = (line = ''): void => void io.stdout.write(`${line}\n`);
  let server: TlsServer | undefined;
  let client: TlsStream | undefined;
  try {
    out('tls13 demo: a TLS 1.3 handshake between this engine’s client and server, over TCP on 127.0.0.1');
    out();
    const pki = await mintDemoPki([SERVER_NAME, '127.0.0.1']);
    out(`Minted a throwaway PKI in memory: ${pki.description}`);

    const serverDone = new Promise<void>((resolve, reject) => {
      server = createServer(
        { certificateChain: pki.certificateChain, signingKey: pki.signingKey, alpn: ALPN },
        async (stream) => {
          try {
            const request = await stream.read();
            if (request !== null) await stream.write(utf8(`Hello, client! You sent me ${request.length} bytes over ${stream.parameters.cipherSuiteName}.`));
            for await (const _ of stream); // until the client's close_notify
            await stream.close();
            resolve();
          } catch (err) {
            reject(err);
          }
        },
        { onError: reject },
      );
    });
    serverDone.catch(() => {});
    const { host, port } = await server!.listen(0, '127.0.0.1');
    out(`Server listening on ${host}:${port}`);
    out(`Client connecting with SNI ${SERVER_NAME}, ALPN ${ALPN.join(',')}, verification on`);
    out();
    out('Handshake (as the client sees it):');

    client = await connect({
      host,
      port,
      serverName: SERVER_NAME,
      alpn: ALPN,
      verifier: pki.verifier,
      onEvent: (ev) => {
        const t = traceText('client', ev, options.trace === true);
        if (t !== undefined) out(t.replace(/^/gm, '  '));
      },
    });
    const params = client.parameters as NegotiatedParameters;
    out();
    out('Negotiated:');
    out(parametersTable(params, pki.certificateChain.length));
    out();
    out('Application data:');
    const message = utf8('Hello, server! This is the tls13-engine client.');
    out(`  client → server  ${show(message)}`);
    await client.write(message);
    const reply = await client.read();
    if (reply === null) throw new Error('server closed without replying');
    out(`  server → client  ${show(reply)}`);
    out();
    out('Closing (close_notify both ways):');
    await client.close();
    await serverDone;
    if (!client.connection.peerClosed) throw new Error('server did not send close_notify');
    out();
    out('Done: handshake verified, data exchanged both ways, connection closed cleanly.');
    return 0;
  } catch (err) {
    io.stderr.write(`error: ${errorText(err)}\n`);
    if (client) await client.abort();
    return 1;
  } finally {
    if (server) await server.close();
  }
}

// The tls13 CLI: server, client, demo. `run()` returns the exit code (the server never returns).

import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { ClientConfig, CommonConfig, ServerConfig } from '../../src/connection/config.js';
import type { Side } from '../../src/connection/types.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { groupName, suiteName } from '../../src/wire/codepoints.js';
import { decodeSessionFile, encodeSessionFile } from '../../src/resumption/session-file.js';
import { selfEncryptedTicketsFor } from '../../src/resumption/tickets.js';
import { MemoryAntiReplay } from '../../src/resumption/anti-replay.js';
import type { ClientSession, ExternalPsk } from '../../src/resumption/types.js';
import { utf8 } from '../../src/util/bytes.js';
import { connect, createServer, type TlsServer } from '../../src/node/net.js';
import type { TlsStream } from '../../src/io/stream.js';
import { parseArgs, UsageError, USAGE, type ClientCommand, type ServerCommand, type TlsOptions } from './args.js';
import { errorText, fileKeyLogger, identityText, resumptionSuffix, summaryLine, traceText } from './output.js';
import { loadServerIdentity } from './pki.js';
import { runDemo } from './demo.js';
import { runBench } from './bench.js';
import { runBridge } from './bridge.js';
import { runCert } from './cert.js';
import { clientVerifierFromFlags, crlsFromFile, loadClientCertificate, peerSuffix, serverVerifierFromFlags } from './mtls.js';
import { ServerConnection } from '../../src/connection/server.js';
import { cliProvider } from './providers.js';
import { serveWww } from './www.js';
import { defaultIo, type CliIo } from './io.js';

export type { CliIo } from './io.js';


/** Runs the CLI; resolves with the exit code (0 ok, 1 failure, 2 usage). */
export async function run(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  try {
    if (argv[0] === 'bridge') return await runBridge(argv.slice(1), io); // its own flags: tools/cli/bridge.ts
    if (argv[0] === 'cert') return await runCert(argv.slice(1), io); // its own flags: tools/cli/cert.ts
    const cmd = parseArgs(argv);
    switch (cmd.kind) {
      case 'help':
        io.stdout.write(USAGE);
        return 0;
      case 'server':
        await startServer(cmd, io);
        return new Promise<number>(() => {}); // serves until killed
      case 'client':
        return await runClient(cmd, io);
      case 'demo':
        return await runDemo(io, { trace: cmd.trace });
      case 'bench':
        return await runBench(io, cmd);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`tls13: ${err.message}\nRun 'tls13 --help' for usage.\n`);
      return 2;
    }
    io.stderr.write(`error: ${errorText(err)}\n`);
    return 1;
  }
}

/** Checks LIST names against what the provider implements (unknown → usage error). */
function checkSupported(opts: TlsOptions, provider: CryptoProvider): void {
  const groups = new Set([...provider.groups, ...(provider.optionalGroups ?? [])].map((g) => g.id));
  for (const g of opts.groups ?? []) if (!groups.has(g)) throw new UsageError(`--groups: ${groupName(g)} is not supported`);
  const suites = new Set(provider.cipherSuites.map((s) => s.id));
  for (const s of opts.suites ?? []) if (!suites.has(s)) throw new UsageError(`--suites: ${suiteName(s)} is not supported`);
}

function externalPsks(opts: TlsOptions): ExternalPsk[] | undefined {
  return opts.psk && [{ identity: utf8(opts.psk.identity), key: opts.psk.key, hash: 'SHA-256' }];
}

function commonConfig(opts: TlsOptions, side: Side, log: (line: string) => void, provider: CryptoProvider): CommonConfig {
  const c: CommonConfig = { provider };
  if (opts.alpn) c.alpn = opts.alpn;
  if (opts.groups) c.groups = opts.groups;
  if (opts.suites) c.cipherSuites = opts.suites;
  if (opts.keylog) c.keyLog = fileKeyLogger(opts.keylog);
  if (opts.trace)
    c.onEvent = (ev) => {
      const t = traceText(side, ev);
      if (t !== undefined) log(t);
    };
  return c;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${what}: cannot read ${path}: ${errorText(err)}`);
  }
}

function readBytes(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (err) {
    throw new UsageError(`${what}: cannot read ${path}: ${errorText(err)}`);
  }
}

/** --crl FILE…: the CRLs in those files. */
function readCrls(opts: TlsOptions): Uint8Array[] {
  return (opts.crls ?? []).flatMap((f) => crlsFromFile(readBytes(f, '--crl')));
}

function writeTo(out: Writable, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(data, (err) => (err ? reject(err) : resolve()));
  });
}

// ---- server ----

/** Starts the server and prints `listening on HOST:PORT` to stderr. */
export async function startServer(cmd: ServerCommand, io: CliIo): Promise<TlsServer> {
  const provider = cliProvider(cmd.provider);
  checkSupported(cmd, provider);
  const identity =
    cmd.cert !== undefined && cmd.key !== undefined
      ? loadServerIdentity(readText(cmd.cert, '--cert'), readText(cmd.key, '--key'), provider)
      : undefined;
  // A config is made per connection: the ticket key and the replay store are the process's.
  // Both live in memory, so a restarted server can decrypt no earlier ticket (no replay across restarts).
  const tickets: NonNullable<ServerConfig['tickets']> = { count: cmd.tickets ?? 2, issuer: selfEncryptedTicketsFor(provider) };
  const earlyData: ServerConfig['earlyData'] = cmd.earlyData && {
    maxEarlyDataSize: cmd.earlyData.maxEarlyDataSize,
    antiReplay: new MemoryAntiReplay(),
    toleranceMs: Math.round(cmd.earlyData.antiReplayWindowSeconds * 1000),
  };
  const psks = externalPsks(cmd);
  // Mutual TLS: client certificates verified against --client-ca and/or --pin, with --crl.
  const clientAuth: ServerConfig['clientAuth'] = cmd.verifyClient && {
    mode: cmd.verifyClient,
    verifier: clientVerifierFromFlags({
      provider,
      ...(cmd.clientCa !== undefined ? { caPem: readText(cmd.clientCa, '--client-ca') } : {}),
      ...(cmd.pins ? { pins: cmd.pins } : {}),
      crls: readCrls(cmd),
    }),
  };
  const ocspResponse = cmd.ocsp !== undefined ? readBytes(cmd.ocsp, '--ocsp') : undefined;
  let next = 0;
  const ids = new Map<string, number>();
  const tag = (remote: string): string => `[#${ids.get(remote) ?? '?'} ${remote}]`;
  const log = (line: string): void => void io.stderr.write(`${line}\n`);

  const server = createServer(
    (remote): ServerConfig => {
      ids.set(remote, ++next);
      const c: ServerConfig = {
        ...commonConfig(cmd, 'server', (l) => log(`${tag(remote)} ${l.replace(/\n/g, `\n${tag(remote)} `)}`), provider),
        tickets,
      };
      if (clientAuth) {
        c.clientAuth = clientAuth;
        // A certificate from post-handshake authentication (RFC 8446 §4.6.2) is logged when it arrives.
        const trace = c.onEvent;
        c.onEvent = (ev) => {
          trace?.(ev);
          if (ev.type === 'peer_certificates') {
            log(`${tag(remote)} post-handshake client certificate:${peerSuffix(ev.certificates) || ' none'}`);
          }
        };
      }
      if (ocspResponse) c.ocspResponse = ocspResponse;
      if (identity) {
        c.certificateChain = identity.certificateChain;
        c.signingKey = identity.signingKey;
      }
      if (psks) c.externalPsks = psks;
      if (cmd.pskModes) c.pskModes = cmd.pskModes;
      if (earlyData) c.earlyData = earlyData;
      return c;
    },
    async (stream, remote) => {
      const p = stream.parameters;
      const psk = !p.resumed && p.pskIdentity !== undefined ? ` psk=${identityText(p.pskIdentity)}` : '';
      log(`${tag(remote)} ${summaryLine(p)}${p.serverName !== undefined ? ` sni=${p.serverName}` : ''}${psk}${resumptionSuffix(p)}${peerSuffix(p.peerCertificates)}`);
      if (cmd.postHandshakeAuth && stream.connection instanceof ServerConnection) {
        try {
          stream.connection.requestClientCertificate();
          await stream.write(new Uint8Array(0)); // flushes the CertificateRequest (an empty record)
          log(`${tag(remote)} post-handshake CertificateRequest sent`);
        } catch (err) {
          log(`${tag(remote)} post-handshake authentication not possible: ${errorText(err)}`);
        }
      }
      if (cmd.www) {
        if (cmd.keyUpdate) await stream.updateKeys(true);
        const w = await serveWww(stream, (l) => log(`${tag(remote)} ${l}`));
        log(`${tag(remote)} closed (${w.bytesIn} bytes received${w.earlyIn > 0 ? `, ${w.earlyIn} of them early` : ''}; ${w.requests} requests${w.earlyRequests > 0 ? `, ${w.earlyRequests} of them early` : ''})`);
        ids.delete(remote);
        return;
      }
      let bytesIn = 0;
      let earlyIn = 0;
      const take = async (chunk: Uint8Array): Promise<void> => {
        if (cmd.echo) await stream.write(chunk);
        else await writeTo(io.stdout, chunk);
      };
      // 0-RTT data (all of it arrived before the handshake completed) goes first, like 1-RTT data.
      for await (const chunk of stream.earlyData()) {
        earlyIn += chunk.length;
        await take(chunk);
      }
      if (earlyIn > 0) log(`${tag(remote)} early data: ${earlyIn} bytes`);
      if (cmd.keyUpdate) await stream.updateKeys(true);
      for await (const chunk of stream) {
        bytesIn += chunk.length;
        await take(chunk);
      }
      await stream.close();
      bytesIn += earlyIn;
      log(`${tag(remote)} closed (${bytesIn} bytes received${earlyIn > 0 ? `, ${earlyIn} of them early` : ''})`);
      ids.delete(remote); // on failure onError logs under this tag, then forgets it
    },
    {
      onError: (err, remote) => {
        log(`${tag(remote)} error: ${errorText(err)}`);
        ids.delete(remote);
      },
    },
  );
  const addr = await server.listen(cmd.port, cmd.host);
  log(`listening on ${addr.host}:${addr.port} (crypto: ${provider.name})`);
  return server;
}

// ---- client ----

/** Replaces `file` with the session (written aside, then renamed: never half a file). Mode 0600: it holds the PSK. */
function writeSessionFile(file: string, session: ClientSession): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, encodeSessionFile(session), { mode: 0o600 });
  renameSync(tmp, file);
}

async function runClient(cmd: ClientCommand, io: CliIo): Promise<number> {
  const provider = cliProvider(cmd.provider);
  checkSupported(cmd, provider);
  const log = (line: string): void => void io.stderr.write(`${line}\n`);
  const config: ClientConfig = { ...commonConfig(cmd, 'client', log, provider), serverName: cmd.serverName };
  if (cmd.trace) log(`crypto: ${provider.name}`);
  if (cmd.ca !== undefined || cmd.pins) {
    config.verifier = serverVerifierFromFlags({
      provider,
      ...(cmd.ca !== undefined ? { caPem: readText(cmd.ca, '--ca') } : {}),
      ...(cmd.pins ? { pins: cmd.pins } : {}),
      crls: readCrls(cmd),
      requireOcsp: cmd.requireOcsp === true,
    });
  } else if (cmd.insecure) config.insecureSkipVerify = true;
  if (cmd.requireOcsp) config.requestOcsp = true;
  if (cmd.cert !== undefined && cmd.key !== undefined) {
    config.clientCertificates = [loadClientCertificate(readText(cmd.cert, '--cert'), readText(cmd.key, '--key'), provider)];
    config.postHandshakeAuth = true;
  }
  // else: an external PSK only (a certificate from the server then fails verification).
  const psks = externalPsks(cmd);
  if (psks) config.externalPsks = psks;
  if (cmd.pskModes) config.pskModes = cmd.pskModes;
  let session: ClientSession | undefined;
  if (cmd.sessIn !== undefined) {
    try {
      session = decodeSessionFile(readText(cmd.sessIn, '--sess-in'));
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`--sess-in: ${errorText(err)}`);
    }
    config.session = session;
  }
  let sessionsSaved = 0;
  if (cmd.sessOut !== undefined) {
    const file = cmd.sessOut;
    config.onSession = (s) => {
      writeSessionFile(file, s);
      sessionsSaved++;
    };
  }
  // 0-RTT: as much as the ticket allows goes early; the rest (or all, on rejection) after the handshake.
  let early: { all: Uint8Array; sent: Uint8Array } | undefined;
  if (cmd.earlyData !== undefined) {
    const all = readBytes(cmd.earlyData, '--early-data');
    const room = session?.maxEarlyDataSize ?? 0;
    const sent = room > 0 && all.length > room ? all.subarray(0, room) : all;
    if (all.length > 0) {
      early = { all, sent };
      config.earlyData = sent;
    }
  }

  let stream: TlsStream;
  try {
    stream = await connect({ ...config, host: cmd.host, port: cmd.port });
  } catch (err) {
    log(`error: ${errorText(err)}`);
    return 1;
  }
  log(`${summaryLine(stream.parameters)}${resumptionSuffix(stream.parameters)}${peerSuffix(stream.parameters.peerCertificates)}`);

  const s = stream;
  try {
    if (early) {
      const accepted = s.parameters.earlyData === 'accepted';
      const rest = accepted ? early.all.subarray(early.sent.length) : early.all;
      // RFC 8446 §4.2.10: rejected early data is not sent again unless the connection has the ALPN
      // protocol it was written for (the session's).
      if (!accepted && session !== undefined && session.alpn !== s.parameters.alpn) {
        log(
          `error: early data not accepted, and the server selected ALPN ${s.parameters.alpn ?? 'none'} where the session had ${session.alpn ?? 'none'}: ` +
            `its ${rest.length} bytes are not sent again`,
        );
        await s.close();
        return 1;
      }
      if (!accepted) log(`early data not accepted: sending its ${rest.length} bytes after the handshake`);
      if (rest.length > 0) await s.write(rest);
    }
    if (cmd.keyUpdate) await s.updateKeys(true);
  } catch (err) {
    log(`error: ${errorText(err)}`);
    await s.close();
    return 1;
  }
  const toStdout = (async (): Promise<'peer-closed'> => {
    for await (const chunk of s) await writeTo(io.stdout, chunk);
    return 'peer-closed';
  })();
  const fromStdin = (async (): Promise<'stdin-ended'> => {
    for await (const chunk of io.stdin as AsyncIterable<Uint8Array | string>) {
      if (s.connection.closed) break;
      await s.write(typeof chunk === 'string' ? utf8(chunk) : chunk);
    }
    return 'stdin-ended';
  })();
  toStdout.catch(() => {});
  fromStdin.catch(() => {});
  try {
    const first = await Promise.race([toStdout, fromStdin]);
    await s.close(); // close_notify, then wait (bounded) for the peer's
    if (first === 'stdin-ended') await toStdout;
    else io.stdin.pause();
    if (cmd.sessOut !== undefined && sessionsSaved === 0) log(`warning: the server sent no session ticket; ${cmd.sessOut} not written`);
    return 0;
  } catch (err) {
    log(`error: ${errorText(err)}`);
    await s.close();
    return 1;
  }
}

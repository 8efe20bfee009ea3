// The tls13 CLI: server, client, demo. `run()` returns the exit code (the server never returns).

import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { ClientConfig, CommonConfig, ServerConfig } from '../connection/config.js';
import type { Side } from '../connection/types.js';
import { nobleProvider } from '../crypto/noble/index.js';
import { groupName, suiteName } from '../wire/codepoints.js';
import { connect, createServer, type TlsServer } from '../transport/node.js';
import type { TlsStream } from '../transport/driver.js';
import { parseArgs, UsageError, USAGE, type ClientCommand, type ServerCommand, type TlsOptions } from './args.js';
import { errorText, fileKeyLogger, summaryLine, traceText } from './output.js';
import { loadServerIdentity, verifierFromCaPem } from './pki.js';
import { runDemo } from './demo.js';
import { runBench } from './bench.js';

export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

const defaultIo = (): CliIo => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

/** Runs the CLI; resolves with the exit code (0 ok, 1 failure, 2 usage). */
export async function run(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  try {
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
function checkSupported(opts: TlsOptions): void {
  const groups = new Set(nobleProvider.groups.map((g) => g.id));
  for (const g of opts.groups ?? []) if (!groups.has(g)) throw new UsageError(`--groups: ${groupName(g)} is not supported`);
  const suites = new Set(nobleProvider.cipherSuites.map((s) => s.id));
  for (const s of opts.suites ?? []) if (!suites.has(s)) throw new UsageError(`--suites: ${suiteName(s)} is not supported`);
}

function commonConfig(opts: TlsOptions, side: Side, log: (line: string) => void): CommonConfig {
  const c: CommonConfig = {};
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

function writeTo(out: Writable, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(data, (err) => (err ? reject(err) : resolve()));
  });
}

// ---- server ----

/** Starts the server and prints `listening on HOST:PORT` to stderr. */
export async function startServer(cmd: ServerCommand, io: CliIo): Promise<TlsServer> {
  checkSupported(cmd);
  const identity = loadServerIdentity(readText(cmd.cert, '--cert'), readText(cmd.key, '--key'));
  let next = 0;
  const ids = new Map<string, number>();
  const tag = (remote: string): string => `[#${ids.get(remote) ?? '?'} ${remote}]`;
  const log = (line: string): void => void io.stderr.write(`${line}\n`);

  const server = createServer(
    (remote): ServerConfig => {
      ids.set(remote, ++next);
      return {
        ...commonConfig(cmd, 'server', (l) => log(`${tag(remote)} ${l.replace(/\n/g, `\n${tag(remote)} `)}`)),
        certificateChain: identity.certificateChain,
        signingKey: identity.signingKey,
      };
    },
    async (stream, remote) => {
      const p = stream.parameters;
      log(`${tag(remote)} ${summaryLine(p)}${p.serverName !== undefined ? ` sni=${p.serverName}` : ''}`);
      let bytesIn = 0;
      try {
        if (cmd.keyUpdate) await stream.updateKeys(true);
        for await (const chunk of stream) {
          bytesIn += chunk.length;
          if (cmd.echo) await stream.write(chunk);
          else await writeTo(io.stdout, chunk);
        }
        await stream.close();
        log(`${tag(remote)} closed (${bytesIn} bytes received)`);
      } finally {
        ids.delete(remote);
      }
    },
    {
      onError: (err, remote) => {
        log(`${tag(remote)} error: ${errorText(err)}`);
        ids.delete(remote);
      },
    },
  );
  const addr = await server.listen(cmd.port, cmd.host);
  log(`listening on ${addr.host}:${addr.port}`);
  return server;
}

// ---- client ----

async function runClient(cmd: ClientCommand, io: CliIo): Promise<number> {
  checkSupported(cmd);
  const log = (line: string): void => void io.stderr.write(`${line}\n`);
  const config: ClientConfig = { ...commonConfig(cmd, 'client', log), serverName: cmd.serverName };
  if (cmd.ca !== undefined) config.verifier = verifierFromCaPem(readText(cmd.ca, '--ca'));
  else config.insecureSkipVerify = true;

  let stream: TlsStream;
  try {
    stream = await connect({ ...config, host: cmd.host, port: cmd.port });
  } catch (err) {
    log(`error: ${errorText(err)}`);
    return 1;
  }
  log(summaryLine(stream.parameters));

  const s = stream;
  if (cmd.keyUpdate) await s.updateKeys(true);
  const toStdout = (async (): Promise<'peer-closed'> => {
    for await (const chunk of s) await writeTo(io.stdout, chunk);
    return 'peer-closed';
  })();
  const fromStdin = (async (): Promise<'stdin-ended'> => {
    for await (const chunk of io.stdin as AsyncIterable<Uint8Array | string>) {
      if (s.connection.closed) break;
      await s.write(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
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
    return 0;
  } catch (err) {
    log(`error: ${errorText(err)}`);
    await s.close();
    return 1;
  }
}

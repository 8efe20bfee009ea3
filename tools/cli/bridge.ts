// `tls13 bridge`: the WebSocket ↔ TCP bridge (tools/bridge/bridge.ts) on the command line,
// for browsers reaching a TCP TLS server (--to) or serving one through a page (--accept).

import { startBridge, type Bridge, type BridgeOptions } from '../bridge/bridge.js';
import { parseHostPort, UsageError } from './args.js';
import type { CliIo } from './io.js';

export const BRIDGE_USAGE = `Usage:
  tls13 bridge --listen PORT (--to HOST:PORT | --accept PORT) [--host 127.0.0.1]
               [--max-connections N] [--idle-timeout SECONDS]
               [--origin ORIGIN... | --any-origin] [--allow-non-loopback] [--verbose]

  --listen PORT     Accept WebSockets (binary messages carry TLS records) on PORT.
  --to HOST:PORT    Forward: each WebSocket gets its own TCP connection to HOST:PORT.
  --accept PORT     Reverse: TCP clients on PORT are paired with waiting WebSockets
                    (a page runs the TLS server; see tls13-engine/websocket acceptWebSocket).
  --host ADDR       Bind both listeners to ADDR (default 127.0.0.1).
  --max-connections N     At most N connections at once (default 32).
  --idle-timeout SECONDS  Close a connection idle this long (default 120).
  --origin ORIGIN   Accept WebSockets from the web page at ORIGIN (repeatable), e.g.
                    http://localhost:5173; then only from the pages listed. Default: no
                    page at all (requests with an Origin header get 403), clients that
                    send no Origin (not browsers) are accepted.
  --any-origin      Accept WebSockets from any page (any site the user visits could
                    then reach the target through the bridge).
  --allow-non-loopback    Allow a non-loopback --host or --to (default: loopback only).
  --verbose         One line per connection on stderr.
`;

export interface BridgeCommand extends BridgeOptions {
  verbose: boolean;
}

const VALUE = new Set(['listen', 'to', 'accept', 'host', 'max-connections', 'idle-timeout', 'origin']);
const BOOL = new Set(['allow-non-loopback', 'any-origin', 'verbose']);

function int(text: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${what}: expected a number, got ${text}`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`${what}: ${n} is out of range ${min}..${max}`);
  return n;
}

/** Parses `tls13 bridge` arguments (without "bridge"). Throws UsageError. */
export function parseBridgeArgs(argv: string[]): BridgeCommand | { kind: 'help' } {
  const values = new Map<string, string>();
  const origins: string[] = [];
  const bools = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') return { kind: 'help' };
    if (!a.startsWith('--')) throw new UsageError(`bridge: unexpected argument ${a}`);
    const name = a.slice(2);
    if (BOOL.has(name)) bools.add(name);
    else if (VALUE.has(name)) {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`bridge: --${name} needs a value`);
      if (name === 'origin') origins.push(v);
      else if (values.has(name)) throw new UsageError(`bridge: --${name} given twice`);
      else values.set(name, v);
    } else throw new UsageError(`bridge: unknown option ${a}`);
  }
  const listen = values.get('listen');
  if (listen === undefined) throw new UsageError('bridge: --listen is required');
  const to = values.get('to');
  const accept = values.get('accept');
  if ((to === undefined) === (accept === undefined)) throw new UsageError('bridge: give exactly one of --to HOST:PORT or --accept PORT');
  const host = values.get('host') ?? '127.0.0.1';
  const cmd: BridgeCommand = {
    listen: { port: int(listen, '--listen', 0, 65535), host },
    allowNonLoopback: bools.has('allow-non-loopback'),
    verbose: bools.has('verbose'),
  };
  if (to !== undefined) cmd.to = parseHostPort(to);
  if (accept !== undefined) cmd.accept = { port: int(accept, '--accept', 0, 65535), host };
  const max = values.get('max-connections');
  if (max !== undefined) cmd.maxConnections = int(max, '--max-connections', 1, 10_000);
  const idle = values.get('idle-timeout');
  if (idle !== undefined) cmd.idleTimeoutMs = int(idle, '--idle-timeout', 1, 86_400) * 1000;
  if (origins.length > 0 && bools.has('any-origin')) throw new UsageError('bridge: give --origin or --any-origin, not both');
  if (origins.length > 0) cmd.allowedOrigins = origins;
  if (bools.has('any-origin')) cmd.anyOrigin = true;
  return cmd;
}

/** Runs the bridge until SIGINT/SIGTERM; prints "bridge listening on ws://HOST:PORT …" to stderr. */
export async function runBridge(argv: string[], io: CliIo): Promise<number> {
  const cmd = parseBridgeArgs(argv);
  if ('kind' in cmd) {
    io.stdout.write(BRIDGE_USAGE);
    return 0;
  }
  const { verbose, ...options } = cmd;
  let bridge: Bridge;
  try {
    bridge = await startBridge({ ...options, log: verbose ? (l) => io.stderr.write(`${l}\n`) : undefined });
  } catch (err) {
    if (err instanceof Error && /not loopback|exactly one|not both/.test(err.message)) throw new UsageError(err.message);
    throw err;
  }
  const host = options.listen.host ?? '127.0.0.1';
  const target = options.to ? `tcp ${options.to.host}:${options.to.port}` : `tcp clients on ${host}:${bridge.acceptPort ?? '?'}`;
  io.stderr.write(`bridge listening on ws://${host}:${bridge.port}/ ↔ ${target}\n`);
  return new Promise<number>((resolve) => {
    const stop = (): void => {
      void bridge.close().then(() => resolve(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

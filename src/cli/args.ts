// Strict argument parsing for the tls13 CLI. Pure: no I/O.

import { groupByName, suiteByName } from '../wire/codepoints.js';

/** Bad command line: printed with the usage text, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface TlsOptions {
  /** ALPN protocols in preference order. */
  alpn?: string[];
  /** NamedGroup code points in preference order. */
  groups?: number[];
  /** CipherSuite code points in preference order. */
  suites?: number[];
  keylog?: string;
  trace: boolean;
  /** Send a KeyUpdate (update_requested) right after the handshake. */
  keyUpdate: boolean;
}

export interface ServerCommand extends TlsOptions {
  kind: 'server';
  host: string;
  port: number;
  cert: string;
  key: string;
  echo: boolean;
}

export interface ClientCommand extends TlsOptions {
  kind: 'client';
  host: string;
  port: number;
  /** --servername, else HOST (for an IP literal: verified against, not sent as SNI). */
  serverName: string;
  ca?: string;
  insecure: boolean;
}

export interface DemoCommand {
  kind: 'demo';
  trace: boolean;
}

export interface BenchCommand {
  kind: 'bench';
  quick: boolean;
  json?: string;
}

export type Command = { kind: 'help' } | ServerCommand | ClientCommand | DemoCommand | BenchCommand;

export const USAGE = `Usage:
  tls13 server --port PORT --cert CERT.pem --key KEY.pem [--host 127.0.0.1] [--echo]
               [--alpn LIST] [--groups LIST] [--suites LIST] [--keylog FILE] [--trace]
               [--key-update]
  tls13 client HOST:PORT (--ca CA.pem | --insecure) [--servername NAME]
               [--alpn LIST] [--groups LIST] [--suites LIST] [--keylog FILE] [--trace]
               [--key-update]
  tls13 demo [--trace]
  tls13 bench [--quick] [--json FILE]
  tls13 --help

  server   Serve TLS 1.3 until killed. Received data goes to stdout (or back, with --echo).
  client   Handshake, print a summary line to stderr, then copy stdin to the
           connection and the connection to stdout. At end of stdin: close_notify.
  demo     Handshake between our client and our server over loopback, explained.
  bench    Handshakes/s and record throughput, ours vs node:tls and the raw AEAD, as
           ratios measured in one run (--quick: a few seconds per section).

  LIST     Comma-separated, in preference order: IANA names for --groups (x25519,
           secp256r1, secp384r1, …) and --suites (TLS_AES_128_GCM_SHA256, …);
           protocol names for --alpn (h2,http/1.1).
  --keylog FILE   Append secrets in the NSS key log format (for Wireshark).
  --trace         Print each handshake message, decoded, to stderr.
  --key-update    Send a KeyUpdate (asking the peer to update too) after the handshake.
`;

type FlagKind = 'value' | 'bool';
const COMMON: Record<string, FlagKind> = {
  alpn: 'value',
  groups: 'value',
  suites: 'value',
  keylog: 'value',
  trace: 'bool',
  'key-update': 'bool',
};
const FLAGS: Record<'server' | 'client' | 'demo' | 'bench', Record<string, FlagKind>> = {
  server: { ...COMMON, port: 'value', cert: 'value', key: 'value', host: 'value', echo: 'bool' },
  client: { ...COMMON, servername: 'value', ca: 'value', insecure: 'bool' },
  demo: { trace: 'bool' },
  bench: { quick: 'bool', json: 'value' },
};

interface Parsed {
  flags: Map<string, string | true>;
  positional: string[];
}

function splitArgs(argv: string[], allowed: Record<string, FlagKind>): Parsed {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const kind = allowed[name];
    if (kind === undefined) throw new UsageError(`unknown option --${name}`);
    if (flags.has(name)) throw new UsageError(`--${name} given twice`);
    if (kind === 'bool') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
    }
    if (value === '') throw new UsageError(`--${name} needs a value`);
    flags.set(name, value);
  }
  return { flags, positional };
}

function str(p: Parsed, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

function parsePort(text: string, what: string, allowZero: boolean): number {
  if (!/^[0-9]{1,5}$/.test(text)) throw new UsageError(`${what}: not a port number: ${text}`);
  const n = Number(text);
  if (n > 65535 || (!allowZero && n === 0)) throw new UsageError(`${what}: port out of range: ${text}`);
  return n;
}

function parseList(text: string, what: string): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new UsageError(`--${what}: empty name in list "${text}"`);
  if (new Set(items).size !== items.length) throw new UsageError(`--${what}: duplicate name in list "${text}"`);
  return items;
}

function parseCodepoints(text: string, what: string, lookup: (name: string) => number | undefined): number[] {
  return parseList(text, what).map((name) => {
    const v = lookup(name);
    if (v === undefined) throw new UsageError(`--${what}: unknown name ${name}`);
    return v;
  });
}

function tlsOptions(p: Parsed): TlsOptions {
  const out: TlsOptions = { trace: p.flags.has('trace'), keyUpdate: p.flags.has('key-update') };
  const alpn = str(p, 'alpn');
  if (alpn !== undefined) {
    out.alpn = parseList(alpn, 'alpn');
    for (const a of out.alpn) if (new TextEncoder().encode(a).length > 255) throw new UsageError(`--alpn: protocol too long: ${a}`);
  }
  const groups = str(p, 'groups');
  if (groups !== undefined) out.groups = parseCodepoints(groups, 'groups', groupByName);
  const suites = str(p, 'suites');
  if (suites !== undefined) out.suites = parseCodepoints(suites, 'suites', suiteByName);
  const keylog = str(p, 'keylog');
  if (keylog !== undefined) out.keylog = keylog;
  return out;
}

/** Splits HOST:PORT; IPv6 literals in brackets ([::1]:443). */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):([^:]+)$/.exec(text);
  if (!m) throw new UsageError(`expected HOST:PORT, got ${text}`);
  return { host: (m[1] ?? m[2])!, port: parsePort(m[3]!, 'HOST:PORT', false) };
}

/** Parses argv (without node and the script). Throws UsageError. */
export function parseArgs(argv: string[]): Command {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') return { kind: 'help' };
  if (rest.includes('--help') || rest.includes('-h')) return { kind: 'help' };
  if (cmd !== 'server' && cmd !== 'client' && cmd !== 'demo' && cmd !== 'bench') throw new UsageError(`unknown command ${cmd}`);
  const p = splitArgs(rest, FLAGS[cmd]);

  if (cmd === 'demo') {
    if (p.positional.length > 0) throw new UsageError(`unexpected argument ${p.positional[0]!}`);
    return { kind: 'demo', trace: p.flags.has('trace') };
  }

  if (cmd === 'bench') {
    if (p.positional.length > 0) throw new UsageError(`unexpected argument ${p.positional[0]!}`);
    const json = str(p, 'json');
    return { kind: 'bench', quick: p.flags.has('quick'), ...(json !== undefined ? { json } : {}) };
  }

  if (cmd === 'server') {
    if (p.positional.length > 0) throw new UsageError(`unexpected argument ${p.positional[0]!}`);
    const port = str(p, 'port');
    const cert = str(p, 'cert');
    const key = str(p, 'key');
    if (port === undefined) throw new UsageError('server: --port is required');
    if (cert === undefined) throw new UsageError('server: --cert is required');
    if (key === undefined) throw new UsageError('server: --key is required');
    return {
      kind: 'server',
      ...tlsOptions(p),
      host: str(p, 'host') ?? '127.0.0.1',
      port: parsePort(port, '--port', true),
      cert,
      key,
      echo: p.flags.has('echo'),
    };
  }

  if (p.positional.length === 0) throw new UsageError('client: HOST:PORT is required');
  if (p.positional.length > 1) throw new UsageError(`unexpected argument ${p.positional[1]!}`);
  const { host, port } = parseHostPort(p.positional[0]!);
  const ca = str(p, 'ca');
  const insecure = p.flags.has('insecure');
  if (ca === undefined && !insecure)
    throw new UsageError('client: certificate verification is on: give --ca CA.pem (or --insecure to skip it)');
  if (ca !== undefined && insecure) throw new UsageError('client: --ca and --insecure exclude each other');
  const cmdOut: ClientCommand = {
    kind: 'client',
    ...tlsOptions(p),
    host,
    port,
    serverName: str(p, 'servername') ?? host,
    insecure,
  };
  if (ca !== undefined) cmdOut.ca = ca;
  return cmdOut;
}

// Strict argument parsing for the tls13 CLI. Pure: no I/O.

import { fromHex, utf8 } from '../../src/util/bytes.js';
import { groupByName, PskKeyExchangeMode, suiteByName } from '../../src/wire/codepoints.js';
import { parsePin } from '../../src/x509/identity.js';

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
  /** External PSK (--psk-identity, --psk): the identity as UTF-8 text, the key bytes (SHA-256). */
  psk?: { identity: string; key: Uint8Array };
  /** --psk-modes: PskKeyExchangeMode code points. */
  pskModes?: number[];
  /** --pin (repeatable): SHA-256 hashes of the peer's SubjectPublicKeyInfo. */
  pins?: Uint8Array[];
  /** --crl FILE (repeatable): CRLs (PEM or DER) for verifying the peer. */
  crls?: string[];
  /** --provider: the crypto provider (default node: node:crypto). */
  provider?: ProviderName;
}

export const PROVIDER_NAMES = ['noble', 'node', 'webcrypto'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export interface ServerCommand extends TlsOptions {
  kind: 'server';
  host: string;
  port: number;
  /** Both or neither; neither only with an external PSK. */
  cert?: string;
  key?: string;
  echo: boolean;
  /** --www: answer HTTP/1.x requests with the negotiated parameters (tools/cli/www.ts). */
  www?: boolean;
  /** --tickets: NewSessionTickets per handshake (default 2 when absent). */
  tickets?: number;
  /** --early-data: accept 0-RTT. */
  earlyData?: { maxEarlyDataSize: number; antiReplayWindowSeconds: number };
  /** --client-ca: trust anchors for client certificates. */
  clientCa?: string;
  /** --verify-client (set when client certificates are verified: --client-ca or --pin). */
  verifyClient?: 'none' | 'optional' | 'required';
  /** --ocsp: a DER OCSP response to staple. */
  ocsp?: string;
  /** --post-handshake-auth: request a client certificate after the handshake. */
  postHandshakeAuth?: boolean;
}

export interface ClientCommand extends TlsOptions {
  kind: 'client';
  host: string;
  port: number;
  /** --servername, else HOST (for an IP literal: verified against, not sent as SNI). */
  serverName: string;
  ca?: string;
  insecure: boolean;
  /** --sess-out: write every session (ticket) received here, the newest replacing the file. */
  sessOut?: string;
  /** --sess-in: resume with the session in this file. */
  sessIn?: string;
  /** --early-data: send this file's bytes as 0-RTT data (again after the handshake if rejected). */
  earlyData?: string;
  /** --cert/--key: a client certificate chain and its key, sent when the server asks. */
  cert?: string;
  key?: string;
  /** --require-ocsp: ask for a stapled OCSP response and fail without one. */
  requireOcsp?: boolean;
}

export interface DemoCommand {
  kind: 'demo';
  trace: boolean;
}

/** `tls13 bench`, also runBench()'s options (tools/bench/index.ts). */
export interface BenchCommand {
  kind: 'bench';
  quick: boolean;
  /** Write the results as JSON (the shape) to this file. */
  json?: string;
  /** Markdown report (with an SVG chart beside it: same name, .svg); default bench-report.md. */
  report?: string;
  /** Providers to measure (default noble and node). */
  providers?: ProviderName[];
  /** Only the webcrypto-vs-noble client handshake comparison in headless Chromium (./bench/chromium.ts). */
  chromium?: boolean;
  /** Only this section, printed (`memory`: memory per idle connection). */
  only?: 'memory';
}

export type Command = { kind: 'help' } | ServerCommand | ClientCommand | DemoCommand | BenchCommand;

export const USAGE = `Usage:
  tls13 server --port PORT --cert CERT.pem --key KEY.pem [--host 127.0.0.1] [--echo | --www]
               [--alpn LIST] [--groups LIST] [--suites LIST] [--keylog FILE] [--trace]
               [--key-update] [--tickets N] [--early-data [--max-early-data BYTES]
               [--anti-replay-window SECONDS]] [--psk-identity ID --psk HEX]
               [--psk-modes LIST] [--client-ca CA.pem] [--verify-client MODE]
               [--post-handshake-auth] [--ocsp FILE] [--pin SHA256]... [--crl FILE]...
  tls13 client HOST:PORT (--ca CA.pem | --pin SHA256 | --insecure) [--servername NAME]
               [--alpn LIST] [--groups LIST] [--suites LIST] [--keylog FILE] [--trace]
               [--key-update] [--sess-out FILE] [--sess-in FILE] [--early-data FILE]
               [--psk-identity ID --psk HEX] [--psk-modes LIST]
               [--cert CHAIN.pem --key KEY.pem] [--pin SHA256]... [--crl FILE]...
               [--require-ocsp]
  tls13 cert --out DIR [--key-type TYPE] [--san NAME]... [--days N] …   (tls13 cert --help)
  tls13 demo [--trace]
  tls13 bench [--quick] [--json FILE] [--report FILE.md] [--providers LIST] [--chromium]
              [--only memory]
  tls13 bridge --listen PORT (--to HOST:PORT | --accept PORT)   (tls13 bridge --help)
  tls13 --help

  server   Serve TLS 1.3 until killed. Received data goes to stdout (or back, with --echo).
           --www: answer each HTTP/1.x request with a page of the negotiated parameters
           (like openssl s_server -www); GET /keyupdate sends a KeyUpdate first.
  client   Handshake, print a summary line to stderr, then copy stdin to the
           connection and the connection to stdout. At end of stdin: close_notify.
  demo     Handshake between our client and our server over loopback, explained.
  bench    Handshakes/s (7 cases, both roles, sequential and 8 concurrent), record
           throughput, memory per idle connection and handshake CPU vs its crypto,
           ours per provider vs node:tls, as ratios measured in one run (--quick:
           under a minute). Writes a Markdown report with an SVG chart (--report,
           default bench-report.md) and, with --json, the results as JSON.
           --providers LIST: noble,node (default both). --chromium: instead, the
           webcrypto provider against noble in headless Chromium (dev dependencies).
           --only memory: just the memory per idle connection, printed.

  LIST     Comma-separated, in preference order: IANA names for --groups (x25519,
           secp256r1, secp384r1, …; ffdhe2048 … ffdhe8192 only when named) and --suites
           (TLS_AES_128_GCM_SHA256, …); protocol names for --alpn (h2,http/1.1).
  --keylog FILE   Append secrets in the NSS key log format (for Wireshark).
  --trace         Print each handshake message, decoded, to stderr.
  --key-update    Send a KeyUpdate (asking the peer to update too) after the handshake.
  --provider NAME Crypto: node (node:crypto, the default), noble (pure JavaScript) or
                  webcrypto (SubtleCrypto signatures and chain verification, noble for
                  the rest).

Resumption, PSK and 0-RTT:
  --psk-identity ID --psk HEX
                  External PSK (SHA-256): ID is text, HEX the key. With a PSK the
                  server needs no --cert/--key and the client no --ca/--insecure.
  --psk-modes LIST
                  PSK key exchange modes: psk_dhe_ke, psk_ke. Client: offered
                  (default psk_dhe_ke). Server: accepted (default psk_dhe_ke,psk_ke).
  client --sess-out FILE   Write each session (ticket) the server sends to FILE, the
                  newest replacing the file (JSON "tls13-engine-session/2"; holds a
                  secret: mode 0600).
  client --sess-in FILE    Resume with the session in FILE (offered only if its certificate
                  passes this client's checks for the name; else a full handshake).
  client --early-data FILE Send FILE's bytes as 0-RTT data (needs --sess-in with a ticket
                  that allows it); whatever was not accepted is sent after the handshake,
                  unless the server selected another ALPN protocol than the session's
                  (then it is not, and the exit code is 1: RFC 8446 §4.2.10).
                  The summary line ends with " resumed" (when resumed) and
                  " early=accepted|rejected|none".
  server --tickets N       NewSessionTickets after each handshake (default 2, 0..100).
  server --early-data      Accept 0-RTT data; it is logged as early and output like other data.
  server --max-early-data BYTES    max_early_data_size in tickets (default 16384).
  server --anti-replay-window SECONDS
                  Ticket age tolerance for 0-RTT (RFC 8446 §8.3, default 10); ClientHellos
                  are remembered for twice that.

Certificates and mutual TLS:
  cert            Mint a test PKI (root, intermediate, server and client leaves) as PEM files.
  client --cert CHAIN.pem --key KEY.pem
                  A client certificate (leaf first, then intermediates), sent when asked.
  server --client-ca CA.pem
                  Ask clients for a certificate and verify it against CA.pem (clientAuth).
  server --verify-client none|optional|required
                  With --client-ca or --pin (default required; none with --post-handshake-auth):
                  none asks nothing in the handshake, optional accepts no certificate,
                  required answers none with certificate_required.
  server --post-handshake-auth
                  Ask for a client certificate after the handshake (RFC 8446 §4.6.2).
  server --ocsp FILE   Staple this DER OCSP response to our certificate when asked.
  --pin SHA256    Accept only a peer whose key (SPKI SHA-256, hex or base64) is listed;
                  repeatable. With --ca/--client-ca both must hold; alone, it replaces the CA.
  --crl FILE      Check the peer's chain against a CRL (PEM or DER); repeatable.
  client --require-ocsp
                  Ask the server to staple an OCSP response; fail without a good one.
  The client's summary line and the server's log end with the verified peer's identity:
  peer="<subject>" and, when it has one, spiffe=<SPIFFE ID>.
`;

type FlagKind = 'value' | 'bool' | 'multi';
const COMMON: Record<string, FlagKind> = {
  alpn: 'value',
  groups: 'value',
  suites: 'value',
  keylog: 'value',
  trace: 'bool',
  'key-update': 'bool',
  'psk-identity': 'value',
  psk: 'value',
  'psk-modes': 'value',
  pin: 'multi',
  crl: 'multi',
  provider: 'value',
};
const FLAGS: Record<'server' | 'client' | 'demo' | 'bench', Record<string, FlagKind>> = {
  server: {
    ...COMMON,
    port: 'value',
    cert: 'value',
    key: 'value',
    host: 'value',
    echo: 'bool',
    www: 'bool',
    tickets: 'value',
    'early-data': 'bool',
    'max-early-data': 'value',
    'anti-replay-window': 'value',
    'client-ca': 'value',
    'verify-client': 'value',
    ocsp: 'value',
    'post-handshake-auth': 'bool',
  },
  client: {
    ...COMMON,
    servername: 'value',
    ca: 'value',
    insecure: 'bool',
    'sess-out': 'value',
    'sess-in': 'value',
    'early-data': 'value',
    cert: 'value',
    key: 'value',
    'require-ocsp': 'bool',
  },
  demo: { trace: 'bool' },
  bench: { quick: 'bool', json: 'value', report: 'value', providers: 'value', chromium: 'bool', only: 'value' },
};

interface Parsed {
  flags: Map<string, string | true>;
  /** Repeatable flags, in order. */
  multi: Map<string, string[]>;
  positional: string[];
}

function splitArgs(argv: string[], allowed: Record<string, FlagKind>): Parsed {
  const flags = new Map<string, string | true>();
  const multi = new Map<string, string[]>();
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
    if (flags.has(name) && kind !== 'multi') throw new UsageError(`--${name} given twice`);
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
    if (kind === 'multi') multi.set(name, [...(multi.get(name) ?? []), value]);
  }
  return { flags, multi, positional };
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
    for (const a of out.alpn) if (utf8(a).length > 255) throw new UsageError(`--alpn: protocol too long: ${a}`);
  }
  const groups = str(p, 'groups');
  if (groups !== undefined) out.groups = parseCodepoints(groups, 'groups', groupByName);
  const suites = str(p, 'suites');
  if (suites !== undefined) out.suites = parseCodepoints(suites, 'suites', suiteByName);
  const keylog = str(p, 'keylog');
  if (keylog !== undefined) out.keylog = keylog;
  const identity = str(p, 'psk-identity');
  const key = str(p, 'psk');
  if ((identity === undefined) !== (key === undefined)) throw new UsageError('--psk-identity and --psk go together');
  if (identity !== undefined && key !== undefined) {
    if (utf8(identity).length > 0xffff) throw new UsageError('--psk-identity: too long');
    if (!/^([0-9a-fA-F]{2})+$/.test(key)) throw new UsageError('--psk: expected an even number of hex digits');
    if (key.length / 2 > 0xffff) throw new UsageError('--psk: too long');
    out.psk = { identity, key: fromHex(key) };
  }
  const modes = str(p, 'psk-modes');
  if (modes !== undefined) out.pskModes = parseCodepoints(modes, 'psk-modes', pskModeByName);
  const provider = str(p, 'provider');
  if (provider !== undefined) out.provider = providerName(provider, '--provider');
  const pins = p.multi.get('pin');
  if (pins) {
    out.pins = pins.map((t) => {
      try {
        return parsePin(t);
      } catch (e) {
        throw new UsageError(`--pin: ${(e as Error).message}`);
      }
    });
  }
  const crls = p.multi.get('crl');
  if (crls) out.crls = crls;
  return out;
}

function pskModeByName(name: string): number | undefined {
  return name === 'psk_ke' ? PskKeyExchangeMode.psk_ke : name === 'psk_dhe_ke' ? PskKeyExchangeMode.psk_dhe_ke : undefined;
}

/** A decimal integer in min..max. */
function parseInteger(text: string, what: string, min: number, max: number): number {
  if (!/^[0-9]{1,10}$/.test(text)) throw new UsageError(`--${what}: not a number: ${text}`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`--${what}: out of range ${min}..${max}: ${text}`);
  return n;
}

/** Splits HOST:PORT; IPv6 literals in brackets ([::1]:443). */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):([^:]+)$/.exec(text);
  if (!m) throw new UsageError(`expected HOST:PORT, got ${text}`);
  return { host: (m[1] ?? m[2])!, port: parsePort(m[3]!, 'HOST:PORT', false) };
}

function providerName(name: string, flag: string): ProviderName {
  if (!(PROVIDER_NAMES as readonly string[]).includes(name)) throw new UsageError(`${flag}: expected ${PROVIDER_NAMES.join(', ')}, got ${name}`);
  return name as ProviderName;
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
    const report = str(p, 'report');
    const providers = str(p, 'providers');
    const only = str(p, 'only');
    if (only !== undefined && only !== 'memory') throw new UsageError(`--only: unknown section ${only} (memory)`);
    return {
      kind: 'bench',
      quick: p.flags.has('quick'),
      ...(json !== undefined ? { json } : {}),
      ...(report !== undefined ? { report } : {}),
      ...(providers !== undefined ? { providers: parseList(providers, 'providers').map((n) => providerName(n, '--providers')) } : {}),
      ...(p.flags.has('chromium') ? { chromium: true } : {}),
      ...(only !== undefined ? { only } : {}),
    };
  }

  if (cmd === 'server') {
    if (p.positional.length > 0) throw new UsageError(`unexpected argument ${p.positional[0]!}`);
    const port = str(p, 'port');
    const cert = str(p, 'cert');
    const key = str(p, 'key');
    if (port === undefined) throw new UsageError('server: --port is required');
    const tls = tlsOptions(p);
    // With an external PSK a certificate is optional, but still comes as a pair.
    if (cert === undefined && (key !== undefined || !tls.psk)) throw new UsageError('server: --cert is required');
    if (key === undefined && (cert !== undefined || !tls.psk)) throw new UsageError('server: --key is required');
    const out: ServerCommand = {
      kind: 'server',
      ...tls,
      host: str(p, 'host') ?? '127.0.0.1',
      port: parsePort(port, '--port', true),
      echo: p.flags.has('echo'),
    };
    if (p.flags.has('www')) {
      if (out.echo) throw new UsageError('--www and --echo exclude each other');
      out.www = true;
    }
    if (p.flags.has('post-handshake-auth')) out.postHandshakeAuth = true;
    if (cert !== undefined) out.cert = cert;
    if (key !== undefined) out.key = key;
    mutualTlsServerOptions(p, out);
    const tickets = str(p, 'tickets');
    if (tickets !== undefined) out.tickets = parseInteger(tickets, 'tickets', 0, 100);
    const maxEarly = str(p, 'max-early-data');
    const window = str(p, 'anti-replay-window');
    if (p.flags.has('early-data')) {
      let seconds = 10;
      if (window !== undefined) {
        if (!/^[0-9]{1,6}(\.[0-9]{1,3})?$/.test(window) || Number(window) <= 0)
          throw new UsageError(`--anti-replay-window: expected a positive number of seconds: ${window}`);
        seconds = Number(window);
      }
      out.earlyData = {
        maxEarlyDataSize: maxEarly === undefined ? 16384 : parseInteger(maxEarly, 'max-early-data', 1, 0xffffffff),
        antiReplayWindowSeconds: seconds,
      };
    } else if (maxEarly !== undefined || window !== undefined) {
      throw new UsageError(`--${maxEarly !== undefined ? 'max-early-data' : 'anti-replay-window'} needs --early-data`);
    }
    return out;
  }

  if (p.positional.length === 0) throw new UsageError('client: HOST:PORT is required');
  if (p.positional.length > 1) throw new UsageError(`unexpected argument ${p.positional[1]!}`);
  const { host, port } = parseHostPort(p.positional[0]!);
  const ca = str(p, 'ca');
  const insecure = p.flags.has('insecure');
  const tls = tlsOptions(p);
  // An external PSK authenticates the server by itself (no certificate is then accepted);
  // pins alone stand in for a CA.
  if (ca === undefined && !insecure && !tls.psk && !tls.pins)
    throw new UsageError('client: certificate verification is on: give --ca CA.pem (or --insecure to skip it)');
  if (ca !== undefined && insecure) throw new UsageError('client: --ca and --insecure exclude each other');
  if (insecure && (tls.pins || tls.crls || p.flags.has('require-ocsp'))) throw new UsageError('client: --insecure excludes --pin, --crl and --require-ocsp');
  const cmdOut: ClientCommand = {
    kind: 'client',
    ...tls,
    host,
    port,
    serverName: str(p, 'servername') ?? host,
    insecure,
  };
  if (p.flags.has('require-ocsp')) cmdOut.requireOcsp = true;
  const clientCert = str(p, 'cert');
  const clientKey = str(p, 'key');
  if ((clientCert === undefined) !== (clientKey === undefined)) throw new UsageError('client: --cert and --key go together');
  if (clientCert !== undefined) cmdOut.cert = clientCert;
  if (clientKey !== undefined) cmdOut.key = clientKey;
  if (ca !== undefined) cmdOut.ca = ca;
  for (const [flag, field] of [['sess-out', 'sessOut'], ['sess-in', 'sessIn'], ['early-data', 'earlyData']] as const) {
    const v = str(p, flag);
    if (v !== undefined) cmdOut[field] = v;
  }
  return cmdOut;
}

/** server --client-ca, --verify-client, --post-handshake-auth, --ocsp (with --pin and --crl for clients). */
function mutualTlsServerOptions(p: Parsed, out: ServerCommand): void {
  const clientCa = str(p, 'client-ca');
  const mode = str(p, 'verify-client');
  const verifies = clientCa !== undefined || out.pins !== undefined;
  if (clientCa !== undefined) out.clientCa = clientCa;
  if (mode !== undefined && mode !== 'none' && mode !== 'optional' && mode !== 'required') {
    throw new UsageError(`--verify-client: expected none, optional or required, got ${mode}`);
  }
  if (!verifies) {
    if (mode !== undefined && mode !== 'none') throw new UsageError(`--verify-client ${mode} needs --client-ca (or --pin)`);
    if (p.flags.has('post-handshake-auth')) throw new UsageError('--post-handshake-auth needs --client-ca (or --pin)');
    if (out.crls) throw new UsageError('server: --crl needs --client-ca (or --pin)');
  } else {
    out.verifyClient = mode ?? (p.flags.has('post-handshake-auth') ? 'none' : 'required');
  }
  const ocsp = str(p, 'ocsp');
  if (ocsp !== undefined) out.ocsp = ocsp;
}

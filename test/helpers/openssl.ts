// Child-process harness for interop tests: openssl s_server / s_client and our own CLI.
// Every child is tracked and killed by killAll() (call it in afterEach/afterAll) or at exit;
// every wait is bounded by a timeout.

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const OPENSSL = process.env.OPENSSL ?? 'openssl';
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI_PATH = resolve(PROJECT_ROOT, 'dist/tools/cli/main.js');

const DEFAULT_TIMEOUT_MS = 15_000;

/** True when an openssl binary with TLS 1.3 is on PATH. */
export function hasOpenssl(): boolean {
  const r = spawnSync(OPENSSL, ['version'], { encoding: 'utf8', timeout: 5_000 });
  return r.status === 0 && /OpenSSL [3-9]\./.test(r.stdout);
}

/** The built CLI exists (npm test builds first; otherwise run `npm run build`). */
export function hasBuiltCli(): boolean {
  return existsSync(CLI_PATH);
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A tracked child process with its output collected. */
export class Child {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly name: string;
  stdout = '';
  stderr = '';
  readonly exited: Promise<ExitStatus>;
  private status: ExitStatus | undefined;
  private listeners = new Set<() => void>();

  constructor(command: string, args: string[], name = command) {
    this.name = name;
    this.proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: PROJECT_ROOT });
    live.add(this);
    this.proc.stdout.setEncoding('utf8');
    this.proc.stderr.setEncoding('utf8');
    this.proc.stdout.on('data', (d: string) => {
      this.stdout += d;
      this.changed();
    });
    this.proc.stderr.on('data', (d: string) => {
      this.stderr += d;
      this.changed();
    });
    this.proc.stdin.on('error', () => {}); // EPIPE when the child exits first
    this.exited = new Promise<ExitStatus>((res) => {
      this.proc.once('close', (code, signal) => {
        this.status = { code, signal };
        live.delete(this);
        this.changed();
        res(this.status);
      });
      this.proc.once('error', (err) => {
        this.stderr += `\n[spawn error] ${err.message}`;
        this.status = { code: null, signal: null };
        live.delete(this);
        this.changed();
        res(this.status);
      });
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get running(): boolean {
    return this.status === undefined;
  }

  /** stdout and stderr, for failure messages. */
  output(): string {
    return `--- ${this.name} stdout ---\n${this.stdout}\n--- ${this.name} stderr ---\n${this.stderr}`;
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Waits until `stream` matches `pattern`; rejects on timeout or exit (with the output). */
  waitFor(pattern: RegExp | string, stream: 'stdout' | 'stderr' | 'any' = 'any', timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RegExpMatchArray> {
    const re = typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : pattern;
    return new Promise((res, rej) => {
      const check = (): boolean => {
        const text = stream === 'stdout' ? this.stdout : stream === 'stderr' ? this.stderr : `${this.stdout}\n${this.stderr}`;
        const m = text.match(re);
        if (m) {
          done();
          res(m);
          return true;
        }
        if (!this.running) {
          done();
          rej(new Error(`${this.name} exited (${JSON.stringify(this.status)}) before ${re}\n${this.output()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        rej(new Error(`timed out after ${timeoutMs} ms waiting for ${re} from ${this.name}\n${this.output()}`));
      }, timeoutMs);
      const listener = (): void => void check();
      const done = (): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      this.listeners.add(listener);
      check();
    });
  }

  write(data: string | Uint8Array): void {
    if (this.proc.stdin.writable) this.proc.stdin.write(data);
  }

  endInput(): void {
    if (this.proc.stdin.writable) this.proc.stdin.end();
  }

  /** Waits for exit up to `timeoutMs`, then kills; resolves with the exit status. */
  async wait(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ExitStatus & { timedOut: boolean }> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), timeoutMs);
    });
    const r = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (r !== 'timeout') return { ...r, timedOut: false };
    return { ...(await this.stop()), timedOut: true };
  }

  /** SIGTERM by PID, SIGKILL after 3 s; resolves once the process has exited. */
  async stop(): Promise<ExitStatus> {
    if (!this.running) return this.status ?? (await this.exited);
    this.proc.kill('SIGTERM');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const escalate = new Promise<void>((r) => {
      timer = setTimeout(() => {
        this.proc.kill('SIGKILL');
        r();
      }, 3_000);
    });
    await Promise.race([this.exited, escalate]);
    clearTimeout(timer);
    return this.exited;
  }
}

const live = new Set<Child>();
process.once('exit', () => {
  for (const c of live) c.proc.kill('SIGKILL');
});

/** Kills every child still running (use in afterEach/afterAll). */
export async function killAll(): Promise<void> {
  await Promise.all([...live].map((c) => c.stop()));
}

/** Number of tracked children still running. */
export function liveChildren(): number {
  return live.size;
}

export interface RunResult extends ExitStatus {
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

interface RunOptions {
  stdin?: string | Uint8Array;
  /** Keep stdin open until the output matches this (e.g. the echoed reply), then end it. */
  waitFor?: RegExp | string;
  timeoutMs?: number;
}

async function runToExit(child: Child, options: RunOptions): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = Date.now();
  if (options.stdin !== undefined) child.write(options.stdin);
  if (options.waitFor !== undefined) {
    try {
      await child.waitFor(options.waitFor, 'any', timeoutMs);
    } catch {
      /* reported through the output and the exit status */
    }
  }
  child.endInput();
  const status = await child.wait(Math.max(1, timeoutMs - (Date.now() - started)));
  return { ...status, stdout: child.stdout, stderr: child.stderr };
}

// ---- OpenSSL ----

/** A server child that announced its port. */
export interface ListeningServer {
  port: number;
  child: Child;
  /** Kills the server by PID and waits for it to exit. */
  stop(): Promise<void>;
  /** stdout + stderr so far. */
  output(): string;
}
export type OpensslServer = ListeningServer;
export type CliServer = ListeningServer;

/** Waits for `child` to print its port (capture group 1 of `announce`); stops it on failure. */
async function listening(child: Child, announce: RegExp, stream: 'stdout' | 'stderr', timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ListeningServer> {
  try {
    const m = await child.waitFor(announce, stream, timeoutMs);
    return {
      port: Number(m[1]),
      child,
      stop: async () => {
        await child.stop();
      },
      output: () => child.output(),
    };
  } catch (err) {
    await child.stop();
    throw err;
  }
}

/**
 * `openssl s_server -tls1_3 -accept 127.0.0.1:0 -cert … -key … ARGS`; resolves once it is accepting.
 * OpenSSL 3 prints "ACCEPT 127.0.0.1:PORT" with the port it bound. Useful ARGS: -rev (reply with
 * each line reversed), -naccept N, -alpn, -groups, -ciphersuites, -keylogfile.
 */
export async function startOpensslServer(options: {
  cert: string;
  key: string;
  args?: string[];
  timeoutMs?: number;
}): Promise<OpensslServer> {
  const child = new Child(
    OPENSSL,
    ['s_server', '-tls1_3', '-accept', '127.0.0.1:0', '-cert', options.cert, '-key', options.key, ...(options.args ?? [])],
    'openssl s_server',
  );
  return listening(child, /^ACCEPT 127\.0\.0\.1:(\d+)$/m, 'stdout', options.timeoutMs);
}

/**
 * `openssl s_client -connect 127.0.0.1:PORT -tls1_3 ARGS`, with `stdin` written to it. Without
 * -quiet, s_client prints the session summary; use `-quiet -no_ign_eof` for data only, exiting at
 * end of stdin (pass `waitFor` so that stdin stays open until the reply arrived).
 */
export function runOpensslClient(options: { port: number; args?: string[] } & RunOptions): Promise<RunResult> {
  const child = new Child(
    OPENSSL,
    ['s_client', '-connect', `127.0.0.1:${options.port}`, '-tls1_3', ...(options.args ?? [])],
    'openssl s_client',
  );
  return runToExit(child, options);
}

// ---- Our CLI (dist/tools/cli/main.js) ----

/** Starts `node dist/tools/cli/main.js server --port 0 ARGS` and waits for its "listening on HOST:PORT" line. */
export async function startCliServer(options: { args: string[]; timeoutMs?: number }): Promise<CliServer> {
  if (!hasBuiltCli()) throw new Error(`${CLI_PATH} is missing: run npm run build`);
  const args = options.args.includes('--port') ? options.args : ['--port', '0', ...options.args];
  const child = new Child(process.execPath, [CLI_PATH, 'server', ...args], 'tls13 server');
  return listening(child, /listening on \S+:(\d+)/, 'stderr', options.timeoutMs);
}

/** Runs `node dist/tools/cli/main.js ARGS` to exit (killed after the timeout). */
export function runCli(options: { args: string[] } & RunOptions): Promise<RunResult> {
  return runToExit(spawnCli(options.args), options);
}

/** Starts the CLI without waiting for it (e.g. an interactive client). */
export function spawnCli(args: string[]): Child {
  if (!hasBuiltCli()) throw new Error(`${CLI_PATH} is missing: run npm run build`);
  return new Child(process.execPath, [CLI_PATH, ...args], `tls13 ${args[0] ?? ''}`.trim());
}

/** Writes a throwaway self-signed P-256 certificate and key with openssl; returns their paths. */
export function opensslSelfSigned(dir: string, cn = 'localhost', sans = 'DNS:localhost,IP:127.0.0.1'): { cert: string; key: string } {
  const cert = resolve(dir, `${cn}.crt.pem`);
  const key = resolve(dir, `${cn}.key.pem`);
  const r = spawnSync(
    OPENSSL,
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
      '-subj', `/CN=${cn}`, '-days', '2', '-addext', `subjectAltName=${sans}`],
    { encoding: 'utf8', timeout: 15_000 },
  );
  if (r.status !== 0) throw new Error(`openssl req failed: ${r.stderr}`);
  return { cert, key };
}

function opensslOk(args: string[], input?: string): void {
  const r = spawnSync(OPENSSL, args, { encoding: 'utf8', timeout: 15_000, input });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

export interface TestPkiFiles {
  ca: string;
  caKey: string;
  cert: string;
  key: string;
  dir: string;
}

/**
 * A root CA and a server certificate it signed (P-256 unless `keyAlg` says otherwise), written as
 * PEM files under `dir` with openssl. SANs default to localhost and 127.0.0.1.
 */
export function opensslCaPki(
  dir: string,
  options: { name?: string; sans?: string; keyAlg?: 'ec-p256' | 'ec-p384' | 'ed25519' | 'rsa2048' } = {},
): TestPkiFiles {
  const name = options.name ?? 'server';
  const sans = options.sans ?? 'DNS:localhost,IP:127.0.0.1';
  const keyArgs = (alg: string): string[] =>
    alg === 'ed25519'
      ? ['-newkey', 'ed25519']
      : alg === 'rsa2048'
        ? ['-newkey', 'rsa:2048']
        : ['-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${alg === 'ec-p384' ? 'P-384' : 'P-256'}`];
  const f = (n: string): string => resolve(dir, n);
  opensslOk(['req', '-x509', ...keyArgs('ec-p256'), '-nodes', '-keyout', f(`${name}-ca.key.pem`), '-out', f(`${name}-ca.pem`),
    '-subj', `/CN=${name} test root`, '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  opensslOk(['req', '-new', ...keyArgs(options.keyAlg ?? 'ec-p256'), '-nodes', '-keyout', f(`${name}.key.pem`), '-out', f(`${name}.csr.pem`),
    '-subj', '/CN=localhost']);
  const ext = f(`${name}.ext`);
  writeFileSync(ext, `subjectAltName=${sans}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`);
  opensslOk(['x509', '-req', '-in', f(`${name}.csr.pem`), '-CA', f(`${name}-ca.pem`), '-CAkey', f(`${name}-ca.key.pem`),
    '-CAcreateserial', '-out', f(`${name}.crt.pem`), '-days', '2', '-extfile', ext]);
  return { ca: f(`${name}-ca.pem`), caKey: f(`${name}-ca.key.pem`), cert: f(`${name}.crt.pem`), key: f(`${name}.key.pem`), dir };
}

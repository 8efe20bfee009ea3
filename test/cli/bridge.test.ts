// `tls13 bridge`: argument parsing, and the built CLI bridging our WebSocket client to openssl.
import * as net from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseBridgeArgs } from '../../tools/cli/bridge.js';
import { UsageError } from '../../tools/cli/args.js';
import { nobleProvider } from '../../src/crypto/noble/index.js';
import { connectNodeWebSocket } from '../../tools/bridge/websocket.js';
import { connectWebSocket } from '../../src/io/websocket.js';
import { fromUtf8, utf8 } from '../../src/util/bytes.js';
import { WebPkiServerVerifier } from '../../src/x509/verify.js';
import { hasBuiltCli, hasOpenssl, killAll, runCli, spawnCli } from '../helpers/openssl.js';
import { pkiOnDisk, reversingServer, type PkiOnDisk } from '../helpers/runtimes.js';
import { startBridge } from '../../tools/bridge/bridge.js';

/** Sends a WebSocket upgrade request (with `origin` as its Origin header, if any); resolves with the status line. */
function upgradeStatus(port: number, origin?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.write(
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${origin !== undefined ? `Origin: ${origin}\r\n` : ''}\r\n`,
      );
    });
    let head = '';
    socket.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      const end = head.indexOf('\r\n');
      if (end >= 0) {
        socket.destroy();
        resolve(head.slice(0, end));
      }
    });
    socket.on('error', reject);
  });
}

describe('tls13 bridge arguments', () => {
  it('forward and reverse modes, limits, origins', () => {
    expect(parseBridgeArgs(['--listen', '8080', '--to', '127.0.0.1:4433'])).toMatchObject({
      listen: { port: 8080, host: '127.0.0.1' },
      to: { host: '127.0.0.1', port: 4433 },
      allowNonLoopback: false,
    });
    expect(
      parseBridgeArgs(['--listen', '0', '--accept', '4434', '--max-connections', '4', '--idle-timeout', '5', '--origin', 'http://a', '--origin', 'http://b', '--verbose']),
    ).toMatchObject({ accept: { port: 4434 }, maxConnections: 4, idleTimeoutMs: 5000, allowedOrigins: ['http://a', 'http://b'], verbose: true });
    expect(parseBridgeArgs(['--help'])).toEqual({ kind: 'help' });
  });

  it('audit info: no Origin is allowed unless --origin or --any-origin says so; not both', () => {
    const plain = parseBridgeArgs(['--listen', '1', '--to', '127.0.0.1:2']);
    expect(plain).not.toHaveProperty('allowedOrigins');
    expect(plain).not.toHaveProperty('anyOrigin');
    expect(parseBridgeArgs(['--listen', '1', '--to', '127.0.0.1:2', '--any-origin'])).toMatchObject({ anyOrigin: true });
    expect(() => parseBridgeArgs(['--listen', '1', '--to', '127.0.0.1:2', '--any-origin', '--origin', 'http://a'])).toThrow(/not both/);
  });

  it.each([
    [[], /--listen is required/],
    [['--listen', '1'], /exactly one/],
    [['--listen', '1', '--to', 'h:1', '--accept', '2'], /exactly one/],
    [['--listen', 'x', '--to', 'h:1'], /expected a number/],
    [['--listen', '1', '--to', 'h:1', '--max-connections', '0'], /out of range/],
    [['--listen', '1', '--to'], /needs a value/],
    [['--listen', '1', '--bogus'], /unknown option/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseBridgeArgs(argv)).toThrow(UsageError);
    expect(() => parseBridgeArgs(argv)).toThrow(message);
  });
});

describe('audit info: the bridge refuses web pages by default', () => {
  it('audit info: an Origin header → 403 unless allowed (by list, or --any-origin); no Origin (not a browser) → 101', async () => {
    const open = async (extra: { allowedOrigins?: string[]; anyOrigin?: boolean }) => startBridge({ listen: { port: 0 }, accept: { port: 0 }, pairTimeoutMs: 1000, ...extra });
    const byDefault = await open({});
    const listed = await open({ allowedOrigins: ['http://localhost:5173'] });
    const any = await open({ anyOrigin: true });
    try {
      expect(await upgradeStatus(byDefault.port, 'https://evil.example')).toBe('HTTP/1.1 403 Forbidden');
      expect(await upgradeStatus(byDefault.port, 'http://localhost:5173')).toBe('HTTP/1.1 403 Forbidden');
      expect(await upgradeStatus(byDefault.port)).toBe('HTTP/1.1 101 Switching Protocols');
      expect(byDefault.stats.refused).toBe(2);
      expect(await upgradeStatus(listed.port, 'http://localhost:5173')).toBe('HTTP/1.1 101 Switching Protocols');
      expect(await upgradeStatus(listed.port, 'https://evil.example')).toBe('HTTP/1.1 403 Forbidden');
      expect(await upgradeStatus(any.port, 'https://evil.example')).toBe('HTTP/1.1 101 Switching Protocols');
      await expect(startBridge({ listen: { port: 0 }, accept: { port: 0 }, anyOrigin: true, allowedOrigins: ['http://a'] })).rejects.toThrow(/not both/);
    } finally {
      await Promise.all([byDefault.close(), listed.close(), any.close()]);
    }
  });
});

describe.runIf(hasOpenssl() && hasBuiltCli())('tls13 bridge (built CLI)', () => {
  let files: PkiOnDisk;
  beforeAll(async () => {
    files = await pkiOnDisk('tls13-cli-bridge-');
    return () => files.cleanup();
  });
  afterEach(async () => {
    await killAll();
  });

  it('refuses a non-loopback target (exit 2)', async () => {
    const r = await runCli({ args: ['bridge', '--listen', '0', '--to', '10.1.2.3:443'] });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not loopback/);
  });

  it('--listen 0 --to: our WebSocket client reaches openssl s_server through it', async () => {
    const s = await reversingServer(files);
    const bridge = spawnCli(['bridge', '--listen', '0', '--to', `127.0.0.1:${s.port}`, '--verbose']);
    const m = await bridge.waitFor(/bridge listening on ws:\/\/127\.0\.0\.1:(\d+)\//, 'stderr');
    const verifier = new WebPkiServerVerifier({ trustAnchors: [files.pki.root.certDer], verifier: nobleProvider.verifier });
    const tls = await connectWebSocket(await connectNodeWebSocket(`ws://127.0.0.1:${m[1]!}/`), { serverName: 'localhost', verifier });
    await tls.write(utf8('through the cli\n'));
    let got = '';
    while (!got.includes('\n')) got += fromUtf8((await tls.read())!);
    expect(got).toBe('ilc eht hguorht\n');
    await tls.close();
    await bridge.waitFor(/ws .* → tcp 127\.0\.0\.1:\d+/, 'stderr');
  });

  it('audit info: the built CLI refuses a web page without --origin, and lets it through with --origin', async () => {
    const bridge = spawnCli(['bridge', '--listen', '0', '--to', '127.0.0.1:1', '--verbose']);
    const m = await bridge.waitFor(/bridge listening on ws:\/\/127\.0\.0\.1:(\d+)\//, 'stderr');
    expect(await upgradeStatus(Number(m[1]), 'https://evil.example')).toBe('HTTP/1.1 403 Forbidden');
    await bridge.waitFor(/refused: Origin "https:\/\/evil\.example"/, 'stderr');
    const allowing = spawnCli(['bridge', '--listen', '0', '--to', '127.0.0.1:1', '--origin', 'http://localhost:5173']);
    const n = await allowing.waitFor(/bridge listening on ws:\/\/127\.0\.0\.1:(\d+)\//, 'stderr');
    expect(await upgradeStatus(Number(n[1]), 'http://localhost:5173')).toBe('HTTP/1.1 101 Switching Protocols');
  });
});

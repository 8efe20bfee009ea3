// `tls13 bridge`: argument parsing, and the built CLI bridging our WebSocket client to openssl.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseBridgeArgs } from '../../src/cli/bridge.js';
import { UsageError } from '../../src/cli/args.js';
import { nobleProvider } from '../../src/crypto/noble/index.js';
import { connectNodeWebSocket } from '../../src/transport/node-websocket.js';
import { connectWebSocket } from '../../src/transport/websocket.js';
import { fromUtf8, utf8 } from '../../src/util/bytes.js';
import { WebPkiServerVerifier } from '../../src/x509/verify.js';
import { hasBuiltCli, hasOpenssl, killAll, runCli, spawnCli } from '../helpers/openssl.js';
import { pkiOnDisk, reversingServer, type PkiOnDisk } from '../runtimes/harness.js';

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
});

import { describe, expect, it } from 'vitest';
import { parseArgs, parseHostPort, UsageError } from '../../tools/cli/args.js';

const usage = (argv: string[]): string => {
  try {
    parseArgs(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('CLI argument parsing', () => {
  it('server with all options', () => {
    expect(
      parseArgs([
        'server', '--port', '0', '--cert', 'c.pem', '--key=k.pem', '--echo', '--alpn', 'h2,http/1.1',
        '--groups', 'x25519,secp256r1', '--suites', 'TLS_AES_256_GCM_SHA384', '--keylog', 'keys.txt', '--trace', '--key-update',
      ]),
    ).toEqual({
      kind: 'server',
      host: '127.0.0.1',
      port: 0,
      cert: 'c.pem',
      key: 'k.pem',
      echo: true,
      alpn: ['h2', 'http/1.1'],
      groups: [0x001d, 0x0017],
      suites: [0x1302],
      keylog: 'keys.txt',
      trace: true,
      keyUpdate: true,
    });
  });

  it('server defaults', () => {
    const c = parseArgs(['server', '--port', '4433', '--cert', 'c', '--key', 'k', '--host', '127.0.0.1']);
    expect(c).toMatchObject({ kind: 'server', port: 4433, echo: false, trace: false });
    expect(c).not.toHaveProperty('alpn');
  });

  it('client: servername defaults to HOST, also for IP literals', () => {
    expect(parseArgs(['client', 'localhost:4433', '--ca', 'ca.pem'])).toEqual({
      kind: 'client',
      host: 'localhost',
      port: 4433,
      serverName: 'localhost',
      ca: 'ca.pem',
      insecure: false,
      trace: false,
      keyUpdate: false,
    });
    expect(parseArgs(['client', '127.0.0.1:1', '--insecure', '--servername', 'example.com'])).toMatchObject({
      host: '127.0.0.1',
      serverName: 'example.com',
      insecure: true,
    });
    expect(parseArgs(['client', '127.0.0.1:1', '--insecure'])).toMatchObject({ serverName: '127.0.0.1' });
  });

  it('HOST:PORT forms', () => {
    expect(parseHostPort('[::1]:443')).toEqual({ host: '::1', port: 443 });
    expect(parseHostPort('example.com:8443')).toEqual({ host: 'example.com', port: 8443 });
    for (const bad of ['example.com', 'a:0', 'a:65536', ':443', 'a:b', '::1:443']) expect(() => parseHostPort(bad)).toThrow(UsageError);
  });

  it('help and demo', () => {
    expect(parseArgs([])).toEqual({ kind: 'help' });
    expect(parseArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseArgs(['client', '--help'])).toEqual({ kind: 'help' });
    expect(parseArgs(['demo'])).toEqual({ kind: 'demo', trace: false });
    expect(parseArgs(['demo', '--trace'])).toEqual({ kind: 'demo', trace: true });
  });

  it('unknown commands and flags', () => {
    expect(usage(['serve'])).toMatch(/unknown command serve/);
    expect(usage(['server', '--port', '1', '--cert', 'c', '--key', 'k', '--verbose'])).toMatch(/unknown option --verbose/);
    expect(usage(['client', 'h:1', '--insecure', '-v'])).toMatch(/unknown option -v/);
    expect(usage(['client', 'h:1', '--insecure', '--echo'])).toMatch(/unknown option --echo/);
    expect(usage(['demo', '--port', '1'])).toMatch(/unknown option --port/);
  });

  it('bad LIST names', () => {
    expect(usage(['client', 'h:1', '--insecure', '--groups', 'x25519,curve25519'])).toMatch(/--groups: unknown name curve25519/);
    expect(usage(['client', 'h:1', '--insecure', '--suites', 'TLS_AES_128_GCM'])).toMatch(/--suites: unknown name TLS_AES_128_GCM/);
    expect(usage(['client', 'h:1', '--insecure', '--suites', 'TLS_AES_128_GCM_SHA256,'])).toMatch(/empty name/);
    expect(usage(['client', 'h:1', '--insecure', '--alpn', 'h2,h2'])).toMatch(/duplicate/);
  });

  it('verification is on by default: --ca or --insecure is required', () => {
    expect(usage(['client', 'localhost:4433'])).toMatch(/--ca/);
    expect(usage(['client', 'localhost:4433', '--ca', 'x', '--insecure'])).toMatch(/exclude/);
  });

  it('missing values, duplicates, stray arguments', () => {
    expect(usage(['server', '--cert', 'c', '--key', 'k'])).toMatch(/--port is required/);
    expect(usage(['server', '--port', '1', '--key', 'k'])).toMatch(/--cert is required/);
    expect(usage(['server', '--port', '--cert', 'c'])).toMatch(/--port needs a value/);
    expect(usage(['server', '--port', '99999', '--cert', 'c', '--key', 'k'])).toMatch(/out of range/);
    expect(usage(['server', '--port', '1', '--port', '2', '--cert', 'c', '--key', 'k'])).toMatch(/twice/);
    expect(usage(['server', '--port', '1', '--cert', 'c', '--key', 'k', 'extra'])).toMatch(/unexpected argument extra/);
    expect(usage(['client'])).toMatch(/HOST:PORT is required/);
    expect(usage(['client', 'a:1', 'b:2', '--insecure'])).toMatch(/unexpected argument b:2/);
    expect(usage(['client', 'a:1', '--insecure=yes'])).toMatch(/takes no value/);
  });
  it('resumption, PSK and 0-RTT options: server', () => {
    expect(
      parseArgs([
        'server', '--port', '0', '--cert', 'c', '--key', 'k', '--tickets', '3', '--early-data', '--max-early-data', '1024',
        '--anti-replay-window', '2.5', '--psk-identity', 'client one', '--psk', '00Ff', '--psk-modes', 'psk_ke,psk_dhe_ke',
      ]),
    ).toEqual({
      kind: 'server',
      host: '127.0.0.1',
      port: 0,
      cert: 'c',
      key: 'k',
      echo: false,
      trace: false,
      keyUpdate: false,
      tickets: 3,
      earlyData: { maxEarlyDataSize: 1024, antiReplayWindowSeconds: 2.5 },
      psk: { identity: 'client one', key: new Uint8Array([0x00, 0xff]) },
      pskModes: [0, 1],
    });
    // Defaults: 16384 bytes, 10 s; tickets left to the engine's default (2).
    const d = parseArgs(['server', '--port', '0', '--cert', 'c', '--key', 'k', '--early-data']);
    expect(d).toMatchObject({ earlyData: { maxEarlyDataSize: 16384, antiReplayWindowSeconds: 10 } });
    expect(d).not.toHaveProperty('tickets');
    expect(parseArgs(['server', '--port', '0', '--cert', 'c', '--key', 'k'])).not.toHaveProperty('earlyData');
    // With a PSK the certificate is optional (but still a pair).
    expect(parseArgs(['server', '--port', '0', '--psk-identity', 'a', '--psk', '01'])).not.toHaveProperty('cert');
    expect(usage(['server', '--port', '0', '--psk-identity', 'a', '--psk', '01', '--cert', 'c'])).toMatch(/--key is required/);
    expect(usage(['server', '--port', '0', '--psk-identity', 'a', '--psk', '01', '--key', 'k'])).toMatch(/--cert is required/);
  });

  it('resumption, PSK and 0-RTT options: client', () => {
    expect(
      parseArgs(['client', 'h:1', '--ca', 'ca', '--sess-out', 'o.json', '--sess-in', 'i.json', '--early-data', 'e.bin']),
    ).toMatchObject({ sessOut: 'o.json', sessIn: 'i.json', earlyData: 'e.bin', ca: 'ca' });
    // A PSK alone needs no --ca / --insecure.
    const c = parseArgs(['client', 'h:1', '--psk-identity', 'id', '--psk', 'abcd', '--psk-modes', 'psk_ke']);
    expect(c).toMatchObject({ insecure: false, psk: { identity: 'id', key: new Uint8Array([0xab, 0xcd]) }, pskModes: [0] });
    expect(c).not.toHaveProperty('ca');
    expect(parseArgs(['client', 'h:1', '--ca', 'x'])).not.toHaveProperty('sessIn');
  });

  it('resumption, PSK and 0-RTT option errors', () => {
    const srv = ['server', '--port', '0', '--cert', 'c', '--key', 'k'];
    expect(usage([...srv, '--tickets', '-1'])).toMatch(/--tickets needs a value|not a number/);
    expect(usage([...srv, '--tickets', '101'])).toMatch(/--tickets: out of range/);
    expect(usage([...srv, '--tickets', 'two'])).toMatch(/--tickets: not a number/);
    expect(usage([...srv, '--max-early-data', '10'])).toMatch(/--max-early-data needs --early-data/);
    expect(usage([...srv, '--anti-replay-window', '10'])).toMatch(/--anti-replay-window needs --early-data/);
    expect(usage([...srv, '--early-data', '--max-early-data', '0'])).toMatch(/out of range/);
    expect(usage([...srv, '--early-data', '--anti-replay-window', '0'])).toMatch(/positive/);
    expect(usage([...srv, '--early-data', '--anti-replay-window', '1e3'])).toMatch(/positive/);
    expect(usage([...srv, '--early-data=yes'])).toMatch(/takes no value/);
    expect(usage([...srv, '--psk-identity', 'a'])).toMatch(/go together/);
    expect(usage([...srv, '--psk', '00'])).toMatch(/go together/);
    expect(usage([...srv, '--psk-identity', 'a', '--psk', '0'])).toMatch(/hex digits/);
    expect(usage([...srv, '--psk-identity', 'a', '--psk', 'zz'])).toMatch(/hex digits/);
    expect(usage([...srv, '--psk-modes', 'psk_ke,psk_foo'])).toMatch(/--psk-modes: unknown name psk_foo/);
    expect(usage(['client', 'h:1', '--insecure', '--early-data'])).toMatch(/--early-data needs a value/);
    expect(usage(['client', 'h:1', '--insecure', '--tickets', '1'])).toMatch(/unknown option --tickets/);
    expect(usage(['server', '--port', '0', '--cert', 'c', '--key', 'k', '--sess-in', 'f'])).toMatch(/unknown option --sess-in/);
    expect(usage(['client', 'h:1', '--sess-in', 'f'])).toMatch(/--ca/);
  });
});

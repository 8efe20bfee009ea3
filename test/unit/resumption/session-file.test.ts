import { describe, expect, it } from 'vitest';
import { SESSION_FILE_FORMAT, decodeSessionFile, encodeSessionFile } from '../../../src/resumption/session-file.js';
import { sampleSession } from './helpers.js';

describe('session file', () => {
  it('round-trips a session', () => {
    const s = sampleSession({ ticketAgeAdd: 0xffffffff, receivedAt: 2 ** 53 - 1, maxEarlyDataSize: 16384 });
    const text = encodeSessionFile(s);
    expect(text.endsWith('\n')).toBe(true);
    expect(JSON.parse(text).format).toBe(SESSION_FILE_FORMAT);
    expect(decodeSessionFile(text)).toEqual(s);
  });

  it('round-trips without ALPN and without certificates', () => {
    const { alpn: _alpn, ...s } = sampleSession({ peerCertificates: [] });
    const d = decodeSessionFile(encodeSessionFile(s));
    expect(d).toEqual(s);
    expect('alpn' in d).toBe(false);
    expect(JSON.parse(encodeSessionFile(s))).not.toHaveProperty('alpn');
  });

  it('reads a hand-written file (any member order, upper-case hex)', () => {
    const text = `{"psk":"00FF","format":"tls13-engine-session/1","serverName":"x.test","cipherSuite":4866,
      "ticket":"0A0b","ticketAgeAdd":1,"lifetimeSeconds":60,"receivedAt":5,"maxEarlyDataSize":0,"peerCertificates":[]}`;
    expect(decodeSessionFile(text)).toEqual({
      serverName: 'x.test',
      cipherSuite: 0x1302,
      ticket: new Uint8Array([10, 11]),
      psk: new Uint8Array([0, 255]),
      ticketAgeAdd: 1,
      lifetimeSeconds: 60,
      receivedAt: 5,
      maxEarlyDataSize: 0,
      peerCertificates: [],
    });
  });

  it('audit #6: format 2 carries how the server was authenticated; format 1 files are still read (unknown then)', () => {
    for (const serverAuth of ['certificate', 'insecure', 'psk'] as const) {
      const s = sampleSession({ serverAuth });
      const text = encodeSessionFile(s);
      expect(JSON.parse(text)).toMatchObject({ format: 'tls13-engine-session/2', serverAuth });
      expect(decodeSessionFile(text)).toEqual(s);
    }
    const v1 = JSON.parse(encodeSessionFile(sampleSession())) as Record<string, unknown>;
    expect(v1).not.toHaveProperty('serverAuth');
    const read = decodeSessionFile(JSON.stringify({ ...v1, format: 'tls13-engine-session/1' }));
    expect(read).toEqual(sampleSession());
    expect(read.serverAuth).toBeUndefined();
  });

  it('throws a clear Error on malformed input', () => {
    const good = JSON.parse(encodeSessionFile(sampleSession())) as Record<string, unknown>;
    const with_ = (patch: Record<string, unknown>) => JSON.stringify({ ...good, ...patch });
    const without = (k: string) => {
      const o = { ...good };
      delete o[k];
      return JSON.stringify(o);
    };
    const cases: [string, RegExp][] = [
      ['', /not JSON/],
      ['{"format":', /not JSON/],
      ['[]', /not a JSON object/],
      ['null', /not a JSON object/],
      [with_({ format: 'tls13-engine-session/3' }), /"format"/],
      [with_({ serverAuth: 'maybe' }), /"serverAuth" must be one of/],
      [with_({ format: 'tls13-engine-session/1', serverAuth: 'certificate' }), /unknown member "serverAuth"/],
      [without('format'), /"format"/],
      [with_({ extra: 1 }), /unknown member "extra"/],
      [with_({ serverName: 5 }), /"serverName"/],
      [with_({ alpn: '' }), /"alpn"/],
      [with_({ alpn: 3 }), /"alpn"/],
      [without('ticket'), /missing "ticket"/],
      [with_({ ticket: '' }), /"ticket" must be 1\.\.65535 bytes/],
      [with_({ ticket: 'abc' }), /"ticket" must be an even-length hex/],
      [with_({ psk: 'zz' }), /"psk" must be an even-length hex/],
      [with_({ psk: '00'.repeat(256) }), /"psk" must be 1\.\.255 bytes/],
      [with_({ psk: '00 11' }), /"psk"/],
      [with_({ cipherSuite: 65536 }), /"cipherSuite"/],
      [with_({ cipherSuite: '4865' }), /"cipherSuite"/],
      [without('lifetimeSeconds'), /missing "lifetimeSeconds"/],
      [with_({ ticketAgeAdd: -1 }), /"ticketAgeAdd"/],
      [with_({ ticketAgeAdd: 1.5 }), /"ticketAgeAdd"/],
      [with_({ receivedAt: 2 ** 53 }), /"receivedAt"/],
      [with_({ peerCertificates: 'x' }), /"peerCertificates"/],
      [with_({ peerCertificates: [''] }), /peerCertificates\[0\]/],
      [with_({ peerCertificates: [5] }), /peerCertificates\[0\]/],
    ];
    for (const [text, re] of cases) {
      expect(() => decodeSessionFile(text), text.slice(0, 80)).toThrow(re);
      expect(() => decodeSessionFile(text)).toThrow(/^invalid session file: /);
    }
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../../src/util/bytes.js';
import type { ParsedCertificate } from '../../../src/x509/certificate.js';
import { matchesHostname, parseIpAddress } from '../../../src/x509/hostname.js';
import { mintCertificate } from '../../../src/testing/mint.js';

let cert: ParsedCertificate;
let cnOnly: ParsedCertificate;
let trailingDotSan: ParsedCertificate;

beforeAll(async () => {
  cert = (
    await mintCertificate({
      subject: 'cn.example.org', // must never be used for matching
      sans: [
        'localhost',
        'Mixed.Example.NET',
        '*.example.com',
        'f*o.example.net',
        'foo.*.example.org',
        '*.com',
        'DNS:10.9.9.9', // a dNSName that looks like an IP: must not match the IP literal
        '127.0.0.1',
        '::1',
        'fe80::a:b',
        'xn--bcher-kva.example',
      ],
    })
  ).cert;
  cnOnly = (await mintCertificate({ subject: 'example.com' })).cert;
  trailingDotSan = (await mintCertificate({ subject: 'x', sans: ['*.dot.example.', 'abs.example.'] })).cert;
});

describe('matchesHostname (RFC 6125)', () => {
  const table: [name: string, expected: boolean, why: string][] = [
    ['localhost', true, 'exact'],
    ['LOCALHOST', true, 'case-insensitive reference'],
    ['mixed.example.net', true, 'case-insensitive presented'],
    ['localhost.', true, 'one trailing dot'],
    ['localhost..', false, 'two trailing dots'],
    ['.localhost', false, 'empty label'],
    ['a.example.com', true, 'wildcard left-most label'],
    ['A.Example.COM.', true, 'wildcard, case and trailing dot'],
    ['xn--bcher-kva.example.com', true, 'wildcard matches an A-label'],
    ['example.com', false, 'wildcard needs one label'],
    ['a.b.example.com', false, 'wildcard matches exactly one label'],
    ['.example.com', false, 'empty label under wildcard'],
    ['foo.example.net', false, 'partial-label wildcard f*o'],
    ['f*o.example.net', false, 'wildcard in the reference name'],
    ['foo.bar.example.org', false, 'wildcard not left-most'],
    ['example.com.', false, '*.com never matches example.com'],
    ['evil.com', false, 'wildcard over a single-label base (*.com)'],
    ['xexample.com', false, 'suffix without a label boundary'],
    ['example.com.evil', false, 'prefix'],
    ['cn.example.org', false, 'the CN is never consulted'],
    ['xn--bcher-kva.example', true, 'A-label exact'],
    ['bücher.example', false, 'U-labels must be converted by the caller'],
    ['127.0.0.1', true, 'IPv4 SAN'],
    ['127.0.0.2', false, 'other IPv4'],
    ['127.000.000.001', false, 'leading zeros are not an IPv4 literal (nor a host name)'],
    ['127.0.0.1.', false, 'an IP literal with a trailing dot is neither'],
    ['10.9.9.9', false, 'IP literal against a dNSName with the same text'],
    ['::1', true, 'IPv6 compressed'],
    ['0:0:0:0:0:0:0:1', true, 'IPv6 full'],
    ['[::1]', true, 'IPv6 in brackets'],
    ['FE80::A:B', true, 'IPv6 upper-case'],
    ['fe80:0:0:0:0:0:a:b', true, 'IPv6 other spelling'],
    ['fe80::a:b%eth0', false, 'zone ids are rejected'],
    ['::ffff:127.0.0.1', false, 'IPv4-mapped IPv6 is not the IPv4 SAN'],
    ['::1::', false, 'two "::"'],
    ['', false, 'empty'],
    ['*', false, 'bare wildcard reference'],
  ];
  for (const [name, expected, why] of table) {
    it(`${JSON.stringify(name)} → ${expected} (${why})`, () => {
      expect(matchesHostname(cert, name)).toBe(expected);
    });
  }

  it('a CN-only certificate matches nothing', () => {
    expect(cnOnly.subjectAltNames.dns).toEqual([]);
    expect(matchesHostname(cnOnly, 'example.com')).toBe(false);
  });

  it('presented names with a trailing dot', () => {
    expect(matchesHostname(trailingDotSan, 'a.dot.example')).toBe(true);
    expect(matchesHostname(trailingDotSan, 'abs.example')).toBe(true);
    expect(matchesHostname(trailingDotSan, 'abs.example.')).toBe(true);
  });
});

describe('parseIpAddress', () => {
  const cases: [string, string | undefined][] = [
    ['192.0.2.1', 'c0000201'],
    ['0.0.0.0', '00000000'],
    ['255.255.255.255', 'ffffffff'],
    ['256.0.0.1', undefined],
    ['1.2.3', undefined],
    ['1.2.3.4.5', undefined],
    ['01.2.3.4', undefined],
    ['::', '0'.repeat(32)],
    ['2001:db8::1', '20010db8' + '0'.repeat(22) + '01'],
    ['2001:db8:0:0:0:0:0:1', '20010db8' + '0'.repeat(22) + '01'],
    ['1::', '0001' + '0'.repeat(28)],
    ['::ffff:192.0.2.1', '0'.repeat(20) + 'ffffc0000201'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['1:2:3:4:5:6:7', undefined],
    ['1:2:3:4:5:6:7::8', undefined],
    ['12345::', undefined],
    ['g::1', undefined],
    ['example.com', undefined],
  ];
  for (const [s, hex] of cases) {
    it(`${s} → ${hex ?? 'not an IP'}`, () => {
      const ip = parseIpAddress(s);
      expect(ip === undefined ? undefined : toHex(ip)).toBe(hex);
    });
  }
});

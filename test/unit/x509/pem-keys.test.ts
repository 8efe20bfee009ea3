import { readFileSync, writeFileSync } from 'node:fs';
import * as asn1js from 'asn1js';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertDescription, CertificateError } from '../../../src/errors.js';
import { fromHex, toHex } from '../../../src/util/bytes.js';
import {
  KeyFormatError,
  encodePkcs8PrivateKey,
  encodeSpki,
  parsePkcs8PrivateKey,
  parsePrivateKeyPem,
  parseSpki,
  parseSpkiDetailed,
  privateKeyToPem,
  publicKeyFromPrivate,
} from '../../../src/x509/keys.js';
import { base64Decode, base64Encode, pemBlocks, pemDecode, pemEncode } from '../../../src/x509/pem.js';
import { generateKey } from '../../../src/testing/mint.js';
import { SignatureScheme } from '../../../src/wire/codepoints.js';
import { hasOpenssl, openssl, tempDir } from '../../helpers/x509.js';

describe('PEM', () => {
  it('round-trips with 64-column lines', () => {
    const der = Uint8Array.from({ length: 200 }, (_, i) => i);
    const pem = pemEncode(der, 'CERTIFICATE');
    expect(pem.split('\n')[1]).toHaveLength(64);
    expect(pem.startsWith('-----BEGIN CERTIFICATE-----\n')).toBe(true);
    expect(pem.endsWith('-----END CERTIFICATE-----\n')).toBe(true);
    expect(pemDecode(pem)).toEqual([der]);
  });

  it('base64 matches Buffer for every length mod 3', () => {
    for (let n = 0; n < 10; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff);
      expect(base64Encode(b)).toBe(Buffer.from(b).toString('base64'));
      expect(base64Decode(Buffer.from(b).toString('base64'))).toEqual(b);
    }
  });

  it('rejects malformed base64', () => {
    expect(() => base64Decode('QUJD=')).toThrow(TypeError);
    expect(() => base64Decode('QU=D')).toThrow(TypeError);
    expect(() => base64Decode('QU*D')).toThrow(TypeError);
  });

  it('finds all blocks, filters by label, ignores surrounding text', () => {
    const a = pemEncode(Uint8Array.of(1, 2, 3), 'CERTIFICATE');
    const b = pemEncode(Uint8Array.of(4, 5), 'PRIVATE KEY');
    const c = pemEncode(Uint8Array.of(6), 'CERTIFICATE');
    const text = `subject=CN = x\n${a}\nsome text\r\n${b.replace(/\n/g, '\r\n')}${c}`;
    expect(pemDecode(text, 'CERTIFICATE')).toEqual([Uint8Array.of(1, 2, 3), Uint8Array.of(6)]);
    expect(pemBlocks(text).map((x) => x.label)).toEqual(['CERTIFICATE', 'PRIVATE KEY', 'CERTIFICATE']);
    expect(pemDecode('no pem here')).toEqual([]);
  });

  it('rejects mismatched END labels and RFC 1421 headers', () => {
    expect(() => pemDecode('-----BEGIN A-----\nAQID\n-----END B-----\n')).toThrow(/END B/);
    const enc = '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAQID\n-----END RSA PRIVATE KEY-----\n';
    expect(() => pemDecode(enc)).toThrow(/encrypted/);
    expect(() => parsePrivateKeyPem(enc)).toThrow(KeyFormatError);
  });
});

describe('private keys', () => {
  it('round-trips our own PKCS#8 for every key type', async () => {
    for (const t of ['p256', 'p384', 'p521', 'ed25519', 'rsa2048'] as const) {
      const k = await generateKey(t);
      const back = parsePrivateKeyPem(privateKeyToPem(k));
      expect(back).toEqual(k);
      // node:crypto reads it and derives the same public key.
      const nodeKey = createPrivateKey({ key: Buffer.from(encodePkcs8PrivateKey(k)), format: 'der', type: 'pkcs8' });
      const spki = new Uint8Array(createPublicKey(nodeKey).export({ format: 'der', type: 'spki' }));
      expect(toHex(spki)).toBe(toHex(encodeSpki(publicKeyFromPrivate(k))));
    }
  });

  it('left-pads short EC private scalars', () => {
    // ECPrivateKey with a 31-byte d (leading zero dropped), as some encoders write.
    const d = fromHex('00' + 'aa'.repeat(31));
    const ecKey = new asn1js.Sequence({ value: [new asn1js.Integer({ value: 1 }), new asn1js.OctetString({ valueHex: d.subarray(1) })] });
    const pkcs8 = new asn1js.Sequence({
      value: [
        new asn1js.Integer({ value: 0 }),
        new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '1.2.840.10045.2.1' }), new asn1js.ObjectIdentifier({ value: '1.2.840.10045.3.1.7' })] }),
        new asn1js.OctetString({ valueHex: ecKey.toBER(false) }),
      ],
    });
    const k = parsePkcs8PrivateKey(new Uint8Array(pkcs8.toBER(false)));
    expect(k.kind === 'ec' && k.d).toEqual(d);
    expect(k.kind === 'ec' && k.publicPoint?.length).toBe(65);
  });

  it('RFC 5958 v2 keys with a [1] publicKey; anything after it is rejected', async () => {
    const k = await generateKey('p256');
    const edit = (f: (fields: asn1js.BaseBlock[]) => void): Uint8Array => {
      const root = asn1js.fromBER(encodePkcs8PrivateKey(k)).result as asn1js.Sequence;
      f(root.valueBlock.value);
      return new Uint8Array(root.toBER(false));
    };
    const point = k.kind === 'ec' ? k.publicPoint! : new Uint8Array(0);
    const publicKey = new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 1 }, valueHex: Uint8Array.of(0, ...point) });
    const v2 = edit((f) => {
      f[0] = new asn1js.Integer({ value: 1 });
      f.push(publicKey);
    });
    expect(parsePkcs8PrivateKey(v2)).toEqual(k);
    expect(() => parsePkcs8PrivateKey(edit((f) => f.push(publicKey, new asn1js.Null())))).toThrow(KeyFormatError);
    expect(() => parsePkcs8PrivateKey(edit((f) => void (f[0] = new asn1js.Integer({ value: 2 }))))).toThrow(/version/);
  });

  it('rejects garbage, unsupported and encrypted keys with clear errors', () => {
    expect(() => parsePrivateKeyPem('')).toThrow(/no PRIVATE KEY/);
    expect(() => parsePrivateKeyPem(pemEncode(Uint8Array.of(0x30, 0x03, 0x02, 0x01), 'PRIVATE KEY'))).toThrow(KeyFormatError);
    expect(() => parsePrivateKeyPem(pemEncode(Uint8Array.of(0x30, 0x00), 'ENCRYPTED PRIVATE KEY'))).toThrow(/encrypted/);
  });

  describe.skipIf(!hasOpenssl)('OpenSSL-written keys', () => {
    const tmp = tempDir();
    afterAll(() => tmp.cleanup());
    const gen = (name: string, args: string[]): string => {
      openssl(['genpkey', ...args, '-out', tmp.path(name)]);
      return readFileSync(tmp.path(name), 'utf8');
    };

    it('PKCS#8 EC P-256/P-384/P-521, Ed25519, RSA', () => {
      const cases: [string, string[], string][] = [
        ['p256.pem', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'P-256'],
        ['p384.pem', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'], 'P-384'],
        ['p521.pem', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521'], 'P-521'],
        ['ed25519.pem', ['-algorithm', 'ED25519'], 'ed25519'],
        ['rsa.pem', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], 'rsa'],
      ];
      for (const [file, args, what] of cases) {
        const pem = gen(file, args);
        const k = parsePrivateKeyPem(pem);
        if (what === 'ed25519' || what === 'rsa') expect(k.kind).toBe(what);
        else expect(k.kind === 'ec' && k.curve).toBe(what);
        // Same public key as OpenSSL derives.
        const spki = pemDecode(openssl(['pkey', '-in', tmp.path(file), '-pubout']), 'PUBLIC KEY')[0]!;
        expect(toHex(encodeSpki(publicKeyFromPrivate(k)))).toBe(toHex(spki));
        expect(parseSpki(spki)).toEqual(publicKeyFromPrivate(k));
      }
    });

    it('SEC1 "EC PRIVATE KEY" (with EC PARAMETERS block) and PKCS#1 "RSA PRIVATE KEY"', () => {
      const ecpem = openssl(['ecparam', '-name', 'prime256v1', '-genkey']);
      expect(ecpem).toContain('BEGIN EC PARAMETERS');
      expect(ecpem).toContain('BEGIN EC PRIVATE KEY');
      const ec = parsePrivateKeyPem(ecpem);
      expect(ec.kind === 'ec' && ec.curve).toBe('P-256');

      gen('rsa1.pem', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024']);
      const pkcs1 = openssl(['rsa', '-in', tmp.path('rsa1.pem'), '-traditional']);
      expect(pkcs1).toContain('BEGIN RSA PRIVATE KEY');
      const rsa = parsePrivateKeyPem(pkcs1);
      expect(rsa).toEqual(parsePrivateKeyPem(readFileSync(tmp.path('rsa1.pem'), 'utf8')));
    });

    it('our PKCS#8 output is readable by `openssl pkey`', async () => {
      for (const t of ['p256', 'p384', 'ed25519', 'rsa2048'] as const) {
        const f = tmp.path(`ours-${t}.pem`);
        writeFileSync(f, privateKeyToPem(await generateKey(t)));
        openssl(['pkey', '-in', f, '-noout']);
        openssl(['pkey', '-in', f, '-check', '-noout']);
      }
    });

    it('unsupported key types: Ed448, X25519, RSA-PSS, encrypted PKCS#8', () => {
      expect(() => parsePrivateKeyPem(gen('ed448.pem', ['-algorithm', 'ED448']))).toThrow(/Ed448/);
      expect(() => parsePrivateKeyPem(gen('x25519.pem', ['-algorithm', 'X25519']))).toThrow(/X25519/);
      expect(() => parsePrivateKeyPem(gen('pss.pem', ['-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:1024']))).toThrow(/RSASSA-PSS/);
      const enc = openssl(['pkcs8', '-topk8', '-in', tmp.path('p256.pem'), '-passout', 'pass:x', '-v2', 'aes-128-cbc']);
      expect(() => parsePrivateKeyPem(enc)).toThrow(/encrypted/);
    });

    it('parseSpki: Ed448 key, compressed EC point, unsupported algorithms', () => {
      const ed448 = pemDecode(openssl(['pkey', '-in', tmp.path('ed448.pem'), '-pubout']), 'PUBLIC KEY')[0]!;
      const k = parseSpki(ed448);
      expect(k.kind).toBe('ed448');
      expect(k.kind === 'ed448' && k.key.length).toBe(57);

      const compressed = pemDecode(openssl(['ec', '-in', tmp.path('p384.pem'), '-pubout', '-conv_form', 'compressed']), 'PUBLIC KEY')[0]!;
      const uncompressed = pemDecode(openssl(['pkey', '-in', tmp.path('p384.pem'), '-pubout']), 'PUBLIC KEY')[0]!;
      expect(compressed.length).toBeLessThan(uncompressed.length);
      expect(parseSpki(compressed)).toEqual(parseSpki(uncompressed));

      // An RSA-PSS key (accepted for verification only), and one restricted to SHA-384.
      const pss = pemDecode(openssl(['pkey', '-in', tmp.path('pss.pem'), '-pubout']), 'PUBLIC KEY')[0]!;
      expect(parseSpkiDetailed(pss).key).toMatchObject({ kind: 'rsa', pss: true });
      const pssKey = (name: string, mgf: string): Uint8Array => {
        gen(name, ['-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:1024', '-pkeyopt', 'rsa_pss_keygen_md:sha384', '-pkeyopt', `rsa_pss_keygen_mgf1_md:${mgf}`, '-pkeyopt', 'rsa_pss_keygen_saltlen:48']);
        return pemDecode(openssl(['pkey', '-in', tmp.path(name), '-pubout']), 'PUBLIC KEY')[0]!;
      };
      expect(parseSpkiDetailed(pssKey('pss384.pem', 'sha384')).schemes).toEqual([SignatureScheme.rsa_pss_pss_sha384]);
      // MGF1 over SHA-1 with SHA-384: no TLS scheme can use this key.
      const mismatched = pssKey('pss384-mgf1.pem', 'sha1');
      const x25519 = pemDecode(openssl(['pkey', '-in', tmp.path('x25519.pem'), '-pubout']), 'PUBLIC KEY')[0]!;
      for (const spki of [mismatched, x25519]) {
        const e = catchError(() => parseSpki(spki));
        expect(e).toBeInstanceOf(CertificateError);
        expect(e.alert).toBe(AlertDescription.unsupported_certificate);
        expect(e.check).toBe('public-key');
      }
    });
  });

  it('parseSpki reads id-RSASSA-PSS keys, bound to rsa_pss_pss_* (RFC 4055 §1.2, RFC 8446 §4.2.3)', async () => {
    const rsa = publicKeyFromPrivate(await generateKey('rsa2048'));
    if (rsa.kind !== 'rsa') throw new Error('not RSA');
    const spki = encodeSpki({ ...rsa, pss: true });
    expect(toHex(spki)).toContain('300b06092a864886f70d01010a0382'); // id-RSASSA-PSS, parameters absent (RFC 4055 §1.2)
    expect(parseSpki(spki)).toEqual({ ...rsa, pss: true });
    expect(parseSpkiDetailed(spki).schemes).toEqual([SignatureScheme.rsa_pss_pss_sha256, SignatureScheme.rsa_pss_pss_sha384, SignatureScheme.rsa_pss_pss_sha512]);
  });

  it('parseSpki rejects a negative RSA modulus (pkijs would drop the sign)', () => {
    const n = new Uint8Array(128).fill(0xc5);
    const rsaKey = new asn1js.Sequence({ value: [new asn1js.Integer({ valueHex: n }), new asn1js.Integer({ value: 65537 })] });
    const spki = new asn1js.Sequence({
      value: [
        new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.1.1' }), new asn1js.Null()] }),
        new asn1js.BitString({ valueHex: rsaKey.toBER(false) }),
      ],
    });
    const e = catchError(() => parseSpki(new Uint8Array(spki.toBER(false))));
    expect(e.alert).toBe(AlertDescription.bad_certificate);
    expect(e.message).toMatch(/negative/);
  });

  it('parseSpki rejects malformed input as bad_certificate', () => {
    const good = encodeSpki({ kind: 'ed25519', key: new Uint8Array(32).fill(1) });
    for (const bad of [good.slice(0, -1), Uint8Array.of(...good, 0), encodeSpki({ kind: 'ed25519', key: new Uint8Array(31) })]) {
      const e = catchError(() => parseSpki(bad));
      expect(e.alert).toBe(AlertDescription.bad_certificate);
    }
    // A point not on the curve.
    const offCurve = encodeSpki({ kind: 'ec', curve: 'P-256', point: Uint8Array.of(4, ...new Uint8Array(64).fill(7)) });
    expect(catchError(() => parseSpki(offCurve)).alert).toBe(AlertDescription.bad_certificate);
  });
});

function catchError(f: () => unknown): CertificateError {
  try {
    f();
  } catch (e) {
    if (e instanceof CertificateError) return e;
    throw e;
  }
  throw new Error('expected a CertificateError');
}

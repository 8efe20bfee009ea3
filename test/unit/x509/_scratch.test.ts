import { readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as oldCert from '../../../src/x509/_old/certificate.js';
import * as oldKeys from '../../../src/x509/_old/keys.js';
import * as newCert from '../../../src/x509/certificate.js';
import * as newKeys from '../../../src/x509/keys.js';
import { generateKey, mintCertificate, mintTestPki } from '../../../src/x509/mint.js';
import { pemDecode } from '../../../src/x509/pem.js';
import { toHex } from '../../../src/util/bytes.js';
import { CertificateError } from '../../../src/errors.js';

type R = { ok: true; v: unknown } | { ok: false; kind: string; msg: string };
function run(f: () => unknown): R {
  try { return { ok: true, v: f() }; } catch (e) {
    const err = e as Error;
    const kind = e instanceof CertificateError ? `CE:${e.alert}:${e.check}` : err.name;
    return { ok: false, kind, msg: err.message };
  }
}
let seed = 12345;
const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
function mutate(b: Uint8Array): Uint8Array {
  const c = Array.from(b);
  const k = rnd(6);
  const i = rnd(c.length);
  if (k === 0) c[i] = rnd(256);
  else if (k === 1) c[i] = c[i]! ^ (1 << rnd(8));
  else if (k === 2) c.splice(i, 1);
  else if (k === 3) c.splice(i, 0, rnd(256));
  else if (k === 4) c[i] = (c[i]! + 1) & 0xff;
  else c[i] = (c[i]! - 1) & 0xff;
  return Uint8Array.from(c);
}

describe('differential old vs new', () => {
  it('encoders are byte-identical', async () => {
    for (const t of ['p256', 'p384', 'p521', 'ed25519', 'rsa2048'] as const) {
      for (let j = 0; j < 5; j++) {
        const k = await generateKey(t);
        expect(toHex(newKeys.encodePkcs8PrivateKey(k))).toBe(toHex(oldKeys.encodePkcs8PrivateKey(k)));
        const pub = newKeys.publicKeyFromPrivate(k);
        expect(toHex(newKeys.encodeSpki(pub))).toBe(toHex(oldKeys.encodeSpki(pub)));
        expect(newKeys.parsePkcs8PrivateKey(oldKeys.encodePkcs8PrivateKey(k))).toEqual(k);
      }
    }
  });

  it('certificates: same results, and under mutation', async () => {
    const ders: Uint8Array[] = [];
    for (const keyType of ['p256', 'ed25519', 'rsa2048'] as const) {
      const pki = await mintTestPki({ keyType, serverNames: ['a.example', '10.0.0.1', '::1', 'u@x.example', 'URI:spiffe://x/y'] });
      ders.push(pki.root.certDer, pki.intermediate.certDer, pki.server.certDer, pki.client.certDer);
    }
    ders.push((await mintCertificate({ subject: { commonName: 'a', organization: 'b', country: 'DE', organizationalUnit: 'c' }, keyType: 'rsa2048', rsaPss: true, isCA: true })).certDer);
    ders.push((await mintCertificate({ subject: 'x', extraExtensions: [{ oid: '1.2.3.4', critical: true, value: Uint8Array.of(5, 0) }] })).certDer);
    if (existsSync('/etc/ssl/certs/ca-certificates.crt')) ders.push(...pemDecode(readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8'), 'CERTIFICATE'));
    const diffs: string[] = [];
    let accepted = 0, total = 0;
    for (const der of ders) {
      const a = run(() => oldCert.parseCertificate(der)), b = run(() => newCert.parseCertificate(der));
      expect(b).toEqual(a);
      const n = der.length > 3000 ? 150 : 400;
      for (let m = 0; m < n; m++) {
        let x = mutate(der);
        if (rnd(3) === 0) x = mutate(x);
        total++;
        const o = run(() => oldCert.parseCertificate(x)), w = run(() => newCert.parseCertificate(x));
        if (o.ok) accepted++;
        if (o.ok !== w.ok || (!o.ok && !w.ok && o.kind !== w.kind)) diffs.push(`${o.ok ? 'old ok' : 'old ' + o.kind + ' ' + o.msg} | ${w.ok ? 'new ok' : 'new ' + w.kind + ' ' + w.msg} | ${toHex(x).slice(0, 0)}`);
        else if (o.ok && w.ok) { try { expect(w.v).toEqual(o.v); } catch { diffs.push('both ok, values differ'); } }
      }
    }
    console.log(`total ${total}, old accepted ${accepted}, diffs ${diffs.length}`);
    const counts = new Map<string, number>();
    for (const d of diffs) counts.set(d, (counts.get(d) ?? 0) + 1);
    console.log([...counts].sort((p, q) => q[1] - p[1]).slice(0, 40).map(([d, c]) => `${c}× ${d}`).join('\n'));
  }, 600_000);

  it('keys under mutation', async () => {
    const diffs: string[] = [];
    for (const t of ['p256', 'p384', 'ed25519', 'rsa2048'] as const) {
      const k = await generateKey(t);
      const pk = newKeys.encodePkcs8PrivateKey(k);
      const spki = newKeys.encodeSpki(newKeys.publicKeyFromPrivate(k));
      for (let m = 0; m < 1500; m++) {
        const x = mutate(pk);
        const o = run(() => oldKeys.parsePkcs8PrivateKey(x)), w = run(() => newKeys.parsePkcs8PrivateKey(x));
        if (o.ok !== w.ok || (!o.ok && !w.ok && o.kind !== w.kind)) diffs.push(`pkcs8 ${t}: ${o.ok ? 'old ok' : o.msg} | ${w.ok ? 'new ok' : w.msg}`);
        else if (o.ok && w.ok) { try { expect(w.v).toEqual(o.v); } catch { diffs.push(`pkcs8 ${t}: values differ`); } }
        const y = mutate(spki);
        const o2 = run(() => oldKeys.parseSpki(y)), w2 = run(() => newKeys.parseSpki(y));
        if (o2.ok !== w2.ok || (!o2.ok && !w2.ok && o2.kind !== w2.kind)) diffs.push(`spki ${t}: ${o2.ok ? 'old ok' : o2.kind + ' ' + o2.msg} | ${w2.ok ? 'new ok' : w2.kind + ' ' + w2.msg}`);
        else if (o2.ok && w2.ok) { try { expect(w2.v).toEqual(o2.v); } catch { diffs.push(`spki ${t}: values differ`); } }
      }
    }
    const counts = new Map<string, number>();
    for (const d of diffs) counts.set(d, (counts.get(d) ?? 0) + 1);
    console.log(`key diffs ${diffs.length}\n` + [...counts].sort((p, q) => q[1] - p[1]).slice(0, 40).map(([d, c]) => `${c}× ${d}`).join('\n'));
  }, 600_000);
});

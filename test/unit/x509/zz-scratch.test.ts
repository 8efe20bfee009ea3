import { readFileSync } from 'node:fs';
import { test } from 'vitest';
import { parseCertificate } from '../../../src/x509/certificate.js';
test('smoke', () => {
  for (const n of [382, 2597, 2852]) {
    const c = parseCertificate(new Uint8Array(readFileSync(`/tmp/rfc8448_${n}.der`)));
    console.log(n, c.subject.text, c.issuer.text, c.signatureAlgorithm.name, c.signatureScheme, c.publicKey.kind, c.notBefore.toISOString(), c.notAfter.toISOString(), c.basicConstraints, c.keyUsage, c.serialHex, c.tbs.length);
  }
});

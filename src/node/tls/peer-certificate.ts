// node:tls's PeerCertificate object (getPeerCertificate()) for a DER certificate, filled in by
// node:crypto's X509Certificate. RFC 5280 §4.1 fields.

import { X509Certificate } from 'node:crypto';

/** The subset of node:tls's PeerCertificate this API fills in. */
export interface PeerCertificate {
  subject: Record<string, string | string[]>;
  issuer: Record<string, string | string[]>;
  subjectaltname?: string;
  valid_from: string;
  valid_to: string;
  serialNumber: string;
  fingerprint: string;
  fingerprint256: string;
  fingerprint512: string;
  ca: boolean;
  raw: Buffer;
  issuerCertificate?: PeerCertificate;
}

function nameObject(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i <= 0) continue;
    const k = line.slice(0, i);
    const v = line.slice(i + 1);
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export function peerCertificate(der: Uint8Array): PeerCertificate {
  const x = new X509Certificate(der);
  const cert: PeerCertificate = {
    subject: nameObject(x.subject),
    issuer: nameObject(x.issuer),
    valid_from: x.validFrom,
    valid_to: x.validTo,
    serialNumber: x.serialNumber,
    fingerprint: x.fingerprint,
    fingerprint256: x.fingerprint256,
    fingerprint512: x.fingerprint512,
    ca: x.ca,
    raw: Buffer.from(der),
  };
  if (x.subjectAltName !== undefined) cert.subjectaltname = x.subjectAltName;
  return cert;
}

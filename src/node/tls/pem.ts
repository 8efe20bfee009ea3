// PEM inputs of the node:tls-shaped API (node:tls accepts strings or buffers): certificates and
// the key, made into the engine's certificate chain and SigningKey. RFC 7468 (PEM).

import { signingKeyFromMaterial } from '../../crypto/index.js';
import type { CryptoProvider, SigningKey } from '../../crypto/provider.js';
import { parsePrivateKeyPem } from '../../x509/keys.js';
import { pemDecode } from '../../x509/pem.js';

export type Pem = string | Uint8Array;
export const pemText = (p: Pem): string => (typeof p === 'string' ? p : Buffer.from(p).toString('latin1'));
export const pems = (v: Pem | Pem[] | undefined): Uint8Array[] =>
  (v === undefined ? [] : Array.isArray(v) ? v : [v]).flatMap((p) => pemDecode(pemText(p), 'CERTIFICATE'));

/** The key as the provider's own SigningKey when it has one (node:crypto signs synchronously), else noble's. */
export function signingMaterial(cert: Pem | undefined, key: Pem | undefined, provider: CryptoProvider): { chain: Uint8Array[]; key: SigningKey } | undefined {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) throw new TypeError('cert and key go together');
  const material = parsePrivateKeyPem(pemText(key));
  return { chain: pems(cert), key: provider.signingKey ? provider.signingKey(material) : signingKeyFromMaterial(material) };
}


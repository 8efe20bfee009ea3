// Key-format arithmetic on noble for x509/keys.ts: SEC1 §2.3.3-2.3.4 point decoding and
// validation, SEC1 §3.2.1 public points of private scalars (other public keys: signing.ts
// publicKeyOfMaterial). The provider interface has no such operation (it verifies and signs;
// parsing a key is not a provider's job), so x509 calls these.
import { ECDSA_CURVES } from './verify.js';

type Curve = 'P-256' | 'P-384' | 'P-521';

/** The uncompressed form of a SEC1 point; throws (noble's Error) when it is not on the curve. */
export function uncompressedPoint(curve: Curve, point: Uint8Array): Uint8Array {
  return ECDSA_CURVES[curve].Point.fromBytes(point).toBytes(false);
}

/** True when `d` (the curve's field size) is a valid private scalar (1 ≤ d < n). */
export function isValidEcPrivateKey(curve: Curve, d: Uint8Array): boolean {
  return ECDSA_CURVES[curve].utils.isValidSecretKey(d);
}

/** The uncompressed public point of the private scalar `d`. */
export function ecPublicPoint(curve: Curve, d: Uint8Array): Uint8Array {
  return ECDSA_CURVES[curve].getPublicKey(d, false);
}

// Test helpers: node:crypto key conversions and injectable randomness.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { PrivateKeyMaterial, RandomSource } from '../../src/crypto/provider.js';

export const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
export const fromB64u = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64url'));
export const bigFromB64u = (s: string): bigint => BigInt('0x' + (Buffer.from(s, 'base64url').toString('hex') || '0'));
export const b64uFromBig = (x: bigint): string => {
  let hex = x.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return Buffer.from(hex, 'hex').toString('base64url');
};
export const bigFromHex = (hex: string): bigint => BigInt('0x' + hex);

/** A random source that hands out the given chunks in order (each call consumes one), then fails. */
export function scriptedRandom(...chunks: Uint8Array[]): RandomSource {
  let i = 0;
  return (out) => {
    const c = chunks[i++];
    if (c === undefined || c.length !== out.length) throw new Error(`scriptedRandom: unexpected request #${i} of ${out.length} bytes`);
    out.set(c);
  };
}

/** A deterministic (insecure) source for reproducible tests. */
export function seededRandom(seed = 1): RandomSource {
  let s = seed >>> 0 || 1;
  return (out) => {
    for (let i = 0; i < out.length; i++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      out[i] = s & 0xff;
    }
  };
}

export type RsaMaterial = Extract<PrivateKeyMaterial, { kind: 'rsa' }>;

export function rsaMaterialFromNode(privateKey: KeyObject): RsaMaterial {
  const j = privateKey.export({ format: 'jwk' });
  const f = (v: string | undefined): bigint => bigFromB64u(v ?? '');
  return { kind: 'rsa', n: f(j.n), e: f(j.e), d: f(j.d), p: f(j.p), q: f(j.q), dp: f(j.dp), dq: f(j.dq), qi: f(j.qi) };
}

export function nodeRsaKeys(m: RsaMaterial): { privateKey: KeyObject; publicKey: KeyObject } {
  const jwk = {
    kty: 'RSA',
    n: b64uFromBig(m.n),
    e: b64uFromBig(m.e),
    d: b64uFromBig(m.d),
    p: b64uFromBig(m.p),
    q: b64uFromBig(m.q),
    dp: b64uFromBig(m.dp),
    dq: b64uFromBig(m.dq),
    qi: b64uFromBig(m.qi),
  };
  return {
    privateKey: createPrivateKey({ key: jwk, format: 'jwk' }),
    publicKey: createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' }),
  };
}

export function generateRsa(bits: number): { material: RsaMaterial; privateKey: KeyObject; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return { material: rsaMaterialFromNode(privateKey), privateKey, publicKey };
}

export type Curve = 'P-256' | 'P-384' | 'P-521';
export const NODE_CURVE: Record<Curve, string> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };

/** An EC key from node: private scalar bytes and uncompressed public point. */
export function generateEc(curve: Curve): { d: Uint8Array; point: Uint8Array; privateKey: KeyObject; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: NODE_CURVE[curve] });
  const j = privateKey.export({ format: 'jwk' });
  const point = new Uint8Array([4, ...fromB64u(j.x ?? ''), ...fromB64u(j.y ?? '')]);
  return { d: fromB64u(j.d ?? ''), point, privateKey, publicKey };
}

/** A node public KeyObject for an uncompressed EC point. */
export function nodeEcPublic(curve: Curve, point: Uint8Array): KeyObject {
  const len = (point.length - 1) / 2;
  return createPublicKey({
    key: { kty: 'EC', crv: curve, x: b64u(point.subarray(1, 1 + len)), y: b64u(point.subarray(1 + len)) },
    format: 'jwk',
  });
}

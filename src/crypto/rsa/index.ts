// RSA over bigint (RFC 8017): verification, blinded CRT signing, and a WebCrypto signer.
export { rsaPssVerify, rsaPkcs1v15Verify, rsaPublicKeyProblem, RSA_MIN_MODULUS_BITS, RSA_MAX_MODULUS_BITS, RSA_MAX_PUBLIC_EXPONENT } from './verify.js';
export type { RsaPublicKey } from './verify.js';
export { rsaPssSign, createRsaSigningKey, rsaPrivateKeyProblem } from './sign.js';
export type { RsaPrivateKey, RsaSigningKeyOptions } from './sign.js';
export { modPow, modInverse } from './math.js';

// The "./crypto/webcrypto" entry: the WebCrypto provider (crypto/webcrypto/) and the WebCrypto
// chain verifiers (x509/webcrypto.ts; crypto/ does not import x509/, so they meet here).

export * from './crypto/webcrypto/index.js';
export { WebCryptoClientVerifier, WebCryptoServerVerifier, type WebCryptoVerifierOptions } from './x509/webcrypto.js';

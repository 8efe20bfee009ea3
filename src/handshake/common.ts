// Re-exports for the handshake states: the state machine (state.ts), signatures (signature.ts),
// secrets (secrets.ts) and the connection contract (context.ts).

export { Pending, whenReady, allReady, type HandshakeState, type Step } from './state.js';
export {
  certificateVerifyContent,
  CERTIFICATE_VERIFY_SCHEMES,
  CERTIFICATE_ONLY_SCHEMES,
  keyFitsScheme,
  runVerifier,
  checkCertificateVerify,
} from './signature.js';
export {
  findSuite,
  keyLogLabel,
  verifyFinished,
  deriveApplicationSecrets,
  deriveHandshakeSecrets,
  type ApplicationTrafficSecrets,
  type HandshakeTrafficSecrets,
} from './secrets.js';

export type { ApplicationSecrets, Epoch, HandshakeContext } from './context.js';

// The TLS 1.3 key schedule (RFC 8446 §7) and transcript hash (§4.4.1).

export { hkdfExpandLabel, hkdfLabel, deriveSecret, emptyHash } from './hkdf.js';
export { type TrafficKeys, trafficKeys, nextTrafficSecret } from './traffic.js';
export { finishedKey, finishedVerifyData, pskBinder } from './finished.js';
export { resumptionPsk, exportKeyingMaterial } from './resumption.js';
export { EarlySecretStage, HandshakeSecretStage, MasterSecretStage } from './schedule.js';
export { Transcript } from './transcript.js';
export { Secret } from './secret.js';

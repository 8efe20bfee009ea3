// The TLS 1.3 key schedule (RFC 8446 §7) and transcript hash (§4.4.1).

export { hkdfExpandLabel, hkdfLabel, deriveSecret, emptyHash } from './hkdf.js';
export { type TrafficKeys, trafficKeys, nextTrafficSecret } from './traffic.js';
export { finishedKey, finishedVerifyData } from './finished.js';
export { resumptionPsk, pskBinder } from './psk.js';
export { exportKeyingMaterial } from './exporter.js';
export { EarlySecretStage, HandshakeSecretStage, MasterSecretStage } from './schedule.js';
export { Transcript } from './transcript.js';
export { Secret } from './secret.js';

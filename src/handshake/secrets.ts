// Key schedule glue for the states: suite lookup, key log labels, handshake and application
// secrets, the Finished check. RFC 8446 §4.4.4, §7.1; NSS key log format.

import { tlsError } from '../errors.js';
import type { CipherSuiteImpl, CryptoProvider, HashAlgorithm } from '../crypto/provider.js';
import { constantTimeEqual } from '../util/bytes.js';
import { finishedVerifyData, type EarlySecretStage, type HandshakeSecretStage, type MasterSecretStage } from '../keyschedule/index.js';

/** Where derived secrets are logged (the connection's NSS key log; a no-op unless configured). */
export interface KeyLogger {
  keyLog(label: string, secret: Uint8Array): void;
}

/** Pick the suite implementation by code point, or undefined. */
export function findSuite(provider: CryptoProvider, id: number): CipherSuiteImpl | undefined {
  return provider.cipherSuites.find((s) => s.id === id);
}

/** NSS key log labels. */
export const keyLogLabel = {
  clientEarly: 'CLIENT_EARLY_TRAFFIC_SECRET',
  clientHandshake: 'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
  serverHandshake: 'SERVER_HANDSHAKE_TRAFFIC_SECRET',
  clientTraffic0: 'CLIENT_TRAFFIC_SECRET_0',
  serverTraffic0: 'SERVER_TRAFFIC_SECRET_0',
  exporter: 'EXPORTER_SECRET',
  earlyExporter: 'EARLY_EXPORTER_SECRET',
} as const;

/** RFC 8446 §4.4.4: check a peer's Finished against the transcript so far, in constant time. */
export function verifyFinished(hash: HashAlgorithm, baseKey: Uint8Array, transcriptHash: Uint8Array, verifyData: Uint8Array, peer: string): void {
  if (verifyData.length !== hash.outputLen) throw tlsError('decode_error', `${peer} Finished of the wrong length`);
  if (!constantTimeEqual(finishedVerifyData(hash, baseKey, transcriptHash), verifyData)) {
    throw tlsError('decrypt_error', `${peer} Finished does not verify`);
  }
}

export interface ApplicationTrafficSecrets {
  master: MasterSecretStage;
  client: Uint8Array;
  server: Uint8Array;
  exporter: Uint8Array;
}

/** RFC 8446 §7.1: the application secrets, from the transcript through the server Finished; logged. */
export function deriveApplicationSecrets(ctx: KeyLogger, hs: HandshakeSecretStage, transcriptHash: Uint8Array): ApplicationTrafficSecrets {
  const master = hs.master();
  const secrets = {
    master,
    client: master.clientApplicationTrafficSecret(transcriptHash),
    server: master.serverApplicationTrafficSecret(transcriptHash),
    exporter: master.exporterMasterSecret(transcriptHash),
  };
  ctx.keyLog(keyLogLabel.clientTraffic0, secrets.client);
  ctx.keyLog(keyLogLabel.serverTraffic0, secrets.server);
  ctx.keyLog(keyLogLabel.exporter, secrets.exporter);
  return secrets;
}

export interface HandshakeTrafficSecrets {
  stage: HandshakeSecretStage;
  client: Uint8Array;
  server: Uint8Array;
}

/** RFC 8446 §7.1: the handshake secrets from the (EC)DHE secret and the hash through ServerHello; logged. Wipes `early` (and `shared`). */
export function deriveHandshakeSecrets(
  ctx: KeyLogger,
  early: EarlySecretStage,
  shared: Uint8Array | undefined,
  transcriptHash: Uint8Array,
): HandshakeTrafficSecrets {
  const stage = early.handshake(shared);
  shared?.fill(0);
  const secrets = {
    stage,
    client: stage.clientHandshakeTrafficSecret(transcriptHash),
    server: stage.serverHandshakeTrafficSecret(transcriptHash),
  };
  ctx.keyLog(keyLogLabel.clientHandshake, secrets.client);
  ctx.keyLog(keyLogLabel.serverHandshake, secrets.server);
  return secrets;
}

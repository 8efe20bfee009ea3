// The staged key schedule (RFC 8446 §7.1). Each stage holds one secret and can only
// derive what the RFC derives from it; the next stage is reached through the previous
// one, so an application secret cannot be derived from the wrong stage. Reaching the next
// stage wipes the previous one (it derives nothing more, RFC 8446 §7.1).
//
//              0
//              |
//    PSK ->  HKDF-Extract = Early Secret          (EarlySecretStage)
//              |
//        Derive-Secret(., "derived", "")
//              |
// (EC)DHE -> HKDF-Extract = Handshake Secret      (HandshakeSecretStage)
//              |
//        Derive-Secret(., "derived", "")
//              |
//    0 ->  HKDF-Extract = Master Secret           (MasterSecretStage)

import type { HashAlgorithm } from '../crypto/provider.js';
import { tlsError } from '../errors.js';
import { wipe } from '../util/bytes.js';
import { deriveSecret, emptyHash } from './hkdf.js';

/** Only this module can build the later stages: they come from the previous stage. */
const stageToken: unique symbol = Symbol('keyschedule stage');

/** One secret of the schedule, with a wipe. */
abstract class SecretStage {
  readonly hash: HashAlgorithm;
  #secret: Uint8Array | undefined;

  protected constructor(hash: HashAlgorithm, secret: Uint8Array) {
    this.hash = hash;
    this.#secret = secret;
  }

  /** The stage's secret; throws once wiped. */
  protected get secret(): Uint8Array {
    if (this.#secret === undefined) throw tlsError('internal_error', 'key schedule stage used after wipe()');
    return this.#secret;
  }

  protected derive(label: string, transcriptHash: Uint8Array): Uint8Array {
    return deriveSecret(this.hash, this.secret, label, transcriptHash);
  }

  /**
   * RFC 8446 §7.1: Derive-Secret(., "derived", "") then HKDF-Extract with `ikm`. The "derived"
   * secret is the last one taken from this stage, so the stage is wiped.
   */
  protected next(ikm: Uint8Array): Uint8Array {
    const salt = this.derive('derived', emptyHash(this.hash));
    try {
      return this.hash.hkdfExtract(salt, ikm);
    } finally {
      wipe(salt);
      this.wipe();
    }
  }

  /** True after wipe(). */
  get wiped(): boolean {
    return this.#secret === undefined;
  }

  /** Overwrites the secret; the stage is unusable afterwards. Secrets already derived are not touched. */
  wipe(): void {
    wipe(this.#secret);
    this.#secret = undefined;
  }
}

/** RFC 8446 §7.1: "0" is a string of Hash.length zero bytes. */
function zeros(hash: HashAlgorithm): Uint8Array {
  return new Uint8Array(hash.outputLen);
}

/** Early Secret = HKDF-Extract(0, PSK) (RFC 8446 §7.1). */
export class EarlySecretStage extends SecretStage {
  /** Without a PSK the IKM is Hash.length zero bytes (RFC 8446 §7.1). */
  constructor(hash: HashAlgorithm, psk?: Uint8Array) {
    super(hash, hash.hkdfExtract(zeros(hash), psk ?? zeros(hash)));
  }

  /** A copy of the Early Secret (for tests and key logging). */
  get earlySecret(): Uint8Array {
    return this.secret.slice();
  }

  /** binder_key: Derive-Secret(., "ext binder" | "res binder", "") (RFC 8446 §7.1). */
  binderKey(external: boolean): Uint8Array {
    return this.derive(external ? 'ext binder' : 'res binder', emptyHash(this.hash));
  }

  /** client_early_traffic_secret: Derive-Secret(., "c e traffic", ClientHello) (RFC 8446 §7.1). */
  clientEarlyTrafficSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.derive('c e traffic', transcriptHash);
  }

  /** early_exporter_master_secret: Derive-Secret(., "e exp master", ClientHello) (RFC 8446 §7.1). */
  earlyExporterMasterSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.derive('e exp master', transcriptHash);
  }

  /**
   * Handshake Secret = HKDF-Extract(Derive-Secret(., "derived", ""), (EC)DHE) (RFC 8446 §7.1).
   * `undefined` (psk_ke, no (EC)DHE) uses Hash.length zero bytes. Wipes this stage: binder
   * keys and early secrets come before.
   */
  handshake(sharedSecret: Uint8Array | undefined): HandshakeSecretStage {
    return new HandshakeSecretStage(stageToken, this.hash, this.next(sharedSecret ?? zeros(this.hash)));
  }
}

/** Handshake Secret stage (RFC 8446 §7.1). Reached through EarlySecretStage.handshake(). */
export class HandshakeSecretStage extends SecretStage {
  /** @internal Use EarlySecretStage.handshake(). */
  constructor(token: typeof stageToken, hash: HashAlgorithm, secret: Uint8Array) {
    if (token !== stageToken) throw tlsError('internal_error', 'HandshakeSecretStage comes from EarlySecretStage.handshake()');
    super(hash, secret);
  }

  /** A copy of the Handshake Secret (for tests and key logging). */
  get handshakeSecret(): Uint8Array {
    return this.secret.slice();
  }

  /** client_handshake_traffic_secret: Derive-Secret(., "c hs traffic", ClientHello...ServerHello). */
  clientHandshakeTrafficSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.derive('c hs traffic', transcriptHash);
  }

  /** server_handshake_traffic_secret: Derive-Secret(., "s hs traffic", ClientHello...ServerHello). */
  serverHandshakeTrafficSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.derive('s hs traffic', transcriptHash);
  }

  /** Master Secret = HKDF-Extract(Derive-Secret(., "derived", ""), 0) (RFC 8446 §7.1). Wipes this stage. */
  master(): MasterSecretStage {
    return new MasterSecretStage(stageToken, this.hash, this.next(zeros(this.hash)));
  }
}

/** Master Secret stage (RFC 8446 §7.1). Reached through HandshakeSecretStage.master(). */
export class MasterSecretStage extends SecretStage {
  /** @internal Use HandshakeSecretStage.master(). */
  constructor(token: typeof stageToken, hash: HashAlgorithm, secret: Uint8Array) {
    if (token !== stageToken) throw tlsError('internal_error', 'MasterSecretStage comes from HandshakeSecretStage.master()');
    super(hash, secret);
  }

  /** A copy of the Master Secret (for tests and key logging). */
  get masterSecret(): Uint8Array {
    return this.secret.slice();
  }

  /** client_application_traffic_secret_0: Derive-Secret(., "c ap traffic", ClientHello...server Finished). */
  clientApplicationTrafficSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.derive('c ap traffic', transcriptHash);
  }

  /** server_application_traffic_secret_0: Derive-Secret(., "s ap traffic", ClientHello...server Finished). */
  serverApplicationTrafficSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.derive('s ap traffic', transcriptHash);
  }

  /** exporter_master_secret: Derive-Secret(., "exp master", ClientHello...server Finished). */
  exporterMasterSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.derive('exp master', transcriptHash);
  }

  /**
   * resumption_master_secret: Derive-Secret(., "res master", ClientHello...client Finished). The
   * last secret of the schedule (RFC 8446 §7.1): the stage is wiped.
   */
  resumptionMasterSecret(transcriptHash: Uint8Array): Uint8Array {
    try {
      return this.derive('res master', transcriptHash);
    } finally {
      this.wipe();
    }
  }
}

// CertificateStore: a ServerIdentityStore (x509/rotation.ts) that also builds the one ServerConfig
// every connection reads its identity from. Lives in connection/ because x509/ does not import
// connection/ or handshake/.
import { ServerIdentityStore } from '../x509/rotation.js';
import type { ServerConfig } from './config.js';

export type { CertificateStoreOptions } from '../x509/rotation.js';

type ClientAuthPolicy = NonNullable<ServerConfig['clientAuth']>;

export class CertificateStore extends ServerIdentityStore {
  /**
   * One ServerConfig for every connection: `base` plus the store's current chain, key and OCSP
   * response (getters, read when a connection is created) and, with `clientAuth`, the store's
   * rotating client verifier. Pass the same object to every connection so tickets and the 0-RTT
   * replay window stay shared across rotations.
   */
  serverConfig(
    base: Omit<ServerConfig, 'certificateChain' | 'signingKey' | 'ocspResponse' | 'clientAuth'> = {},
    clientAuth?: Omit<ClientAuthPolicy, 'verifier'>,
  ): ServerConfig {
    if (clientAuth && !this.clientVerifier) throw new TypeError('CertificateStore: clientAuth needs a client verifier');
    const config: ServerConfig = { ...base };
    if (clientAuth && this.clientVerifier) config.clientAuth = { ...clientAuth, verifier: this.clientVerifier };
    Object.defineProperties(config, {
      certificateChain: { enumerable: true, get: () => this.identity.chain },
      signingKey: { enumerable: true, get: () => this.identity.key },
      ocspResponse: { enumerable: true, get: () => this.identity.ocspResponse },
    });
    return config;
  }
}

// The server connection: resolves the config, then runs the server handshake states.

import { TlsUsageError } from '../errors.js';
import { Transcript } from '../keyschedule/index.js';
import { ExpectClientHello } from '../handshake/server/hello.js';
import { ServerTraffic } from '../handshake/server/traffic.js';
import type { ResolvedServerConfig, ServerBase } from '../handshake/server/data.js';
import type { CryptoProvider } from '../crypto/provider.js';
import type { ApplicationSecrets } from '../handshake/common.js';
import { utf8 } from '../util/bytes.js';
import { PskKeyExchangeMode } from '../wire/codepoints.js';
import { MAX_TICKET_LIFETIME_SECONDS } from '../resumption/state.js';
import { DEFAULT_TICKET_AGE_TOLERANCE_MS } from '../resumption/anti-replay.js';
import { ticketingOf } from './ticketing.js';
import type { ServerConfig } from './config.js';
import { BaseConnection, ConnectionEngine } from './connection.js';
import type { Side } from './types.js';

function resolveServerConfig(config: ServerConfig, provider: CryptoProvider): ResolvedServerConfig {
  const certificate =
    config.certificateChain && config.certificateChain.length > 0 && config.signingKey
      ? { chain: config.certificateChain, key: config.signingKey }
      : undefined;
  if (!certificate && !config.externalPsks?.length) {
    throw new TlsUsageError('a server needs a certificate chain and its signing key (or external PSKs)');
  }
  // `optional`: implemented, but used only when named (a provider's optionalGroups).
  const pick = <T extends { id: number }>(all: readonly T[], ids: number[] | undefined, what: string, optional: readonly T[] = []): T[] => {
    if (!ids) return [...all];
    return ids.map((id) => {
      const impl = all.find((x) => x.id === id) ?? optional.find((x) => x.id === id);
      if (!impl) throw new TlsUsageError(`no implementation of ${what} 0x${id.toString(16)}`);
      return impl;
    });
  };
  // RFC 8446 §4.6.1, §8: ticket keys and the replay window come from the config's ticketing.
  const ticketing = ticketingOf(config, provider);
  const ticketIssuer = config.tickets?.issuer ?? ticketing.issuer;
  const maxSessionAgeSeconds = config.tickets?.maxSessionAgeSeconds ?? MAX_TICKET_LIFETIME_SECONDS;
  if (!Number.isInteger(maxSessionAgeSeconds) || maxSessionAgeSeconds < 0) {
    throw new TlsUsageError('tickets.maxSessionAgeSeconds must be a non-negative integer');
  }
  return {
    certificate,
    cipherSuites: pick(provider.cipherSuites, config.cipherSuites, 'cipher suite'),
    groups: pick(provider.groups, config.groups, 'group', provider.optionalGroups),
    alpn: (config.alpn ?? []).map(utf8),
    requireCookie: config.requireCookie ?? false,
    acceptServerName: config.acceptServerName,
    recordSizeLimit: config.recordSizeLimit,
    ticketCount: Math.max(0, Math.min(config.tickets?.count ?? 2, 0xffff)),
    ticketLifetimeSeconds: Math.min(config.tickets?.lifetimeSeconds ?? 7200, MAX_TICKET_LIFETIME_SECONDS),
    ticketIssuer,
    maxSessionAgeMs: maxSessionAgeSeconds * 1000,
    pskModes: config.pskModes ?? [PskKeyExchangeMode.psk_dhe_ke, PskKeyExchangeMode.psk_ke],
    externalPsks: config.externalPsks ?? [],
    clientAuth: config.clientAuth,
    ocspResponse: config.ocspResponse,
    earlyData: config.earlyData && {
      maxEarlyDataSize: config.earlyData.maxEarlyDataSize,
      antiReplay: config.earlyData.antiReplay ?? ticketing.antiReplay,
      toleranceMs: config.earlyData.toleranceMs ?? DEFAULT_TICKET_AGE_TOLERANCE_MS,
    },
  };
}

/** The server's engine: private to its ServerConnection. */
class ServerEngine extends ConnectionEngine {
  readonly side: Side = 'server';
  /** The handshake's transcript (has a ClientHello been read?); released when the handshake completes. */
  private transcript: Transcript | undefined;

  constructor(config: ServerConfig) {
    super(config);
    const transcript = new Transcript();
    this.transcript = transcript;
    const start: ServerBase = { ctx: this, config: resolveServerConfig(config, this.provider), transcript };
    this.begin(() => new ExpectClientHello(start));
  }

  override handshakeDone(secrets: ApplicationSecrets): void {
    this.transcript = undefined;
    super.handshakeDone(secrets);
  }

  /** RFC 8446 §4.6.2: the server traffic state sends the request and takes the answer. */
  requestClientCertificate(): void {
    if (this.error) throw this.error;
    const traffic = this.currentState;
    if (!this.handshakeComplete || !(traffic instanceof ServerTraffic)) {
      throw new TlsUsageError('requestClientCertificate() before the handshake completed');
    }
    traffic.requestClientCertificate();
  }

  protected hasSeenClientHello(): boolean {
    return this.transcript === undefined || this.transcript.length > 0;
  }
}

/** A TLS 1.3 server connection (sans-I/O): the application API of `Connection`, plus post-handshake authentication. */
export class ServerConnection extends BaseConnection {
  readonly #engine: ServerEngine;

  constructor(config: ServerConfig) {
    const engine = new ServerEngine(config);
    super(engine);
    this.#engine = engine;
  }

  /**
   * RFC 8446 §4.6.2: ask the client for a certificate now. Needs a completed handshake, a client
   * that offered post_handshake_auth, and `clientAuth` configured. The new identity shows in
   * `parameters.peerCertificates` and a 'peer_certificates' event once the client answered.
   */
  requestClientCertificate(): void {
    this.#engine.requestClientCertificate();
  }
}

export function createServerConnection(config: ServerConfig): ServerConnection {
  return new ServerConnection(config);
}

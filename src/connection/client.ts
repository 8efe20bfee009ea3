// The client connection: resolves the config, then runs the client handshake states.

import { TlsUsageError } from '../errors.js';
import { Transcript } from '../keyschedule/index.js';
import { CERTIFICATE_ONLY_SCHEMES, CERTIFICATE_VERIFY_SCHEMES } from '../handshake/common.js';
import { startClientHandshake } from '../handshake/client/hello.js';
import type { ClientBase, ResolvedClientConfig } from '../handshake/client/data.js';
import type { ApplicationSecrets } from '../handshake/common.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { clientPolicy, verificationOf } from '../handshake/client/session-check.js';
import { ClientTickets } from '../handshake/client/traffic.js';
import { utf8, wipe } from '../util/bytes.js';
import { PskKeyExchangeMode } from '../wire/codepoints.js';
import { sessionCacheKey } from '../resumption/cache.js';
import { isIpLiteral } from '../util/ip.js';
import type { ClientConfig, Limits } from './config.js';
import { BaseConnection, ConnectionEngine } from './connection.js';
import type { Side } from './types.js';

/** Signature schemes the client offers by default: what TLS 1.3 allows and the provider verifies. */
function defaultSignatureSchemes(provider: CryptoProvider): number[] {
  const supported = new Set(provider.verifier.schemes);
  return [...CERTIFICATE_VERIFY_SCHEMES, ...CERTIFICATE_ONLY_SCHEMES].filter((s) => supported.has(s));
}

function resolveClientConfig(config: ClientConfig, provider: CryptoProvider, limits: Readonly<Required<Limits>>): ResolvedClientConfig {
  if (!config.verifier && !config.insecureSkipVerify && !config.externalPsks?.length) {
    throw new TlsUsageError('a certificate verifier is required (or set insecureSkipVerify explicitly)');
  }
  const verifyServerName = config.verifyServerName ?? true;
  // RFC 9525 (RFC 9846 §1): a verified chain without a name check lets any certificate of a trusted CA pass.
  if (config.verifier && !config.insecureSkipVerify && verifyServerName && !config.serverName) {
    throw new TlsUsageError('serverName is required with a certificate verifier (or set verifyServerName: false to verify the chain only)');
  }
  const groups = config.groups ?? provider.groups.map((g) => g.id);
  const implemented = new Set([...provider.groups, ...(provider.optionalGroups ?? [])].map((g) => g.id));
  const keyShareGroups = config.keyShareGroups ?? groups.filter((g) => implemented.has(g)).slice(0, 1);
  for (const g of keyShareGroups) {
    if (!implemented.has(g)) throw new TlsUsageError(`no key exchange implementation for group 0x${g.toString(16)}`);
  }
  const serverName = config.serverName;
  return {
    serverName,
    sniHostName: serverName !== undefined && !isIpLiteral(serverName) ? serverName.replace(/\.$/, '') : undefined,
    cipherSuites: config.cipherSuites ?? provider.cipherSuites.map((s) => s.id),
    groups,
    keyShareGroups,
    signatureSchemes: config.signatureSchemes ?? defaultSignatureSchemes(provider),
    alpn: (config.alpn ?? []).map(utf8),
    verifier: config.insecureSkipVerify ? 'insecure' : config.verifier,
    verifyServerName,
    middleboxCompat: config.middleboxCompat ?? false,
    recordSizeLimit: config.recordSizeLimit,
    pskModes: config.pskModes ?? [PskKeyExchangeMode.psk_dhe_ke],
    externalPsks: config.externalPsks ?? [],
    session: config.session,
    earlyData: config.earlyData,
    clientCertificates: config.clientCertificates ?? [],
    postHandshakeAuth: config.postHandshakeAuth ?? false,
    maxPostHandshakeCertificateRequests: limits.maxPostHandshakeCertificateRequests,
    requestOcsp: config.requestOcsp ?? false,
  };
}

/** The client's engine: private to its ClientConnection. */
class ClientEngine extends ConnectionEngine {
  readonly side: Side = 'client';
  /** Tickets become sessions only when something stores them: else the resumption secret goes with the handshake. */
  private readonly storesTickets: boolean;

  constructor(config: ClientConfig) {
    super(config);
    const resolved = resolveClientConfig(config, this.provider, this.limits);
    const policy = clientPolicy(resolved);
    this.storesTickets = config.sessionCache !== undefined || config.onSession !== undefined;
    // RFC 8446 §4.6.1: the client traffic state turns tickets into sessions (bounded even when none is stored).
    this.tickets = new ClientTickets({
      serverName: resolved.serverName,
      alpn: config.alpn,
      policy,
      verification: verificationOf(resolved),
      sessionCache: config.sessionCache,
      onSession: config.onSession,
      maxTickets: this.limits.maxTicketsPerConnection,
      // Bound, not a closure: a closure here would share this scope, and keep `hs` alive with it.
      now: this.now.bind(this),
      parameters: this.parameters,
    });
    // RFC 8446 Appendix C.4: a ticket from the cache is used once. The handshake checks it before offering it.
    if (!resolved.session && config.sessionCache && resolved.serverName !== undefined) {
      resolved.session = config.sessionCache.take(sessionCacheKey(resolved.serverName, config.alpn, policy), this.now().getTime());
    }
    const start: ClientBase = { ctx: this, config: resolved, transcript: new Transcript() };
    this.begin(() => startClientHandshake(start));
  }

  override handshakeDone(secrets: ApplicationSecrets): void {
    if (this.storesTickets) this.tickets?.start(secrets.suite, secrets.resumptionMasterSecret);
    else wipe(secrets.resumptionMasterSecret);
    super.handshakeDone(secrets);
  }

  protected hasSeenClientHello(): boolean {
    return true;
  }
}

/** A TLS 1.3 client connection (sans-I/O): the application API of `Connection`. */
export class ClientConnection extends BaseConnection {
  constructor(config: ClientConfig) {
    super(new ClientEngine(config));
  }
}

export function createClientConnection(config: ClientConfig): ClientConnection {
  return new ClientConnection(config);
}

// The client connection: resolves the config, then runs the client handshake states.

import { TlsUsageError } from '../errors.js';
import { Transcript } from '../keyschedule/index.js';
import { CERTIFICATE_ONLY_SCHEMES, CERTIFICATE_VERIFY_SCHEMES } from '../handshake/common.js';
import { startClientHandshake } from '../handshake/client/hello.js';
import type { ClientHandshake, ResolvedClientConfig } from '../handshake/client/data.js';
import type { CryptoProvider } from '../crypto/provider.js';
import type { NewSessionTicket } from '../wire/types.js';
import { utf8 } from '../util/bytes.js';
import { isIpLiteral } from '../util/ip.js';
import type { ClientConfig } from './config.js';
import { BaseConnection } from './connection.js';
import type { Side } from './types.js';

/** Signature schemes the client offers by default: what TLS 1.3 allows and the provider verifies. */
export function defaultSignatureSchemes(provider: CryptoProvider): number[] {
  const supported = new Set(provider.verifier.schemes);
  return [...CERTIFICATE_VERIFY_SCHEMES, ...CERTIFICATE_ONLY_SCHEMES].filter((s) => supported.has(s));
}

export function resolveClientConfig(config: ClientConfig, provider: CryptoProvider): ResolvedClientConfig {
  if (!config.verifier && !config.insecureSkipVerify) {
    throw new TlsUsageError('a certificate verifier is required (or set insecureSkipVerify explicitly)');
  }
  const groups = config.groups ?? provider.groups.map((g) => g.id);
  const implemented = new Set(provider.groups.map((g) => g.id));
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
    verifier: config.insecureSkipVerify ? undefined : config.verifier,
    middleboxCompat: config.middleboxCompat ?? false,
    recordSizeLimit: config.recordSizeLimit,
  };
}

export class ClientConnection extends BaseConnection {
  readonly side: Side = 'client';
  /** Tickets received (kept for the resumption work; RFC 8446 §4.6.1). */
  readonly tickets: NewSessionTicket[] = [];

  constructor(config: ClientConfig) {
    super(config);
    const hs: ClientHandshake = {
      ctx: this,
      config: resolveClientConfig(config, this.provider),
      transcript: new Transcript(),
      clientHello: undefined as never,
      sentExtensions: new Set(),
      keyShares: [],
      sentChangeCipherSpec: false,
    };
    this.begin(() => startClientHandshake(hs));
  }

  ticketReceived(ticket: NewSessionTicket): void {
    if (this.tickets.length < 8) this.tickets.push(ticket);
  }

  protected hasSeenClientHello(): boolean {
    return true;
  }
}

export function createClientConnection(config: ClientConfig): ClientConnection {
  return new ClientConnection(config);
}

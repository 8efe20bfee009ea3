// Driving single handshake states: a recording HandshakeContext (no connection, no records),
// resolved configs for each side, and a step function that applies the connection's `expects`
// gate and hands a message to one state.

import { expect } from 'vitest';
import { TlsError, tlsError } from '../../../src/errors.js';
import { createNobleProvider, signingKeyFromMaterial } from '../../../src/crypto/noble/index.js';
import type { CipherSuiteImpl, CryptoProvider, HashAlgorithm } from '../../../src/crypto/provider.js';
import type { ConnectionEvent, NegotiatedParameters } from '../../../src/handshake/context.js';
import type { ApplicationSecrets, Epoch, HandshakeContext } from '../../../src/handshake/common.js';
import { Pending, type HandshakeState, type Step } from '../../../src/handshake/state.js';
import type { TrafficHooks } from '../../../src/handshake/context.js';
import type { KeyUpdates } from '../../../src/handshake/key-update.js';
import type { ResolvedClientConfig } from '../../../src/handshake/client/types.js';
import type { ResolvedServerConfig } from '../../../src/handshake/server/types.js';
import type { ServerBase } from '../../../src/handshake/server/data.js';
import { Transcript } from '../../../src/keyschedule/index.js';
import { selfEncryptedTicketsFor } from '../../../src/resumption/tickets.js';
import { PskKeyExchangeMode } from '../../../src/wire/codepoints.js';
import { decodeHandshake, encodeHandshake } from '../../../src/wire/messages.js';
import type { HandshakeMessage, NewSessionTicket } from '../../../src/wire/types.js';
import { acceptAnyCertificate, rfc8448ServerIdentity } from '../../helpers/scripted.js';

export const provider: CryptoProvider = createNobleProvider();

/** One message a state sent: as built and as encoded (what the peer's state is fed). */
export interface Sent {
  msg: HandshakeMessage;
  raw: Uint8Array;
}

/** A HandshakeContext that records what the states do to it. */
export class RecordingContext implements HandshakeContext, TrafficHooks {
  readonly provider = provider;
  clientRandom = new Uint8Array(0);
  readonly sent: Sent[] = [];
  readonly keys: { direction: 'read' | 'write'; epoch: Epoch }[] = [];
  readonly parameters: Partial<NegotiatedParameters> = {};
  done: ApplicationSecrets | undefined;
  changeCipherSpecs = 0;

  random(length: number): Uint8Array {
    const out = new Uint8Array(length);
    provider.random(out);
    return out;
  }
  now(): Date {
    return new Date();
  }
  send(msg: HandshakeMessage): Uint8Array {
    const raw = encodeHandshake(msg);
    this.sent.push({ msg, raw });
    return raw;
  }
  prepare(msg: HandshakeMessage): HandshakeMessage {
    return msg;
  }
  clearWriteKeys(): void {}
  acceptEarlyData(): void {}
  skipEarlyData(): void {}
  trafficSecret(): Uint8Array {
    throw new Error('not in the handshake');
  }
  setEarlyExporter(_hash: HashAlgorithm, _secret: Uint8Array): void {}
  writeEarlyData(): void {}
  sendChangeCipherSpec(): void {
    this.changeCipherSpecs++;
  }
  setReadKeys(epoch: Epoch, _secret: Uint8Array, _suite: CipherSuiteImpl): void {
    this.keys.push({ direction: 'read', epoch });
  }
  setWriteKeys(epoch: Epoch, _secret: Uint8Array, _suite: CipherSuiteImpl): void {
    this.keys.push({ direction: 'write', epoch });
  }
  keyLog(): void {}
  emit(_event: ConnectionEvent): void {}
  negotiated(p: Partial<NegotiatedParameters>): void {
    Object.assign(this.parameters, p);
  }
  handshakeDone(secrets: ApplicationSecrets): void {
    this.done = secrets;
  }
  peerRecordSizeLimit(): void {}
  /** The states tested here end at the traffic state; KeyUpdate is the connection tests' business. */
  get keyUpdates(): KeyUpdates {
    throw new Error('no KeyUpdate in the state tests');
  }
  readonly tickets: { received(ticket: NewSessionTicket): void } | undefined = undefined;

  /** The messages sent since the last call. */
  take(): Sent[] {
    return this.sent.splice(0);
  }
}

export function clientConfig(extra: Partial<ResolvedClientConfig> = {}): ResolvedClientConfig {
  return {
    serverName: 'server',
    sniHostName: 'server',
    cipherSuites: provider.cipherSuites.map((s) => s.id),
    groups: provider.groups.map((g) => g.id),
    keyShareGroups: [provider.groups[0]!.id],
    signatureSchemes: [...provider.verifier.schemes],
    alpn: [],
    verifier: acceptAnyCertificate,
    verifyServerName: true,
    middleboxCompat: false,
    recordSizeLimit: undefined,
    pskModes: [PskKeyExchangeMode.psk_dhe_ke],
    externalPsks: [],
    session: undefined,
    earlyData: undefined,
    clientCertificates: [],
    postHandshakeAuth: false,
    maxPostHandshakeCertificateRequests: 1,
    requestOcsp: false,
    ...extra,
  };
}

export function serverConfig(extra: Partial<ResolvedServerConfig> = {}): ResolvedServerConfig {
  const id = rfc8448ServerIdentity();
  return {
    certificate: { chain: id.certificateChain, key: signingKeyFromMaterial(id.key, { useWebCrypto: false }) },
    cipherSuites: [...provider.cipherSuites],
    groups: [...provider.groups],
    alpn: [],
    requireCookie: false,
    acceptServerName: undefined,
    recordSizeLimit: undefined,
    ticketCount: 0,
    ticketLifetimeSeconds: 7200,
    ticketIssuer: selfEncryptedTicketsFor(provider),
    maxSessionAgeMs: 7 * 24 * 3600 * 1000,
    pskModes: [PskKeyExchangeMode.psk_dhe_ke, PskKeyExchangeMode.psk_ke],
    externalPsks: [],
    earlyData: undefined,
    clientAuth: undefined,
    ocspResponse: undefined,
    ...extra,
  };
}

/** What connection/server.ts hands ExpectClientHello. */
export function serverStart(ctx: RecordingContext, config: ResolvedServerConfig): ServerBase {
  return { ctx, config, transcript: new Transcript() };
}

/** A step that did not wait (the noble provider answers at once): the next state. */
export function settled(step: Step): HandshakeState {
  if (step instanceof Pending) throw new Error('unexpected pending step');
  return step;
}

/** The connection's gate, then the state's handler: the next state. */
export function feed(state: HandshakeState, { msg, raw }: Sent): HandshakeState {
  if (!state.expects.includes(msg.msgType)) throw tlsError('unexpected_message', `${state.name} does not expect ${msg.msgType}`);
  return settled(state.handle(msg, raw));
}

/** `sent` decoded again from bytes changed by `edit` (a tampered message, as a peer would send it). */
export function tampered(sent: Sent, edit: (raw: Uint8Array) => void): Sent {
  const raw = sent.raw.slice();
  edit(raw);
  return { msg: decodeHandshake(raw), raw };
}

/** The alert a step fails with. */
export function alertOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(TlsError);
    return (e as TlsError).alertName;
  }
  throw new Error('no alert');
}

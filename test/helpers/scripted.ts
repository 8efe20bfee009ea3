// Building blocks for negative tests: an in-memory client/server pair whose traffic can be
// rewritten in flight, and helpers to craft records and read alerts off the wire.

import { createClientConnection, createServerConnection } from '../../src/connection/index.js';
import type { ClientConfig, ServerConfig } from '../../src/connection/config.js';
import type { Connection } from '../../src/connection/types.js';
import { TlsError } from '../../src/errors.js';
import { signingKeyFromMaterial } from '../../src/crypto/noble/index.js';
import type { PrivateKeyMaterial } from '../../src/crypto/provider.js';
import { loadPrivateKeys, loadTrace } from '../../vectors/rfc8448/index.js';
import { decodeHandshake } from '../../src/wire/messages.js';
import { HandshakeType } from '../../src/wire/codepoints.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import type { ServerCertificateVerifier } from '../../src/x509/verify.js';
import type { ClientCertificateVerifier } from '../../src/x509/client-verify.js';
import { fromHex } from '../../src/util/bytes.js';
import { splitRecords as splitWholeRecords } from '../../src/testing/trace.js';

/** RFC 8448's RSA server identity: certificate and key (published, so fine to use in tests). */
export function rfc8448ServerIdentity(): { certificateChain: Uint8Array[]; key: PrivateKeyMaterial } {
  const t = loadTrace('simple-1rtt');
  const m = t.messages.find((x) => x.side === 'server' && x.type === 'Certificate')!;
  const cert = decodeHandshake(fromHex(m.hex));
  if (cert.msgType !== HandshakeType.certificate) throw new Error('bad trace');
  const k = loadPrivateKeys().rsa;
  const big = (h: string): bigint => BigInt('0x' + h);
  return {
    certificateChain: [cert.certificateList[0]!.data],
    key: { kind: 'rsa', n: big(k.n), e: big(k.e), d: big(k.d), p: big(k.p), q: big(k.q), dp: big(k.dp), dq: big(k.dq), qi: big(k.qi) },
  };
}

/** Accepts any parseable certificate, from a server or a client (PKI checks are tested elsewhere). */
export const acceptAnyCertificate: ServerCertificateVerifier & ClientCertificateVerifier = {
  verify: ({ chain }: { chain: Uint8Array[] }) => {
    const leaf = parseCertificate(chain[0]!);
    return { chain: [leaf], leaf };
  },
};

export function testServerConfig(extra: Partial<ServerConfig> = {}): ServerConfig {
  const id = rfc8448ServerIdentity();
  return {
    certificateChain: id.certificateChain,
    signingKey: signingKeyFromMaterial(id.key, { useWebCrypto: false }),
    ...extra,
  };
}

export function testClientConfig(extra: Partial<ClientConfig> = {}): ClientConfig {
  return { serverName: 'server', verifier: acceptAnyCertificate, ...extra };
}

export type Rewrite = (bytes: Uint8Array, flight: number) => Uint8Array;

export interface PairOutcome {
  client: Connection;
  server: Connection;
  clientError?: TlsError;
  serverError?: TlsError;
  /** Every chunk each side put on the wire, in order (after rewriting). */
  clientWire: Uint8Array[];
  serverWire: Uint8Array[];
}

export interface PairOptions {
  client?: Partial<ClientConfig>;
  server?: Partial<ServerConfig>;
  toServer?: Rewrite;
  toClient?: Rewrite;
  clientConn?: Connection;
  serverConn?: Connection;
}

/** `side` receives `bytes`; a TlsError becomes that side's (first) error in `o`, anything else is rethrown. */
export function deliver(o: PairOutcome, side: 'client' | 'server', bytes: Uint8Array): void {
  try {
    o[side].receive(bytes);
  } catch (e) {
    if (!(e instanceof TlsError)) throw e;
    if (side === 'client') o.clientError ??= e;
    else o.serverError ??= e;
  }
}

/**
 * Run a handshake synchronously between two connections, letting `toServer` / `toClient`
 * rewrite each flight. Stops when neither side has anything to send, or one fails (its
 * alert still goes to the other side). Any exception that is not a TlsError is rethrown.
 */
export function runPair(opts: PairOptions = {}): PairOutcome {
  const client = opts.clientConn ?? createClientConnection(testClientConfig(opts.client));
  const server = opts.serverConn ?? createServerConnection(testServerConfig(opts.server));
  const out: PairOutcome = { client, server, clientWire: [], serverWire: [] };
  let flightsToServer = 0;
  let flightsToClient = 0;
  for (let i = 0; i < 50; i++) {
    let moved = false;
    const c = client.takeOutput();
    if (c) {
      const bytes = opts.toServer ? opts.toServer(c, flightsToServer++) : c;
      out.clientWire.push(bytes);
      if (!out.serverError) deliver(out, 'server', bytes);
      moved = true;
    }
    const s = server.takeOutput();
    if (s) {
      const bytes = opts.toClient ? opts.toClient(s, flightsToClient++) : s;
      out.serverWire.push(bytes);
      if (!out.clientError) deliver(out, 'client', bytes);
      moved = true;
    }
    if (!moved) break;
  }
  return out;
}


/** Moves bytes and settles pending steps (async providers and verifiers) until quiet; a side's TlsError is recorded, its alert still delivered. */
export async function settlePair(client: Connection, server: Connection): Promise<{ clientError?: TlsError; serverError?: TlsError }> {
  const out: { clientError?: TlsError; serverError?: TlsError } = {};
  const guard = (side: 'client' | 'server', f: () => void): void => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof TlsError)) throw e;
      if (side === 'client') out.clientError ??= e;
      else out.serverError ??= e;
    }
  };
  for (let i = 0; i < 100; i++) {
    let moved = false;
    for (const [side, from, to] of [
      ['client', client, server],
      ['server', server, client],
    ] as const) {
      const other = side === 'client' ? 'server' : 'client';
      for (let o = from.takeOutput(); o !== undefined; o = from.takeOutput()) {
        const bytes = o;
        if (!to.error && !to.peerClosed) guard(other, () => to.receive(bytes));
        moved = true;
      }
      const p = from.pending;
      if (p) {
        await p;
        guard(side, () => from.process());
        moved = true;
      }
    }
    if (!moved) return out;
  }
  throw new Error('the pair did not settle');
}

/** A plaintext record. */
export function record(type: number, body: Uint8Array, version = 0x0303): Uint8Array {
  const r = new Uint8Array(5 + body.length);
  r[0] = type;
  r[1] = version >> 8;
  r[2] = version & 0xff;
  r[3] = body.length >> 8;
  r[4] = body.length & 0xff;
  r.set(body, 5);
  return r;
}

/**
 * Split a byte stream into records (header + body): src/testing/trace.ts's splitRecords, plus a
 * trailing partial record (clipped) when its header is complete, as tampered flights may end.
 */
export function splitRecords(bytes: Uint8Array): Uint8Array[] {
  const { records, rest } = splitWholeRecords(bytes);
  return rest.length >= 5 ? [...records, rest] : records;
}

/** The description of the first plaintext fatal alert record in `bytes`, if any. */
export function plaintextAlert(bytes: Uint8Array): number | undefined {
  for (const r of splitRecords(bytes)) {
    if (r[0] === 21 && r.length === 7 && r[5] === 2) return r[6];
  }
  return undefined;
}

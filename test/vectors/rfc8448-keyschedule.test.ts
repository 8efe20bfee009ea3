// The whole key schedule of each RFC 8448 trace, recomputed from the trace's inputs: the
// (EC)DHE shared secret (the IKM of "extract secret handshake"), the PSK for §4, and transcript
// hashes of the trace's raw handshake messages. Every value the RFC prints must come out.

import { describe, expect, it } from 'vitest';
import {
  EarlySecretStage,
  Transcript,
  deriveSecret,
  emptyHash,
  finishedKey,
  finishedVerifyData,
  pskBinder,
  resumptionPsk,
  trafficKeys,
} from '../../src/keyschedule/index.js';
import type { CipherSuiteImpl } from '../../src/crypto/provider.js';
import { fromHex, toHex } from '../../src/util/bytes.js';
import { loadTrace, TRACE_NAMES, type Side, type Trace } from '../../vectors/rfc8448/index.js';
import { suiteById } from '../helpers/suites.js';

interface Replayed {
  /** Recomputed values, named as in the trace index. */
  values: Record<string, string>;
  /** Other equalities: [what, computed, expected]. */
  checks: [string, string, string][];
}

/** RFC 8446 §4.6.1: NewSessionTicket body: lifetime(4) age_add(4) ticket_nonce<0..255> ... */
function ticketNonce(nst: Uint8Array): Uint8Array {
  const len = nst[4 + 8]!;
  return nst.subarray(4 + 9, 4 + 9 + len);
}

function replay(trace: Trace): Replayed {
  const suite: CipherSuiteImpl = suiteById(trace.cipherSuite);
  const hash = suite.hash;
  const values: Record<string, string> = {};
  const checks: [string, string, string][] = [];
  const put = (name: string, v: Uint8Array): void => {
    values[name] = toHex(v);
  };
  const keys = (writer: Side, phase: string, secret: Uint8Array): void => {
    const k = trafficKeys(suite, secret);
    put(`${writer}_${phase}_key`, k.key);
    put(`${writer}_${phase}_iv`, k.iv);
  };

  const msgs = trace.messages;
  let i = 0;
  const peek = () => msgs[i];
  const next = (side: Side, type: string): Uint8Array => {
    const m = msgs[i++];
    if (!m || m.side !== side || m.type !== type) throw new Error(`${trace.name}: expected ${side} ${type} at ${i - 1}`);
    return fromHex(m.hex);
  };
  const zeros = new Uint8Array(hash.outputLen);
  const transcript = new Transcript();

  // RFC 8446 §7.1: Early Secret = HKDF-Extract(0, PSK or 0).
  const psk = trace.index.psk === undefined ? undefined : trace.value('psk');
  const early = new EarlySecretStage(hash, psk);
  put('early_ikm', psk ?? zeros);
  put('early_secret', early.earlySecret);

  // ClientHello; after a HelloRetryRequest, ClientHello1 becomes message_hash (RFC 8446 §4.4.1).
  let ch = next('client', 'ClientHello');
  if (peek()?.type === 'HelloRetryRequest') {
    transcript.add(ch); // sent before the suite is known
    transcript.setHash(hash);
    transcript.replaceWithMessageHash();
    transcript.add(next('server', 'HelloRetryRequest'));
    ch = next('client', 'ClientHello');
  }
  put('client_random', ch.subarray(6, 38));

  if (psk !== undefined) {
    // RFC 8446 §4.2.11.2: binder over the transcript ‖ ClientHello truncated before the binders
    // list (one binder: uint16 list length, uint8 binder length, Hash.length bytes).
    const binderKey = early.binderKey(false);
    put('binder_key', binderKey);
    put('binder_finished_key', finishedKey(hash, binderKey));
    const truncated = ch.subarray(0, ch.length - (2 + 1 + hash.outputLen));
    put('truncated_client_hello', truncated);
    const before = transcript.fork();
    before.setHash(hash);
    const binderHash = before.hashOfPrefix(truncated);
    put('binder_hash', binderHash);
    const binder = pskBinder(hash, binderKey, binderHash);
    put('binder', binder);
    checks.push(['binder in the ClientHello', toHex(binder), toHex(ch.subarray(ch.length - hash.outputLen))]);
  }

  transcript.add(ch);
  transcript.setHash(hash);

  // 0-RTT accepted (an EndOfEarlyData follows): early traffic secret and early exporter (RFC 8446 §7.1).
  if (msgs.some((m) => m.type === 'EndOfEarlyData')) {
    const th = transcript.current();
    put('hash_for_c_e_traffic', th);
    put('hash_for_e_exp_master', th);
    const cet = early.clientEarlyTrafficSecret(th);
    put('c_e_traffic', cet);
    put('e_exp_master', early.earlyExporterMasterSecret(th));
    keys('client', 'early', cet);
  }

  // ServerHello: Handshake Secret and handshake traffic secrets.
  const sh = next('server', 'ServerHello');
  put('server_random', sh.subarray(6, 38));
  transcript.add(sh);
  const thSH = transcript.current();
  put('hash_for_c_hs_traffic', thSH);
  put('hash_for_s_hs_traffic', thSH);
  const derivedHs = deriveSecret(hash, early.earlySecret, 'derived', emptyHash(hash));
  put('derived_for_handshake', derivedHs);
  put('handshake_salt', derivedHs);
  const hs = early.handshake(trace.value('ecdhe_shared_secret'));
  put('handshake_secret', hs.handshakeSecret);
  const cHs = hs.clientHandshakeTrafficSecret(thSH);
  const sHs = hs.serverHandshakeTrafficSecret(thSH);
  put('c_hs_traffic', cHs);
  put('s_hs_traffic', sHs);
  keys('server', 'handshake', sHs);
  keys('client', 'handshake', cHs);

  // Server flight up to its Finished (RFC 8446 §4.4.4).
  while (peek()?.side === 'server' && peek()?.type !== 'Finished') transcript.add(next('server', peek()!.type));
  const sVd = finishedVerifyData(hash, sHs, transcript.current());
  put('server_finished_base_key', sHs);
  put('server_finished_key', finishedKey(hash, sHs));
  put('server_verify_data', sVd);
  const sFin = next('server', 'Finished');
  checks.push(['server Finished message', toHex(sVd), toHex(sFin.subarray(4))]);
  transcript.add(sFin);

  // Master Secret and application traffic secrets: ClientHello..server Finished.
  const thSF = transcript.current();
  for (const n of ['c_ap_traffic', 's_ap_traffic', 'exp_master']) put(`hash_for_${n}`, thSF);
  const derivedMs = deriveSecret(hash, hs.handshakeSecret, 'derived', emptyHash(hash));
  put('derived_for_master', derivedMs);
  put('master_salt', derivedMs);
  put('master_ikm', zeros);
  const ms = hs.master();
  put('master_secret', ms.masterSecret);
  const cAp = ms.clientApplicationTrafficSecret(thSF);
  const sAp = ms.serverApplicationTrafficSecret(thSF);
  put('c_ap_traffic', cAp);
  put('s_ap_traffic', sAp);
  put('exp_master', ms.exporterMasterSecret(thSF));
  keys('server', 'application', sAp);
  keys('client', 'application', cAp);

  // Client flight (EndOfEarlyData, Certificate, CertificateVerify) up to its Finished.
  while (peek()?.side === 'client' && peek()?.type !== 'Finished') transcript.add(next('client', peek()!.type));
  const cVd = finishedVerifyData(hash, cHs, transcript.current());
  put('client_finished_base_key', cHs);
  put('client_finished_key', finishedKey(hash, cHs));
  put('client_verify_data', cVd);
  const cFin = next('client', 'Finished');
  checks.push(['client Finished message', toHex(cVd), toHex(cFin.subarray(4))]);
  transcript.add(cFin);

  // resumption_master_secret: ClientHello..client Finished.
  const thCF = transcript.current();
  put('hash_for_res_master', thCF);
  const res = ms.resumptionMasterSecret(thCF);
  put('res_master', res);

  // Post-handshake: NewSessionTicket → the resumption PSK (RFC 8446 §4.6.1).
  while (peek()) {
    const nst = next('server', 'NewSessionTicket');
    const nonce = ticketNonce(nst);
    put('resumption_master_secret', res);
    put('ticket_nonce', nonce);
    put('resumption_psk', resumptionPsk(hash, res, nonce));
  }
  return { values, checks };
}

/** Index entries that are inputs or data, not outputs of the key schedule. */
function isInput(name: string): boolean {
  return (
    /^(client_|server_)?[A-Z]/.test(name) || // handshake messages
    /_(private|public)_key$/.test(name) || // ephemeral key pairs (checked in rfc8448-records.test.ts)
    ['ecdhe_shared_secret', 'handshake_ikm', 'psk'].includes(name)
  );
}

describe.each(TRACE_NAMES)('RFC 8448 %s: key schedule', (name) => {
  const trace = loadTrace(name);
  const { values, checks } = replay(trace);

  it.each(Object.keys(values))('%s', (key) => {
    expect(trace.index[key], `${key} is printed in the trace`).toBeDefined();
    expect(values[key]).toBe(trace.index[key]);
  });

  it.each(checks)('%s', (_what, computed, expected) => {
    expect(computed).toBe(expected);
  });

  it('recomputes every value the trace prints', () => {
    const missing = Object.keys(trace.index).filter((k) => !isInput(k) && values[k] === undefined);
    expect(missing).toEqual([]);
  });
});

describe('RFC 8448 §3 → §4', () => {
  it('the resumption PSK of §3 is the PSK of §4', () => {
    const simple = loadTrace('simple-1rtt');
    const resumed = loadTrace('resumed-0rtt');
    const { values } = replay(simple);
    expect(values.resumption_psk).toBe(resumed.index.psk);
    // And §4's early secret comes from it.
    expect(toHex(new EarlySecretStage(suiteById(resumed.cipherSuite).hash, fromHex(values.resumption_psk!)).earlySecret)).toBe(
      resumed.index.early_secret,
    );
  });

  it('the handshake covers the core secrets in every trace', () => {
    for (const name of TRACE_NAMES) {
      const { values } = replay(loadTrace(name));
      for (const k of ['early_secret', 'handshake_secret', 'c_hs_traffic', 's_hs_traffic', 'master_secret', 'c_ap_traffic', 's_ap_traffic', 'exp_master', 'res_master', 'server_verify_data', 'client_verify_data']) {
        expect(values[k], `${name} ${k}`).toBeDefined();
      }
    }
  });
});

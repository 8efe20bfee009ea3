// The staged key schedule (RFC 8446 §7.1), traffic keys (§7.3) and key update (§7.2).

import { describe, expect, it } from 'vitest';
import {
  EarlySecretStage,
  HandshakeSecretStage,
  MasterSecretStage,
  finishedKey,
  finishedVerifyData,
  hkdfExpandLabel,
  nextTrafficSecret,
  pskBinder,
  resumptionPsk,
  trafficKeys,
} from '../../../src/keyschedule/index.js';
import { TlsError } from '../../../src/errors.js';
import { toHex } from '../../../src/util/bytes.js';
import { loadTrace } from '../../../vectors/rfc8448/index.js';
import { SHA256, SHA384, TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384 } from '../../helpers/suites.js';

const simple = loadTrace('simple-1rtt');
const resumed = loadTrace('resumed-0rtt');

describe('EarlySecretStage', () => {
  it('without a PSK extracts from Hash.length zeros (RFC 8448 §3 "early")', () => {
    expect(toHex(new EarlySecretStage(SHA256).earlySecret)).toBe(simple.index.early_secret);
    expect(new EarlySecretStage(SHA256, new Uint8Array(32)).earlySecret).toEqual(new EarlySecretStage(SHA256).earlySecret);
  });

  it('with a PSK (RFC 8448 §4)', () => {
    const early = new EarlySecretStage(SHA256, resumed.value('psk'));
    expect(toHex(early.earlySecret)).toBe(resumed.index.early_secret);
    expect(toHex(early.binderKey(false))).toBe(resumed.index.binder_key);
    expect(early.binderKey(true)).not.toEqual(early.binderKey(false));
  });

  it('psk_ke: handshake(undefined) extracts from zeros', () => {
    const a = new EarlySecretStage(SHA256, resumed.value('psk')).handshake(undefined);
    const b = new EarlySecretStage(SHA256, resumed.value('psk')).handshake(new Uint8Array(32));
    expect(a.handshakeSecret).toEqual(b.handshakeSecret);
  });

  it('returns copies of the secrets', () => {
    const early = new EarlySecretStage(SHA256);
    early.earlySecret.fill(0);
    expect(toHex(early.earlySecret)).toBe(simple.index.early_secret);
  });

  it('SHA-384 schedule has 48-byte secrets', () => {
    const early = new EarlySecretStage(SHA384);
    expect(early.earlySecret.length).toBe(48);
    const hs = early.handshake(new Uint8Array(32));
    const th = SHA384.digest(new Uint8Array(0));
    expect(hs.clientHandshakeTrafficSecret(th).length).toBe(48);
    expect(() => hs.clientHandshakeTrafficSecret(new Uint8Array(32))).toThrow(TlsError);
    expect(hs.master().resumptionMasterSecret(th).length).toBe(48);
  });
});

describe('stages', () => {
  it('later stages come only from the earlier one', () => {
    expect(() => Reflect.construct(HandshakeSecretStage, [Symbol('x'), SHA256, new Uint8Array(32)])).toThrow(TlsError);
    expect(() => Reflect.construct(MasterSecretStage, [Symbol('x'), SHA256, new Uint8Array(32)])).toThrow(TlsError);
  });

  it('the chain reproduces RFC 8448 §3 handshake and master secrets', () => {
    const hs = new EarlySecretStage(SHA256).handshake(simple.value('ecdhe_shared_secret'));
    expect(toHex(hs.handshakeSecret)).toBe(simple.index.handshake_secret);
    const ms = hs.master();
    expect(toHex(ms.masterSecret)).toBe(simple.index.master_secret);
    expect(toHex(ms.exporterMasterSecret(simple.value('hash_for_exp_master')))).toBe(simple.index.exp_master);
  });

  it('wipe() zeroes the secret and makes the stage unusable', () => {
    const early = new EarlySecretStage(SHA256);
    const hs = new EarlySecretStage(SHA256).handshake(simple.value('ecdhe_shared_secret'));
    const ms = new EarlySecretStage(SHA256).handshake(simple.value('ecdhe_shared_secret')).master();
    const th = simple.value('hash_for_c_hs_traffic');
    for (const stage of [early, hs, ms]) {
      expect(stage.wiped).toBe(false);
      stage.wipe();
      expect(stage.wiped).toBe(true);
      stage.wipe(); // idempotent
    }
    expect(() => early.earlySecret).toThrow(TlsError);
    expect(() => early.binderKey(true)).toThrow(TlsError);
    expect(() => early.handshake(undefined)).toThrow(TlsError);
    expect(() => hs.handshakeSecret).toThrow(TlsError);
    expect(() => hs.clientHandshakeTrafficSecret(th)).toThrow(TlsError);
    expect(() => hs.master()).toThrow(TlsError);
    expect(() => ms.masterSecret).toThrow(TlsError);
    expect(() => ms.clientApplicationTrafficSecret(th)).toThrow(TlsError);
  });

  it('audit #12: deriving the next stage wipes the previous one; the Master Secret goes with the resumption master secret', () => {
    const early = new EarlySecretStage(SHA256);
    const hs = early.handshake(simple.value('ecdhe_shared_secret'));
    expect(early.wiped).toBe(true);
    expect(() => early.clientEarlyTrafficSecret(simple.value('hash_for_c_hs_traffic'))).toThrow(TlsError);
    expect(toHex(hs.clientHandshakeTrafficSecret(simple.value('hash_for_c_hs_traffic')))).toBe(simple.index.c_hs_traffic);
    const ms = hs.master();
    expect(hs.wiped).toBe(true);
    expect(toHex(ms.exporterMasterSecret(simple.value('hash_for_exp_master')))).toBe(simple.index.exp_master);
    expect(ms.wiped).toBe(false);
    // RFC 8446 §7.1: resumption_master_secret is the last secret derived from the Master Secret.
    expect(toHex(ms.resumptionMasterSecret(simple.value('hash_for_res_master')))).toBe(simple.index.res_master);
    expect(ms.wiped).toBe(true);
  });

  it('wiping one stage leaves the next usable', () => {
    const early = new EarlySecretStage(SHA256);
    const hs = early.handshake(simple.value('ecdhe_shared_secret'));
    early.wipe();
    expect(toHex(hs.handshakeSecret)).toBe(simple.index.handshake_secret);
  });
});

describe('traffic keys (RFC 8446 §7.3) and key update (§7.2)', () => {
  it('derives key and iv for the suite (RFC 8448 §3 server handshake keys)', () => {
    const keys = trafficKeys(TLS_AES_128_GCM_SHA256, simple.value('s_hs_traffic'));
    expect(keys.aead).toBe(TLS_AES_128_GCM_SHA256.aead);
    expect(toHex(keys.key)).toBe(simple.index.server_handshake_key);
    expect(toHex(keys.iv)).toBe(simple.index.server_handshake_iv);
  });

  it('uses the AEAD key length (AES-256: 32 bytes)', () => {
    const keys = trafficKeys(TLS_AES_256_GCM_SHA384, new Uint8Array(48));
    expect(keys.key.length).toBe(32);
    expect(keys.iv.length).toBe(12);
  });

  it('"traffic upd" keeps Hash.length and chains', () => {
    const s0 = simple.value('c_ap_traffic');
    const s1 = nextTrafficSecret(SHA256, s0);
    expect(s1).toEqual(hkdfExpandLabel(SHA256, s0, 'traffic upd', new Uint8Array(0), 32));
    expect(s1).not.toEqual(s0);
    expect(nextTrafficSecret(SHA256, s1)).not.toEqual(s1);
    expect(nextTrafficSecret(SHA384, new Uint8Array(48)).length).toBe(48);
  });
});

describe('Finished (RFC 8446 §4.4.4) and binders (§4.2.11.2)', () => {
  it('finished_key and verify_data (RFC 8448 §3 server Finished)', () => {
    const base = simple.value('s_hs_traffic');
    expect(toHex(finishedKey(SHA256, base))).toBe(simple.index.server_finished_key);
    const t = [simple.value('ClientHello'), simple.value('ServerHello'), simple.value('EncryptedExtensions'), simple.value('Certificate'), simple.value('CertificateVerify')];
    const th = SHA256.digest(Uint8Array.from(t.flatMap((m) => [...m])));
    expect(toHex(finishedVerifyData(SHA256, base, th))).toBe(simple.index.server_verify_data);
    expect(() => finishedVerifyData(SHA256, base, new Uint8Array(31))).toThrow(TlsError);
  });

  it('the binder is a Finished over the truncated ClientHello with the binder key (RFC 8448 §4)', () => {
    const binder = pskBinder(SHA256, resumed.value('binder_key'), resumed.value('binder_hash'));
    expect(toHex(binder)).toBe(resumed.index.binder);
  });

  it('resumption PSK from the ticket nonce (RFC 8448 §3 → §4)', () => {
    const psk = resumptionPsk(SHA256, simple.value('res_master'), simple.value('ticket_nonce'));
    expect(toHex(psk)).toBe(simple.index.resumption_psk);
    expect(toHex(psk)).toBe(resumed.index.psk);
  });
});

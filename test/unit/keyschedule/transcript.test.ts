// The transcript hash (RFC 8446 §4.4.1), including the HelloRetryRequest message_hash of RFC 8448 §5.

import { describe, expect, it } from 'vitest';
import { Transcript } from '../../../src/keyschedule/index.js';
import { TlsError } from '../../../src/errors.js';
import { concatBytes, fromHex, toHex } from '../../../src/util/bytes.js';
import { loadTrace } from '../../../vectors/rfc8448/index.js';
import { SHA256, SHA384 } from '../../helpers/suites.js';

const simple = loadTrace('simple-1rtt');
const hrr = loadTrace('hello-retry-request');
const resumed = loadTrace('resumed-0rtt');

describe('Transcript', () => {
  it('hashes the messages so far (RFC 8448 §3: ClientHello..ServerHello)', () => {
    const t = new Transcript();
    t.setHash(SHA256);
    t.add(simple.value('ClientHello'));
    t.add(simple.value('ServerHello'));
    expect(toHex(t.current())).toBe(simple.index.hash_for_c_hs_traffic);
    expect(t.length).toBe(2);
  });

  it('buffers messages added before setHash (the client sends ClientHello first)', () => {
    const t = new Transcript();
    t.add(simple.value('ClientHello'));
    expect(t.hash).toBeUndefined();
    expect(() => t.current()).toThrow(TlsError);
    t.setHash(SHA256);
    t.add(simple.value('ServerHello'));
    expect(toHex(t.current())).toBe(simple.index.hash_for_c_hs_traffic);
  });

  it('does not finalise the running hash in current()', () => {
    const t = new Transcript();
    t.setHash(SHA256);
    t.add(simple.value('ClientHello'));
    const h1 = t.current();
    expect(t.current()).toEqual(h1);
    t.add(simple.value('ServerHello'));
    expect(toHex(t.current())).toBe(simple.index.hash_for_c_hs_traffic);
    expect(h1).toEqual(SHA256.digest(simple.value('ClientHello')));
  });

  it('copies a buffered message (the caller may reuse its buffer)', () => {
    const msg = simple.value('ClientHello');
    const t = new Transcript();
    t.add(msg);
    const copy = msg.slice();
    msg.fill(0);
    t.setHash(SHA256);
    expect(t.current()).toEqual(SHA256.digest(copy));
  });

  it('keeps the hash once set: same hash is a no-op, another throws', () => {
    const t = new Transcript();
    t.setHash(SHA256);
    t.add(simple.value('ClientHello'));
    t.setHash(SHA256);
    expect(t.current()).toEqual(SHA256.digest(simple.value('ClientHello')));
    expect(() => t.setHash(SHA384)).toThrow(TlsError);
  });

  it('hashOf uses the transcript hash', () => {
    const t = new Transcript();
    expect(() => t.hashOf(new Uint8Array(0))).toThrow(TlsError);
    t.setHash(SHA384);
    expect(t.hashOf(Uint8Array.of(1))).toEqual(SHA384.digest(Uint8Array.of(1)));
  });
});

describe('Transcript.replaceWithMessageHash (RFC 8446 §4.4.1, RFC 8448 §5)', () => {
  const ch1 = hrr.value('ClientHello1');
  const hrrMsg = hrr.value('HelloRetryRequest');
  const ch2 = hrr.value('ClientHello2');
  const sh = hrr.value('ServerHello');

  it('client order: ClientHello1 buffered, then setHash, replace, HRR, ClientHello2, ServerHello', () => {
    const t = new Transcript();
    t.add(ch1);
    t.setHash(SHA256);
    t.replaceWithMessageHash();
    t.add(hrrMsg);
    t.add(ch2);
    t.add(sh);
    expect(toHex(t.current())).toBe(hrr.index.hash_for_c_hs_traffic);
    expect(t.length).toBe(4);
  });

  it('server order: setHash, ClientHello1, replace, HRR, ... through both Finished messages', () => {
    const t = new Transcript();
    t.setHash(SHA256);
    t.add(ch1);
    t.replaceWithMessageHash();
    for (const m of [hrrMsg, ch2, sh]) t.add(m);
    expect(toHex(t.current())).toBe(hrr.index.hash_for_s_hs_traffic);
    for (const name of ['EncryptedExtensions', 'Certificate', 'CertificateVerify', 'server_Finished']) t.add(hrr.value(name));
    expect(toHex(t.current())).toBe(hrr.index.hash_for_c_ap_traffic);
    t.add(hrr.value('client_Finished'));
    expect(toHex(t.current())).toBe(hrr.index.hash_for_res_master);
  });

  it('is message_hash ‖ 00 00 Hash.length ‖ Hash(ClientHello1)', () => {
    const t = new Transcript();
    t.setHash(SHA256);
    t.add(ch1);
    t.replaceWithMessageHash();
    const synthetic = concatBytes(fromHex('fe000020'), SHA256.digest(ch1));
    expect(t.current()).toEqual(SHA256.digest(synthetic));
    expect(t.hashOfPrefix(hrrMsg)).toEqual(SHA256.digest(concatBytes(synthetic, hrrMsg)));
  });

  it('uses Hash.length 48 with SHA-384', () => {
    const t = new Transcript();
    t.setHash(SHA384);
    t.add(ch1);
    t.replaceWithMessageHash();
    expect(t.current()).toEqual(SHA384.digest(concatBytes(fromHex('fe000030'), SHA384.digest(ch1))));
  });

  it('refuses unless the transcript is exactly one ClientHello with a hash set', () => {
    const unset = new Transcript();
    unset.add(ch1);
    expect(() => unset.replaceWithMessageHash()).toThrow(TlsError);

    const empty = new Transcript();
    empty.setHash(SHA256);
    expect(() => empty.replaceWithMessageHash()).toThrow(TlsError);

    const two = new Transcript();
    two.setHash(SHA256);
    two.add(ch1);
    two.add(hrrMsg);
    expect(() => two.replaceWithMessageHash()).toThrow(TlsError);

    const notCh = new Transcript();
    notCh.setHash(SHA256);
    notCh.add(sh);
    expect(() => notCh.replaceWithMessageHash()).toThrow(TlsError);

    const twice = new Transcript();
    twice.setHash(SHA256);
    twice.add(ch1);
    twice.replaceWithMessageHash();
    expect(() => twice.replaceWithMessageHash()).toThrow(TlsError);
  });
});

describe('Transcript.fork and hashOfPrefix (RFC 8446 §4.2.11.2 binders)', () => {
  it('hashOfPrefix of the truncated ClientHello is RFC 8448 §4 "binder hash"', () => {
    const t = new Transcript();
    t.setHash(SHA256);
    expect(toHex(t.hashOfPrefix(resumed.value('truncated_client_hello')))).toBe(resumed.index.binder_hash);
    expect(t.length).toBe(0);
    expect(t.current()).toEqual(SHA256.digest(new Uint8Array(0)));
  });

  it('hashOfPrefix leaves the transcript unchanged', () => {
    const t = new Transcript();
    t.setHash(SHA256);
    t.add(simple.value('ClientHello'));
    const before = t.current();
    const extra = simple.value('ServerHello');
    expect(toHex(t.hashOfPrefix(extra))).toBe(simple.index.hash_for_c_hs_traffic);
    expect(t.current()).toEqual(before);
  });

  it('fork is independent of the original', () => {
    const t = new Transcript();
    t.setHash(SHA256);
    t.add(simple.value('ClientHello'));
    const f = t.fork();
    f.add(Uint8Array.of(1, 2, 3));
    expect(t.current()).toEqual(SHA256.digest(simple.value('ClientHello')));
    t.add(simple.value('ServerHello'));
    expect(toHex(t.current())).toBe(simple.index.hash_for_c_hs_traffic);
    expect(f.current()).toEqual(SHA256.digest(concatBytes(simple.value('ClientHello'), Uint8Array.of(1, 2, 3))));
    expect(f.length).toBe(2);
  });

  it('fork of a transcript without hash keeps the buffer; the fork can pick a hash (PSK binder before the suite is known)', () => {
    const t = new Transcript();
    t.add(hrr.value('ClientHello1'));
    const f = t.fork();
    f.setHash(SHA384);
    expect(f.current()).toEqual(SHA384.digest(hrr.value('ClientHello1')));
    expect(t.hash).toBeUndefined();
    t.setHash(SHA256);
    expect(t.current()).toEqual(SHA256.digest(hrr.value('ClientHello1')));
  });
});

// RFC 8448 §3 (Simple 1-RTT Handshake): records byte for byte, both directions.
import { describe, expect, it } from 'vitest';
import { HandshakeJoiner } from '../../src/record/handshake-joiner.js';
import type { TrafficKeys } from '../../src/record/keys.js';
import { RecordReader } from '../../src/record/reader.js';
import { RecordWriter } from '../../src/record/writer.js';
import { concatBytes, toHex } from '../../src/util/bytes.js';
import { ContentType, HandshakeType } from '../../src/wire/codepoints.js';
import { AES_128_GCM, rfc8448Hex } from '../helpers/record.js';

const keysAt = (anchor: string): TrafficKeys => ({
  aead: AES_128_GCM,
  key: rfc8448Hex([anchor], 'key expanded'),
  iv: rfc8448Hex([anchor], 'iv expanded'),
});

const serverHs = keysAt('{server}  derive write traffic keys for handshake data:');
const clientHs = keysAt('{server}  derive read traffic keys for handshake data:');
const serverAp = keysAt('{server}  derive write traffic keys for application data:');
const clientAp = keysAt('{client}  derive write traffic keys for application data:');

const firstStep = '{client}  create an ephemeral x25519 key pair:'; // start of §3
const sendRecord = (step: string, send: string) => ({
  payload: rfc8448Hex([firstStep, step, send], 'payload'),
  record: rfc8448Hex([firstStep, step, send], 'complete record'),
});

function readAll(reader: RecordReader, bytes: Uint8Array) {
  reader.push(bytes);
  const out = [];
  for (let r = reader.next(); r !== undefined; r = reader.next()) out.push(r);
  return out;
}

describe('RFC 8448 §3 vectors', () => {
  it('extracts the server handshake keys given in the brief', () => {
    expect(toHex(serverHs.key)).toBe('3fce516009c21727d0f2e4e86ee403bc');
    expect(toHex(serverHs.iv)).toBe('5d313eb2671276ee13000b30');
  });

  it('unprotected ClientHello (legacy_record_version 0x0301) and ServerHello records', () => {
    const ch = sendRecord('{client}  construct a ClientHello handshake message:', '{client}  send handshake record:');
    const sh = sendRecord('{server}  construct a ServerHello handshake message:', '{server}  send handshake record:');
    const w = new RecordWriter();
    w.write(ContentType.handshake, ch.payload, { legacyVersion: 0x0301 });
    expect(w.takeOutput()).toEqual(ch.record);
    w.write(ContentType.handshake, sh.payload);
    expect(w.takeOutput()).toEqual(sh.record);

    const recs = readAll(new RecordReader(), concatBytes(ch.record, sh.record));
    expect(recs).toEqual([
      { type: ContentType.handshake, data: ch.payload, protected: false },
      { type: ContentType.handshake, data: sh.payload, protected: false },
    ]);
  });

  const serverFlight = sendRecord('{server}  construct a Finished handshake message:', '{server}  send handshake record:');

  it('the payload is EncryptedExtensions || Certificate || CertificateVerify || Finished', () => {
    const msgs = [
      rfc8448Hex([firstStep], 'EncryptedExtensions'),
      rfc8448Hex([firstStep], 'Certificate'),
      rfc8448Hex([firstStep], 'CertificateVerify'),
      rfc8448Hex([firstStep, '{server}  construct a Finished handshake message:'], 'Finished'),
    ];
    expect(serverFlight.payload).toEqual(concatBytes(...msgs));
    expect(serverFlight.record.length).toBe(679);
  });

  it('writer produces the server EE..Finished record byte for byte', () => {
    const w = new RecordWriter();
    w.setKeys(serverHs);
    w.write(ContentType.handshake, serverFlight.payload);
    expect(toHex(w.takeOutput()!)).toBe(toHex(serverFlight.record));
    expect(w.recordsUnderKey).toBe(1);
  });

  it('reader decrypts it back and the joiner splits the four messages', () => {
    const r = new RecordReader();
    r.setKeys(serverHs);
    const [rec, ...rest] = readAll(r, serverFlight.record);
    expect(rest).toEqual([]);
    expect(rec).toEqual({ type: ContentType.handshake, data: serverFlight.payload, protected: true });
    const j = new HandshakeJoiner();
    j.push(rec!.data);
    const types = [];
    for (let m = j.next(); m !== undefined; m = j.next()) types.push(m.msgType);
    expect(types).toEqual([
      HandshakeType.encrypted_extensions,
      HandshakeType.certificate,
      HandshakeType.certificate_verify,
      HandshakeType.finished,
    ]);
    expect(j.isEmpty()).toBe(true);
  });

  it('client Finished record under the client handshake key', () => {
    const fin = sendRecord('{client}  construct a Finished handshake message:', '{client}  send handshake record:');
    expect(fin.record.length).toBe(58);
    const w = new RecordWriter();
    w.setKeys(clientHs);
    w.write(ContentType.handshake, fin.payload);
    expect(w.takeOutput()).toEqual(fin.record);
    const r = new RecordReader();
    r.setKeys(clientHs);
    expect(readAll(r, fin.record)).toEqual([{ type: ContentType.handshake, data: fin.payload, protected: true }]);
  });

  it('server application key: NewSessionTicket, data, alert at sequence numbers 0, 1, 2', () => {
    const nst = sendRecord('{server}  construct a NewSessionTicket handshake message:', '{server}  send handshake record:');
    const data = sendRecord('{server}  send application_data record:', '');
    const alert = sendRecord('{server}  send alert record:', '');
    const w = new RecordWriter();
    w.setKeys(serverAp);
    w.write(ContentType.handshake, nst.payload);
    w.write(ContentType.application_data, data.payload);
    w.write(ContentType.alert, alert.payload);
    expect(w.recordsUnderKey).toBe(3);
    const wire = concatBytes(nst.record, data.record, alert.record);
    expect(toHex(w.takeOutput()!)).toBe(toHex(wire));

    const r = new RecordReader();
    r.setKeys(serverAp);
    expect(readAll(r, wire)).toEqual([
      { type: ContentType.handshake, data: nst.payload, protected: true },
      { type: ContentType.application_data, data: data.payload, protected: true },
      { type: ContentType.alert, data: alert.payload, protected: true },
    ]);
    expect(r.recordsUnderKey).toBe(3);
  });

  it('client: Finished under the handshake key, then data and alert under a new key from sequence 0', () => {
    const fin = sendRecord('{client}  construct a Finished handshake message:', '{client}  send handshake record:');
    const data = sendRecord('{client}  send application_data record:', '');
    const alert = sendRecord('{client}  send alert record:', '');
    const w = new RecordWriter();
    w.setKeys(clientHs);
    w.write(ContentType.handshake, fin.payload);
    w.setKeys(clientAp);
    expect(w.recordsUnderKey).toBe(0);
    w.write(ContentType.application_data, data.payload);
    w.write(ContentType.alert, alert.payload);
    const wire = concatBytes(fin.record, data.record, alert.record);
    expect(w.takeOutput()).toEqual(wire);

    // The server reads all three from one push, switching keys at the record boundary.
    const r = new RecordReader();
    r.setKeys(clientHs);
    r.push(wire);
    expect(r.next()).toEqual({ type: ContentType.handshake, data: fin.payload, protected: true });
    r.setKeys(clientAp);
    expect(r.next()).toEqual({ type: ContentType.application_data, data: data.payload, protected: true });
    expect(r.next()).toEqual({ type: ContentType.alert, data: alert.payload, protected: true });
    expect(r.next()).toBeUndefined();
    expect(r.recordsUnderKey).toBe(2);
  });
});

// Handshake messages from RFC 8448 (TLS 1.3 traces) by section, as hex with the 4-byte header,
// taken from the extracted traces in vectors/rfc8448/.

import { loadTrace, type TraceName } from '../../vectors/rfc8448/index.js';

const msg = (trace: TraceName, name: string): string => {
  const hex = loadTrace(trace).index[name];
  if (hex === undefined) throw new Error(`${trace}: no index value ${name}`);
  return hex;
};

export const RFC8448 = {
  s3ClientHello: msg('simple-1rtt', 'ClientHello'),
  s3ServerHello: msg('simple-1rtt', 'ServerHello'),
  s3EncryptedExtensions: msg('simple-1rtt', 'EncryptedExtensions'),
  s3Certificate: msg('simple-1rtt', 'Certificate'),
  s3CertificateVerify: msg('simple-1rtt', 'CertificateVerify'),
  s3ServerFinished: msg('simple-1rtt', 'server_Finished'),
  s3ClientFinished: msg('simple-1rtt', 'client_Finished'),
  s3NewSessionTicket: msg('simple-1rtt', 'NewSessionTicket'),
  /** §4's ClientHello truncated before the binders (RFC 8446 §4.2.11.2). */
  s4ClientHelloPrefix: msg('resumed-0rtt', 'truncated_client_hello'),
  s4ClientHello: msg('resumed-0rtt', 'ClientHello'),
  s4ServerHello: msg('resumed-0rtt', 'ServerHello'),
  s4EncryptedExtensions: msg('resumed-0rtt', 'EncryptedExtensions'),
  s4EndOfEarlyData: msg('resumed-0rtt', 'EndOfEarlyData'),
  s5ClientHello1: msg('hello-retry-request', 'ClientHello1'),
  s5HelloRetryRequest: msg('hello-retry-request', 'HelloRetryRequest'),
  s5ClientHello2: msg('hello-retry-request', 'ClientHello2'),
  s5ServerHello: msg('hello-retry-request', 'ServerHello'),
  s6CertificateRequest: msg('client-auth', 'CertificateRequest'),
  s6ClientCertificate: msg('client-auth', 'client_Certificate'),
  s6ClientCertificateVerify: msg('client-auth', 'client_CertificateVerify'),
};

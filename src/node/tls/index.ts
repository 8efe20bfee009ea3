// tls13-engine/node/tls: a node:tls-shaped API over the engine: `connect(options)` and
// `createServer(options, listener)` whose sockets are Duplex streams shaped like node:tls's
// TLSSocket, so that code written for node:tls (https.request's `createConnection`, an http.Server
// fed with 'connection') runs on this engine. TLS 1.3 only. Options follow node:tls where they
// exist; everything else of the engine is reachable through `engine`.

export { TLSSocket, type CipherNameAndProtocol } from './socket.js';
export type { PeerCertificate } from './peer-certificate.js';
export { connect, type ConnectOptions } from './connect.js';
export { Server, createServer, type ServerOptions } from './server.js';
export { CertificateError } from '../../errors.js';

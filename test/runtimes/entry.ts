// The engine as one ES module for runtimes without node_modules resolution (Chromium, workerd,
// Deno, Bun): the core entry plus the browser-safe transports and the webcrypto provider, bundled
// by esbuild at test time.
export * from '../../src/index.js';
export * from '../../src/transport/web-streams.js';
export * from '../../src/transport/websocket.js';
export * from '../../src/transport/push.js';
export * from '../../src/transport/keylog.js';
export * from '../../src/transport/trace.js';
export { TlsStream, TruncationError } from '../../src/transport/driver.js';
export * from '../../src/crypto/webcrypto/index.js';

// The engine as one ES module for runtimes without node_modules resolution (Chromium, workerd,
// Deno, Bun): the core entry plus the browser-safe transports and the webcrypto provider, bundled
// by esbuild at test time.
export * from '../../src/index.js';
export * from '../../src/io/web-streams.js';
export * from '../../src/io/websocket.js';
export * from '../../src/io/push.js';
export * from '../../src/io/keylog.js';
export * from '../../src/testing/trace.js';
export { TlsStream, TruncationError } from '../../src/io/index.js';
export * from '../../src/crypto/webcrypto/index.js';

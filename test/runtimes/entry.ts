// The engine as one ES module for runtimes without node_modules resolution (Chromium, workerd,
// Deno, Bun): the core entry ("."), the browser-safe adapters ("./io"), test support
// ("./testing") and the webcrypto provider, bundled by esbuild at test time.
export * from '../../src/index.js';
export * from '../../src/io/index.js';
export * from '../../src/testing/index.js';
export * from '../../src/crypto/webcrypto/index.js';

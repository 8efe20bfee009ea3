// Re-export of test/helpers/node-crypto.ts, kept only for test/negative/secrets.test.ts (owned
// elsewhere); delete once that import points at ../helpers/node-crypto.js.
export * from '../../helpers/node-crypto.js';

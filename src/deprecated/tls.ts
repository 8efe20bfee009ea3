// tls13-engine/tls, deprecated (kept for this release): the node:tls-shaped API moved to tls13-engine/node/tls.

export * from '../node/tls/index.js';

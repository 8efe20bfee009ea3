// tls13-engine/keylog, deprecated (kept for this release): these names moved to tls13-engine/io.

export * from '../io/keylog.js';

// tls13-engine/testing: for tests and research, not for production. The in-memory pairs (the one
// shuttle between two connections), test-PKI minting (RFC 5280 certificates, CRLs, OCSP
// responses) and record-level tracing and mutation (RFC 8446 §5.1). Not re-exported from ".".

export * from './memory.js';
export * from './mint.js';
export * from './trace.js';

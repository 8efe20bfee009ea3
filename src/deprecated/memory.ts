// tls13-engine/memory, deprecated (kept for this release): the in-memory pairs moved to
// tls13-engine/testing, which also holds PKI minting and record tracing.

export * from '../testing/memory.js';

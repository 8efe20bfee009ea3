// Buffer <-> Uint8Array helpers shared by the node:crypto provider.
import { Buffer } from 'node:buffer';

/**
 * A plain Uint8Array over a Buffer's bytes (no copy). The engine must never get a Buffer: its
 * slice() shares memory, where the engine relies on Uint8Array.slice() copying.
 */
export const view = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** RFC 4648 §5 base64url without padding (JWK key fields, RFC 7518 §6). */
export const b64url = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');

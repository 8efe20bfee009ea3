// Secrets held by long-lived objects (traffic, exporter, resumption secrets: RFC 8446 §7.1).

import { tlsError } from '../errors.js';
import { wipe } from '../util/bytes.js';
import { REDACTED, inspectCustom } from '../util/redact.js';

/**
 * Secret bytes that do not print: util.inspect, console.log and JSON.stringify show a marker,
 * and the bytes sit in a private field that no property walk reaches.
 */
export class Secret {
  #bytes: Uint8Array | undefined;

  /** Takes `bytes` without copying them: wipe() overwrites the caller's array. */
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** The bytes themselves (not a copy); throws once wiped. */
  get bytes(): Uint8Array {
    if (this.#bytes === undefined) throw tlsError('internal_error', 'secret used after wipe()');
    return this.#bytes;
  }

  /** True when this holds exactly `bytes` (the same array). */
  holds(bytes: Uint8Array): boolean {
    return this.#bytes === bytes;
  }

  get wiped(): boolean {
    return this.#bytes === undefined;
  }

  /** Overwrites the bytes with zeros; the holder is unusable afterwards. Idempotent. */
  wipe(): void {
    wipe(this.#bytes);
    this.#bytes = undefined;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspectCustom](): string {
    return this.#bytes === undefined ? 'Secret [wiped]' : `Secret ${REDACTED}`;
  }
}

// The handshake state machine: a state, a step, and the pending (async) step. RFC 8446 §4 (Appendix A).

import { tlsError } from '../errors.js';
import type { HandshakeMessage } from '../wire/types.js';

/**
 * One handshake state. `expects` lists the message types legal here; the connection
 * rejects anything else with unexpected_message before `handle` runs (one place decides).
 */
export interface HandshakeState {
  readonly name: string;
  readonly expects: readonly number[];
  handle(msg: HandshakeMessage, raw: Uint8Array): Step;
}

/** An async step in flight (signing, certificate verification). The connection awaits nothing: the driver does. */
export class Pending {
  private settled = false;
  private failure: unknown;
  readonly promise: Promise<void>;
  constructor(
    promise: Promise<unknown>,
    private readonly resumeWith: () => Step,
  ) {
    this.promise = promise.then(
      () => {
        this.settled = true;
      },
      (e: unknown) => {
        this.settled = true;
        this.failure = e;
      },
    );
  }
  get isSettled(): boolean {
    return this.settled;
  }
  /** Continue the handshake; rethrows the async step's failure. */
  resume(): Step {
    if (!this.settled) throw tlsError('internal_error', 'resume() before the pending step settled');
    if (this.failure !== undefined) throw this.failure;
    return this.resumeWith();
  }
}

export type Step = HandshakeState | Pending;

/**
 * Run `next` with a value that may arrive later. A synchronous value continues at once,
 * so the all-synchronous path (the default provider) never leaves the call stack.
 */
export function whenReady<T>(value: T | Promise<T>, next: (v: T) => Step): Step {
  if (value instanceof Promise) {
    let result: T;
    const p = value.then((v) => {
      result = v;
    });
    return new Pending(p, () => next(result));
  }
  return next(value);
}

/**
 * The values, at once when none is a Promise (so a synchronous provider never waits), else their
 * Promise.all (marked as observed: a failure before whenReady takes it must not go unhandled).
 */
export function allReady<T>(values: readonly (T | Promise<T>)[]): T[] | Promise<T[]> {
  if (!values.some((v) => v instanceof Promise)) return values as T[];
  const all = Promise.all(values);
  all.catch(() => {});
  return all;
}

// The handshake state machine: a state, a step, and the pending (async) step. RFC 8446 §4 (Appendix A).

import { tlsError } from '../errors.js';
import type { HandshakeMessage } from '../wire/types.js';

/**
 * One handshake state, as the connection drives it. `expects` lists the message types legal
 * here; the connection rejects anything else with unexpected_message before `handle` runs (one
 * place decides). `name` is for events and traces only, never for logic.
 */
export interface HandshakeState {
  readonly name: string;
  readonly expects: readonly number[];
  handle(msg: HandshakeMessage, raw: Uint8Array): Step;
}

/** A handshake message type code (RFC 8446 §4). */
export type HandshakeTypeCode = HandshakeMessage['msgType'];

/** The message whose type code is `T`. */
export type MessageOf<T extends HandshakeTypeCode> = Extract<HandshakeMessage, { msgType: T }>;

/**
 * One handler per message type a state takes. Each handler is a property of function type, so
 * its parameter is checked strictly: a handler for `server_hello` that takes a `Certificate`
 * does not compile (a method would be bivariant and would).
 */
export type Handlers<T extends HandshakeTypeCode> = { readonly [K in T]: (msg: MessageOf<K>, raw: Uint8Array) => Step };

/**
 * A state that handles the message types `T`: its `expects` list is the keys of its `handlers`,
 * so what it accepts and what it can handle are one declaration.
 */
export abstract class TypedState<T extends HandshakeTypeCode> implements HandshakeState {
  abstract readonly name: string;
  protected abstract readonly handlers: Handlers<T>;
  private expected: readonly T[] | undefined;

  get expects(): readonly T[] {
    return (this.expected ??= Object.freeze(Object.keys(this.handlers).map((k) => Number(k) as T)));
  }

  handle(msg: HandshakeMessage, raw: Uint8Array): Step {
    // The connection checked `expects`; a key of `handlers` takes the message of its own type.
    const handler = (this.handlers as Partial<Record<number, (m: HandshakeMessage, r: Uint8Array) => Step>>)[msg.msgType];
    if (!handler) throw tlsError('unexpected_message', `${this.name} does not take handshake message ${msg.msgType}`);
    return handler(msg, raw);
  }
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

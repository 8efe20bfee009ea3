// TypedState: a state's expects list is the keys of its handlers, and a handler's parameter is
// the message of its key's type (checked at compile time: `npm run typecheck` covers this file).

import { describe, expect, it } from 'vitest';
import { TypedState, type Handlers, type HandshakeState, type Step } from '../../../src/handshake/state.js';
import { HandshakeType } from '../../../src/wire/codepoints.js';
import type { Certificate, HandshakeMessage } from '../../../src/wire/types.js';
import { alertOf } from './fixture.js';

type FinishedOrKeyUpdate = typeof HandshakeType.finished | typeof HandshakeType.key_update;

class Probe extends TypedState<FinishedOrKeyUpdate> {
  readonly name = 'Probe';
  readonly seen: string[] = [];
  protected readonly handlers: Handlers<FinishedOrKeyUpdate> = {
    // The parameter types come from the keys: Finished here, KeyUpdate below.
    [HandshakeType.finished]: (msg) => this.saw(`finished ${msg.verifyData.length}`),
    [HandshakeType.key_update]: (msg) => this.saw(`key_update ${msg.requestUpdate}`),
  };
  private saw(what: string): Step {
    this.seen.push(what);
    return this;
  }
}

const finished: HandshakeMessage = { msgType: HandshakeType.finished, verifyData: new Uint8Array(32) };
const keyUpdate: HandshakeMessage = { msgType: HandshakeType.key_update, requestUpdate: 1 };
const endOfEarlyData: HandshakeMessage = { msgType: HandshakeType.end_of_early_data };

describe('TypedState', () => {
  it('derives expects from its handlers', () => {
    const probe: HandshakeState = new Probe();
    expect([...probe.expects].sort((a, b) => a - b)).toEqual([HandshakeType.finished, HandshakeType.key_update]);
  });

  it('hands each message to the handler of its type', () => {
    const probe = new Probe();
    expect(probe.handle(finished, new Uint8Array(0))).toBe(probe);
    probe.handle(keyUpdate, new Uint8Array(0));
    expect(probe.seen).toEqual(['finished 32', 'key_update 1']);
  });

  it('refuses a message type it has no handler for with unexpected_message', () => {
    expect(alertOf(() => new Probe().handle(endOfEarlyData, new Uint8Array(0)))).toBe('unexpected_message');
  });

  it('does not compile a handler narrowed to the wrong message, or a missing handler', () => {
    const next = (): Step => new Probe();
    const wrong: Handlers<typeof HandshakeType.server_hello> = {
      // @ts-expect-error a server_hello handler cannot take a Certificate
      [HandshakeType.server_hello]: (msg: Certificate) => (msg.certificateList.length > 0 ? next() : next()),
    };
    // @ts-expect-error the key_update handler is missing
    const missing: Handlers<FinishedOrKeyUpdate> = { [HandshakeType.finished]: next };
    expect(Object.keys(wrong)).toEqual([String(HandshakeType.server_hello)]);
    expect(Object.keys(missing)).toEqual([String(HandshakeType.finished)]);
  });
});

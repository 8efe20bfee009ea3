// A ByteChannel whose inbound bytes the test feeds and whose writes/close are logged.

import type { ByteChannel } from '../../../src/io/index.js';

export class ScriptChannel implements ByteChannel {
  readonly events: string[] = [];
  readonly writes: Uint8Array[] = [];
  reads = 0;
  private inbound: (Uint8Array | null)[] = [];
  private waiter: ((v: Uint8Array | null) => void) | undefined;
  closed = false;

  feed(b: Uint8Array | null): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w(b);
    } else this.inbound.push(b);
  }
  read(): Promise<Uint8Array | null> {
    this.reads++;
    if (this.inbound.length > 0) return Promise.resolve(this.inbound.shift() ?? null);
    if (this.closed) return Promise.resolve(null);
    return new Promise((r) => {
      this.waiter = r;
    });
  }
  write(bytes: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error('closed'));
    this.writes.push(bytes);
    // Log frame types, e.g. "write:H" or "write:A".
    const types: string[] = [];
    for (let i = 0; i + 3 <= bytes.length; ) {
      types.push(String.fromCharCode(bytes[i]!));
      i += 3 + ((bytes[i + 1]! << 8) | bytes[i + 2]!);
    }
    this.events.push(`write:${types.join('')}`);
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.events.push('close');
    this.closed = true;
    const w = this.waiter;
    this.waiter = undefined;
    w?.(null);
    return Promise.resolve();
  }
}

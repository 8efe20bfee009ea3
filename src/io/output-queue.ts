// Ordered writes of a Connection's output to its ByteChannel, shared by the pump and the
// application side of a stream; `bounded` caps the flushes that precede a close.

import type { Connection } from '../connection/types.js';
import type { ByteChannel } from './channel.js';

export const noop = (): void => {};

/** Serialises writes of `conn.takeOutput()` to the channel, in order. Shared by the pump and the application. */
export class OutputQueue {
  private tail: Promise<void> = Promise.resolve();
  constructor(
    private readonly conn: Connection,
    private readonly channel: ByteChannel,
    /** Called after each completed write (the idle timeout's activity). */
    private readonly afterWrite?: () => void,
  ) {}

  /** Queues all pending output; resolves once the channel took it. A write failure is sticky. */
  flush(): Promise<void> {
    let queued = false;
    for (let out = this.conn.takeOutput(); out !== undefined; out = this.conn.takeOutput()) {
      const bytes = out;
      if (bytes.length === 0) continue;
      this.tail = this.tail.then(() => this.channel.write(bytes));
      if (this.afterWrite) this.tail = this.tail.then(this.afterWrite);
      queued = true;
    }
    const t = this.tail;
    if (queued) t.catch(noop); // observed by whoever awaits; never unhandled
    return t;
  }
}

/** How long a failing or timed-out stream waits for its alert to be written and its channel to close. */
export const ERROR_FLUSH_TIMEOUT_MS = 5_000;

/** Awaits `p` for at most `ms`, ignoring its failure. */
export async function bounded(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((r) => {
    timer = setTimeout(r, ms);
  });
  await Promise.race([p.then(() => undefined, () => undefined), timeout]);
  clearTimeout(timer);
}

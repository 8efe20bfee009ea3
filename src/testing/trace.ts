// Record-level tracing and mutation, for test harnesses and research: a ByteChannel wrapper that
// splits both directions into TLS records (RFC 8446 §5.1), reports each one (header fields, raw
// bytes, and for plaintext records the handshake types or the alert), lets a hook rewrite or drop
// a record on its way out or in, and injects raw bytes (hand-made records) into either direction.
// It sits between the driver and the transport, outside the engine: decoded handshake messages,
// alerts and key changes come from the connection's `onEvent`; protected records stay opaque here.
// NOT for production use: a hook can break every guarantee TLS gives.

import { alertName } from '../errors.js';
import { concatBytes } from '../util/bytes.js';
import { ContentType, contentTypeName, handshakeTypeName } from '../wire/codepoints.js';
import type { ByteChannel } from '../io/channel.js';

export interface RecordTraceEvent {
  direction: 'sent' | 'received';
  /** Index of the record in its direction, from 0. */
  index: number;
  contentType: number;
  contentTypeName: string;
  /** TLSPlaintext.legacy_record_version. */
  legacyVersion: number;
  /** The fragment's length (header excluded). */
  length: number;
  /** The whole record, header included, as it crossed (after any rewrite). */
  raw: Uint8Array;
  /** Plaintext handshake records: the handshake message types that start in this record. */
  handshakeTypes?: string[];
  /** Plaintext alert records. */
  alert?: { level: number; description: number; name: string };
  /** Set when injected with inject()/injectIncoming() rather than produced by a peer. */
  injected?: boolean;
  /** Set when a hook rewrote the record. */
  rewritten?: boolean;
}

/** A hook's answer: a replacement (one or more whole records, or any bytes), null to drop, or nothing to keep. */
export type RecordRewrite = Uint8Array | null | undefined | void;

export interface TracingOptions {
  /** Every record, both directions, in order. */
  onRecord?(event: RecordTraceEvent): void;
  /** Rewrites or drops a record we send, before it reaches the transport. */
  beforeSend?(record: Uint8Array, event: Omit<RecordTraceEvent, 'raw'>): RecordRewrite;
  /** Rewrites or drops a record we received, before the engine sees it. */
  afterReceive?(record: Uint8Array, event: Omit<RecordTraceEvent, 'raw'>): RecordRewrite;
  /** Keep every event in `records` (default true). */
  keep?: boolean;
}

export interface TracingChannel extends ByteChannel {
  /** Every record seen (when `keep`). */
  readonly records: RecordTraceEvent[];
  /** Writes raw bytes to the transport now, in order with the engine's output. */
  inject(bytes: Uint8Array): Promise<void>;
  /** Delivers raw bytes to the engine as if the peer had sent them, at once (before what the transport has yet to deliver). */
  injectIncoming(bytes: Uint8Array): void;
}

const HEADER = 5;

/** Splits complete records off the front of `buf`; returns them and the rest. */
export function splitRecords(buf: Uint8Array): { records: Uint8Array[]; rest: Uint8Array } {
  const records: Uint8Array[] = [];
  let off = 0;
  while (buf.length - off >= HEADER) {
    const len = (buf[off + 3]! << 8) | buf[off + 4]!;
    if (buf.length - off < HEADER + len) break;
    records.push(buf.subarray(off, off + HEADER + len));
    off += HEADER + len;
  }
  return { records, rest: buf.subarray(off) };
}

/** Decodes a record's header and, when it is plaintext, what it carries. */
export function describeRecord(record: Uint8Array, direction: 'sent' | 'received', index: number): RecordTraceEvent {
  const contentType = record[0] ?? 0;
  const length = record.length >= HEADER ? (record[3]! << 8) | record[4]! : 0;
  const ev: RecordTraceEvent = {
    direction,
    index,
    contentType,
    contentTypeName: contentTypeName(contentType),
    legacyVersion: record.length >= 3 ? (record[1]! << 8) | record[2]! : 0,
    length,
    raw: record,
  };
  const body = record.subarray(HEADER);
  if (contentType === ContentType.handshake) {
    // Messages may span records; report the types that start here when the framing is clear.
    const types: string[] = [];
    for (let off = 0; off + 4 <= body.length; ) {
      types.push(handshakeTypeName(body[off]!));
      off += 4 + ((body[off + 1]! << 16) | (body[off + 2]! << 8) | body[off + 3]!);
    }
    ev.handshakeTypes = types;
  } else if (contentType === ContentType.alert && body.length === 2) {
    ev.alert = { level: body[0]!, description: body[1]!, name: alertName(body[1]!) };
  }
  return ev;
}

/** One line per record, for logs: `sent #3 handshake(22) len=123 [server_hello]`. */
export function formatRecordEvent(e: RecordTraceEvent): string {
  const what = e.handshakeTypes ? ` [${e.handshakeTypes.join(', ')}]` : e.alert ? ` [${e.alert.name}, level ${e.alert.level}]` : '';
  const flags = `${e.injected ? ' (injected)' : ''}${e.rewritten ? ' (rewritten)' : ''}`;
  return `${e.direction} #${e.index} ${e.contentTypeName} len=${e.length}${what}${flags}`;
}

/**
 * Wraps a channel with a record-level trace and mutation hooks. Bytes from the peer reach the
 * engine only as whole records (a trailing partial record is delivered at end of stream).
 */
export function tracingChannel(inner: ByteChannel, options: TracingOptions = {}): TracingChannel {
  const keep = options.keep !== false;
  const records: RecordTraceEvent[] = [];
  const index = { sent: 0, received: 0 };
  let outPending: Uint8Array = new Uint8Array(0);
  let inPending: Uint8Array = new Uint8Array(0);
  const incoming: Uint8Array[] = [];
  let eof = false;
  let innerRead: Promise<Uint8Array | null> | undefined;
  let wake: (() => void) | undefined;

  const report = (e: RecordTraceEvent): void => {
    if (keep) records.push(e);
    options.onRecord?.(e);
  };

  /** Runs the hook on each record and reports what crosses. */
  const pass = (recs: Uint8Array[], direction: 'sent' | 'received', injected: boolean): Uint8Array => {
    const hook = direction === 'sent' ? options.beforeSend : options.afterReceive;
    const out: Uint8Array[] = [];
    for (const r of recs) {
      let replaced: RecordRewrite;
      if (!injected && hook) {
        const { raw: _raw, ...meta } = describeRecord(r, direction, index[direction]);
        replaced = hook(r, meta);
      }
      if (replaced === null) {
        index[direction]++;
        continue; // dropped: nothing crosses
      }
      const bytes = replaced ?? r;
      let pieces = [r];
      if (replaced) {
        const split = splitRecords(replaced);
        pieces = split.rest.length > 0 ? [replaced] : split.records;
      }
      for (const piece of pieces) {
        const e = describeRecord(piece, direction, index[direction]++);
        if (injected) e.injected = true;
        if (replaced) e.rewritten = true;
        report(e);
      }
      out.push(bytes);
    }
    return out.length === 1 ? out[0]! : concatBytes(...out);
  };

  const framed = (bytes: Uint8Array, pending: Uint8Array): { records: Uint8Array[]; rest: Uint8Array } =>
    splitRecords(pending.length > 0 ? concatBytes(pending, bytes) : bytes);

  return {
    records,
    async read() {
      for (;;) {
        const queued = incoming.shift();
        if (queued) {
          const split = splitRecords(queued);
          return pass(split.records.length > 0 && split.rest.length === 0 ? split.records : [queued], 'received', true);
        }
        if (eof) {
          if (inPending.length === 0) return null;
          const rest = inPending;
          inPending = new Uint8Array(0);
          return rest; // a truncated record: the engine decides what that means
        }
        // Wait for the transport, or for injectIncoming() (the pending transport read is kept).
        innerRead ??= inner.read();
        const injectedNow = new Promise<'injected'>((r) => {
          wake = () => r('injected');
        });
        const got = await Promise.race([innerRead, injectedNow]);
        wake = undefined;
        if (got === 'injected') continue;
        innerRead = undefined;
        if (got === null) {
          eof = true;
          continue;
        }
        const { records: recs, rest } = framed(got, inPending);
        inPending = rest.slice();
        if (recs.length === 0) continue;
        const out = pass(recs, 'received', false);
        if (out.length > 0) return out;
      }
    },
    async write(bytes) {
      const { records: recs, rest } = framed(bytes, outPending);
      outPending = rest.slice();
      if (recs.length === 0) return;
      const out = pass(recs, 'sent', false);
      if (out.length > 0) await inner.write(out);
    },
    async inject(bytes) {
      const recs = splitRecords(bytes);
      pass(recs.records.length > 0 && recs.rest.length === 0 ? recs.records : [bytes], 'sent', true);
      await inner.write(bytes);
    },
    injectIncoming(bytes) {
      incoming.push(bytes);
      wake?.();
    },
    close: () => inner.close(),
  };
}

// Text the CLI prints: summary lines, trace lines, error lines, key log lines.

import { appendFileSync } from 'node:fs';
import type { ConnectionEvent, KeyLogger, NegotiatedParameters, Side } from '../../src/connection/types.js';
import { alertName, AlertLevel } from '../../src/errors.js';
import { toHex } from '../../src/util/bytes.js';
import { groupName, schemeName, suiteName } from '../../src/wire/codepoints.js';
import { formatHandshake } from '../../src/wire/format.js';
import { keyLogTo } from '../../src/io/keylog.js';

/** `TLSv1.3 <suite> <group> <signature scheme> alpn=<protocol|none>` */
export function summaryLine(p: Partial<NegotiatedParameters>): string {
  const suite = p.cipherSuiteName ?? (p.cipherSuite !== undefined ? suiteName(p.cipherSuite) : 'none');
  const group = p.groupName ?? (p.group !== undefined ? groupName(p.group) : 'none');
  const scheme = p.signatureSchemeName ?? (p.signatureScheme !== undefined ? schemeName(p.signatureScheme) : 'none');
  return `${p.version ?? 'TLSv1.3'} ${suite} ${group} ${scheme} alpn=${p.alpn ?? 'none'}`;
}

/** ` resumed` (only when resumed) and ` early=accepted|rejected|none`, appended to the summary line. */
export function resumptionSuffix(p: Partial<NegotiatedParameters>): string {
  return `${p.resumed === true ? ' resumed' : ''} early=${p.earlyData ?? 'none'}`;
}

/** A PSK identity for a log line: the text when it is printable ASCII, else hex. */
export function identityText(id: Uint8Array): string {
  return id.length > 0 && id.every((b) => b > 0x20 && b < 0x7f) ? String.fromCharCode(...id) : `0x${toHex(id)}`;
}

/** The message; a TlsError's already reads `alert_name: reason`. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const peerOf = (s: Side): Side => (s === 'client' ? 'server' : 'client');

/** "client → server" for what we sent, "server → client" for what we received (as seen by `self`). */
export function directionLabel(self: Side, direction: 'sent' | 'received'): string {
  return direction === 'sent' ? `${self} → ${peerOf(self)}` : `${peerOf(self)} → ${self}`;
}

/** One trace entry per event (multi-line for handshake messages); undefined for events not shown. */
export function traceText(self: Side, ev: ConnectionEvent, verbose = true): string | undefined {
  switch (ev.type) {
    case 'handshake': {
      const head = `${directionLabel(self, ev.direction)}  `;
      const body = verbose ? formatHandshake(ev.message) : formatHandshake(ev.message).split('\n')[0]!;
      const lines = body.split('\n');
      const pad = ' '.repeat(head.length);
      return [`${head}${lines[0]!} (${ev.raw.length} bytes)`, ...lines.slice(1).map((l) => pad + l)].join('\n');
    }
    case 'change_cipher_spec':
      return `${directionLabel(self, ev.direction)}  ChangeCipherSpec (middlebox compatibility)`;
    case 'alert': {
      const level = ev.level === AlertLevel.fatal ? 'fatal' : ev.level === AlertLevel.warning ? 'warning' : `level(${ev.level})`;
      return `${directionLabel(self, ev.direction)}  Alert ${level} ${alertName(ev.description)}`;
    }
    case 'keys':
      return verbose ? `${self}: ${ev.direction === 'read' ? 'reading' : 'writing'} with ${ev.epoch} keys${ev.generation > 0 ? ` (generation ${ev.generation})` : ''}` : undefined;
    case 'handshake_complete':
      return undefined;
  }
}

/** Appends NSS key log lines to `file` (created with mode 0600). */
export function fileKeyLogger(file: string): KeyLogger {
  return keyLogTo((line) => appendFileSync(file, line, { mode: 0o600 }));
}

// NSS key log lines (https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/)
// for the transports' `keyLog` options: browser-safe, no file system. Secrets leave the engine
// only through the `keyLog` callback of the connection config; these helpers only format them.

import type { KeyLogger } from '../connection/types.js';
import { toHex } from '../util/bytes.js';

/** One NSS key log line, newline included: `LABEL <client_random hex> <secret hex>\n`. */
export function formatKeyLogLine(label: string, clientRandom: Uint8Array, secret: Uint8Array): string {
  return `${label} ${toHex(clientRandom)} ${toHex(secret)}\n`;
}

/** A KeyLogger that hands each formatted line to `sink` (e.g. a file appender, a console, a socket event). */
export function keyLogTo(sink: (line: string) => void): KeyLogger {
  return (label, clientRandom, secret) => sink(formatKeyLogLine(label, clientRandom, secret));
}

/** Chains two optional KeyLoggers. */
export function combineKeyLoggers(a: KeyLogger | undefined, b: KeyLogger | undefined): KeyLogger | undefined {
  if (!a) return b;
  if (!b) return a;
  return (label, random, secret) => {
    a(label, random, secret);
    b(label, random, secret);
  };
}

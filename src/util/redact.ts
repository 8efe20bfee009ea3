// Keeping secrets out of printed objects (SECURITY.md, "Secrets in memory").

/** Node's util.inspect hook, by its registered name: the core imports nothing from Node. */
export const inspectCustom: unique symbol = Symbol.for('nodejs.util.inspect.custom');

/** What toJSON and util.inspect show instead of secret bytes. */
export const REDACTED = '[redacted]';

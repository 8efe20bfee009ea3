// Public wire API: code points, message types, reader/writer, extension and message codecs.

export * from './codepoints.js';
export type * from './types.js';
export { Reader } from './reader.js';
export { Writer } from './writer.js';
export * from './extensions.js';
export * from './messages.js';
export * from './format.js';

// Fixtures shared by the OpenSSL interop tests: a minted PKI written as PEM files, and polling.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chainPem, mintTestPki, type KeyType } from '../../src/testing/mint.js';

/** PEM files of a minted PKI (root, intermediate, server leaf and key). */
export interface PkiFiles {
  ca: string;
  chain: string;
  leaf: string;
  intermediate: string;
  key: string;
}

/** Mints a PKI for localhost and 127.0.0.1 and writes it under `dir`, each file name prefixed by `prefix`. */
export async function writeMintedPki(dir: string, keyType: KeyType = 'p256', prefix = ''): Promise<PkiFiles> {
  const pki = await mintTestPki({ keyType, serverNames: ['localhost', '127.0.0.1'] });
  const f = (name: string, text: string): string => {
    const path = join(dir, `${prefix}${name}`);
    writeFileSync(path, text);
    return path;
  };
  return {
    ca: f('root.pem', pki.root.certPem),
    chain: f('chain.pem', chainPem(pki.server, pki.intermediate)),
    leaf: f('leaf.pem', pki.server.certPem),
    intermediate: f('intermediate.pem', pki.intermediate.certPem),
    key: f('key.pem', pki.server.keyPem),
  };
}

/** Polls `cond` every 25 ms; throws with `describe()` after `timeoutMs`. */
export async function waitUntil(cond: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out\n${describe()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** What `openssl s_server -rev` answers to a line. */
export const reversed = (s: string): string => [...s].reverse().join('');
